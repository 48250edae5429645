"""The delta rule itself: one update step over a batch, one pass over the data.

This is the hot path. It works on plain arrays (dense or scipy CSR) and knows
nothing of scikit-learn. Weights are updated in place.

Shapes: ``X`` (n_samples, n_features), ``Y`` (n_samples, n_outputs),
``coef`` (n_features, n_outputs), ``intercept`` (n_outputs,).
"""

import numpy as np

from sklearn_delta._losses import DELTAS, LOSSES


def delta_rule_step(
    X_batch, Y_batch, weight_batch, params, velocity, rule, activation, loss
):
    """Apply the delta rule once to one batch; return its weighted loss.

    For every output unit j and input i (the seed texts' notation)::

        h_j     = sum_i w_ij x_i + b_j          net input
        y^_j    = f(h_j)                        output
        delta_j = (y_j - y^_j) f'(h_j)          error term (squared error)
        w_ij   += eta * delta_j * x_i           the delta rule

    A batch takes the weighted mean of the per-sample steps. The mean divides
    by ``len(batch) * rule.weight_scale`` (the mean sample weight of the
    training data), not by the batch's own weight: a sample of weight k then
    acts as k repeated rows, and a full batch takes the exact weighted mean.

    Parameters
    ----------
    X_batch, Y_batch, weight_batch : arrays of the batch's rows.
    params : (coef, intercept), updated in place.
    velocity : (coef_velocity, intercept_velocity), updated in place; only
        read when ``rule.momentum > 0``.
    rule : UpdateRule, the rate, penalty, momentum and weight scale.
    activation : Activation.
    loss : str, a key of ``LOSSES``.

    Returns
    -------
    batch_loss : float, sum over the batch of weight * per-sample loss.
    """
    coef, intercept = params
    net_input = X_batch @ coef + intercept
    output = activation.function(net_input)
    batch_loss = float(weight_batch @ LOSSES[loss](Y_batch, output))
    delta = DELTAS[loss](Y_batch, output, net_input, activation)

    # Weight each sample's error term, then average over the batch.
    scale = weight_batch / (weight_batch.shape[0] * rule.weight_scale)
    weighted_delta = delta * scale[:, np.newaxis].astype(delta.dtype, copy=False)

    # eta * (X^T delta - alpha * W) is the descent step on E + alpha/2 ||W||^2.
    coef_step = X_batch.T @ weighted_delta
    if rule.alpha:
        coef_step -= rule.alpha * coef
    coef_step *= rule.eta
    intercept_step = rule.eta * weighted_delta.sum(axis=0)

    if rule.momentum:
        # Classical momentum: v <- momentum * v + step; w <- w + v.
        coef_velocity, intercept_velocity = velocity
        coef_velocity *= rule.momentum
        coef_velocity += coef_step
        intercept_velocity *= rule.momentum
        intercept_velocity += intercept_step
        coef_step, intercept_step = coef_velocity, intercept_velocity
    coef += coef_step
    intercept += intercept_step
    return batch_loss


def delta_rule_epoch(
    X, Y, sample_weight, order, batch_size, params, velocity, rule, activation, loss
):
    """Run the delta rule over every batch of one epoch.

    Parameters
    ----------
    order : ndarray of int or None
        The order in which to visit the rows (a permutation when shuffling);
        None visits them as they are, with contiguous slices (no copy).
    batch_size : int
        Rows per step; the last batch may be smaller.

    Other parameters are those of :func:`delta_rule_step`.

    Returns
    -------
    epoch_loss : float, sum over all rows of weight * per-sample loss.
    """
    n_samples = X.shape[0]
    epoch_loss = 0.0
    for start in range(0, n_samples, batch_size):
        if order is None:
            rows = slice(start, start + batch_size)
        else:
            rows = order[start : start + batch_size]
        epoch_loss += delta_rule_step(
            X[rows],
            Y[rows],
            sample_weight[rows],
            params,
            velocity,
            rule,
            activation,
            loss,
        )
    return epoch_loss
