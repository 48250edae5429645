"""
Deploying with ONNX
===================

A pipeline that ends in a delta-rule estimator converts to `ONNX
<https://onnx.ai>`_ with skl2onnx, as scikit-learn's own models do, once
:mod:`sklearn_delta.onnx` is imported, and the ONNX model then runs in
onnxruntime, without Python or scikit-learn where it is deployed. Needs
``pip install ".[onnx]"``.

This example converts a classifier and a two-target regressor, runs both
in onnxruntime and compares their outputs with scikit-learn's.
"""

# %%
import numpy as np
import onnxruntime
import skl2onnx
from sklearn.datasets import load_iris, load_linnerud
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_delta.onnx  # noqa: F401 - registers the converters with skl2onnx
from sklearn_delta import Activation, DeltaRuleClassifier, DeltaRuleRegressor

# %%
# A classifier: three softmax units trained with the log loss. ONNX runtimes
# compute in float32, so the model is converted for float32 input (``X[:1]``
# only tells skl2onnx the input's type and width). ``zipmap=False`` returns
# the probabilities as a matrix rather than skl2onnx's default list of
# ``{class: probability}`` dictionaries.
X, y = load_iris(return_X_y=True)
X = X.astype(np.float32)
classifier = make_pipeline(
    StandardScaler(), DeltaRuleClassifier(loss="log_loss", random_state=0)
).fit(X, y)
onx = skl2onnx.to_onnx(
    classifier, X[:1], options={id(classifier[-1]): {"zipmap": False}}
)
# onx is an onnx.ModelProto; save it with
#   open("classifier.onnx", "wb").write(onx.SerializeToString())
session = onnxruntime.InferenceSession(
    onx.SerializeToString(), providers=["CPUExecutionProvider"]
)
print("inputs:", [(i.name, i.type, i.shape) for i in session.get_inputs()])
print("outputs:", [(o.name, o.type, o.shape) for o in session.get_outputs()])

labels, proba = session.run(None, {"X": X})
print("labels equal:", bool(np.all(labels == classifier.predict(X))))
gap = np.abs(proba - classifier.predict_proba(X)).max()
print(f"largest probability difference: {gap:.1e}")

# %%
# A regressor with one unit per target: the ONNX output has one column per
# target.
X, Y = load_linnerud(return_X_y=True)
X = X.astype(np.float32)
regressor = make_pipeline(StandardScaler(), DeltaRuleRegressor(random_state=0))
regressor.fit(X, Y / Y.std(axis=0))
session = onnxruntime.InferenceSession(
    skl2onnx.to_onnx(regressor, X[:1]).SerializeToString(),
    providers=["CPUExecutionProvider"],
)
(output,) = session.run(None, {"X": X})
gap = np.abs(output - regressor.predict(X)).max()
print(f"output shape {output.shape}, largest difference: {gap:.1e}")

# %%
# Only the built-in activations have an ONNX form. A model with an
# :class:`~sklearn_delta.Activation` of your own refuses to convert, and says
# which activation stopped it.
arctan = Activation(
    np.arctan,
    lambda h, output: 1.0 / (1.0 + h**2),
    name="arctan",
    output_range=(-np.pi / 2, np.pi / 2),
    target_values=(-1.0, 1.0),
)
custom = DeltaRuleRegressor(arctan, random_state=0).fit(X, Y[:, 0] / Y[:, 0].std())
try:
    skl2onnx.to_onnx(custom, X[:1])
except ValueError as error:
    print(error)
