"""DescentPathDisplay: the error surface over two weights and the descent path."""

import numbers

import numpy as np

from sklearn_delta._training import net_input_loss
from sklearn_delta.plotting._estimators import (
    delta_rule_model,
    feature_names,
    pipeline_input,
)
from sklearn_delta.plotting._matplotlib import axes


class DescentPathDisplay:
    """The error surface E over two weights, and the path the weights took.

    Gradient descent moves the weights against the gradient of the error
    E(w): across the contours of E, downhill. This display draws E over a
    grid of two chosen weights (every other weight held at its fitted
    value), the path those two weights followed during training (one point
    per epoch), and optionally the negative gradient at points of the path:
    the direction of a full-batch delta-rule step.

    With more than two weights the surface is a slice through the fitted
    model, so early points of the path (when the other weights were still
    elsewhere) need not sit where the surface says; with a model of exactly
    two weights (one feature and the intercept, or two features) the
    picture is exact.

    Build it with :meth:`from_estimator` from a model fitted with
    ``record_weights=True``.

    Parameters
    ----------
    grid : tuple of two ndarrays
        The values of the first and the second weight along the axes.
    surface : ndarray of shape (len(grid[1]), len(grid[0]))
        E at every grid point: ``surface[i, j]`` is E at
        ``(grid[0][j], grid[1][i])``, the training objective that
        ``loss_curve_`` reports (mean loss plus the L2 penalty).
    path : ndarray of shape (n_records, 2)
        The two weights before training and after each epoch.
    weight_names : tuple of two str
        Axis labels.
    gradients : ndarray of shape (n_records, 2), default=None
        The negative gradient of the surface at each point of the path.
    fitted : pair of float, default=None
        The two weights of the fitted model, marked with a star; None means
        the path's last point. They differ after early stopping, which keeps
        the weights of the best epoch rather than of the last.

    Attributes
    ----------
    contour_ : matplotlib QuadContourSet
        The filled contours of the surface.
    path_line_ : matplotlib Line2D
        The path, one marker per epoch.
    arrows_ : matplotlib Quiver or None
        The negative-gradient arrows, when drawn.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    colorbar_ : matplotlib Colorbar

    See Also
    --------
    LossCurveDisplay : the loss of each epoch.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import make_regression
    >>> from sklearn_delta import DeltaRuleRegressor
    >>> from sklearn_delta.plotting import DescentPathDisplay
    >>> X, y = make_regression(n_samples=100, n_features=1, noise=5, random_state=0)
    >>> y = y / y.std()
    >>> model = DeltaRuleRegressor(batch_size="full", eta0=0.3, max_iter=20, tol=None,
    ...                            record_weights=True).fit(X, y)
    >>> display = DescentPathDisplay.from_estimator(
    ...     model, X, y, weights=(0, "intercept"))
    >>> display.path.shape
    (21, 2)
    """

    def __init__(
        self, *, grid, surface, path, weight_names, gradients=None, fitted=None
    ):
        self.grid = grid
        self.surface = surface
        self.path = path
        self.weight_names = weight_names
        self.gradients = gradients
        self.fitted = fitted

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        weights=(0, 1),
        output=0,
        sample_weight=None,
        grid_resolution=50,
        margin=0.3,
        gradients=True,
        ax=None,
        levels=20,
    ):
        """Compute the surface on (X, y) and draw it with the model's path.

        Parameters
        ----------
        estimator : estimator
            A DeltaRuleRegressor or DeltaRuleClassifier fitted with
            ``record_weights=True``, a Pipeline ending with one (X is then
            transformed by the steps before it), or a fitted search.
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data to compute E on: usually the training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets.
        weights : pair of (int, str or "intercept"), default=(0, 1)
            The two weights to vary: a feature's index, a feature's name
            (for models fitted on a DataFrame, or in a Pipeline whose
            earlier steps name their output features), or "intercept".
        output : int, default=0
            Which output unit's weights (for several targets or classes).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights for E, as in ``fit``.
        grid_resolution : int, default=50
            Grid points along each axis.
        margin : float, default=0.3
            How far the grid extends beyond the path, as a fraction of the
            path's extent along each axis.
        gradients : bool, default=True
            Draw the negative gradient at each point of the path.
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.
        levels : int or array-like, default=20
            Contour levels, as for matplotlib's ``contourf``.

        Returns
        -------
        display : DescentPathDisplay
        """
        surface, indices = _error_surface(
            estimator, X, y, sample_weight, output, weights
        )
        display = cls._over(surface, indices, margin, grid_resolution, gradients)
        return display.plot(ax=ax, levels=levels)

    @classmethod
    def _over(cls, surface, indices, margin, grid_resolution, gradients):
        """The display of ``surface`` over the two weights ``indices``."""
        path = surface.path(indices)
        grid, values = surface.over_grid(indices, path, margin, grid_resolution)
        return cls(
            grid=grid,
            surface=values,
            path=path,
            weight_names=tuple(surface.weight_name(i) for i in indices),
            gradients=surface.descent_directions(indices, path) if gradients else None,
            fitted=tuple(float(surface._value(index)) for index in indices),
        )

    def plot(self, *, ax=None, levels=20, cmap="viridis"):
        """Draw the surface, the path and the arrows.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.
        levels : int or array-like, default=20
            Contour levels, as for matplotlib's ``contourf``.
        cmap : str or Colormap, default="viridis"
            Colours of the surface.

        Returns
        -------
        display : DescentPathDisplay
            Itself, with the drawn artists stored.
        """
        ax = axes(ax)
        self.contour_ = ax.contourf(*self.grid, self.surface, levels=levels, cmap=cmap)
        self.colorbar_ = ax.figure.colorbar(self.contour_, ax=ax, label="E(w)")
        (self.path_line_,) = ax.plot(
            self.path[:, 0],
            self.path[:, 1],
            marker="o",
            markersize=3,
            color="white",
            label="descent path (one point per epoch)",
        )
        ax.plot(*self.path[0], marker="s", color="white", linestyle="none")
        fitted = self.path[-1] if self.fitted is None else self.fitted
        ax.plot(*fitted, marker="*", markersize=12, color="red", label="fitted")
        self.arrows_ = None
        if self.gradients is not None:
            self.arrows_ = ax.quiver(
                self.path[:, 0],
                self.path[:, 1],
                self.gradients[:, 0],
                self.gradients[:, 1],
                color="orange",
                angles="xy",
                label="negative gradient",
            )
        ax.set_xlabel(self.weight_names[0])
        ax.set_ylabel(self.weight_names[1])
        ax.legend(loc="best")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


def _error_surface(estimator, X, y, sample_weight, output, weights):
    """The error surface of the model in ``estimator`` on (X, y), and the
    indices of the two ``weights`` it is drawn over."""
    model = delta_rule_model(estimator)
    if not hasattr(model, "coef_history_"):
        raise ValueError(
            "This model did not record its weights. Fit it with "
            "record_weights=True to draw its descent path."
        )
    surface = _ErrorSurface(
        model, pipeline_input(estimator, X), y, sample_weight, output
    )
    surface.feature_names = feature_names(estimator, model)
    indices = tuple(surface.weight_index(weight) for weight in weights)
    if indices[0] == indices[1]:
        raise ValueError(f"weights must name two different weights; got {weights}.")
    return surface, indices


def _axis_values(path_values, margin, resolution):
    low, high = float(path_values.min()), float(path_values.max())
    extent = high - low or max(abs(high), 1.0)
    return np.linspace(low - margin * extent, high + margin * extent, resolution)


class _ErrorSurface:
    """E as a function of two weights of one unit, the rest held fixed.

    Parameters are addressed by an index into the unit's weight vector
    ``[w_0, ..., w_{n_features - 1}, b]``: n_features means the intercept.
    """

    def __init__(self, model, X, y, sample_weight, output):
        data = model._validate_training(X, y, sample_weight, reset=False)
        X, self.Y, self.sample_weight = data.X, data.Y, data.sample_weight
        coef, intercept = model._unit_params()
        if not 0 <= output < coef.shape[1]:
            raise ValueError(
                f"output={output} is not a unit of this model; it has "
                f"{coef.shape[1]} output unit(s)."
            )
        self.model, self.X, self.output = model, X, output
        self.coef, self.intercept = coef, intercept
        self.activation = model._output_activation(coef.shape[1])
        self.net_input = np.asarray(X @ coef) + intercept
        self._columns = {}
        self.feature_names = None  # set by the display, which knows the pipeline

    def weight_index(self, weight):
        n_features = self.coef.shape[0]
        if isinstance(weight, str) and weight == "intercept":
            return n_features
        if isinstance(weight, str):
            names = self.feature_names or []
            if weight not in names:
                raise ValueError(
                    f"Unknown weight {weight!r}: give a feature index, a feature "
                    "name seen in fit, or 'intercept'."
                )
            return names.index(weight)
        if isinstance(weight, numbers.Integral) and 0 <= weight < n_features:
            return int(weight)
        raise ValueError(
            f"Unknown weight {weight!r}: give a feature index in [0, "
            f"{n_features}), a feature name seen in fit, or 'intercept'."
        )

    def weight_name(self, index):
        if index == self.coef.shape[0]:
            return "intercept"
        names = self.feature_names
        return f"w[{names[index] if names is not None else index}]"

    def _column(self, index):
        """The input that multiplies this weight: a feature, or 1 (intercept)."""
        if index not in self._columns:
            if index == self.coef.shape[0]:
                column = np.ones(self.X.shape[0], dtype=self.net_input.dtype)
            else:
                column = self.X[:, [index]]
                column = column.toarray() if hasattr(column, "toarray") else column
            self._columns[index] = np.asarray(column).ravel()
        return self._columns[index]

    def _value(self, index, coef=None, intercept=None):
        coef = self.coef if coef is None else coef
        intercept = self.intercept if intercept is None else intercept
        if index == self.coef.shape[0]:
            return intercept[self.output]
        return coef[index, self.output]

    def path(self, indices):
        model = self.model
        history = zip(model.coef_history_, model.intercept_history_)
        return np.array(
            [
                [self._value(i, model._unit_coef(coef), intercept) for i in indices]
                for coef, intercept in history
            ]
        )

    def _net_input_at(self, indices, point):
        net_input = self.net_input.copy()
        for index, value in zip(indices, point):
            shift = value - self._value(index)
            net_input[:, self.output] += shift * self._column(index)
        return net_input

    def error(self, indices, point):
        """E with the two weights set to ``point``: mean loss + L2 penalty."""
        loss = net_input_loss(
            self._net_input_at(indices, point),
            self.Y,
            self.sample_weight,
            self.activation,
            self.model._training_loss(self.coef.shape[1]),
        )
        coef = self.coef.copy()
        for index, value in zip(indices, point):
            if index < coef.shape[0]:
                coef[index, self.output] = value
        return loss + 0.5 * self.model.alpha * float(np.sum(coef**2))

    def over_grid(self, indices, path, margin, resolution):
        """E on a grid around the path: ((axis values, axis values), E)."""
        grid = tuple(_axis_values(path[:, axis], margin, resolution) for axis in (0, 1))
        values = np.array(
            [[self.error(indices, (a, b)) for a in grid[0]] for b in grid[1]]
        )
        return grid, values

    def descent_directions(self, indices, path):
        """The descent direction at each point of the path."""
        return np.array([self.descent_direction(indices, point) for point in path])

    def descent_direction(self, indices, point):
        """-dE/dw for the two weights at ``point``: the full-batch delta rule."""
        net_input = self._net_input_at(indices, point)
        output = self.activation.function(net_input)
        loss = self.model._training_loss(self.coef.shape[1])
        delta = loss.delta(self.Y, output, net_input, self.activation)
        weighted = self.sample_weight * delta[:, self.output]
        direction = []
        for index, value in zip(indices, point):
            step = weighted @ self._column(index) / self.sample_weight.sum()
            if index < self.coef.shape[0]:
                step -= self.model.alpha * value
            direction.append(step)
        return direction
