"""scikit-learn's estimator checks, at the defaults and over a grid of settings."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor

# Every batch mode, schedule, a few activations, momentum and early stopping,
# each at otherwise-default parameters.
CONFIGURATIONS = [
    {},
    {"batch_size": 1},
    {"batch_size": 8},
    {"batch_size": "auto"},
    {"learning_rate": "invscaling"},
    {"learning_rate": "adaptive"},
    {"activation": "tanh"},
    {"activation": "relu"},
    {"momentum": 0.9},
    # Some checks fit 10 samples; R^2 needs two held out, as MLPRegressor's.
    {"early_stopping": True, "validation_fraction": 0.2},
]

# A relu regressor cannot output the negative targets of the regression
# checks; it says so with scikit-learn's poor_score tag (tested in test_api).
ESTIMATORS = [
    Estimator(random_state=0, **params)
    for Estimator in (DeltaRuleRegressor, DeltaRuleClassifier)
    for params in CONFIGURATIONS
]

# Stochastic (online, small mini-batch) training cannot equal a fit on
# repeated rows exactly, as for scikit-learn's SGD*; tests/test_sample_weight.py
# checks the equivalence on average instead.
STOCHASTIC_BATCH_SIZES = (1, 8)


SAMPLE_WEIGHT_EQUIVALENCE = (
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
)


def expected_failed_checks(estimator):
    failures = {}
    if estimator.batch_size in STOCHASTIC_BATCH_SIZES:
        reason = "stochastic batches cannot equal repeated rows exactly"
        failures.update(dict.fromkeys(SAMPLE_WEIGHT_EQUIVALENCE, reason))
    return failures


# The checks fit tiny, unscaled and often random data (features around 100,
# labels with no relation to X, class weights of 1000 and 0.0001), some with
# a max_iter of their own: running out of epochs, and a rate cut when online
# steps on such data go up and down, are what the warnings then rightly say.
@pytest.mark.filterwarnings(
    "ignore:Maximum iterations:sklearn.exceptions.ConvergenceWarning",
    "ignore:Training diverged:sklearn_delta.DivergenceWarning",
)
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
