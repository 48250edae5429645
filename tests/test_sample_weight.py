"""A sample weight of k acts as k repeated rows."""

import numpy as np
import pytest
from sklearn.datasets import make_regression
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def weighted_and_repeated(seed):
    X, y = make_regression(40, 3, noise=5.0, random_state=seed)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    weights = np.random.RandomState(seed).randint(0, 4, size=len(y))
    return X, y, weights, X.repeat(weights, axis=0), y.repeat(weights)


def test_full_batch_weights_equal_repeated_rows_exactly():
    X, y, weights, X_rep, y_rep = weighted_and_repeated(0)
    params = {"batch_size": "full", "eta0": 0.1, "max_iter": 50, "tol": 0.0}
    weighted = DeltaRuleRegressor(**params).fit(X, y, sample_weight=weights)
    repeated = DeltaRuleRegressor(**params).fit(X_rep, y_rep)
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-10)
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10)
    assert weighted.t_ == repeated.t_ == 50 * weights.sum()


@pytest.mark.parametrize("batch_size", [1, 8])
def test_stochastic_weights_equal_repeated_rows_on_average(batch_size):
    # Online and mini-batch fits see the rows in different batches (and the
    # repeated data in more of them), so single fits differ; trained to
    # convergence and averaged over shuffles, the two must agree, and agree
    # much better than with the unweighted fit.
    X, y, weights, X_rep, y_rep = weighted_and_repeated(1)
    params = {"batch_size": batch_size, "eta0": 0.02, "max_iter": 100, "tol": 0.0}
    seeds = range(20)
    weighted = np.mean(
        [
            DeltaRuleRegressor(random_state=s, **params)
            .fit(X, y, sample_weight=weights)
            .coef_
            for s in seeds
        ],
        axis=0,
    )
    repeated = np.mean(
        [
            DeltaRuleRegressor(random_state=s, **params).fit(X_rep, y_rep).coef_
            for s in seeds
        ],
        axis=0,
    )
    unweighted = DeltaRuleRegressor(random_state=0, **params).fit(X, y).coef_
    gap = np.linalg.norm(weighted - repeated)
    assert gap < 0.02 * np.linalg.norm(repeated)
    assert gap < 0.2 * np.linalg.norm(unweighted - repeated)


def test_class_weight_multiplies_sample_weight():
    X, y, *_ = weighted_and_repeated(2)
    labels = (y > 0).astype(int)
    params = {"batch_size": "full", "max_iter": 20, "tol": 0.0}
    by_class = DeltaRuleClassifier(class_weight={0: 3.0, 1: 1.0}, **params)
    by_class.fit(X, labels, sample_weight=np.full(len(y), 2.0))
    by_sample = DeltaRuleClassifier(**params).fit(
        X, labels, sample_weight=np.where(labels == 0, 6.0, 2.0)
    )
    np.testing.assert_allclose(by_class.coef_, by_sample.coef_, rtol=1e-12)


@pytest.mark.parametrize("scale", [1e-310, 1e-200, 1e200])
def test_only_the_relative_weights_matter(scale):
    X, y = make_regression(80, 3, noise=1.0, random_state=0)
    weight = np.random.default_rng(0).uniform(0.5, 2.0, size=80)
    reference = DeltaRuleRegressor().fit(X, y, sample_weight=weight)
    model = DeltaRuleRegressor().fit(X, y, sample_weight=weight * scale)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-6)


def test_a_single_subnormal_weight_trains_on_that_row():
    X, y = make_regression(80, 3, noise=1.0, random_state=0)
    weight = np.zeros(80)
    weight[[3, 9]] = 5e-324  # the smallest positive float64
    model = DeltaRuleRegressor().fit(X, y, sample_weight=weight)
    assert np.all(np.isfinite(model.coef_))
