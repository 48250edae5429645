"""How much longer the first fit in a fresh process takes than a warm one.

    python benchmarks/cold_start.py            # 3 fresh processes per row
    python benchmarks/cold_start.py --repeats 1

A newcomer's first fit may wait for numba to compile a kernel. Each row runs
fresh Python processes with an empty numba cache directory (NUMBA_CACHE_DIR
pointing to a new temporary directory, so nothing compiled earlier is
reused). In each process the package is imported first (its import time is
reported apart), then the same fit runs twice on the same data: the first
fit's time minus the second's is the wait a user meets. Medians over
``--repeats`` processes.

Targets: the first dense fit at most 1.0 s more than a warm one; the first
float32, CSR and classifier fits at most 0.5 s more each. Mini-batches and
online steps compile a kernel in the first process; the rows "cache of an
earlier process" run fresh processes whose numba cache directory an earlier
process filled: their first fit must load the kernel, at most 0.1 s more
than a warm fit.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

# name -> (code that builds X and y, estimator expression, target in seconds)
CASES = {
    "dense float64 (default regressor)": (
        "X, y = make_regression(2000, 20, noise=1.0, random_state=0)",
        "DeltaRuleRegressor()",
        1.0,
    ),
    "float32 (default regressor)": (
        "X, y = make_regression(2000, 20, noise=1.0, random_state=0)\n"
        "X = X.astype(np.float32)",
        "DeltaRuleRegressor()",
        0.5,
    ),
    "CSR (default regressor)": (
        "X, y = make_regression(2000, 20, noise=1.0, random_state=0)\n"
        "X = sp.csr_matrix(np.where(np.abs(X) > 1, X, 0.0))",
        "DeltaRuleRegressor()",
        0.5,
    ),
    "classifier (default)": (
        "X, y = make_classification(2000, 20, random_state=0)",
        "DeltaRuleClassifier()",
        0.5,
    ),
    "mini-batches of 32, float64": (
        "X, y = make_regression(2000, 20, noise=1.0, random_state=0)",
        "DeltaRuleRegressor(batch_size=32)",
        None,
    ),
    "online, CSR": (
        "X, y = make_regression(2000, 20, noise=1.0, random_state=0)\n"
        "X = sp.csr_matrix(np.where(np.abs(X) > 1, X, 0.0))",
        "DeltaRuleRegressor(batch_size=1)",
        None,
    ),
}

# A process that finds its kernels in the disk cache loads them: its first
# mini-batch or online fit waits at most this long more than a warm one.
WARM_TARGET = 0.1

CHILD = """
import json, time, warnings
start = time.perf_counter()
import numpy as np
import scipy.sparse as sp
from sklearn.datasets import make_classification, make_regression
from sklearn.preprocessing import StandardScaler
from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor
imported = time.perf_counter() - start
{data}
warnings.simplefilter("ignore")
times = []
for _ in range(2):
    start = time.perf_counter()
    {estimator}.fit(X, y)
    times.append(time.perf_counter() - start)
print(json.dumps({{"import": imported, "first": times[0], "warm": times[1]}}))
"""


def run_fresh(data, estimator, cache=None):
    """One fresh process: its timings. Its numba cache directory is
    ``cache``, or a new, empty one."""
    if cache is None:
        with tempfile.TemporaryDirectory() as empty:
            return run_fresh(data, estimator, empty)
    environment = {**os.environ, "NUMBA_CACHE_DIR": cache}
    result = subprocess.run(
        [sys.executable, "-c", CHILD.format(data=data, estimator=estimator)],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_after_another(data, estimator, repeats):
    """Fresh processes whose numba cache an earlier process wrote."""
    with tempfile.TemporaryDirectory() as cache:
        run_fresh(data, estimator, cache)  # compiles, and writes the cache
        return [run_fresh(data, estimator, cache) for _ in range(repeats)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"Fresh processes per row: {args.repeats}; medians in seconds.\n")
    print("| first fit | import | first fit | warm fit | extra wait | target |")
    print("|---|---|---|---|---|---|")
    failed = []
    rows = [
        (name, data, estimator, target, False)
        for name, (data, estimator, target) in CASES.items()
    ]
    # The compiled kernels again, in processes that find them cached on disk.
    rows += [
        (f"{name}, cache of an earlier process", data, estimator, WARM_TARGET, True)
        for name, (data, estimator, target) in CASES.items()
        if target is None
    ]
    for name, data, estimator, target, warm in rows:
        if warm:
            runs = run_after_another(data, estimator, args.repeats)
        else:
            runs = [run_fresh(data, estimator) for _ in range(args.repeats)]
        median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        extra = median["first"] - median["warm"]
        verdict = "-"
        if target is not None:
            verdict = f"<= {target:.1f}: {'met' if extra <= target else 'NOT met'}"
            if extra > target:
                failed.append(name)
        print(
            f"| {name} | {median['import']:.2f} | {median['first']:.3f} | "
            f"{median['warm']:.3f} | {extra:.3f} | {verdict} |"
        )
    print(f"\nTargets {'met' if not failed else 'NOT met: ' + ', '.join(failed)}.")


if __name__ == "__main__":
    main()
