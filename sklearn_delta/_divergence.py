"""The divergence guard: check each epoch, go back and cut the rate.

An epoch is taken as diverging when its mean loss

- is not finite, or exceeds DIVERGENCE_FACTOR times the largest of the
  "null loss" (that of all-zero weights), the loss of the weights the call
  started from, and the best loss seen; or
- in a fit (or a first partial_fit), rises above the lowest loss of the call
  so far (at first, that of the starting weights) by more than
  OVERSHOOT_FRACTION times the larger of the null and the starting loss.
  Repeating an epoch over the same data should not make things clearly
  worse: when it does, the steps overshoot. With a bounded loss (a logistic
  or tanh unit's squared error) this is the only way a too-large rate shows.

A diverging epoch sends the state back to where the best epoch of the call
began (the weights of a diverging run are already bad before the epoch in
which the loss shows it) and cuts the learning rate by RATE_CUT.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_delta._state import Checkpoint

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


class DivergenceGuard:
    """Watches the epochs of one call and undoes those that diverge.

    Parameters
    ----------
    start_loss : float
        The mean loss of the weights the call starts from.
    loss_scale : float
        The scale of a sane loss on this data (see ``_training.train``).
    fresh_start : bool
        Whether the call starts a new stretch of training (a fit, or the
        first partial_fit), so that overshooting its starting loss counts as
        diverging; a later partial_fit call sees new data, whose loss may
        rightly be higher.
    """

    def __init__(self, start_loss, loss_scale, fresh_start):
        self.loss_scale = loss_scale
        self.call_best = start_loss if fresh_start else np.inf
        self._epoch_start = None
        # Where to go back to: where the call's best epoch began (at first,
        # where the call started).
        self._checkpoint = None

    def epoch_begins(self, state):
        """Remember where the coming epoch starts."""
        self._epoch_start = Checkpoint(state, self.call_best)
        self._checkpoint = self._checkpoint or self._epoch_start

    def diverged(self, state, epoch_loss):
        """Whether the epoch that just ran, of mean loss ``epoch_loss``, diverged."""
        best = state.best_loss if state.best_loss < np.inf else 0.0
        return not (
            np.isfinite(epoch_loss)
            and epoch_loss <= DIVERGENCE_FACTOR * max(self.loss_scale, best)
            and epoch_loss <= self.call_best + OVERSHOOT_FRACTION * self.loss_scale
        )

    def accept(self, epoch_loss):
        """Keep the epoch; a new best of the call becomes the checkpoint."""
        if epoch_loss < self.call_best or not np.isfinite(self.call_best):
            self._checkpoint = self._epoch_start
            self.call_best = epoch_loss

    def roll_back(self, state, eta0, rate, epoch_loss):
        """Go back to the checkpoint with the rate cut by RATE_CUT, and warn.

        ``rate`` is the learning rate that diverged.
        """
        rate_scale = state.rate_scale / RATE_CUT
        if rate_scale < RATE_CUT**-MAX_RATE_CUTS:
            raise ValueError(
                f"Training diverges even at learning rate {rate:.3g} "
                f"({MAX_RATE_CUTS} cuts by {RATE_CUT:g} below eta0={eta0}). The "
                "features (or the targets) are probably on very large or very "
                "different scales: standardise them (e.g. with StandardScaler, "
                "and for a regressor's targets TransformedTargetRegressor) and "
                "lower eta0."
            )
        self._checkpoint.restore(state)
        self.call_best = self._checkpoint.call_best
        state.rate_scale = rate_scale
        # Restart momentum: a velocity built up at the old rate would carry the
        # weights the same way again.
        state.coef_velocity[...] = 0
        state.intercept_velocity[...] = 0
        warnings.warn(
            f"Training diverged in epoch {state.n_iter + 1} with learning rate "
            f"{rate:.3g} (mean loss {epoch_loss:.3g}); it went back to the "
            f"weights of epoch {state.n_iter} and goes on with the learning rate "
            f"cut to {rate / RATE_CUT:.3g}. Scale the features (e.g. with "
            "StandardScaler) or lower eta0 to avoid this.",
            DivergenceWarning,
        )
