"""Reading some of X's rows without copying X: a block of rows at a time.

Early stopping holds rows out by their indices, and ``eta0="auto"`` reads
evenly spaced rows: both work on a subset of the rows of X. ``X[rows]``
would copy the whole subset (0.9x X for a training set); here the rows are
read in blocks of at most ``BLOCK_BYTES``, each block's copy freed before
the next is made. A ``range`` of rows (all rows, or every k-th) is read as
slices, which are views of a dense X: no copy at all.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import safe_sparse_dot

# Small enough to be nothing next to X, and to stay in the CPU's L2 cache
# between the two products a block goes through (X_B w, then X_B^T delta);
# large enough that each product is still one efficient BLAS call.
BLOCK_BYTES = 1 << 18


def block_size(X, itemsize=None, budget=BLOCK_BYTES):
    """The number of rows of X in a block of ``budget`` bytes (at least 1),
    for values of ``itemsize`` bytes (None: X's own; blocks cast to float64
    say 8)."""
    itemsize = itemsize or X.dtype.itemsize
    if sp.issparse(X):
        stored = X.nnz / max(X.shape[0], 1)  # entries per row, on average
        row_bytes = stored * (itemsize + X.indices.itemsize)
    else:
        row_bytes = X.shape[1] * itemsize
    return max(1, int(budget // max(row_bytes, 1)))


def blocks(rows, size):
    """Split ``rows`` into pieces of ``size`` rows, each an index for ``X[piece]``.

    Parameters
    ----------
    rows : range or ndarray of int
        A range gives slices (views of a dense X), an array sub-arrays (so
        that ``X[piece]`` copies that block's rows only).
    size : int

    Yields
    ------
    piece : slice or ndarray of int
    """
    for start in range(0, len(rows), size):
        yield as_index(rows[start : start + size])


def as_index(rows):
    """``rows`` as an index of X: a range as a slice (a view), else as is."""
    if isinstance(rows, range):
        return slice(rows.start, rows.stop, rows.step)
    return rows


def net_input(X, coef, intercept, rows=None):
    """``X[rows] @ coef + intercept`` (every row for None), without copying X.

    Returns
    -------
    net_input : ndarray of shape (len(rows), n_outputs)
    """
    if rows is None:
        return safe_sparse_dot(X, coef) + intercept
    dtype = np.result_type(X.dtype, coef.dtype, intercept.dtype)
    result = np.empty((len(rows), coef.shape[1]), dtype=dtype)
    size = block_size(X)
    for start, piece in zip(range(0, len(rows), size), blocks(rows, size)):
        result[start : start + size] = safe_sparse_dot(X[piece], coef) + intercept
    return result
