"""The learning rate of a call: chosen, or carried over from the last call.

A fit sets its rate anew: ``eta0``, or with ``eta0="auto"`` the rate the
curvature of its training rows allows (see ``_curvature.py``). A stream
(later ``partial_fit`` calls) keeps the rate an earlier call chose, and the
schedule it was following, unless ``set_params`` changed what they were
made from: then the new schedule or rate takes over at the next call.

:class:`LearningRateMixin` holds the estimator's side of this. It reads the
estimator's parameters (``eta0``, ``learning_rate``, ``power_t``, ``alpha``,
``momentum``, ``fit_intercept``) and relies on three of its methods:
``_training_loss``, ``_output_activation`` and ``_resolve_batch_size``.
"""

import warnings
from numbers import Real

import numpy as np

from sklearn_delta._curvature import auto_learning_rate
from sklearn_delta._schedules import make_schedule

# A stream whose eta0="auto" rate comes from a first chunk of fewer rows
# warns (from one row of 20 standardised features the rate came out about
# 15 times too small; see the streaming guide and test_learning_rate.py).
AUTO_RATE_MIN_ROWS = 10


class LearningRateMixin:
    """How a call of a delta-rule estimator gets its learning rate."""

    def _rate_made_from(self):
        """What this call's schedule and rate are made from: (schedule key,
        eta0). Kept as ``_made_from`` for the next call."""
        return (self._schedule_key(), self.eta0)

    def _last_rate_made_from(self):
        """What the last call's schedule and rate were made from (a model
        saved by an older version does not say: taken as unchanged)."""
        return getattr(self, "_made_from", self._rate_made_from())

    def _auto_rate_was_set(self):
        """Whether eta0 is "auto" and was in the last call too, which then
        set the rate."""
        return self.eta0 == "auto" and self._last_rate_made_from()[1] == "auto"

    def _start_changed_params(self, state):
        """Start what ``set_params`` changed since the last call, in the
        resumed ``state``: a new schedule starts (``n_iter_`` and ``t_``
        carry on); a new eta0 drops the cuts of the divergence guard."""
        made_from, last = self._rate_made_from(), self._last_rate_made_from()
        if not same_values(made_from[0], last[0]):
            state.schedule = make_schedule(self.learning_rate, self.power_t)
        if not same_values(made_from[1:], last[1:]):
            state.rate_scale = 1.0

    def _schedule_key(self):
        """What the learning-rate schedule is made from: ``learning_rate``,
        and ``power_t`` where it counts."""
        invscaling = isinstance(self.learning_rate, str) and (
            self.learning_rate == "invscaling"
        )
        return (self.learning_rate, self.power_t if invscaling else None)

    def _initial_rate(self, X, Y, sample_weight, source, rows=None):
        """eta0, or for eta0="auto" the rate the curvature of the training
        rows ``rows`` (None: all) allows (see ``_curvature.py``)."""
        if self.eta0 != "auto":
            return float(self.eta0)
        loss = self._training_loss(Y.shape[1])
        Y_train = Y if rows is None else Y[rows]
        curvature = loss.curvature(
            self._output_activation(Y.shape[1]),
            float(np.min(Y_train)),
            float(np.max(Y_train)),
        )
        n_rows = Y_train.shape[0]
        del Y_train  # a copy when rows are held out: not kept through the rest
        batch_size = self._resolve_batch_size(n_rows)
        L, L_max = source.second_moment_bounds(
            X,
            sample_weight,
            rows_too=batch_size < n_rows,
            fit_intercept=self.fit_intercept,
            rows=rows,
        )
        return auto_learning_rate(
            curvature,
            L,
            L_max,
            n_rows,
            batch_size,
            float(self.alpha),
            float(self.momentum),
        )


def same_values(values, others):
    """Whether two tuples of parameter values are the same: equal strings
    or numbers, else the very same objects (the ``==`` of a user's schedule
    may be anything, e.g. elementwise over an array it holds)."""
    plain = (str, Real)
    return all(
        # (The same object first: checking for Real is slow, and most
        # parameters stay the very objects they were.)
        a is b or (isinstance(a, plain) and isinstance(b, plain) and a == b)
        for a, b in zip(values, others, strict=True)
    )


def warn_if_few_rows_set_rate(n_rows):
    """Warn when eta0="auto" takes a stream's rate from a partial_fit chunk
    of fewer than AUTO_RATE_MIN_ROWS rows: the curvature of so few rows is
    not the data's (from one row, it is that row's squared norm)."""
    if n_rows >= AUTO_RATE_MIN_ROWS:
        return
    warnings.warn(
        f"eta0='auto' set this stream's learning rate from a partial_fit chunk "
        f"of {n_rows} row(s), and keeps it for the rest of the stream: the "
        "curvature of so few rows says little about the data's, and the rate "
        "may be many times too small or too large. Start the stream with a "
        "larger chunk (for dense data, many times as many rows as features), "
        "or set eta0 to a number.",
        UserWarning,
    )
