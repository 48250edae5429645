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
from sklearn.utils.validation import _check_sample_weight, validate_data

from sklearn_delta._curvature import second_moment_bounds

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


def validate_numeric(estimator, *args, **kwargs):
    """scikit-learn's validate_data, with a hint when X is not numeric."""
    try:
        return validate_data(estimator, *args, **kwargs)
    except ValueError as error:
        if "could not convert" not in str(error):
            raise
        raise ValueError(
            f"{error}. X must be numeric: encode text or categorical columns "
            "first, e.g. with OneHotEncoder or OrdinalEncoder in a "
            "ColumnTransformer before this estimator in a Pipeline."
        ) from error


class InMemory:
    """The source of ``fit`` and ``partial_fit``: numpy, pandas, scipy CSR."""

    def read(self, estimator, X, y, sample_weight, *, reset):
        """Validate X, y and the weights; set n_features_in_ and feature names.

        Returns X (float64 or float32, C-ordered or CSR), y and the weights
        (non-negative, of X's dtype).
        """
        X, y = validate_numeric(
            estimator,
            X,
            y,
            reset=reset,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            multi_output=estimator._multi_output,
            y_numeric=estimator._multi_output,
        )
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

    def second_moment_bounds(self, X, sample_weight, rows_too):
        """L and L_max of [X, 1] (see ``_curvature.py``)."""
        return second_moment_bounds(X, sample_weight, rows_too=rows_too)
