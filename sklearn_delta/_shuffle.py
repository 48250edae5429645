"""The row order of a shuffled epoch: single rows, or blocks of consecutive rows.

``shuffle=True`` visits the rows in a fresh random permutation every
epoch: what stochastic gradient descent asks for, and what every batch
size trains well with whatever order the data come in.

On a large X it is slow for mini-batches: each row is a read from a random
place in memory, and the CPU waits for it (a batch-256 epoch over 1M x 100
float64 took 2.3-3.0 times numpy's two products over X). Reading blocks of
consecutive rows in a random order costs little more than reading X in
order, as the CPU streams a block's rows in by itself (1.3-2.0 times). So,
with ``shuffle="blocks"``, a mini-batch of ``batch_size`` rows is made of
``BLOCKS_PER_BATCH`` blocks of ``ceil(batch_size / BLOCKS_PER_BATCH)``
consecutive rows, each from a random place of X:

- the blocks are visited in a fresh random order each epoch;
- they start at a fresh random offset each epoch, so that block edges move.

The price: a batch then holds rows from 4 places of X, not from
``batch_size`` places. On data in random order that changes nothing; on
data sorted by target (or grouped, or in time order) each block's rows are
alike, the batch's gradient is noisier, and a fit at a constant rate can
end measurably worse (``tests/test_shuffle.py`` and ``bench_fit.py`` show
both). That is why it is not the default. Online steps (``batch_size=1``)
are single rows either way.

Every order is drawn from the generator it is given, so that a fit is
bit-identical for the same seed.
"""

import numpy as np

BLOCKS_PER_BATCH = 4


def block_rows(batch_size, shuffle):
    """The rows per block of the shuffled epochs; 1 for single rows."""
    if shuffle != "blocks":
        return 1
    return -(-batch_size // BLOCKS_PER_BATCH)


def epoch_order(n_rows, block, rng):
    """A random order of ``range(n_rows)``, ``block`` consecutive rows at a time.

    Parameters
    ----------
    n_rows : int
    block : int
        Rows per block, from :func:`block_rows`, at most ``n_rows``; 1
        gives ``rng.permutation(n_rows)``.
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
