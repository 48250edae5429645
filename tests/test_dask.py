"""sklearn_delta on dask: searches on a cluster, out-of-core training, and the
data-parallel full batch. Every test runs against a real LocalCluster of two
worker processes on 127.0.0.1, started and stopped here."""

import itertools

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification, make_regression
from sklearn.metrics import r2_score as sklearn_r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor

da = pytest.importorskip("dask.array", reason="dask is not installed")
dd = pytest.importorskip("dask.dataframe", reason="dask is not installed")
distributed = pytest.importorskip("distributed", reason="distributed is not installed")
dask_ml_wrappers = pytest.importorskip(
    "dask_ml.wrappers", reason="dask-ml is not installed"
)

from sklearn_delta.dask import fit_full_batch, r2_score  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # Any free port: the default (8787) may be another cluster's.
            dashboard_address="127.0.0.1:0",
            worker_dashboard_address="127.0.0.1:0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=3000, n_features=6, noise=5, random_state=0)
    X = StandardScaler().fit_transform(X)
    return X, y / y.std()


def test_grid_search_on_the_cluster_matches_the_local_one(client):
    X, y = load_digits(return_X_y=True)
    pipeline = make_pipeline(
        StandardScaler(), DeltaRuleClassifier(max_iter=10, random_state=0)
    )
    grid = {
        "deltaruleclassifier__eta0": [0.01, 0.1],
        "deltaruleclassifier__activation": ["logistic", "tanh"],
    }
    local = GridSearchCV(pipeline, grid, cv=3).fit(X, y)
    with joblib.parallel_backend("dask"):
        remote = GridSearchCV(pipeline, grid, cv=3, n_jobs=-1).fit(X, y)
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )


def test_incremental_with_the_dask_r2_score(client, regression):
    X, y = regression
    X_dask, y_dask = da.from_array(X, chunks=500), da.from_array(y, chunks=500)
    incremental = dask_ml_wrappers.Incremental(
        DeltaRuleRegressor(random_state=0), scoring=r2_score, shuffle_blocks=False
    )
    incremental.fit(X_dask, y_dask)
    # The same model trained on the same blocks in memory, one call each, in
    # order (shuffle_blocks=False; Incremental shuffles them by default).
    local = DeltaRuleRegressor(random_state=0)
    for start in range(0, len(y), 500):
        local.partial_fit(X[start : start + 500], y[start : start + 500])
    np.testing.assert_allclose(incremental.estimator_.coef_, local.coef_)
    score = incremental.score(X_dask, y_dask)
    assert score == pytest.approx(sklearn_r2_score(y, local.predict(X)), rel=1e-10)
    assert score > 0.5  # one pass at the default rate


def test_incremental_classifier_with_accuracy(client):
    X, y = make_classification(n_samples=2000, n_features=8, random_state=0)
    X_dask, y_dask = da.from_array(X, chunks=400), da.from_array(y, chunks=400)
    incremental = dask_ml_wrappers.Incremental(
        DeltaRuleClassifier(random_state=0), scoring="accuracy"
    )
    incremental.fit(X_dask, y_dask, classes=[0, 1])
    accuracy = incremental.score(X_dask, y_dask)
    assert accuracy == pytest.approx(incremental.estimator_.score(X, y))
    assert accuracy > 0.8


def test_r2_score_equals_scikit_learns():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.normal(size=(50, 2)), rng.normal(size=(50, 2))
    expected = sklearn_r2_score(y_true, y_pred)
    assert r2_score(y_true, y_pred) == pytest.approx(expected)
    lazy = r2_score(
        da.from_array(y_true, chunks=10),
        da.from_array(y_pred, chunks=10),
        compute=False,
    )
    assert lazy.compute() == pytest.approx(expected)
    constant = np.ones(5)
    assert r2_score(constant, constant) == 1.0


def test_partial_fit_over_partitions_and_map_partitions_prediction(client, regression):
    X, y = regression
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)]).assign(target=y)
    ddf = dd.from_pandas(frame, npartitions=6)
    model = DeltaRuleRegressor(random_state=0)
    for partition in ddf.partitions:
        part = partition.compute()
        model.partial_fit(part.drop(columns="target"), part["target"])
    local = DeltaRuleRegressor(random_state=0)
    bounds = np.cumsum([0, *ddf.map_partitions(len).compute()])
    for start, stop in itertools.pairwise(bounds):
        part = frame.iloc[start:stop]
        local.partial_fit(part.drop(columns="target"), part["target"])
    np.testing.assert_array_equal(model.coef_, local.coef_)

    features = ddf.drop(columns="target")
    predicted = features.map_partitions(
        lambda part: pd.Series(model.predict(part), index=part.index),
        meta=("prediction", "f8"),
    )
    np.testing.assert_allclose(
        predicted.compute().to_numpy(), model.predict(frame.drop(columns="target"))
    )
    # A model fitted on arrays predicts block by block on a dask array.
    array_model = DeltaRuleRegressor(random_state=0).partial_fit(X, y)
    blocks = da.from_array(X, chunks=700).map_blocks(
        array_model.predict, drop_axis=1, dtype=float
    )
    np.testing.assert_allclose(blocks.compute(), array_model.predict(X))


@pytest.mark.parametrize(
    "make_model, target",
    [
        (lambda: DeltaRuleRegressor(batch_size="full", eta0=0.3, max_iter=40), "y"),
        (
            lambda: DeltaRuleRegressor(
                batch_size="full", eta0=0.1, momentum=0.5, alpha=0.01, max_iter=30
            ),
            "y",
        ),
        (lambda: DeltaRuleClassifier(batch_size="full", max_iter=30), "binary"),
        (
            lambda: DeltaRuleClassifier(
                batch_size="full", loss="log_loss", class_weight="balanced", max_iter=30
            ),
            "classes",
        ),
    ],
    ids=["identity", "momentum-alpha", "logistic", "softmax-balanced"],
)
def test_data_parallel_full_batch_equals_the_local_fit(
    client, regression, make_model, target
):
    X, y = regression
    if target == "binary":
        y = np.where(y > 0, "high", "low")
    elif target == "classes":
        y = np.digitize(y, [-0.5, 0.5])
    sample_weight = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    local = make_model().fit(X, y, sample_weight=sample_weight)
    remote = fit_full_batch(
        make_model(),
        da.from_array(X, chunks=700),
        da.from_array(y, chunks=700),
        sample_weight=da.from_array(sample_weight, chunks=700),
    )
    np.testing.assert_allclose(remote.coef_, local.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(remote.intercept_, local.intercept_, atol=1e-12)
    np.testing.assert_allclose(remote.loss_curve_, local.loss_curve_, rtol=1e-10)
    assert remote.n_iter_ == local.n_iter_ and remote.t_ == pytest.approx(local.t_)
    if hasattr(local, "classes_"):
        np.testing.assert_array_equal(remote.classes_, local.classes_)
    np.testing.assert_allclose(
        remote.predict_proba(X) if hasattr(local, "classes_") else remote.predict(X),
        local.predict_proba(X) if hasattr(local, "classes_") else local.predict(X),
        rtol=1e-9,
        atol=1e-12,
    )


def test_full_batch_on_a_dataframe_keeps_feature_names(client, regression):
    X, y = regression
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    ddf = dd.from_pandas(frame, npartitions=3)
    model = fit_full_batch(
        DeltaRuleRegressor(batch_size="full", max_iter=5),
        ddf,
        dd.from_pandas(pd.Series(y), npartitions=3),
    )
    np.testing.assert_array_equal(model.feature_names_in_, frame.columns)
    local = DeltaRuleRegressor(batch_size="full", max_iter=5).fit(frame, y)
    np.testing.assert_allclose(model.coef_, local.coef_, rtol=1e-10)


def test_full_batch_warm_start_continues(client, regression):
    X, y = regression
    X_dask, y_dask = da.from_array(X, chunks=1000), da.from_array(y, chunks=1000)
    params = {"batch_size": "full", "max_iter": 5, "warm_start": True, "tol": 0}
    remote = fit_full_batch(DeltaRuleRegressor(**params), X_dask, y_dask)
    fit_full_batch(remote, X_dask, y_dask)
    local = DeltaRuleRegressor(**params).fit(X, y).fit(X, y)
    assert remote.n_iter_ == 10
    np.testing.assert_allclose(remote.coef_, local.coef_, rtol=1e-10)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"batch_size": 32}, "batch_size='full'"),
        ({"batch_size": "full", "early_stopping": True}, "early_stopping=False"),
    ],
)
def test_full_batch_refuses_settings_it_cannot_honour(regression, params, message):
    X, y = regression
    with pytest.raises(ValueError, match=message):
        fit_full_batch(DeltaRuleRegressor(**params), da.from_array(X), da.from_array(y))


def test_full_batch_bad_data_leaves_the_model_unchanged(regression):
    import pickle

    X, y = regression
    model = DeltaRuleRegressor(batch_size="full", max_iter=3).fit(X, y)
    before = pickle.dumps(model)
    bad = X.copy()
    bad[5, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fit_full_batch(
            model, da.from_array(bad, chunks=500), da.from_array(y, chunks=500)
        )
    assert pickle.dumps(model) == before
    zeros = da.zeros(len(y), chunks=500)
    with pytest.raises(ValueError, match="at least one non-zero"):
        fit_full_batch(
            model, da.from_array(X, chunks=500), da.from_array(y, chunks=500), zeros
        )
    assert pickle.dumps(model) == before
    with pytest.raises(TypeError, match="dask arrays"):
        fit_full_batch(model, X, y)


def test_full_batch_refuses_class_weights_that_are_all_zero(regression):
    import pickle

    X, y = regression
    labels = (y > 0).astype(int)
    model = DeltaRuleClassifier(batch_size="full", max_iter=3).fit(X, labels)
    before = pickle.dumps(model.set_params(class_weight={0: 0.0, 1: 0.0}))
    with pytest.raises(ValueError, match="at least one non-zero"):
        fit_full_batch(model, da.from_array(X, chunks=500), da.from_array(labels))
    assert pickle.dumps(model) == before


def test_read_csv_chunks_stream_into_partial_fit(tmp_path, regression):
    X, y = regression
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)]).assign(target=y)
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    streamed = DeltaRuleRegressor(random_state=0)
    for chunk in pd.read_csv(path, chunksize=1000):
        streamed.partial_fit(chunk.drop(columns="target"), chunk["target"])
    local = DeltaRuleRegressor(random_state=0)
    for start in range(0, len(frame), 1000):
        part = frame.iloc[start : start + 1000]
        local.partial_fit(part.drop(columns="target"), part["target"])
    np.testing.assert_allclose(streamed.coef_, local.coef_, rtol=1e-12)
    assert streamed.n_iter_ == 3


def _refusal_cases():
    """(name, estimator, X, y, sample_weight) that fit refuses with ValueError."""
    X, y = make_classification(200, 4, random_state=0)
    nan_X, inf_X = X.copy(), X.copy()
    nan_X[3, 1], inf_X[4, 2] = np.nan, np.inf
    ones = np.ones(len(y))
    classifier = DeltaRuleClassifier(batch_size="full", max_iter=3)
    regressor = DeltaRuleRegressor(batch_size="full", max_iter=3)
    return {
        "NaN in X": (classifier, nan_X, y, None),
        "infinity in X": (classifier, inf_X, y, None),
        "NaN in y": (regressor, X, np.r_[np.nan, y[1:]], None),
        "negative weight": (classifier, X, y, np.r_[-1.0, ones[1:]]),
        "NaN weight": (classifier, X, y, np.r_[np.nan, ones[1:]]),
        "all-zero weights": (classifier, X, y, 0 * ones),
        "class weights all zero": (
            clone(classifier).set_params(class_weight={0: 0, 1: 0}),
            X,
            y,
            None,
        ),
        "class_weight key not a class": (
            clone(classifier).set_params(class_weight={7: 2.0}),
            X,
            y,
            None,
        ),
        "log_loss with tanh units": (
            clone(classifier).set_params(loss="log_loss", activation="tanh"),
            X,
            y,
            None,
        ),
        "a single class": (classifier, X, 0 * y, None),
        "continuous y for the classifier": (classifier, X, X[:, 0], None),
    }


@pytest.mark.parametrize("case", sorted(_refusal_cases()))
def test_full_batch_refuses_what_fit_refuses(case):
    estimator, X, y, sample_weight = _refusal_cases()[case]
    with pytest.raises(ValueError) as in_memory:
        clone(estimator).fit(X, y, sample_weight=sample_weight)
    weights = None if sample_weight is None else da.from_array(sample_weight, 50)
    with pytest.raises(ValueError) as on_dask:
        fit_full_batch(
            clone(estimator), da.from_array(X, 50), da.from_array(y, 50), weights
        )
    # The same check refuses both: the message's first sentence agrees.
    assert str(on_dask.value).split(".")[0] == str(in_memory.value).split(".")[0]


def _dates_cases():
    """name -> (X in memory, X on dask) holding dates, which numpy would read
    as numbers."""
    frame = pd.DataFrame(
        {"x": np.arange(40.0), "day": pd.date_range("2020-01-01", periods=40)}
    )
    days = np.arange(80).astype("datetime64[D]").reshape(40, 2)
    return {
        "a date column in a DataFrame": (frame, dd.from_pandas(frame, npartitions=4)),
        "an array of dates": (days, da.from_array(days, chunks=(10, 2))),
    }


@pytest.mark.parametrize("case", sorted(_dates_cases()))
def test_full_batch_refuses_dates_as_fit_does(case):
    X, dask_X = _dates_cases()[case]
    y = np.arange(40.0)
    with pytest.raises(ValueError, match="X must be numeric") as in_memory:
        DeltaRuleRegressor().fit(X, y)
    estimator = DeltaRuleRegressor()
    with pytest.raises(ValueError) as on_dask:
        fit_full_batch(estimator, dask_X, da.from_array(y, 10))
    assert str(on_dask.value).split(".")[0] == str(in_memory.value).split(".")[0]
    assert not hasattr(estimator, "n_features_in_")


def _dtype_cases():
    """name -> (X, y, what the dask fit must say, or None: it trains as fit
    does) for X or y of a dtype other than float."""
    X, y = make_regression(40, 2, random_state=0)
    text = np.array([["a", "1"]] * 40)
    missing_X = pd.DataFrame(X).astype("Float64")
    missing_X.iloc[0, 0] = pd.NA
    missing_y = pd.Series(y).astype("Float64")
    missing_y[0] = pd.NA
    return {
        "complex X": (X + 1j * X, y, "Complex data not supported"),
        "pd.NA in a Float64 DataFrame": (missing_X, y, "Input X contains NaN"),
        "pd.NA in a Float64 y": (X, missing_y, "Input y contains NaN"),
        "text of numbers in X, words in y": (
            X.astype(str),
            np.array(["a"] * 40),
            "could not convert .* y must hold numbers for a regressor",
        ),
        "float32[pyarrow] columns": (
            pd.DataFrame(X).astype("float32[pyarrow]"),
            y,
            None,
        ),
        "text in X": (text, y, "could not convert .* X must be numeric: encode"),
        "durations in y": (X, y.astype("m8[s]"), "holds timedelta64.s. values"),
        "text in y": (X, np.array(["a"] * 40), "y must hold numbers for a regressor"),
        "numbers as objects in y": (X, y.astype(object), None),
        "numbers as text in y": (X, y.astype(str), None),
    }


@pytest.mark.parametrize("case", sorted(_dtype_cases()))
def test_full_batch_reads_other_dtypes_as_fit_does(case):
    X, y, message = _dtype_cases()[case]
    model = DeltaRuleRegressor(batch_size="full", max_iter=3, tol=None)
    dask_X, dask_y = (
        dd.from_pandas(data, npartitions=4)
        if isinstance(data, (pd.DataFrame, pd.Series))
        else da.from_array(data, chunks=10)
        for data in (X, y)
    )
    if message is None:
        remote = fit_full_batch(clone(model), dask_X, dask_y)
        local = clone(model).fit(X, y)
        assert remote.coef_.dtype == local.coef_.dtype
        np.testing.assert_allclose(remote.coef_, local.coef_, rtol=1e-5)
        return
    with pytest.raises((ValueError, TypeError)):
        clone(model).fit(X, y)
    with pytest.raises((ValueError, TypeError), match=message):
        fit_full_batch(clone(model), dask_X, dask_y)


def test_full_batch_trains_what_fit_trains():
    X, y = make_classification(200, 4, random_state=0)
    model = DeltaRuleClassifier(
        batch_size="full", max_iter=5, class_weight="balanced", random_state=0
    )
    local = clone(model).fit(X, y)
    remote = fit_full_batch(clone(model), da.from_array(X, 50), da.from_array(y, 50))
    np.testing.assert_allclose(remote.coef_, local.coef_, rtol=1e-10)
