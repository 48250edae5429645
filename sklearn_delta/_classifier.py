"""DeltaRuleClassifier: the delta rule with target encoding and a decision."""

import numpy as np
from scipy.optimize import brentq
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
)

from sklearn_delta._activations import SOFTMAX
from sklearn_delta._base import BaseDeltaRule
from sklearn_delta._data import ALL_ZERO_WEIGHTS, has_missing
from sklearn_delta._docstrings import fill_docstring
from sklearn_delta._losses import Loss


def _has_probabilities(estimator):
    """predict_proba needs an output with finite bounds to map onto [0, 1]."""
    if estimator._output_activation(None).is_bounded:
        return True
    raise AttributeError(
        "predict_proba is only available for activations with a bounded "
        "output range (such as 'logistic' or 'tanh') or loss='log_loss'; "
        f"got activation={estimator.activation!r}."
    )


def _decision_threshold(activation):
    """The net input h at which f(h) is halfway between the target values.

    It is 0 for the logistic, tanh and identity activations; for others
    (relu, softplus, your own) it is found numerically, assuming f rises.
    """
    negative, positive = activation.target_values
    midpoint = (negative + positive) / 2

    def gap(net_input):
        return float(activation.function(np.array([[net_input]]))[0, 0] - midpoint)

    if gap(0.0) == 0.0:
        return 0.0
    width = 1.0
    while gap(-width) * gap(width) > 0:
        width *= 2
        if width > 1e6:
            raise ValueError(
                f"The activation {activation.name!r} never reaches the midpoint "
                f"{midpoint} of its target values {activation.target_values}; "
                "give it target_values inside its output range."
            )
    return brentq(gap, -width, width)


@fill_docstring
class DeltaRuleClassifier(ClassifierMixin, BaseDeltaRule):
    """Classification with a single-layer neural network and the delta rule.

    Binary problems get one output unit, multiclass problems one unit per
    class. The targets are encoded in the activation's output range ({0, 1}
    for logistic, {-1, 1} for tanh and identity) and the units are trained
    with the delta rule ``w_ij += eta * delta_j * x_i``, where
    ``delta_j = (y_j - y^_j) f'(h_j)`` for the squared error, or
    ``delta_j = y_j - y^_j`` for the log loss with a logistic (binary) or
    softmax (multiclass) output.

    Read more in the :ref:`User Guide <delta_rule>`.

    Parameters
    ----------
    activation : {"logistic", "tanh", "identity", "relu", "softplus"} or \
Activation, default="logistic"
        The activation f of the output units, or an
        :class:`~sklearn_delta.Activation` carrying your own f and f'.

    loss : {"squared_error", "log_loss"}, default="squared_error"
        The error E that training descends. "squared_error" is the delta
        rule of the textbooks. "log_loss" (cross-entropy) needs
        ``activation="logistic"``; with more than two classes the units then
        share a softmax.

    %(training_parameters)s

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``: a dict
        ``{label: weight}``, or "balanced" for ``n_samples / (n_classes *
        np.bincount(y))``. "balanced" needs the whole data, so ``partial_fit``
        refuses it; pass a dict computed with
        :func:`sklearn.utils.class_weight.compute_class_weight` instead.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels; for multilabel targets ``arange(n_labels)``, as
        MLPClassifier has them.

    multilabel_ : bool
        Whether the model was fitted on multilabel targets (a 2-D indicator
        y): ``predict`` then returns an indicator matrix, ``predict_proba``
        one probability per label, and ``loss="log_loss"`` is a binary
        cross-entropy per label.

    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        The weights w: one row for a binary problem, else one per class.

    t_ : float
        Training samples seen, each counted with its sample weight (so a
        weight of k counts as k rows). Passed to learning-rate schedules.

    intercept_ : ndarray of shape (1,) or (n_classes,)
        The biases b.

    %(training_attributes)s

    See Also
    --------
    DeltaRuleRegressor : The delta rule for regression.
    sklearn.linear_model.SGDClassifier : Linear models fitted by SGD.
    sklearn.linear_model.Perceptron : The perceptron learning rule.
    sklearn.neural_network.MLPClassifier : Multi-layer perceptron classifier.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_delta import DeltaRuleClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), DeltaRuleClassifier(random_state=0))
    >>> model = model.fit(X, y)
    >>> round(model.score(X, y), 2)
    0.96
    >>> model.predict_proba(X[:1]).round(2)
    array([[0.9, 0.1, 0. ]])
    """

    _parameter_constraints: dict = {
        **BaseDeltaRule._parameter_constraints,
        "loss": [StrOptions({"squared_error", "log_loss"}), Loss],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _multi_output = False

    def __init__(
        self,
        activation="logistic",
        loss="squared_error",
        *,
        learning_rate="constant",
        eta0="auto",
        power_t=0.5,
        batch_size="full",
        max_iter=10_000,
        tol=2e-6,
        n_iter_no_change=5,
        early_stopping=False,
        validation_fraction=0.1,
        alpha=0.0,
        momentum=0.0,
        fit_intercept=True,
        shuffle=True,
        random_state=None,
        warm_start=False,
        verbose=0,
        record_weights=False,
        class_weight=None,
    ):
        super().__init__(
            activation,
            loss,
            learning_rate=learning_rate,
            eta0=eta0,
            power_t=power_t,
            batch_size=batch_size,
            max_iter=max_iter,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            alpha=alpha,
            momentum=momentum,
            fit_intercept=fit_intercept,
            shuffle=shuffle,
            random_state=random_state,
            warm_start=warm_start,
            verbose=verbose,
            record_weights=record_weights,
        )
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, coef_init=None, intercept_init=None):
        """Train the network on (X, y) for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data gives float32 weights.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (numbers or strings), or a 0/1 indicator matrix for
            multilabel classification (one logistic unit per label).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, multiplied by ``class_weight``; a weight of
            k acts as k repeated rows.
        coef_init : ndarray of shape like ``coef_``, default=None
            Initial weights (zeros by default).
        intercept_init : ndarray of shape like ``intercept_``, default=None
            Initial biases. By default each unit starts where it outputs the
            weighted mean of its targets (the best fit while the weights are
            zero), kept 5% away from the ends of a bounded output range; at
            0 for an Activation without an ``inverse``.

        Returns
        -------
        self : DeltaRuleClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, coef_init, intercept_init)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch over (X, y), continuing any previous training.

        The first call starts a model as ``fit`` does, with its intercepts
        where the units output the mean target of this first chunk.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,)
            Its class labels; all must be in ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever occur. Required on the first call
            (the chunk may not show them all), optional afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a weight of k acts as k repeated rows.

        Returns
        -------
        self : DeltaRuleClassifier
            The updated estimator.
        """
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' needs the whole training data, which "
                "partial_fit never sees. Pass a dict instead, e.g. computed "
                "once with sklearn.utils.class_weight.compute_class_weight."
            )
        return self._partial_fit(X, y, sample_weight, classes=classes)

    def decision_function(self, X):
        """The net input of the units, shifted so that 0 is the threshold.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            ``h - h0``, where ``h0`` is the net input at which f(h) lies
            halfway between the target values (0 for logistic, tanh and
            identity). Positive scores of a binary problem mean
            ``classes_[1]``; otherwise the largest score wins.
        """
        scores = self._net_input(X) - self._threshold()
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted classes.
        """
        return self._decide(self.decision_function(X))

    @available_if(_has_probabilities)
    def predict_proba(self, X):
        """Class probabilities from the units' outputs.

        Each output ``f(h)`` is mapped linearly from the activation's output
        range onto [0, 1]; with several classes the rows are normalised to
        sum to 1 (softmax outputs already do).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.
        """
        output = self._output(X)
        low, high = self._output_activation(output.shape[1]).output_range
        proba = np.clip((output - low) / (high - low), 0.0, 1.0)
        if self.multilabel_:
            return proba  # one probability per label, as MLPClassifier
        if proba.shape[1] == 1:
            return np.hstack([1.0 - proba, proba])
        totals = proba.sum(axis=1, keepdims=True)
        uniform = np.full_like(proba, 1.0 / proba.shape[1])
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(totals > 0, proba / totals, uniform)

    @available_if(_has_probabilities)
    def predict_log_proba(self, X):
        """The logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of ``classes_``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    # -- hooks of BaseDeltaRule ---------------------------------------------

    def _threshold(self):
        activation = self._output_activation(len(self.classes_))
        if activation is SOFTMAX:
            # The units compete through the softmax: the largest h wins.
            return 0.0
        return _decision_threshold(activation)

    def _decide(self, scores):
        if self.multilabel_:
            return (scores > 0).astype(int)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def score(self, X, y, sample_weight=None):
        """The mean accuracy of :meth:`predict` on (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            Their true labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The (weighted) share of samples predicted right.
        """
        return super().score(X, y, sample_weight=sample_weight)

    def _learn_classes(self, labels, *, reset, partial, classes, warm):
        if np.ndim(labels) == 2:
            self._learn_labels(labels, reset=reset or not hasattr(self, "classes_"))
            return
        if reset or not hasattr(self, "classes_"):
            self.multilabel_ = False
        elif self.multilabel_:
            raise ValueError(
                "This model was fitted on multilabel targets (a 2-D indicator "
                "matrix); y must be one too, with one column per label."
            )
        _check_label_types(labels)
        check_classification_targets(labels)
        if partial:
            if classes is not None and has_missing(classes):
                raise ValueError(
                    "classes holds a missing value (NaN or None): pass every "
                    "class label, with no missing ones."
                )
            try:
                _check_partial_fit_first_call(self, classes)
            except ValueError as error:
                if "not the same as on last call" not in str(error):
                    raise
                raise ValueError(
                    f"{error}. The classes are fixed by the first partial_fit "
                    "call; pass the same classes (or none) afterwards, or fit a "
                    "new estimator to change them."
                ) from error
        elif reset:
            self.classes_ = np.unique(labels)
        if warm and not np.array_equal(np.unique(labels), self.classes_):
            raise ValueError(
                f"warm_start continues a model of the classes "
                f"{self.classes_.tolist()}, but y has the classes "
                f"{np.unique(labels).tolist()}. Set warm_start=False to fit a new "
                "model."
            )
        unseen = np.setdiff1d(labels, self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen.tolist()} that are not in classes_ "
                f"{self.classes_.tolist()}. Pass every label in `classes` on the "
                "first partial_fit call, or fit a new model."
            )
        if len(self.classes_) < 2:
            raise ValueError(
                "The classifier needs samples of at least 2 classes in the "
                f"data; got 1 class ({self.classes_[0]!r})."
            )

    def _learn_labels(self, Y, *, reset):
        """Multilabel targets: a 0/1 indicator matrix, one unit per label (as
        MLPClassifier, ``classes_`` is then ``arange(n_labels)``)."""
        kind = type_of_target(Y)
        if kind != "multilabel-indicator" or not np.isin(np.unique(Y), [0, 1]).all():
            raise ValueError(
                "A 2-D y must be a multilabel indicator matrix of 0 and 1, one "
                f"column per label; got {kind!r} targets. Pass 1-D "
                "labels for a binary or multiclass problem."
            )
        if reset:
            self.multilabel_ = True
            self.classes_ = np.arange(Y.shape[1])
        elif not self.multilabel_ or Y.shape[1] != len(self.classes_):
            raise ValueError(
                f"y has {Y.shape[1]} label columns, but this model was fitted on "
                f"{'labels' if not self.multilabel_ else len(self.classes_)} "
                f"{'' if not self.multilabel_ else 'label columns'}. Fit a new "
                "model to change the targets."
            )
        if self.class_weight is not None:
            raise ValueError(
                "class_weight is not defined for multilabel targets (each sample "
                "has several labels); pass sample_weight instead."
            )

    def _n_outputs(self, y):
        n_classes = len(self.classes_)
        return 1 if n_classes == 2 and not self.multilabel_ else n_classes

    def _output_activation(self, n_outputs):
        # Each label of a multilabel problem is a unit of its own: no softmax.
        if getattr(self, "multilabel_", False):
            n_outputs = 1
        return super()._output_activation(n_outputs)

    def _encode_targets(self, y):
        n_classes = len(self.classes_)
        negative, positive = self._output_activation(n_classes).target_values
        if self.multilabel_:
            return np.where(np.asarray(y) == 1, positive, negative)
        class_index = np.searchsorted(self.classes_, y)
        if n_classes == 2:
            return np.where(class_index == 1, positive, negative)[:, np.newaxis]
        Y = np.full((len(y), n_classes), negative)
        Y[np.arange(len(y)), class_index] = positive
        return Y

    def _starting_targets(self, Y, sample_weight, partial):
        if self.multilabel_:
            return Y, sample_weight
        # A first partial_fit chunk that lacks some of the named classes
        # would start the units at its own class shares, near the ends of
        # their range where f'(h) is small: start neutral between the named
        # classes instead (one encoded row per class, equal weights). A fit
        # always has every class.
        classes = self._encode_targets(self.classes_).astype(Y.dtype)
        if not partial or len(np.unique(Y, axis=0)) == len(classes):
            return Y, sample_weight
        return classes, np.ones(len(classes), dtype=Y.dtype)

    def _class_sample_weight(self, y, sample_weight, source):
        if self.class_weight is None:
            return sample_weight
        classes = self.classes_
        if self.class_weight == "balanced":
            counts = source.class_counts(y, classes)
            if not counts.all():
                raise ValueError(
                    "class_weight='balanced' needs samples of every class; y has "
                    f"none of {classes[counts == 0].tolist()}. Pass a dict, or "
                    "include every class."
                )
            # n_samples / (n_classes * count), as scikit-learn's
            # compute_class_weight.
            per_class = counts.sum() / (len(classes) * counts.astype(np.float64))
        else:
            per_class = _dict_class_weights(self.class_weight, classes)
        if not np.all(np.isfinite(per_class)) or np.any(per_class < 0):
            raise ValueError(
                "class_weight must give every class a finite, non-negative "
                f"weight; got {self.class_weight!r}."
            )
        if not np.any(per_class):
            raise ValueError(ALL_ZERO_WEIGHTS)
        per_class = per_class.astype(sample_weight.dtype)
        return source.map_rows(
            lambda weights, labels: (
                weights * per_class[np.searchsorted(classes, labels)]
            ),
            sample_weight,
            y,
            dtype=sample_weight.dtype,
        )

    def _stratify(self, y):
        return None if self.multilabel_ else y

    def _validation_scorer(self, y, sample_weight):
        def score(net_input):
            net_input = net_input - self._threshold()
            if net_input.shape[1] == 1:
                net_input = net_input.ravel()
            return accuracy_score(
                y, self._decide(net_input), sample_weight=sample_weight
            )

        return score

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


def _dict_class_weights(class_weight, classes):
    """The weight of each of ``classes`` from a ``{label: weight}`` dict.

    Classes missing from the dict weigh 1. As scikit-learn's
    ``compute_class_weight``, a dict that leaves classes out must name only
    classes.
    """
    try:
        per_class = np.array(
            [class_weight.get(label, 1.0) for label in classes], dtype=np.float64
        )
    except (TypeError, ValueError) as error:
        raise ValueError(
            "class_weight must give every class a finite, non-negative weight; "
            f"got {class_weight!r}."
        ) from error
    missing = [label for label in classes if label not in class_weight]
    unknown = [key for key in class_weight if key not in set(classes.tolist())]
    if missing and unknown:
        raise ValueError(
            f"class_weight has keys {unknown} that are not classes of y "
            f"{classes.tolist()}. Use the labels of y as keys."
        )
    return per_class


def _check_label_types(labels):
    """Name labels that mix strings and numbers, which cannot be ordered."""
    if np.asarray(labels).dtype != object:
        return
    kinds = {
        "strings" if isinstance(label, str) else type(label).__name__
        for label in labels
    }
    if "strings" in kinds and len(kinds) > 1:
        raise ValueError(
            f"y mixes labels of different types ({', '.join(sorted(kinds))}). "
            "Convert them all to strings (e.g. y.astype(str)) or all to numbers."
        )
