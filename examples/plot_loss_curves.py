"""
Compare learning rates by their loss curves
===========================================

The learning rate eta decides how far each delta-rule step moves the
weights. Too small and the loss falls slowly; too large and the steps
overshoot. :class:`~sklearn_delta.plotting.LossCurveDisplay` draws the loss
of every epoch of several models on one axes, so the difference shows at a
glance. The last model is trained with early stopping, so its validation
loss (dashed) and validation score (dotted, right-hand axis) are drawn too.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleRegressor
from sklearn_delta.plotting import LossCurveDisplay

X, y = load_diabetes(return_X_y=True)
y = (y - y.mean()) / y.std()

models = {
    f"eta0={eta0}": make_pipeline(
        StandardScaler(),
        DeltaRuleRegressor(eta0=eta0, max_iter=60, tol=0, random_state=0),
    ).fit(X, y)
    for eta0 in (0.0003, 0.003, 0.03)
}
models["eta0=0.003, early stopping"] = make_pipeline(
    StandardScaler(),
    DeltaRuleRegressor(eta0=0.003, early_stopping=True, random_state=0),
).fit(X, y)

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
# The smallest rate is still far from the bottom after 60 epochs. The middle
# one gets there smoothly. The largest drops fastest, then levels off with
# its loss wobbling from one mini-batch epoch to the next, and its fit stops
# early, after a few epochs without improvement. The early-stopping model
# trains only on the data it does not hold out for validation, so its
# training loss is not the same curve as the model of the same rate without
# early stopping; it stops when its validation score (dotted, right-hand
# axis) stops improving, and keeps the weights of its best epoch.
