"""fit_intercept=False: every intercept stays 0, in every way of training."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_iris, make_regression
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor
from sklearn_delta._curvature import second_moment_bounds


@pytest.fixture
def regression():
    X, y = make_regression(150, 4, noise=1.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    return X, y / y.std() + 3.0  # an offset the model may not learn


@pytest.mark.parametrize("batch_size", [1, 8, "full"])
@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_every_batch_mode_keeps_the_intercept_at_zero(
    regression, batch_size, layout, momentum
):
    X, y = regression
    X = sparse.csr_matrix(X) if layout == "csr" else X
    model = DeltaRuleRegressor(
        fit_intercept=False,
        batch_size=batch_size,
        momentum=momentum,
        max_iter=30,
        tol=None,
        random_state=0,
    )
    model.fit(X, y)
    assert np.all(model.intercept_ == 0)
    assert np.all(np.isfinite(model.coef_))


def test_without_an_intercept_the_fit_is_least_squares_through_the_origin(
    regression,
):
    X, y = regression
    model = DeltaRuleRegressor(fit_intercept=False).fit(X, y)
    expected = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(model.coef_, expected, rtol=1e-4)
    with_intercept = DeltaRuleRegressor().fit(X, y)
    assert with_intercept.intercept_[0] == pytest.approx(3.0, abs=0.2)


def test_partial_fit_and_warm_start_keep_it_at_zero(regression):
    X, y = regression
    model = DeltaRuleRegressor(
        fit_intercept=False, batch_size=8, warm_start=True, random_state=0
    )
    for start in range(0, 150, 50):
        model.partial_fit(X[start : start + 50], y[start : start + 50])
    model.fit(X, y)
    assert np.all(model.intercept_ == 0)
    with pytest.raises(ValueError, match="intercept_init needs fit_intercept"):
        DeltaRuleRegressor(fit_intercept=False).fit(X, y, intercept_init=[1.0])


def test_the_classifier_keeps_it_at_zero():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    for loss in ("squared_error", "log_loss"):
        model = DeltaRuleClassifier(fit_intercept=False, loss=loss).fit(X, y)
        assert np.all(model.intercept_ == 0)
        assert model.score(X, y) > 0.8


def test_the_auto_rate_measures_x_alone(regression):
    X, y = regression
    X = X + 5.0  # off-centre: the column of ones would dominate [X, 1]
    model = DeltaRuleRegressor(fit_intercept=False, max_iter=1, tol=None).fit(X, y)
    largest = np.linalg.eigvalsh(X.T @ X / len(X))[-1]
    assert model.eta0_ == pytest.approx(1 / largest, rel=1e-9)
    L, _ = second_moment_bounds(X, np.ones(len(X)), rows_too=False)
    assert L > largest  # with the intercept's column


def test_the_dask_fit_keeps_it_at_zero(regression):
    da = pytest.importorskip("dask.array", reason="dask is not installed")
    from sklearn_delta.dask import fit_full_batch

    X, y = regression
    model = DeltaRuleRegressor(
        fit_intercept=False, batch_size="full", max_iter=20, tol=None
    )
    local = DeltaRuleRegressor(
        fit_intercept=False, batch_size="full", max_iter=20, tol=None
    )
    fit_full_batch(model, da.from_array(X, chunks=50), da.from_array(y, chunks=50))
    assert np.all(model.intercept_ == 0)
    np.testing.assert_allclose(model.coef_, local.fit(X, y).coef_, rtol=1e-10)
