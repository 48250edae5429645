"""What users rely on: fitted attributes, partial_fit, warm_start, plug-ins."""

import dataclasses
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, load_linnerud, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags

from sklearn_delta import (
    Activation,
    DeltaRuleClassifier,
    DeltaRuleRegressor,
    DivergenceWarning,
    LearningRateSchedule,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_fitted_attributes_have_sklearn_shapes(iris):
    X, y = iris
    multi = DeltaRuleClassifier(max_iter=5).fit(X, y)
    assert multi.coef_.shape == (3, 4) and multi.intercept_.shape == (3,)
    binary = DeltaRuleClassifier(max_iter=5).fit(X, y == 2)
    assert binary.coef_.shape == (1, 4) and binary.intercept_.shape == (1,)
    assert binary.decision_function(X).shape == (150,)
    single = DeltaRuleRegressor(max_iter=5).fit(X, X[:, 0])
    assert single.coef_.shape == (4,) and single.intercept_.shape == (1,)
    for model in (multi, binary, single):
        assert len(model.loss_curve_) == model.n_iter_ == 5
        assert model.best_loss_ == min(model.loss_curve_)
        assert model.t_ == 5 * 150
        assert model.n_features_in_ == 4


def test_multi_output_regression_has_one_unit_per_target():
    X, Y = load_linnerud(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    Y = StandardScaler().fit_transform(Y)
    model = DeltaRuleRegressor(random_state=0).fit(X, Y)
    assert model.coef_.shape == (3, 3)
    assert model.predict(X).shape == Y.shape


def test_string_labels_and_dataframes(iris):
    X, y = iris
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    labels = pd.Series(np.array(["setosa", "versicolor", "virginica"])[y])
    model = DeltaRuleClassifier(random_state=0).fit(frame, labels)
    assert list(model.classes_) == ["setosa", "versicolor", "virginica"]
    assert set(model.predict(frame)) <= set(model.classes_)
    assert list(model.feature_names_in_) == ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match="feature names"):
        model.predict(frame[["b", "a", "c", "d"]])


@pytest.mark.parametrize("activation", ["logistic", "tanh"])
def test_predict_proba_is_a_distribution_consistent_with_predict(iris, activation):
    X, y = iris
    model = DeltaRuleClassifier(activation=activation, random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all((proba >= 0) & (proba <= 1))
    assert np.array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X))
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), proba)


def test_predict_proba_needs_a_bounded_output(iris):
    X, y = iris
    model = DeltaRuleClassifier(activation="relu").fit(X, y)
    assert not hasattr(model, "predict_proba")
    with pytest.raises(AttributeError) as raised:
        model.predict_proba(X)
    # scikit-learn's available_if keeps our explanation as the cause.
    assert "bounded output range" in str(raised.value.__cause__)


def test_log_loss_uses_a_softmax_for_several_classes(iris):
    X, y = iris
    model = DeltaRuleClassifier(loss="log_loss", random_state=0).fit(X, y)
    scores = model.decision_function(X)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-10)
    assert model.score(X, y) > 0.95
    with pytest.raises(ValueError, match="log_loss' needs activation='logistic'"):
        DeltaRuleClassifier(loss="log_loss", activation="tanh").fit(X, y)


def test_relu_decision_threshold_matches_its_targets(iris):
    X, y = iris
    model = DeltaRuleClassifier(activation="relu", random_state=0).fit(X, y == 0)
    output = np.maximum(X @ model.coef_.ravel() + model.intercept_[0], 0)
    assert np.array_equal(model.predict(X), output > 0.5)


def test_user_activation_and_schedule(iris):
    X, y = iris

    class Halving(LearningRateSchedule):
        def __init__(self):
            self.rates = []

        def learning_rate(self, eta0, epoch, t):
            self.rates.append(eta0 / 2**epoch)
            return self.rates[-1]

    arctan = Activation(
        np.arctan, lambda h, out: 1.0 / (1.0 + h**2), output_range=(-2, 2)
    )
    schedule = Halving()
    model = DeltaRuleClassifier(
        activation=arctan, learning_rate=schedule, max_iter=4, eta0=0.8
    ).fit(X, y)
    assert schedule.rates == []  # the estimator trained a copy
    assert model._state.schedule.rates == [0.8, 0.4, 0.2, 0.1]
    assert model.score(X, y) > 0.7


def test_partial_fit_continues_schedule_and_counters(iris):
    X, y = iris
    model = DeltaRuleClassifier(learning_rate="invscaling", random_state=0)
    for start in range(0, 150, 50):
        model.partial_fit(
            X[start : start + 50], y[start : start + 50], classes=[0, 1, 2]
        )
    assert model.n_iter_ == 3 and model.t_ == 150
    assert len(model.loss_curve_) == 3
    # Without classes after the first call, and after fit, classes_ is reused.
    model.partial_fit(X, y)
    assert model.n_iter_ == 4
    with pytest.raises(ValueError, match="not the same as on last call"):
        model.partial_fit(X, y, classes=[0, 1, 2, 3])


@pytest.mark.parametrize("continued", ["partial_fit", "warm_start"])
def test_a_schedule_changed_by_set_params_takes_over(iris, continued):
    X, y = iris
    model = DeltaRuleRegressor(eta0=0.01, warm_start=True, max_iter=2, tol=None)

    def train():
        if continued == "partial_fit":
            return model.partial_fit(X, y)
        return model.fit(X, y)

    train()
    assert model.learning_rate_ == 0.01
    model.set_params(learning_rate="invscaling")
    train()
    epochs = model.n_iter_ - 1  # completed before the last epoch
    assert model.learning_rate_ == pytest.approx(0.01 / (epochs + 1) ** 0.5)
    model.set_params(power_t=1.0)
    train()
    epochs = model.n_iter_ - 1
    assert model.learning_rate_ == pytest.approx(0.01 / (epochs + 1))


def test_a_stream_switched_to_eta0_auto_chooses_its_rate(iris):
    X, y = iris
    model = DeltaRuleRegressor(eta0=0.001).partial_fit(X[:50], y[:50])
    model.set_params(eta0="auto").partial_fit(X[50:100], y[50:100])
    chosen = model.eta0_
    assert chosen != 0.001
    model.partial_fit(X[100:], y[100:])
    # ... and keeps it, as a stream started with eta0="auto" does.
    assert model.eta0_ == chosen


@pytest.mark.parametrize("n_rows", [1, 9])
def test_a_stream_warns_when_too_few_rows_set_its_auto_rate(n_rows):
    X, y = make_classification(200, 4, random_state=0)
    model = DeltaRuleRegressor()
    with pytest.warns(UserWarning, match=f"partial_fit chunk of {n_rows} row"):
        model.partial_fit(X[:n_rows], y[:n_rows])
    chosen = model.eta0_
    # The stream keeps that rate, and says so once.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.partial_fit(X[n_rows : n_rows + 2], y[n_rows : n_rows + 2])
    assert model.eta0_ == chosen


def test_a_stream_whose_first_chunk_has_enough_rows_does_not_warn():
    X, y = make_classification(200, 40, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # Wide data (here 40 features) warns no more than narrow data.
        DeltaRuleRegressor().partial_fit(X[:10], y[:10])
        DeltaRuleRegressor(eta0=0.1).partial_fit(X[:1], y[:1])
        DeltaRuleRegressor().fit(X[:2], y[:2])  # fit: its rate is its data's


def test_a_new_eta0_drops_the_cuts_of_the_divergence_guard(iris):
    X, y = iris
    model = DeltaRuleRegressor(eta0=50.0)
    with pytest.warns(DivergenceWarning):
        model.partial_fit(X, y)
    assert model.learning_rate_ < 50.0
    model.set_params(eta0=0.01).partial_fit(X, y)
    assert model.learning_rate_ == 0.01


def test_a_schedule_object_is_compared_by_identity(iris):
    X, y = iris

    @dataclasses.dataclass
    class Steps(LearningRateSchedule):  # its == compares the arrays it holds
        rates: np.ndarray

        def learning_rate(self, eta0, epoch, t):
            return float(self.rates[min(epoch, len(self.rates) - 1)])

    model = DeltaRuleRegressor(learning_rate=Steps(np.array([0.1, 0.01])))
    model.partial_fit(X, y)
    model.partial_fit(X, y)  # the parameters are compared from now on
    model.set_params(learning_rate=Steps(np.array([0.05])))
    model.partial_fit(X, y)
    assert model.learning_rate_ == 0.05


def test_an_unchanged_adaptive_schedule_keeps_its_cuts(iris):
    X, y = iris
    model = DeltaRuleRegressor(learning_rate="adaptive", eta0=0.01)
    model.partial_fit(X, y)
    model._state.schedule.factor = 0.2  # as after a stall
    model.set_params(eta0=0.01, power_t=2.0)  # power_t plays no part
    model.partial_fit(X, y)
    assert model.learning_rate_ == pytest.approx(0.002)


def test_partial_fit_in_order_equals_one_online_epoch():
    X, y = make_classification(60, 4, random_state=0)
    params = {"batch_size": 1, "shuffle": False, "eta0": 0.05}
    streamed = DeltaRuleRegressor(**params)
    for start in range(0, 60, 20):
        streamed.partial_fit(X[start : start + 20], y[start : start + 20])
    # The stream's first call starts the intercept at the mean target of its
    # own chunk; start the single epoch there too.
    single = DeltaRuleRegressor(max_iter=1, **params).fit(
        X, y, intercept_init=[y[:20].mean()]
    )
    np.testing.assert_allclose(streamed.coef_, single.coef_, rtol=1e-12)
    np.testing.assert_allclose(streamed.intercept_, single.intercept_, rtol=1e-12)


def test_warm_start_keeps_t_momentum_and_curve(iris):
    X, y = iris
    model = DeltaRuleClassifier(
        momentum=0.9, max_iter=3, warm_start=True, random_state=0
    )
    model.fit(X, y)
    velocity = model._state.coef_velocity.copy()
    assert np.any(velocity != 0)
    model.fit(X, y)
    assert model.n_iter_ == 6 and model.t_ == 6 * 150 and len(model.loss_curve_) == 6
    cold = clone(model).set_params(warm_start=False, max_iter=6).fit(X, y)
    # Six epochs in two warm fits are six epochs in one fit.
    np.testing.assert_allclose(model.coef_, cold.coef_, rtol=1e-12)


def test_early_stopping_records_validation_curves(iris):
    X, y = iris
    model = DeltaRuleClassifier(early_stopping=True, random_state=0).fit(X, y)
    assert len(model.validation_scores_) == model.n_iter_
    assert len(model.validation_loss_curve_) == model.n_iter_
    assert model.best_validation_score_ == max(model.validation_scores_)
    refit = model.set_params(early_stopping=False).fit(X, y)
    assert not hasattr(refit, "validation_scores_")


def test_max_iter_warns_convergence(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        DeltaRuleClassifier(max_iter=2, tol=0).fit(X, y)


def test_clone_and_pickle_round_trip(iris):
    X, y = iris
    model = DeltaRuleClassifier(random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert np.array_equal(restored.predict_proba(X), model.predict_proba(X))
    assert clone(model).get_params() == model.get_params()


def test_verbose_prints_one_line_per_epoch(iris, capsys):
    X, y = iris
    DeltaRuleClassifier(max_iter=3, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "Iteration 1",
        "Iteration 2",
        "Iteration 3",
    ]


def test_estimators_work_without_the_callback_api():
    # scikit-learn < 1.9 has no sklearn.callback: the estimators must import
    # and fit as before, just without set_callbacks. Simulated in a fresh
    # interpreter where the callback mixin cannot be imported.
    import subprocess
    import sys

    script = (
        "import sklearn.model_selection, sklearn.metrics\n"
        "try:\n"
        "    import sklearn.callback\n"
        "    del sklearn.callback.CallbackSupportMixin\n"
        "except ImportError:\n"
        "    pass  # scikit-learn < 1.9: no callback API to hide\n"
        "import numpy as np\n"
        "from sklearn_delta import DeltaRuleRegressor\n"
        "X = np.arange(20.0).reshape(10, 2); y = X.sum(axis=1)\n"
        "model = DeltaRuleRegressor(max_iter=3).fit(X, y)\n"
        "print(model.n_iter_, hasattr(model, 'set_callbacks'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["3", "False"]


@pytest.mark.parametrize(
    "activation, poor",
    [("identity", False), ("tanh", False), ("relu", True), ("softplus", True)],
)
def test_one_signed_regressor_units_declare_a_poor_score(activation, poor):
    # scikit-learn's checks fit centred targets, which a unit with outputs of
    # one sign cannot reach; the defaults never take that way out.
    tags = get_tags(DeltaRuleRegressor(activation=activation))
    assert tags.regressor_tags.poor_score is poor
    assert (
        get_tags(DeltaRuleClassifier(activation=activation)).classifier_tags.poor_score
        is False
    )
    bad_name = DeltaRuleRegressor(activation="no such activation")
    assert get_tags(bad_name).regressor_tags.poor_score is False
