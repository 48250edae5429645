"""Memory: what a fit allocates beyond X, as the README promises.

Each test measures with tracemalloc the peak of what one fit allocates
(numpy's arrays are traced), after a warm-up fit on a few rows made the same
way, so that one-time costs of a process (numba loading a kernel from its
cache, scikit-learn's first DataFrame) do not count.

Beyond X, a fit that copies nothing holds a few arrays of one number per
sample (weights, targets, net inputs, the early-stopping split), blocks of
rows of a few hundred KiB, and the (n_features + 1)^2 second moment of
eta0="auto". With 40_000 samples of 200 features, each array of one number
per sample is 1/200 of X and the second moment 1/200 too: "no copy" means
less than 0.05x X here, and "one copy" less than 1.1x X. (With few
features, the arrays of one number per sample are a larger share of X.)
"""

import gc
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from sklearn_delta import DeltaRuleRegressor

N_SAMPLES, N_FEATURES = 40_000, 200


def frame(X, dtype=None):
    """X as a pandas DataFrame with named columns, of ``dtype`` if given."""
    columns = [f"x{i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    return frame if dtype is None else frame.astype(dtype)


# Layouts X comes in, each made from a C-ordered float64 array, and the
# bytes per value of the array it trains on.
LAYOUTS = {
    "C": (lambda X: X, 8),
    "Fortran": (np.asfortranarray, 8),
    "DataFrame": (frame, 8),
    "float32 DataFrame": (lambda X: frame(X.astype(np.float32)), 4),
    "Float32 DataFrame": (lambda X: frame(X, "Float32"), 4),
    "float32[pyarrow] DataFrame": (lambda X: frame(X, "float32[pyarrow]"), 4),
}


def make(layout, X):
    """X in ``layout``, and the size of the array it trains on."""
    build, itemsize = LAYOUTS[layout]
    return build(X), X.shape[0] * X.shape[1] * itemsize


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    y = X @ rng.normal(size=N_FEATURES) + rng.normal(size=N_SAMPLES)
    return X, y


def peak_fit_memory(model, X, y):
    """The peak bytes ``model.fit(X, y)`` allocates, after a warm-up fit of a
    clone on a copy of the first 200 rows, in X's layout (so that the
    compiled code the fit needs is already loaded)."""
    if hasattr(X, "iloc"):
        head = X.iloc[:200].copy()
    elif isinstance(X, np.ndarray):
        head = np.array(X[:200], order="K")
    else:  # CSR, polars: slicing copies
        head = X[:200]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.__class__(**model.get_params()).fit(head, y[:200])
        gc.collect()
        tracemalloc.start()
        try:
            model.fit(X, y)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def model(batch_size, early_stopping=False, Estimator=DeltaRuleRegressor):
    return Estimator(
        batch_size=batch_size,
        early_stopping=early_stopping,
        max_iter=2,
        tol=None,
        random_state=0,
    )


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("batch_size", [1, 32, "full"])
def test_a_c_ordered_array_is_never_copied(data, batch_size, early_stopping):
    X, y = data
    peak = peak_fit_memory(model(batch_size, early_stopping), X, y)
    assert peak < 0.05 * X.nbytes


@pytest.mark.parametrize(
    "layout, early_stopping",
    [
        ("Fortran", False),
        ("Fortran", True),
        ("DataFrame", False),
        ("DataFrame", True),
        # Held-out rows are kept as indices of 8 bytes each: against 4-byte
        # features they are twice the share of X, over 0.05x here.
        ("float32 DataFrame", False),
    ],
)
def test_a_full_batch_reads_any_layout_as_it_is(data, layout, early_stopping):
    X, size = make(layout, data[0])
    peak = peak_fit_memory(model("full", early_stopping), X, data[1])
    assert peak < 0.05 * size


@pytest.mark.parametrize("layout", ["Fortran", "DataFrame"])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_row_wise_batches_copy_other_layouts_once(data, layout, early_stopping):
    X, size = make(layout, data[0])
    peak = peak_fit_memory(model(32, early_stopping), X, data[1])
    assert peak < 1.1 * size


@pytest.mark.parametrize("layout", ["Float32 DataFrame", "float32[pyarrow] DataFrame"])
@pytest.mark.parametrize("batch_size", [32, "full"])
def test_extension_dtype_frames_are_converted_once(data, layout, batch_size):
    # The values of a pandas "Float32" or arrow frame are not a numpy array:
    # one copy is needed whatever the batches, and for row-wise batches it
    # is made in C order directly, a block of rows at a time (not converted,
    # then reordered). The blocks' conversion holds ~1 MiB more at once.
    X, size = make(layout, data[0])
    peak = peak_fit_memory(model(batch_size), X, data[1])
    assert peak < 1.15 * size


def test_a_csr_matrix_is_never_copied():
    # 100 values in each row of 5_000 features: more features than the dense
    # second moment of eta0="auto" is formed for (with fewer, that
    # (n_features, n_features) matrix is what shows next to a sparse X).
    rng = np.random.default_rng(0)
    n_features, per_row = 5_000, 100
    spread = np.arange(per_row) * (n_features // per_row)
    indices = np.sort(
        (rng.integers(n_features, size=(N_SAMPLES, 1)) + spread) % n_features
    )
    X = sp.csr_matrix(
        (
            rng.normal(size=N_SAMPLES * per_row),
            indices.ravel(),
            np.arange(0, N_SAMPLES * per_row + 1, per_row),
        ),
        shape=(N_SAMPLES, n_features),
    )
    y = np.asarray(X.sum(axis=1)).ravel()
    size = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    for batch_size in (32, "full"):
        peak = peak_fit_memory(model(batch_size, early_stopping=True), X, y)
        assert peak < 0.1 * size


@pytest.mark.parametrize(
    "layout", ["float32 DataFrame", "Float32 DataFrame", "float32[pyarrow] DataFrame"]
)
@pytest.mark.parametrize("batch_size", [16, "full"])
def test_float32_frames_train_and_predict_float32(layout, batch_size):
    X = np.random.default_rng(0).normal(size=(300, 4)).astype(np.float32)
    y = X @ np.array([1.0, -2.0, 0.5, 3.0], dtype=np.float32)
    data_frame, _ = make(layout, X)
    fitted = model(batch_size).fit(data_frame, y)
    assert fitted.coef_.dtype == np.float32
    assert fitted.predict(data_frame).dtype == np.float32
    assert list(fitted.feature_names_in_) == list(data_frame.columns)
    expected = model(batch_size).fit(X, y)
    np.testing.assert_allclose(fitted.coef_, expected.coef_, rtol=1e-5)


def polars_frame(X, names):
    pl = pytest.importorskip("polars", reason="polars is not installed")
    return pl.DataFrame(X, schema=names)


def pyarrow_table(X, names):
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    return pa.table(dict(zip(names, X.T)))


@pytest.mark.parametrize("make_frame", [polars_frame, pyarrow_table])
@pytest.mark.parametrize("batch_size", [16, "full"])
def test_polars_and_pyarrow_float32_frames_train_float32(make_frame, batch_size):
    X = np.random.default_rng(0).normal(size=(300, 4)).astype(np.float32)
    y = X @ np.array([1.0, -2.0, 0.5, 3.0], dtype=np.float32)
    frame = make_frame(X, ["a", "b", "c", "d"])
    fitted = model(batch_size).fit(frame, y)
    assert fitted.coef_.dtype == np.float32
    assert fitted.predict(frame).dtype == np.float32
    assert list(fitted.feature_names_in_) == ["a", "b", "c", "d"]
    expected = model(batch_size).fit(X, y)
    np.testing.assert_allclose(fitted.coef_, expected.coef_, rtol=1e-5)


def test_a_polars_frame_with_row_wise_batches_is_copied_once():
    pl = pytest.importorskip("polars", reason="polars is not installed")
    X = np.random.default_rng(0).normal(size=(N_SAMPLES, N_FEATURES))
    polars_frame = pl.DataFrame(X.astype(np.float32))
    peak = peak_fit_memory(model(32), polars_frame, X @ np.ones(N_FEATURES))
    assert peak < 1.1 * X.nbytes / 2


@pytest.mark.parametrize("layout", ["Fortran", "DataFrame", "Float32 DataFrame"])
@pytest.mark.parametrize("batch_size", [16, "full"])
def test_every_layout_gives_the_model_of_the_c_ordered_array(layout, batch_size):
    X = np.random.default_rng(1).normal(size=(200, 5))
    y = X @ np.arange(1.0, 6.0)
    reference = X.astype(np.float32) if "Float32" in layout else X
    fitted = model(batch_size).fit(make(layout, X)[0], y)
    np.testing.assert_allclose(
        fitted.coef_, model(batch_size).fit(reference, y).coef_, rtol=1e-6
    )
