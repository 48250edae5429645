"""
Scaling out with dask
=====================

When the data or the search outgrow one machine, the estimators run on a
dask cluster. This example starts a small cluster inside this Python process
(with a real one, connect with ``Client("scheduler-address:8786")``
instead) and shows three ways to use it:

1. a grid search whose fits run on the cluster's workers;
2. out-of-core training with ``partial_fit`` over the blocks of a dask
   array (dask-ml's ``Incremental``), scored with
   :func:`sklearn_delta.dask.r2_score`;
3. data-parallel full-batch training with
   :func:`sklearn_delta.dask.fit_full_batch`, where each block computes its
   part of the gradient where it lives, and the result equals a fit in
   memory.
"""

# %%
import joblib
import numpy as np
from dask import array as da
from dask_ml.wrappers import Incremental
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor
from sklearn_delta.dask import fit_full_batch, r2_score

# Two workers as threads of this process, talking to the scheduler in memory.
# Their HTTP servers (the scheduler's would take port 8787 on every network
# interface) listen on this machine only, on free ports.
cluster = LocalCluster(
    n_workers=2,
    processes=False,
    dashboard_address="127.0.0.1:0",
    worker_dashboard_address="127.0.0.1:0",
)
client = Client(cluster)

# %%
# 1. A grid search on the cluster: the same call as on one machine, inside
# joblib's dask backend. The rate is left to ``eta0="auto"``, which sets it
# for each fit from its data and batch size; the grid searches the L2
# penalty and the batch size.
X, y = load_digits(return_X_y=True)
search = GridSearchCV(
    make_pipeline(StandardScaler(), DeltaRuleClassifier(random_state=0)),
    {
        "deltaruleclassifier__alpha": [0.01, 0.1],
        "deltaruleclassifier__batch_size": [32, "full"],
    },
    cv=3,
    n_jobs=-1,
)
with joblib.parallel_backend("dask"):
    search.fit(X, y)
print("best parameters:", search.best_params_, f"accuracy {search.best_score_:.3f}")

# %%
# 2. Out of core: a dask array in blocks of 10,000 rows, one partial_fit per
# block. The data are drawn on the workers by dask's random generator and
# kept there (``persist``): an array made in this process and wrapped with
# ``da.from_array`` would be copied into every task graph sent to the
# cluster instead. Pass r2_score (a function), not the string "r2": dask-ml's
# own R^2 fails on the unknown chunk sizes of predictions.
rng = da.random.default_rng(0)
X = rng.standard_normal((100_000, 20), chunks=(10_000, 20))
true_coef = np.random.default_rng(0).normal(size=20)
y = X @ true_coef + rng.normal(scale=0.5, size=100_000, chunks=10_000)
X, y = client.persist([X, y])
incremental = Incremental(DeltaRuleRegressor(random_state=0), scoring=r2_score)
incremental.fit(X, y)
print(f"Incremental: R^2 {incremental.score(X, y):.4f} after one pass")

# %%
# 3. Full batch, data-parallel, with the default parameters. Only the
# weights go out and a few small sums come back each epoch; X stays on the
# workers. The same fit in memory (on the data gathered here) gives the same
# weights, up to rounding.
distributed_model = fit_full_batch(DeltaRuleRegressor(), X, y)
local_model = DeltaRuleRegressor().fit(X.compute(), y.compute())
difference = np.abs(distributed_model.coef_ - local_model.coef_).max()
print(
    f"fit_full_batch: {distributed_model.n_iter_} epochs, "
    f"loss {distributed_model.loss_curve_[-1]:.4f}"
)
print(f"in memory: {local_model.n_iter_} epochs, loss {local_model.loss_:.4f}")
print(f"largest difference between their weights: {difference:.1e}")

client.close()
cluster.close()
