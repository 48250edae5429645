"""LossCurveDisplay: loss per epoch, for one model or several on one axes."""

import numpy as np

from sklearn_delta.plotting._estimators import delta_rule_model
from sklearn_delta.plotting._matplotlib import axes


class LossCurveDisplay:
    """Loss curves of delta-rule models: the training loss of every epoch,
    and, for models trained with early stopping, the validation loss and
    the validation score.

    Build it with :meth:`from_estimator` (one model or several, to compare
    learning rates or activations) or from recorded curves, then call
    :meth:`plot`. To add a model to existing axes, pass ``ax=display.ax_``.

    Parameters
    ----------
    loss_curves : list of array-like
        The training loss of each epoch, one list per model (a model's
        ``loss_curve_``).
    names : list of str, default=None
        A label per model; None numbers them.
    validation_loss_curves : list of array-like or None, default=None
        Per model, its ``validation_loss_curve_`` or None.
    validation_scores : list of array-like or None, default=None
        Per model, its ``validation_scores_`` or None.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        The training-loss line of each model.
    validation_lines_ : list of Line2D or None
        The validation-loss line of each model (None without one).
    score_lines_ : list of Line2D or None
        The validation-score line of each model, drawn on ``score_ax_``.
    ax_ : matplotlib Axes
        The axes of the losses.
    score_ax_ : matplotlib Axes or None
        A twin axes (right-hand scale) for validation scores, when any.
    figure_ : matplotlib Figure

    See Also
    --------
    DescentPathDisplay : the path of the weights over the error surface.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import scale
    >>> from sklearn_delta import DeltaRuleRegressor
    >>> from sklearn_delta.plotting import LossCurveDisplay
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X, y = scale(X), scale(y)
    >>> models = {
    ...     f"eta0={eta0}": DeltaRuleRegressor(eta0=eta0, random_state=0).fit(X, y)
    ...     for eta0 in (0.001, 0.01)
    ... }
    >>> display = LossCurveDisplay.from_estimator(models, log_scale=True)
    >>> [line.get_label() for line in display.lines_]
    ['eta0=0.001', 'eta0=0.01']
    """

    def __init__(
        self,
        *,
        loss_curves,
        names=None,
        validation_loss_curves=None,
        validation_scores=None,
    ):
        n_models = len(loss_curves)
        self.loss_curves = loss_curves
        self.names = names
        self.validation_loss_curves = validation_loss_curves or [None] * n_models
        self.validation_scores = validation_scores or [None] * n_models
        lengths = {
            len(self.names) if self.names is not None else n_models,
            len(self.validation_loss_curves),
            len(self.validation_scores),
        }
        if lengths != {n_models}:
            raise ValueError(
                "names, validation_loss_curves and validation_scores need one "
                f"entry per loss curve ({n_models})."
            )

    @classmethod
    def from_estimator(
        cls, estimator, *, name=None, ax=None, log_scale=False, show_validation=True
    ):
        """Plot the loss curves of one or several fitted models.

        Parameters
        ----------
        estimator : estimator, list of estimators or dict
            A fitted DeltaRuleRegressor or DeltaRuleClassifier, a Pipeline
            ending with one, or a fitted search (its ``best_estimator_``);
            or a list of them, or a dict {label: estimator}.
        name : str or list of str, default=None
            Labels for the legend; by default the dict's keys, else the
            estimators' class names.
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.
        log_scale : bool, default=False
            Draw the loss on a logarithmic scale.
        show_validation : bool, default=True
            Also draw validation loss and score where early stopping ran.

        Returns
        -------
        display : LossCurveDisplay
        """
        if isinstance(estimator, dict):
            names, estimators = list(estimator), list(estimator.values())
        elif isinstance(estimator, (list, tuple)):
            names, estimators = None, list(estimator)
        else:
            names, estimators = None, [estimator]
        models = [delta_rule_model(each) for each in estimators]
        if name is not None:
            names = [name] if isinstance(name, str) else list(name)
        elif names is None:
            names = [type(model).__name__ for model in models]
        display = cls(
            loss_curves=[model.loss_curve_ for model in models],
            names=names,
            validation_loss_curves=[
                getattr(model, "validation_loss_curve_", None) for model in models
            ],
            validation_scores=[
                getattr(model, "validation_scores_", None) for model in models
            ],
        )
        return display.plot(ax=ax, log_scale=log_scale, show_validation=show_validation)

    def _plot_model(self, ax, name, losses, validation_losses, scores):
        """Draw one model's curves (None: not drawn); keep their lines."""
        losses = np.asarray(losses)
        epochs = np.arange(1, len(losses) + 1)
        validated = validation_losses is not None
        (line,) = ax.plot(
            epochs, losses, label=f"{name} (training)" if validated else name
        )
        self.lines_.append(line)
        validation_line = score_line = None
        if validated:
            (validation_line,) = ax.plot(
                epochs,
                validation_losses,
                linestyle="--",
                color=line.get_color(),
                label=f"{name} (validation)",
            )
        if scores is not None:
            if self.score_ax_ is None:
                self.score_ax_ = ax.twinx()
                self.score_ax_.set_ylabel("Validation score")
            (score_line,) = self.score_ax_.plot(
                epochs,
                scores,
                linestyle=":",
                color=line.get_color(),
                label=f"{name} (validation score)",
            )
        self.validation_lines_.append(validation_line)
        self.score_lines_.append(score_line)

    def plot(self, *, ax=None, log_scale=False, show_validation=True):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; None makes a new figure.
        log_scale : bool, default=False
            Draw the loss on a logarithmic scale.
        show_validation : bool, default=True
            Also draw validation loss and score where recorded.

        Returns
        -------
        display : LossCurveDisplay
            Itself, with the drawn artists stored.
        """
        ax = axes(ax)
        names = self.names or [f"model {i}" for i in range(len(self.loss_curves))]
        self.lines_, self.validation_lines_, self.score_lines_ = [], [], []
        self.score_ax_ = None
        for name, losses, validation_losses, scores in zip(
            names, self.loss_curves, self.validation_loss_curves, self.validation_scores
        ):
            self._plot_model(
                ax,
                name,
                losses,
                validation_losses if show_validation else None,
                scores if show_validation else None,
            )
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Mean loss")
        handles, labels = ax.get_legend_handles_labels()
        if self.score_ax_ is not None:
            more_handles, more_labels = self.score_ax_.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
        ax.legend(handles, labels)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
