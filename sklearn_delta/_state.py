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
        self.restore_weights(state)
        for name, value in self._values.items():
            setattr(state, name, copy.deepcopy(value) if name == "schedule" else value)
        state.truncate(self._lengths)

    def restore_weights(self, state):
        """Put the weights and the momentum of ``state`` back to this
        checkpoint, in place; the counters and the curves stay."""
        for name, array in self._arrays.items():
            getattr(state, name)[...] = array


def check_weights(coef, intercept, n_features):
    """Refuse weights that do not fit together: a damaged or tampered model.

    ``coef`` is (n_features, n_outputs), ``intercept`` (n_outputs,), as
    ``BaseDeltaRule._unit_params`` gives them. The compiled kernels and the
    products of ``predict`` index these arrays by each other's shapes.
    """
    if not (
        isinstance(coef, np.ndarray)
        and coef.ndim == 2
        and coef.shape[0] == n_features
        and coef.dtype in (np.float32, np.float64)
    ):
        _refuse(
            f"coef_ is not an array of {n_features} weights per output unit "
            "(float32 or float64)"
        )
    if not (
        isinstance(intercept, np.ndarray)
        and intercept.shape == (coef.shape[1],)
        and intercept.dtype == coef.dtype
    ):
        _refuse(
            f"intercept_ has shape {getattr(intercept, 'shape', None)} and dtype "
            f"{getattr(intercept, 'dtype', None)}, but coef_ has {coef.shape[1]} "
            f"output unit(s) of dtype {coef.dtype}"
        )


def check_training_state(state, coef, intercept):
    """Refuse a stored TrainingState that does not fit the weights it trains."""
    if not isinstance(state, TrainingState):
        _refuse(f"_state is a {type(state).__name__}, not a TrainingState")
    for name, like in (("coef_velocity", coef), ("intercept_velocity", intercept)):
        value = getattr(state, name)
        if not (
            isinstance(value, np.ndarray)
            and value.shape == like.shape
            and value.dtype == like.dtype
        ):
            _refuse(
                f"_state.{name} has shape {getattr(value, 'shape', None)} and "
                f"dtype {getattr(value, 'dtype', None)}; the weights need "
                f"{like.shape} and {like.dtype}"
            )
    for name in _GROWING_LISTS:
        if not isinstance(getattr(state, name), list):
            _refuse(f"_state.{name} is not a list")
    if not (np.isfinite(state.rate_scale) and state.rate_scale > 0):
        _refuse(f"_state.rate_scale is {state.rate_scale}")


def _refuse(problem):
    raise ValueError(
        f"This model's fitted state is inconsistent: {problem}. It was probably "
        "damaged or changed after fitting (a tampered file?). Fit a new model."
    )
