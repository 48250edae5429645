"""The compiled kernels compute what the numpy reference kernel computes.

Every path is compared on the same epoch: dense and CSR, float64 and
float32, each built-in activation and loss, online / mini-batch / full
batch, shuffled or not, with and without momentum, L2 penalty and
intercept.
"""

import itertools

import numpy as np
import pytest
from scipy import sparse

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor, _rows
from sklearn_delta._activations import ACTIVATIONS, SOFTMAX
from sklearn_delta._compiled import _rows_ahead
from sklearn_delta._kernels import delta_rule_epoch
from sklearn_delta._losses import LOSSES
from sklearn_delta._training import UpdateRule

N_SAMPLES, N_FEATURES, N_OUTPUTS = 53, 7, 3

# (activation, loss, n_outputs): every pairing the estimators can produce.
UNITS = [(name, "squared_error", N_OUTPUTS) for name in ACTIVATIONS] + [
    ("logistic", "log_loss", 1),
    ("softmax", "log_loss", N_OUTPUTS),
]


def run_epoch(X, Y, sample_weight, order, batch_size, rule, unit, compiled):
    name, loss, n_outputs = unit
    activation = SOFTMAX if name == "softmax" else ACTIVATIONS[name]
    dtype = Y.dtype
    coef = np.linspace(-0.3, 0.3, N_FEATURES * n_outputs, dtype=dtype)
    coef = coef.reshape(N_FEATURES, n_outputs)
    intercept = np.full(n_outputs, 0.1, dtype=dtype)
    velocity = (np.full_like(coef, 0.01), np.full_like(intercept, -0.01))
    epoch_loss = delta_rule_epoch(
        X,
        Y,
        sample_weight,
        order,
        batch_size,
        (coef, intercept),
        velocity,
        rule,
        activation,
        LOSSES[loss].for_activation(activation),
        compiled=compiled,
    )
    return epoch_loss, coef, intercept, *velocity


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: f"{unit[0]}-{unit[1]}")
@pytest.mark.parametrize("batch_size", [1, 8, N_SAMPLES])
def test_compiled_kernel_matches_numpy(dtype, layout, unit, batch_size):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES)).astype(dtype)
    X[X < 0.2] = 0.0  # sparse-ish, so CSR rows differ in length
    if layout == "csr":
        X = sparse.csr_matrix(X)
    n_outputs = unit[2]
    if unit[1] == "log_loss" and n_outputs > 1:
        Y = np.eye(n_outputs, dtype=dtype)[rng.integers(n_outputs, size=N_SAMPLES)]
    else:
        Y = rng.integers(2, size=(N_SAMPLES, n_outputs)).astype(dtype)
    sample_weight = rng.uniform(0, 2, N_SAMPLES).astype(dtype)
    tolerance = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {}
    for (momentum, alpha), shuffled, fit_intercept in itertools.product(
        [(0.0, 0.0), (0.9, 0.0), (0.0, 0.3), (0.5, 0.1)], [False, True], [True, False]
    ):
        order = rng.permutation(N_SAMPLES) if shuffled else None
        rule = UpdateRule(
            0.2, alpha, momentum, float(sample_weight.mean()), fit_intercept
        )
        arguments = (X, Y, sample_weight, order, batch_size, rule, unit)
        compiled = run_epoch(*arguments, compiled=True)
        reference = run_epoch(*arguments, compiled=False)
        for got, expected in zip(compiled, reference):
            np.testing.assert_allclose(got, expected, **tolerance)
            assert np.asarray(got).dtype == np.asarray(expected).dtype


@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("compiled", [True, False])
def test_a_smaller_last_batch_takes_a_step_as_much_smaller(layout, compiled):
    # Every row of an epoch weighs the same: a batch's step divides by the
    # batch size, also for the last batch when it holds fewer rows.
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(5, N_FEATURES)), rng.normal(size=(5, 1))
    eta, batch_size = 0.1, 4
    _, coef, intercept, _, _ = run_epoch(
        sparse.csr_matrix(X) if layout == "csr" else X,
        Y,
        np.ones(5),
        None,
        batch_size,
        UpdateRule(eta, 0.0, 0.0, 1.0, True),
        ("identity", "squared_error", 1),
        compiled,
    )
    # From run_epoch's starting weights: 4 rows, then 1.
    expected_coef = np.linspace(-0.3, 0.3, N_FEATURES).reshape(N_FEATURES, 1)
    expected_intercept = np.full(1, 0.1)
    for rows in (slice(0, 4), slice(4, 5)):
        delta = Y[rows] - (X[rows] @ expected_coef + expected_intercept)
        expected_coef += eta * X[rows].T @ delta / batch_size
        expected_intercept += eta * delta.sum(axis=0) / batch_size
    np.testing.assert_allclose(coef, expected_coef, rtol=1e-12)
    np.testing.assert_allclose(intercept, expected_intercept, rtol=1e-12)


def test_compiled_kernel_sparse_decay_handles_tiny_weight_scale():
    # eta * alpha close to 1 shrinks the lazy weight scale below its floor
    # within a few steps; the weights must still equal the numpy kernel's.
    rng = np.random.default_rng(1)
    X = sparse.random(200, N_FEATURES, density=0.5, random_state=1, format="csr")
    Y = rng.normal(size=(200, 1))
    sample_weight = np.ones(200)
    for eta_alpha in (0.99, 1.0, 1.5):
        rule = UpdateRule(0.5, eta_alpha / 0.5, 0.0, 1.0)
        unit = ("identity", "squared_error", 1)
        arguments = (X, Y, sample_weight, None, 1, rule, unit)
        compiled = run_epoch(*arguments, compiled=True)
        reference = run_epoch(*arguments, compiled=False)
        for got, expected in zip(compiled, reference):
            np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def test_custom_activation_uses_the_numpy_kernel():
    # A custom activation cannot be compiled: fits still run, through numpy,
    # and give the same model as the built-in it imitates.
    from sklearn_delta import Activation

    X = np.random.default_rng(0).normal(size=(60, 3))
    y = X @ [1.0, -2.0, 0.5]
    own = Activation(
        lambda h: h, lambda h, out: np.ones_like(h), name="linear", inverse=lambda y: y
    )
    assert own.kernel_code is None
    models = [
        DeltaRuleRegressor(activation=a, random_state=0, max_iter=5, tol=None).fit(X, y)
        for a in (own, "identity")
    ]
    np.testing.assert_allclose(models[0].coef_, models[1].coef_, rtol=1e-10)


@pytest.mark.parametrize("batch_size", [1, 16])
def test_fortran_ordered_input_gives_the_same_model(batch_size):
    X = np.random.default_rng(0).normal(size=(80, 4))
    y = (X[:, 0] > 0).astype(int)
    models = [
        DeltaRuleClassifier(
            batch_size=batch_size, random_state=0, max_iter=3, tol=None
        ).fit(data, y)
        for data in (X, np.asfortranarray(X))
    ]
    np.testing.assert_array_equal(models[0].coef_, models[1].coef_)


@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("batch_size", [1, 8, 40])
@pytest.mark.parametrize("shuffled", [False, True])
@pytest.mark.parametrize("compiled", [True, False])
def test_an_order_of_some_rows_trains_on_those_rows_as_a_copy_would(
    layout, batch_size, shuffled, compiled, monkeypatch
):
    # Early stopping trains on the rows it does not hold out through an
    # order of their indices, instead of a copy of them: the epoch must be
    # the epoch on the copy. Tiny blocks make a full batch of scattered
    # rows (40 of them) add up its sums over several blocks.
    monkeypatch.setattr(_rows, "BLOCK_BYTES", 3 * N_FEATURES * 8)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(N_SAMPLES, N_FEATURES))
    X[X < 0.2] = 0.0
    Y = rng.normal(size=(N_SAMPLES, 2))
    sample_weight = rng.uniform(0.5, 2, N_SAMPLES)
    rows = np.sort(rng.choice(N_SAMPLES, 40, replace=False))
    positions = rng.permutation(40) if shuffled else None
    order = rows if positions is None else rows[positions]
    if layout == "csr":
        X = sparse.csr_matrix(X)
    rule = UpdateRule(0.05, 0.1, 0.5, float(sample_weight[rows].mean()))
    unit = ("tanh", "squared_error", 2)
    on_rows = run_epoch(X, Y, sample_weight, order, batch_size, rule, unit, compiled)
    on_copy = run_epoch(
        X[rows],
        Y[rows],
        sample_weight[rows],
        positions,
        batch_size,
        rule,
        unit,
        compiled,
    )
    for got, expected in zip(on_rows, on_copy):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_the_compiled_kernel_refuses_a_dense_x_it_would_copy_every_epoch():
    X = np.asfortranarray(np.random.default_rng(0).normal(size=(N_SAMPLES, 7)))
    Y = np.zeros((N_SAMPLES, 1))
    rule = UpdateRule(0.1, 0.0, 0.0, 1.0)
    unit = ("identity", "squared_error", 1)
    with pytest.raises(ValueError, match="C-ordered"):
        run_epoch(X, Y, np.ones(N_SAMPLES), None, 8, rule, unit, True)


@pytest.mark.parametrize(
    "shape, dtype, rows",
    [
        ((1, 100), np.float64, 8),  # 800-byte rows: 6400 bytes ahead
        ((1, 100), np.float32, 16),
        ((1, 20), np.float64, 32),  # short rows: at most 32 ahead
        ((1, 1000), np.float64, 2),  # long rows: at least 2 ahead
        ((1, 1), np.float32, 32),
    ],
)
def test_the_dense_kernels_prefetch_about_6400_bytes_of_rows_ahead(shape, dtype, rows):
    assert _rows_ahead(np.zeros(shape, dtype)) == rows
