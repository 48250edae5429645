"""
Online, mini-batch and full-batch training
==========================================

``batch_size`` sets how many samples each delta-rule step averages over.
Online training (one sample per step) makes the most steps per epoch but
each is noisy; a full batch makes one exact step per epoch. This example
trains a linear unit on the diabetes data all three ways, each for the same
50 epochs (``tol=None``: no early stop), and compares their loss curves and
the time each took. The learning rate is ``eta0="auto"`` for all three,
which gives each batch size its own rate: a one-sample step must be safe on
the most curved single sample, so online training gets the smallest rate,
and the full batch, which sees the curvature of the whole data, the
largest.
"""

# %%
import time

import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleRegressor
from sklearn_delta.plotting import LossCurveDisplay

X, y = load_diabetes(return_X_y=True)
X = StandardScaler().fit_transform(X)
y = (y - y.mean()) / y.std()

# A first small fit loads the compiled kernels, so that the timings below
# compare the training alone.
DeltaRuleRegressor(batch_size=1, max_iter=1, tol=None).fit(X[:10], y[:10])

models = {}
for name, batch_size in [("online", 1), ("mini-batch of 32", 32), ("full", "full")]:
    model = DeltaRuleRegressor(
        batch_size=batch_size, max_iter=50, tol=None, random_state=0
    )
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    models[name] = model
    print(
        f"{name:>16}: eta0_ {model.eta0_:.3f}, {model.n_iter_} epochs, final loss "
        f"{model.loss_curve_[-1]:.4f}, R^2 {model.score(X, y):.3f}, "
        f"{seconds * 1000:.0f} ms"
    )

# %%
# The online rule makes 442 steps per epoch: after one epoch it is near the
# level where it stays, its small one-sample steps jittering around it.
# Mini-batches of 32 take a larger rate and settle lower, still jittering.
# The full batch makes one exact step per epoch, at the largest rate; its
# first point is the loss of its starting weights (an epoch's loss is
# measured before its step). It passes the others within a few epochs,
# falls smoothly, and ends the lowest.
fig, ax = plt.subplots(figsize=(8, 5))
LossCurveDisplay.from_estimator(models, ax=ax, log_scale=True)
ax.set_title('Diabetes: loss per epoch by batch size (eta0="auto")')
fig.tight_layout()
fig.savefig("batch_modes.png")
