"""Data-parallel full-batch training on a dask cluster, with little memory.

    python benchmarks/bench_dask_full_batch.py            # 600 MB of X
    python benchmarks/bench_dask_full_batch.py --quick    # 60 MB of X

Starts a LocalCluster of two worker processes on 127.0.0.1, each limited to
``--memory-limit`` (512 MiB by default), and a dask array X larger than one
worker's limit, spread over both. ``sklearn_delta.dask.fit_full_batch``
trains on it without gathering X; the script prints the wall time, each
worker's peak memory, and the same fit in memory on one machine for
comparison (time and largest difference of the weights).
"""

import argparse
import resource
import time
import warnings

import numpy as np


def worker_peak_mib():
    """Peak resident memory of the calling process, in MiB (Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    import dask.array as da
    from distributed import Client, LocalCluster

    from sklearn_delta import DeltaRuleRegressor
    from sklearn_delta.dask import fit_full_batch

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows")
    parser.add_argument("--memory-limit", default="512MiB")
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    n_samples = 300_000 if args.quick else 3_000_000
    n_features, chunk_rows = 25, 100_000
    params = {"batch_size": "full", "eta0": 0.1, "max_iter": args.epochs, "tol": 0}
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            memory_limit=args.memory_limit,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        rng = da.random.default_rng(0)
        X = rng.normal(size=(n_samples, n_features), chunks=(chunk_rows, n_features))
        y = X @ np.linspace(-1, 1, n_features) + 0.1 * rng.normal(
            size=n_samples, chunks=chunk_rows
        )
        X, y = client.persist([X, y])
        client.wait_for_workers(2)
        print(
            f"X: {n_samples:,} x {n_features} float64 = {X.nbytes / 2**20:.0f} MiB "
            f"in {X.numblocks[0]} blocks; 2 workers limited to {args.memory_limit}"
        )
        start = time.perf_counter()
        model = fit_full_batch(DeltaRuleRegressor(**params), X, y)
        seconds = time.perf_counter() - start
        peaks = client.run(worker_peak_mib)
        # Gather block by block for the comparison (a single compute() would
        # assemble X on one worker, beyond its limit).
        X_local = np.concatenate([block.compute() for block in X.blocks])
        y_local = np.concatenate([block.compute() for block in y.blocks])

    start = time.perf_counter()
    local = DeltaRuleRegressor(**params).fit(X_local, y_local)
    local_seconds = time.perf_counter() - start
    print(
        f"data-parallel fit: {model.n_iter_} epochs in {seconds:.1f} s "
        f"({seconds / model.n_iter_ * 1000:.0f} ms per epoch); final loss "
        f"{model.loss_curve_[-1]:.5f}"
    )
    for worker, peak in sorted(peaks.items()):
        print(f"  peak memory of worker {worker}: {peak:.0f} MiB")
    print(
        f"same fit in memory on one machine: {local_seconds:.1f} s; largest "
        f"difference of the weights: {np.abs(model.coef_ - local.coef_).max():.2e}"
    )


if __name__ == "__main__":
    main()
