"""Activation functions f and their derivatives f' for the output units.

The delta rule needs, for each output unit, the activation ``f`` applied to
the net input ``h`` and its derivative ``f'(h)``. Where the derivative is
cheaper to write in terms of the output ``f(h)`` (logistic, tanh) it is, so
every derivative takes both the net input and the output.

An activation may also know its inverse, the net input that gives a wanted
output: a fit then starts each unit's intercept where the unit outputs the
mean of its targets (see :meth:`Activation.starting_net_input`).
"""

import numpy as np
from scipy.special import expit, logit

from sklearn_delta import _compiled

# How close to an end of its output range a unit may start, as a share of the
# range's width (see Activation.starting_net_input).
START_MARGIN = 0.05


class Activation:
    """An activation function f together with its derivative f'.

    Pass an instance as ``activation=`` to use your own activation, or give
    the name of a built-in one ("identity", "logistic", "tanh", "relu",
    "softplus").

    Parameters
    ----------
    function : callable
        ``function(net_input)`` returns ``f(h)`` elementwise for an array of
        net inputs ``h``.

    derivative : callable
        ``derivative(net_input, output)`` returns ``f'(h)`` elementwise.
        ``output`` is ``f(h)``, passed so that derivatives such as the
        logistic's ``f(h) * (1 - f(h))`` cost nothing extra; ignore it when
        it is of no use.

    name : str, default="custom"
        Shown in messages and plots.

    output_range : tuple of float, default=(-inf, inf)
        The smallest and largest value ``f`` can take. When both ends are
        finite, :class:`DeltaRuleClassifier` offers ``predict_proba`` by
        mapping the output linearly onto [0, 1].

    target_values : tuple of float, default=None
        The (negative, positive) values the classifier trains its units
        towards. None means the ends of ``output_range`` when they are
        finite, else (-1, 1).

    inverse : callable, default=None
        ``inverse(output)`` returns the net input ``h`` with ``f(h) = output``
        elementwise, for outputs inside ``output_range``. With it, a fit
        starts each unit's intercept where the unit outputs the mean of its
        targets (see :meth:`starting_net_input`); without it, at 0.

    second_derivative : callable, default=None
        ``second_derivative(net_input, output)`` returns ``f''(h)``
        elementwise. ``eta0="auto"`` uses it to bound how curved the squared
        error through this activation can be (see
        :meth:`squared_error_curvature`); without it, ``f''`` is estimated
        by finite differences of ``derivative``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_delta import Activation
    >>> arctan = Activation(
    ...     np.arctan, lambda h, out: 1.0 / (1.0 + h**2), name="arctan",
    ...     output_range=(-np.pi / 2, np.pi / 2), target_values=(-1.0, 1.0),
    ...     inverse=np.tan)
    >>> arctan.derivative(np.array([0.0, 1.0]), None)
    array([1. , 0.5])
    >>> float(arctan.starting_net_input(np.array(0.0)))
    0.0
    """

    def __init__(
        self,
        function,
        derivative,
        *,
        name="custom",
        output_range=(-np.inf, np.inf),
        target_values=None,
        inverse=None,
        second_derivative=None,
    ):
        self._function = function
        self._derivative = derivative
        self._inverse = inverse
        self._second_derivative = second_derivative
        self.name = name
        low, high = (float(end) for end in output_range)
        if not low < high:
            raise ValueError(
                f"output_range must be (low, high) with low < high; got {output_range}."
            )
        self.output_range = (low, high)
        if target_values is None:
            target_values = self.output_range if self.is_bounded else (-1.0, 1.0)
        negative, positive = (float(value) for value in target_values)
        if not negative < positive:
            raise ValueError(
                "target_values must be (negative, positive) with negative < "
                f"positive; got {target_values}."
            )
        self.target_values = (negative, positive)
        # Which built-in function the compiled kernel may use in place of
        # these Python callables (see _compiled.py); None for custom ones.
        self.kernel_code = None

    @property
    def is_bounded(self):
        """True when both ends of the output range are finite."""
        return bool(np.all(np.isfinite(self.output_range)))

    def function(self, net_input):
        """Return f(h) for the net input h."""
        return self._function(net_input)

    def derivative(self, net_input, output):
        """Return f'(h), given the net input h and the output f(h)."""
        return self._derivative(net_input, output)

    def starting_net_input(self, mean_target):
        """The net input at which a unit starts: where it outputs its mean target.

        With all-zero weights a unit outputs ``f(b)`` for every sample, and
        the intercept ``b`` that fits the targets best is the one whose
        output is their (weighted) mean. The mean is first kept 5% of the
        output range's width away from its ends (for a range bounded on one
        side only, 5% of the width between the target values): near a flat
        end of the range ``f'(h)`` is small and the unit would learn slowly.

        Parameters
        ----------
        mean_target : ndarray
            The weighted mean of each unit's targets.

        Returns
        -------
        net_input : ndarray
            The starting intercepts; zeros when the activation has no inverse.
        """
        if self._inverse is None:
            return np.zeros_like(mean_target)
        low, high = self.output_range
        negative, positive = self.target_values
        width = high - low if self.is_bounded else positive - negative
        margin = START_MARGIN * width
        return self._inverse(np.clip(mean_target, low + margin, high - margin))

    def second_derivative(self, net_input, output):
        """Return f''(h): the given function, else central differences of f'."""
        if self._second_derivative is not None:
            return self._second_derivative(net_input, output)
        step = 1e-5 * np.maximum(1.0, np.abs(net_input))
        above, below = net_input + step, net_input - step
        return (
            self.derivative(above, self.function(above))
            - self.derivative(below, self.function(below))
        ) / (2 * step)

    def squared_error_curvature(self, target_low, target_high):
        """The largest second derivative of the squared error by the net input.

        For one unit, ``d^2/dh^2 [(y - f(h))^2 / 2] = f'(h)^2 - (y - f(h))
        f''(h)``; its largest absolute value over net inputs in [-50, 50] and
        targets y in [target_low, target_high] (it is linear in y, so the
        ends suffice) bounds how curved the loss of one unit can be. It is 1
        for the identity and relu.
        """
        net_input = np.linspace(-50.0, 50.0, 20001)
        output = self.function(net_input)
        slope = self.derivative(net_input, output)
        bend = self.second_derivative(net_input, output)
        with np.errstate(over="ignore", invalid="ignore"):
            curvature = max(
                float(np.max(np.abs(slope**2 - (target - output) * bend)))
                for target in (target_low, target_high)
            )
        return curvature if np.isfinite(curvature) and curvature > 0 else 1.0

    def __repr__(self):
        return f"Activation(name={self.name!r})"


def _identity(net_input):
    return net_input


def _identity_derivative(net_input, output):
    return np.ones_like(net_input)


def _logistic_derivative(net_input, output):
    return output * (1.0 - output)


def _tanh_derivative(net_input, output):
    return 1.0 - output**2


def _flat(net_input, output):
    return np.zeros_like(net_input)


def _logistic_second_derivative(net_input, output):
    return output * (1.0 - output) * (1.0 - 2.0 * output)


def _tanh_second_derivative(net_input, output):
    return -2.0 * output * (1.0 - output**2)


def _softplus_second_derivative(net_input, output):
    slope = expit(net_input)
    return slope * (1.0 - slope)


def _relu(net_input):
    return np.maximum(net_input, 0.0)


def _relu_derivative(net_input, output):
    # f'(0) is taken as 1 (a subgradient), so that a unit starting from zero
    # weights, whose net input is exactly 0, can learn at all.
    return (net_input >= 0).astype(net_input.dtype)


def _softplus(net_input):
    # log(1 + e^h) without overflow for large h.
    return np.logaddexp(0.0, net_input)


def _softplus_derivative(net_input, output):
    return expit(net_input)


def _softplus_inverse(output):
    # log(e^y - 1), the net input at which softplus outputs y > 0, written as
    # y + log(1 - e^-y) so that it does not overflow for large y.
    return output + np.log(-np.expm1(-output))


def _softmax(net_input):
    shifted = net_input - net_input.max(axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=1, keepdims=True)


def _softmax_derivative(net_input, output):
    # Softmax couples the units, so it has no elementwise derivative; it is
    # only used with log_loss, whose error term y - y^ needs none.
    raise ValueError("softmax has no elementwise derivative; use loss='log_loss'.")


def _builtin(function, derivative, kernel_code, **kwargs):
    activation = Activation(function, derivative, **kwargs)
    activation.kernel_code = kernel_code
    return activation


ACTIVATIONS = {
    "identity": _builtin(
        _identity,
        _identity_derivative,
        _compiled.IDENTITY,
        name="identity",
        inverse=_identity,
        second_derivative=_flat,
    ),
    "logistic": _builtin(
        expit,
        _logistic_derivative,
        _compiled.LOGISTIC,
        name="logistic",
        output_range=(0.0, 1.0),
        inverse=logit,
        second_derivative=_logistic_second_derivative,
    ),
    "tanh": _builtin(
        np.tanh,
        _tanh_derivative,
        _compiled.TANH,
        name="tanh",
        output_range=(-1, 1),
        inverse=np.arctanh,
        second_derivative=_tanh_second_derivative,
    ),
    "relu": _builtin(
        _relu,
        _relu_derivative,
        _compiled.RELU,
        name="relu",
        output_range=(0.0, np.inf),
        target_values=(0.0, 1.0),
        inverse=_identity,
        second_derivative=_flat,
    ),
    "softplus": _builtin(
        _softplus,
        _softplus_derivative,
        _compiled.SOFTPLUS,
        name="softplus",
        output_range=(0.0, np.inf),
        target_values=(0.0, 1.0),
        inverse=_softplus_inverse,
        second_derivative=_softplus_second_derivative,
    ),
}

# Used by the classifier for multiclass log_loss only; not offered by name.
SOFTMAX = _builtin(
    _softmax,
    _softmax_derivative,
    _compiled.SOFTMAX,
    name="softmax",
    output_range=(0.0, 1.0),
    # Softmax outputs do not change when every net input moves by the same
    # amount; log(y) is one of the net inputs that give y.
    inverse=np.log,
)


def get_activation(activation):
    """Return the Activation for a name, or the object itself."""
    if isinstance(activation, str):
        return ACTIVATIONS[activation]
    return activation
