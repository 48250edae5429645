"""Bad input gets a clear error, and a fitted estimator that raised is unchanged."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor, DivergenceWarning

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)


def with_value(X, row, column, value):
    X = X.copy()
    X[row, column] = value
    return X


BAD_CALLS = {
    "NaN in X": ("fit", lambda: (with_value(X_IRIS, 3, 1, np.nan), Y_IRIS), {}, "NaN"),
    "inf in X": (
        "partial_fit",
        lambda: (with_value(X_IRIS, 0, 0, np.inf), Y_IRIS),
        {},
        "infinity",
    ),
    "X and y lengths differ": (
        "fit",
        lambda: (X_IRIS, Y_IRIS[:-1]),
        {},
        "inconsistent numbers of samples",
    ),
    "features changed in partial_fit": (
        "partial_fit",
        lambda: (X_IRIS[:, :3], Y_IRIS),
        {},
        "has 3 features",
    ),
    "unseen label in partial_fit": (
        "partial_fit",
        lambda: (X_IRIS, np.where(Y_IRIS == 2, 7, Y_IRIS)),
        {},
        "not in classes_",
    ),
    "negative sample weight": (
        "fit",
        lambda: (X_IRIS, Y_IRIS),
        {"sample_weight": np.r_[-1.0, np.ones(149)]},
        "Negative values",
    ),
    "NaN sample weight": (
        "fit",
        lambda: (X_IRIS, Y_IRIS),
        {"sample_weight": np.r_[np.nan, np.ones(149)]},
        "NaN",
    ),
    "all-zero sample weights": (
        "fit",
        lambda: (X_IRIS, Y_IRIS),
        {"sample_weight": np.zeros(150)},
        "at least one non-zero",
    ),
    "wrong coef_init shape": (
        "fit",
        lambda: (X_IRIS, Y_IRIS),
        {"coef_init": np.zeros((2, 4))},
        "coef_init has shape",
    ),
}


def fitted_classifier():
    return DeltaRuleClassifier(random_state=0, max_iter=20).fit(X_IRIS, Y_IRIS)


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_bad_input_raises_and_leaves_the_model_unchanged(case):
    method, make_data, kwargs, message = BAD_CALLS[case]
    model = fitted_classifier().set_params(warm_start=True)
    before = pickle.dumps(model)
    X, y = make_data()
    with pytest.raises(ValueError, match=message):
        getattr(model, method)(X, y, **kwargs)
    assert pickle.dumps(model) == before


@pytest.mark.parametrize(
    "params, message",
    [
        ({"activation": "sigmoidal"}, "activation"),
        ({"learning_rate": "sometimes"}, "learning_rate"),
        ({"eta0": 0.0}, "eta0"),
        ({"batch_size": 0}, "batch_size"),
        ({"momentum": 1.0}, "momentum"),
        ({"max_iter": -1}, "max_iter"),
    ],
)
def test_bad_parameters_name_themselves(params, message):
    model = fitted_classifier()
    before = pickle.dumps(model)
    with pytest.raises(ValueError, match=message):
        model.set_params(**params).fit(X_IRIS, Y_IRIS)
    model.set_params(
        **{name: fitted_classifier().get_params()[name] for name in params}
    )
    assert pickle.dumps(model) == before


def test_predict_with_wrong_feature_count():
    model = fitted_classifier()
    with pytest.raises(ValueError, match="expecting 4 features"):
        model.predict(X_IRIS[:, :2])


def test_balanced_class_weight_is_refused_by_partial_fit():
    with pytest.raises(ValueError, match="partial_fit never sees"):
        DeltaRuleClassifier(class_weight="balanced").partial_fit(
            X_IRIS, Y_IRIS, classes=[0, 1, 2]
        )


def test_partial_fit_needs_classes_first():
    with pytest.raises(ValueError, match="classes must be passed"):
        DeltaRuleClassifier().partial_fit(X_IRIS, Y_IRIS)


def test_divergence_is_undone_and_explained():
    rng = np.random.RandomState(0)
    X = rng.normal(scale=100.0, size=(200, 5))
    y = X @ rng.normal(size=5)
    with pytest.warns(DivergenceWarning, match="learning rate 1 .*cut to 0.1"):
        model = DeltaRuleRegressor(eta0=1.0, batch_size=1, random_state=0).fit(X, y)
    assert np.all(np.isfinite(model.coef_))
    assert model.score(X, y) > 0.99
    assert np.all(np.isfinite(model.loss_curve_))


def test_hopeless_divergence_raises_and_keeps_the_old_model():
    model = DeltaRuleRegressor(random_state=0, max_iter=5).fit(X_IRIS, Y_IRIS)
    before = pickle.dumps(model)
    X = X_IRIS * 1e12
    with (
        pytest.warns(DivergenceWarning),
        pytest.raises(ValueError, match="standardise"),
    ):
        model.set_params(eta0=1e3).fit(X, Y_IRIS)
    model.set_params(eta0=0.01)
    assert pickle.dumps(model) == before
