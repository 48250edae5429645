"""Reading training data: the bundle training needs, and where data comes from.

:meth:`BaseDeltaRule._validate_training` is the one validation entry of
``fit``, ``partial_fit`` and the dask fit. What differs between data held in
memory and data spread over a dask cluster is only how the arrays are read
and checked, how a function is applied row by row, and how labels are
counted: that is a *source*. :class:`InMemory` is the source of ``fit`` and
``partial_fit``; ``sklearn_delta.dask`` has its own. Everything else (target
encoding, class weights, the weights' checks) is written once against the
arrays and works on both.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import (
    _assert_all_finite,
    _check_sample_weight,
    check_array,
    column_or_1d,
    validate_data,
)

from sklearn_delta._curvature import second_moment_bounds
from sklearn_delta._rows import BLOCK_BYTES

NUMERIC_HINT = (
    "X must be numeric: encode text or categorical columns first, e.g. with "
    "OneHotEncoder or OrdinalEncoder in a ColumnTransformer before this "
    "estimator in a Pipeline, dates as numbers (e.g. their year, month and "
    "day) and durations as seconds."
)
Y_NUMERIC_HINT = (
    "y must hold numbers for a regressor: convert it first (e.g. with "
    "pd.to_numeric, and dates or durations to numbers of seconds), or use "
    "DeltaRuleClassifier for labels."
)
ALL_ZERO_WEIGHTS = (
    "Sample weights must contain at least one non-zero number. Every sample has "
    "weight zero (after class_weight), so there is nothing to learn from: give "
    "some samples a positive weight."
)


@dataclass
class TrainingData:
    """Validated arrays, ready for training.

    Attributes
    ----------
    X : ndarray, CSR matrix or dask array of shape (n_samples, n_features)
    y : the validated targets, as given (labels for the classifier)
    Y : array of shape (n_samples, n_outputs), the units' targets
    sample_weight : array of shape (n_samples,), class weights folded in
    passed : tuple, (X, y, sample_weight) as the user passed them, for
        callbacks that score the model during training
    source : where the arrays come from (:class:`InMemory` or the dask one)
    """

    X: Any
    y: Any
    Y: Any
    sample_weight: Any
    passed: tuple
    source: Any


def validate_numeric(estimator, X, *args, **kwargs):
    """scikit-learn's validate_data, with a hint when X is not numeric, and a
    check of a sparse matrix's structure before it is converted or read
    (see :func:`check_sparse_structure`)."""
    refuse_non_numeric(X)
    passed = X
    if sp.issparse(X):
        check_sparse_structure(X)
    try:
        validated = validate_data(estimator, X, *args, **kwargs)
    except (TypeError, ValueError) as error:
        # Text or objects that are not numbers (dates, dicts...), in X or in
        # a regressor's y: the hint of the one at fault.
        if isinstance(error, ValueError) and "could not convert" not in str(error):
            raise
        if _fails_as_numbers(X):
            raise type(error)(f"{error}. {NUMERIC_HINT}") from error
        if kwargs.get("y_numeric") and _fails_as_numbers(args[0], targets=True):
            raise type(error)(f"{error}. {Y_NUMERIC_HINT}") from error
        raise
    X = validated[0] if isinstance(validated, tuple) else validated
    if sp.issparse(X) and X is not passed:
        check_sparse_structure(X)  # the CSR matrix a conversion gave
    return validated


def has_missing(values):
    """Whether array-like ``values`` hold a missing value: NaN, None, pd.NA
    or NaT, in any dtype."""
    return bool(np.any(pd.isna(np.asarray(values, dtype=object))))


def _check_missing_targets(y, labels):
    """Name missing labels or targets (pd.NA among them, which scikit-learn's
    own check cannot compare) before anything else looks at y."""
    if y is None or (isinstance(y, np.ndarray) and y.dtype.kind in "biuf"):
        return  # validate_data refuses None, and finds NaN among numbers
    dtype = getattr(y, "dtype", None)
    if not labels and isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        return  # a Series of numbers: as an array (boxing it would be slow)
    if has_missing(y):
        missing = "missing labels" if labels else "NaN: missing targets"
        raise ValueError(
            f"Input y contains {missing} (NaN, None or pd.NA). Drop those "
            "samples or fill them in."
        )


def refuse_non_numeric(X):
    """Name the columns of a data frame (pandas, polars or pyarrow) that are not
    numbers, with the fix; refuse dates or durations in an array or a list
    (numpy would read them as numbers)."""
    refuse_lazy_frame(X)
    if isinstance(X, (list, tuple)):
        X = _as_array(X)  # only to look: validate_data reads the list itself
    if isinstance(X, np.ndarray) and X.dtype.kind in "mM":
        raise ValueError(
            f"X must be numeric, but it holds {X.dtype} values (dates or "
            "durations). Encode them as numbers first (e.g. the year, month "
            "and day of a date, or a duration in seconds)."
        )
    columns = _non_numeric_columns(X)
    if columns:
        raise ValueError(
            f"X must be numeric, but these columns are not: {', '.join(columns)}. "
            "Encode them first: text or categories with OneHotEncoder or "
            "OrdinalEncoder, dates as numbers (e.g. their year, month and day) "
            "and durations as seconds, in a ColumnTransformer before this "
            "estimator in a Pipeline."
        )


def refuse_lazy_frame(X):
    """Refuse a polars LazyFrame, before anything asks it for its shape or
    columns (which it has only once computed)."""
    if type(X).__name__ == "LazyFrame":
        raise TypeError(
            "X is a polars LazyFrame, a query that holds no data yet: pass "
            "X.collect(), the DataFrame it computes."
        )


def _as_array(values):
    """The array numpy makes of a list, or None when it cannot (ragged rows:
    scikit-learn then says so)."""
    try:
        return np.asarray(values)
    except (ValueError, TypeError):
        return None


def _fails_as_numbers(values, targets=False):
    """Whether X or y (``targets``) alone holds text or objects that are not
    numbers (an error when read as numbers, as scikit-learn reads them; a
    missing value pd.NA is one, but has nothing to encode)."""
    try:
        if targets:  # as validate_data reads a regressor's y of objects
            np.asarray(values).astype(np.float64)
            return False
        check_array(
            values,
            dtype=np.float64,
            ensure_all_finite=False,
            ensure_2d=False,
            ensure_min_samples=0,
            ensure_min_features=0,
            accept_sparse=True,
        )
    except TypeError:
        return not has_missing(values)
    except ValueError as error:
        return "could not convert" in str(error)
    return False


def _non_numeric_columns(X):
    """The columns of a pandas or polars data frame or a pyarrow table X that
    hold neither numbers nor booleans, as "'name' (dtype)"; [] for anything
    else."""
    return [
        f"{name!r} ({dtype})"
        for name, dtype in _column_dtypes(X)
        if not _holds_numbers(dtype)
    ]


def _column_dtypes(X):
    """(name, dtype) of each column of a pandas, dask or polars data frame or
    a pyarrow table (its types as pandas' ArrowDtype); [] for anything else."""
    dtypes = getattr(X, "dtypes", None)
    if isinstance(dtypes, pd.Series):  # pandas, and dask's DataFrame
        return list(dtypes.items())
    schema = getattr(X, "schema", None)
    if callable(getattr(schema, "items", None)):  # polars: {name: dtype}
        return list(schema.items())
    if _is_arrow(X):
        return [(name, pd.ArrowDtype(t)) for name, t in zip(schema.names, schema.types)]
    return []


def _is_arrow(X):
    """Whether X is a pyarrow Table or RecordBatch (whose schema lists types)."""
    schema = getattr(X, "schema", None)
    return hasattr(schema, "names") and hasattr(schema, "types")


def _holds_numbers(dtype):
    """Whether a pandas or polars column dtype (pyarrow's as pandas'
    ArrowDtype) holds numbers or booleans."""
    # Columns of missing values only, read as NaN: polars' Null, pyarrow's null.
    if str(dtype) in ("Boolean", "Null", "null[pyarrow]"):
        return True
    is_numeric = getattr(dtype, "is_numeric", None)  # polars' dtypes say
    if callable(is_numeric):
        return bool(is_numeric())
    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def check_sparse_structure(X):
    """Refuse a sparse matrix whose index arrays point outside its data.

    scipy's conversions between formats (CSC, COO or BSR to CSR, which
    scikit-learn's validation makes), its products and the compiled kernels
    all trust the index arrays: an index outside the shape, or a row pointer
    that decreases or runs past the data, makes them read and write outside
    their arrays. So X is checked in the format it comes in, before anything
    converts or reads it: CSR, CSC and BSR by their pointers and indices,
    COO by its coordinates; one pass over the indices, O(nnz). (LIL, DOK
    and DIA matrices are converted by numpy and Python code, and the CSR
    matrix they give is checked.)
    """
    fmt = X.format
    if fmt in ("csr", "csc", "bsr"):
        problem = _compressed_problem(X)
        fix = "or call X.check_format(full_check=True) to find the fault"
    elif fmt == "coo":
        problem = _coordinates_problem(X)
        fix = "with its row and column indices within its shape"
    else:
        return
    if problem:
        raise ValueError(
            f"The {fmt.upper()} matrix X is malformed: {problem}. Build it with "
            f"scipy.sparse.{fmt}_matrix(...) from consistent arrays, {fix}."
        )


def _compressed_problem(X):
    """What is wrong with the pointers and indices of a CSR, CSC or BSR X."""
    n_rows, n_columns = X.shape
    n_values = len(X.data)
    if X.format == "bsr":  # pointers and indices of blocks
        block_rows, block_columns = X.blocksize
        n_major, n_minor = n_rows // block_rows, n_columns // block_columns
        minor = "block column index"
    elif X.format == "csc":
        n_major, n_minor, minor = n_columns, n_rows, "row index"
    else:
        n_major, n_minor, minor = n_rows, n_columns, "column index"
    indptr, indices = X.indptr, X.indices
    if indptr.dtype.kind not in "iu" or indices.dtype.kind not in "iu":
        return (
            f"its index arrays must hold integers, not {indptr.dtype} (indptr) "
            f"and {indices.dtype} (indices)"
        )
    if indptr.shape != (n_major + 1,) or indptr[0] != 0:
        return f"indptr must hold {n_major + 1} starts, from 0"
    if np.any(np.diff(indptr) < 0):
        return "indptr decreases"
    if not (len(indices) == n_values >= indptr[-1]):
        return (
            f"indptr ends at {indptr[-1]}, beyond the {len(indices)} indices "
            f"and {n_values} values"
        )
    used = indices[: indptr[-1]]
    if len(used) and (used.min() < 0 or used.max() >= n_minor):
        return f"a {minor} is outside [0, {n_minor})"
    return None


def _coordinates_problem(X):
    """What is wrong with the coordinates of a COO X."""
    for axis, (name, index) in enumerate(zip(("row", "column"), (X.row, X.col))):
        if index.dtype.kind not in "iu":
            return f"its {name} indices must be integers, not {index.dtype}"
        if len(index) != len(X.data):
            return f"it has {len(index)} {name} indices for {len(X.data)} values"
        if len(index) and (index.min() < 0 or index.max() >= X.shape[axis]):
            return f"a {name} index is outside [0, {X.shape[axis]})"
    return None


class InMemory:
    """The source of ``fit`` and ``partial_fit``: numpy, pandas, scipy CSR."""

    def read(self, estimator, X, y, sample_weight, *, reset):
        """Validate X, y and the weights; set n_features_in_ and feature names.

        Returns X (float64 or float32, dense or CSR), y and the weights
        (non-negative, of X's dtype). A dense X keeps its layout when
        training takes full batches (numpy's matrix products read any
        layout); for row-wise batches, which the compiled kernel reads row
        by row, it is C-ordered, copied once here if it is not. A data
        frame of float32 columns (numpy, pandas "Float32" or
        "float32[pyarrow]", polars Float32) gives float32.
        """
        plain = _plain_chunk(estimator, X, y, sample_weight, reset)
        if plain is not None:
            X, y = plain
            _check_target_range(estimator, X, y)
            return X, y, np.ones(X.shape[0], dtype=X.dtype)
        _check_missing_targets(y, labels=not estimator._multi_output)
        dtype = frame_dtype(X)
        converted = None
        # (scikit-learn reads a pyarrow table to one C-ordered array itself.)
        if (
            dtype is not None
            and _reads_rows(estimator, X.shape[0])
            and not _is_arrow(X)
        ):
            X, converted = _c_ordered_frame(X, dtype)
        X, y = validate_numeric(
            estimator,
            X,
            y,
            reset=reset,
            accept_sparse="csr",
            dtype=[np.float64, np.float32] if dtype is None else dtype,
            # The classifier takes a 2-D multilabel indicator too.
            multi_output=True,
            y_numeric=estimator._multi_output,
        )
        if converted is not None:
            X = converted  # the array itself, not pandas' read-only view of it
        elif not sp.issparse(X) and _reads_rows(estimator, X.shape[0]):
            X = np.ascontiguousarray(X)  # the one copy, for a Fortran-ordered X
        if not estimator._multi_output and y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)  # as MLPClassifier
        if estimator._multi_output:
            # (A sparse y of targets is small: n_samples x n_outputs.)
            y = numeric_targets(y.toarray() if sp.issparse(y) else y)
            _check_finite_targets(y)
        _check_target_range(estimator, X, y)
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        return X, y, sample_weight

    def map_rows(self, function, *arrays, dtype, n_columns=None):
        """``function(*arrays)``, an array of ``dtype`` whose every row depends
        on that row of the arrays only; ``n_columns`` is its number of
        columns (None: 1-D)."""
        return function(*arrays)

    def labels(self, y):
        """What the classifier's label checks look at: y itself."""
        return y

    def class_counts(self, y, classes):
        """How many samples each of ``classes`` has in y."""
        return np.bincount(np.searchsorted(classes, y), minlength=len(classes))

    def second_moment_bounds(
        self, X, sample_weight, rows_too, fit_intercept, rows=None
    ):
        """L and L_max of [X, 1], or of X without an intercept, over the
        training rows ``rows`` (None: all; see ``_curvature.py``)."""
        return second_moment_bounds(
            X, sample_weight, rows_too=rows_too, fit_intercept=fit_intercept, rows=rows
        )


def _check_finite_targets(y):
    """Refuse infinite targets that scikit-learn's check of a y of objects
    ("inf" among text, an object array) let through."""
    if not np.all(np.isfinite(y)):
        raise ValueError(
            f"Input y contains infinity or a value too large for dtype('{y.dtype}'). "
            "Drop those samples or fill them in."
        )


def numeric_targets(y):
    """A regressor's targets as numbers: numbers written as text are read as
    float64 (as SGDRegressor does); other text, dates and durations are
    refused, naming the fix."""
    if y.dtype.kind in "mM":
        raise ValueError(
            f"y must hold numbers, but it holds {y.dtype} values (dates or "
            "durations). Convert them to numbers first (e.g. a duration in "
            "seconds)."
        )
    if y.dtype.kind not in "US":
        return y
    try:
        return y.astype(np.float64)
    except ValueError as error:
        raise ValueError(
            f"y must hold numbers, but it holds text that is not one ({error}). "
            "A regressor predicts numbers: convert y (e.g. pd.to_numeric), or "
            "use DeltaRuleClassifier for labels."
        ) from error


def _check_target_range(estimator, X, y):
    """Refuse a regressor's targets that float32 X cannot hold: training
    computes in X's dtype, and they would turn into infinities."""
    if not (estimator._multi_output and X.dtype == np.float32 and y.size):
        return
    largest, limit = float(np.max(np.abs(y))), float(np.finfo(np.float32).max)
    if largest > limit:
        raise ValueError(
            f"y has values as large as {largest:.3g}, beyond float32's range "
            f"({limit:.3g}), and X is float32: training "
            "computes in X's dtype. Scale y (e.g. with TransformedTargetRegressor("
            "regressor=..., transformer=StandardScaler())) or pass X as float64."
        )


def _plain_chunk(estimator, X, y, sample_weight, reset):
    """A later partial_fit chunk of plain arrays, checked the short way.

    scikit-learn's validate_data costs about 150 us a call, as much as
    training on a chunk of 1_000 rows. When a chunk is what it would return
    unchanged (a float64 or float32 ndarray of the fitted number of features,
    in the layout training reads, a 1-D numeric y of as many rows, no sample
    weights, a model fitted without feature names), only what validate_data
    would still check is checked: that the numbers are finite, with its own
    messages. Returns (X, y), or None for anything else, which validate_data
    then reads (and refuses, when it should).
    """
    if reset or sample_weight is not None:
        return None
    if type(X) is not np.ndarray or type(y) is not np.ndarray:
        return None
    if (
        X.ndim != 2
        or X.dtype not in (np.float64, np.float32)
        or X.shape[0] < 1
        or X.shape[1] != getattr(estimator, "n_features_in_", None)
        or hasattr(estimator, "feature_names_in_")
        or y.shape != X.shape[:1]
        or y.dtype.kind not in "fiu"
        or (_reads_rows(estimator, X.shape[0]) and not X.flags.c_contiguous)
    ):
        return None
    for name, array in (("X", X), ("y", y)):
        if not _surely_finite(array):
            _assert_all_finite(
                array, input_name=name, estimator_name=type(estimator).__name__
            )
    return X, y


def _surely_finite(array):
    """True when the float ``array`` (1-D or 2-D) holds no NaN or infinity;
    False when it may (then scikit-learn's check looks, and names it).

    One sum finds any NaN or infinity (a sum of finite numbers that
    overflows is a false alarm). A matrix is summed by BLAS, as the product
    with a vector of ones: it reads the matrix at memory speed, about twice
    as fast as numpy's sum, and leaves it in cache for training.
    """
    if array.dtype.kind != "f":
        return True
    with np.errstate(over="ignore", invalid="ignore"):
        if array.ndim == 2:
            array = array @ np.ones(array.shape[1], dtype=array.dtype)
        return bool(np.isfinite(array.sum()))


def _reads_rows(estimator, n_samples):
    """Whether training takes batches of fewer rows than the data's, which
    the compiled kernel reads row by row (from a C-ordered X)."""
    return estimator._resolve_batch_size(n_samples) < n_samples


def float_dtypes(X):
    """The ``dtype`` to validate X with: float32 stays float32, also in data
    frames that scikit-learn alone would turn into float64."""
    dtype = frame_dtype(X)
    return [np.float64, np.float32] if dtype is None else dtype


def frame_dtype(X):
    """The float dtype of a data frame of numeric columns; None for anything else.

    float32 when numpy would hold every column in float32 (float32 columns of
    any kind: numpy, pandas "Float32" and "float32[pyarrow]", polars
    Float32, pyarrow float), float64 otherwise. scikit-learn converts the
    extension, polars and pyarrow kinds to float64, as it sees no numpy
    dtype in them.
    """
    refuse_lazy_frame(X)  # before its dtypes are asked for
    dtypes = [dtype for _, dtype in _column_dtypes(X)]
    if not dtypes:
        return None
    try:
        numpy_dtypes = [_numpy_dtype(dtype) for dtype in dtypes]
    except (TypeError, ValueError):  # text, categories, dates...: refused later
        return None
    # (Booleans are left to scikit-learn: polars gives objects for missing ones.)
    if any(dtype.kind not in "iuf" for dtype in numpy_dtypes):
        return None
    return np.float32 if np.result_type(*numpy_dtypes) == np.float32 else np.float64


def _numpy_dtype(dtype):
    """The numpy dtype of a pandas or polars column dtype (TypeError or
    ValueError: none)."""
    try:
        # pandas' extension dtypes name theirs (Float32Dtype: float32).
        return np.dtype(getattr(dtype, "numpy_dtype", dtype))
    except TypeError:
        # polars' numeric dtypes are numpy's names, capitalised.
        return np.dtype(str(dtype).lower().replace("boolean", "bool"))


def _c_ordered_frame(X, dtype):
    """The values of the data frame X as one C-ordered array of ``dtype``:
    returns it wrapped in a pandas DataFrame with X's columns (for the
    feature names), and the array itself.

    Converting a frame gives a column-major array, which row-wise batches
    would copy again to C order: filling a C-ordered array a block of rows
    at a time makes that one copy.
    """
    n_samples, n_features = X.shape
    values = np.empty((n_samples, n_features), dtype=dtype)
    # Twice training's blocks: pandas pays a little per column and block, and
    # converting a block of extension columns holds ~2 blocks at once.
    step = max(1, 2 * BLOCK_BYTES // (n_features * values.itemsize))
    for start in range(0, n_samples, step):
        if isinstance(X, pd.DataFrame):
            block = X.iloc[start : start + step].to_numpy(dtype, na_value=np.nan)
        else:  # polars: missing values become NaN, as for pandas
            block = X[start : start + step].to_numpy()
        values[start : start + step] = block
    return pd.DataFrame(values, columns=X.columns, copy=False), values
