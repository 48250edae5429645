"""A read-only installation imports and trains: numba then compiles in memory.

The package is copied to a read-only directory and imported from there in a
fresh interpreter whose numba cache directories (``NUMBA_CACHE_DIR``, and the
user-wide ``$XDG_CACHE_HOME``/``$HOME``) are read-only as well, so that numba
finds nowhere to write its cache.

Root ignores permission bits, and tests (CI's included) often run as root.
There the child process stays root, the owner of the files, but loses the
capabilities that let root override them (``CAP_DAC_OVERRIDE``,
``CAP_DAC_READ_SEARCH``, ``CAP_FOWNER``), so the kernel holds it to the
read-only bits. (Switching to an unprivileged user instead would also lock
it out of a virtual environment in a private temporary directory, as CI's
is.) The child checks that it really cannot write there before it imports.
"""

import ctypes
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sklearn_delta
from sklearn_delta import _numba

# linux/capability.h and linux/prctl.h
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER = 1, 2, 3
_PR_CAPBSET_DROP = 24

CHILD = textwrap.dedent(
    """
    import os
    import sys
    import warnings

    site, cache = sys.argv[1:3]
    sys.path.insert(0, site)
    for directory in (os.path.join(site, "sklearn_delta"), cache):
        try:
            open(os.path.join(directory, "probe"), "w").close()
        except PermissionError:
            pass
        else:
            raise AssertionError(f"{directory} is writable: the test is void")

    warnings.simplefilter("error")
    import numpy as np
    from scipy import sparse
    from sklearn.exceptions import ConvergenceWarning

    import sklearn_delta
    from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor

    assert sklearn_delta.__file__.startswith(site), sklearn_delta.__file__
    # Three epochs cannot converge; that warning is the only one expected.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    X[X < 0] = 0.0
    y = X @ np.arange(1.0, 5.0)
    labels = (y > np.median(y)).astype(int)
    options = dict(batch_size=8, early_stopping=True, max_iter=3, eta0=0.01)
    for data in (X, sparse.csr_matrix(X)):
        DeltaRuleRegressor(**options).fit(data, y).predict(data)
        DeltaRuleClassifier(**options).fit(data, labels).predict(data)

    from sklearn_delta import _compiled, _numba, _split

    assert not _numba.CACHE
    kernels = [_compiled.dense_epoch, _compiled.csr_epoch]  # the classifier's
    kernels += [_compiled.dense_epoch_linear, _compiled.csr_epoch_linear]
    kernels += [_split._dense_projection, _split._csr_projection]
    for kernel in kernels:
        assert kernel.signatures, f"{kernel.__name__} never ran"
    print("fitted")
    """
)


def _drop_override_capabilities():
    """In the child, before exec: make root subject to permission bits."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _can_drop_capabilities():
    result = subprocess.run(
        [sys.executable, "-I", "-c", "pass"],
        preexec_fn=_drop_override_capabilities,
        capture_output=True,
    )
    return result.returncode == 0


def _make_read_only(root):
    for directory, _, files in os.walk(root):
        for name in files:
            os.chmod(os.path.join(directory, name), 0o444)
        os.chmod(directory, 0o555)


@pytest.mark.skipif(sys.platform != "linux", reason="uses Linux permissions")
def test_read_only_install_compiles_in_memory(tmp_path):
    preexec_fn = None
    if os.geteuid() == 0:
        try:
            available = _can_drop_capabilities()
        except subprocess.SubprocessError:
            available = False
        if not available:
            pytest.skip("running as root without the right to drop capabilities")
        preexec_fn = _drop_override_capabilities

    site, cache, home = tmp_path / "site", tmp_path / "cache", tmp_path / "home"
    package = Path(sklearn_delta.__file__).parent
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc")
    shutil.copytree(package, site / "sklearn_delta", ignore=ignore)
    cache.mkdir()
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(cache),
        "NUMBA_CACHE_DIR": str(cache),
    }
    for directory in (site, cache, home):
        _make_read_only(directory)
    try:
        result = subprocess.run(
            [sys.executable, "-I", "-c", CHILD, str(site), str(cache)],
            preexec_fn=preexec_fn,
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:  # let pytest clean tmp_path up
        for directory, _, _ in os.walk(tmp_path):
            os.chmod(directory, 0o755)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "fitted"
    assert not any(cache.iterdir())


def test_writable_cache_is_used(tmp_path, monkeypatch):
    # Where numba can write, the kernels are still cached on disk.
    monkeypatch.setattr("numba.config.CACHE_DIR", str(tmp_path))
    assert _numba._disk_cache_available()
    assert any(tmp_path.iterdir())
