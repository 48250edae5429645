"""The training state is kept whole between calls: partial_fit and warm
starts continue it without copying what grows with the stream, and a call
that fails leaves the estimator as it was."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import make_regression

from sklearn_delta import DeltaRuleRegressor, LearningRateSchedule


class FailsAtEpoch(LearningRateSchedule):
    """A constant rate that raises once ``fail_at`` epochs have run."""

    def __init__(self, fail_at):
        self.fail_at = fail_at

    def learning_rate(self, eta0, epoch, t):
        if epoch >= self.fail_at:
            raise RuntimeError("the schedule failed")
        return eta0


@pytest.fixture
def data():
    X, y = make_regression(100, 3, noise=1.0, random_state=0)
    return X / X.std(axis=0), y / y.std()


def test_partial_fit_extends_the_loss_curve_in_place(data):
    X, y = data
    model = DeltaRuleRegressor(eta0=0.05, random_state=0).partial_fit(X, y)
    curve, state = model.loss_curve_, model._state
    model.partial_fit(X, y)
    assert model.loss_curve_ is curve and len(curve) == 2
    assert model._state.loss_curve is curve and model._state is not state
    # Between calls the weights live in coef_ and intercept_ only.
    assert model._state.coef is None and model._state.intercept is None


def test_a_call_that_fails_while_training_leaves_the_model_unchanged(data):
    X, y = data
    model = DeltaRuleRegressor(
        learning_rate=FailsAtEpoch(3), eta0=0.05, max_iter=2, tol=0.0, warm_start=True
    )
    with pytest.warns(Warning, match="Maximum iterations"):
        model.fit(X, y)
    before = pickle.dumps(model)
    # The warm fit runs epoch 3, appending to the shared curve, then fails.
    with pytest.raises(RuntimeError, match="the schedule failed"):
        model.fit(X, y)
    assert pickle.dumps(model) == before
    with pytest.raises(RuntimeError, match="the schedule failed"):
        model.set_params(warm_start=False).partial_fit(X, y)
        model.partial_fit(X, y)
    assert len(model.loss_curve_) == 3


def test_setting_coef_counts_for_the_next_call(data):
    X, y = data
    model = DeltaRuleRegressor(eta0=1e-12, random_state=0).partial_fit(X, y)
    model.coef_ = np.array([1.0, 2.0, 3.0])
    model.partial_fit(X, y)
    np.testing.assert_allclose(model.coef_, [1.0, 2.0, 3.0], rtol=1e-9)
