"""The delta rule as scikit-learn estimators: single-layer neural networks
trained by gradient descent on the squared error."""

from sklearn_delta._activations import Activation
from sklearn_delta._classifier import DeltaRuleClassifier
from sklearn_delta._regressor import DeltaRuleRegressor
from sklearn_delta._schedules import (
    AdaptiveSchedule,
    ConstantSchedule,
    InverseScalingSchedule,
    LearningRateSchedule,
)
from sklearn_delta._training import DivergenceWarning

__version__ = "0.1.0"

__all__ = [
    "Activation",
    "AdaptiveSchedule",
    "ConstantSchedule",
    "DeltaRuleClassifier",
    "DeltaRuleRegressor",
    "DivergenceWarning",
    "InverseScalingSchedule",
    "LearningRateSchedule",
    "__version__",
]
