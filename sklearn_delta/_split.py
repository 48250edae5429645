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
    # Rows of weight zero count for nothing: they stay in training, where
    # they change nothing either (as if they were not there at all).
    positive = sample_weight > 0
    if strata is None and positive.all():
        # One stratum of every row: no need to copy the keys and weights
        # (the split's arrays, one number per row, add up next to X).
        return _take_by_key(keys, sample_weight, fraction)
    held_out = np.zeros(X.shape[0], dtype=bool)
    for stratum in [None] if strata is None else np.unique(strata):
        in_stratum = positive if stratum is None else (strata == stratum) & positive
        rows = np.flatnonzero(in_stratum)
        held_out[rows] = _take_by_key(keys[rows], sample_weight[rows], fraction)
    return held_out


def _take_by_key(keys, weights, fraction):
    """Rows to hold out of one stratum: whole groups of equal keys, in key
    order, while the weight taken so far is below ``fraction`` of the total."""
    if len(keys) == 0:
        return np.zeros(0, dtype=bool)
    # (Temporaries are freed as soon as they are used: each is one number
    # per row.)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.empty(len(keys), dtype=bool)  # where a group of equal keys starts
    starts[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=starts[1:])
    del sorted_keys
    group_weights = np.add.reduceat(weights[order], np.flatnonzero(starts))
    weight_before = np.cumsum(group_weights)
    weight_before -= group_weights
    take = weight_before < fraction * group_weights.sum()
    del weight_before, group_weights
    # The last group stays in training: a stratum is never held out whole.
    take[-1] = False
    group = np.cumsum(starts, dtype=np.intp)  # 1 + the group of each sorted row
    group -= 1
    held_out = np.empty(len(keys), dtype=bool)
    held_out[order] = take[group]
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
    projection += 0.0
    keys = projection.view(np.uint64)  # the projection's bits, mixed in place
    # The seed's offset is computed on Python ints: numpy warns when a scalar
    # (unlike an array) wraps around.
    keys += np.uint64(seed * _GOLDEN % 2**64)
    return _splitmix64(keys)


def _splitmix64(z):
    """Mix the uint64 values of z, in place; return z."""
    # uint64 arithmetic wraps around, as the mixing function means it to.
    for shift, factor in ((30, _MIX_1), (27, _MIX_2), (31, None)):
        z ^= z >> np.uint64(shift)
        if factor is not None:
            z *= factor
    return z


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
        start, stop = indptr[i], indptr[i + 1]
        total = 0.0
        if _sorted(indices, start, stop):
            for position in range(start, stop):
                if data[position] != 0:
                    total += data[position] * feature_salt[indices[position]]
        else:
            # Summed in column order all the same, through an argsort of the
            # row's indices: sorting X's indices would copy X.
            for offset in np.argsort(indices[start:stop], kind="mergesort"):
                position = start + offset
                if data[position] != 0:
                    total += data[position] * feature_salt[indices[position]]
        for k in range(Y.shape[1]):
            total += Y[i, k] * target_salt[k]
        projection[i] = total
    return projection


@njit_cached()
def _sorted(indices, start, stop):
    for position in range(start + 1, stop):
        if indices[position] < indices[position - 1]:
            return False
    return True
