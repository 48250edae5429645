"""The row order of a shuffled epoch: single rows, or blocks of consecutive rows.

``shuffle=True`` visits the rows in a fresh random permutation every
epoch: what stochastic gradient descent asks for, and what every batch
size trains well with, whatever order the data come in.

On a large X it is slow for mini-batches: each row is a read from a random
place in memory, and the CPU waits for it. Reading short blocks of
consecutive rows in a random order costs little more than reading X in
order. So, with ``shuffle="blocks"``, a shuffled epoch visits blocks:

- a block holds about ``BLOCK_BYTES`` (8 KiB) of rows: 10 rows of 100
  float64 features, 20 of 100 float32 ones, a single row when a row is
  larger;
- a mini-batch draws from at least ``MIN_BLOCKS_PER_BATCH`` (24) blocks, so
  a block holds at most ``batch_size // 24`` rows: 10 for a batch of 256,
  and single rows below a batch of 48 (online steps included);
- the blocks are visited in a fresh random order each epoch, and start at
  a fresh random offset each epoch, so that block edges move.

The price: a batch holds rows from 24 or more places of X instead of
``batch_size`` places. On data in random order that changes nothing. On
data sorted by target (or grouped, or in time order) a block's rows are
alike, the batch's gradient is noisier, and a fit at a constant rate can
end measurably worse (``tests/test_shuffle.py`` and ``bench_fit.py`` show
both). Smaller blocks narrow the gap but do not close it, which is why
single rows stay the default.

Every order is drawn from the generator it is given, so that a fit is
bit-identical for the same seed.
"""

import numpy as np

BLOCK_BYTES = 8 * 1024
MIN_BLOCKS_PER_BATCH = 24


def row_bytes(X):
    """The bytes of one row of X (dense), or of its entries on average (CSR)."""
    if hasattr(X, "indptr"):
        return (X.data.nbytes + X.indices.nbytes) / max(X.shape[0], 1)
    return X.shape[1] * X.dtype.itemsize


def block_rows(batch_size, shuffle, bytes_per_row):
    """The rows per block of the shuffled epochs; 1 for single rows.

    Parameters
    ----------
    batch_size : int
    shuffle : bool or "blocks"
        The estimator's parameter: only "blocks" visits blocks.
    bytes_per_row : float
        From :func:`row_bytes`.
    """
    if shuffle != "blocks":
        return 1
    by_bytes = int(BLOCK_BYTES // max(bytes_per_row, 1))
    return max(1, min(by_bytes, batch_size // MIN_BLOCKS_PER_BATCH))


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
    block = min(block, n_rows)
    if block == 1:
        return rng.permutation(n_rows)
    offset = int(rng.integers(block))
    n_blocks = -(-n_rows // block)
    # Row positions, the blocks in a random order; those >= n_rows pad out
    # the last block, and are dropped below.
    order = (rng.permutation(n_blocks)[:, None] * block + np.arange(block)).ravel()
    if order.shape[0] != n_rows:
        order = order[order < n_rows]
    # Blocks start at ``offset``: the last one wraps around to row 0.
    order += offset
    order[order >= n_rows] -= n_rows
    return order
