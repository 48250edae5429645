"""The row order of a shuffled epoch: blocks of consecutive rows, or single rows.

A fresh random permutation of single rows every epoch is what stochastic
gradient descent asks for, but on a large X it is slow for mini-batches:
each row is a read from a random place in memory, and the CPU waits for it
(a batch-256 epoch over 1M x 100 float64 took 2.3 times the time of an
epoch in order). Reading blocks of consecutive rows in a random order costs
little more than reading X in order, as the CPU streams a block's rows in
by itself. So, with ``shuffle=True``, a mini-batch of ``batch_size`` rows is
made of ``BLOCKS_PER_BATCH`` blocks of ``ceil(batch_size / BLOCKS_PER_BATCH)``
consecutive rows, each from a random place of X:

- the blocks are visited in a fresh random order each epoch;
- they start at a fresh random offset each epoch, so that block edges move;
- each block is in one batch only, so consecutive batches share no block:
  data sorted by target, or in time order, still trains as with single rows
  (``tests/test_shuffle.py`` checks this over 5 seeds).

Single rows are shuffled instead when the blocks would be small (under
``MIN_BLOCK_BYTES``: online steps and small batches, whose cost is in the
arithmetic more than in memory), when the training rows of X take at most
``SMALL_BYTES`` (they are then in the CPU's caches anyway) and, whatever
the size, with ``shuffle="rows"``.

Every order is drawn from the generator it is given, so that a fit is
bit-identical for the same seed.
"""

import numpy as np
import scipy.sparse as sp

BLOCKS_PER_BATCH = 4
# A block is worth reading as one when it spans a few pages of memory.
MIN_BLOCK_BYTES = 1 << 14
# Training rows of at most this many bytes are shuffled row by row.
SMALL_BYTES = 1 << 23


def row_bytes(X):
    """The bytes one row of X takes (on average, for CSR)."""
    if sp.issparse(X):
        per_row = X.nnz / max(X.shape[0], 1)
        return per_row * (X.data.itemsize + X.indices.itemsize) + X.indptr.itemsize
    return X.shape[1] * X.dtype.itemsize


def block_rows(X, n_rows, batch_size, shuffle):
    """The rows per block of the shuffled epochs of ``n_rows`` rows of X;
    1 for a permutation of single rows."""
    rows = -(-batch_size // BLOCKS_PER_BATCH)
    if (
        shuffle == "rows"
        or n_rows * row_bytes(X) <= SMALL_BYTES
        or rows * row_bytes(X) < MIN_BLOCK_BYTES
    ):
        return 1
    return rows


def epoch_order(n_rows, block, rng):
    """A random order of ``range(n_rows)``, ``block`` consecutive rows at a time.

    Parameters
    ----------
    n_rows : int
    block : int
        Rows per block, from :func:`block_rows`; 1 gives
        ``rng.permutation(n_rows)``.
    rng : numpy.random.Generator

    Returns
    -------
    order : ndarray of int of shape (n_rows,)
    """
    if block == 1:
        return rng.permutation(n_rows)
    offset = int(rng.integers(block))
    n_blocks = -(-n_rows // block)
    # Row positions, a block per line; those >= n_rows pad out the last
    # block, and are dropped below.
    grid = np.arange(n_blocks * block).reshape(n_blocks, block)
    order = grid[rng.permutation(n_blocks)].ravel()
    if order.shape[0] != n_rows:
        order = order[order < n_rows]
    # Blocks start at ``offset``: the last one wraps around to row 0.
    order += offset
    order[order >= n_rows] -= n_rows
    return order
