"""
Compare learning rates by their loss curves
===========================================

The learning rate eta decides how far each delta-rule step moves the
weights. Too small and the loss falls slowly; too large and the steps
overshoot. :class:`~sklearn_delta.plotting.LossCurveDisplay` draws the loss
of every epoch of several models on one axes, so the difference shows at a
glance. Here a linear unit learns the diabetes data (full batch, the
default) at the rate that ``eta0="auto"`` computes from the data, and at
hand-set rates a tenth and a hundredth of it, each for a fixed 60 epochs
(``tol=None``). The last model is trained with early stopping, so its
validation loss (dashed) and validation score (dotted, right-hand axis) are
drawn too. The end of the page shows what happens to a rate that is too
large.
"""

# %%
import textwrap
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleRegressor, DivergenceWarning
from sklearn_delta.plotting import LossCurveDisplay

X, y = load_diabetes(return_X_y=True)
y = (y - y.mean()) / y.std()


def delta_rule(**params):
    return make_pipeline(StandardScaler(), DeltaRuleRegressor(**params))


models = {}
for eta0 in ("auto", 0.025, 0.0025):
    model = delta_rule(eta0=eta0, max_iter=60, tol=None).fit(X, y)
    rate = model[-1].eta0_
    name = f'eta0="auto" ({rate:.3g})' if eta0 == "auto" else f"eta0={eta0}"
    models[name] = model
    print(f"{name}: loss {model[-1].loss_curve_[-1]:.4f} after 60 epochs")
stopped = delta_rule(early_stopping=True, random_state=0).fit(X, y)
models['eta0="auto", early stopping'] = stopped
print(
    f"early stopping: eta0_ {stopped[-1].eta0_:.3g}, stopped after "
    f"{stopped[-1].n_iter_} epochs, best validation R^2 "
    f"{stopped[-1].best_validation_score_:.3f}"
)

# %%
# The display puts its legend inside the axes, where it would hide the
# validation curves: it goes below the plot instead.
fig, ax = plt.subplots(figsize=(8, 6.5), layout="constrained")
display = LossCurveDisplay.from_estimator(models, ax=ax, log_scale=True)
ax.set_title("Delta rule on diabetes: loss per epoch by learning rate")
handles, labels = ax.get_legend_handles_labels()
score_handles, score_labels = display.score_ax_.get_legend_handles_labels()
ax.get_legend().remove()
ax.legend(
    handles + score_handles,
    labels + score_labels,
    loc="upper center",
    bbox_to_anchor=(0.5, -0.12),
    ncol=2,
)
fig.savefig("loss_curves.png")
print("saved loss_curves.png")

# %%
# The rate that ``eta0="auto"`` picks takes out the steepest direction of
# the error surface in about one step, and its loss is near the bottom
# within ten epochs. A tenth of it takes about ten times as many epochs to
# get as far; a hundredth is still far from the bottom after 60. The
# early-stopping model trains only on the data it does not hold out for
# validation: its rate, set from those rows, differs a little, and its
# training loss is not the same curve as the model without early stopping.
# It stops when its validation score (dotted, right-hand axis) stops
# improving, and keeps the weights of its best epoch.
#
# Too large a rate: for a full batch of this linear unit, twice the rate
# that ``eta0="auto"`` picks is the edge of stability, beyond which every
# step overshoots the bottom of the steepest direction by more than it
# started from and the loss grows. The estimators do not let it grow: they
# go back to the weights where the best epoch began, cut the rate by 4 and
# go on, and the fit warns once, with a
# :class:`~sklearn_delta.DivergenceWarning`. Here that warning is caught and
# printed, as part of the story: eta0=1.0, about four times the rate of
# ``eta0="auto"``, diverges and ends up a quarter as large.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", DivergenceWarning)
    too_large = delta_rule(eta0=1.0, max_iter=60, tol=None).fit(X, y)
for warning in caught:
    print(textwrap.fill(f"{warning.category.__name__}: {warning.message}", 79))
print(
    f"eta0=1.0: the last epochs ran at {too_large[-1].learning_rate_:.3g}, "
    f"loss {too_large[-1].loss_curve_[-1]:.4f} after 60 epochs"
)
