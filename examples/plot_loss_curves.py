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
fig, ax = plt.subplots(figsize=(8, 5))
display = LossCurveDisplay.from_estimator(models, ax=ax, log_scale=True)
ax.set_title("Delta rule on diabetes: loss per epoch by learning rate")
fig.tight_layout()
fig.savefig("loss_curves.png")
print("saved loss_curves.png")
