"""Bad parameters and training that diverges; see test_bad_input.py for the
table of bad data."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor, DivergenceWarning

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)


def fitted_classifier():
    return DeltaRuleClassifier(random_state=0, max_iter=20).fit(X_IRIS, Y_IRIS)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"activation": "sigmoidal"}, "activation"),
        ({"learning_rate": "sometimes"}, "learning_rate"),
        ({"eta0": 0.0}, "eta0"),
        ({"batch_size": 0}, "batch_size"),
        ({"momentum": 1.0}, "momentum"),
        ({"max_iter": -1}, "max_iter"),
    ],
)
def test_bad_parameters_name_themselves(params, message):
    model = fitted_classifier()
    before = pickle.dumps(model)
    with pytest.raises(ValueError, match=message):
        model.set_params(**params).fit(X_IRIS, Y_IRIS)
    model.set_params(
        **{name: fitted_classifier().get_params()[name] for name in params}
    )
    assert pickle.dumps(model) == before


def test_balanced_class_weight_is_refused_by_partial_fit():
    with pytest.raises(ValueError, match="partial_fit never sees"):
        DeltaRuleClassifier(class_weight="balanced").partial_fit(
            X_IRIS, Y_IRIS, classes=[0, 1, 2]
        )


def test_partial_fit_needs_classes_first():
    with pytest.raises(ValueError, match="classes must be passed"):
        DeltaRuleClassifier().partial_fit(X_IRIS, Y_IRIS)


def test_divergence_is_undone_and_explained():
    rng = np.random.RandomState(0)
    X = rng.normal(scale=100.0, size=(200, 5))
    # Centred, so that the intercept (which learns slowly next to weights on
    # features this large) starts where it should end: at mean(y) = 0.
    X -= X.mean(axis=0)
    y = X @ rng.normal(size=5)
    with pytest.warns(DivergenceWarning, match="diverged .*from 1 to "):
        model = DeltaRuleRegressor(eta0=1.0, batch_size=1, random_state=0).fit(X, y)
    assert np.all(np.isfinite(model.coef_))
    assert model.score(X, y) > 0.99
    assert np.all(np.isfinite(model.loss_curve_))


def test_hopeless_divergence_raises_and_keeps_the_old_model():
    model = DeltaRuleRegressor(random_state=0, max_iter=5).fit(X_IRIS, Y_IRIS)
    before = pickle.dumps(model)
    X = X_IRIS * 1e12
    # The error says what the warning would have said: no warning besides.
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        with pytest.raises(ValueError, match="standardise"):
            model.set_params(eta0=1e3).fit(X, Y_IRIS)
    model.set_params(eta0="auto")
    assert pickle.dumps(model) == before


def test_a_perfect_fit_so_far_is_not_taken_for_divergence():
    # The first chunks have zero loss (so do all-zero weights on them); a
    # later chunk with a small loss is not a "thousandfold growth".
    X, y = np.zeros((4, 1)), np.array([0.0, 1.0, 0.0, 0.0])
    model = DeltaRuleRegressor(batch_size=1, shuffle=False, eta0=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        for row in range(4):
            model.partial_fit(X[row : row + 1], y[row : row + 1])
    np.testing.assert_allclose(model.intercept_, [0.01 * (1 - 0.01) ** 2])
