"""Training without a hand on the learning rate: eta0="auto", divergence
caught on every step, the penalty counted on the right weights, and stopping
as SGD* and MLP* users expect."""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_linnerud,
    load_wine,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler, normalize

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor, DivergenceWarning
from sklearn_delta._curvature import auto_learning_rate, second_moment_bounds


@pytest.fixture
def regression():
    X, y = make_regression(200, 5, noise=1, random_state=0)
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


def test_the_auto_rate_of_a_full_batch_is_below_the_edge_of_stability():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)) * [1.0, 3.0, 0.5, 10.0] + 2.0
    y = X @ [1.0, -1.0, 2.0, 0.1]
    weight = rng.uniform(0.5, 2.0, size=300)
    model = DeltaRuleRegressor(batch_size="full", max_iter=3, tol=None)
    model.fit(X, y, sample_weight=weight)
    Z = np.c_[X, np.ones(len(X))]
    largest = np.linalg.eigvalsh(Z.T @ (weight[:, None] * Z) / weight.sum())[-1]
    assert model.eta0_ < 2 / largest
    # Half the edge, as documented: the most curved direction in one step.
    assert model.eta0_ == pytest.approx(1 / largest, rel=1e-9)


def test_smaller_batches_get_smaller_rates(regression):
    X, y = regression
    rates = [
        DeltaRuleRegressor(batch_size=b, max_iter=1, tol=None).fit(X, y).eta0_
        for b in (1, 8, 32, "full")
    ]
    assert rates == sorted(rates)
    L, L_max = second_moment_bounds(X, np.ones(len(X)))
    assert rates[0] == pytest.approx(1 / (2 * L_max))  # half, for batches
    assert rates[-1] == pytest.approx(1 / L)
    # alpha and momentum enter as documented.
    rate = auto_learning_rate(1.0, L, L_max, len(X), 8, alpha=0.5, momentum=0.9)
    model = DeltaRuleRegressor(
        batch_size=8, alpha=0.5, momentum=0.9, max_iter=1, tol=None
    )
    assert model.fit(X, y).eta0_ == pytest.approx(rate)


def test_partial_fit_keeps_the_rate_of_its_first_call(regression):
    X, y = regression
    model = DeltaRuleRegressor(batch_size=1).partial_fit(X[:20], y[:20])
    first = model.eta0_
    # Rows three times larger: the kept rate is too large for them now, and
    # the guard says so.
    with pytest.warns(DivergenceWarning):
        model.partial_fit(X[20:] * 3, y[20:])
    assert model.eta0_ == first
    assert model.set_params(eta0=0.01).partial_fit(X, y).eta0_ == 0.01


def divergence_message(fit):
    """The one DivergenceWarning's message of ``fit()``."""
    with pytest.warns(DivergenceWarning) as caught:
        fit()
    (message,) = [str(w.message) for w in caught if w.category is DivergenceWarning]
    return message


def test_the_divergence_advice_fits_where_the_rate_came_from(regression):
    X, y = regression
    # A number given as eta0, in fit or in a stream: that number is named.
    for method in ("fit", "partial_fit"):
        model = DeltaRuleRegressor(batch_size="full", eta0=10.0, max_iter=3, tol=None)
        message = divergence_message(lambda: getattr(model, method)(X, y))
        assert "eta0=10 may be too large" in message
        assert "earlier chunk" not in message
    # eta0="auto" in a stream that kept the rate an earlier call chose: from
    # a first chunk, from the fit the stream continues, or from the call
    # after set_params(eta0="auto").
    streams = {
        "first chunk": DeltaRuleRegressor(batch_size=1).partial_fit(X, y),
        "fit": DeltaRuleRegressor(batch_size=1, max_iter=3, tol=None).fit(X, y),
        "set_params": DeltaRuleRegressor(batch_size=1, eta0=0.001)
        .partial_fit(X, y)
        .set_params(eta0="auto")
        .partial_fit(X, y),
    }
    for model in streams.values():
        message = divergence_message(lambda: model.partial_fit(X * 5, y))
        assert "chose this stream's rate from an earlier chunk" in message
        assert "may be too large" not in message
        assert "Standardise the features" in message


def test_a_diverging_last_epoch_is_caught(regression):
    X, y = regression
    model = DeltaRuleRegressor(batch_size="full", eta0=10, max_iter=1, tol=None)
    with pytest.warns(DivergenceWarning, match="diverged"):
        model.fit(X, y)
    # Rolled back and retried at a cut rate: far better than the R^2 of -88
    # that an unchecked last step left.
    assert model.score(X, y) > 0
    assert model.learning_rate_ < 10


def test_a_diverging_partial_fit_stream_is_caught(regression):
    X, y = regression
    model = DeltaRuleRegressor(batch_size="full", eta0=10)
    with pytest.warns(DivergenceWarning) as caught:
        for _ in range(10):
            model.partial_fit(X, y)
    assert model.score(X, y) > 0.9
    # One warning per call at most, each naming its cuts.
    assert 1 <= len(caught) <= 10
    assert all("from " in str(warning.message) for warning in caught)


def test_one_divergence_warning_per_call_and_no_contradicting_advice():
    X, y = load_breast_cancer(return_X_y=True)  # unscaled
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        DeltaRuleClassifier(eta0=1.0, batch_size=1, max_iter=3).fit(X, y)
    divergence = [w for w in caught if issubclass(w.category, DivergenceWarning)]
    assert len(divergence) == 1
    messages = " ".join(str(w.message) for w in caught)
    assert "raise eta0" not in messages


def test_the_penalty_is_counted_on_the_weights_the_epoch_saw():
    X, y = make_regression(60, 3, noise=5, random_state=1)
    alpha = 2.0
    model = DeltaRuleRegressor(
        alpha=alpha, batch_size="full", max_iter=8, tol=None, record_weights=True
    ).fit(X, y)
    for epoch, loss in enumerate(model.loss_curve_):
        coef = model.coef_history_[epoch]
        intercept = model.intercept_history_[epoch]
        residual = y - X @ coef - intercept
        expected = 0.5 * np.mean(residual**2) + 0.5 * alpha * np.sum(coef**2)
        assert loss == pytest.approx(expected, rel=1e-12)


def test_the_penalty_no_longer_makes_false_divergences():
    # Before, the penalty of the weights after an epoch was added to the loss
    # of the weights before it: this fit "diverged even at rate 5.82e-12".
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        DeltaRuleRegressor(
            alpha=1.0, batch_size="full", eta0=0.1, max_iter=5, tol=None
        ).fit([[1.0], [-1.0]], [0.1, -0.1], coef_init=[1.0], intercept_init=[0.0])


@pytest.mark.parametrize("alpha", 10.0 ** np.arange(-6, 4))
@pytest.mark.parametrize("Estimator", [DeltaRuleRegressor, DeltaRuleClassifier])
def test_no_alpha_makes_the_defaults_diverge(alpha, Estimator):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        warnings.simplefilter("error", ConvergenceWarning)
        Estimator(alpha=alpha).fit(X, y)


@pytest.mark.filterwarnings("ignore:eta0='auto' set this stream's learning rate")
def test_the_auto_rate_of_a_first_chunk_nears_the_datas_with_its_rows():
    # The figures of the streaming guide (the chunk of 1 row warns).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20_000, 20))
    y = X @ rng.normal(size=20)
    whole = DeltaRuleRegressor(max_iter=1, tol=None).fit(X, y).eta0_
    ratios = [
        DeltaRuleRegressor().partial_fit(X[:n], y[:n]).eta0_ / whole
        for n in (1, 21, 200, 2_000)
    ]
    np.testing.assert_allclose(ratios, [0.07, 0.34, 0.62, 0.88], atol=0.01)
    n, d, k = 20_000, 2**16, 30
    columns = rng.integers(0, d, size=(n, k))
    X = sparse.csr_matrix(
        (rng.random(n * k), columns.ravel(), np.arange(0, n * k + 1, k)), shape=(n, d)
    )
    X = normalize(X)
    y = X @ rng.normal(size=d)
    whole = DeltaRuleRegressor(max_iter=1, tol=None).fit(X, y).eta0_
    first = DeltaRuleRegressor().partial_fit(X[:100], y[:100]).eta0_
    assert first / whole == pytest.approx(0.99, abs=0.01)


def test_a_stream_whose_first_chunk_has_one_class_recovers():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    first = np.flatnonzero(y == 0)[:2]
    second = np.setdiff1d(np.arange(200), first)[:20]
    model = DeltaRuleClassifier(batch_size=1, random_state=0)
    with pytest.warns(UserWarning, match="from a partial_fit chunk of 2 row"):
        model.partial_fit(X[first], y[first], classes=[0, 1])
    model.partial_fit(X[second], y[second])
    assert set(model.predict(X)) == {0, 1}
    # It starts neutral between the two named classes, not at logit(0.05)
    # (a rate of ~0 leaves the start as it was).
    still = DeltaRuleClassifier(eta0=1e-12).partial_fit(X[first], y[first], [0, 1])
    assert still.intercept_[0] == pytest.approx(0.0, abs=1e-9)


def test_tol_none_runs_exactly_max_iter_epochs_quietly(regression):
    X, y = regression
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = DeltaRuleRegressor(tol=None, max_iter=37).fit(X, y)
    assert model.n_iter_ == len(model.loss_curve_) == 37


def test_n_iter_no_change_may_be_infinite(regression):
    X, y = regression
    model = DeltaRuleRegressor(n_iter_no_change=np.inf, max_iter=25)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        model.fit(X, y)
    assert model.n_iter_ == 25


@pytest.mark.parametrize("momentum", [0.9, 0.99])
def test_a_fit_the_stopping_rule_ends_mid_swing_keeps_its_best_weights(momentum):
    # Heavy-ball momentum makes a full batch's loss rise and fall; the rule
    # stops on a rise, and the model goes back to where its best epoch began.
    X, y = make_regression(500, 10, noise=10, random_state=0)
    model = DeltaRuleRegressor(momentum=momentum, random_state=0).fit(X, y)
    assert model.n_iter_ < model.max_iter
    assert model.loss_curve_[-1] > 2 * model.best_loss_  # it stopped on a rise
    objective = 0.5 * np.mean((y - model.predict(X)) ** 2)
    assert objective == pytest.approx(model.best_loss_, rel=1e-9)
    assert model.score(X, y) > 0.98  # the last weights scored 0.69-0.77


def test_warm_starts_after_going_back_to_the_best_weights_go_on_learning():
    # Going back puts the momentum at rest: with the velocity of the best
    # epoch's start, every warm start replayed the same swing.
    X, y = make_regression(500, 10, noise=10, random_state=0)
    model = DeltaRuleRegressor(momentum=0.9, warm_start=True, random_state=0)
    assert model.fit(X, y).score(X, y) < 0.99
    assert model.fit(X, y).score(X, y) > 0.995


def test_the_stopping_rule_on_the_last_allowed_epoch_keeps_the_best_weights_too():
    X, y = make_regression(500, 10, noise=10, random_state=0)
    model = DeltaRuleRegressor(momentum=0.9, random_state=0)
    n_iter = model.fit(X, y).n_iter_  # the epoch the rule stops at
    bounded = DeltaRuleRegressor(momentum=0.9, max_iter=n_iter, random_state=0)
    np.testing.assert_array_equal(bounded.fit(X, y).coef_, model.coef_)


def test_a_plain_float32_fit_ends_on_its_last_weights():
    # Its final loss, summed in float32, may round to just above the best
    # epoch's (summed in float64): that is no swing to go back from.
    for seed in range(10):
        X, y = make_regression(200, 8, noise=5, random_state=seed)
        model = DeltaRuleRegressor(record_weights=True)
        model.fit(X.astype(np.float32), y.astype(np.float32))
        np.testing.assert_array_equal(model.coef_, model.coef_history_[-1])


def test_partial_fit_calls_keep_their_steps_whatever_the_stopping_rule(regression):
    X, y = regression
    streamed = DeltaRuleRegressor(momentum=0.9, random_state=0)
    for _ in range(30):
        streamed.partial_fit(X, y)
    fitted = DeltaRuleRegressor(momentum=0.9, max_iter=30, tol=None, random_state=0)
    fitted.fit(X, y)
    np.testing.assert_array_equal(streamed.coef_, fitted.coef_)
    np.testing.assert_array_equal(streamed.intercept_, fitted.intercept_)


def test_adaptive_divides_by_five_until_one_millionth_as_mlp_does(regression):
    X, y = regression
    model = DeltaRuleRegressor(learning_rate="adaptive", eta0=1.0, tol=1.0)
    model.fit(X, y)
    # Every epoch stalls (tol=1): 1, 0.2, ..., 5**-9 (about 5e-7), then stop.
    assert model.learning_rate_ == pytest.approx(5.0**-9)
    assert model._state.schedule.factor == pytest.approx(5.0**-9)


def test_too_small_a_validation_set_for_r2_is_refused():
    X, y = make_regression(12, 2, random_state=0)
    model = DeltaRuleRegressor(early_stopping=True, validation_fraction=0.05)
    with pytest.raises(ValueError, match="validation set is too small"):
        model.fit(X, y)
    assert not hasattr(model, "coef_")


# The rows of benchmarks/bench_defaults.py: (loader, estimator, parameters).
DEFAULT_FITS = {
    f"{load.__name__[5:]}{'-log_loss' if params else ''}": (load, Estimator, params)
    for load, Estimator, losses in [
        (load_iris, DeltaRuleClassifier, ["squared_error", "log_loss"]),
        (load_wine, DeltaRuleClassifier, ["squared_error", "log_loss"]),
        (load_breast_cancer, DeltaRuleClassifier, ["squared_error", "log_loss"]),
        (load_digits, DeltaRuleClassifier, ["squared_error", "log_loss"]),
        (load_diabetes, DeltaRuleRegressor, ["squared_error"]),
        (load_linnerud, DeltaRuleRegressor, ["squared_error"]),
    ]
    for loss in losses
    for params in [{"loss": loss} if loss == "log_loss" else {}]
}


@pytest.mark.parametrize("name", sorted(DEFAULT_FITS))
def test_default_fits_on_the_bundled_datasets_raise_no_warning(name):
    load, Estimator, params = DEFAULT_FITS[name]
    X, y = load(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_pipeline(StandardScaler(), Estimator(**params)).fit(X, y)
