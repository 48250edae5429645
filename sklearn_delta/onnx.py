"""Export the estimators to ONNX with skl2onnx.

Needs ``pip install ".[onnx]"`` (skl2onnx, and onnxruntime to run the
exported models).

Importing this module registers a shape calculator and a converter for
:class:`~sklearn_delta.DeltaRuleRegressor` and
:class:`~sklearn_delta.DeltaRuleClassifier` with skl2onnx, so that
``skl2onnx.to_onnx`` converts them, alone or inside a Pipeline, as it
converts scikit-learn's own ``SGDClassifier`` or ``MLPRegressor``. The graph
computes exactly what ``predict`` and ``predict_proba`` compute:

- the net input ``h = X w + b`` (a MatMul and an Add, from ``coef_`` and
  ``intercept_``, so ``fit_intercept=False`` models convert as they are);
- the output units' activation: Identity, Sigmoid, Tanh, Relu, Softplus,
  or a Softmax for ``loss="log_loss"`` with several classes;
- for the classifier, the labels from the decision ``h - threshold`` (the
  threshold of ``decision_function``), and the probabilities: ``f(h)``
  mapped from the activation's output range onto [0, 1], clipped, and
  normalised over the classes. Multilabel models (``multilabel_``) give an
  indicator matrix and one probability per label, as ``MLPClassifier``
  does.

Both outputs follow skl2onnx's conventions for classifiers: integer labels
come out as int64, strings as strings; the probabilities as a list of
dictionaries (the ``zipmap`` option; pass ``options={id(model): {"zipmap":
False}}`` for a plain matrix); ``raw_scores=True`` gives the decision
function in their place (a binary problem's as the two columns ``[-s,
s]``, as for ``SGDClassifier``). A classifier whose activation has no
bounded output range (identity, relu, softplus) has no ``predict_proba``:
its second output is always the decision function, as it is for an
``SGDClassifier`` with the hinge loss. A regressor's output has shape
(n_samples, n_targets), (n_samples, 1) for a 1-D y. Float input computes in
float32, double input in float64.

Only the built-in activations have an ONNX form: a model with an
:class:`~sklearn_delta.Activation` of your own refuses to convert, with a
ValueError that names it.

Examples
--------
>>> import numpy as np
>>> import onnxruntime
>>> import skl2onnx
>>> from sklearn.datasets import load_iris
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> import sklearn_delta.onnx  # registers the converters
>>> from sklearn_delta import DeltaRuleClassifier
>>> X, y = load_iris(return_X_y=True)
>>> X = X.astype(np.float32)
>>> model = make_pipeline(StandardScaler(), DeltaRuleClassifier(random_state=0))
>>> model = model.fit(X, y)
>>> onx = skl2onnx.to_onnx(
...     model, X[:1], options={id(model[-1]): {"zipmap": False}})
>>> session = onnxruntime.InferenceSession(
...     onx.SerializeToString(), providers=["CPUExecutionProvider"])
>>> labels, proba = session.run(None, {"X": X})
>>> bool(np.all(labels == model.predict(X)))
True
>>> bool(np.allclose(proba, model.predict_proba(X), atol=1e-5))
True
"""

import numpy as np

try:
    from skl2onnx import update_registered_converter
    from skl2onnx.algebra.onnx_ops import (
        OnnxAdd,
        OnnxArgMax,
        OnnxCast,
        OnnxConcat,
        OnnxDiv,
        OnnxGather,
        OnnxGreater,
        OnnxIdentity,
        OnnxMatMul,
        OnnxMax,
        OnnxMin,
        OnnxNeg,
        OnnxReduceSumApi11,
        OnnxRelu,
        OnnxReshape,
        OnnxSigmoid,
        OnnxSoftmax,
        OnnxSoftplus,
        OnnxSub,
        OnnxTanh,
        OnnxWhere,
    )
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        guess_numpy_type,
    )
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )
    from skl2onnx.common.utils_classifier import get_label_classes
    from skl2onnx.proto import onnx_proto
except ImportError as error:  # pragma: no cover - exercised without skl2onnx
    raise ImportError(
        'sklearn_delta.onnx needs skl2onnx: pip install ".[onnx]" from a clone '
        "of sklearn_delta (skl2onnx, and onnxruntime to run the models)."
    ) from error

from sklearn.utils.validation import check_is_fitted

from sklearn_delta._activations import ACTIVATIONS, SOFTMAX, get_activation
from sklearn_delta._classifier import DeltaRuleClassifier
from sklearn_delta._regressor import DeltaRuleRegressor

__all__ = []

# The ONNX operator of each built-in activation, by the Activation object
# (not its name: an Activation of your own may be called "tanh").
_ONNX_ACTIVATIONS = {
    id(ACTIVATIONS["identity"]): OnnxIdentity,
    id(ACTIVATIONS["logistic"]): OnnxSigmoid,
    id(ACTIVATIONS["tanh"]): OnnxTanh,
    id(ACTIVATIONS["relu"]): OnnxRelu,
    id(ACTIVATIONS["softplus"]): OnnxSoftplus,
    id(SOFTMAX): OnnxSoftmax,
}

_CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [True, False],
    "output_class_labels": [False, True],
    "raw_scores": [True, False],
}


# -- what the model is -----------------------------------------------------


def _is_multilabel(model):
    """True for a classifier fitted on a 2-D indicator y (as skl2onnx reads
    it: its shape calculator looks at the same attribute)."""
    return bool(getattr(model, "multilabel_", False))


def _unit_activation(model):
    """The activation of the fitted model's output units, if ONNX has it."""
    check_is_fitted(model)
    if _is_multilabel(model):
        # Every label has a unit of its own; they never share a softmax.
        activation = get_activation(model.activation)
    else:
        activation = model._output_activation(len(model.intercept_))
    if id(activation) not in _ONNX_ACTIVATIONS:
        names = ", ".join(repr(name) for name in ACTIVATIONS)
        raise ValueError(
            f"Cannot convert {type(model).__name__} with the custom activation "
            f"{activation.name!r} to ONNX: only the built-in activations "
            f"({names}) have an ONNX form. Refit with one of them, or write a "
            "skl2onnx converter for your function "
            "(skl2onnx.update_registered_converter)."
        )
    return activation


def _compute_dtype(input_variable):
    """float64 for double input; float32 for float, integer or bool input."""
    return (
        np.float64
        if guess_numpy_type(input_variable.type) == np.float64
        else np.float32
    )


# -- the parts of the graph -------------------------------------------------


def _as_float(input_variable, opv):
    """The input as it is when it holds floats or doubles, else cast to float
    (as skl2onnx's linear models treat integer and boolean input)."""
    if isinstance(input_variable.type, (FloatTensorType, DoubleTensorType)):
        return input_variable
    return OnnxCast(input_variable, to=onnx_proto.TensorProto.FLOAT, op_version=opv)


def _net_input(X, model, dtype, opv):
    """h = X w + b, shaped (n_samples, n_units)."""
    coef, intercept = model._unit_params()  # (n_features, n_units), (n_units,)
    return OnnxAdd(
        OnnxMatMul(X, coef.astype(dtype), op_version=opv),
        intercept.astype(dtype),
        op_version=opv,
    )


def _activate(net_input, activation, opv):
    """f(h), elementwise (a softmax over the units of each row)."""
    operator = _ONNX_ACTIVATIONS[id(activation)]
    if activation is SOFTMAX:
        return operator(net_input, axis=1, op_version=opv)
    return operator(net_input, op_version=opv)


def _decision(net_input, model, dtype, opv):
    """h - threshold, as decision_function: positive means the unit says yes."""
    threshold = float(model._threshold())
    if threshold == 0.0:
        return net_input
    return OnnxSub(net_input, np.array([threshold], dtype=dtype), op_version=opv)


def _both_columns(scores, dtype, opv):
    """[1 - p, p] for a binary problem's probability p."""
    return OnnxConcat(
        OnnxSub(np.array([1], dtype=dtype), scores, op_version=opv),
        scores,
        axis=1,
        op_version=opv,
    )


def _probabilities(output, activation, n_units, multilabel, dtype, opv):
    """predict_proba: f(h) mapped from the output range onto [0, 1], clipped;
    [1 - p, p] for one unit, else each row normalised to sum 1 (uniform where
    it sums to 0); one column per label, as they are, for multilabel."""
    low, high = activation.output_range
    proba = output
    if (low, high) != (0.0, 1.0):
        proba = OnnxDiv(
            OnnxSub(proba, np.array([low], dtype=dtype), op_version=opv),
            np.array([high - low], dtype=dtype),
            op_version=opv,
        )
        proba = OnnxMax(
            OnnxMin(proba, np.array([1], dtype=dtype), op_version=opv),
            np.array([0], dtype=dtype),
            op_version=opv,
        )
    if multilabel:
        return proba
    if n_units == 1:
        return _both_columns(proba, dtype, opv)
    totals = OnnxReduceSumApi11(proba, axes=[1], keepdims=1, op_version=opv)
    return OnnxWhere(
        OnnxGreater(totals, np.array([0], dtype=dtype), op_version=opv),
        OnnxDiv(proba, totals, op_version=opv),
        np.array([1 / n_units], dtype=dtype),
        op_version=opv,
    )


def _raw_scores(scores, n_units, multilabel, opv):
    """The decision function; [-s, s] for one unit, as skl2onnx's linear
    classifiers give it."""
    if multilabel or n_units > 1:
        return scores
    return OnnxConcat(OnnxNeg(scores, op_version=opv), scores, axis=1, op_version=opv)


def _label_constants(classes):
    """The class labels as ONNX holds them: int64 for numbers (scikit-learn
    takes only integer-valued floats as classes), else strings."""
    if classes.dtype.kind in "biuf":
        return classes.astype(np.int64)
    return np.array([str(label) for label in classes])


def _labels(scores, classes, n_units, multilabel, dtype, opv):
    """predict: a positive score means classes_[1] (one unit), else the
    largest score wins; for multilabel, the 0/1 indicator of the scores > 0."""
    if multilabel:
        positive = OnnxGreater(scores, np.array([0], dtype=dtype), op_version=opv)
        return OnnxCast(positive, to=onnx_proto.TensorProto.INT64, op_version=opv)
    if n_units == 1:
        index = OnnxCast(
            OnnxGreater(scores, np.array([0], dtype=dtype), op_version=opv),
            to=onnx_proto.TensorProto.INT64,
            op_version=opv,
        )
    else:
        index = OnnxArgMax(scores, axis=1, keepdims=1, op_version=opv)
    return OnnxReshape(
        OnnxGather(_label_constants(classes), index, axis=0, op_version=opv),
        np.array([-1], dtype=np.int64),
        op_version=opv,
    )


# -- the shape calculators and converters skl2onnx calls --------------------


def _regressor_shapes(operator):
    _unit_activation(operator.raw_operator)
    calculate_linear_regressor_output_shapes(operator)


def _classifier_shapes(operator):
    _unit_activation(operator.raw_operator)
    calculate_linear_classifier_output_shapes(operator)


def _convert_regressor(scope, operator, container):
    model, opv = operator.raw_operator, container.target_opset
    dtype = _compute_dtype(operator.inputs[0])
    X = _as_float(operator.inputs[0], opv)
    output = _activate(_net_input(X, model, dtype, opv), _unit_activation(model), opv)
    OnnxIdentity(output, op_version=opv, output_names=operator.outputs[:1]).add_to(
        scope, container
    )


def _convert_classifier(scope, operator, container):
    model, opv = operator.raw_operator, container.target_opset
    dtype = _compute_dtype(operator.inputs[0])
    activation = _unit_activation(model)
    multilabel = _is_multilabel(model)
    n_units = len(model.intercept_)
    X = _as_float(operator.inputs[0], opv)
    net_input = _net_input(X, model, dtype, opv)
    scores = _decision(net_input, model, dtype, opv)
    options = container.get_options(model, {"raw_scores": False})
    if activation.is_bounded and not options["raw_scores"]:
        second = _probabilities(
            _activate(net_input, activation, opv),
            activation,
            n_units,
            multilabel,
            dtype,
            opv,
        )
    else:
        second = _raw_scores(scores, n_units, multilabel, opv)
    classes = get_label_classes(scope, model)
    labels = _labels(scores, classes, n_units, multilabel, dtype, opv)
    OnnxIdentity(labels, op_version=opv, output_names=operator.outputs[:1]).add_to(
        scope, container
    )
    OnnxIdentity(second, op_version=opv, output_names=operator.outputs[1:2]).add_to(
        scope, container
    )


update_registered_converter(
    DeltaRuleRegressor,
    "SklearnDeltaRuleRegressor",
    _regressor_shapes,
    _convert_regressor,
)
update_registered_converter(
    DeltaRuleClassifier,
    "SklearnDeltaRuleClassifier",
    _classifier_shapes,
    _convert_classifier,
    options=_CLASSIFIER_OPTIONS,
)
