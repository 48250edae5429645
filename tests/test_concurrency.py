"""One fitted model used from several threads; searches in several processes."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_predictions_from_threads_equal_serial_ones():
    X, y = load_digits(return_X_y=True)
    model = make_pipeline(
        StandardScaler(), DeltaRuleClassifier(max_iter=10, random_state=0)
    ).fit(X, y)
    chunks = np.array_split(X, 40)
    serial = [(model.predict(c), model.predict_proba(c)) for c in chunks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(
            pool.map(lambda c: (model.predict(c), model.predict_proba(c)), chunks)
        )
    for (labels, proba), (expected_labels, expected_proba) in zip(threaded, serial):
        np.testing.assert_array_equal(labels, expected_labels)
        np.testing.assert_array_equal(proba, expected_proba)


def test_fits_in_threads_on_separate_models_equal_serial_fits():
    # The compiled kernels keep no state between calls: models train apart.
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)

    def fit(batch_size):
        model = DeltaRuleClassifier(batch_size=batch_size, max_iter=3, random_state=0)
        return model.fit(X, y).coef_

    sizes = [1, 8, 32, "full"] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(fit, sizes))
    for coef, batch_size in zip(threaded, sizes):
        np.testing.assert_array_equal(coef, fit(batch_size))


def test_grid_search_in_two_processes_matches_one():
    X, y = load_digits(return_X_y=True)
    grid = {
        "deltaruleclassifier__eta0": [0.01, 0.1],
        "deltaruleclassifier__batch_size": [8, 64],
    }
    pipeline = make_pipeline(
        StandardScaler(), DeltaRuleClassifier(max_iter=15, random_state=0)
    )
    parallel = GridSearchCV(pipeline, grid, cv=3, n_jobs=2).fit(X, y)
    serial = GridSearchCV(pipeline, grid, cv=3, n_jobs=1).fit(X, y)
    assert parallel.best_params_ == serial.best_params_
    np.testing.assert_array_equal(
        parallel.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
