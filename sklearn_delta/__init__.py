"""The delta rule as scikit-learn estimators: single-layer neural networks
trained by gradient descent on the squared error."""

from sklearn_delta._activations import Activation
from sklearn_delta._classifier import DeltaRuleClassifier
from sklearn_delta._divergence import DivergenceWarning
from sklearn_delta._losses import LogLoss, Loss, SquaredError
from sklearn_delta._regressor import DeltaRuleRegressor
from sklearn_delta._schedules import (
    AdaptiveSchedule,
    ConstantSchedule,
    InverseScalingSchedule,
    LearningRateSchedule,
)

__version__ = "0.2.0.dev0"

__all__ = [
    "Activation",
    "AdaptiveSchedule",
    "ConstantSchedule",
    "DeltaRuleClassifier",
    "DeltaRuleRegressor",
    "DivergenceWarning",
    "InverseScalingSchedule",
    "LearningRateSchedule",
    "LogLoss",
    "Loss",
    "SquaredError",
    "__version__",
]
