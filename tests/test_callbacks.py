"""scikit-learn's callback API (sklearn.callback, scikit-learn >= 1.9)."""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_regression

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor

callback = pytest.importorskip(
    "sklearn.callback", reason="scikit-learn < 1.9 has no callback API"
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


class EpochRecorder:
    """Records the tasks reported to it; asks to stop after ``stop_after`` epochs."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.begun, self.ended, self.n_iter_seen = [], [], []
        self.setups = self.teardowns = 0

    def setup(self, estimator, context):
        self.setups += 1

    def on_fit_task_begin(self, estimator, context):
        self.begun.append(context.task_name)

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.ended.append(context.task_name)
        if context.task_name.startswith("epoch"):
            self.n_iter_seen.append(fitted_estimator.n_iter_)
            return self.stop_after is not None and len(self.n_iter_seen) >= (
                self.stop_after
            )
        return False

    def teardown(self, estimator, context):
        self.teardowns += 1


@pytest.fixture
def data():
    X, y = make_regression(n_samples=80, n_features=4, noise=1, random_state=0)
    return X / X.std(), y / y.std()


def test_each_epoch_is_a_subtask(data):
    X, y = data
    recorder = EpochRecorder()
    model = DeltaRuleRegressor(max_iter=7, tol=0, random_state=0)
    model.set_callbacks(recorder).fit(X, y)
    assert model.n_iter_ == 7
    epochs = [f"epoch {i}" for i in range(1, 8)]
    assert recorder.begun == ["fit", *epochs]
    assert recorder.ended == [*epochs, "fit"]
    assert recorder.n_iter_seen == list(range(1, 8))
    assert recorder.setups == recorder.teardowns == 1


def test_a_callback_can_stop_the_fit(data, recwarn):
    X, y = data
    recorder = EpochRecorder(stop_after=3)
    model = DeltaRuleRegressor(max_iter=50, tol=0, random_state=0)
    model.set_callbacks(recorder).fit(X, y)
    assert model.n_iter_ == 3
    assert len(model.loss_curve_) == 3
    assert recorder.ended[-1] == "fit"
    # Stopping on request is not a failure to converge.
    assert not [w for w in recwarn if "Maximum iterations" in str(w.message)]


def test_a_fit_a_callback_stops_ends_on_its_last_weights():
    # Momentum makes the loss swing; a fit the stopping rule ends on a swing
    # goes back to its best epoch, but a callback's stop keeps the model the
    # callback saw last.
    X, y = make_regression(500, 10, noise=10, random_state=0)
    weights = []

    class Stopper(EpochRecorder):
        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            if context.task_name.startswith("epoch"):
                weights.append(fitted_estimator.coef_.copy())
                return len(weights) == 9
            return False

    model = DeltaRuleRegressor(momentum=0.9, random_state=0, record_weights=True)
    model.set_callbacks(Stopper()).fit(X, y)
    assert model.n_iter_ == 9
    assert model.loss_curve_[-1] > model.best_loss_  # stopped on a swing
    np.testing.assert_array_equal(model.coef_, weights[-1])


def test_fitted_estimator_given_to_callbacks_has_that_epochs_weights(data):
    X, y = data
    weights = []

    class WeightRecorder(EpochRecorder):
        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            if context.task_name.startswith("epoch"):
                weights.append(fitted_estimator.coef_.copy())
                # The copy predicts with those weights.
                np.testing.assert_allclose(
                    fitted_estimator.predict(X),
                    X @ weights[-1] + fitted_estimator.intercept_,
                )

    model = DeltaRuleRegressor(max_iter=4, tol=0, random_state=0, record_weights=True)
    model.set_callbacks(WeightRecorder()).fit(X, y)
    np.testing.assert_array_equal(np.stack(weights), model.coef_history_[1:])


def test_scoring_monitor_scores_every_epoch():
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    monitor = callback.ScoringMonitor(scoring="accuracy")
    model = DeltaRuleClassifier(max_iter=6, tol=0, random_state=0)
    model.set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs()
    scores = [row["accuracy"] for row in log.data if row["task_name"] != "fit"]
    assert len(scores) == 6
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores[-1] == pytest.approx(model.score(X, y))


def test_progress_bar_runs(data, capsys):
    pytest.importorskip("rich", reason="ProgressBar needs rich")
    X, y = data
    model = DeltaRuleRegressor(max_iter=5, tol=0, random_state=0)
    model.set_callbacks(callback.ProgressBar()).fit(X, y)
    assert model.n_iter_ == 5
    captured = capsys.readouterr()
    assert "DeltaRuleRegressor - fit" in captured.out + captured.err


def test_partial_fit_is_one_epoch_task(data):
    X, y = data
    recorder = EpochRecorder()
    model = DeltaRuleRegressor(random_state=0).set_callbacks(recorder)
    model.partial_fit(X, y)
    model.partial_fit(X, y)
    assert recorder.begun == ["fit", "epoch 1", "fit", "epoch 2"]
    assert recorder.n_iter_seen == [1, 2]


def test_a_failing_callback_leaves_the_model_as_it_was_and_is_torn_down(data):
    X, y = data

    class Failing(EpochRecorder):
        def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
            if context.task_name == "epoch 2":
                raise RuntimeError("callback failed")

    failing = Failing()
    model = DeltaRuleRegressor(random_state=0, max_iter=5).fit(X, y)
    coef = model.coef_.copy()
    model.set_callbacks(failing)
    with pytest.raises(RuntimeError, match="callback failed"):
        model.fit(X, -y)
    np.testing.assert_array_equal(model.coef_, coef)
    assert failing.setups == failing.teardowns == 1
    assert not hasattr(model, "_callback_fit_ctx")


class TaskTreeRecorder(EpochRecorder):
    """Also records the root task's announced number of subtasks."""

    def on_fit_task_begin(self, estimator, context):
        super().on_fit_task_begin(estimator, context)
        if context.task_name == "fit":
            self.announced = context.max_subtasks


@pytest.mark.parametrize("tol", [None, 1e-3])
def test_the_fit_announces_its_epochs_and_ends_one_per_epoch(data, tol):
    # What scikit-learn's ProgressBar counts: the root task announces
    # max_iter subtasks and one ends per epoch (fewer when the fit stops).
    X, y = data
    recorder = TaskTreeRecorder()
    model = DeltaRuleRegressor(max_iter=40, tol=tol, random_state=0)
    model.set_callbacks(recorder).fit(X, y)
    assert recorder.announced == 40
    ended_epochs = [name for name in recorder.ended if name.startswith("epoch")]
    assert len(ended_epochs) == model.n_iter_ <= 40
    model.set_callbacks(recorder := TaskTreeRecorder()).partial_fit(X, y)
    assert recorder.announced == 1


def test_scoring_monitor_logs_one_row_per_epoch(data):
    X, y = data
    monitor = callback.ScoringMonitor(scoring="r2")
    model = DeltaRuleRegressor(max_iter=6, tol=None).set_callbacks(monitor)
    model.fit(X, y)
    rows = monitor.get_logs().data
    epochs = [row for row in rows if row["task_name"].startswith("epoch")]
    assert [row["task_name"] for row in epochs] == [f"epoch {i}" for i in range(1, 7)]
    scores = [row["r2"] for row in epochs]
    assert scores == sorted(scores)  # a full batch improves every epoch
    assert scores[-1] == pytest.approx(model.score(X, y))


def test_a_diverging_fit_never_opens_more_subtasks_than_announced(data):
    X, y = data
    recorder = TaskTreeRecorder()
    model = DeltaRuleRegressor(max_iter=3, eta0=50.0, batch_size="full")
    with pytest.warns(Warning):
        model.set_callbacks(recorder).fit(X, y)
    assert recorder.announced == 3
    assert len([n for n in recorder.begun if n.startswith("epoch")]) <= 3


def _count_contexts(model, monkeypatch):
    """The callback contexts the model opens, counted as it fits."""
    opened = []
    original = model._init_callback_context

    def counting(*args, **kwargs):
        opened.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(model, "_init_callback_context", counting)
    return opened


def test_without_a_listening_callback_no_context_is_opened(data, monkeypatch):
    # Reports nobody hears cost a partial_fit call on a small chunk ~10 us.
    X, y = data
    model = DeltaRuleRegressor(random_state=0)
    opened = _count_contexts(model, monkeypatch)
    model.fit(X, y)
    model.partial_fit(X, y)
    assert opened == []
    model.set_callbacks(EpochRecorder())
    model.fit(X, y)
    model.partial_fit(X, y)
    assert len(opened) == 2


def test_a_meta_estimators_callbacks_are_reported_to(data, monkeypatch):
    # A meta-estimator passes its context down as _parent_callback_ctx: the
    # model has no callbacks of its own, yet someone listens.
    X, y = data
    model = DeltaRuleRegressor(max_iter=3, tol=None, random_state=0)
    opened = _count_contexts(model, monkeypatch)
    recorder = EpochRecorder()
    parent = DeltaRuleRegressor().set_callbacks(recorder)
    parent_context = parent._init_callback_context(max_subtasks=1)
    model._parent_callback_ctx = parent_context.subcontext(task_name="child")
    model.fit(X, y)
    assert len(opened) == 1
