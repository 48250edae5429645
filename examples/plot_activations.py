"""
Activations compared on one problem
===================================

The output function ``f`` of the units shapes what the delta rule can
learn and how fast: its derivative ``f'(h)`` multiplies every step. Here
the same classifier is trained on the breast-cancer data with each built-in
activation (and with the log-loss, which cancels ``f'(h)``), and their loss
curves, the epochs each needs and their test accuracies are compared. All
run with the defaults: ``eta0="auto"`` sets each one's rate from how curved
its loss is through its activation, so no rate is tuned by hand, and each
trains until its loss stops improving.

The losses are not all measured alike, so the plot puts side by side
curves whose heights do not compare: the squared error of units whose
targets are -1 and 1 (tanh, identity) is four times that of units with
targets 0 and 1 (logistic, relu, softplus) making the same mistakes
relative to their targets' range, and the log-loss is another loss
altogether. Compare the shapes of the curves, the epochs and the accuracies.
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

# Each name says the targets of the units' squared error, or the loss.
settings = {
    "logistic (targets 0, 1)": {"activation": "logistic"},
    "tanh (targets -1, 1)": {"activation": "tanh"},
    "identity, ADALINE (targets -1, 1)": {"activation": "identity"},
    "relu (targets 0, 1)": {"activation": "relu"},
    "softplus (targets 0, 1)": {"activation": "softplus"},
    "logistic, log-loss": {"loss": "log_loss"},
}
models = {}
for name, params in settings.items():
    model = make_pipeline(
        StandardScaler(), DeltaRuleClassifier(random_state=0, **params)
    )
    models[name] = model.fit(X_train, y_train)
    unit = model[-1]
    print(
        f"{name:>33}: eta0_ {unit.eta0_:.3f}, {unit.n_iter_:>4} epochs, "
        f"test accuracy {model.score(X_test, y_test):.3f}"
    )

# %%
# The curves' heights only compare within a kind of loss: squared error on
# targets 0 and 1, squared error on -1 and 1 (four times as large for the
# same mistakes), or the log-loss. Both axes are logarithmic: the runs
# last from one to several thousand epochs. The tanh unit is the logistic unit
# in other units (``tanh(h) = 2 logistic(2h) - 1``), and with the rates that
# ``eta0="auto"`` gives them the two learn the same model: the tanh curve is
# the logistic one four times higher, over the same epochs. The legend goes
# below the plot, clear of the curves.
fig, ax = plt.subplots(figsize=(8, 6), layout="constrained")
LossCurveDisplay.from_estimator(models, ax=ax, log_scale=True)
ax.set_xscale("log")
ax.set_title("Breast cancer: loss per epoch by activation")
ax.set_ylabel("Mean loss (scales differ: see above)")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
fig.savefig("activations.png")
