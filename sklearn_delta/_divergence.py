"""The divergence guard: check each epoch, go back and cut the rate.

An epoch is taken as diverging when its mean loss

- is not finite, or exceeds DIVERGENCE_FACTOR times the largest of the
  "null loss" (that of all-zero weights), the loss of the weights the call
  started from, and the best loss seen; or
- in a fit (or a first partial_fit), rises above the lowest loss of the call
  so far (at first, that of the starting weights) by more than a fraction
  of the larger of the null and the starting loss. Repeating an epoch over
  the same data should not make things clearly worse: when it does, the
  steps overshoot. With a bounded loss (a logistic or tanh unit's squared
  error) this is the only way a too-large rate shows. The fraction is
  OVERSHOOT_FRACTION for plain full-batch steps, whose loss falls
  monotonically at a stable rate; NOISY_OVERSHOOT_FRACTION when batches or
  momentum make the loss go up and down by themselves (at eta0="auto",
  online steps on targets the model cannot fit settle about a quarter above
  the best loss, and heavy-ball momentum overshoots before it settles).

The loss of an epoch is taken as its steps are made, each batch's before
its step, so the last step of a call would go unchecked: when a call ends,
the objective of its final weights is judged the same way, and must also not
exceed the call's starting loss by more than the overshoot margin (in a later
partial_fit call, the only reference there is for the chunk).

A diverging epoch sends the state back to where the best epoch of the call
began (the weights of a diverging run are already bad before the epoch in
which the loss shows it) and cuts the learning rate by RATE_CUT. A call
that cut its rate warns once, when it ends, with a DivergenceWarning.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_delta._state import Checkpoint

DIVERGENCE_FACTOR = 1e3
OVERSHOOT_FRACTION = 0.1
NOISY_OVERSHOOT_FRACTION = 0.5
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


class DivergenceGuard:
    """Watches the epochs of one call and undoes those that diverge.

    Parameters
    ----------
    null_loss : float
        The mean loss of all-zero weights on this data.
    fresh_start : bool
        Whether the call starts a new stretch of training (a fit, or the
        first partial_fit), so that overshooting its starting loss counts as
        diverging; a later partial_fit call sees new data, whose loss may
        rightly be higher.
    noisy : bool
        Whether the loss may rise by itself (mini-batches or momentum).
    floor : float
        Losses below this are rounding (the smallest normal number of the
        data's dtype).

    The loss of the weights the call starts from comes through
    :meth:`start`; a guard not told it by the first epoch takes that
    epoch's loss (right for a full batch, whose one step follows its loss).
    """

    def __init__(self, null_loss, fresh_start, noisy=False, floor=0.0):
        self.null_loss = null_loss
        self.fresh_start = fresh_start
        self.fraction = NOISY_OVERSHOOT_FRACTION if noisy else OVERSHOOT_FRACTION
        self.floor = floor
        self.start_loss = None  # until start()
        self.call_best = np.inf
        self.rates = []  # the rates that diverged, in order
        self._epoch_start = None
        # Where to go back to: where the call's best epoch began (at first,
        # where the call started).
        self._checkpoint = None

    def start(self, start_loss):
        """Take the mean loss of the weights the call starts from.

        The scale of a sane loss on this data is the larger of it and the
        null loss (and of the floor).
        """
        loss_scale = max(self.null_loss, start_loss, self.floor)
        if not np.isfinite(loss_scale):
            raise ValueError(
                "The loss is not finite before training even starts (the mean "
                f"loss of the starting weights is {start_loss:.3g}): the features, "
                "the targets or the starting weights are too large for the "
                "arithmetic. Standardise X (e.g. with StandardScaler). Scale y "
                "(e.g. with TransformedTargetRegressor(regressor=..., "
                "transformer=StandardScaler())) or give smaller coef_init."
            )
        self.start_loss = start_loss
        self.loss_scale = loss_scale
        self.margin = self.fraction * loss_scale
        self.call_best = start_loss if self.fresh_start else np.inf
        if self._checkpoint is not None:
            # Started from the first epoch (a full batch): its checkpoint was
            # taken before the loss was known.
            self._checkpoint.call_best = self.call_best

    @property
    def start_scale(self):
        """The starting loss, kept above the floor (for a perfect start)."""
        return max(self.start_loss, self.floor)

    def epoch_begins(self, state):
        """Remember where the coming epoch starts."""
        self._epoch_start = Checkpoint(state, self.call_best)
        self._checkpoint = self._checkpoint or self._epoch_start

    def diverged(self, state, epoch_loss):
        """Whether the epoch that just ran, of mean loss ``epoch_loss``, diverged."""
        if self.start_loss is None:
            self.start(epoch_loss)
        best = state.best_loss if state.best_loss < np.inf else 0.0
        return not (
            np.isfinite(epoch_loss)
            and epoch_loss <= DIVERGENCE_FACTOR * max(self.loss_scale, best)
            and epoch_loss <= self.call_best + self.margin
        )

    def ended_worse(self, state, end_loss):
        """Whether the call's final weights, of objective ``end_loss``, diverged
        or end clearly worse than the call started."""
        return self.diverged(state, end_loss) or not (
            end_loss <= self.start_loss + self.margin
        )

    def go_back_to_best(self, state):
        """Put the weights back to where the call's best epoch began, with
        the momentum at rest (that epoch's velocity led into the swing, and
        a warm start would only repeat it); the epochs stay counted and
        recorded."""
        self._checkpoint.restore_weights(state)
        _rest_momentum(state)

    def accept(self, epoch_loss):
        """Keep the epoch; a new best of the call becomes the checkpoint."""
        if epoch_loss < self.call_best or not np.isfinite(self.call_best):
            self._checkpoint = self._epoch_start
            self.call_best = epoch_loss

    def roll_back(self, state, eta0, rate):
        """Go back to the checkpoint with the rate cut by RATE_CUT.

        ``rate`` is the learning rate that diverged.
        """
        self.rates.append(rate)
        rate_scale = state.rate_scale / RATE_CUT
        if rate_scale < RATE_CUT**-MAX_RATE_CUTS:
            raise ValueError(
                f"Training diverges even at learning rate {rate:.3g} "
                f"({MAX_RATE_CUTS} cuts by {RATE_CUT:g} below eta0={eta0:.3g}). "
                "The features (or the targets) are probably on very large or "
                "very different scales: standardise them (e.g. with "
                "StandardScaler, and for a regressor's targets "
                "TransformedTargetRegressor)."
            )
        self._checkpoint.restore(state)
        self.call_best = self._checkpoint.call_best
        state.rate_scale = rate_scale
        # Restart momentum: a velocity built up at the old rate would carry the
        # weights the same way again.
        _rest_momentum(state)

    def warn(self, advice=""):
        """One DivergenceWarning for the call, if it cut its rate; ``advice``
        says what to change about the rate itself (see ``rate_advice``)."""
        if not self.rates:
            return
        cuts = len(self.rates)
        warnings.warn(
            f"Training diverged {cuts} time{'s' if cuts > 1 else ''} (the loss "
            "grew, or was not finite): each time it went back to the weights "
            "where its best epoch began and cut the learning rate by "
            f"{RATE_CUT:g}, from {self.rates[0]:.3g} to "
            f"{self.rates[-1] / RATE_CUT:.3g} in all. Standardise the features "
            f"(e.g. with StandardScaler){advice}.",
            DivergenceWarning,
        )


def rate_advice(eta0, rate_kept):
    """The end of a DivergenceWarning's advice, for the estimator's ``eta0``
    and a stream's call that kept the rate an earlier call set
    (``rate_kept``)."""
    if not (isinstance(eta0, str) and eta0 == "auto"):
        return (
            f"; eta0={eta0:g} may be too large for this data (eta0='auto' "
            "picks a stable rate from it)"
        )
    if rate_kept:
        return (
            "; eta0='auto' chose this stream's rate from an earlier chunk (or "
            "the fit it continues) and keeps it, and this chunk's rows may "
            "differ in scale from those: scale every chunk the same way (e.g. "
            "with one StandardScaler), and let the rate be chosen from a chunk "
            "of many rows"
        )
    return ""


def _rest_momentum(state):
    """Set the velocity of ``state`` to zero, in place."""
    state.coef_velocity[...] = 0
    state.intercept_velocity[...] = 0
