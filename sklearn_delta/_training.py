"""The training loop shared by both estimators: epochs, batches, stopping.

It receives validated arrays and encoded targets, and hands one epoch at a
time to the kernel. It knows nothing of scikit-learn's estimator API: the
estimators build a :class:`TrainingState` (what carries over between calls)
and a :class:`TrainingConfig` (what the parameters ask for), call
:func:`train`, and copy the state back into their fitted attributes.
"""

import copy
import dataclasses
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.extmath import safe_sparse_dot

from sklearn_delta._kernels import delta_rule_epoch
from sklearn_delta._losses import LOSSES

# An epoch is taken as diverging when its mean loss
# - is not finite, or exceeds DIVERGENCE_FACTOR times the largest of the
#   "null loss" (that of all-zero weights), the loss of the weights the call
#   started from, and the best loss seen; or
# - in a fit (or a first partial_fit), rises above the lowest loss of the call
#   so far (at first, that of the starting weights) by more than
#   OVERSHOOT_FRACTION times the larger of the null and the starting loss.
#   Repeating an epoch over the same data should not make things clearly
#   worse: when it does, the steps overshoot. With a bounded loss (a
#   logistic or tanh unit's squared error) this is the only way a too-large
#   rate shows.
DIVERGENCE_FACTOR = 1e3
OVERSHOOT_FRACTION = 0.1
# Each divergence cuts the rate by this factor, so that training goes on
# within a factor RATE_CUT of the largest rate that is stable on the data
# (a cut of 10 left it needlessly slow); after MAX_RATE_CUTS cuts in all
# (a factor of about 1e10) training gives up with an error.
RATE_CUT = 4.0
MAX_RATE_CUTS = 17


class DivergenceWarning(ConvergenceWarning):
    """Training diverged; the epoch was undone and the learning rate cut.

    A subclass of scikit-learn's ``ConvergenceWarning``. The message gives
    the rate that diverged and the rate training goes on with; scale the
    features or lower ``eta0`` to avoid it.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sklearn_delta import DeltaRuleRegressor, DivergenceWarning
    >>> X = np.random.default_rng(0).normal(scale=100, size=(50, 2))
    >>> y = X @ [1.0, 2.0]
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     model = DeltaRuleRegressor(eta0=1.0, max_iter=5).fit(X, y)
    >>> any(issubclass(w.category, DivergenceWarning) for w in caught)
    True
    >>> bool(np.all(np.isfinite(model.coef_)))
    True
    """


@dataclass
class UpdateRule:
    """What one step of the kernel needs besides the data and the weights."""

    eta: float
    alpha: float
    momentum: float
    weight_scale: float


@dataclass
class TrainingConfig:
    """The estimator's parameters, resolved for the loop."""

    activation: Any
    loss: str
    eta0: float
    alpha: float
    momentum: float
    batch_size: int
    shuffle: bool
    seed: int
    max_iter: int
    tol: float
    n_iter_no_change: int
    verbose: int
    record_weights: bool = False


@dataclass
class TrainingState:
    """Everything that carries over between epochs and between calls."""

    coef: np.ndarray  # (n_features, n_outputs)
    intercept: np.ndarray  # (n_outputs,)
    schedule: Any
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

    def copy(self):
        """A deep copy, so that training never alters the estimator's arrays.

        Written out rather than ``copy.deepcopy``: the loss curves grow with
        every partial_fit call, and deepcopy's per-element bookkeeping made
        a long stream of small calls quadratic in time.
        """
        copied = dataclasses.replace(self, schedule=copy.deepcopy(self.schedule))
        for name, value in vars(copied).items():
            if isinstance(value, np.ndarray):
                setattr(copied, name, value.copy())
            elif isinstance(value, list):
                setattr(copied, name, list(value))
        if self.best_params is not None:
            copied.best_params = tuple(array.copy() for array in self.best_params)
        return copied


class EpochObserver:
    """Hooks around each epoch; the estimator passes one to :func:`train`.

    The base class does nothing. ``epoch_begin`` is called before each try
    at an epoch (a diverged epoch is tried again), ``epoch_end`` once the
    epoch is done and kept; returning True from it stops training.
    """

    def epoch_begin(self, state):
        """Called before each try at the epoch ``state.n_iter + 1``."""

    def epoch_end(self, state):
        """Called after the epoch ``state.n_iter``; return True to stop."""
        return False


@dataclass
class Validation:
    """Held-out data for early stopping and the estimator's scorer."""

    X: Any
    Y: np.ndarray
    sample_weight: np.ndarray
    score: Any  # callable(coef, intercept) -> float, higher is better


def starting_intercept(activation, Y, sample_weight):
    """The intercepts of a new model: each unit outputs its mean target.

    With all-zero weights this is the best constant model of the weighted
    targets (zeros when the activation has no inverse). Starting there, the
    weights need not first undo a constant offset, and a unit of a rare class
    does not start out predicting it for every sample. The weights must not
    all be zero (the estimators refuse that before training).
    """
    # np.asarray computes the mean when Y is a dask array.
    mean_target = np.asarray(sample_weight @ Y / sample_weight.sum(), dtype=Y.dtype)
    return activation.starting_net_input(mean_target)


def mean_loss(X, Y, sample_weight, coef, intercept, activation, loss):
    """Weighted mean per-sample loss of the given weights on (X, Y)."""
    net_input = safe_sparse_dot(X, coef) + intercept
    return net_input_loss(net_input, Y, sample_weight, activation, loss)


def net_input_loss(net_input, Y, sample_weight, activation, loss):
    """Weighted mean per-sample loss of the output units' net inputs."""
    output = activation.function(net_input)
    return float(sample_weight @ LOSSES[loss](Y, output) / sample_weight.sum())


def batch_order(n_samples, config, epoch):
    """The row order of an epoch: a permutation of indices, or None (as is).

    Each epoch's permutation comes from its own generator seeded with
    (seed, epoch), so a fit is bit-identical for the same seed and
    partial_fit continues the sequence where the previous call stopped.
    """
    if not config.shuffle or config.batch_size >= n_samples:
        # A full batch sums over all rows in any order: no need to shuffle
        # (and no copy of X).
        return None
    return np.random.default_rng([config.seed, epoch]).permutation(n_samples)


def train(
    state,
    config,
    X,
    Y,
    sample_weight,
    *,
    max_epochs,
    validation=None,
    fresh_start=True,
    observer=None,
    kernel=delta_rule_epoch,
):
    """Train for ``max_epochs`` epochs; update ``state`` in place.

    Divergence control: a diverging epoch (see ``DIVERGENCE_FACTOR``) sends
    the state back to where the best epoch so far began (the weights of a
    diverging run are already bad before the epoch in which the loss shows
    it) and cuts the learning rate by ``RATE_CUT``, with a DivergenceWarning.
    ``fresh_start`` says that this call starts a new stretch of training (a
    fit, or the first partial_fit) so that overshooting its starting loss
    counts as diverging; a later partial_fit call sees new data, whose loss
    may rightly be higher.

    ``observer`` (an :class:`EpochObserver`) is told of every epoch and may
    stop training. ``kernel`` runs one epoch; it has the signature of
    :func:`~sklearn_delta._kernels.delta_rule_epoch`.

    Returns
    -------
    converged : bool
        True when training stopped because the loss (or validation score)
        stopped improving or the observer asked to stop, False when it ran
        out of epochs.
    """
    observer = observer or EpochObserver()
    if config.record_weights and not state.coef_history:
        _record_weights(state)
    weight_scale = float(np.mean(sample_weight))
    with np.errstate(over="ignore", invalid="ignore"):
        start_loss = mean_loss(
            X,
            Y,
            sample_weight,
            state.coef,
            state.intercept,
            config.activation,
            config.loss,
        )
        # The scale of a sane loss on this data: that of all-zero weights, or
        # of the weights we start from. It is kept above the smallest normal
        # number of the data's dtype: smaller losses are rounding (a float32
        # loss of tiny targets can underflow to 0 here, while the kernel's
        # float64 sum of the same epoch does not).
        loss_scale = max(
            _null_loss(config, Y, sample_weight),
            start_loss,
            float(np.finfo(Y.dtype).tiny),
        )
    if not np.isfinite(loss_scale):
        raise ValueError(
            f"The loss is not finite before training even starts (the mean loss "
            f"of the starting weights is {start_loss:.3g}): the targets, or the "
            "initial weights, are too large for the arithmetic. Scale y (e.g. "
            "with TransformedTargetRegressor(regressor=..., "
            "transformer=StandardScaler())) or give smaller coef_init."
        )
    call_best = start_loss if fresh_start else np.inf
    first_epoch = state.n_iter
    # Where to go back to on divergence, with the lowest loss known there:
    # at first, where this call started.
    checkpoint = None
    while state.n_iter - first_epoch < max_epochs:
        epoch_start = (state.copy(), call_best)
        checkpoint = checkpoint or epoch_start
        observer.epoch_begin(state)
        epoch_loss = _train_epoch(
            state, config, X, Y, sample_weight, weight_scale, kernel
        )
        best = state.best_loss if state.best_loss < np.inf else 0.0
        if not (
            np.isfinite(epoch_loss)
            and epoch_loss <= DIVERGENCE_FACTOR * max(loss_scale, best)
            and epoch_loss <= call_best + OVERSHOOT_FRACTION * loss_scale
        ):
            _recover_from_divergence(state, config, checkpoint[0], epoch_loss)
            call_best = checkpoint[1]
            continue
        if epoch_loss < call_best or not np.isfinite(call_best):
            checkpoint = epoch_start
            call_best = epoch_loss
        state.n_iter += 1
        state.t += float(sample_weight.sum())
        state.loss_curve.append(epoch_loss)
        if config.record_weights:
            _record_weights(state)
        if config.verbose:
            print(f"Iteration {state.n_iter}, loss = {epoch_loss:.8f}")
        converged = _end_of_epoch(state, config, epoch_loss, validation)
        if observer.epoch_end(state) and not converged:
            if config.verbose:
                print("Stopping: a callback asked to stop.")
            return True
        if converged:
            return True
    return False


def _record_weights(state):
    state.coef_history.append(state.coef.copy())
    state.intercept_history.append(state.intercept.copy())


def _null_loss(config, Y, sample_weight):
    """Mean loss of all-zero weights: the scale a sane loss stays near."""
    zero_net_input = np.zeros((1, Y.shape[1]), Y.dtype)  # broadcast over rows
    return net_input_loss(
        zero_net_input, Y, sample_weight, config.activation, config.loss
    )


def _train_epoch(state, config, X, Y, sample_weight, weight_scale, kernel):
    """Run the kernel over one epoch; return the epoch's mean loss."""
    eta = state.schedule.learning_rate(config.eta0, state.n_iter, state.t)
    rule = UpdateRule(
        eta * state.rate_scale, config.alpha, config.momentum, weight_scale
    )
    order = batch_order(X.shape[0], config, state.n_iter)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        total = kernel(
            X,
            Y,
            sample_weight,
            order,
            config.batch_size,
            (state.coef, state.intercept),
            (state.coef_velocity, state.intercept_velocity),
            rule,
            config.activation,
            config.loss,
        )
        penalty = 0.5 * config.alpha * float(np.sum(state.coef**2))
        return total / (X.shape[0] * weight_scale) + penalty


def _recover_from_divergence(state, config, checkpoint, epoch_loss):
    """Go back to ``checkpoint`` with a learning rate cut by RATE_CUT."""
    eta = state.rate_scale * state.schedule.learning_rate(
        config.eta0, state.n_iter, state.t
    )
    rate_scale = state.rate_scale / RATE_CUT
    if rate_scale < RATE_CUT**-MAX_RATE_CUTS:
        raise ValueError(
            f"Training diverges even at learning rate {eta:.3g} ({MAX_RATE_CUTS} "
            f"cuts by {RATE_CUT:g} below eta0={config.eta0}). The features (or "
            "the targets) are probably on very large or very different scales: "
            "standardise them (e.g. with StandardScaler, and for a regressor's "
            "targets TransformedTargetRegressor) and lower eta0."
        )
    state.__dict__.update(checkpoint.copy().__dict__)
    state.rate_scale = rate_scale
    # Restart momentum: a velocity built up at the old rate would carry the
    # weights the same way again.
    state.coef_velocity[...] = 0
    state.intercept_velocity[...] = 0
    warnings.warn(
        f"Training diverged in epoch {state.n_iter + 1} with learning rate "
        f"{eta:.3g} (mean loss {epoch_loss:.3g}); it went back to the weights "
        f"of epoch {state.n_iter} and goes on with the learning rate cut to "
        f"{eta / RATE_CUT:.3g}. Scale the features (e.g. with StandardScaler) "
        "or lower eta0 to avoid this.",
        DivergenceWarning,
    )


def _end_of_epoch(state, config, epoch_loss, validation):
    """Track improvement, keep the best weights; return True to stop."""
    if validation is None:
        improved = epoch_loss <= state.best_loss - config.tol
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            score = validation.score(state.coef, state.intercept)
            validation_loss = mean_loss(
                validation.X,
                validation.Y,
                validation.sample_weight,
                state.coef,
                state.intercept,
                config.activation,
                config.loss,
            )
        state.validation_scores.append(score)
        state.validation_loss_curve.append(validation_loss)
        improved = score >= state.best_validation_score + config.tol
        if score > state.best_validation_score:
            state.best_validation_score = score
            state.best_params = (state.coef.copy(), state.intercept.copy())
        if config.verbose:
            print(f"Validation score: {score:.6f}")
    state.best_loss = min(state.best_loss, epoch_loss)
    state.no_improvement_count = 0 if improved else state.no_improvement_count + 1

    if state.no_improvement_count <= config.n_iter_no_change:
        return False
    state.no_improvement_count = 0
    if state.schedule.on_plateau(config.eta0, state.n_iter, state.t):
        if config.verbose:
            print("No improvement: the schedule lowered the learning rate.")
        return False
    if config.verbose:
        print(
            f"Stopping: the {'validation score' if validation else 'training loss'}"
            f" did not improve more than tol={config.tol} for "
            f"{config.n_iter_no_change} consecutive epochs."
        )
    return True


def warn_not_converged(max_iter):
    """Warn as scikit-learn does when max_iter ends a fit before convergence."""
    warnings.warn(
        f"Maximum iterations ({max_iter}) reached and the optimization hasn't "
        "converged yet. Increase max_iter, or raise eta0 if the loss curve "
        "still falls steadily.",
        ConvergenceWarning,
    )
