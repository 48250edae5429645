"""
Scaling out with dask
=====================

When the data or the search outgrow one machine, the estimators run on a
dask cluster. This example starts a small local cluster (with a real one,
connect with ``Client("scheduler-address:8786")`` instead) and shows three
ways to use it:

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
from sklearn.datasets import load_digits, make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor
from sklearn_delta.dask import fit_full_batch, r2_score

cluster = LocalCluster(n_workers=2, processes=False, dashboard_address=None)
client = Client(cluster)

# %%
# 1. A grid search on the cluster: the same call as on one machine, inside
# joblib's dask backend.
X, y = load_digits(return_X_y=True)
search = GridSearchCV(
    make_pipeline(StandardScaler(), DeltaRuleClassifier(max_iter=20, random_state=0)),
    {
        "deltaruleclassifier__eta0": [0.01, 0.1],
        "deltaruleclassifier__batch_size": [8, 64],
    },
    cv=3,
    n_jobs=-1,
)
with joblib.parallel_backend("dask"):
    search.fit(X, y)
print("best parameters:", search.best_params_, f"accuracy {search.best_score_:.3f}")

# %%
# 2. Out of core: a dask array in blocks of 10,000 rows, one partial_fit per
# block. Pass r2_score (a function), not the string "r2": dask-ml's own R^2
# fails on the unknown chunk sizes of predictions.
X, y = make_regression(n_samples=100_000, n_features=20, noise=10, random_state=0)
X = da.from_array(StandardScaler().fit_transform(X), chunks=10_000)
y = da.from_array(y / y.std(), chunks=10_000)
incremental = Incremental(DeltaRuleRegressor(random_state=0), scoring=r2_score)
incremental.fit(X, y)
print(f"Incremental: R^2 {incremental.score(X, y):.4f} after one pass")

# %%
# 3. Full batch, data-parallel. Only the weights go out and a few small sums
# come back each epoch; X stays on the workers.
params = {"batch_size": "full", "eta0": 0.5, "max_iter": 30, "tol": 0}
distributed_model = fit_full_batch(DeltaRuleRegressor(**params), X, y)
local_model = DeltaRuleRegressor(**params).fit(X.compute(), y.compute())
difference = np.abs(distributed_model.coef_ - local_model.coef_).max()
print(f"fit_full_batch: loss {distributed_model.loss_curve_[-1]:.4f}")
print(f"largest difference from the fit in memory: {difference:.1e}")

client.close()
cluster.close()
