"""Later partial_fit chunks of plain arrays are checked the short way
(``_data._plain_chunk``): the same model, and the same refusals, as the
full validation gives."""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor, _data


def _stream(model, X, y, **fit_params):
    for start in range(0, len(y), 50):
        chunk = slice(start, start + 50)
        model.partial_fit(X[chunk], y[chunk], **fit_params)
    return model


@pytest.mark.parametrize("batch_size", ["full", 8, 1])
@pytest.mark.parametrize("task", ["regression", "classification"])
def test_the_short_check_trains_the_same_model(task, batch_size, monkeypatch):
    if task == "regression":
        X, y = make_regression(300, 5, noise=1, random_state=0)
        y = y / y.std()
        make, extra = DeltaRuleRegressor, {}
    else:
        X, y = make_classification(300, 5, random_state=0)
        make, extra = DeltaRuleClassifier, {"classes": [0, 1]}
    short = _stream(make(batch_size=batch_size, random_state=0), X, y, **extra)
    calls = []
    monkeypatch.setattr(_data, "_plain_chunk", lambda *a: calls.append(a) or None)
    full = _stream(make(batch_size=batch_size, random_state=0), X, y, **extra)
    assert calls  # the full validation did run
    np.testing.assert_array_equal(short.coef_, full.coef_)
    np.testing.assert_array_equal(short.intercept_, full.intercept_)
    np.testing.assert_array_equal(short.loss_curve_, full.loss_curve_)


@pytest.mark.parametrize(
    "where, value, message",
    [
        ("X", np.nan, "Input X contains NaN"),
        ("X", np.inf, "Input X contains infinity"),
        ("y", np.nan, "Input y contains NaN"),
        ("y", -np.inf, "Input y contains infinity"),
    ],
)
def test_a_later_chunk_with_missing_or_infinite_numbers_is_refused(
    where, value, message
):
    X, y = make_regression(100, 4, random_state=0)
    model = DeltaRuleRegressor(random_state=0).partial_fit(X[:50], y[:50])
    coef = model.coef_.copy()
    X, y = X[50:].copy(), y[50:].copy()
    (X if where == "X" else y)[7] = value
    with pytest.raises(ValueError, match=message):
        model.partial_fit(X, y)
    np.testing.assert_array_equal(model.coef_, coef)


def test_finite_numbers_whose_sum_overflows_are_accepted():
    X = np.full((20, 2), 1e308)
    y = np.linspace(-1, 1, 20)
    model = DeltaRuleRegressor(eta0=1e-9, random_state=0)
    model.partial_fit(np.zeros((20, 2)), y)
    # The chunk's sum is infinite, its numbers are not: scikit-learn's own
    # check looks at each and lets them through, and training refuses them
    # for what they are (too large), not as infinities.
    with pytest.raises(ValueError, match="diverges"):
        model.partial_fit(X, y)


def test_a_later_chunk_of_other_width_is_refused_as_before():
    X, y = make_regression(100, 4, random_state=0)
    model = DeltaRuleRegressor(random_state=0).partial_fit(X[:50], y[:50])
    with pytest.raises(ValueError, match="4 features"):
        model.partial_fit(X[50:, :3], y[50:])


def test_a_later_float32_chunk_with_targets_beyond_float32_is_refused():
    X, y = make_regression(100, 4, random_state=0)
    X = X.astype(np.float32)
    model = DeltaRuleRegressor(random_state=0).partial_fit(X[:50], y[:50])
    coef = model.coef_.copy()
    with pytest.raises(ValueError, match="beyond float32's range"):
        model.partial_fit(X[50:], y[50:] * 1e50)
    np.testing.assert_array_equal(model.coef_, coef)
