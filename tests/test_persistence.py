"""Saving and loading: pickle and joblib round trips, and skops without
running foreign code."""

import io
import pickle

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

MODELS = {
    "classifier, early stopping": lambda: make_pipeline(
        StandardScaler(),
        DeltaRuleClassifier(early_stopping=True, record_weights=True, random_state=0),
    ).fit(*load_iris(return_X_y=True)),
    "classifier, log_loss, adaptive, momentum": lambda: make_pipeline(
        StandardScaler(),
        DeltaRuleClassifier(
            loss="log_loss", learning_rate="adaptive", momentum=0.5, random_state=0
        ),
    ).fit(*load_iris(return_X_y=True)),
    "regressor, invscaling": lambda: make_pipeline(
        StandardScaler(),
        DeltaRuleRegressor(learning_rate="invscaling", eta0=0.05, random_state=0),
    ).fit(*load_diabetes(return_X_y=True)),
}


def predictions(model, X):
    output = [model.predict(X)]
    if hasattr(model, "predict_proba"):
        output.append(model.predict_proba(X))
    return output


def assert_same_model(loaded, original, X):
    for got, expected in zip(predictions(loaded, X), predictions(original, X)):
        np.testing.assert_array_equal(got, expected)
    final, reference = loaded[-1], original[-1]
    for name, value in vars(reference).items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(final, name), value)


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("library", ["pickle", "joblib"])
def test_round_trip_is_exact_and_training_continues_the_same(name, library):
    model = MODELS[name]()
    if library == "pickle":
        loaded = pickle.loads(pickle.dumps(model))
    else:
        buffer = io.BytesIO()
        joblib.dump(model, buffer)
        buffer.seek(0)
        loaded = joblib.load(buffer)
    X = load_iris().data if "classifier" in name else load_diabetes().data
    y = load_iris().target if "classifier" in name else load_diabetes().target
    assert_same_model(loaded, model, X)
    # The loaded model carries on exactly as the original would.
    Xt = model[0].transform(X)
    model[-1].partial_fit(Xt, y)
    loaded[-1].partial_fit(Xt, y)
    np.testing.assert_array_equal(loaded[-1].coef_, model[-1].coef_)
    assert loaded[-1].loss_curve_ == model[-1].loss_curve_


@pytest.mark.parametrize("name", sorted(MODELS))
def test_skops_loads_only_our_types_and_gives_the_same_model(name):
    sio = pytest.importorskip("skops.io", reason="skops is not installed")
    model = MODELS[name]()
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted, "our classes should need trusting explicitly"
    assert all(name.startswith("sklearn_delta.") for name in untrusted)
    loaded = sio.loads(data, trusted=untrusted)
    X = load_iris().data if "classifier" in name else load_diabetes().data
    assert_same_model(loaded, model, X)


def test_callbacks_are_not_saved_with_the_model():
    sio = pytest.importorskip("skops.io", reason="skops is not installed")
    callback = pytest.importorskip(
        "sklearn.callback", reason="scikit-learn < 1.9 has no callbacks"
    )
    X, y = load_iris(return_X_y=True)
    model = DeltaRuleClassifier(max_iter=3, tol=None)
    model.set_callbacks(callback.ScoringMonitor(scoring="accuracy")).fit(X, y)
    assert hasattr(model, "_skl_callbacks")  # the live model keeps them
    untrusted = sio.get_untrusted_types(data=sio.dumps(model))
    assert all(name.startswith("sklearn_delta.") for name in untrusted)
    assert not hasattr(pickle.loads(pickle.dumps(model)), "_skl_callbacks")
