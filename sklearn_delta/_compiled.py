"""The delta rule compiled with numba: one epoch in one call, dense or CSR.

This is the hot kernel. It computes exactly what the numpy kernel in
``_kernels.py`` computes (same batches, same order, same update), but it
walks the rows itself, so that small batches cost no Python overhead and X
is never copied (a shuffled mini-batch is gathered into a small buffer of
batch_size rows). The numpy kernel stays the reference: the tests compare
the two on every path.

How one batch is processed (both layouts):

1. For each row of the batch, with the weights as they were before the
   batch: net input ``h = x w + b``, output ``f(h)``, error term ``delta``
   (kept in a small (batch_size, n_outputs) buffer) and the row's loss.
2. Then the update ``w <- w (1 - eta alpha) + eta sum_rows x^T delta`` (or
   its momentum form), adding each row's contribution in place.

The kernels take the weights as ``weights`` of shape (n_outputs, n_features),
C-ordered, so that each unit's weights are contiguous like each row of X:
the dot products and updates then run over contiguous memory, which LLVM
vectorises.

Built-in activations and losses are selected by integer codes (numba cannot
call the Python functions of an arbitrary ``Activation``); a custom
activation goes through the numpy kernel instead.

Compiled code is cached on disk (see ``_numba.njit_cached``), so only the
first process that uses a dtype/layout pays the compilation; where no cache
can be written (a read-only installation), each process compiles in memory.
"""

import math

import numpy as np
from llvmlite import binding, ir
from numba import types
from numba.extending import intrinsic

from sklearn_delta._numba import njit_cached

# Codes of the built-in output functions; SOFTMAX couples the units.
IDENTITY, LOGISTIC, TANH, RELU, SOFTPLUS, SOFTMAX = range(6)
SQUARED_ERROR, LOG_LOSS = range(2)

# Reassociation lets LLVM vectorise the dot products; the flags that assume
# no NaN or infinity are left out, because the training loop detects a
# diverging epoch by its non-finite loss.
_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}
# Below this, a sparse kernel's lazy weight scale is folded into the weights.
_MIN_WEIGHT_SCALE = 1e-9
# Shuffled epochs ask the CPU for the rows this many positions ahead (see
# _prefetch); the CSR kernel needs a row's start (indptr) before its data.
PREFETCH_ROWS_AHEAD = 8
PREFETCH_DATA_AHEAD = 4
_CACHE_LINE_BYTES = 64

# LLVM's name for its prefetch intrinsic changed with opaque pointers (15).
_PREFETCH_NAME = (
    "llvm.prefetch.p0" if binding.llvm_version_info[0] >= 15 else "llvm.prefetch.p0i8"
)


@intrinsic
def _prefetch(typingctx, array, index):
    """Hint the CPU to start loading ``array[index]`` into cache; no effect else.

    A shuffled epoch visits rows in random order. Each row's loads miss the
    cache, and because every online step depends on the one before, the CPU
    cannot run far enough ahead to overlap those misses by itself. Asking
    for the rows a few steps ahead hides most of the wait (it halves the
    time of an online CSR epoch). This is LLVM's ``llvm.prefetch`` (read,
    high locality, data cache), which numba does not expose otherwise.
    """
    signature = types.void(array, index)

    def codegen(context, builder, sig, args):
        data = context.make_array(sig.args[0])(context, builder, args[0]).data
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        function_type = ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32])
        try:
            function = builder.module.get_global(_PREFETCH_NAME)
        except KeyError:
            function = ir.Function(builder.module, function_type, _PREFETCH_NAME)
        address = builder.bitcast(builder.gep(data, [args[1]]), byte_pointer)
        # Arguments: read (0), keep in all cache levels (3), data cache (1).
        builder.call(function, [address, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return signature, codegen


@njit_cached(fastmath=_FASTMATH)
def _expit(h):
    if h >= 0:
        return 1.0 / (1.0 + math.exp(-h))
    e = math.exp(h)
    return e / (1.0 + e)


@njit_cached(fastmath=_FASTMATH)
def _error_terms(deltas, r, Y, row, activation, loss, eps):
    """Turn the net inputs in ``deltas[r]`` into error terms, in place, for the
    targets ``Y[row]``; return the row's loss.

    (Rows are passed as (array, index), not as views: making a view per row
    costs more than the arithmetic here.)
    """
    n_outputs = deltas.shape[1]
    row_loss = 0.0
    if activation == SOFTMAX:
        top = deltas[r, 0]
        for j in range(1, n_outputs):
            top = max(top, deltas[r, j])
        total = 0.0
        for j in range(n_outputs):
            deltas[r, j] = math.exp(deltas[r, j] - top)
            total += deltas[r, j]
        for j in range(n_outputs):
            p = deltas[r, j] / total
            y = Y[row, j]
            if y != 0:
                row_loss -= y * math.log(min(max(p, eps), 1.0 - eps))
            deltas[r, j] = y - p
        return row_loss
    for j in range(n_outputs):
        net = deltas[r, j]
        y = Y[row, j]
        if activation == IDENTITY:
            out = net
            slope = 1.0
        elif activation == LOGISTIC:
            out = _expit(net)
            slope = out * (1.0 - out)
        elif activation == TANH:
            out = math.tanh(net)
            slope = 1.0 - out * out
        elif activation == RELU:
            out = max(net, 0.0)
            slope = 1.0 if net >= 0 else 0.0
        else:  # SOFTPLUS: log(1 + e^h) without overflow
            out = max(net, 0.0) + math.log1p(math.exp(-abs(net)))
            slope = _expit(net)
        error = y - out
        if loss == LOG_LOSS:  # logistic unit: f'(h) cancels
            p = min(max(out, eps), 1.0 - eps)
            if y != 0:
                row_loss -= y * math.log(p)
            if y != 1:
                row_loss -= (1.0 - y) * math.log(1.0 - p)
            deltas[r, j] = error
        else:
            row_loss += 0.5 * error * error
            deltas[r, j] = error * slope
    return row_loss


@njit_cached(fastmath=_FASTMATH)
def _row(pos, order):
    return order[pos] if order.shape[0] else pos


@njit_cached(fastmath=_FASTMATH)
def _start_step(
    weights, intercept, weights_velocity, intercept_velocity, deltas, size, rule
):
    """Start a batch's update: decay (alpha) and momentum, before the rows add in.

    Returns the array the rows' ``eta delta x`` are to be added to (the
    weights themselves, or their velocity under momentum), having added the
    intercept's part. ``deltas`` holds the batch's error terms, already
    weighted and multiplied by eta, in its first ``size`` rows.
    Without momentum the caller applies the decay itself (lazily, for CSR).
    """
    eta, alpha, momentum, fit_intercept = rule[0], rule[1], rule[2], rule[4]
    if momentum > 0:
        # v <- momentum v - eta alpha w (+ eta delta x, added by the caller)
        weights_velocity *= momentum
        if alpha > 0:
            weights_velocity -= (eta * alpha) * weights
        intercept_velocity *= momentum
        weights_target, intercept_target = weights_velocity, intercept_velocity
    else:
        weights_target, intercept_target = weights, intercept
    if fit_intercept > 0:
        for r in range(size):
            for j in range(intercept.shape[0]):
                intercept_target[j] += deltas[r, j]
    return weights_target


@njit_cached(fastmath=_FASTMATH)
def _finish_step(weights, intercept, weights_velocity, intercept_velocity, rule):
    """Under momentum the batch's step is the new velocity: w <- w + v."""
    if rule[2] > 0:
        weights += weights_velocity
        intercept += intercept_velocity


@njit_cached(fastmath=_FASTMATH)
def _prefetch_dense_row(X, Y, sample_weight, order, position):
    """Prefetch every cache line of the row at ``order[position]``, if any."""
    if position < order.shape[0]:
        i = order[position]
        flat = X[i]
        for f in range(0, X.shape[1], _CACHE_LINE_BYTES // X.itemsize):
            _prefetch(flat, f)
        _prefetch(Y[i], 0)
        _prefetch(sample_weight, i)


@njit_cached(fastmath=_FASTMATH)
def _gather(X, Y, sample_weight, order, start, size, X_batch, Y_batch, w_batch):
    """Copy the batch's rows, in the order given, into contiguous buffers.

    Random rows of a large X are slow to reach; copying them in one tight
    loop of independent loads lets the CPU fetch many at once, and the two
    passes over the batch then read it from cache. (Explicit element loops:
    numba's slice assignment is several times slower here.)
    """
    for r in range(size):
        i = order[start + r]
        for f in range(X.shape[1]):
            X_batch[r, f] = X[i, f]
        for j in range(Y.shape[1]):
            Y_batch[r, j] = Y[i, j]
        w_batch[r] = sample_weight[i]


@njit_cached(fastmath=_FASTMATH)
def dense_epoch(
    X,
    Y,
    sample_weight,
    order,
    batch_size,
    weights,
    intercept,
    weights_velocity,
    intercept_velocity,
    rule,
    activation,
    loss,
    eps,
):
    """One epoch of the delta rule over a dense C-ordered X.

    ``order`` holds the rows to visit in turn (a permutation when shuffling,
    the training rows when early stopping holds some out), or is empty to
    visit every row as they are. ``rule`` is (eta, alpha, momentum,
    weight_scale, fit_intercept). Returns the sum over the visited rows of
    weight * loss (each taken before its batch's step).
    """
    n_features = X.shape[1]
    n_outputs = weights.shape[0]
    eta, alpha, momentum, weight_scale = rule[0], rule[1], rule[2], rule[3]
    indexed = order.shape[0] > 0  # rows visited by index, in their order
    n_samples = order.shape[0] if indexed else X.shape[0]
    X_buffer = np.empty((batch_size if indexed else 0, n_features), X.dtype)
    Y_buffer = np.empty((batch_size, n_outputs), Y.dtype)
    w_buffer = np.empty(batch_size, sample_weight.dtype)
    deltas = np.empty((batch_size, n_outputs), dtype=weights.dtype)
    epoch_loss = 0.0
    for start in range(0, n_samples, batch_size):
        size = min(batch_size, n_samples - start)
        # The batch is rows first .. first + size of (X_b, Y_b, w_b).
        if indexed and size > 1:
            _gather(
                X, Y, sample_weight, order, start, size, X_buffer, Y_buffer, w_buffer
            )
            X_b, Y_b, w_b, first = X_buffer, Y_buffer, w_buffer, 0
        else:  # contiguous rows, or a single row: read X in place
            X_b, Y_b, w_b = X, Y, sample_weight
            first = order[start] if indexed else start
            if indexed:
                _prefetch_dense_row(
                    X, Y, sample_weight, order, start + PREFETCH_ROWS_AHEAD
                )

        # 1. Error terms of the batch's rows, all from the same weights.
        for r in range(size):
            row = first + r
            for j in range(n_outputs):
                net = intercept[j]
                for f in range(n_features):
                    net += X_b[row, f] * weights[j, f]
                deltas[r, j] = net
            row_loss = _error_terms(deltas, r, Y_b, row, activation, loss, eps)
            epoch_loss += w_b[row] * row_loss
            # Weighted mean over the batch (see the numpy kernel), times eta.
            scale = eta * w_b[row] / (size * weight_scale)
            for j in range(n_outputs):
                deltas[r, j] *= scale

        # 2. The step: decay by alpha, then add eta delta x row by row.
        if momentum == 0 and alpha > 0:
            weights *= 1.0 - eta * alpha
        target = _start_step(
            weights, intercept, weights_velocity, intercept_velocity, deltas, size, rule
        )
        for r in range(size):
            row = first + r
            for j in range(n_outputs):
                step = deltas[r, j]
                for f in range(n_features):
                    target[j, f] += step * X_b[row, f]
        _finish_step(weights, intercept, weights_velocity, intercept_velocity, rule)
    return epoch_loss


@njit_cached(fastmath=_FASTMATH)
def _prefetch_csr_rows(indptr, indices, data, Y, sample_weight, order, position):
    """Prefetch what the rows ahead of ``order[position]`` will need.

    Two stages: a row's start (indptr), target and weight far ahead; its
    entries (data, indices) nearer, once its indptr entry is in cache.
    """
    far = position + PREFETCH_ROWS_AHEAD
    if far < order.shape[0]:
        i = order[far]
        _prefetch(indptr, i)
        _prefetch(Y[i], 0)
        _prefetch(sample_weight, i)
    near = position + PREFETCH_DATA_AHEAD
    if near < order.shape[0]:
        first = indptr[order[near]]
        _prefetch(data, first)
        _prefetch(indices, first)


@njit_cached(fastmath=_FASTMATH)
def csr_epoch(
    data,
    indices,
    indptr,
    Y,
    sample_weight,
    order,
    batch_size,
    weights,
    intercept,
    weights_velocity,
    intercept_velocity,
    rule,
    activation,
    loss,
    eps,
):
    """One epoch of the delta rule over a CSR matrix (data, indices, indptr).

    As :func:`dense_epoch`, but a step touches only the features present in
    the batch. Without momentum the L2 decay is kept lazily, as a scale
    ``wscale`` of the weights (the true weights are ``wscale * weights``), so
    that it costs O(1) per batch instead of O(n_features).
    """
    # The rows visited: those of ``order``, or every row when it is empty.
    n_samples = order.shape[0] if order.shape[0] else indptr.shape[0] - 1
    n_outputs = weights.shape[0]
    eta, alpha, momentum, weight_scale = rule[0], rule[1], rule[2], rule[3]
    lazy = momentum == 0
    wscale = 1.0
    deltas = np.empty((batch_size, n_outputs), dtype=weights.dtype)
    epoch_loss = 0.0
    for start in range(0, n_samples, batch_size):
        size = min(batch_size, n_samples - start)
        for r in range(size):
            i = _row(start + r, order)
            if order.shape[0]:
                _prefetch_csr_rows(
                    indptr, indices, data, Y, sample_weight, order, start + r
                )
            for j in range(n_outputs):
                net = 0.0
                for k in range(indptr[i], indptr[i + 1]):
                    net += data[k] * weights[j, indices[k]]
                deltas[r, j] = wscale * net + intercept[j]
            row_loss = _error_terms(deltas, r, Y, i, activation, loss, eps)
            epoch_loss += sample_weight[i] * row_loss
            scale = eta * sample_weight[i] / (size * weight_scale)
            for j in range(n_outputs):
                deltas[r, j] *= scale
        # The rows add eta delta x to the true weights: divide by wscale.
        row_scale = 1.0
        if lazy and alpha > 0:
            decay = 1.0 - eta * alpha
            if decay > 0:
                wscale *= decay
            else:
                weights *= wscale * decay
                wscale = 1.0
            row_scale = 1.0 / wscale
        target = _start_step(
            weights, intercept, weights_velocity, intercept_velocity, deltas, size, rule
        )
        for r in range(size):
            i = _row(start + r, order)
            for j in range(n_outputs):
                step = row_scale * deltas[r, j]
                for k in range(indptr[i], indptr[i + 1]):
                    target[j, indices[k]] += step * data[k]
        _finish_step(weights, intercept, weights_velocity, intercept_velocity, rule)
        if wscale < _MIN_WEIGHT_SCALE:
            weights *= wscale
            wscale = 1.0
    if wscale != 1.0:
        weights *= wscale
    return epoch_loss
