"""What shuffling blocks of rows saves against single rows, kernel alone.

One batch-256 epoch of the compiled kernel over 100M values of X, in rows of
20 to 200 features, float64 and float32: with the rows in the order
``shuffle=True`` gives (blocks of 10 consecutive rows, 5 for the widest
float64 rows, dealt from every stretch of X), in the order
``shuffle="rows"`` gives (a permutation of single rows), and in their own
order. Each epoch is timed with a fresh order, the three one right after
the other; the table gives the medians over ``--repeats`` and the median
of the paired ratios::

    python benchmarks/bench_shuffle_orders.py             # under a minute
    python benchmarks/bench_shuffle_orders.py --quick     # 10M values

Also printed: the time numpy takes to draw one epoch's order of 1M rows
(a permutation of single rows, and dealt blocks of 10 rows), which a fit
draws in a second thread while the epoch before it trains.

The README quotes its blocks / rows column and the orders' times.
"""

import argparse
import platform
import time

import numpy as np

from sklearn_delta._activations import ACTIVATIONS
from sklearn_delta._kernels import delta_rule_epoch
from sklearn_delta._losses import LOSSES
from sklearn_delta._shuffle import block_rows, epoch_order, row_bytes
from sklearn_delta._training import UpdateRule

BATCH_SIZE = 256
FEATURES = (20, 50, 100, 200)


def epoch_seconds(X, Y, order):
    """Seconds of one linear batch-256 epoch of the kernel in ``order``."""
    n_features, dtype = X.shape[1], X.dtype
    params = (np.zeros((n_features, 1), dtype), np.zeros(1, dtype))
    velocity = (np.zeros((n_features, 1), dtype), np.zeros(1, dtype))
    start = time.perf_counter()
    delta_rule_epoch(
        X,
        Y,
        np.ones(X.shape[0], dtype),
        order,
        BATCH_SIZE,
        params,
        velocity,
        UpdateRule(1e-4, 0.0, 0.0, 1.0, True),
        ACTIVATIONS["identity"],
        LOSSES["squared_error"],
    )
    return time.perf_counter() - start


def bench(n_values, n_features, dtype, repeats):
    """Median seconds of each order, and the median of blocks / rows."""
    n_rows = n_values // n_features
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_rows, n_features)).astype(dtype)
    Y = (X @ rng.standard_normal(n_features)).astype(dtype).reshape(-1, 1)
    block = block_rows(BATCH_SIZE, True, row_bytes(X))
    epoch_seconds(X, Y, None)  # compile, or load the cached kernel
    times = {"blocks": [], "rows": [], "in order": []}
    for repeat in range(repeats):
        draw = np.random.default_rng(repeat)
        times["blocks"].append(
            epoch_seconds(X, Y, epoch_order(n_rows, block, draw, BATCH_SIZE))
        )
        times["rows"].append(epoch_seconds(X, Y, draw.permutation(n_rows)))
        times["in order"].append(epoch_seconds(X, Y, None))
    ratio = np.median(np.array(times["blocks"]) / np.array(times["rows"]))
    return block, {k: float(np.median(v)) for k, v in times.items()}, ratio


def order_seconds(n_rows, repeats):
    """Median seconds to draw one epoch's order of ``n_rows`` rows: single
    rows (a permutation) and dealt blocks of 10 rows."""
    times = {"single rows": [], "blocks of 10 rows": []}
    for repeat in range(repeats):
        draw = np.random.default_rng(repeat)
        start = time.perf_counter()
        draw.permutation(n_rows)
        times["single rows"].append(time.perf_counter() - start)
        start = time.perf_counter()
        epoch_order(n_rows, 10, draw, BATCH_SIZE)
        times["blocks of 10 rows"].append(time.perf_counter() - start)
    return {k: float(np.median(v)) for k, v in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10M values (CI)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    n_values = 10_000_000 if args.quick else 100_000_000
    print(f"# bench_shuffle_orders: {platform.machine()}, batch {BATCH_SIZE}\n")
    if args.quick:
        print("(--quick: X fits in cache and epochs take milliseconds; the")
        print("ratios are noise. Run the full sizes to judge them.)\n")
    print(
        "| X | dtype | block rows | blocks (ms) | rows (ms) | in order (ms) |"
        " blocks / rows |"
    )
    print("|---|---|---|---|---|---|---|")
    for n_features in FEATURES:
        for dtype in (np.float64, np.float32):
            block, ms, ratio = bench(n_values, n_features, dtype, args.repeats)
            print(
                f"| {n_values // n_features} x {n_features} | {dtype.__name__} "
                f"| {block} | {ms['blocks'] * 1e3:.1f} | {ms['rows'] * 1e3:.1f} "
                f"| {ms['in order'] * 1e3:.1f} | {ratio:.2f} |"
            )
    n_rows = 100_000 if args.quick else 1_000_000
    print(f"\n| drawing the order of {n_rows} rows | ms (median) |\n|---|---|")
    for what, seconds in order_seconds(n_rows, args.repeats).items():
        print(f"| {what} | {seconds * 1e3:.1f} |")


if __name__ == "__main__":
    main()
