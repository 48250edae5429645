"""Losses: the per-sample error E and the error term delta of the delta rule.

For the squared error ``E = 1/2 sum_j (y_j - y^_j)^2`` the derivative of E
with respect to the net input is ``-(y_j - y^_j) f'(h_j)``, so the error term
is ``delta_j = (y_j - y^_j) f'(h_j)``. For the log loss with a logistic (or
softmax) output the ``f'(h)`` factor cancels and ``delta_j = y_j - y^_j``.
"""

import numpy as np
from scipy.special import xlogy


def squared_error(y_true, y_pred):
    """Per-sample loss ``1/2 sum_j (y_j - y^_j)^2``, shape (n_samples,)."""
    return 0.5 * np.sum((y_true - y_pred) ** 2, axis=1)


def squared_error_delta(y_true, y_pred, net_input, activation):
    """Error term ``(y - y^) f'(h)`` of the squared error."""
    return (y_true - y_pred) * activation.derivative(net_input, y_pred)


def log_loss(y_true, y_pred):
    """Per-sample cross-entropy, shape (n_samples,).

    One column is a binary problem (a logistic unit); several columns are
    one-hot targets against softmax probabilities.
    """
    eps = np.finfo(y_pred.dtype).eps
    y_pred = np.clip(y_pred, eps, 1 - eps)
    if y_pred.shape[1] == 1:
        return -(xlogy(y_true, y_pred) + xlogy(1 - y_true, 1 - y_pred))[:, 0]
    return -np.sum(xlogy(y_true, y_pred), axis=1)


def log_loss_delta(y_true, y_pred, net_input, activation):
    """Error term ``y - y^`` of the log loss: f'(h) cancels."""
    return y_true - y_pred


LOSSES = {"squared_error": squared_error, "log_loss": log_loss}
DELTAS = {"squared_error": squared_error_delta, "log_loss": log_loss_delta}
