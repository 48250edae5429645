"""Losses: the per-sample error E and the error term delta of the delta rule.

For the squared error ``E = 1/2 sum_j (y_j - y^_j)^2`` the derivative of E
with respect to the net input is ``-(y_j - y^_j) f'(h_j)``, so the error term
is ``delta_j = (y_j - y^_j) f'(h_j)``. For the log loss with a logistic (or
softmax) output the ``f'(h)`` factor cancels and ``delta_j = y_j - y^_j``.

A loss is an object that carries everything the rest of the package needs
to know about it: its value, its error term, its code for the compiled
kernel, the output activation it wants and the activations it accepts. No
code outside this module asks which loss it has.
"""

import numpy as np
from scipy.special import xlogy

from sklearn_delta import _compiled
from sklearn_delta._activations import ACTIVATIONS, SOFTMAX


class Loss:
    """Base class of the losses; subclass it to bring your own.

    Override :meth:`value` and :meth:`delta`. A loss of your own trains
    through the numpy kernel (the compiled kernels know only the built-in
    losses), with any activation unless you override
    :meth:`check_activation`.

    Attributes
    ----------
    name : str
        Shown in messages.
    kernel_code : int or None
        The compiled kernel's code of a built-in loss; None for your own.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_delta import DeltaRuleRegressor, Loss
    >>> class Huber(Loss):
    ...     '''Quadratic near the target, linear beyond ``epsilon``.'''
    ...     name = "huber"
    ...     epsilon = 1.0
    ...     def value(self, y_true, y_pred):
    ...         error = np.abs(y_true - y_pred)
    ...         quadratic = np.minimum(error, self.epsilon)
    ...         linear = error - quadratic
    ...         return np.sum(0.5 * quadratic**2 + self.epsilon * linear, axis=1)
    ...     def delta(self, y_true, y_pred, net_input, activation):
    ...         error = np.clip(y_true - y_pred, -self.epsilon, self.epsilon)
    ...         return error * activation.derivative(net_input, y_pred)
    >>> X = np.linspace(-1, 1, 21).reshape(-1, 1)
    >>> y = 2 * X.ravel()
    >>> y[-1] = 100.0  # an outlier, which the Huber loss shrugs off
    >>> round(float(DeltaRuleRegressor(loss=Huber()).fit(X, y).coef_[0]), 1)
    2.2
    >>> round(float(DeltaRuleRegressor().fit(X, y).coef_[0]), 1)  # squared error
    14.7
    """

    name = "custom"
    kernel_code = None

    def value(self, y_true, y_pred):
        """The loss of each sample, shape (n_samples,).

        Parameters
        ----------
        y_true : ndarray of shape (n_samples, n_outputs)
            The units' targets.
        y_pred : ndarray of shape (n_samples, n_outputs)
            The units' outputs ``f(h)``.
        """
        raise NotImplementedError

    def delta(self, y_true, y_pred, net_input, activation):
        """The error term: minus the derivative of the loss by the net input.

        Parameters
        ----------
        y_true, y_pred : ndarray of shape (n_samples, n_outputs)
        net_input : ndarray of shape (n_samples, n_outputs)
            The net inputs ``h`` that gave ``y_pred``.
        activation : Activation
            The output units' activation (for ``f'(h)``).

        Returns
        -------
        delta : ndarray of shape (n_samples, n_outputs)
        """
        raise NotImplementedError

    def check_activation(self, activation):
        """Raise ValueError if this loss cannot train units of ``activation``."""

    def output_activation(self, activation, n_outputs):
        """The activation the ``n_outputs`` output units use with this loss."""
        return activation

    def for_activation(self, activation):
        """The loss to train units of ``activation`` with: this one, or a
        variant of it for that activation (the softmax's log loss)."""
        return self

    def curvature(self, activation, target_low, target_high):
        """The largest second derivative of the loss by a unit's net input.

        ``eta0="auto"`` divides by it (see the user guide). The base class
        returns 1, the value of the squared error of identity units: override
        it when your loss can be more curved, or pass a number as eta0.
        """
        return 1.0

    def __repr__(self):
        return f"{type(self).__name__}()"


class SquaredError(Loss):
    """``E = 1/2 sum_j (y_j - y^_j)^2``: the delta rule of the textbooks."""

    name = "squared_error"
    kernel_code = _compiled.SQUARED_ERROR

    def value(self, y_true, y_pred):
        return 0.5 * np.sum((y_true - y_pred) ** 2, axis=1)

    def delta(self, y_true, y_pred, net_input, activation):
        return (y_true - y_pred) * activation.derivative(net_input, y_pred)

    def curvature(self, activation, target_low, target_high):
        return activation.squared_error_curvature(target_low, target_high)


class LogLoss(Loss):
    """Cross-entropy of logistic units (binary) or of a softmax (several).

    With these outputs ``f'(h)`` cancels from the error term, which is
    ``delta_j = y_j - y^_j``. Logistic units (a binary problem, or one unit
    per label of a multilabel problem) each add their binary cross-entropy;
    several classes share a softmax and its categorical cross-entropy.
    """

    name = "log_loss"
    kernel_code = _compiled.LOG_LOSS

    def value(self, y_true, y_pred):
        eps = np.finfo(y_pred.dtype).eps
        y_pred = np.clip(y_pred, eps, 1 - eps)
        return -np.sum(xlogy(y_true, y_pred) + xlogy(1 - y_true, 1 - y_pred), axis=1)

    def for_activation(self, activation):
        return _SOFTMAX_LOG_LOSS if activation is SOFTMAX else self

    def delta(self, y_true, y_pred, net_input, activation):
        return y_true - y_pred

    def check_activation(self, activation):
        if activation is not ACTIVATIONS["logistic"]:
            raise ValueError(
                "loss='log_loss' needs activation='logistic' (a softmax for "
                f"several classes); got activation={activation.name!r}. Use "
                "loss='squared_error' with other activations."
            )

    def output_activation(self, activation, n_outputs):
        # Several classes share one softmax; one unit stays logistic.
        if n_outputs is not None and n_outputs > 1:
            return SOFTMAX
        return activation

    def curvature(self, activation, target_low, target_high):
        # p (1 - p) <= 1/4 for a logistic unit; the softmax's Hessian
        # diag(p) - p p^T has no eigenvalue above 1/2.
        return 0.5 if activation is SOFTMAX else 0.25


class _SoftmaxLogLoss(LogLoss):
    """The categorical cross-entropy of a softmax over several classes."""

    def value(self, y_true, y_pred):
        eps = np.finfo(y_pred.dtype).eps
        return -np.sum(xlogy(y_true, np.clip(y_pred, eps, 1 - eps)), axis=1)

    def for_activation(self, activation):
        return self


_SOFTMAX_LOG_LOSS = _SoftmaxLogLoss()
LOSSES = {"squared_error": SquaredError(), "log_loss": LogLoss()}


def get_loss(loss):
    """Return the Loss for a name, or the object itself."""
    if isinstance(loss, str):
        return LOSSES[loss]
    return loss
