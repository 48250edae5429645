"""Property tests: invariants that hold for any data, checked with hypothesis.

The examples are drawn deterministically (the "ci" profile in conftest.py),
so that a run is reproducible; set HYPOTHESIS_PROFILE=explore to search
with fresh random examples.
"""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor, DivergenceWarning

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@st.composite
def datasets(draw, classification=False, max_scale_exponent=3):
    """(X, y, sample_weight) of random shape, dtype, scale and weights."""
    n_samples = draw(st.integers(4, 30))
    n_features = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    scale = 10.0 ** draw(st.integers(-max_scale_exponent, max_scale_exponent))
    X = draw(
        arrays(dtype, (n_samples, n_features), elements=st.floats(-1, 1, width=32))
    )
    X = X * dtype(scale)
    if classification:
        y = draw(arrays(np.int64, n_samples, elements=st.integers(0, 2)))
        assume(len(np.unique(y)) >= 2)
    else:
        y = draw(arrays(np.float64, n_samples, elements=st.floats(-10, 10)))
    weights = draw(
        st.none()
        | arrays(np.float64, n_samples, elements=st.floats(0.125, 5.0, width=32))
    )
    return X, y, weights


def fit_or_refuse(model, X, y, sample_weight):
    """Fit; return None when training refused to go on (a clear ValueError)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)
        try:
            return model.fit(X, y, sample_weight=sample_weight)
        except ValueError as error:
            assert "standardise" in str(error)  # the one allowed refusal
            return None


@given(
    data=datasets(),
    batch_size=st.sampled_from([1, 4, "full"]),
    activation=st.sampled_from(["identity", "tanh", "relu", "softplus"]),
)
def test_regressor_predictions_are_finite(data, batch_size, activation):
    X, y, sample_weight = data
    model = DeltaRuleRegressor(
        batch_size=batch_size, activation=activation, max_iter=5, random_state=0
    )
    model = fit_or_refuse(model, X, y, sample_weight)
    if model is not None:
        assert np.all(np.isfinite(model.coef_))
        prediction = model.predict(X)
        assert np.all(np.isfinite(prediction))
        assert prediction.dtype == X.dtype


@given(
    data=datasets(classification=True),
    loss=st.sampled_from(["squared_error", "log_loss"]),
    activation=st.sampled_from(["logistic", "tanh"]),
)
def test_classifier_probabilities_are_distributions(data, loss, activation):
    X, y, sample_weight = data
    if loss == "log_loss":
        activation = "logistic"
    model = DeltaRuleClassifier(
        loss=loss, activation=activation, max_iter=5, random_state=0
    )
    model = fit_or_refuse(model, X, y, sample_weight)
    if model is not None:
        proba = model.predict_proba(X)
        assert np.all(np.isfinite(proba))
        assert np.all((proba >= 0) & (proba <= 1))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
        assert set(model.predict(X)) <= set(model.classes_)


@given(data=datasets(), seed=st.integers(0, 2**31 - 2))
def test_fit_is_deterministic_per_random_state(data, seed):
    X, y, sample_weight = data

    def fit():
        model = DeltaRuleRegressor(batch_size=2, max_iter=4, random_state=seed)
        return fit_or_refuse(model, X, y, sample_weight)

    first, second = fit(), fit()
    if first is not None:
        np.testing.assert_array_equal(first.coef_, second.coef_)
        np.testing.assert_array_equal(first.loss_curve_, second.loss_curve_)


@given(
    data=datasets(max_scale_exponent=1),
    counts=st.lists(st.integers(0, 3), min_size=30, max_size=30),
)
def test_full_batch_weight_k_is_k_repeated_rows(data, counts):
    X, y, _ = data
    X = X.astype(np.float64)
    counts = np.array(counts[: len(y)])
    assume(counts.sum() > 0)
    params = {"batch_size": "full", "max_iter": 5, "eta0": 0.01, "tol": 0}
    weighted = DeltaRuleRegressor(**params).fit(X, y, sample_weight=counts)
    repeated = DeltaRuleRegressor(**params).fit(
        np.repeat(X, counts, axis=0), np.repeat(y, counts)
    )
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=1e-12)


@given(
    data=datasets(classification=True, max_scale_exponent=1),
    counts=st.lists(st.integers(0, 3), min_size=30, max_size=30),
    fraction=st.sampled_from([0.1, 0.3, 0.5]),
)
def test_early_stopping_weight_k_is_k_repeated_rows(data, counts, fraction):
    X, y, _ = data
    X = X.astype(np.float64)
    counts = np.array(counts[: len(y)])
    # Every class keeps a row, so that both fits know the same classes.
    assume(set(y[counts > 0]) == set(y))
    params = {
        "batch_size": "full",
        "max_iter": 5,
        "early_stopping": True,
        "validation_fraction": fraction,
        "random_state": 0,
    }

    def fit(*data, **kwargs):
        try:
            return DeltaRuleClassifier(**params).fit(*data, **kwargs)
        except ValueError as error:
            return str(error).split(";")[0]  # the message, without the count

    weighted = fit(X, y, sample_weight=counts)
    repeated = fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    if isinstance(weighted, str) or isinstance(repeated, str):
        assert weighted == repeated  # both refused to split, for the same reason
        return
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        weighted.validation_scores_, repeated.validation_scores_, rtol=1e-9
    )


@given(data=datasets(max_scale_exponent=1), eta0=st.floats(1e-6, 1e-2))
def test_one_step_scales_linearly_with_eta0(data, eta0):
    X, y, sample_weight = data
    X = X.astype(np.float64)

    def step(rate):
        model = DeltaRuleRegressor(batch_size="full", max_iter=1, eta0=rate)
        return model.fit(X, y, sample_weight=sample_weight).coef_

    np.testing.assert_allclose(step(eta0), step(eta0 / 10) * 10, rtol=1e-9, atol=1e-15)


@given(data=datasets(max_scale_exponent=0), chunk=st.integers(1, 7))
def test_partial_fit_over_chunks_is_one_online_epoch(data, chunk):
    X, y, _ = data
    params = {"batch_size": 1, "shuffle": False, "eta0": 0.01}
    streamed = DeltaRuleRegressor(**params)
    for start in range(0, len(y), chunk):
        streamed.partial_fit(X[start : start + chunk], y[start : start + chunk])
    # The stream starts the intercept at the first chunk's mean target.
    first_mean = np.mean(y[:chunk], dtype=np.float64)
    epoch = DeltaRuleRegressor(max_iter=1, **params).fit(
        X, y, intercept_init=[first_mean]
    )
    rtol = 1e-4 if X.dtype == np.float32 else 1e-10
    np.testing.assert_allclose(streamed.coef_, epoch.coef_, rtol=rtol, atol=1e-6)
    assert streamed.t_ == epoch.t_ == len(y)
