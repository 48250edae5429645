"""The delta rule itself: one update step over a batch, one pass over the data.

This is the hot path. It works on plain arrays (dense or scipy CSR) and knows
nothing of scikit-learn. Weights are updated in place.

Training can take one of two roads:

- the compiled kernels of ``_compiled.py`` for mini-batches and online
  steps with built-in activations and losses (dense or CSR);
- the numpy code below for a full batch, which is two matrix products (BLAS
  does them best on dense data, scipy on CSR, and nothing needs compiling,
  so a first fit does not wait for numba), and for custom activations or
  losses, which are Python code that only numpy can call.

:func:`delta_rule_epoch` picks the road. The numpy code is also the
reference the compiled kernels are tested against.

Shapes: ``X`` (n_samples, n_features), ``Y`` (n_samples, n_outputs),
``coef`` (n_features, n_outputs), ``intercept`` (n_outputs,).
"""

import numpy as np
import scipy.sparse as sp

from sklearn_delta import _compiled
from sklearn_delta._rows import block_size, blocks


def delta_rule_step(
    X, Y, sample_weight, rows, params, velocity, rule, activation, loss, batch_size=None
):
    """Apply the delta rule once to the batch ``rows``; return its weighted loss.

    For every output unit j and input i (the seed texts' notation)::

        h_j     = sum_i w_ij x_i + b_j          net input
        y^_j    = f(h_j)                        output
        delta_j = (y_j - y^_j) f'(h_j)          error term (squared error)
        w_ij   += eta * delta_j * x_i           the delta rule

    A batch takes the weighted mean of the per-sample steps. The mean divides
    by ``batch_size * rule.weight_scale`` (the mean sample weight of the
    training data), not by the batch's own weight: a sample of weight k then
    acts as k repeated rows, and a full batch takes the exact weighted mean.

    ``batch_size`` is that of the epoch's full batches, not the rows of this
    one: the last batch of an epoch, when it is smaller, takes a step as much
    smaller, and every row of the epoch weighs the same. (A full-size step
    from the few rows of a last batch is as noisy as a batch of those few
    rows, and it is the step a fit ends on: at batch 256, a last batch of 32
    rows took the test R^2 of ``tests/test_shuffle.py``'s noisy data from
    0.95-0.98 to 0.67-0.92 over 5 seeds.)

    Parameters
    ----------
    X, Y, sample_weight : the training data's arrays.
    rows : slice or ndarray of int
        The batch: a slice of rows, or their indices (read a block at a
        time, see :func:`rows_sums`).
    params : (coef, intercept), updated in place.
    velocity : (coef_velocity, intercept_velocity), updated in place; only
        read when ``rule.momentum > 0``.
    rule : UpdateRule, the rate, penalty, momentum and weight scale.
    activation : Activation.
    loss : Loss.
    batch_size : int, default=None
        The rows of a full batch of the epoch; None: those of this batch.

    Returns
    -------
    batch_loss : float, sum over the batch of weight * per-sample loss.
    """
    *sums, batch_loss = rows_sums(X, Y, sample_weight, rows, params, activation, loss)
    if batch_size is None:
        batch_size = (
            len(range(X.shape[0])[rows]) if isinstance(rows, slice) else len(rows)
        )
    apply_step(params, velocity, sums, batch_size, rule)
    return batch_loss


def rows_sums(X, Y, sample_weight, rows, params, activation, loss):
    """:func:`batch_sums` of the batch ``rows`` of (X, Y, sample_weight).

    A slice of a dense X is a view. Indexed rows are copied a block at a
    time (see ``_rows.py``): a large batch of scattered rows (a full batch
    of the training rows, when early stopping holds some out) then never
    copies X, and a mini-batch is a single block, ``X[rows]``.
    """
    if isinstance(rows, slice) and rows == slice(None):
        # Every row: X as it is (slicing a CSR X would copy it).
        return batch_sums(X, Y, sample_weight, params, activation, loss)
    if isinstance(rows, slice):
        return batch_sums(
            X[rows], Y[rows], sample_weight[rows], params, activation, loss
        )
    total = None
    for piece in blocks(rows, block_size(X)):
        part = batch_sums(
            X[piece], Y[piece], sample_weight[piece], params, activation, loss
        )
        # Adding to the first part (not to 0) keeps a single block's sums
        # exactly as they are, signs of zeros included.
        total = part if total is None else [a + b for a, b in zip(total, part)]
    return total


def batch_sums(X_batch, Y_batch, weight_batch, params, activation, loss):
    """The sums over a batch that its step needs, from the current weights.

    Returns ``X^T (w * delta)`` (n_features, n_outputs), ``sum(w * delta)``
    (n_outputs,) and ``sum(w * loss)``, with w the sample weights. Sums over
    the parts of a batch add up to the sums over the whole: this is what
    lets a full batch be computed block by block on several machines
    (:mod:`sklearn_delta.dask`).
    """
    coef, intercept = params
    net_input = X_batch @ coef + intercept
    output = activation.function(net_input)
    batch_loss = float(weight_batch @ loss.value(Y_batch, output))
    delta = loss.delta(Y_batch, output, net_input, activation)
    weighted_delta = delta * weight_batch[:, np.newaxis].astype(delta.dtype, copy=False)
    return X_batch.T @ weighted_delta, weighted_delta.sum(axis=0), batch_loss


def apply_step(params, velocity, sums, n_rows, rule):
    """Update the weights in place from a batch's sums (see :func:`batch_sums`).

    The step is the weighted sum over the batch divided by ``n_rows`` (the
    rows of a full batch, see :func:`delta_rule_step`), times
    eta, with the L2 term and, when asked for, classical momentum.
    """
    coef, intercept = params
    coef_sum, intercept_sum = sums
    mean = 1.0 / (n_rows * rule.weight_scale)
    # eta * (X^T delta - alpha * W) is the descent step on E + alpha/2 ||W||^2.
    coef_step = coef_sum * mean
    if rule.alpha:
        coef_step -= rule.alpha * coef
    coef_step *= rule.eta
    intercept_step = (rule.eta * mean) * intercept_sum
    if not rule.fit_intercept:
        intercept_step[...] = 0.0

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


def delta_rule_epoch(
    X,
    Y,
    sample_weight,
    order,
    batch_size,
    params,
    velocity,
    rule,
    activation,
    loss,
    *,
    compiled=True,
):
    """Run the delta rule over every batch of one epoch.

    Parameters
    ----------
    order : ndarray of int or None
        The rows to visit, in turn: a permutation when shuffling, the
        training rows when early stopping holds rows out (or a permutation
        of them). None visits every row as they are, with contiguous slices
        (no copy).
    batch_size : int
        Rows per step. The last batch may be smaller: its step is then as
        much smaller (see :func:`delta_rule_step`).
    compiled : bool, default=True
        Use the compiled kernel where it applies; False forces numpy.

    Other parameters are those of :func:`delta_rule_step`.

    Returns
    -------
    epoch_loss : float, sum over the visited rows of weight * per-sample loss.
    """
    n_rows = X.shape[0] if order is None else len(order)
    codes = (activation.kernel_code, loss.kernel_code)
    if compiled and None not in codes and batch_size < n_rows:
        return _compiled_epoch(
            X, Y, sample_weight, order, batch_size, params, velocity, rule, codes
        )
    if batch_size >= n_rows:
        # A full batch: two matrix products over X as it is (BLAS, or scipy's
        # sparse product for CSR), with no slice of it and nothing to compile;
        # over the training rows only, a block of them at a time.
        rows = slice(None) if order is None else order
        return delta_rule_step(
            X, Y, sample_weight, rows, params, velocity, rule, activation, loss
        )
    return _numpy_epoch(
        X, Y, sample_weight, order, batch_size, params, velocity, rule, activation, loss
    )


def _numpy_epoch(
    X, Y, sample_weight, order, batch_size, params, velocity, rule, activation, loss
):
    """The batches of one epoch, one :func:`delta_rule_step` each."""
    epoch_loss = 0.0
    n_rows = X.shape[0] if order is None else len(order)
    for start in range(0, n_rows, batch_size):
        if order is None:
            rows = slice(start, start + batch_size)
        else:
            rows = order[start : start + batch_size]
        epoch_loss += delta_rule_step(
            X,
            Y,
            sample_weight,
            rows,
            params,
            velocity,
            rule,
            activation,
            loss,
            batch_size,
        )
    return epoch_loss


def _compiled_epoch(
    X, Y, sample_weight, order, batch_size, params, velocity, rule, codes
):
    """Run one epoch in the compiled kernel; update params and velocity in place.

    The kernel wants each unit's weights contiguous, (n_outputs, n_features):
    the small weight arrays are transposed in and out, X is never copied.
    numba checks no bounds: every shape the kernel relies on is checked here.
    """
    _check_kernel_arguments(X, Y, sample_weight, order, params, velocity)
    weights, weights_velocity = (
        np.ascontiguousarray(array.T) for array in (params[0], velocity[0])
    )
    rows = (
        np.ascontiguousarray(Y),
        np.ascontiguousarray(sample_weight),
        np.empty(0, np.intp) if order is None else order,
    )
    update = (
        np.array(
            [rule.eta, rule.alpha, rule.momentum, rule.weight_scale, rule.fit_intercept]
        ),
        *codes,
        float(np.finfo(weights.dtype).eps),
    )
    online = batch_size == 1 and rule.momentum == 0
    sparse = sp.issparse(X)
    name = ("csr_" if sparse else "dense_") + ("online_" if online else "") + "epoch"
    units = (weights, params[1])
    if not online:
        units = (batch_size, *units, weights_velocity, velocity[1])
    data = (X.data, X.indices, X.indptr) if sparse else X
    epoch_loss = _compiled.epoch_kernel(name, *codes)(data, rows, units, update)
    params[0][...] = weights.T
    velocity[0][...] = weights_velocity.T
    return epoch_loss


def _check_kernel_arguments(X, Y, sample_weight, order, params, velocity):
    """Raise unless the arrays fit together as the compiled kernels assume.

    The data were validated on the way in (a CSR matrix's indices too, see
    ``_data.check_sparse_structure``) and the weights when the model was
    resumed; this last check costs O(1), except for the row order.
    """
    n_samples, n_features = X.shape
    if not (sp.issparse(X) or X.flags.c_contiguous):
        # A copy here would be made every epoch: the estimators copy other
        # layouts once, when they read the data.
        raise ValueError(
            "The compiled kernel needs a C-ordered X; convert it once before "
            "training (np.ascontiguousarray), not every epoch."
        )
    coef, intercept = params
    n_outputs = intercept.shape[0]
    expected = {
        "Y": (Y.shape, (n_samples, n_outputs)),
        "sample_weight": (sample_weight.shape, (n_samples,)),
        "coef": (coef.shape, (n_features, n_outputs)),
        "coef velocity": (velocity[0].shape, (n_features, n_outputs)),
        "intercept velocity": (velocity[1].shape, (n_outputs,)),
    }
    for name, (shape, wanted) in expected.items():
        if shape != wanted:
            raise ValueError(f"{name} has shape {shape}; the kernel needs {wanted}.")
    if (
        order is not None
        and len(order)
        and (order.min() < 0 or order.max() >= n_samples)
    ):
        raise ValueError("The row order points outside X.")
