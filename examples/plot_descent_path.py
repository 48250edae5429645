"""
The descent path on the error surface
=====================================

Gradient descent changes each weight in proportion to minus the slope of
the error E along it: the weights move downhill, across the contours of E.
Here a linear unit (ADALINE) has exactly two weights, one input weight and
the intercept, so E(w, b) is a bowl we can draw whole.
:class:`~sklearn_delta.plotting.DescentPathDisplay` draws it with the
weights after every epoch of full-batch training, and the negative
gradient (the direction of the next delta-rule step) at each of them.

The bowl is stretched because the input and the constant 1 of the
intercept are on different scales: the path first slides across the
valley, then along it. The model runs a fixed 25 epochs (``tol=None``) at a
hand-set ``eta0=0.1``, a little over half the rate ``eta0="auto"`` would
pick here, so that the steps are short enough to follow the bend; along the
shallow valley they shrink, and 25 epochs end before the bottom of the bowl.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_regression

from sklearn_delta import DeltaRuleRegressor
from sklearn_delta.plotting import DescentPathDisplay

X, y = make_regression(n_samples=200, n_features=1, noise=10, random_state=0)
X = 2.0 * X + 1.0  # off-centre and wider than the intercept's constant 1
y = y / y.std()

model = DeltaRuleRegressor(
    batch_size="full", eta0=0.1, max_iter=25, tol=None, record_weights=True
)
model.fit(X, y, coef_init=[-1.5], intercept_init=[2.0])

# %%
fig, ax = plt.subplots(figsize=(7, 6))
display = DescentPathDisplay.from_estimator(
    model, X, y, weights=(0, "intercept"), ax=ax, margin=0.4
)
ax.set_title("Full-batch delta rule: E(w, b) and the path of (w, b)")
fig.tight_layout()
fig.savefig("descent_path.png")
print(f"saved descent_path.png; final loss {model.loss_curve_[-1]:.4f}")
print(f"start {display.path[0].round(3)}, end {np.round(display.path[-1], 3)}")
# The bottom of the bowl: the least-squares line through the data.
slope, intercept = np.polyfit(X[:, 0], y, deg=1)
print(f"bottom of the bowl {np.round([slope, intercept], 3)}")
