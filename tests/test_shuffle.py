"""The block shuffle (``_shuffle.py``): orders, when it applies, and that it
trains as well as a permutation of single rows on ordered data."""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor, _shuffle
from sklearn_delta._shuffle import block_rows, epoch_order

SEEDS = range(5)


@pytest.mark.parametrize("n_rows, block", [(1000, 16), (1003, 16), (17, 4), (64, 64)])
def test_an_epoch_order_visits_every_row_once_in_blocks(n_rows, block):
    rng = np.random.default_rng(0)
    order = epoch_order(n_rows, block, rng)
    np.testing.assert_array_equal(np.sort(order), np.arange(n_rows))
    # Rows follow one another except where a block starts (and where the
    # wrapped block passes from the last row to row 0).
    jumps = np.count_nonzero(np.diff(order) != 1)
    assert jumps <= 2 * -(-n_rows // block)


def test_block_edges_and_order_move_between_epochs():
    orders = [epoch_order(1000, 16, np.random.default_rng([0, e])) for e in range(5)]
    starts = {int(order[0]) % 16 for order in orders}
    assert len(starts) > 1  # a fresh offset
    assert not any(np.array_equal(orders[0], other) for other in orders[1:])


def test_a_block_of_one_row_is_the_permutation_of_single_rows():
    expected = np.random.default_rng(3).permutation(500)
    np.testing.assert_array_equal(
        epoch_order(500, 1, np.random.default_rng(3)), expected
    )


def test_blocks_are_used_for_large_data_and_large_enough_batches_only():
    big = np.empty((1_000_000, 100))
    assert block_rows(big, 1_000_000, 256, True) == 64
    assert block_rows(big, 1_000_000, 256, "rows") == 1
    assert block_rows(big, 1_000_000, 1, True) == 1  # online: single rows
    assert block_rows(big, 1_000_000, 32, True) == 1  # blocks of 6 KiB
    # docs/user_guide/delta_rule.rst: from batches of 81 rows (blocks of 16 KiB)
    assert block_rows(big, 1_000_000, 81, True) == 21
    assert block_rows(big, 1_000_000, 80, True) == 1
    assert block_rows(big[:1000], 1000, 256, True) == 1  # 0.8 MB: in cache


def test_shuffle_takes_true_false_or_rows_only():
    X, y = make_regression(50, 3, random_state=0)
    with pytest.raises(InvalidParameterError, match="shuffle"):
        DeltaRuleRegressor(shuffle="blocks").fit(X, y)


@pytest.fixture
def blocks_on_small_data(monkeypatch):
    """Block-shuffle the small data of these tests as if it were large."""
    monkeypatch.setattr(_shuffle, "SMALL_BYTES", 0)
    monkeypatch.setattr(_shuffle, "MIN_BLOCK_BYTES", 0)


def test_a_block_shuffled_refit_is_bit_identical(blocks_on_small_data):
    X, y = make_regression(4000, 10, noise=1, random_state=0)
    fits = [
        DeltaRuleRegressor(batch_size=64, max_iter=5, tol=None, random_state=7).fit(
            X, y
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(fits[0].coef_, fits[1].coef_)
    np.testing.assert_array_equal(fits[0].loss_curve_, fits[1].loss_curve_)
    other = DeltaRuleRegressor(batch_size=64, max_iter=5, tol=None, random_state=8)
    assert not np.array_equal(other.fit(X, y).coef_, fits[0].coef_)


def _ordered_regression(order):
    X, y = make_regression(20_000, 20, noise=20, random_state=0)
    if order == "time":
        # A drifting process: the first feature is time, and y depends on it.
        X[:, 0] = np.linspace(-3, 3, len(y))
        y = y + 30 * X[:, 0]
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    keep = np.argsort(y_train) if order == "target" else np.argsort(X_train[:, 0])
    return X_train[keep], y_train[keep], X_test, y_test


def _ordered_classes():
    X, y = make_classification(
        20_000, 20, n_informative=10, n_classes=3, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    keep = np.argsort(y_train, kind="stable")
    return X_train[keep], y_train[keep], X_test, y_test


def _scores(estimator, data, shuffle):
    X, y, X_test, y_test = data
    return np.array(
        [
            estimator.set_params(shuffle=shuffle, random_state=seed)
            .fit(X, y)
            .score(X_test, y_test)
            for seed in SEEDS
        ]
    )


@pytest.mark.parametrize(
    "estimator, data, order_hurts",
    [
        (DeltaRuleRegressor, lambda: _ordered_regression("target"), True),
        (DeltaRuleRegressor, lambda: _ordered_regression("time"), False),
        (DeltaRuleClassifier, _ordered_classes, True),
    ],
    ids=["sorted by target", "in time order", "sorted by class"],
)
def test_blocks_train_as_well_as_single_rows_on_ordered_data(
    estimator, data, order_hurts, blocks_on_small_data
):
    data = data()
    model = estimator(batch_size=128, max_iter=5, tol=None)
    blocks = _scores(model, data, True)
    rows = _scores(model, data, "rows")
    # Equal within seed noise: the means differ by less than the spread of
    # the seeds' scores (and a floor, for fits that all agree closely).
    noise = max(blocks.std(), rows.std(), 2e-3)
    assert abs(blocks.mean() - rows.mean()) <= 2 * noise, (blocks, rows)
    if not order_hurts:
        return
    # The data's order is not simply kept: no shuffle at all trains worse.
    kept = estimator(batch_size=128, max_iter=5, tol=None, shuffle=False)
    assert kept.fit(*data[:2]).score(*data[2:]) < rows.mean() - 2 * noise
