"""The training loop shared by both estimators: epochs, batches, stopping.

It receives validated arrays and encoded targets, and hands one epoch at a
time to the kernel. It knows nothing of scikit-learn's estimator API: the
estimators resume a :class:`~sklearn_delta._state.TrainingState` (what
carries over between calls), build a :class:`TrainingConfig` (what the
parameters ask for), call :func:`train`, and publish the state as their
fitted attributes. The divergence guard lives in ``_divergence.py``.
"""

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.extmath import safe_sparse_dot

from sklearn_delta._divergence import DivergenceGuard
from sklearn_delta._kernels import delta_rule_epoch
from sklearn_delta._rows import block_size, blocks
from sklearn_delta._rows import net_input as rows_net_input
from sklearn_delta._shuffle import EpochOrders


@dataclass
class UpdateRule:
    """What one step of the kernel needs besides the data and the weights."""

    eta: float
    alpha: float
    momentum: float
    weight_scale: float
    fit_intercept: bool = True


@dataclass
class TrainingConfig:
    """The estimator's parameters, resolved for the loop."""

    activation: Any
    loss: Any
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
    fit_intercept: bool = True
    # Rows per block of a shuffled epoch (see ``_shuffle.py``); 1: single rows.
    shuffle_block: int = 1
    # How a DivergenceWarning ends (see ``_divergence.rate_advice``).
    rate_advice: str = ""


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
    """The rows early stopping holds out, and the estimator's scorer.

    The rows stay in the training data's X (they are read a block at a time,
    see ``_rows.py``); their targets and weights are small copies.
    """

    rows: np.ndarray  # indices of the held-out rows of X
    Y: np.ndarray
    sample_weight: np.ndarray
    score: Any  # callable(net_input) -> float, higher is better


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


def mean_loss(X, Y, sample_weight, coef, intercept, activation, loss, rows=None):
    """Weighted mean per-sample loss of the given weights on (X, Y), over the
    rows ``rows`` (every row for None).

    With ``rows``, X is read a block of rows at a time (see ``_rows.py``)
    and the loss added up block by block: neither X nor the rows' targets
    are copied whole.
    """
    if rows is None:
        net_input = _net_input(X, coef, intercept, Y)
        return net_input_loss(net_input, Y, sample_weight, activation, loss)
    return _blockwise_mean_loss(
        lambda piece, Y_block: _net_input(X[piece], coef, intercept, Y_block),
        Y,
        sample_weight,
        rows,
        block_size(X),
        activation,
        loss,
    )


def _blockwise_mean_loss(net_input_of, Y, sample_weight, rows, size, activation, loss):
    """Weighted mean loss over ``rows``, added up ``size`` rows at a time;
    ``net_input_of(piece, Y[piece])`` gives a block's net input."""
    loss_sum = weight_sum = None
    for piece in blocks(rows, size):
        Y_block = Y[piece]
        block_loss, block_weight = _loss_sum(
            net_input_of(piece, Y_block),
            Y_block,
            sample_weight[piece],
            activation,
            loss,
        )
        # (Adding to the first block's sums keeps a single block's mean
        # exactly that of the whole.)
        loss_sum = block_loss if loss_sum is None else loss_sum + block_loss
        weight_sum = block_weight if weight_sum is None else weight_sum + block_weight
    return float(loss_sum / weight_sum)


def _net_input(X, coef, intercept, Y):
    """``X @ coef + intercept``, the net input of the rows of targets Y."""
    if isinstance(Y, np.ndarray) and not coef.any():
        return np.broadcast_to(intercept, Y.shape)  # no need to read X
    return safe_sparse_dot(X, coef) + intercept


def objective(X, Y, sample_weight, coef, intercept, config, rows=None):
    """What training minimises: the weighted mean loss plus the L2 penalty,
    over the training rows ``rows`` (None: every row)."""
    with np.errstate(over="ignore", invalid="ignore"):
        loss = mean_loss(
            X, Y, sample_weight, coef, intercept, config.activation, config.loss, rows
        )
        return loss + _penalty(coef, config.alpha)


def _penalty(coef, alpha):
    return 0.5 * alpha * float(np.sum(coef**2)) if alpha else 0.0


def net_input_loss(net_input, Y, sample_weight, activation, loss):
    """Weighted mean per-sample loss of the output units' net inputs."""
    loss_sum, weight_sum = _loss_sum(net_input, Y, sample_weight, activation, loss)
    return float(loss_sum / weight_sum)


def _loss_sum(net_input, Y, sample_weight, activation, loss):
    """The weighted sum of the per-sample losses, and the sum of the weights."""
    output = activation.function(net_input)
    return sample_weight @ loss.value(Y, output), sample_weight.sum()


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
    rows=None,
):
    """Train for ``max_epochs`` epochs; update ``state`` in place.

    Each epoch runs the kernel, then the divergence guard judges it (see
    ``_divergence.py``): a diverging epoch is undone, the rate cut and the
    epoch run again. A kept epoch is recorded, and the stopping rules and
    the ``observer`` (an :class:`EpochObserver`) may end training.
    ``fresh_start`` tells the guard whether this call starts a new stretch
    of training. ``kernel`` runs one epoch, as :func:`delta_rule_epoch`.
    ``rows`` are the indices of the rows to train on (None: every row):
    early stopping holds the others out without copying X.

    Returns True (converged) when the loss or validation score stopped
    improving or the observer asked to stop, False when epochs ran out.
    """
    observer = observer or EpochObserver()
    if config.record_weights and not state.coef_history:
        _record_weights(state)
    guard = _start_guard(state, config, X, Y, sample_weight, fresh_start, rows)
    weight_sum, weight_scale = _training_weight(sample_weight, rows)
    orders = EpochOrders(X.shape[0], config, rows, state.n_iter + max_epochs)
    data = (X, Y, sample_weight, rows)
    stop = rule_stop = False
    rate = None  # of the last epoch run (max_epochs >= 1, so one runs first)
    while True:
        if stop or state.n_iter >= orders.last_epoch:
            if _ends_well(state, config, data, guard, rate, rule_stop):
                break
            stop = False
        guard.epoch_begins(state)
        observer.epoch_begin(state)
        rate = _learning_rate(state, config)
        epoch_loss = _train_epoch(
            state, config, X, Y, sample_weight, rate, weight_scale, kernel, orders
        )
        if guard.diverged(state, epoch_loss):
            guard.roll_back(state, config.eta0, rate)
            continue
        guard.accept(epoch_loss)
        state.learning_rate = rate
        _record_epoch(state, config, epoch_loss, weight_sum)
        rule_stop = _end_of_epoch(
            state, config, epoch_loss, validation, guard.start_scale, X
        )
        stop = _observed(observer, state, config, rule_stop)
    guard.warn(config.rate_advice)
    return stop


def _training_weight(sample_weight, rows):
    """The training rows' total and mean weight, summed once per call, not
    every epoch: on dask data each sum is a computation."""
    if rows is not None:
        sample_weight = sample_weight[rows]
    weight_sum = float(sample_weight.sum())
    return weight_sum, weight_sum / sample_weight.shape[0]


def _ends_well(state, config, data, guard, rate, rule_stopped):
    """Judge the last steps by the objective of the final weights; on
    divergence go back (training then goes on) and return False.

    ``data`` is (X, Y, sample_weight, rows). When the stopping rule
    (``rule_stopped``, not an observer) ended a full-batch fit on weights
    clearly worse than those its best epoch began with, which momentum's
    overshoot can do, the model goes back to those: a full batch's epoch
    loss is their exact objective. "Clearly": by more than ``tol`` (and
    than rounding) times the loss's scale. A later partial_fit call (not a
    fresh start) keeps its step whatever the rule says.
    """
    X, Y, sample_weight, rows = data
    end_loss = objective(X, Y, sample_weight, state.coef, state.intercept, config, rows)
    if guard.ended_worse(state, end_loss):
        guard.roll_back(state, config.eta0, rate)
        return False
    n_rows = X.shape[0] if rows is None else len(rows)
    slack = max(config.tol, 10 * np.finfo(Y.dtype).eps) * guard.start_scale
    if (
        rule_stopped
        and guard.fresh_start
        and config.batch_size >= n_rows
        and end_loss > guard.call_best + slack
    ):
        guard.go_back_to_best(state)
    return True


def _observed(observer, state, config, stop):
    """Tell the observer of the epoch; it may stop training too."""
    if observer.epoch_end(state) and not stop:
        if config.verbose:
            print("Stopping: a callback asked to stop.")
        return True
    return stop


def _start_guard(state, config, X, Y, sample_weight, fresh_start, rows=None):
    """The divergence guard of a call, told the loss of its starting weights.

    A full batch does not: its epoch is one step, taken after the epoch's
    loss is summed, so the guard takes the first epoch's loss, which is the
    objective of the starting weights. That saves a pass over X per call (a product over
    a large X, a computation over dask data; a small partial_fit chunk stays
    in cache between passes, and gains little).

    Losses below the smallest normal number of the data's dtype are taken
    as rounding (a float32 loss of tiny targets can underflow to 0 in numpy,
    while the kernel's float64 sum of the same epoch does not).
    """
    n_rows = X.shape[0] if rows is None else len(rows)
    noisy = config.batch_size < n_rows or config.momentum > 0
    with np.errstate(over="ignore", invalid="ignore"):
        guard = DivergenceGuard(
            _null_loss(config, X, Y, sample_weight, rows),
            fresh_start,
            noisy,
            floor=float(np.finfo(Y.dtype).tiny),
        )
        if config.batch_size < n_rows:
            guard.start(
                objective(
                    X, Y, sample_weight, state.coef, state.intercept, config, rows
                )
            )
    return guard


def _record_weights(state):
    state.coef_history.append(state.coef.copy())
    state.intercept_history.append(state.intercept.copy())


def _record_epoch(state, config, epoch_loss, weight_sum):
    """Count a kept epoch: its loss, the samples seen, the weights."""
    state.n_iter += 1
    state.t += weight_sum
    state.loss_curve.append(epoch_loss)
    if config.record_weights:
        _record_weights(state)
    if config.verbose:
        print(f"Iteration {state.n_iter}, loss = {epoch_loss:.8f}")


def _null_loss(config, X, Y, sample_weight, rows=None):
    """Mean loss of all-zero weights over ``rows`` (None: all): the scale a
    sane loss stays near."""
    zero_net_input = np.zeros((1, Y.shape[1]), Y.dtype)  # broadcast over rows
    if rows is None:
        return net_input_loss(
            zero_net_input, Y, sample_weight, config.activation, config.loss
        )
    return _blockwise_mean_loss(
        lambda piece, Y_block: zero_net_input,
        Y,
        sample_weight,
        rows,
        block_size(X),
        config.activation,
        config.loss,
    )


def _learning_rate(state, config):
    """The rate of the coming epoch: the schedule's, after any cuts."""
    rate = state.schedule.learning_rate(config.eta0, state.n_iter, state.t)
    return rate * state.rate_scale


def _train_epoch(
    state, config, X, Y, sample_weight, rate, weight_scale, kernel, orders
):
    """Run the kernel over one epoch at ``rate``, in the row order ``orders``
    gives (an :class:`~sklearn_delta._shuffle.EpochOrders`); return the
    epoch's mean loss."""
    rule = UpdateRule(
        rate, config.alpha, config.momentum, weight_scale, config.fit_intercept
    )
    order = orders(state.n_iter)
    n_rows = orders.n_rows
    # The penalty of the weights the epoch starts from, as the first batch's
    # loss is theirs: for a full batch, the epoch's value is the objective of
    # those weights.
    penalty = _penalty(state.coef, config.alpha)
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
        return total / (n_rows * rule.weight_scale) + penalty


def _end_of_epoch(state, config, epoch_loss, validation, tol_scale, X):
    """Track improvement, keep the best weights; return True to stop.

    With early stopping, the held-out rows of X are scored and their loss
    recorded, from one net input computed block by block (no copy of X).
    """
    if validation is None:
        # tol is relative to the starting loss, so that the rule does not
        # depend on the units of y.
        improved = epoch_loss <= state.best_loss - config.tol * tol_scale
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            net_input = rows_net_input(X, state.coef, state.intercept, validation.rows)
            score = validation.score(net_input)
            validation_loss = net_input_loss(
                net_input,
                validation.Y,
                validation.sample_weight,
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


def warn_not_converged(max_iter, rate_was_cut):
    """Warn as scikit-learn does when max_iter ends a fit before convergence.

    After the divergence guard cut the rate, a larger eta0 is no advice.
    """
    advice = "Increase max_iter"
    if not rate_was_cut:
        advice += ", or raise eta0 if the loss curve still falls steadily"
    warnings.warn(
        f"Maximum iterations ({max_iter}) reached and the optimization hasn't "
        f"converged yet. {advice}.",
        ConvergenceWarning,
    )
