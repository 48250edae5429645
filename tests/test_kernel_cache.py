"""The compiled kernels are cached on disk: a later process loads them.

Each process below trains in a fresh interpreter with the same, initially
empty, numba cache directory. The first one compiles its kernels and saves
them; the next ones must find every kernel they call in that cache.
(The kernels used to take their error-term function as an argument: a
function among the arguments is part of the key numba caches under, and no
later process ever matched it, so that each one compiled the kernels again,
and the cache's index grew by an entry a process.)
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from sklearn_delta import _numba

pytestmark = pytest.mark.skipif(
    not _numba.CACHE, reason="numba can write no cache for this installation"
)

CHILD = textwrap.dedent(
    """
    import json
    import warnings

    import numpy as np
    import scipy.sparse as sp

    from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor, _compiled

    warnings.simplefilter("ignore")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 4))
    y = X.sum(axis=1)
    DeltaRuleRegressor(batch_size=8, max_iter=2).fit(X, y)  # linear units
    DeltaRuleRegressor(batch_size=1, max_iter=2).fit(X.astype(np.float32), y)
    DeltaRuleClassifier(batch_size=1, max_iter=2).fit(sp.csr_matrix(X), y > 0)
    kernels = ("dense_epoch_linear", "dense_online_epoch_linear", "csr_online_epoch")
    stats = {name: getattr(_compiled, name).stats for name in kernels}
    print(json.dumps({
        name: [sum(s.cache_hits.values()), sum(s.cache_misses.values())]
        for name, s in stats.items()
    }))
    """
)


def _train_in_a_fresh_process(cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir))
    result = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_a_later_process_loads_every_kernel_from_the_cache(tmp_path):
    first = _train_in_a_fresh_process(tmp_path)
    assert all(misses == 1 for hits, misses in first.values()), first
    for _ in range(2):
        later = _train_in_a_fresh_process(tmp_path)
        assert all(hits == 1 and misses == 0 for hits, misses in later.values())
