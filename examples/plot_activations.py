"""
Activations compared on one problem
===================================

The output function ``f`` of the units shapes what the delta rule can
learn and how fast: its derivative ``f'(h)`` multiplies every step. Here
the same classifier is trained on the breast-cancer data with each built-in
activation (and with the log-loss, which cancels ``f'(h)``), and their loss
curves and test accuracies are compared. The losses differ in scale from
one activation to the next (a tanh unit's targets are -1 and 1, a logistic
unit's 0 and 1), so compare the shapes of the curves, and the accuracies.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier
from sklearn_delta.plotting import LossCurveDisplay

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

settings = {
    "logistic": {"activation": "logistic"},
    "tanh": {"activation": "tanh", "eta0": 0.02},
    "identity (ADALINE)": {"activation": "identity", "eta0": 0.01},
    "relu": {"activation": "relu", "eta0": 0.02},
    "softplus": {"activation": "softplus", "eta0": 0.05},
    "logistic, log_loss": {"loss": "log_loss"},
}
models = {}
for name, params in settings.items():
    model = make_pipeline(
        StandardScaler(), DeltaRuleClassifier(max_iter=40, random_state=0, **params)
    )
    models[name] = model.fit(X_train, y_train)
    print(f"{name:>20}: test accuracy {model.score(X_test, y_test):.3f}")

# %%
fig, ax = plt.subplots(figsize=(8, 5))
LossCurveDisplay.from_estimator(models, ax=ax, log_scale=True)
ax.set_title("Breast cancer: loss per epoch by activation")
fig.tight_layout()
fig.savefig("activations.png")
