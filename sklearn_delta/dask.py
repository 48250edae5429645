"""Train on dask arrays: a data-parallel full batch, and a robust scorer.

Needs ``pip install "sklearn_delta[dask]"`` (dask, distributed, dask-ml).

- :func:`fit_full_batch` trains a ``DeltaRuleRegressor`` or
  ``DeltaRuleClassifier`` with ``batch_size="full"`` on a dask array (or
  dask DataFrame) without ever gathering X: each epoch, every block of rows
  computes its part of the gradient, ``X_B^T delta_B``, where it lives, and
  only these small sums travel to the client, which adds them up and takes
  the step. The result equals a fit on the same data in memory, to
  floating-point rounding.
- :func:`r2_score` scores a regressor on dask arrays with plain dask
  reductions. Use it as ``dask_ml.wrappers.Incremental(..., scoring=
  r2_score)``: the string ``"r2"`` makes dask-ml use its own ``r2_score``,
  which fails on the unknown chunk sizes of predictions ("cannot broadcast
  shape (nan,) to shape (nan,)").

Everything else works with dask as it is: ``partial_fit`` over blocks
(``Incremental``, or a loop over ``X.blocks`` / ``df.partitions``),
prediction with ``map_blocks`` / ``map_partitions`` or dask-ml's
``ParallelPostFit``, and hyper-parameter search under
``joblib.parallel_backend("dask")``. See the user guide's "Scaling out".
"""

import numpy as np
import pandas as pd

try:
    import dask
    import dask.array as da
    import dask.dataframe as dd
except ImportError as error:  # pragma: no cover - exercised without dask
    raise ImportError(
        "sklearn_delta.dask needs dask: pip install 'sklearn_delta[dask]' "
        "(dask, distributed and dask-ml)."
    ) from error

from sklearn.utils.validation import validate_data

from sklearn_delta._base import BaseDeltaRule
from sklearn_delta._curvature import bordered, check_finite_curvature
from sklearn_delta._data import (
    NUMERIC_HINT,
    Y_NUMERIC_HINT,
    frame_dtype,
    numeric_targets,
    refuse_non_numeric,
)
from sklearn_delta._kernels import apply_step, batch_sums

__all__ = ["fit_full_batch", "r2_score"]


def fit_full_batch(estimator, X, y, sample_weight=None):
    """Fit ``estimator`` by full-batch gradient descent on dask data.

    Each epoch runs one map-reduce over the blocks of rows of X: the blocks
    compute, on their workers, the weighted sums ``X_B^T delta_B``,
    ``sum delta_B`` and ``sum loss_B`` for the current weights; the client
    adds them up and applies one delta-rule step. X is never gathered; per
    epoch only the weights go out and ``n_blocks`` small arrays come back.
    Everything else is the estimator's own training: the schedule, the
    momentum, the stopping rules, divergence control, ``loss_curve_``,
    ``warm_start``.

    The data are read once per epoch plus a few times before training
    (checks, the starting loss): ``persist()`` X and y first when they fit
    in the cluster's memory, so that they are not recomputed from their
    source every epoch.

    Parameters
    ----------
    estimator : DeltaRuleRegressor or DeltaRuleClassifier
        With ``batch_size="full"`` and ``early_stopping=False``. It is
        fitted in place, like ``estimator.fit``.
    X : dask array or dask DataFrame of shape (n_samples, n_features)
        Numeric, with known chunk sizes (a DataFrame is converted with
        ``to_dask_array(lengths=True)``). Blocks of rows are rechunked to
        hold every column.
    y : dask array or dask Series of shape (n_samples,) or (n_samples, n_targets)
        Targets, chunked like the rows of X (they are rechunked to match).
    sample_weight : dask array of shape (n_samples,), default=None
        Non-negative weights; a weight of k acts as k repeated rows.

    Returns
    -------
    estimator : the fitted estimator, with the same attributes as after
        ``fit`` on the same data in memory.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from sklearn_delta import DeltaRuleRegressor
    >>> from sklearn_delta.dask import fit_full_batch
    >>> rng = np.random.default_rng(0)
    >>> X_local = rng.normal(size=(1000, 3))
    >>> y_local = X_local @ [1.0, -2.0, 0.5]
    >>> X, y = da.from_array(X_local, chunks=250), da.from_array(y_local, chunks=250)
    >>> model = DeltaRuleRegressor(batch_size="full", eta0=0.5, max_iter=50)
    >>> model = fit_full_batch(model, X, y)
    >>> local = DeltaRuleRegressor(batch_size="full", eta0=0.5, max_iter=50)
    >>> local = local.fit(X_local, y_local)
    >>> bool(np.allclose(model.coef_, local.coef_))
    True
    """
    _check_estimator(estimator)
    estimator._validate_params()
    return estimator._fit(
        X, y, sample_weight, None, None, source=DaskSource(), kernel=_full_batch_epoch
    )


class DaskSource:
    """Where the dask fit reads its data from: dask arrays and DataFrames.

    The in-memory source of ``fit`` is ``sklearn_delta._data.InMemory``;
    this one reads lazily, checks the values with dask reductions, and
    applies row-wise functions block by block.
    """

    def read(self, estimator, X, y, sample_weight, *, reset):
        """Check X, y and the weights; set n_features_in_ and feature names."""
        # The number of features and their names, as validate_data sets them
        # for data in memory; a DataFrame's names are on its empty pandas meta.
        columns = X._meta if isinstance(X, dd.DataFrame) else X
        # Dates and text, named as for data in memory: from the empty pandas
        # frame or numpy array that describes a dask DataFrame's or array's
        # blocks (numpy would read dates as numbers).
        refuse_non_numeric(getattr(X, "_meta", X))
        validate_data(estimator, columns, reset=reset, skip_check_array=True)
        if estimator._multi_output and isinstance(y, dd.Series):
            # pandas' nullable numbers (missing values too) as float64.
            if pd.api.types.is_numeric_dtype(y.dtype):
                y = y.astype(np.float64)
        X, y, sample_weight = _as_dask_arrays(X, y, sample_weight)
        if estimator._multi_output:
            y = _numeric_dask_targets(y)
        _check_values(X, y, sample_weight)
        if not estimator._multi_output and y.ndim != 1:
            raise ValueError(
                "fit_full_batch takes 1-D class labels; for multilabel targets "
                "fit in memory, or train with partial_fit over the blocks."
            )
        if sample_weight is None:
            sample_weight = da.ones(X.shape[0], dtype=X.dtype, chunks=X.chunks[0])
        return X, y, sample_weight.astype(X.dtype)

    def map_rows(self, function, *arrays, dtype, n_columns=None):
        """``function`` applied block by block over the rows of ``arrays``."""
        first = arrays[0]
        if n_columns is None:
            return da.map_blocks(function, *arrays, dtype=dtype)
        return da.map_blocks(
            function,
            *arrays,
            dtype=dtype,
            chunks=(first.chunks[0], (n_columns,)),
            new_axis=None if first.ndim == 2 else 1,
        )

    def labels(self, y):
        """The distinct labels of y (what the classifier's checks look at)."""
        return da.unique(y).compute()

    def second_moment_bounds(
        self, X, sample_weight, rows_too, fit_intercept, rows=None
    ):
        """L and L_max of [X, 1] (see ``sklearn_delta._curvature``), in one pass
        of dask reductions: the weighted second moment is a sum over blocks.

        ``rows`` is always None: the dask fit holds no rows out."""
        weight = sample_weight / sample_weight.mean()
        norms = (X**2).sum(axis=1) + float(fit_intercept)
        weighted = X * weight[:, None]
        moment, column_sums, total, L_max = dask.compute(
            X.T @ weighted, weighted.sum(axis=0), weight.sum(), (weight * norms).max()
        )
        full = bordered(moment, column_sums, total, fit_intercept)
        L = float(np.linalg.eigvalsh(full)[-1]) if np.all(np.isfinite(full)) else np.inf
        check_finite_curvature(L, float(L_max), X.dtype)
        return L, float(L_max)

    def class_counts(self, y, classes):
        """How many samples each of ``classes`` has in y."""
        labels, counts = dask.compute(*da.unique(y, return_counts=True))
        found = np.isin(classes, labels)
        all_counts = np.zeros(len(classes), dtype=np.intp)
        all_counts[found] = counts[np.searchsorted(labels, classes[found])]
        return all_counts


def _full_batch_epoch(
    X, Y, sample_weight, order, batch_size, params, velocity, rule, activation, loss
):
    """One full-batch epoch as a map-reduce over the blocks of rows.

    Has the signature of ``_kernels.delta_rule_epoch`` (``order`` and
    ``batch_size`` are those of a full batch and play no part).
    """
    coef, intercept = params
    # One task per block of rows; the current weights (small) travel with it.
    parts = [
        dask.delayed(batch_sums)(
            X_block, Y_block, w_block, (coef, intercept), activation, loss
        )
        for X_block, Y_block, w_block in zip(
            X.to_delayed().ravel(), Y.to_delayed().ravel(), sample_weight.to_delayed()
        )
    ]
    parts = dask.compute(*parts)
    coef_sum = sum(part[0] for part in parts)
    intercept_sum = sum(part[1] for part in parts)
    epoch_loss = sum(part[2] for part in parts)
    apply_step(params, velocity, (coef_sum, intercept_sum), X.shape[0], rule)
    return epoch_loss


def _check_estimator(estimator):
    if not isinstance(estimator, BaseDeltaRule):
        raise TypeError(
            "fit_full_batch trains a DeltaRuleRegressor or DeltaRuleClassifier; "
            f"got {type(estimator).__name__}."
        )
    if estimator.batch_size != "full":
        raise ValueError(
            "fit_full_batch runs full-batch gradient descent; create the "
            f"estimator with batch_size='full' (it has {estimator.batch_size!r}). "
            "For mini-batches on dask data use partial_fit over the blocks "
            "(dask_ml.wrappers.Incremental)."
        )
    if estimator.early_stopping:
        raise ValueError(
            "fit_full_batch does not hold out validation data: set "
            "early_stopping=False, and score on held-out dask data yourself."
        )


def _as_dask_arrays(X, y, sample_weight):
    """Dask arrays with row blocks that hold every column."""
    if isinstance(X, dd.DataFrame):
        # Numeric columns of any kind (pandas' nullable ones with missing
        # values too) in one float dtype: float32 stays float32, as in memory.
        X = X.astype(frame_dtype(X._meta) or np.float64)
        X = X.to_dask_array(lengths=True)
    if isinstance(y, (dd.Series, dd.DataFrame)):
        y = y.to_dask_array(lengths=True)
    if not isinstance(X, da.Array) or not isinstance(y, da.Array):
        raise TypeError(
            "fit_full_batch takes dask arrays or dask DataFrames; for data in "
            "memory call estimator.fit(X, y) instead."
        )
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got {X.ndim}-D.")
    if any(np.isnan(size) for size in X.chunks[0]):
        raise ValueError(
            "X has unknown chunk sizes; call X.compute_chunk_sizes() first (or "
            "use to_dask_array(lengths=True))."
        )
    for name, array in (("X", X), ("y", y)):
        if array.dtype.kind == "c":
            raise ValueError(f"Complex data not supported in {name}.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    X = X.rechunk({1: -1})
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"[{X.shape[0]}, {y.shape[0]}]"
        )
    y = y.rechunk({0: X.chunks[0], **({1: -1} if y.ndim == 2 else {})})
    if sample_weight is not None:
        sample_weight = da.asarray(sample_weight).rechunk({0: X.chunks[0]})
    return X, y, sample_weight


def _numeric_dask_targets(y):
    """A regressor's dask targets as numbers, as ``fit`` reads them: dates
    and durations refused, booleans, objects and text read as float64 (text
    that is not a number fails when computed, see :func:`_check_values`)."""
    y = numeric_targets(y)
    return y.astype(np.float64) if y.dtype.kind in "Ob" else y


def _check_values(X, y, sample_weight):
    """Check the data's values in one pass of dask reductions.

    These are the checks that ``validate_data`` and ``_check_sample_weight``
    make on data in memory, in the same order and with the same messages.
    Text or objects in X or y are read as numbers as the pass computes
    them: what is not a number fails there (see :func:`_not_numbers`).
    """
    arrays = {"X": X, "y": y, "sample_weight": sample_weight}
    checks = {}
    for name, array in arrays.items():
        if array is not None and np.issubdtype(array.dtype, np.number):
            checks[name, "NaN"] = da.isnan(array).any()
            checks[name, "infinity"] = da.isinf(array).any()
    if sample_weight is not None:
        checks["sample_weight", "negative"] = (sample_weight < 0).any()
    try:
        found = dict(zip(checks, dask.compute(*checks.values())))
    except (ValueError, TypeError) as error:
        if not ("could not convert" in str(error) or "argument must be" in str(error)):
            raise
        raise _not_numbers(error, checks) from error
    for (name, problem), present in found.items():
        if not present:
            continue
        if problem == "negative":
            raise ValueError("Negative values in data passed to `sample_weight`.")
        if problem == "infinity":
            problem = f"infinity or a value too large for dtype('{arrays[name].dtype}')"
        raise ValueError(f"Input {name} contains {problem}. Impute or drop them.")


def _not_numbers(error, checks):
    """The error to raise for values of X or y that computing could not read
    as numbers: the one at fault named, as ``fit`` names it."""
    in_X = [check for (name, _), check in checks.items() if name == "X"]
    try:
        dask.compute(*in_X)
        culprit = "y"
    except (ValueError, TypeError):
        culprit = "X"
    if "NAType" in str(error):  # pd.NA among objects: a missing value
        missing = "values" if culprit == "X" else "targets"
        return ValueError(
            f"Input {culprit} contains NaN: missing {missing} (NaN, None or "
            "pd.NA). Drop those samples or fill them in."
        )
    hint = NUMERIC_HINT if culprit == "X" else Y_NUMERIC_HINT
    return type(error)(f"{error}. {hint}")


def r2_score(y_true, y_pred, *, compute=True):
    """R^2 of predictions, on dask arrays as well as numpy arrays.

    A metric in the form dask-ml expects: pass the function itself as
    ``dask_ml.wrappers.Incremental(..., scoring=r2_score)``, which wraps it
    into a scorer. It uses plain dask reductions only, where the string
    ``"r2"`` makes dask-ml use its own ``r2_score``, which fails on the
    unknown chunk sizes of the predictions ("cannot broadcast shape (nan,)
    to shape (nan,)"). Several targets get the mean of their R^2, as
    scikit-learn's default.

    Parameters
    ----------
    y_true, y_pred : dask or numpy arrays of shape (n_samples,) or
        (n_samples, n_targets)
    compute : bool, default=True
        Return a float; False returns the lazy dask value (dask-ml's
        convention).

    Returns
    -------
    score : float

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn_delta.dask import r2_score
    >>> y = da.from_array([1.0, 2.0, 3.0, 4.0], chunks=2)
    >>> r2_score(y, y * 0.9 + 0.25)
    0.99
    """
    residual = ((y_true - y_pred) ** 2).sum(axis=0)
    total = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    score = dask.delayed(_r2_from_sums)(residual, total)
    return score.compute() if compute else score


def _r2_from_sums(residual, total):
    residual, total = np.asarray(residual), np.asarray(total)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(
            total > 0, 1 - residual / total, np.where(residual > 0, 0.0, 1.0)
        )
    return float(np.mean(scores))
