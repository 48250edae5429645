"""Losses are objects: the built-in ones, and one a user brings."""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_regression
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor, Loss, _compiled
from sklearn_delta._losses import LOSSES, get_loss


class PlainSquaredError(Loss):
    """The squared error written again by a user: no kernel code."""

    name = "plain squared error"

    def value(self, y_true, y_pred):
        return 0.5 * np.sum((y_true - y_pred) ** 2, axis=1)

    def delta(self, y_true, y_pred, net_input, activation):
        return (y_true - y_pred) * activation.derivative(net_input, y_pred)


def forbid_compiled_kernels(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a custom loss must not reach the compiled kernel")

    monkeypatch.setattr(_compiled, "dense_epoch", refuse)
    monkeypatch.setattr(_compiled, "csr_epoch", refuse)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("batch_size", [1, 8, "full"])
def test_a_custom_loss_trains_through_the_numpy_kernel(batch_size, monkeypatch):
    X, y = make_regression(120, 4, noise=1.0, random_state=0)
    X, y = StandardScaler().fit_transform(X), y / y.std()
    params = {"batch_size": batch_size, "eta0": 0.05, "max_iter": 60, "tol": 0.0}
    # The built-in loss, which the compiled kernel runs where it can.
    builtin = DeltaRuleRegressor(random_state=0, **params).fit(X, y)
    forbid_compiled_kernels(monkeypatch)
    custom = DeltaRuleRegressor(loss=PlainSquaredError(), random_state=0, **params)
    custom.fit(X, y)
    assert custom.score(X, y) > 0.9
    # The same arithmetic: only rounding may differ.
    np.testing.assert_allclose(custom.coef_, builtin.coef_, rtol=1e-9)
    np.testing.assert_allclose(custom.loss_curve_, builtin.loss_curve_, rtol=1e-9)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_custom_loss_object_is_a_valid_parameter():
    X, y = load_iris(return_X_y=True)
    model = DeltaRuleClassifier(loss=PlainSquaredError(), eta0=0.5, max_iter=30)
    model.fit(StandardScaler().fit_transform(X), y)
    assert model.get_params()["loss"].name == "plain squared error"
    with pytest.raises(ValueError, match="The 'loss' parameter"):
        DeltaRuleRegressor(loss="hinge").fit(X, y)


def test_built_in_losses_carry_their_kernel_code_and_rules():
    assert get_loss("squared_error").kernel_code == _compiled.SQUARED_ERROR
    assert get_loss("log_loss").kernel_code == _compiled.LOG_LOSS
    custom = PlainSquaredError()
    assert get_loss(custom) is custom and custom.kernel_code is None
    logistic = DeltaRuleClassifier()._output_activation(1)
    assert LOSSES["log_loss"].output_activation(logistic, 3).name == "softmax"
    assert LOSSES["log_loss"].output_activation(logistic, 1) is logistic
    with pytest.raises(ValueError, match="needs activation='logistic'"):
        LOSSES["log_loss"].check_activation(DeltaRuleRegressor()._output_activation(1))
