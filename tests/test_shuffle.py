"""Shuffled epochs (``_shuffle.py``): short blocks of rows by default, single
rows with ``shuffle="rows"``; what each order is, and how each trains."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    make_regression,
)
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_delta import (
    DeltaRuleClassifier,
    DeltaRuleRegressor,
    DivergenceWarning,
    _compiled,
    _shuffle,
)
from sklearn_delta._shuffle import EpochOrders, block_rows, epoch_order, row_bytes

SEEDS = range(5)


@pytest.mark.parametrize(
    "n_rows, block", [(1000, 16), (1003, 16), (17, 4), (64, 64), (63, 100)]
)
def test_an_epoch_order_visits_every_row_once_in_blocks(n_rows, block):
    order = epoch_order(n_rows, block, np.random.default_rng(0))
    np.testing.assert_array_equal(np.sort(order), np.arange(n_rows))
    # Rows follow one another except where a block starts (and where the
    # wrapped block passes from the last row to row 0).
    jumps = np.count_nonzero(np.diff(order) != 1)
    assert jumps <= 2 * -(-n_rows // block)


def test_block_edges_and_order_move_between_epochs():
    orders = [epoch_order(1000, 16, np.random.default_rng([0, e])) for e in range(5)]
    assert len({int(order[0]) % 16 for order in orders}) > 1  # a fresh offset
    assert not any(np.array_equal(orders[0], other) for other in orders[1:])


@pytest.mark.parametrize("n_blocks, stretches", [(100, 7), (26, 26), (5, 9), (9, 1)])
def test_dealt_blocks_take_one_block_from_every_stretch_each_round(n_blocks, stretches):
    dealt = _shuffle.dealt_blocks(n_blocks, stretches, np.random.default_rng(0))
    np.testing.assert_array_equal(np.sort(dealt), np.arange(n_blocks))
    stretches = min(stretches, n_blocks)
    # Runs of n_blocks // stretches or one more consecutive blocks.
    bounds = np.arange(stretches + 1) * n_blocks // stretches
    stretch = np.searchsorted(bounds, np.arange(n_blocks), side="right") - 1
    # Any `stretches` consecutive blocks of the full rounds, aligned or not.
    for first in range((n_blocks // stretches - 1) * stretches + 1):
        window = stretch[dealt[first : first + stretches]]
        np.testing.assert_array_equal(np.sort(window), np.arange(stretches))


def test_a_batch_of_blocks_draws_from_every_part_of_x():
    # 20_000 rows in blocks of 10, batches of 256 (26 blocks): each batch
    # takes a block from at least 24 of 26 stretches of X. Blocks drawn at
    # random would cover about 17.
    order = epoch_order(20_000, 10, np.random.default_rng(0), batch_size=256)
    for start in range(0, 20_000 - 255, 256):
        stretches = np.unique(order[start : start + 256] * 26 // 20_000)
        assert len(stretches) >= 24, (start, stretches)


def test_a_block_of_one_row_is_the_permutation_of_single_rows():
    expected = np.random.default_rng(3).permutation(500)
    np.testing.assert_array_equal(
        epoch_order(500, 1, np.random.default_rng(3)), expected
    )


def test_a_block_holds_about_8_kib_of_rows_and_a_batch_at_least_24_blocks():
    assert block_rows(4096, True, 800) == 10  # 100 float64 features
    assert block_rows(4096, True, 400) == 20  # 100 float32 features
    assert block_rows(256, True, 400) == 10  # 256 // 24: the batch's cap
    assert block_rows(4096, True, 9000) == 1  # a row larger than a block
    assert block_rows(47, True, 8) == 1  # batches below 48: single rows
    assert block_rows(48, True, 8) == 2
    assert block_rows(1, True, 8) == 1  # online steps


def test_true_and_blocks_visit_blocks_rows_and_false_single_rows():
    assert block_rows(4096, True, 800) == block_rows(4096, "blocks", 800) == 10
    assert block_rows(4096, np.True_, 800) == 10
    assert block_rows(4096, "rows", 800) == 1
    assert block_rows(4096, False, 800) == 1


def test_the_bytes_of_a_row_dense_and_sparse():
    X = np.zeros((10, 100), dtype=np.float32)
    assert row_bytes(X) == 400
    sparse = sp.random(10, 100, density=0.1, format="csr", random_state=0)
    assert row_bytes(sparse) == (sparse.data.nbytes + sparse.indices.nbytes) / 10


def test_shuffle_takes_true_false_rows_or_blocks_only():
    X, y = make_regression(50, 3, random_state=0)
    for bad in ("Rows", "single", 2):
        with pytest.raises(InvalidParameterError, match="shuffle"):
            DeltaRuleRegressor(shuffle=bad).fit(X, y)


@pytest.mark.parametrize("shuffle", [True, "rows"])
def test_a_shuffled_refit_is_bit_identical(shuffle):
    X, y = make_regression(4000, 10, noise=1, random_state=0)

    def fit(seed):
        model = DeltaRuleRegressor(
            batch_size=64, max_iter=5, tol=None, shuffle=shuffle, random_state=seed
        )
        return model.fit(X, y)

    first, again = fit(7), fit(7)
    np.testing.assert_array_equal(first.coef_, again.coef_)
    np.testing.assert_array_equal(first.loss_curve_, again.loss_curve_)
    assert not np.array_equal(fit(8).coef_, first.coef_)


def _fit(X, y, **params):
    model = DeltaRuleRegressor(max_iter=4, tol=None, random_state=3, **params)
    return model.fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"batch_size": 1},
        {"batch_size": 64, "shuffle": True},
        {"batch_size": 8, "early_stopping": True, "n_iter_no_change": 10},
        # Diverges at first: rolled-back epochs are run again, in their order.
        {"batch_size": 1, "eta0": 0.5},
    ],
)
def test_orders_drawn_ahead_in_threads_train_the_same_model(params, monkeypatch):
    X, y = make_regression(3000, 8, noise=1, random_state=0)
    X = np.vstack([X[:2990], 40 * X[2990:]])  # a few large rows, for the divergence
    with warnings.catch_warnings():
        # Only the diverging fit warns, the same way on both roads.
        warnings.simplefilter("ignore", DivergenceWarning)
        inline = _fit(X, y, **params)
        drawn = []
        monkeypatch.setattr(_shuffle, "DRAW_AHEAD_ROWS", 0)
        monkeypatch.setattr(_shuffle, "_Drawing", _recording(_shuffle._Drawing, drawn))
        ahead = _fit(X, y, **params)
    assert len(drawn) >= 3  # epochs 2, 3 and 4 at least
    np.testing.assert_array_equal(ahead.coef_, inline.coef_)
    np.testing.assert_array_equal(ahead.loss_curve_, inline.loss_curve_)
    assert ahead.n_iter_ == inline.n_iter_


def _recording(cls, drawn):
    class Recording(cls):
        def __init__(self, draw, epoch):
            drawn.append(epoch)
            super().__init__(draw, epoch)

    return Recording


def test_an_order_is_drawn_ahead_only_for_the_calls_next_epoch(monkeypatch):
    monkeypatch.setattr(_shuffle, "DRAW_AHEAD_ROWS", 0)
    model = DeltaRuleRegressor(batch_size=2)
    model._seed = 0
    config = model._config(np.zeros((9, 1)), 9, 1, 0.1)
    orders = EpochOrders(9, config, rows=None, last_epoch=2)
    first = orders(0)
    assert list(orders._ahead) == [1]
    np.testing.assert_array_equal(orders(1), _shuffle.batch_order(9, config, 1))
    assert orders._ahead == {}  # epoch 2 is not this call's
    np.testing.assert_array_equal(orders(0), first)  # run again: drawn again


def test_an_error_in_the_drawing_thread_is_raised_where_the_order_is_needed():
    def draw(epoch):
        raise MemoryError("no room for the order")

    drawing = _shuffle._Drawing(draw, 1)
    with pytest.raises(MemoryError, match="no room"):
        drawing.result()


def test_without_threads_to_be_had_the_orders_are_drawn_when_needed(monkeypatch):
    def refuse(self):
        raise RuntimeError("can't start new thread")

    X, y = make_regression(3000, 8, noise=1, random_state=0)
    inline = _fit(X, y, batch_size=8)
    monkeypatch.setattr(_shuffle, "DRAW_AHEAD_ROWS", 0)
    monkeypatch.setattr(_shuffle._Drawing, "start", refuse)
    without_threads = _fit(X, y, batch_size=8)
    np.testing.assert_array_equal(without_threads.coef_, inline.coef_)
    np.testing.assert_array_equal(without_threads.loss_curve_, inline.loss_curve_)


def test_few_rows_or_unshuffled_epochs_draw_no_thread(monkeypatch):
    drawn = []
    monkeypatch.setattr(_shuffle, "_Drawing", _recording(_shuffle._Drawing, drawn))
    X, y = make_regression(2000, 3, random_state=0)
    _fit(X, y, batch_size=8)  # fewer rows than DRAW_AHEAD_ROWS
    monkeypatch.setattr(_shuffle, "DRAW_AHEAD_ROWS", 0)
    _fit(X, y, batch_size=8, shuffle=False)
    _fit(X, y, batch_size="full")
    assert drawn == []


def test_the_epoch_kernels_release_the_gil():
    # So that the next epoch's order is drawn while they run.
    for name in ("dense_epoch", "dense_online_epoch", "csr_epoch", "csr_online_epoch"):
        for entry in (name, name + "_linear"):
            kernel = getattr(_compiled, entry)
            assert kernel.targetoptions.get("nogil") is True, entry


def _data(order):
    """Noisy linear data and a test set: in random order, sorted by target,
    or in "time order" (sorted by a feature that drifts with time)."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal(20)
    X = rng.standard_normal((20_000, 20))
    y = X @ w + 5 * rng.standard_normal(len(X)) + 10
    X_test = rng.standard_normal((5000, 20))
    keep = {
        "random": np.arange(len(y)),
        "sorted": np.argsort(y),
        "time": np.argsort(X[:, 0]),
    }[order]
    return X[keep], y[keep], X_test, X_test @ w + 10


def _scores(data, shuffle, batch_size=256, estimator=DeltaRuleRegressor, epochs=10):
    """Test scores of fits on ``data``, (X, y, X_test, y_test), over the seeds
    (by default batch-256 regressions, in blocks of 10 rows when shuffled)."""
    X, y, X_test, y_test = data
    return np.array(
        [
            estimator(
                batch_size=batch_size,
                max_iter=epochs,
                tol=None,
                shuffle=shuffle,
                random_state=s,
            )
            .fit(X, y)
            .score(X_test, y_test)
            for s in SEEDS
        ]
    )


def _within_seed_noise(scores, reference):
    """Whether the mean of ``scores`` is within two standard deviations of
    the ``reference`` scores (over the seeds) of their mean."""
    noise = max(reference.std(), 2e-3)
    return abs(scores.mean() - reference.mean()) <= 2 * noise


@pytest.mark.parametrize("order", ["random", "sorted", "time"])
def test_a_last_batch_of_few_rows_trains_as_well_as_full_batches(order):
    # 20_000 rows leave a last batch of 32 rows at batch 256, and none at
    # batch 250. Its step is as much smaller as it has fewer rows (see
    # _kernels.delta_rule_step). A full-size step from its 32 rows, the
    # fit's last, gave scores of 0.67-0.92 against 0.95-0.98.
    data = _data(order)
    with_few, without = _scores(data, "rows", 256), _scores(data, "rows", 250)
    assert _within_seed_noise(with_few, without), (with_few, without)


@pytest.mark.parametrize("order", ["random", "sorted", "time"])
def test_blocks_train_any_order_as_well_as_single_rows(order):
    # On data sorted by target, or in time order, a block's rows are alike:
    # blocks drawn anywhere scored 0.93 here, against 0.96 for single rows.
    # Dealt from every stretch of X, they score as single rows do.
    data = _data(order)
    blocks, rows = _scores(data, True), _scores(data, "rows")
    assert _within_seed_noise(blocks, rows), (blocks, rows)


@pytest.mark.parametrize("order", ["sorted", "time"])
def test_single_rows_train_any_order_as_well_as_random_order(order):
    # The order the data come in does not matter.
    in_order, other = _scores(_data("random"), "rows"), _scores(_data(order), "rows")
    assert _within_seed_noise(in_order, other), (in_order, other)


@pytest.mark.parametrize(
    "load, estimator, batch_size",
    [
        # Blocks of 10, 4 and 4 rows (batch_size // 24).
        (load_digits, DeltaRuleClassifier, 256),
        (load_breast_cancer, DeltaRuleClassifier, 96),
        (load_diabetes, DeltaRuleRegressor, 96),
    ],
)
def test_blocks_train_real_data_sorted_by_target_as_well_as_single_rows(
    load, estimator, batch_size
):
    X, y = load(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    keep = np.argsort(y_train, kind="stable")  # sorted by class or target
    data = X_train[keep], y_train[keep], X_test, y_test
    blocks, rows = (
        _scores(data, shuffle, batch_size, estimator, epochs=5)
        for shuffle in (True, "rows")
    )
    assert _within_seed_noise(blocks, rows), (blocks, rows)
