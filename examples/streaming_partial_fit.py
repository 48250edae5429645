"""
Streaming data through partial_fit
==================================

``partial_fit`` trains one epoch on the chunk it is given and keeps the
weights, momentum, learning-rate schedule and loss curve for the next call,
so a model can learn from data that never sits in memory at once. Here a
CSV file is written chunk by chunk (standing in for a file too large to
load), then read back with ``pandas.read_csv(chunksize=...)`` and streamed
into a classifier; a scaler fitted on the first chunk prepares every chunk.
"""

# %%
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier

X, y = make_classification(
    n_samples=50_000, n_features=10, n_informative=5, n_classes=3, random_state=0
)
X_test, y_test = X[45_000:], y[45_000:]  # kept aside to score the model
columns = [f"x{i}" for i in range(10)]
folder = Path(tempfile.mkdtemp())
path = folder / "stream.csv"
frame = pd.DataFrame(X[:45_000], columns=columns).assign(label=y[:45_000])
frame.to_csv(path, index=False)

# %%
# Stream it: every chunk has 5,000 rows; the classes are fixed on the first
# call, the scaler on the first chunk.
model = DeltaRuleClassifier(random_state=0)
scaler = None
for chunk in pd.read_csv(path, chunksize=5_000):
    features, labels = chunk[columns], chunk["label"]
    if scaler is None:
        scaler = StandardScaler().fit(features)
    model.partial_fit(scaler.transform(features), labels, classes=np.arange(3))
    print(f"after {model.t_:>7,.0f} rows: chunk loss {model.loss_curve_[-1]:.4f}")

# %%
# Score on the rows kept aside (named like the CSV's columns, as the scaler
# expects).
held_out = scaler.transform(pd.DataFrame(X_test, columns=columns))
print(f"accuracy on held-out rows: {model.score(held_out, y_test):.3f}")
path.unlink()
folder.rmdir()
