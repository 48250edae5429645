"""
Online, mini-batch and full-batch training
==========================================

``batch_size`` sets how many samples each delta-rule step averages over.
Online training (one sample per step) makes the most steps per epoch but
each is noisy; a full batch makes one exact step per epoch. This example
trains a linear unit on the diabetes data all three ways, with the same
learning rate and the same budget of at most 50 epochs, and compares their
loss curves, the epochs each ran and the time each took. A run stops
early once its loss has not improved (``tol=0``) for more than
``n_iter_no_change`` (5) epochs, so the runs end at different epochs.
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
DeltaRuleRegressor(batch_size=1, max_iter=1).fit(X[:10], y[:10])

models = {}
for name, batch_size in [("online", 1), ("mini-batch of 32", 32), ("full", "full")]:
    model = DeltaRuleRegressor(
        batch_size=batch_size, eta0=0.01, max_iter=50, tol=0, random_state=0
    )
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    models[name] = model
    print(
        f"{name:>16}: {model.n_iter_} epochs, final loss "
        f"{model.loss_curve_[-1]:.4f}, R^2 {model.score(X, y):.3f}, "
        f"{seconds * 1000:.0f} ms"
    )

# %%
# The online rule is near its best after a single epoch (442 steps), but its
# one-sample steps keep jittering, and it stops once the loss no longer
# falls, after the fewest epochs. Mini-batches of 32 average that noise away
# and end lower. The full batch creeps along, one exact step per epoch: its
# loss is still falling when its 50 epochs run out.
fig, ax = plt.subplots(figsize=(8, 5))
LossCurveDisplay.from_estimator(models, ax=ax, log_scale=True)
ax.set_title("Diabetes: loss per epoch by batch size (eta0 = 0.01)")
fig.tight_layout()
fig.savefig("batch_modes.png")
