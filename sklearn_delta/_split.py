"""The early-stopping split: which rows are held out for validation.

Rows are chosen by their content, not their position. Each row (its
features and its targets) gets a pseudo-random key computed from its values
and the seed; within each stratum (each class, for the classifier) the rows
are taken in key order until ``validation_fraction`` of the stratum's
*sample weight* is held out. Hence:

- identical rows get the same key and always land on the same side, so a
  duplicated row is never both trained on and validated on;
- a row of weight k is held out exactly when its k repeats would be, so
  that, as for every other part of a fit, a weight of k acts as k repeated
  rows (scikit-learn's ``check_sample_weight_equivalence`` holds with early
  stopping too);
- the split does not depend on the order of the rows, and for unit weights
  and distinct rows it holds out ``ceil(validation_fraction * n)`` rows of
  each stratum: a stratified random split.
"""

import numpy as np

from sklearn_delta._numba import njit_cached

# The constants of splitmix64, a fast 64-bit mixing function: it turns the
# bits of a row's projection into a key whose order looks random.
_GOLDEN = 0x9E3779B97F4A7C15
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


def validation_rows(X, Y, sample_weight, strata, fraction, seed):
    """A boolean mask of the rows to hold out for validation.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
        The encoded targets (part of a row's content).
    sample_weight : ndarray of shape (n_samples,)
    strata : ndarray of shape (n_samples,) or None
        Labels to stratify by (each label is split on its own).
    fraction : float
        The share of each stratum's weight to hold out.
    seed : int

    Returns
    -------
    held_out : ndarray of bool, shape (n_samples,)
        At least one row of every stratum that has two distinct rows with
        positive weight; never a whole stratum, nor a row of weight zero.
    """
    keys = row_keys(X, Y, seed)
    held_out = np.zeros(X.shape[0], dtype=bool)
    if strata is None:
        strata = np.zeros(X.shape[0], dtype=np.intp)
    # Rows of weight zero count for nothing: they stay in training, where
    # they change nothing either (as if they were not there at all).
    positive = sample_weight > 0
    for stratum in np.unique(strata):
        rows = np.flatnonzero((strata == stratum) & positive)
        held_out[rows] = _take_by_key(keys[rows], sample_weight[rows], fraction)
    return held_out


def _take_by_key(keys, weights, fraction):
    """Rows to hold out of one stratum: whole groups of equal keys, in key
    order, while the weight taken so far is below ``fraction`` of the total."""
    if len(keys) == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    group_starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    group_weights = np.add.reduceat(weights[order], group_starts)
    weight_before = np.cumsum(group_weights) - group_weights
    take = weight_before < fraction * group_weights.sum()
    # The last group stays in training: a stratum is never held out whole.
    take[-1] = False
    group_sizes = np.diff(np.r_[group_starts, len(keys)])
    held_out = np.zeros(len(keys), dtype=bool)
    held_out[order[np.repeat(take, group_sizes)]] = True
    return held_out


def row_keys(X, Y, seed):
    """A pseudo-random uint64 key per row, a function of the row's values only.

    The row's features and targets are projected on a random direction (drawn
    from ``seed``), summed one value at a time in column order, so that equal
    rows give bit-equal sums wherever they stand and whether X is dense or
    CSR; the sum's bits are then mixed with splitmix64.
    """
    rng = np.random.default_rng([seed, 7])
    feature_salt = rng.uniform(0.5, 1.5, size=X.shape[1])
    target_salt = rng.uniform(0.5, 1.5, size=Y.shape[1])
    if hasattr(X, "indptr"):
        if not X.has_canonical_format:
            # Sorted indices, and each entry once (duplicates summed): a row
            # then gives the same key however its entries were stored.
            X = X.copy()
            X.sum_duplicates()
        projection = _csr_projection(
            X.data, X.indices, X.indptr, feature_salt, Y, target_salt
        )
    else:
        projection = _dense_projection(X, feature_salt, Y, target_salt)
    # + 0.0 turns -0.0 into 0.0, so that the two zeros get one key.
    bits = (projection + 0.0).view(np.uint64)
    # The seed's offset is computed on Python ints: numpy warns when a scalar
    # (unlike an array) wraps around.
    offset = np.uint64(seed * _GOLDEN % 2**64)
    return _splitmix64(bits + offset)


def _splitmix64(z):
    # uint64 arithmetic wraps around, as the mixing function means it to.
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    return z ^ (z >> np.uint64(31))


# Plain loops, compiled without fastmath: each row's sum is added up in the
# same order whatever the row's position, which vectorised BLAS does not
# promise. Zeros are skipped so that dense and CSR rows give the same sum.


@njit_cached()
def _dense_projection(X, feature_salt, Y, target_salt):
    projection = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        total = 0.0
        for j in range(X.shape[1]):
            if X[i, j] != 0:
                total += X[i, j] * feature_salt[j]
        for k in range(Y.shape[1]):
            total += Y[i, k] * target_salt[k]
        projection[i] = total
    return projection


@njit_cached()
def _csr_projection(data, indices, indptr, feature_salt, Y, target_salt):
    projection = np.empty(Y.shape[0])
    for i in range(Y.shape[0]):
        total = 0.0
        for position in range(indptr[i], indptr[i + 1]):
            if data[position] != 0:
                total += data[position] * feature_salt[indices[position]]
        for k in range(Y.shape[1]):
            total += Y[i, k] * target_salt[k]
        projection[i] = total
    return projection
