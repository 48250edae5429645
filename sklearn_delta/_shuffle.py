"""The row order of a shuffled epoch: single rows, or blocks of consecutive rows.

A shuffled epoch visits the rows in a fresh random order every epoch:
what stochastic gradient descent asks for, and what every batch size
trains well with, whatever order the data come in.

A random permutation of single rows (``shuffle="rows"``, and online steps
and small batches whatever ``shuffle`` says) is slow for mini-batches on a
large X: each row is a read from a random place in memory, and the CPU
waits for it. Reading short blocks of consecutive rows in a random order
costs less: a batch-256 epoch of the kernel took 13-32% less time in
float64 over three runs of ``benchmarks/bench_shuffle_orders.py`` (rows of
20 to 200 features). float32 gained 7-20% at 20 and 200 features, and
from 8% to -5% at 50 and 100, where its blocks hold 2-4 KiB. So
``shuffle=True`` (the default) visits blocks:

- a block holds at most ``BLOCK_BYTES`` (8 KiB) of rows, and at least one
  row (a single row when two rows take more than 8 KiB);
- a mini-batch draws from at least ``MIN_BLOCKS_PER_BATCH`` (24) blocks, so
  a block holds at most ``batch_size // 24`` rows: 10 for a batch of 256
  (8 KiB of 100 float64 features, 4 KiB of float32 ones), and single rows
  below a batch of 48 (online steps included);
- the blocks are visited in a fresh random order each epoch, and start at
  a fresh random offset each epoch, so that block edges move;
- that order is dealt like cards: X is cut into as many stretches as a
  batch holds blocks, and each batch takes about one block from every
  stretch (:func:`dealt_blocks`).

The dealing is what makes blocks train as well as single rows. On data
sorted by target (or grouped, or in time order) a block's rows are alike.
A batch of blocks drawn anywhere can then land mostly in one part of the
target range, and its gradient is noisier than that of ``batch_size``
single rows: on ``tests/test_shuffle.py``'s noisy data sorted by target,
the test R^2 was 0.93 against 0.96 for single rows. A batch dealt one block
from every stretch spans the whole range, as a batch of single rows does,
and scored the same (0.96), as on data in random and in time order.

Every order is drawn from the generator it is given, so that a fit is
bit-identical for the same seed.

Drawing a permutation of 1M rows takes numpy about 10 ms (random swaps
over 8 MB), 10-20% of a shuffled epoch's time on this much data. So
:class:`EpochOrders` draws each epoch's order in a thread while the epoch
before it runs: the compiled kernels release the GIL, and the order comes
from a generator of its own, seeded with (seed, epoch), which makes it the
same whenever it is drawn.
"""

import itertools
import threading

import numpy as np

BLOCK_BYTES = 8 * 1024
MIN_BLOCKS_PER_BATCH = 24
# Orders of fewer rows are drawn when needed: a thread would cost about as
# much as the order (a permutation of 100_000 rows takes ~1 ms).
DRAW_AHEAD_ROWS = 100_000


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
    shuffle : bool, "rows" or "blocks"
        The estimator's parameter: True (or "blocks") visits blocks,
        False and "rows" single rows.
    bytes_per_row : float
        From :func:`row_bytes`.
    """
    if not shuffle or shuffle == "rows":
        return 1
    by_bytes = int(BLOCK_BYTES // max(bytes_per_row, 1))
    return max(1, min(by_bytes, batch_size // MIN_BLOCKS_PER_BATCH))


def epoch_order(n_rows, block, rng, batch_size=1):
    """A random order of ``range(n_rows)``, ``block`` consecutive rows at a time.

    Parameters
    ----------
    n_rows : int
    block : int
        Rows per block, from :func:`block_rows`; 1 gives
        ``rng.permutation(n_rows)``.
    rng : numpy.random.Generator
    batch_size : int, default=1
        Rows per batch: the blocks are dealt so that each batch takes about
        one block from every stretch of X (see :func:`dealt_blocks`).

    Returns
    -------
    order : ndarray of int of shape (n_rows,)
    """
    block = min(block, n_rows)
    if block == 1:
        return rng.permutation(n_rows)
    offset = int(rng.integers(block))
    n_blocks = -(-n_rows // block)
    blocks_per_batch = -(-batch_size // block)
    # Row positions, the blocks in the order dealt; those >= n_rows pad out
    # the last block, and are dropped below.
    dealt = dealt_blocks(n_blocks, blocks_per_batch, rng)
    order = (dealt[:, None] * block + np.arange(block)).ravel()
    if order.shape[0] != n_rows:
        order = order[order < n_rows]
    # Blocks start at ``offset``: the last one wraps around to row 0.
    order += offset
    order[order >= n_rows] -= n_rows
    return order


def dealt_blocks(n_blocks, stretches, rng):
    """The blocks ``range(n_blocks)`` in a random order, dealt from stretches.

    The blocks are cut into ``stretches`` runs of consecutive blocks (of
    sizes that differ by one at most, the longer ones spread evenly), and
    each run is shuffled. Round r then takes the r-th block of every run,
    the runs in one random order, drawn afresh each epoch: any
    ``stretches`` consecutive blocks of the result, wherever they start,
    come from as many different runs (but for the short last round, which
    holds one block of each longer run).

    Examples
    --------
    >>> import numpy as np
    >>> dealt = dealt_blocks(9, 3, np.random.default_rng(0))
    >>> sorted(dealt.tolist())
    [0, 1, 2, 3, 4, 5, 6, 7, 8]
    >>> [sorted(int(b) // 3 for b in dealt[r : r + 3]) for r in (0, 3, 6)]
    [[0, 1, 2], [0, 1, 2], [0, 1, 2]]
    """
    stretches = max(1, min(stretches, n_blocks))
    bounds = np.arange(stretches + 1) * n_blocks // stretches
    rounds = np.full((-(-n_blocks // stretches), stretches), -1, dtype=np.intp)
    for run, (first, end) in enumerate(itertools.pairwise(bounds)):
        rounds[: end - first, run] = first + rng.permutation(end - first)
    dealt = rounds[:, rng.permutation(stretches)].ravel()
    return dealt[dealt >= 0]  # the short runs' empty places in the last round


def batch_order(n_samples, config, epoch, rows=None):
    """The row order of an epoch: indices of rows, or None (every row, as is).

    ``rows`` are the training rows (None: every one of the ``n_samples``);
    the order visits them only. A shuffled epoch visits short blocks of
    consecutive rows, dealt (``shuffle=True``), or single rows in a random
    order (``"rows"``, or blocks of one row).
    Each epoch's order comes from its own generator seeded with (seed,
    epoch), so a fit is bit-identical for the same seed and partial_fit
    continues the sequence where the previous call stopped. Rows are
    shuffled by index, never by copying X.
    """
    n_rows = n_samples if rows is None else len(rows)
    if not config.shuffle or config.batch_size >= n_rows:
        # A full batch sums over all its rows in any order: no need to shuffle.
        return rows
    rng = np.random.default_rng([config.seed, epoch])
    order = epoch_order(n_rows, config.shuffle_block, rng, config.batch_size)
    return order if rows is None else rows[order]


class EpochOrders:
    """The row orders of one call's epochs (see :func:`batch_order`), each
    drawn in a thread while the epoch before it runs.

    Parameters
    ----------
    n_samples : int
        Rows of X.
    config : TrainingConfig
    rows : ndarray of int or None
        The training rows (None: every row).
    last_epoch : int
        The call runs the epochs before this one: no order is drawn ahead
        beyond it.

    Attributes
    ----------
    n_rows : int
        The rows each epoch visits.
    last_epoch : int
        As given.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> config = SimpleNamespace(shuffle=True, batch_size=1, seed=0, shuffle_block=1)
    >>> orders = EpochOrders(5, config, rows=None, last_epoch=2)
    >>> orders.n_rows, sorted(orders(0).tolist())
    (5, [0, 1, 2, 3, 4])
    >>> bool((orders(1) == orders(1)).all())  # an epoch's order is always the same
    True
    """

    def __init__(self, n_samples, config, rows, last_epoch):
        self.n_rows = n_samples if rows is None else len(rows)
        self._draw = lambda epoch: batch_order(n_samples, config, epoch, rows)
        self.last_epoch = last_epoch
        self._ahead = {}  # epoch -> _Drawing
        self._threaded = (
            config.shuffle
            and config.batch_size < self.n_rows
            and self.n_rows >= DRAW_AHEAD_ROWS
        )

    def __call__(self, epoch):
        """The order of ``epoch``; starts drawing that of the next one.

        (An epoch run again after a divergence, or one not drawn ahead, is
        drawn here and now.)
        """
        drawing = self._ahead.pop(epoch, None)
        order = self._draw(epoch) if drawing is None else drawing.result()
        self._ahead = {}
        if self._threaded and epoch + 1 < self.last_epoch:
            try:
                self._ahead[epoch + 1] = _Drawing(self._draw, epoch + 1)
            except RuntimeError:
                # No thread to be had (a limit on threads, an interpreter
                # shutting down): the orders are drawn when needed.
                self._threaded = False
        return order


class _Drawing(threading.Thread):
    """``draw(epoch)``, run in a thread of its own; :meth:`result` waits for it.

    A daemon thread: one left running by a fit that stopped early, or was
    interrupted, ends with its order, which nothing reads.
    """

    def __init__(self, draw, epoch):
        super().__init__(daemon=True, name=f"sklearn_delta order of epoch {epoch}")
        self._call = lambda: draw(epoch)
        self._order = self._error = None
        self.start()

    def run(self):
        try:
            self._order = self._call()
        except BaseException as error:  # raised again by result()
            self._error = error

    def result(self):
        self.join()
        if self._error is not None:
            raise self._error
        return self._order
