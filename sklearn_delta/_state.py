"""What training carries from epoch to epoch and from call to call.

A :class:`TrainingState` is kept whole on the estimator between calls (as
``_state``), so that ``partial_fit`` and ``warm_start`` continue exactly
where the last call stopped. Between calls the weights themselves live in
the estimator's ``coef_`` and ``intercept_`` (which a user may set); each
call resumes from them with :meth:`TrainingState.resume`.

The lists in the state (the loss curve above all) only ever grow at their
end. A call shares them with the stored state instead of copying them, so
that its cost does not grow with the length of a stream; on failure
:meth:`TrainingState.truncate` cuts them back to where the call found them.
:class:`Checkpoint` does the same within a call, for the divergence guard.
"""

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# The lists of a TrainingState that grow by one entry per epoch.
_GROWING_LISTS = (
    "loss_curve",
    "validation_scores",
    "validation_loss_curve",
    "coef_history",
    "intercept_history",
)


@dataclass
class TrainingState:
    """Everything that carries over between epochs and between calls."""

    coef: np.ndarray  # (n_features, n_outputs); None between calls
    intercept: np.ndarray  # (n_outputs,); None between calls
    schedule: Any
    eta0: float = None  # the initial rate: eta0, or what eta0="auto" chose
    learning_rate: float = None  # the rate of the last epoch
    coef_velocity: np.ndarray = None
    intercept_velocity: np.ndarray = None
    t: float = 0.0
    n_iter: int = 0
    loss_curve: list = field(default_factory=list)
    best_loss: float = np.inf
    no_improvement_count: int = 0
    rate_scale: float = 1.0
    validation_scores: list = field(default_factory=list)
    validation_loss_curve: list = field(default_factory=list)
    best_validation_score: float = -np.inf
    best_params: tuple = None
    # With record_weights: the weights before the first epoch and after each.
    coef_history: list = field(default_factory=list)
    intercept_history: list = field(default_factory=list)

    def __post_init__(self):
        if self.coef_velocity is None:
            self.coef_velocity = np.zeros_like(self.coef)
            self.intercept_velocity = np.zeros_like(self.intercept)

    def resume(self, coef, intercept):
        """A state to train from ``coef`` and ``intercept``, this one untouched.

        The arrays and the schedule are copied (they change in place during
        training); the growing lists are shared (see the module docstring).
        """
        return dataclasses.replace(
            self,
            coef=coef.copy(),
            intercept=intercept.copy(),
            coef_velocity=self.coef_velocity.copy(),
            intercept_velocity=self.intercept_velocity.copy(),
            schedule=copy.deepcopy(self.schedule),
        )

    def at_rest(self):
        """The state to keep between calls: without the weights."""
        return dataclasses.replace(self, coef=None, intercept=None)

    def list_lengths(self):
        """The lengths of the growing lists, for :meth:`truncate`."""
        return {name: len(getattr(self, name)) for name in _GROWING_LISTS}

    def truncate(self, lengths):
        """Cut the growing lists back to ``lengths``, in place."""
        for name, length in lengths.items():
            del getattr(self, name)[length:]


class Checkpoint:
    """A snapshot of a TrainingState to go back to when training diverges.

    It copies the small arrays and scalars, and remembers only the lengths
    of the growing lists: going back truncates them. ``call_best`` is the
    lowest loss of the call known at this point.
    """

    def __init__(self, state, call_best):
        self.call_best = call_best
        self._arrays = {
            name: getattr(state, name).copy()
            for name in ("coef", "intercept", "coef_velocity", "intercept_velocity")
        }
        self._values = {
            "schedule": copy.deepcopy(state.schedule),
            **{
                name: getattr(state, name)
                for name in (
                    "t",
                    "n_iter",
                    "best_loss",
                    "no_improvement_count",
                    "best_validation_score",
                    "best_params",
                    "learning_rate",
                )
            },
        }
        self._lengths = state.list_lengths()

    def restore(self, state):
        """Put ``state`` back to this checkpoint, in place."""
        for name, array in self._arrays.items():
            getattr(state, name)[...] = array
        for name, value in self._values.items():
            setattr(state, name, copy.deepcopy(value) if name == "schedule" else value)
        state.truncate(self._lengths)
