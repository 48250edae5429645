"""The early-stopping split: rows held out by content, weights as repeats."""

import itertools
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import load_iris, make_regression

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor
from sklearn_delta._split import validation_rows

X_IRIS, Y_IRIS = load_iris(return_X_y=True)


def held_out(X, y, sample_weight=None, strata=None, fraction=0.1, seed=0):
    Y = np.asarray(y, dtype=float).reshape(len(y), -1)
    if sample_weight is None:
        sample_weight = np.ones(len(Y))
    return validation_rows(X, Y, sample_weight, strata, fraction, seed)


def test_unit_weights_give_a_stratified_split_of_ceil_fraction_rows():
    mask = held_out(X_IRIS, Y_IRIS, strata=Y_IRIS, fraction=0.1)
    assert np.bincount(Y_IRIS[mask]).tolist() == [5, 5, 5]
    mask = held_out(X_IRIS, Y_IRIS, strata=Y_IRIS, fraction=0.25)
    assert np.bincount(Y_IRIS[mask]).tolist() == [13, 13, 13]


def test_the_split_follows_the_rows_not_their_positions():
    X, y = make_regression(200, 4, random_state=0)
    mask = held_out(X, y, fraction=0.2)
    assert mask.sum() == 40
    order = np.random.default_rng(0).permutation(200)
    assert np.array_equal(held_out(X[order], y[order], fraction=0.2), mask[order])


def test_the_split_is_random_over_seeds():
    X, y = make_regression(200, 4, random_state=0)
    masks = [held_out(X, y, fraction=0.2, seed=seed) for seed in range(200)]
    # Each row is held out about a fifth of the time, and no two seeds agree.
    share = np.mean(masks, axis=0)
    assert 0.1 < share.min() and share.max() < 0.35
    assert len({mask.tobytes() for mask in masks}) == 200


def test_copies_of_a_row_land_together():
    X, y = make_regression(60, 3, random_state=0)
    copies = np.repeat(np.arange(60), 3)
    mask = held_out(X[copies], y[copies], fraction=0.3)
    assert np.array_equal(
        mask.reshape(60, 3).min(axis=1), mask.reshape(60, 3).max(axis=1)
    )


def test_a_weight_of_k_is_held_out_as_k_copies():
    X, y = make_regression(60, 3, random_state=0)
    weights = np.random.default_rng(0).integers(0, 5, size=60)
    by_weight = held_out(X, y, sample_weight=weights.astype(float), fraction=0.2)
    repeated = held_out(
        np.repeat(X, weights, axis=0), np.repeat(y, weights), fraction=0.2
    )
    positive = weights > 0
    assert np.array_equal(
        by_weight[positive], repeated[np.cumsum(weights)[positive] - 1]
    )
    # The held-out weight is the fraction of the total, rounded up to a row.
    held_weight = weights[by_weight].sum()
    assert 0.2 * weights.sum() <= held_weight < 0.2 * weights.sum() + weights.max()


def test_dense_and_csr_rows_give_the_same_split():
    X, y = make_regression(100, 6, random_state=0)
    X[X < 0.3] = 0.0
    X[0, 0] = -0.0
    csr = sparse.csr_matrix(X)
    assert np.array_equal(held_out(X, y), held_out(csr, y))
    # The same rows with their values stored in another order within each row.
    shuffled = csr.copy()
    for start, stop in zip(csr.indptr[:-1], csr.indptr[1:]):
        shuffled.indices[start:stop] = csr.indices[start:stop][::-1]
        shuffled.data[start:stop] = csr.data[start:stop][::-1]
    shuffled.has_sorted_indices = False
    assert np.array_equal(held_out(X, y), held_out(shuffled, y))
    X32 = X.astype(np.float32)
    assert np.array_equal(held_out(X32, y), held_out(sparse.csr_matrix(X32), y))


def test_a_class_is_never_held_out_whole():
    X = np.arange(10, dtype=float).reshape(5, 2)
    y = np.array([0, 0, 0, 1, 1])
    mask = held_out(X, y, strata=y, fraction=0.9)
    assert mask[:3].sum() == 2 and mask[3:].sum() == 1
    # A class with a single distinct row keeps it for training.
    mask = held_out(X, np.array([0, 0, 0, 0, 1]), strata=np.array([0, 0, 0, 0, 1]))
    assert not mask[4]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("Estimator", [DeltaRuleRegressor, DeltaRuleClassifier])
def test_weighted_early_stopping_fit_equals_the_fit_on_repeated_rows(Estimator):
    X, y = make_regression(80, 3, random_state=0)
    if Estimator is DeltaRuleClassifier:
        y = np.digitize(y, [-50, 50])
    weights = np.random.default_rng(1).integers(0, 4, size=80)
    params = {"early_stopping": True, "batch_size": "full", "random_state": 0}
    params["max_iter"] = 30
    weighted = Estimator(**params).fit(X, y, sample_weight=weights)
    order = np.random.default_rng(2).permutation(weights.sum())
    repeated = Estimator(**params).fit(
        np.repeat(X, weights, axis=0)[order], np.repeat(y, weights)[order]
    )
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-9)
    np.testing.assert_allclose(
        weighted.validation_scores_, repeated.validation_scores_, rtol=1e-9
    )
    assert weighted.n_iter_ == repeated.n_iter_


def test_the_split_warns_of_nothing():
    X, y = make_regression(50, 3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for seed in (0, 2**31 - 2):
            held_out(X, y, seed=seed)


def test_identical_rows_cannot_be_split():
    X = np.ones((10, 2))
    with pytest.raises(ValueError, match="at least 2 distinct samples"):
        DeltaRuleRegressor(early_stopping=True).fit(X, np.ones(10))


def test_unsummed_duplicate_csr_entries_give_the_same_split_and_model():
    X, y = make_regression(200, 4, random_state=0)
    X[np.abs(X) < 0.5] = 0.0
    single = sparse.csr_matrix(X)
    # Each stored value split into two entries of the same column, as a
    # matrix built from (data, (row, col)) triplets may hold them.
    data = np.empty(2 * single.nnz)
    data[0::2], data[1::2] = 0.3 * single.data, 0.7 * single.data
    doubled = sparse.csr_matrix(
        (data, np.repeat(single.indices, 2), 2 * single.indptr), shape=X.shape
    )
    summed = doubled.copy()
    summed.sum_duplicates()
    assert doubled.nnz == 2 * summed.nnz
    np.testing.assert_array_equal(held_out(doubled, y), held_out(summed, y))
    # The same split, so the same model up to the rounding of adding the
    # two entries apart.
    model = DeltaRuleRegressor(early_stopping=True, random_state=0)
    np.testing.assert_allclose(
        clone(model).fit(doubled, y).validation_scores_,
        clone(model).fit(summed, y).validation_scores_,
        rtol=1e-12,
    )


def test_csr_rows_with_unsorted_indices_give_the_same_split():
    # The split sums each row in column order, on a sorted copy, and leaves
    # X as it was.
    X, y = make_regression(60, 8, random_state=0)
    X[np.abs(X) < 0.7] = 0.0
    ordered = sparse.csr_matrix(X)
    shuffled = ordered.copy()
    rng = np.random.default_rng(0)
    for start, stop in itertools.pairwise(shuffled.indptr):
        mix = start + rng.permutation(stop - start)
        shuffled.indices[start:stop] = shuffled.indices[mix]
        shuffled.data[start:stop] = shuffled.data[mix]
    shuffled.has_sorted_indices = False
    np.testing.assert_array_equal(held_out(shuffled, y), held_out(ordered, y))
    assert not shuffled.has_sorted_indices  # and X was left as it was
