"""DeltaRuleRegressor: a single-layer network trained with the delta rule."""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions

from sklearn_delta._activations import ACTIVATIONS, Activation
from sklearn_delta._base import BaseDeltaRule
from sklearn_delta._docstrings import fill_docstring
from sklearn_delta._losses import Loss


@fill_docstring
class DeltaRuleRegressor(RegressorMixin, BaseDeltaRule):
    """Regression with a single-layer neural network and the delta rule.

    Each target gets one output unit ``y^_j = f(sum_i w_ij x_i + b_j)``.
    Training is gradient descent on the squared error: every step moves each
    weight by ``eta * delta_j * x_i`` with the error term
    ``delta_j = (y_j - y^_j) f'(h_j)``, averaged over a batch. With the
    default identity activation this is least-squares linear regression
    (ADALINE) trained by gradient descent.

    Read more in the :ref:`User Guide <delta_rule>`.

    Parameters
    ----------
    activation : {"identity", "logistic", "tanh", "relu", "softplus"} or \
Activation, default="identity"
        The activation f of the output units, or an
        :class:`~sklearn_delta.Activation` carrying your own f and f'.

    loss : {"squared_error"}, default="squared_error"
        The error E that training descends: ``1/2 sum_j (y_j - y^_j)^2``.

    %(training_parameters)s

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The weights w; one row per target when y is 2-D.

    t_ : float
        Training samples seen, each counted with its sample weight (so a
        weight of k counts as k rows). Passed to learning-rate schedules.

    intercept_ : ndarray of shape (n_targets,)
        The biases b (shape (1,) for a 1-D y).

    %(training_attributes)s

    See Also
    --------
    DeltaRuleClassifier : The delta rule for classification.
    sklearn.linear_model.SGDRegressor : Linear models fitted by SGD.
    sklearn.neural_network.MLPRegressor : Multi-layer perceptron regressor.

    References
    ----------
    B. Widrow and M. E. Hoff, "Adaptive switching circuits", IRE WESCON
    Convention Record, 1960.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_delta import DeltaRuleRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), DeltaRuleRegressor(random_state=0))
    >>> model = model.fit(X, y)
    >>> round(model.score(X, y), 2)
    0.52
    """

    _parameter_constraints: dict = {
        **BaseDeltaRule._parameter_constraints,
        "loss": [StrOptions({"squared_error"}), Loss],
    }
    _multi_output = True
    # R^2 is undefined for a single sample.
    _min_validation_samples = 2

    def __init__(
        self,
        activation="identity",
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, coef_init=None, intercept_init=None):
        """Train the network on (X, y) for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 data gives float32 weights.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a weight of k acts as k repeated rows.
        coef_init : ndarray of shape like ``coef_``, default=None
            Initial weights (zeros by default).
        intercept_init : ndarray of shape (n_targets,), default=None
            Initial biases. By default each unit starts where it outputs the
            weighted mean of its targets (the best fit while the weights are
            zero), kept 5% away from the ends of a bounded output range; at
            0 for an Activation without an ``inverse``.

        Returns
        -------
        self : DeltaRuleRegressor
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, coef_init, intercept_init)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch over (X, y), continuing any previous training.

        The first call starts a model as ``fit`` does, with its intercepts
        where the units output the mean target of this first chunk.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Its targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a weight of k acts as k repeated rows.

        Returns
        -------
        self : DeltaRuleRegressor
            The updated estimator.
        """
        return self._partial_fit(X, y, sample_weight)

    def predict(self, X):
        """Predict the targets: the output units' ``f(X w + b)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            The predicted values.
        """
        output = self._output(X)
        return output.ravel() if self.coef_.ndim == 1 else output

    def score(self, X, y, sample_weight=None):
        """The coefficient of determination R^2 of :meth:`predict` on (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Their true values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R^2 (1 is a perfect fit; for several targets, their mean).
        """
        return super().score(X, y, sample_weight=sample_weight)

    def _n_outputs(self, y):
        return 1 if y.ndim == 1 else y.shape[1]

    def _encode_targets(self, y):
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def _wants_1d_coef(self, y):
        return y.ndim == 1

    def _validation_scorer(self, y, sample_weight):
        activation = self._output_activation(None)
        y = y.reshape(-1, 1) if y.ndim == 1 else y

        def score(net_input):
            output = activation.function(net_input)
            if not np.all(np.isfinite(output)):
                return -np.inf
            return r2_score(y, output, sample_weight=sample_weight)

        return score

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        # A unit whose outputs all have one sign (relu, softplus, logistic)
        # cannot fit centred targets, which scikit-learn's checks use: say so,
        # as the tag is meant to. The default identity unit is not affected.
        activation = self.activation
        if isinstance(activation, str):
            activation = ACTIVATIONS.get(activation)  # None for a bad name
        if isinstance(activation, Activation):
            low, high = activation.output_range
            tags.regressor_tags.poor_score = low >= 0 or high <= 0
        return tags
