"""The delta rule itself: the exact step, convergence, and the update modes."""

import numpy as np
import pytest
from scipy import sparse
from scipy.special import expit
from sklearn.datasets import load_diabetes, make_classification, make_regression
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor


def one_step(estimator, x, target, w0, b0):
    """Fit one epoch on one sample from the given weights."""
    return estimator.set_params(batch_size=1, max_iter=1, shuffle=False).fit(
        x[np.newaxis, :], [target], coef_init=w0, intercept_init=b0
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_one_online_step_is_the_seed_rule_identity():
    x = np.array([0.5, -1.0, 2.0])
    w0, b0, y, eta0 = np.array([0.1, 0.2, -0.3]), np.array([0.05]), 1.5, 0.01
    model = one_step(DeltaRuleRegressor(eta0=eta0), x, y, w0, b0)
    net_input = w0 @ x + b0[0]
    delta = (y - net_input) * 1.0  # f'(h) = 1 for the identity
    np.testing.assert_allclose(model.coef_ - w0, eta0 * delta * x, rtol=1e-12)
    np.testing.assert_allclose(model.intercept_ - b0, eta0 * delta, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_one_online_step_is_the_seed_rule_logistic():
    x = np.array([1.0, -2.0])
    w0, b0, eta0 = np.array([[0.3, 0.1]]), np.array([-0.2]), 0.5
    model = DeltaRuleClassifier(eta0=eta0, batch_size=1, max_iter=1, shuffle=False)
    # Two samples are needed for two classes; the second has weight zero, so
    # only the first moves the weights.
    model.fit(
        np.vstack([x, [9.0, 9.0]]),
        ["yes", "no"],
        sample_weight=[2.0, 0.0],
        coef_init=w0,
        intercept_init=b0,
    )
    output = expit(w0[0] @ x + b0[0])
    delta = (1.0 - output) * output * (1.0 - output)  # (y - y^) f'(h), y=1
    # The step is scaled by the weight over the mean weight: 2 / 1 = 2.
    np.testing.assert_allclose(
        model.coef_ - w0, 2 * eta0 * delta * x[np.newaxis], rtol=1e-12
    )


def test_full_batch_identity_reaches_least_squares():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    model = DeltaRuleRegressor(
        batch_size="full", eta0=0.1, max_iter=3000, tol=None
    ).fit(X, y)
    ols_mse = mean_squared_error(y, LinearRegression().fit(X, y).predict(X))
    assert mean_squared_error(y, model.predict(X)) <= 1.001 * ols_mse
    assert np.all(np.diff(model.loss_curve_) <= 0)
    assert model.n_iter_ == 3000


@pytest.mark.parametrize("batch_size", [1, 7, "auto", "full"])
@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_every_batch_mode_learns(batch_size, momentum):
    X, y = make_regression(200, 5, noise=1.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    model = DeltaRuleRegressor(
        batch_size=batch_size,
        momentum=momentum,
        eta0=0.05,
        max_iter=500,
        random_state=0,
    ).fit(X, y)
    assert model.score(X, y) > 0.99
    assert model.loss_curve_[-1] < 0.1 * model.loss_curve_[0]


def test_loss_curve_is_the_mean_loss_of_each_epoch():
    # With full batches and no momentum, an epoch's loss is the objective of
    # the weights it started from (penalty included): recompute it from the
    # previous epoch's weights.
    X, y = make_regression(50, 3, random_state=0)
    model = DeltaRuleRegressor(
        batch_size="full", eta0=0.01, alpha=0.1, max_iter=1, tol=None
    )
    model.fit(X, y)
    w, b = model.coef_.copy(), model.intercept_.copy()
    model.set_params(warm_start=True).fit(X, y)
    expected = 0.5 * np.mean((y - X @ w - b) ** 2) + 0.05 * np.sum(w**2)
    assert model.loss_curve_[-1] == pytest.approx(expected, rel=1e-10)
    assert len(model.loss_curve_) == model.n_iter_ == 2


def test_same_random_state_is_bit_identical():
    X, y = make_classification(300, 8, n_classes=3, n_informative=4, random_state=0)
    # Mini-batches, so that the seed matters (it shuffles the rows).
    params = {"momentum": 0.5, "batch_size": 32}
    first = DeltaRuleClassifier(random_state=7, **params).fit(X, y)
    second = DeltaRuleClassifier(random_state=7, **params).fit(X, y)
    other = DeltaRuleClassifier(random_state=8, **params).fit(X, y)
    assert np.array_equal(first.coef_, second.coef_)
    assert first.loss_curve_ == second.loss_curve_
    assert not np.array_equal(first.coef_, other.coef_)


def test_shuffling_does_not_copy_or_touch_X():
    X, y = make_regression(100, 4, random_state=0)
    X.setflags(write=False)
    before = X.copy()
    DeltaRuleRegressor(random_state=0, max_iter=5, tol=None).fit(X, y)
    assert np.array_equal(X, before)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("Estimator", [DeltaRuleRegressor, DeltaRuleClassifier])
def test_sparse_csr_gives_the_dense_result(Estimator):
    X, y = make_classification(120, 6, random_state=0)
    X[X < 0.5] = 0.0
    dense = Estimator(random_state=0, max_iter=20).fit(X, y)
    csr = Estimator(random_state=0, max_iter=20).fit(sparse.csr_matrix(X), y)
    np.testing.assert_allclose(dense.coef_, csr.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        dense.predict(X), csr.predict(sparse.csr_array(X)), rtol=1e-10
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("Estimator", [DeltaRuleRegressor, DeltaRuleClassifier])
def test_float32_stays_float32(Estimator):
    X, y = make_classification(100, 5, random_state=0)
    model = Estimator(random_state=0, max_iter=10).fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float32
    assert model.intercept_.dtype == np.float32
    if Estimator is DeltaRuleRegressor:
        assert model.predict(X.astype(np.float32)).dtype == np.float32
    else:
        assert model.predict_proba(X.astype(np.float32)).dtype == np.float32


# -- where training starts ----------------------------------------------------


def starting_intercept(model):
    """The intercept a fit started from (recorded before the first epoch)."""
    return model.intercept_history_[0]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_starts_at_the_weighted_mean_target():
    X, y = make_regression(50, 3, random_state=0)
    Y = np.column_stack([y + 100.0, -y])
    weights = np.arange(1.0, 51.0)
    model = DeltaRuleRegressor(max_iter=1, record_weights=True)
    model.fit(X, Y, sample_weight=weights)
    np.testing.assert_allclose(
        starting_intercept(model), np.average(Y, axis=0, weights=weights)
    )
    assert not model.coef_history_[0].any()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "activation, share_to_intercept",
    [
        # The unit's output is the weighted share of class 1 among the rows.
        ("logistic", lambda share: np.log(share / (1 - share))),
        # Targets -1 and 1: the mean target is 2 * share - 1.
        ("tanh", lambda share: np.arctanh(2 * share - 1)),
        ("identity", lambda share: 2 * share - 1),
    ],
)
def test_classifier_starts_at_the_weighted_class_share(activation, share_to_intercept):
    X, y = make_classification(50, 3, n_informative=2, n_redundant=0, random_state=0)
    class_weight = {0: 1.0, 1: 3.0}
    model = DeltaRuleClassifier(
        activation=activation,
        class_weight=class_weight,
        max_iter=1,
        record_weights=True,
    ).fit(X, y)
    share = 3.0 * np.sum(y == 1) / (np.sum(y == 0) + 3.0 * np.sum(y == 1))
    np.testing.assert_allclose(starting_intercept(model), [share_to_intercept(share)])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_softmax_starts_at_the_class_shares():
    X, y = load_diabetes(return_X_y=True)
    y = np.digitize(y, [100, 150])  # three classes of unequal size
    model = DeltaRuleClassifier(loss="log_loss", max_iter=1, record_weights=True)
    model.fit(X, y)
    start = np.exp(starting_intercept(model))
    np.testing.assert_allclose(start / start.sum(), np.bincount(y) / len(y))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "activation, kept_output", [("logistic", 0.05), ("tanh", -0.9), ("relu", 0.05)]
)
def test_start_keeps_away_from_the_flat_ends(activation, kept_output):
    # Class weights make class 0 nearly all of the weight: the mean target
    # lies at the end of the output range, where f' vanishes. The unit starts
    # 5% of the way in instead.
    X, y = make_classification(60, 3, n_informative=2, n_redundant=0, random_state=0)
    model = DeltaRuleClassifier(
        activation=activation,
        class_weight={0: 1000.0, 1: 1e-4},
        max_iter=1,
        record_weights=True,
    ).fit(X, y)
    output = model._output_activation(1).function(starting_intercept(model))
    np.testing.assert_allclose(output, [kept_output])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_activation_without_inverse_starts_at_zero_and_intercept_init_wins():
    from sklearn_delta import Activation

    X, y = make_regression(40, 2, random_state=0)
    y = y + 50.0
    linear = Activation(lambda h: h, lambda h, out: np.ones_like(h))
    model = DeltaRuleRegressor(activation=linear, max_iter=1, record_weights=True)
    assert starting_intercept(model.fit(X, y)) == [0.0]
    model = DeltaRuleRegressor(max_iter=1, record_weights=True)
    assert starting_intercept(model.fit(X, y, intercept_init=[3.0])) == [3.0]
