"""Learning-rate schedules.

The training loop asks a schedule for the rate of the coming epoch and tells
it when the loss stops improving; it never knows which schedule it has.
Write your own by subclassing :class:`LearningRateSchedule`.
"""

import copy


class LearningRateSchedule:
    """Base class of the learning-rate schedules.

    The estimator copies the schedule at the start of ``fit`` (so the object
    you passed is never changed) and keeps the copy for ``partial_fit`` and
    ``warm_start``. Override :meth:`learning_rate`, and :meth:`on_plateau`
    when the schedule should react to a loss that stopped improving.

    Examples
    --------
    >>> from sklearn_delta import LearningRateSchedule
    >>> class StepDecay(LearningRateSchedule):
    ...     '''Halve the rate every 10 epochs.'''
    ...     def learning_rate(self, eta0, epoch, t):
    ...         return eta0 * 0.5 ** (epoch // 10)
    >>> StepDecay().learning_rate(0.1, epoch=25, t=2500)
    0.025
    """

    def learning_rate(self, eta0, epoch, t):
        """Return the learning rate of the coming epoch.

        Parameters
        ----------
        eta0 : float
            The estimator's initial learning rate.
        epoch : int
            Epochs completed so far (the estimator's ``n_iter_``).
        t : float
            Training samples seen so far (the estimator's ``t_``).

        Returns
        -------
        rate : float
        """
        raise NotImplementedError

    def on_plateau(self, eta0, epoch, t):
        """React to a loss that stopped improving for ``n_iter_no_change`` epochs.

        Returns
        -------
        keep_training : bool
            True if the schedule changed the rate and training should go on;
            False (the default) lets training stop as converged.
        """
        return False


class ConstantSchedule(LearningRateSchedule):
    """The same rate ``eta0`` in every epoch.

    Examples
    --------
    >>> from sklearn_delta import ConstantSchedule
    >>> ConstantSchedule().learning_rate(0.1, epoch=7, t=700)
    0.1
    """

    def learning_rate(self, eta0, epoch, t):
        return eta0


class InverseScalingSchedule(LearningRateSchedule):
    """The rate ``eta0 / (epoch + 1) ** power_t`` after ``epoch`` epochs.

    Counting epochs rather than samples keeps the decay independent of the
    data's size, the batch size and the scale of the sample weights; each
    ``partial_fit`` call counts as one epoch.

    Parameters
    ----------
    power_t : float, default=0.5
        The exponent of the decay.

    Examples
    --------
    >>> from sklearn_delta import InverseScalingSchedule
    >>> InverseScalingSchedule(power_t=0.5).learning_rate(0.1, epoch=3, t=300)
    0.05
    """

    def __init__(self, power_t=0.5):
        self.power_t = power_t

    def learning_rate(self, eta0, epoch, t):
        return eta0 / (epoch + 1) ** self.power_t


class AdaptiveSchedule(LearningRateSchedule):
    """Keep ``eta0`` while the loss improves; divide it by 5 when it stalls.

    As scikit-learn's MLP does: each time the loss (or validation score)
    stalls for ``n_iter_no_change`` epochs, the rate is divided by 5, until
    it has fallen to ``min_rate`` or below; the next stall then ends
    training.

    Parameters
    ----------
    min_rate : float, default=1e-6
        Below this rate the schedule stops dividing and lets training stop.

    Attributes
    ----------
    factor : float
        What the schedule multiplies ``eta0`` by now.

    Examples
    --------
    >>> from sklearn_delta import AdaptiveSchedule
    >>> schedule = AdaptiveSchedule()
    >>> schedule.on_plateau(0.1, epoch=5, t=500)
    True
    >>> round(schedule.learning_rate(0.1, epoch=6, t=600), 6)
    0.02
    """

    def __init__(self, min_rate=1e-6):
        self.min_rate = min_rate
        self.factor = 1.0

    def learning_rate(self, eta0, epoch, t):
        return eta0 * self.factor

    def on_plateau(self, eta0, epoch, t):
        if eta0 * self.factor <= self.min_rate:
            return False
        self.factor /= 5.0
        return True


def make_schedule(learning_rate, power_t):
    """Return a fresh schedule for a name, or a copy of a schedule object."""
    if learning_rate == "constant":
        return ConstantSchedule()
    if learning_rate == "invscaling":
        return InverseScalingSchedule(power_t)
    if learning_rate == "adaptive":
        return AdaptiveSchedule()
    return copy.deepcopy(learning_rate)
