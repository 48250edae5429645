"""Finding the delta-rule model inside what the user passes to a display."""

from sklearn.utils.validation import check_is_fitted


def delta_rule_model(estimator):
    """Return the fitted DeltaRule* estimator in ``estimator``.

    Accepts the estimator itself, a Pipeline ending with one, or a fitted
    search (GridSearchCV and the like) whose ``best_estimator_`` is either.
    """
    from sklearn_delta._base import BaseDeltaRule

    model = _unwrapped(estimator)
    if hasattr(model, "steps"):
        model = model.steps[-1][1]
    if not isinstance(model, BaseDeltaRule):
        raise TypeError(
            "Expected a fitted DeltaRuleRegressor or DeltaRuleClassifier, a "
            "Pipeline ending with one, or a fitted search over one; got "
            f"{type(estimator).__name__}."
        )
    check_is_fitted(model)
    return model


def pipeline_input(estimator, X):
    """Transform X by the steps of a Pipeline before its final model."""
    steps = _preprocessing(estimator)
    return X if steps is None else steps.transform(X)


def feature_names(estimator, model):
    """Names of the model's input features, or None when there are none.

    For a Pipeline these are the names its earlier steps give their output
    (``get_feature_names_out``), which is what the model's weights multiply.
    """
    names = getattr(model, "feature_names_in_", None)
    steps = _preprocessing(estimator)
    if names is None and steps is not None:
        try:
            names = steps.get_feature_names_out()
        except (AttributeError, ValueError):
            names = None
    return None if names is None else [str(name) for name in names]


def _unwrapped(estimator):
    """A fitted search's best estimator, or the estimator itself."""
    return getattr(estimator, "best_estimator_", estimator)


def _preprocessing(estimator):
    """The steps of a Pipeline before its final model, or None."""
    estimator = _unwrapped(estimator)
    if hasattr(estimator, "steps") and len(estimator.steps) > 1:
        return estimator[:-1]
    return None
