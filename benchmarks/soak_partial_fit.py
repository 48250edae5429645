"""Soak test: stream many rows through partial_fit and watch the memory.

    python benchmarks/soak_partial_fit.py             # 10M rows (about a minute)
    python benchmarks/soak_partial_fit.py --quick     # 1M rows

Chunks are generated on the fly (a fixed linear model plus noise), so the
data never exists in memory as a whole. Every tenth of the stream the
script prints the process's resident memory; a model that keeps nothing
per row stays flat. It ends with the growth from the first report to the
last, and the model's R^2 on a fresh chunk.
"""

import argparse
import os
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


if __name__ == "__main__":
    main()
