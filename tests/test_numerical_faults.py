"""Numerical faults: training never returns NaN or infinite weights silently,
and every refusal says what to change."""

import warnings

import numpy as np
import pytest

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor, DivergenceWarning

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.default_rng(0)
X = RNG.normal(size=(200, 4))
Y = X @ np.array([1.0, 2.0, 3.0, 4.0])
LABELS = (Y > 0).astype(int)
BATCH_SIZES = [1, 32, "full"]


def fit_quietly(model, X, y):
    """Fit, turning any warning but DivergenceWarning into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", DivergenceWarning)
        return model.fit(X, y)


def assert_finite(model, X):
    assert np.all(np.isfinite(model.coef_)) and np.all(np.isfinite(model.intercept_))
    assert np.all(np.isfinite(model.loss_curve_))
    assert np.all(np.isfinite(model.predict(X)))


@pytest.mark.parametrize("batch_size", BATCH_SIZES)
@pytest.mark.parametrize(
    "make_model, target",
    [
        (lambda b: DeltaRuleRegressor(eta0=1e6, batch_size=b), Y),
        (
            lambda b: DeltaRuleRegressor(eta0=1e6, activation="softplus", batch_size=b),
            np.abs(Y),
        ),
        (
            lambda b: DeltaRuleRegressor(eta0=1e6, activation="tanh", batch_size=b),
            np.tanh(Y),
        ),
        (lambda b: DeltaRuleClassifier(eta0=1e6, batch_size=b), LABELS),
        (
            lambda b: DeltaRuleClassifier(eta0=1e6, loss="log_loss", batch_size=b),
            LABELS,
        ),
    ],
    ids=["identity", "softplus", "tanh", "logistic", "log_loss"],
)
def test_a_huge_learning_rate_is_cut_back_not_left_as_nan(
    make_model, target, batch_size
):
    # exp overflows in logistic and softplus units here: no warning leaks
    # out, and the weights stay finite.
    model = fit_quietly(make_model(batch_size), X, target)
    assert_finite(model, X)


def test_a_huge_learning_rate_warns_with_the_rates_and_the_fix():
    with pytest.warns(
        DivergenceWarning, match=r"from 1e\+06 to .*Standardise the features"
    ):
        DeltaRuleRegressor(eta0=1e6, batch_size=1, random_state=0).fit(X, Y)


@pytest.mark.parametrize("batch_size", BATCH_SIZES)
@pytest.mark.parametrize("scale", [1e150, 1e300])
def test_huge_feature_scales_are_refused_with_the_fix_or_trained_finite(
    batch_size, scale
):
    model = DeltaRuleClassifier(batch_size=batch_size, random_state=0).fit(X, LABELS)
    coef = model.coef_.copy()
    try:
        fit_quietly(model, X * scale, LABELS)
    except ValueError as error:
        assert "standardise them" in str(error)
        np.testing.assert_array_equal(model.coef_, coef)
    else:
        # A logistic unit saturates rather than overflows: allowed, if finite.
        assert scale < 1e300
        assert_finite(model, X * scale)


def test_float32_overflow_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="standardise them"):
        fit_quietly(DeltaRuleRegressor(), (X * 1e30).astype(np.float32), Y)


def test_targets_too_large_for_the_arithmetic_are_refused_at_once():
    with pytest.raises(ValueError, match=r"Scale y .*TransformedTargetRegressor"):
        fit_quietly(DeltaRuleRegressor(), X, Y * 1e200)


@pytest.mark.parametrize("batch_size", BATCH_SIZES)
def test_tiny_float32_targets_are_not_taken_for_divergence(batch_size):
    # Squared in float32, targets near 1e-38 underflow to a loss of 0, while
    # the kernel sums the same loss in float64: found by hypothesis.
    zeros = np.zeros((4, 1), dtype=np.float32)
    targets = np.array([1.2e-38, 0.0, 0.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        model = DeltaRuleRegressor(batch_size=batch_size, max_iter=3, shuffle=False)
        model.fit(zeros, targets, intercept_init=[0.0])
    assert model.n_iter_ == 3


@pytest.mark.parametrize("batch_size", BATCH_SIZES)
def test_constant_features_train_finite(batch_size):
    constant = np.full((200, 3), 5.0)
    model = fit_quietly(
        DeltaRuleRegressor(batch_size=batch_size, max_iter=500, random_state=0),
        constant,
        Y,
    )
    assert_finite(model, constant)
    if batch_size == "full":
        # Only the mean of y can be learnt; full batch gets there exactly.
        np.testing.assert_allclose(model.predict(constant), Y.mean(), atol=1e-3)


@pytest.mark.parametrize("dtype, offset", [(np.float64, 710.0), (np.float32, 100.0)])
def test_a_softplus_regressor_takes_large_ordinary_targets(dtype, offset):
    # The starting intercept, softplus^-1(mean y) = log(exp(y) - 1), used to
    # overflow here and the targets were refused as "too large".
    target = Y / Y.std() + offset
    model = DeltaRuleRegressor(activation="softplus").fit(X.astype(dtype), target)
    assert model.score(X.astype(dtype), target) > 0.9
