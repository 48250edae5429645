"""The displays draw what the models recorded, and the true error surface."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor

matplotlib = pytest.importorskip("matplotlib", reason="the displays need matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sklearn_delta.plotting import DescentPathDisplay, LossCurveDisplay  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def regression_data():
    X, y = make_regression(n_samples=120, n_features=3, noise=5, random_state=0)
    return StandardScaler().fit_transform(X), y / y.std()


def test_loss_curve_display_draws_the_loss_curve(regression_data):
    X, y = regression_data
    model = DeltaRuleRegressor(random_state=0, max_iter=30).fit(X, y)
    display = LossCurveDisplay.from_estimator(model)
    x_data, y_data = display.lines_[0].get_data()
    np.testing.assert_array_equal(x_data, np.arange(1, model.n_iter_ + 1))
    np.testing.assert_array_equal(y_data, model.loss_curve_)
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.figure_ is display.ax_.figure
    assert display.score_ax_ is None
    assert display.validation_lines_ == [None]


def test_loss_curve_display_compares_models_on_one_axes(regression_data):
    X, y = regression_data
    models = {
        f"eta0={eta0}": DeltaRuleRegressor(eta0=eta0, random_state=0).fit(X, y)
        for eta0 in (0.001, 0.01, 0.1)
    }
    display = LossCurveDisplay.from_estimator(models, log_scale=True)
    assert display.ax_.get_yscale() == "log"
    legend = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert legend == list(models)
    for line, model in zip(display.lines_, models.values()):
        np.testing.assert_array_equal(line.get_ydata(), model.loss_curve_)

    # Adding one more model to the same axes keeps the earlier lines.
    extra = DeltaRuleRegressor(eta0=0.05, random_state=0).fit(X, y)
    LossCurveDisplay.from_estimator(extra, name="eta0=0.05", ax=display.ax_)
    assert len(display.ax_.get_lines()) == 4


def test_loss_curve_display_shows_early_stopping_curves():
    X, y = load_iris(return_X_y=True)
    model = make_pipeline(
        StandardScaler(),
        DeltaRuleClassifier(early_stopping=True, random_state=0, max_iter=40),
    ).fit(X, y)
    classifier = model[-1]
    display = LossCurveDisplay.from_estimator(model, name="iris")
    np.testing.assert_array_equal(
        display.validation_lines_[0].get_ydata(), classifier.validation_loss_curve_
    )
    np.testing.assert_array_equal(
        display.score_lines_[0].get_ydata(), classifier.validation_scores_
    )
    assert display.score_lines_[0].axes is display.score_ax_
    hidden = LossCurveDisplay.from_estimator(model, show_validation=False)
    assert hidden.validation_lines_ == [None] and hidden.score_ax_ is None


def test_loss_curve_display_takes_a_search_best_estimator(regression_data):
    X, y = regression_data
    search = GridSearchCV(
        DeltaRuleRegressor(random_state=0), {"eta0": [0.001, 0.01]}, cv=3
    ).fit(X, y)
    display = LossCurveDisplay.from_estimator(search)
    np.testing.assert_array_equal(
        display.lines_[0].get_ydata(), search.best_estimator_.loss_curve_
    )


def test_displays_refuse_other_estimators(regression_data):
    from sklearn.linear_model import LinearRegression

    X, y = regression_data
    with pytest.raises(TypeError, match="Expected a fitted DeltaRuleRegressor"):
        LossCurveDisplay.from_estimator(LinearRegression().fit(X, y))


def test_descent_path_starts_and_ends_at_the_recorded_weights(regression_data):
    X, y = regression_data
    init = np.array([-1.0, 2.0, 0.5])
    model = DeltaRuleRegressor(
        batch_size="full", eta0=0.2, max_iter=25, record_weights=True
    ).fit(X, y, coef_init=init, intercept_init=[1.5])
    display = DescentPathDisplay.from_estimator(model, X, y, weights=(0, "intercept"))
    assert display.path.shape == (model.n_iter_ + 1, 2)
    np.testing.assert_allclose(display.path[0], [init[0], 1.5])
    np.testing.assert_allclose(display.path[-1], [model.coef_[0], model.intercept_[0]])
    np.testing.assert_allclose(display.path_line_.get_xydata(), display.path)
    assert display.ax_.get_xlabel() == "w[0]"
    assert display.ax_.get_ylabel() == "intercept"


def test_descent_path_surface_is_the_true_error(regression_data):
    X, y = regression_data
    model = DeltaRuleRegressor(
        batch_size="full", eta0=0.2, max_iter=10, alpha=0.1, record_weights=True
    ).fit(X, y)
    display = DescentPathDisplay.from_estimator(
        model, X, y, weights=(1, 2), grid_resolution=7
    )
    assert display.surface.shape == (7, 7)
    # E at sample grid points, computed from scratch with the model's weights.
    for i, j in [(0, 0), (3, 5), (6, 2)]:
        coef = model.coef_.copy()
        coef[1], coef[2] = display.grid[0][j], display.grid[1][i]
        residual = y - (X @ coef + model.intercept_[0])
        expected = 0.5 * np.mean(residual**2) + 0.5 * 0.1 * np.sum(coef**2)
        np.testing.assert_allclose(display.surface[i, j], expected, rtol=1e-10)
    levels = display.contour_.levels
    assert levels.min() <= display.surface.min()
    assert levels.max() >= display.surface.max()


def test_descent_path_arrows_are_the_negative_gradient(regression_data):
    X, y = regression_data
    model = DeltaRuleRegressor(
        batch_size="full", eta0=0.2, max_iter=5, record_weights=True
    ).fit(X, y)
    display = DescentPathDisplay.from_estimator(model, X, y, weights=(0, 1))
    # Finite differences of E on the drawn slice.
    point = display.path[2]
    step = 1e-6

    def error(w0, w1):
        coef = model.coef_.copy()
        coef[0], coef[1] = w0, w1
        return 0.5 * np.mean((y - X @ coef - model.intercept_[0]) ** 2)

    numeric = [
        -(error(point[0] + step, point[1]) - error(point[0] - step, point[1])),
        -(error(point[0], point[1] + step) - error(point[0], point[1] - step)),
    ]
    np.testing.assert_allclose(display.gradients[2], np.array(numeric) / (2 * step))
    np.testing.assert_allclose(display.arrows_.U, display.gradients[:, 0])


def test_descent_path_for_a_classifier_in_a_pipeline_on_a_dataframe():
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = make_pipeline(
        StandardScaler(),
        DeltaRuleClassifier(record_weights=True, random_state=0, max_iter=15),
    ).fit(X, y)
    display = DescentPathDisplay.from_estimator(
        model, X, y, weights=("petal length (cm)", "intercept"), output=2
    )
    classifier = model[-1]
    np.testing.assert_allclose(
        display.path[-1], [classifier.coef_[2, 2], classifier.intercept_[2]]
    )
    assert display.ax_.get_xlabel() == "w[petal length (cm)]"


def test_descent_path_needs_recorded_weights_and_valid_weights(regression_data):
    X, y = regression_data
    model = DeltaRuleRegressor(max_iter=3).fit(X, y)
    with pytest.raises(ValueError, match="record_weights=True"):
        DescentPathDisplay.from_estimator(model, X, y)
    model.set_params(record_weights=True).fit(X, y)
    for weights, message in [
        ((0, 0), "two different weights"),
        ((0, 7), "Unknown weight 7"),
        ((0, "nope"), "Unknown weight 'nope'"),
    ]:
        with pytest.raises(ValueError, match=message):
            DescentPathDisplay.from_estimator(model, X, y, weights=weights)
    with pytest.raises(ValueError, match="output=3"):
        DescentPathDisplay.from_estimator(model, X, y, output=3)


def test_recorded_history_continues_over_partial_fit(regression_data):
    X, y = regression_data
    model = DeltaRuleRegressor(record_weights=True, random_state=0)
    for start in range(0, 120, 40):
        model.partial_fit(X[start : start + 40], y[start : start + 40])
    assert model.coef_history_.shape == (4, 3)
    np.testing.assert_array_equal(model.coef_history_[0], 0.0)
    np.testing.assert_array_equal(model.coef_history_[-1], model.coef_)
    np.testing.assert_array_equal(model.intercept_history_[-1], model.intercept_)
    # Switching it off drops the history on the next fit.
    model.set_params(record_weights=False).fit(X, y)
    assert not hasattr(model, "coef_history_")


def test_missing_matplotlib_gives_a_clear_error(monkeypatch, regression_data):
    import sys

    X, y = regression_data
    model = DeltaRuleRegressor(max_iter=3).fit(X, y)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        LossCurveDisplay.from_estimator(model)


def test_loss_curve_display_checks_its_inputs():
    with pytest.raises(ValueError, match="one entry per loss curve"):
        LossCurveDisplay(loss_curves=[[1.0, 0.5]], names=["a", "b"])


def test_display_works_with_a_dataframe_column_subset():
    X, y = load_iris(return_X_y=True, as_frame=True)
    X = pd.DataFrame(StandardScaler().fit_transform(X), columns=X.columns)
    model = DeltaRuleClassifier(record_weights=True, max_iter=5, random_state=0)
    model.fit(X[["sepal width (cm)"]], y)
    display = DescentPathDisplay.from_estimator(
        model, X[["sepal width (cm)"]], y, weights=(0, "intercept")
    )
    assert np.isfinite(display.surface).all()


def test_descent_path_marks_the_kept_weights_after_early_stopping(regression_data):
    X, y = regression_data
    model = DeltaRuleRegressor(
        early_stopping=True, record_weights=True, n_iter_no_change=3, random_state=0
    ).fit(X, y)
    display = DescentPathDisplay.from_estimator(model, X, y, weights=(0, 1))
    kept = (model.coef_[0], model.coef_[1])
    np.testing.assert_allclose(display.fitted, kept)
    star = next(line for line in display.ax_.lines if line.get_label() == "fitted")
    np.testing.assert_allclose(np.ravel(star.get_data()), kept)
