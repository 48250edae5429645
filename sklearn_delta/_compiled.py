"""The delta rule compiled with numba: one epoch in one call, dense or CSR.

This is the hot kernel. It computes exactly what the numpy kernel in
``_kernels.py`` computes (same batches, same order, same update), but it
walks the rows itself, so that small batches cost no Python overhead and X
is never copied: rows are read in place, in the order given (a shuffled
order of single rows or of blocks of rows, see ``_shuffle.py``), and the
rows ahead are prefetched (by the dense kernels always, by the CSR kernel
where the order jumps). The numpy kernel stays the reference: the tests
compare the two on every path.

How one batch is processed (both layouts):

1. For each row of the batch, with the weights as they were before the
   batch: net input ``h = x w + b``, output ``f(h)``, error term ``delta``
   (kept in a small (batch_size, n_outputs) buffer) and the row's loss.
2. Then the update ``w <- w (1 - eta alpha) + eta sum_rows x^T delta`` (or
   its momentum form), adding each row's contribution in place.

Online steps without momentum have kernels of their own:
:func:`dense_online_epoch` folds step 2 of a row into step 1 of the next
(one pass over the weights per row instead of two), and
:func:`csr_online_epoch` drops the bookkeeping of batches, which costs as
much as a short sparse row's own work.

The kernels take the weights as ``weights`` of shape (n_outputs, n_features),
C-ordered, so that each unit's weights are contiguous like each row of X:
the dot products and updates then run over contiguous memory, which LLVM
vectorises.

Built-in activations and losses are selected by integer codes (numba cannot
call the Python functions of an arbitrary ``Activation``), and the default
unit (identity, squared error) by its own error-term function, which numba
compiles into a kernel of its own (see :func:`_linear_error_terms`); a custom
activation goes through the numpy kernel instead.

The helpers below the epoch functions are inlined into them by numba
(``inline="always"``): a call that passes arrays costs numba some
bookkeeping per call, which online steps pay once per row (a quarter of an
online epoch over 1M x 100, unshuffled).

Compiled code is cached on disk (see ``_numba.njit_cached``), so only the
first process that uses a dtype/layout pays the compilation; where no cache
can be written (a read-only installation), each process compiles in memory.

The epoch functions release the GIL (``nogil=True``): they touch no Python
object, and meanwhile another thread can draw the next epoch's row order
(see ``_shuffle.EpochOrders``), or fit another model.
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
# The dense kernels ask the CPU for the row about this many bytes ahead
# (see _rows_ahead); the CSR kernel for the row PREFETCH_ROWS_AHEAD
# positions ahead, and needs a row's start (indptr) before its data.
PREFETCH_BYTES_AHEAD = 6400
PREFETCH_MIN_ROWS_AHEAD, PREFETCH_MAX_ROWS_AHEAD = 2, 32
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


@njit_cached(fastmath=_FASTMATH, inline="always")
def _expit(h):
    if h >= 0:
        return 1.0 / (1.0 + math.exp(-h))
    e = math.exp(h)
    return e / (1.0 + e)


@njit_cached(fastmath=_FASTMATH, inline="always")
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
def _linear_error_terms(deltas, r, Y, row, activation, loss, eps):
    """:func:`_error_terms` of identity units and the squared error, the
    regressor's default: the error itself.

    Each epoch kernel has an entry point that inlines it with this function
    (``dense_epoch_linear``...): without the branches over every activation
    and loss in the row loop, LLVM keeps the row's values in registers (the
    kernel's online epoch over 1M x 100 float64 went from 67 to 49 ms).

    (The function is not an argument of the entry points: numba caches
    compiled code under the types of the arguments, and a function's type
    in that key never matched in a later process, which then compiled the
    kernel again; see ``tests/test_kernel_cache.py``.)
    """
    row_loss = 0.0
    for j in range(deltas.shape[1]):
        error = Y[row, j] - deltas[r, j]
        row_loss += 0.5 * error * error
        deltas[r, j] = error
    return row_loss


def epoch_kernel(name, activation, loss):
    """The entry point of the epoch kernel ``name`` ("dense_epoch",
    "dense_online_epoch", "csr_epoch" or "csr_online_epoch") for these unit
    codes: the ``_linear`` one for identity units with the squared error."""
    linear = activation == IDENTITY and loss == SQUARED_ERROR
    return globals()[name + "_linear" if linear else name]


@njit_cached(fastmath=_FASTMATH, inline="always")
def _row(position, order):
    """The row visited at ``position``: ``order[position]``, or ``position``
    itself when ``order`` is empty (every row, as they are)."""
    return order[position] if order.shape[0] else position


@njit_cached(fastmath=_FASTMATH, inline="always")
def _jumps(order, position):
    """Whether the row at ``order[position]`` does not follow the one before.

    The CSR kernel prefetches only there: the rows of a CSR matrix vary in
    length, and consecutive ones are read from memory that the CPU's own
    prefetcher already streams in. (The dense kernels prefetch every row,
    see :func:`_prefetch_dense_row`.)
    """
    return position < order.shape[0] and (
        position == 0 or order[position] != order[position - 1] + 1
    )


@njit_cached(fastmath=_FASTMATH, inline="always")
def _start_velocity(weights, velocity, intercept_velocity, rule):
    """Under momentum, start a batch's velocity as ``momentum v - eta alpha w``
    (the rows then add ``eta delta x``). Without momentum the caller decays
    the weights itself (lazily, for CSR).

    (Written as loops, returning nothing: numba's array expressions, and
    functions that return arrays, cost on every call even when the branch
    is not taken; for online steps that was most of the epoch's time.)
    """
    eta, alpha, momentum = rule[0], rule[1], rule[2]
    if momentum > 0:
        for j in range(weights.shape[0]):
            for f in range(weights.shape[1]):
                velocity[j, f] *= momentum
                if alpha > 0:
                    velocity[j, f] -= (eta * alpha) * weights[j, f]
            intercept_velocity[j] *= momentum


@njit_cached(fastmath=_FASTMATH, inline="always")
def _scale(weights, factor):
    """``weights *= factor``, as a loop (see _start_velocity)."""
    for j in range(weights.shape[0]):
        for f in range(weights.shape[1]):
            weights[j, f] *= factor


@njit_cached(fastmath=_FASTMATH, inline="always")
def _add_intercept_steps(intercept, deltas, size, rule):
    """Add the batch's ``eta delta`` to the intercept (or its velocity)."""
    if rule[4] > 0:  # fit_intercept
        for r in range(size):
            for j in range(intercept.shape[0]):
                intercept[j] += deltas[r, j]


@njit_cached(fastmath=_FASTMATH, inline="always")
def _finish_step(weights, intercept, velocity, intercept_velocity, rule):
    """Under momentum the batch's step is the new velocity: w <- w + v."""
    if rule[2] > 0:
        for j in range(weights.shape[0]):
            for f in range(weights.shape[1]):
                weights[j, f] += velocity[j, f]
            intercept[j] += intercept_velocity[j]


@njit_cached(fastmath=_FASTMATH, inline="always")
def _rows_ahead(X):
    """How many rows ahead the dense kernels prefetch: those in about
    ``PREFETCH_BYTES_AHEAD`` bytes (100 cache lines), within
    ``PREFETCH_MIN_ROWS_AHEAD`` and ``PREFETCH_MAX_ROWS_AHEAD`` rows.

    A distance in bytes, not in rows. Measured on 100M values of X,
    shuffled (kernel alone, online / batch-256 epochs):

    - 1M x 100: 8 rows ahead was best for float64, 16 for float32, the
      same 6400 bytes; float32 went from 36 to 27 ms online and from 44 to
      37 ms at batch 256 against a fixed 8 rows;
    - 5M x 20: 16-32 rows, against 8, cut 25-30% (float64 online 170 to
      121 ms);
    - 100k x 1000: 2 to 8 rows were alike, 1 row 10-20% slower.
    """
    row_bytes = max(X.shape[1] * X.itemsize, 1)
    ahead = PREFETCH_BYTES_AHEAD // row_bytes
    return max(PREFETCH_MIN_ROWS_AHEAD, min(PREFETCH_MAX_ROWS_AHEAD, ahead))


@njit_cached(fastmath=_FASTMATH, inline="always")
def _prefetch_dense_row(X, Y, sample_weight, order, position):
    """Prefetch every cache line of the row visited at ``position``.

    Done for every row, in any order: in blocks of consecutive rows, and
    even in order, the CPU's own prefetcher starts too late for a row as
    short as a few hundred bytes.

    (Flat indices into the arrays, not views of a row: making a view costs
    reference counting.)
    """
    i = _row(position, order)
    n_features = X.shape[1]
    for f in range(0, n_features, _CACHE_LINE_BYTES // X.itemsize):
        _prefetch(X, i * n_features + f)
    _prefetch(Y, i * Y.shape[1])
    _prefetch(sample_weight, i)


@njit_cached(fastmath=_FASTMATH, inline="always")
def _dense_epoch(X, rows, params, update, error_terms):
    """One epoch of the delta rule over a dense C-ordered X.

    ``rows`` is (Y, sample_weight, order): ``order`` holds the rows to visit
    in turn (a permutation when shuffling, the training rows when early
    stopping holds some out), or is empty to visit every row as they are.
    ``params`` is (batch_size, weights, intercept, weights_velocity,
    intercept_velocity), updated in place. ``update`` is (rule, activation
    code, loss code, eps), with ``rule`` (eta, alpha, momentum,
    weight_scale, fit_intercept). ``error_terms`` is the function that turns
    a row's net inputs into error terms (see :func:`epoch_kernel`). Returns
    the sum over the visited rows of weight * loss (each taken before its
    batch's step).
    """
    Y, sample_weight, order = rows
    batch_size, weights, intercept, weights_velocity, intercept_velocity = params
    rule, activation, loss, eps = update
    n_features = X.shape[1]
    n_outputs = weights.shape[0]
    eta, weight_scale = rule[0], rule[3]
    n_samples = order.shape[0] if order.shape[0] else X.shape[0]
    # The rows add their steps to the weights, or under momentum to the
    # velocity (chosen once: rebinding an array per batch costs).
    if rule[2] > 0:
        target, intercept_target = weights_velocity, intercept_velocity
    else:
        target, intercept_target = weights, intercept
    deltas = np.empty((batch_size, n_outputs), dtype=weights.dtype)
    ahead = _rows_ahead(X)
    epoch_loss = 0.0
    for start in range(0, n_samples, batch_size):
        size = min(batch_size, n_samples - start)
        # 1. Error terms of the batch's rows, all from the same weights. X is
        # read in place, row by row in the order given.
        for r in range(size):
            row = _row(start + r, order)
            if start + r + ahead < n_samples:
                _prefetch_dense_row(X, Y, sample_weight, order, start + r + ahead)
            for j in range(n_outputs):
                net = intercept[j]
                for f in range(n_features):
                    net += X[row, f] * weights[j, f]
                deltas[r, j] = net
            row_loss = error_terms(deltas, r, Y, row, activation, loss, eps)
            epoch_loss += sample_weight[row] * row_loss
            # Weighted mean over a full batch, times eta: a smaller last
            # batch takes a smaller step (see the numpy kernel).
            scale = eta * sample_weight[row] / (batch_size * weight_scale)
            for j in range(n_outputs):
                deltas[r, j] *= scale

        # 2. The step: decay (or momentum), then add eta delta x row by row;
        # the batch's rows are still in cache from step 1.
        if rule[2] == 0 and rule[1] > 0:
            _scale(weights, 1.0 - eta * rule[1])
        _start_velocity(weights, weights_velocity, intercept_velocity, rule)
        _add_intercept_steps(intercept_target, deltas, size, rule)
        for r in range(size):
            row = _row(start + r, order)
            for j in range(n_outputs):
                step = deltas[r, j]
                for f in range(n_features):
                    target[j, f] += step * X[row, f]
        _finish_step(weights, intercept, weights_velocity, intercept_velocity, rule)
    return epoch_loss


@njit_cached(fastmath=_FASTMATH, nogil=True)
def dense_epoch(X, rows, params, update):
    """:func:`_dense_epoch` for any unit (:func:`_error_terms`)."""
    return _dense_epoch(X, rows, params, update, _error_terms)


@njit_cached(fastmath=_FASTMATH, nogil=True)
def dense_epoch_linear(X, rows, params, update):
    """:func:`_dense_epoch` for identity units and the squared error."""
    return _dense_epoch(X, rows, params, update, _linear_error_terms)


@njit_cached(fastmath=_FASTMATH, inline="always")
def _dense_online_epoch(X, rows, params, update, error_terms):
    """:func:`_dense_epoch` for online steps (batches of one row) without
    momentum: the same steps, in a shorter chain. ``params`` is (weights,
    intercept).

    Each online step waits for the one before: a row's net input needs the
    weights that the previous row's step wrote. Done as two passes over the
    weights (add the step, then take the next dot product), the CPU sits
    idle between them. Here one pass does both: as it adds a row's step to
    each weight, it multiplies the new weight into the next row's net input
    (the kernel's online epoch over 1M x 100 float64 in order went from
    49 to 33 ms, shuffled from 56 to 50 ms).
    """
    Y, sample_weight, order = rows
    weights, intercept = params
    rule, activation, loss, eps = update
    n_features = X.shape[1]
    n_outputs = weights.shape[0]
    eta, alpha, weight_scale = rule[0], rule[1], rule[3]
    n_samples = order.shape[0] if order.shape[0] else X.shape[0]
    deltas = np.empty((1, n_outputs), dtype=weights.dtype)
    ahead = _rows_ahead(X)
    epoch_loss = 0.0
    if n_samples == 0:
        return epoch_loss
    # deltas holds the net inputs of the coming row, then its error terms.
    row = _row(0, order)
    for j in range(n_outputs):
        net = intercept[j]
        for f in range(n_features):
            net += X[row, f] * weights[j, f]
        deltas[0, j] = net
    for position in range(n_samples):
        row = _row(position, order)
        if position + ahead < n_samples:
            _prefetch_dense_row(X, Y, sample_weight, order, position + ahead)
        row_loss = error_terms(deltas, 0, Y, row, activation, loss, eps)
        epoch_loss += sample_weight[row] * row_loss
        scale = eta * sample_weight[row] / (1 * weight_scale)  # as dense_epoch's
        for j in range(n_outputs):
            deltas[0, j] *= scale
        if alpha > 0:
            _scale(weights, 1.0 - eta * alpha)
        _add_intercept_steps(intercept, deltas, 1, rule)
        following = _row(position + 1, order) if position + 1 < n_samples else -1
        for j in range(n_outputs):
            step = deltas[0, j]
            if following < 0:  # the last row: its step alone
                for f in range(n_features):
                    weights[j, f] += step * X[row, f]
                continue
            net = intercept[j]
            for f in range(n_features):
                weight = weights[j, f] + step * X[row, f]
                weights[j, f] = weight
                net += X[following, f] * weight
            deltas[0, j] = net
    return epoch_loss


@njit_cached(fastmath=_FASTMATH, nogil=True)
def dense_online_epoch(X, rows, params, update):
    """:func:`_dense_online_epoch` for any unit (:func:`_error_terms`)."""
    return _dense_online_epoch(X, rows, params, update, _error_terms)


@njit_cached(fastmath=_FASTMATH, nogil=True)
def dense_online_epoch_linear(X, rows, params, update):
    """:func:`_dense_online_epoch` for identity units and the squared error."""
    return _dense_online_epoch(X, rows, params, update, _linear_error_terms)


@njit_cached(fastmath=_FASTMATH, inline="always")
def _prefetch_csr_rows(indptr, indices, data, Y, sample_weight, order, position):
    """Prefetch what the rows ahead of ``order[position]`` will need, where
    the order jumps (see :func:`_jumps`).

    The kernels call it only when there is an order: even when it issues
    nothing, its mere presence in the row loop (a call that may touch
    memory) kept LLVM from optimising the loop, and an online CSR epoch in
    order took twice as long (98 against 43 ns per row of 10 entries).

    Two stages: a row's start (indptr), target and weight far ahead; its
    entries (data, indices) nearer, once its indptr entry is in cache.
    """
    far = position + PREFETCH_ROWS_AHEAD
    if _jumps(order, far):
        i = order[far]
        _prefetch(indptr, i)
        _prefetch(Y, i * Y.shape[1])
        _prefetch(sample_weight, i)
    near = position + PREFETCH_DATA_AHEAD
    if _jumps(order, near):
        first = indptr[order[near]]
        _prefetch(data, first)
        _prefetch(indices, first)


@njit_cached(fastmath=_FASTMATH, inline="always")
def _csr_epoch(csr, rows, params, update, error_terms):
    """One epoch of the delta rule over a CSR matrix ``csr``, (data,
    indices, indptr).

    As :func:`_dense_epoch`, but a step touches only the features present in
    the batch. Without momentum the L2 decay is kept lazily, as a scale
    ``wscale`` of the weights (the true weights are ``wscale * weights``), so
    that it costs O(1) per batch instead of O(n_features).
    """
    data, indices, indptr = csr
    Y, sample_weight, order = rows
    batch_size, weights, intercept, weights_velocity, intercept_velocity = params
    rule, activation, loss, eps = update
    # The rows visited: those of ``order``, or every row when it is empty.
    n_samples = order.shape[0] if order.shape[0] else indptr.shape[0] - 1
    n_outputs = weights.shape[0]
    eta, alpha, momentum, weight_scale = rule[0], rule[1], rule[2], rule[3]
    lazy = momentum == 0
    if lazy:
        target, intercept_target = weights, intercept
    else:
        target, intercept_target = weights_velocity, intercept_velocity
    wscale = 1.0
    deltas = np.empty((batch_size, n_outputs), dtype=weights.dtype)
    epoch_loss = 0.0
    for start in range(0, n_samples, batch_size):
        size = min(batch_size, n_samples - start)
        for r in range(size):
            i = _row(start + r, order)
            if order.shape[0]:  # (see _prefetch_csr_rows)
                _prefetch_csr_rows(
                    indptr, indices, data, Y, sample_weight, order, start + r
                )
            for j in range(n_outputs):
                net = 0.0
                for k in range(indptr[i], indptr[i + 1]):
                    net += data[k] * weights[j, indices[k]]
                deltas[r, j] = wscale * net + intercept[j]
            row_loss = error_terms(deltas, r, Y, i, activation, loss, eps)
            epoch_loss += sample_weight[i] * row_loss
            scale = eta * sample_weight[i] / (batch_size * weight_scale)
            for j in range(n_outputs):
                deltas[r, j] *= scale
        # The rows add eta delta x to the true weights: divide by wscale.
        row_scale = 1.0
        if lazy and alpha > 0:
            decay = 1.0 - eta * alpha
            if decay > 0:
                wscale *= decay
            else:
                _scale(weights, wscale * decay)
                wscale = 1.0
            row_scale = 1.0 / wscale
        _start_velocity(weights, weights_velocity, intercept_velocity, rule)
        _add_intercept_steps(intercept_target, deltas, size, rule)
        for r in range(size):
            i = _row(start + r, order)
            for j in range(n_outputs):
                step = row_scale * deltas[r, j]
                for k in range(indptr[i], indptr[i + 1]):
                    target[j, indices[k]] += step * data[k]
        _finish_step(weights, intercept, weights_velocity, intercept_velocity, rule)
        if wscale < _MIN_WEIGHT_SCALE:
            _scale(weights, wscale)
            wscale = 1.0
    if wscale != 1.0:
        _scale(weights, wscale)
    return epoch_loss


@njit_cached(fastmath=_FASTMATH, nogil=True)
def csr_epoch(csr, rows, params, update):
    """:func:`_csr_epoch` for any unit (:func:`_error_terms`)."""
    return _csr_epoch(csr, rows, params, update, _error_terms)


@njit_cached(fastmath=_FASTMATH, nogil=True)
def csr_epoch_linear(csr, rows, params, update):
    """:func:`_csr_epoch` for identity units and the squared error."""
    return _csr_epoch(csr, rows, params, update, _linear_error_terms)


@njit_cached(fastmath=_FASTMATH, inline="always")
def _csr_online_epoch(csr, rows, params, update, error_terms):
    """:func:`_csr_epoch` for online steps (batches of one row) without
    momentum: the same steps and arithmetic, in a plain loop over rows.
    ``params`` is (weights, intercept).

    A CSR row holds a few entries, so the general kernel's bookkeeping per
    batch (its loops over the rows of a batch, the velocity and step
    helpers) is a good part of an online step: over 200_000 rows of 10
    entries, this kernel takes 105 ns per row shuffled and 41 in order,
    against 121 and 49 for :func:`csr_epoch`.
    """
    data, indices, indptr = csr
    Y, sample_weight, order = rows
    weights, intercept = params
    rule, activation, loss, eps = update
    n_samples = order.shape[0] if order.shape[0] else indptr.shape[0] - 1
    n_outputs = weights.shape[0]
    eta, alpha, weight_scale = rule[0], rule[1], rule[3]
    decay = 1.0 - eta * alpha
    wscale = 1.0  # the lazy L2 decay, as in csr_epoch
    deltas = np.empty((1, n_outputs), dtype=weights.dtype)
    epoch_loss = 0.0
    for position in range(n_samples):
        i = _row(position, order)
        if order.shape[0]:  # (see _prefetch_csr_rows)
            _prefetch_csr_rows(indptr, indices, data, Y, sample_weight, order, position)
        start, end = indptr[i], indptr[i + 1]
        for j in range(n_outputs):
            net = 0.0
            for k in range(start, end):
                net += data[k] * weights[j, indices[k]]
            deltas[0, j] = wscale * net + intercept[j]
        row_loss = error_terms(deltas, 0, Y, i, activation, loss, eps)
        epoch_loss += sample_weight[i] * row_loss
        scale = eta * sample_weight[i] / (1 * weight_scale)  # as csr_epoch's
        for j in range(n_outputs):
            deltas[0, j] *= scale
        row_scale = 1.0
        if alpha > 0:
            if decay > 0:
                wscale *= decay
            else:
                _scale(weights, wscale * decay)
                wscale = 1.0
            row_scale = 1.0 / wscale
        _add_intercept_steps(intercept, deltas, 1, rule)
        for j in range(n_outputs):
            step = row_scale * deltas[0, j]
            for k in range(start, end):
                weights[j, indices[k]] += step * data[k]
        if wscale < _MIN_WEIGHT_SCALE:
            _scale(weights, wscale)
            wscale = 1.0
    if wscale != 1.0:
        _scale(weights, wscale)
    return epoch_loss


@njit_cached(fastmath=_FASTMATH, nogil=True)
def csr_online_epoch(csr, rows, params, update):
    """:func:`_csr_online_epoch` for any unit (:func:`_error_terms`)."""
    return _csr_online_epoch(csr, rows, params, update, _error_terms)


@njit_cached(fastmath=_FASTMATH, nogil=True)
def csr_online_epoch_linear(csr, rows, params, update):
    """:func:`_csr_online_epoch` for identity units and the squared error."""
    return _csr_online_epoch(csr, rows, params, update, _linear_error_terms)
