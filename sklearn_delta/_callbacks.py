"""Support for scikit-learn's callback API (``sklearn.callback``).

scikit-learn 1.9 added an experimental callback API: estimators that
inherit ``CallbackSupportMixin`` accept ``set_callbacks(...)`` (for instance
``ProgressBar()`` or ``ScoringMonitor(scoring=...)``) and report each fit as
a task made of subtasks. Ours reports one subtask per epoch, and a callback
whose ``on_fit_task_end`` returns True stops the fit after that epoch.

With an older scikit-learn the mixin is an empty stand-in and fits run
without callbacks; nothing else changes.
"""

from sklearn_delta._training import EpochObserver

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9, which has no callback API."""


# Attributes that scikit-learn's callback machinery keeps on the estimator
# for the length of a fit, and removes itself when the fit ends.
CALLBACK_BOOKKEEPING = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")


class SklearnCallbacks(EpochObserver):
    """Reports a fit and its epochs to the estimator's scikit-learn callbacks.

    Parameters
    ----------
    estimator : the estimator being fitted.
    X, y, sample_weight : the data as the user passed them; scoring
        callbacks evaluate the model on them.
    fitted_attributes : callable(state) -> dict, the attributes that make a
        copy of the estimator a model fitted with the state's weights.
    max_epochs : int, the most epochs the call runs: the number of subtasks
        the fit announces, which a progress bar counts against.
    """

    def __init__(self, estimator, X, y, sample_weight, fitted_attributes, max_epochs):
        self.estimator = estimator
        self.data = {"X": X, "y": y}
        self.data["metadata"] = (
            {} if sample_weight is None else {"sample_weight": sample_weight}
        )
        self.fitted_attributes = fitted_attributes
        # One subtask per epoch, at most max_epochs of them: a fit that stops
        # early ends with fewer. A diverged run that goes back to an earlier
        # epoch runs the epochs after it again as new subtasks, while the
        # announced number allows; beyond it, epochs run unreported.
        self.max_epochs = max_epochs
        self.opened = 0
        self.context = estimator._init_callback_context(max_subtasks=max_epochs)
        self.context.call_on_fit_task_begin(estimator=estimator, **self.data)
        self.epoch_context = None

    def epoch_begin(self, state):
        # A diverged epoch is tried again within the same subtask.
        if self.epoch_context is None and self.opened < self.max_epochs:
            self.opened += 1
            self.epoch_context = self.context.subcontext(
                task_name=f"epoch {state.n_iter + 1}"
            )
            self.epoch_context.call_on_fit_task_begin(
                estimator=self.estimator, **self.data
            )

    def epoch_end(self, state):
        context, self.epoch_context = self.epoch_context, None
        if context is None:
            return False
        return context.call_on_fit_task_end(
            estimator=self.estimator,
            reconstruction_attributes=lambda: self.fitted_attributes(state),
            **self.data,
        )

    def fit_end(self):
        """Report the end of the whole fit (the estimator is fitted by now)."""
        self.context.call_on_fit_task_end(
            estimator=self.estimator, reconstruction_attributes={}, **self.data
        )


def epoch_observer(estimator, X, y, sample_weight, fitted_attributes, max_epochs):
    """The observer for a fit: SklearnCallbacks when the API exists and a
    callback listens (the estimator's own, or a meta-estimator's passed down
    to it), else None.

    Without a listener the reports would go nowhere, and they cost ~10 us
    per call: as much as a third of a partial_fit call's own work on a small
    chunk.
    """
    if not hasattr(estimator, "_init_callback_context"):
        return None
    if not (
        getattr(estimator, "_skl_callbacks", None)
        or hasattr(estimator, "_parent_callback_ctx")
    ):
        return None
    return SklearnCallbacks(
        estimator, X, y, sample_weight, fitted_attributes, max_epochs
    )
