"""Soak test: stream many rows through partial_fit and watch the memory.

    python benchmarks/soak_partial_fit.py             # 10M rows (about a minute)
    python benchmarks/soak_partial_fit.py --quick     # 1M rows

Chunks are generated on the fly (a fixed linear model plus noise), so the
data never exists in memory as a whole. Every tenth of the stream the
script prints the process's resident memory; a model that keeps nothing
per row stays flat. It ends with the growth from the first report to the
last, and the model's R^2 on a fresh chunk.

Then it checks that a call's cost does not grow with the stream: the median
time of a partial_fit call on a model whose loss curve already holds
1,000,000 entries (what a stream of a million calls leaves), over that of a
model after its first call. The long curve is made by extending the model's
``loss_curve_`` rather than by a million calls, to keep the run short; the
calls see the same state either way.
"""

import argparse
import os
import statistics
import time
import warnings

import numpy as np

from sklearn_delta import DeltaRuleRegressor


def resident_mib():
    """Current resident memory of this process in MiB (Linux), else peak."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def chunks(n_rows, chunk_size, n_features, seed=0):
    rng = np.random.default_rng(seed)
    coef = np.linspace(-1, 1, n_features)
    for start in range(0, n_rows, chunk_size):
        size = min(chunk_size, n_rows - start)
        X = rng.normal(size=(size, n_features))
        yield X, X @ coef + 0.1 * rng.normal(size=size)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1M rows instead of 10M")
    parser.add_argument("--rows", type=int, help="rows to stream (overrides --quick)")
    parser.add_argument("--chunk-size", type=int, default=1_000)
    parser.add_argument("--features", type=int, default=20)
    args = parser.parse_args()
    n_rows = args.rows or (1_000_000 if args.quick else 10_000_000)
    warnings.simplefilter("ignore")

    model = DeltaRuleRegressor(eta0=0.01, random_state=0)
    report_every = max(n_rows // 10, args.chunk_size)
    reports = []
    start = time.perf_counter()
    seen = 0
    print(f"Streaming {n_rows:,} rows in chunks of {args.chunk_size:,}")
    print("| rows seen | resident memory (MiB) | seconds |")
    print("|---|---|---|")
    for X, y in chunks(n_rows, args.chunk_size, args.features):
        model.partial_fit(X, y)
        seen += len(y)
        if seen % report_every < args.chunk_size or seen == n_rows:
            reports.append(resident_mib())
            print(
                f"| {seen:,} | {reports[-1]:.1f} | {time.perf_counter() - start:.1f} |"
            )
    X, y = next(chunks(10_000, 10_000, args.features, seed=1))
    print(
        f"\nmemory growth from first to last report: {reports[-1] - reports[0]:+.1f}"
        f" MiB; partial_fit calls: {model.n_iter_:,}; R^2 on fresh data: "
        f"{model.score(X, y):.4f}"
    )
    report_call_cost(args)


def call_cost_on_a_long_stream(chunk_size, n_features, curve_length, repeats):
    """Median seconds per partial_fit call: (fresh model, long-stream model)."""
    X, y = next(chunks(chunk_size, chunk_size, n_features, seed=2))
    fresh = DeltaRuleRegressor(eta0=0.01, random_state=0).partial_fit(X, y)
    long = DeltaRuleRegressor(eta0=0.01, random_state=0).partial_fit(X, y)
    long.loss_curve_.extend([long.loss_curve_[0]] * curve_length)
    times = {"fresh": [], "long": []}
    for _ in range(repeats):  # interleaved, so that noise hits both alike
        for name, model in (("fresh", fresh), ("long", long)):
            start = time.perf_counter()
            model.partial_fit(X, y)
            times[name].append(time.perf_counter() - start)
    return statistics.median(times["fresh"]), statistics.median(times["long"])


def report_call_cost(args):
    fresh, long = call_cost_on_a_long_stream(
        args.chunk_size, args.features, 1_000_000, repeats=200
    )
    print(
        f"\n| partial_fit call ({args.chunk_size:,} rows) | median ms | ratio |\n"
        "|---|---|---|\n"
        f"| fresh model | {fresh * 1e3:.3f} | 1.00 |\n"
        f"| model with a 1M-entry loss curve | {long * 1e3:.3f} | "
        f"{long / fresh:.2f} |"
    )


if __name__ == "__main__":
    main()
