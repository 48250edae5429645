"""ONNX export: pipelines holding our estimators convert with skl2onnx and
run in onnxruntime with the same labels, and probabilities and regression
outputs within 1e-5 in float32."""

import importlib
import sys

import numpy as np
import pytest
from scipy.special import expit
from sklearn.datasets import make_classification, make_regression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_delta import (
    Activation,
    DeltaRuleClassifier,
    DeltaRuleRegressor,
    SquaredError,
)

skl2onnx = pytest.importorskip("skl2onnx", reason="skl2onnx is not installed")
onnxruntime = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")

import sklearn_delta.onnx  # noqa: E402, F401 - registers the converters

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ACTIVATIONS = ["identity", "logistic", "tanh", "relu", "softplus"]
BOUNDED = {"logistic", "tanh"}
# (activation, loss): every built-in activation with the squared error, and
# the log loss (a logistic unit, or a softmax over several classes).
CLASSIFIER_SETTINGS = [(name, "squared_error") for name in ACTIVATIONS] + [
    ("logistic", "log_loss")
]
ATOL = 1e-5
# Short fits: the weights only need to be trained, not converged.
FAST = {"max_iter": 300, "random_state": 0}


def fit_intercept_values():
    """fit_intercept=False where the estimators have the parameter."""
    missing = "fit_intercept" not in DeltaRuleClassifier().get_params()
    return [
        True,
        pytest.param(
            False,
            marks=pytest.mark.skipif(
                missing, reason="fit_intercept is not available yet"
            ),
        ),
    ]


def classification(n_classes):
    X, y = make_classification(
        n_samples=300,
        n_features=6,
        n_informative=4,
        n_classes=n_classes,
        random_state=0,
    )
    return X.astype(np.float32), y


def regression(n_targets):
    X, y = make_regression(
        n_samples=300, n_features=5, n_targets=n_targets, noise=5.0, random_state=0
    )
    # Targets in (0, 1), which every built-in activation can output.
    return X.astype(np.float32), expit(y / y.std())


def run(model, X, options=None, **kwargs):
    """Convert ``model`` for inputs like X and run it on X in onnxruntime."""
    onx = skl2onnx.to_onnx(model, X[:1], options=options, **kwargs)
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})


def no_zipmap(pipeline):
    return {id(pipeline[-1]): {"zipmap": False}}


def expected_second_output(classifier, X):
    """predict_proba, or for an unbounded activation the decision function
    (a binary problem's as [-s, s], as skl2onnx's linear classifiers)."""
    if hasattr(classifier, "predict_proba"):
        return classifier.predict_proba(X)
    scores = classifier.decision_function(X)
    return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores


def assert_classifier_matches(model, X, options=None):
    labels, second = run(model, X, options=options)
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(
        second, expected_second_output(model, X), rtol=0, atol=ATOL
    )


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(("activation", "loss"), CLASSIFIER_SETTINGS)
def test_classifier_pipeline_matches(activation, loss, n_classes):
    X, y = classification(n_classes)
    model = make_pipeline(
        StandardScaler(), DeltaRuleClassifier(activation, loss, **FAST)
    ).fit(X, y)
    assert hasattr(model, "predict_proba") == (activation in BOUNDED)
    assert_classifier_matches(model, X, no_zipmap(model))


@pytest.mark.parametrize("n_targets", [1, 2])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_regressor_pipeline_matches(activation, n_targets):
    X, y = regression(n_targets)
    model = make_pipeline(StandardScaler(), DeltaRuleRegressor(activation, **FAST))
    model.fit(X, y.ravel() if n_targets == 1 else y)
    (output,) = run(model, X)
    # skl2onnx's regressors give (n_samples, 1) for a 1-D y.
    assert output.shape == (len(X), n_targets)
    expected = model.predict(X).reshape(len(X), n_targets)
    np.testing.assert_allclose(output, expected, rtol=0, atol=ATOL)


def test_default_options_give_labels_and_a_probability_map():
    """The call of the issue, with skl2onnx's default zipmap output."""
    X, y = classification(3)
    model = make_pipeline(StandardScaler(), DeltaRuleClassifier(**FAST)).fit(X, y)
    onx = skl2onnx.to_onnx(model, X[:1].astype(np.float32))
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    labels, proba_maps = session.run(None, {"X": X})
    np.testing.assert_array_equal(labels, model.predict(X))
    proba = np.array([[row[label] for label in model.classes_] for row in proba_maps])
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=ATOL)


LABEL_KINDS = {
    "strings": np.array(["ant", "bee", "cat"]),
    "negative integers": np.array([-7, 0, 3]),
    "integer-valued floats": np.array([1.0, 2.0, 5.0]),
    "booleans": np.array([False, True]),
}


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("kind", sorted(LABEL_KINDS))
def test_label_kinds(kind, n_classes):
    names = LABEL_KINDS[kind]
    if n_classes > len(names):
        pytest.skip("two booleans make no third class")
    X, y = classification(n_classes)
    model = make_pipeline(StandardScaler(), DeltaRuleClassifier(**FAST))
    model.fit(X, names[y])
    labels, proba_maps = run(model, X)
    np.testing.assert_array_equal(labels, model.predict(X))
    proba = np.array([[row[label] for label in model.classes_] for row in proba_maps])
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=ATOL)


def test_class_index_and_class_label_options():
    X, y = classification(3)
    model = DeltaRuleClassifier(**FAST).fit(X, np.array(["ant", "bee", "cat"])[y])
    options = {id(model): {"zipmap": False, "nocl": True}}
    indices, _ = run(model, X, options)
    np.testing.assert_array_equal(model.classes_[indices], model.predict(X))
    options = {id(model): {"zipmap": False, "output_class_labels": True}}
    labels, _, classes = run(model, X, options)
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_array_equal(classes, model.classes_)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("activation", ["logistic", "relu"])
def test_raw_scores_option_gives_the_decision_function(activation, n_classes):
    X, y = classification(n_classes)
    model = make_pipeline(
        StandardScaler(), DeltaRuleClassifier(activation, **FAST)
    ).fit(X, y)
    options = {id(model[-1]): {"zipmap": False, "raw_scores": True}}
    labels, scores = run(model, X, options)
    np.testing.assert_array_equal(labels, model.predict(X))
    expected = model.decision_function(X)
    if n_classes == 2:
        expected = np.column_stack([-expected, expected])
    np.testing.assert_allclose(scores, expected, rtol=0, atol=ATOL)


@pytest.mark.parametrize("target_opset", [11, 13, 17])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_older_opsets(n_classes, target_opset):
    X, y = classification(n_classes)
    model = make_pipeline(StandardScaler(), DeltaRuleClassifier("tanh", **FAST))
    model.fit(X, y)
    labels, proba = run(model, X, no_zipmap(model), target_opset=target_opset)
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=ATOL)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_models_fitted_in_either_precision(dtype):
    X, y = classification(3)
    classifier = DeltaRuleClassifier("tanh", **FAST).fit(X.astype(dtype), y)
    assert classifier.coef_.dtype == dtype
    assert_classifier_matches(classifier, X, {id(classifier): {"zipmap": False}})
    X, y = regression(2)
    regressor = DeltaRuleRegressor("softplus", **FAST).fit(X.astype(dtype), y)
    (output,) = run(regressor, X)
    np.testing.assert_allclose(output, regressor.predict(X), rtol=0, atol=ATOL)


def test_double_input_computes_in_double():
    X, y = classification(3)
    X = X.astype(np.float64)
    model = make_pipeline(StandardScaler(), DeltaRuleClassifier(**FAST)).fit(X, y)
    # ZipMap takes float only, for scikit-learn's classifiers too.
    labels, proba = run(model, X, no_zipmap(model))
    assert proba.dtype == np.float64
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=1e-12, atol=1e-12)
    X, y = regression(2)
    X = X.astype(np.float64)
    regressor = make_pipeline(StandardScaler(), DeltaRuleRegressor(**FAST)).fit(X, y)
    (output,) = run(regressor, X)
    assert output.dtype == np.float64
    np.testing.assert_allclose(output, regressor.predict(X), rtol=1e-12, atol=1e-12)


def test_integer_input_is_cast():
    X, y = classification(2)
    X = np.round(3 * X).astype(np.int64)
    model = DeltaRuleClassifier(**FAST).fit(X, y)
    labels, proba = run(model, X, {id(model): {"zipmap": False}})
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=0, atol=ATOL)


@pytest.mark.parametrize("fit_intercept", fit_intercept_values())
@pytest.mark.parametrize("estimator", ["classifier", "regressor"])
def test_fit_intercept(estimator, fit_intercept):
    # The default is True: pass the parameter only to turn it off.
    params = FAST if fit_intercept else {**FAST, "fit_intercept": False}
    if estimator == "classifier":
        X, y = classification(3)
        model = DeltaRuleClassifier(**params).fit(X, y)
        assert_classifier_matches(model, X, {id(model): {"zipmap": False}})
    else:
        X, y = regression(2)
        model = DeltaRuleRegressor(**params).fit(X, y)
        (output,) = run(model, X)
        np.testing.assert_allclose(output, model.predict(X), rtol=0, atol=ATOL)
    assert np.any(model.intercept_ != 0) == fit_intercept


@pytest.mark.parametrize("n_classes", [2, 3])
def test_graph_reads_intercept_at_conversion(n_classes):
    """What a model with fit_intercept=False holds: zero intercepts."""
    X, y = classification(n_classes)
    model = DeltaRuleClassifier("relu", **FAST).fit(X, y)
    model.intercept_[:] = 0
    assert_classifier_matches(model, X, {id(model): {"zipmap": False}})


def multilabel_data():
    X, y = classification(3)
    # Two overlapping labels: "class 1 or 2" and "class 2".
    return X, np.column_stack([y > 0, y == 2]).astype(int)


@pytest.mark.parametrize(("activation", "loss"), CLASSIFIER_SETTINGS)
def test_multilabel_classifier(activation, loss):
    X, Y = multilabel_data()
    classifier = DeltaRuleClassifier(activation, loss, **FAST)
    try:
        classifier.fit(X, Y)
    except ValueError:
        pytest.skip("multilabel is not available yet")
    assert classifier.multilabel_
    model = make_pipeline(StandardScaler(), classifier).fit(X, Y)
    assert_classifier_matches(model, X, no_zipmap(model))


@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu"])
def test_multilabel_graph(activation):
    """The multilabel contract, on a model set up by hand: one unit per
    label, an indicator of ``decision > 0`` and the mapped output of each
    unit, unnormalised (as MLPClassifier and its skl2onnx converter)."""
    X, y = classification(3)
    model = DeltaRuleClassifier(activation, **FAST).fit(X, y)
    model.classes_ = np.arange(3)
    model.multilabel_ = True
    labels, proba = run(model, X, {id(model): {"zipmap": False}})
    scores = X @ model.coef_.T + model.intercept_ - model._threshold()
    np.testing.assert_array_equal(labels, (scores > 0).astype(int))
    assert labels.dtype == np.int64 and 0 < labels.mean() < 1
    activation = model._output_activation(3)
    low, high = activation.output_range
    expected = np.clip(
        (activation.function(X @ model.coef_.T + model.intercept_) - low)
        / (high - low),
        0,
        1,
    )
    if activation.is_bounded:
        np.testing.assert_allclose(proba, expected, rtol=0, atol=ATOL)
    else:
        np.testing.assert_allclose(proba, scores, rtol=0, atol=ATOL)


ARCTAN = Activation(
    np.arctan,
    lambda h, output: 1.0 / (1.0 + h**2),
    name="arctan",
    output_range=(-np.pi / 2, np.pi / 2),
    target_values=(-1.0, 1.0),
    inverse=np.tan,
)


@pytest.mark.parametrize("estimator", [DeltaRuleClassifier, DeltaRuleRegressor])
def test_custom_activation_refuses_to_convert(estimator):
    X, y = classification(2)
    model = make_pipeline(StandardScaler(), estimator(ARCTAN, **FAST)).fit(X, y)
    with pytest.raises(ValueError, match=r"custom activation 'arctan'.*built-in"):
        skl2onnx.to_onnx(model, X[:1])


def test_custom_activation_named_like_a_builtin_refuses():
    X, y = classification(2)
    impostor = Activation(np.arctan, lambda h, output: 1.0 / (1.0 + h**2), name="tanh")
    model = DeltaRuleRegressor(impostor, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="custom activation 'tanh'"):
        skl2onnx.to_onnx(model, X[:1])


class HalfSquaredError(SquaredError):
    """A loss of one's own: it shapes training, not prediction."""

    name = "half squared error"

    def value(self, y_true, y_pred):
        return super().value(y_true, y_pred) / 2


def test_custom_loss_converts():
    X, y = regression(2)
    model = DeltaRuleRegressor("tanh", HalfSquaredError(), **FAST).fit(X, y)
    (output,) = run(model, X)
    np.testing.assert_allclose(output, model.predict(X), rtol=0, atol=ATOL)


def test_missing_skl2onnx_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)
    monkeypatch.delitem(sys.modules, "sklearn_delta.onnx")
    with pytest.raises(ImportError, match=r'pip install "\.\[onnx\]"'):
        importlib.import_module("sklearn_delta.onnx")
