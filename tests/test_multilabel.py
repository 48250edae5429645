"""Multilabel classification: a 2-D 0/1 indicator y, one logistic unit per
label, as MLPClassifier takes it."""

import numpy as np
import pytest
from scipy.special import expit
from sklearn.datasets import make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import hamming_loss
from sklearn.model_selection import cross_val_score
from sklearn.multioutput import MultiOutputClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier


@pytest.fixture
def data():
    X, Y = make_multilabel_classification(300, 10, n_classes=4, random_state=0)
    return StandardScaler().fit_transform(X), Y


@pytest.mark.parametrize("loss", ["squared_error", "log_loss"])
def test_indicator_targets_give_one_unit_per_label(data, loss):
    X, Y = data
    model = DeltaRuleClassifier(loss=loss).fit(X, Y)
    assert model.multilabel_ and list(model.classes_) == [0, 1, 2, 3]
    assert model.coef_.shape == (4, 10) and model.intercept_.shape == (4,)
    predicted = model.predict(X)
    assert predicted.shape == Y.shape and set(np.unique(predicted)) <= {0, 1}
    proba = model.predict_proba(X)
    assert proba.shape == Y.shape and np.all((proba >= 0) & (proba <= 1))
    # Each label on its own: probability above 1/2 is the predicted label.
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(int))
    np.testing.assert_array_equal(predicted, model.decision_function(X) > 0)
    assert hamming_loss(Y, predicted) < 0.25


def test_log_loss_is_a_binary_cross_entropy_per_label(data):
    X, Y = data
    model = DeltaRuleClassifier(loss="log_loss", max_iter=1, tol=None).fit(X, Y)
    # The first epoch's loss is that of the starting weights: zero coef,
    # each unit's intercept at the logit of its label's share.
    share = Y.mean(axis=0)
    p = np.broadcast_to(expit(np.log(share / (1 - share))), Y.shape)
    expected = -np.mean(np.sum(Y * np.log(p) + (1 - Y) * np.log(1 - p), axis=1))
    assert model.loss_curve_[0] == pytest.approx(expected, rel=1e-9)


def test_cross_validation_matches_one_logistic_regression_per_label(data):
    X, Y = data
    # Micro-averaged F1 over all labels (f1_samples warns of samples with
    # no label at all).
    ours = cross_val_score(
        DeltaRuleClassifier(loss="log_loss"), X, Y, cv=3, scoring="f1_micro"
    ).mean()
    reference = cross_val_score(
        MultiOutputClassifier(LogisticRegression()), X, Y, cv=3, scoring="f1_micro"
    ).mean()
    assert ours >= reference - 0.02


def test_class_weight_is_refused_and_sample_weight_works(data):
    X, Y = data
    with pytest.raises(ValueError, match="class_weight is not defined for multi"):
        DeltaRuleClassifier(class_weight={0: 2.0}).fit(X, Y)
    weight = np.r_[np.zeros(100), np.ones(200)]
    weighted = DeltaRuleClassifier().fit(X, Y, sample_weight=weight)
    dropped = DeltaRuleClassifier().fit(X[100:], Y[100:])
    np.testing.assert_allclose(weighted.coef_, dropped.coef_, rtol=1e-6, atol=1e-9)


def test_partial_fit_streams_multilabel_targets(data):
    X, Y = data
    model = DeltaRuleClassifier(batch_size=8, random_state=0)
    for start in range(0, 300, 100):
        model.partial_fit(X[start : start + 100], Y[start : start + 100])
    assert model.n_iter_ == 3 and model.predict(X).shape == Y.shape
    with pytest.raises(ValueError, match="label columns"):
        model.partial_fit(X, Y[:, :3])
    with pytest.raises(ValueError, match="fitted on multilabel targets"):
        model.partial_fit(X, Y[:, 0])


def test_a_two_dimensional_y_that_is_not_an_indicator_is_refused(data):
    X, Y = data
    with pytest.raises(ValueError, match="multilabel indicator matrix"):
        DeltaRuleClassifier().fit(X, Y * 2 + 1)


def test_a_new_fit_may_change_between_multilabel_and_labels(data):
    X, Y = data
    model = DeltaRuleClassifier().fit(X, Y)
    model.fit(X, Y[:, 0])
    assert not model.multilabel_ and model.predict(X).ndim == 1
