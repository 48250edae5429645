"""The table of bad inputs: each gets a clear error (or scikit-learn's usual
warning), and a fitted estimator that raised stays bit-identical.

docs/bad_input.rst shows the same table to users; a test below keeps the
two in step.
"""

import datetime
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X, Y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
FRAME = pd.DataFrame(X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
ALL_METHODS = ["fit", "partial_fit", "predict", "predict_proba", "score"]


def malformed_csr(index):
    """X as CSR with one column index replaced by ``index``."""
    matrix = sparse.csr_matrix(X)
    indices = matrix.indices.copy()
    indices[5] = index
    return sparse.csr_matrix((matrix.data, indices, matrix.indptr), shape=X.shape)


def malformed_csc(index):
    """X as CSC with one row index replaced by ``index`` (scipy's converter
    to CSR would write out of bounds with it: it must never get it)."""
    matrix = sparse.csc_matrix(X)
    indices = matrix.indices.copy()
    indices[5] = index
    return sparse.csc_matrix((matrix.data, indices, matrix.indptr), shape=X.shape)


def polars_frame_with_dates():
    """FRAME with a column of dates, in polars (a test dependency; polars'
    own dtypes, not numpy's, say which columns are dates)."""
    polars = pytest.importorskip("polars")
    days = [datetime.date(2020, 1, 1) + datetime.timedelta(day) for day in range(150)]
    return polars.from_pandas(FRAME).with_columns(day=polars.Series(days))


def pyarrow_table_with(name, values):
    """FRAME as a pyarrow Table (pyarrow comes with dask[dataframe], a test
    dependency), with one more column."""
    pyarrow = pytest.importorskip("pyarrow")
    return pyarrow.Table.from_pandas(FRAME).append_column(name, pyarrow.array(values))


def with_value(value, dtype=float):
    data = X.astype(dtype)
    data[3, 1] = value
    return data


@dataclass
class Case:
    methods: list
    X: object = None
    y: object = None
    kwargs: dict = field(default_factory=dict)
    error: type = ValueError
    match: str = ""
    estimator: str = "classifier"  # or "regressor", or "unfitted"
    fitted_on: str = "array"  # or "frame" (a DataFrame with column names)
    params: dict = field(default_factory=dict)  # to fit the model with
    bad_params: dict = field(default_factory=dict)  # set after fitting


ERRORS = {
    "NaN in X": Case(ALL_METHODS, X=with_value(np.nan), match="Input X contains NaN"),
    "infinity in X": Case(ALL_METHODS, X=with_value(np.inf), match="infinity"),
    "strings in X": Case(
        ["fit", "predict"],
        X=with_value("a", dtype=object),
        match="X must be numeric: encode text",
    ),
    "None in an object array": Case(
        ["fit", "predict"], X=with_value(None, dtype=object), match="NaN"
    ),
    "empty X": Case(
        ["fit", "partial_fit", "predict"],
        X=np.empty((0, 4)),
        y=np.empty(0),
        match="0 sample",
    ),
    "3-D X": Case(
        ["fit", "predict", "predict_proba"], X=X.reshape(150, 2, 2), match="dim 3"
    ),
    "X and y lengths differ": Case(
        ["fit", "partial_fit", "score"],
        y=Y[:-1],
        match="inconsistent numbers of samples",
    ),
    "NaN in y (classifier)": Case(
        ["fit", "partial_fit"], y=np.r_[np.nan, Y[1:]], match="Input y contains NaN"
    ),
    "NaN in y (regressor)": Case(
        ["fit", "partial_fit"],
        y=np.r_[np.nan, Y[1:]],
        match="Input y contains NaN",
        estimator="regressor",
    ),
    "continuous y for the classifier": Case(
        ["fit"], y=X[:, 0], match="Unknown label type: continuous"
    ),
    "a single class": Case(["fit"], y=np.zeros(150), match="at least 2 classes"),
    "number of features changed": Case(
        ["partial_fit", "predict", "predict_proba", "score"],
        X=X[:, :3],
        match="has 3 features, but DeltaRuleClassifier is expecting 4",
    ),
    "DataFrame columns renamed": Case(
        ["partial_fit", "predict", "score"],
        X=FRAME.rename(columns={"sepal_l": "sepal_length"}),
        match="Feature names unseen at fit time",
        fitted_on="frame",
    ),
    "DataFrame columns reordered": Case(
        ["partial_fit", "predict", "predict_proba"],
        X=FRAME[["sepal_w", "sepal_l", "petal_l", "petal_w"]],
        match="same order",
        fitted_on="frame",
    ),
    "unseen label in partial_fit": Case(
        ["partial_fit"], y=np.where(Y == 2, 7, Y), match="not in classes_"
    ),
    "NaN in classes": Case(
        ["partial_fit"],
        kwargs={"classes": [0, 1, np.nan]},
        match="classes holds a missing value",
    ),
    "number of outputs changed": Case(
        ["partial_fit"],
        y=np.c_[Y, Y].astype(float),
        match="To change the number of outputs, fit a new model",
        estimator="regressor",
    ),
    "classes changed between partial_fit calls": Case(
        ["partial_fit"],
        kwargs={"classes": [0, 1, 2, 3]},
        match="The classes are fixed by the first partial_fit call",
    ),
    "negative sample weight": Case(
        ["fit", "partial_fit"],
        kwargs={"sample_weight": np.r_[-1.0, np.ones(149)]},
        match="Negative values in data passed to `sample_weight`",
    ),
    "NaN sample weight": Case(
        ["fit", "partial_fit"],
        kwargs={"sample_weight": np.r_[np.nan, np.ones(149)]},
        match="sample_weight contains NaN",
    ),
    "all-zero sample weights": Case(
        ["fit", "partial_fit"],
        kwargs={"sample_weight": np.zeros(150)},
        match="at least one non-zero",
    ),
    "class weights that are all zero": Case(
        ["fit", "partial_fit"],
        match="at least one non-zero",
        bad_params={"class_weight": {0: 0.0, 1: 0.0, 2: 0.0}},
    ),
    "sample_weight of the wrong length": Case(
        ["fit", "partial_fit"],
        kwargs={"sample_weight": np.ones(3)},
        match="sample_weight.shape",
    ),
    "bad parameter value": Case(
        ["fit", "partial_fit"], bad_params={"eta0": 0.0}, match="'eta0' parameter"
    ),
    "bad parameter type": Case(
        ["fit"], bad_params={"batch_size": 2.5}, match="'batch_size' parameter"
    ),
    "unknown activation name": Case(
        ["fit"],
        bad_params={"activation": "sigmoidal"},
        match="'activation' parameter",
    ),
    "coef_init of the wrong shape": Case(
        ["fit"], kwargs={"coef_init": np.zeros((2, 4))}, match="coef_init has shape"
    ),
    "early stopping on copies of one row": Case(
        ["fit"],
        X=np.tile(X[0], (150, 1)),
        match="at least 2 distinct samples",
        params={"early_stopping": True},
    ),
    "negative class weight": Case(
        ["fit", "partial_fit"],
        match="finite, non-negative weight",
        bad_params={"class_weight": {0: -1.0}},
    ),
    "NaN, infinite or None class weight": Case(
        ["fit", "partial_fit"],
        match="finite, non-negative weight",
        bad_params={"class_weight": {0: np.nan, 1: np.inf, 2: None}},
    ),
    "class_weight key that is not a class": Case(
        ["fit", "partial_fit"],
        match=r"keys \[7\] that are not classes",
        bad_params={"class_weight": {7: 2.0}},
    ),
    "batch_size=True": Case(
        ["fit", "partial_fit"],
        match="'batch_size' parameter .* not a bool",
        bad_params={"batch_size": True},
    ),
    "None in a regressor's y": Case(
        ["fit", "partial_fit"],
        y=np.r_[None, Y[1:]].astype(object),
        match=r"y contains NaN: missing targets \(NaN, None or pd.NA\)",
        estimator="regressor",
    ),
    "infinity in a regressor's y of objects": Case(
        ["fit", "partial_fit"],
        y=np.r_[np.inf, Y[1:]].astype(object),
        match=r"Input y contains infinity or a value too large",
        estimator="regressor",
    ),
    "words in a regressor's y of objects": Case(
        ["fit", "partial_fit"],
        y=np.array(["short", "long", "tall"] * 50, dtype=object),
        match="could not convert string to float: 'short'. y must hold numbers",
        estimator="regressor",
    ),
    "pd.NA in a regressor's y of objects": Case(
        ["fit", "partial_fit"],
        y=pd.array([pd.NA, *Y[1:]], dtype=object),
        match=r"y contains NaN: missing targets \(NaN, None or pd.NA\)",
        estimator="regressor",
    ),
    "y beyond float32's range, with float32 X": Case(
        ["fit"],
        X=X.astype(np.float32),
        y=Y * 1e50,
        match="beyond float32's range",
        estimator="regressor",
    ),
    "text that is not a number in a regressor's y": Case(
        ["fit", "partial_fit"],
        y=np.r_[["high"], Y[1:].astype(str)],
        match="y must hold numbers",
        estimator="regressor",
    ),
    "datetime column in a DataFrame": Case(
        ["fit", "partial_fit", "predict"],
        X=FRAME.assign(day=pd.date_range("2020-01-01", periods=150)),
        match=r"not: 'day' \(datetime64",
        fitted_on="frame",
    ),
    "dates in a numpy X": Case(
        ALL_METHODS,
        X=np.arange(600).astype("datetime64[D]").reshape(150, 4),
        match=r"holds datetime64\[D\] values",
    ),
    "dates in a list": Case(
        ALL_METHODS,
        X=[[np.datetime64("2020-01-01") + day] * 4 for day in range(150)],
        match=r"holds datetime64\[D\] values",
    ),
    "date objects in a list": Case(
        ["fit", "predict"],
        X=[[datetime.date(2020, 1, 1)] * 4 for _ in range(150)],
        error=TypeError,
        match="not 'datetime.date'. X must be numeric: .* dates as numbers",
    ),
    "date column in a polars DataFrame": Case(
        ["fit", "partial_fit", "predict"],
        X=polars_frame_with_dates,
        match=r"not: 'day' \(Date\)",
        fitted_on="frame",
    ),
    "date column in a pyarrow Table": Case(
        ["fit", "partial_fit", "predict"],
        X=lambda: pyarrow_table_with("day", pd.date_range("2020-01-01", periods=150)),
        match=r"not: 'day' \(timestamp\[.*\]\[pyarrow\]\)",
        fitted_on="frame",
    ),
    "text column in a pyarrow Table": Case(
        ["fit", "partial_fit", "predict"],
        X=lambda: pyarrow_table_with("size", [str(n) for n in range(150)]),
        match=r"not: 'size' \(string\[pyarrow\]\)",
        fitted_on="frame",
    ),
    "a polars LazyFrame": Case(
        ALL_METHODS,
        X=lambda: pytest.importorskip("polars").from_pandas(FRAME).lazy(),
        error=TypeError,
        match="X is a polars LazyFrame, .* pass X.collect",
        fitted_on="frame",
    ),
    "dates in a regressor's y": Case(
        ["fit", "partial_fit"],
        y=pd.Series(pd.date_range("2020-01-01", periods=150)),
        match=r"y must hold numbers, but it holds datetime64\[.*\] values",
        estimator="regressor",
    ),
    "time-zone dates in a regressor's y": Case(
        ["fit", "partial_fit"],
        y=pd.Series(pd.date_range("2020-01-01", periods=150, tz="UTC")),
        error=TypeError,
        match="not 'Timestamp'. y must hold numbers for a regressor: convert",
        estimator="regressor",
    ),
    "missing labels (pd.NA in a StringDtype y)": Case(
        ["fit", "partial_fit"],
        y=pd.array([*"abc" * 49, "a", "b", pd.NA], dtype="string"),
        match="missing labels",
    ),
    "labels that mix numbers and strings": Case(
        ["fit"], y=np.array([0, "a", 2] * 50, dtype=object), match="mixes labels"
    ),
    "warm start on other classes": Case(
        ["fit"],
        X=X[Y < 2],
        y=Y[Y < 2],
        match="warm_start continues a model of the classes",
        params={"warm_start": True},
    ),
    "coef_init too large for float32 X": Case(
        ["fit"],
        X=X.astype(np.float32),
        kwargs={"coef_init": np.full((3, 4), 1e39)},
        match="too large for float32",
    ),
    "complex coef_init": Case(
        ["fit"], kwargs={"coef_init": np.full((3, 4), 1 + 1j)}, match="complex"
    ),
    "malformed CSR matrix": Case(
        ALL_METHODS, X=malformed_csr(4), match="CSR matrix X is malformed"
    ),
    "malformed CSC, COO or BSR matrix": Case(
        ALL_METHODS, X=malformed_csc(150), match="CSC matrix X is malformed"
    ),
    "predict before fit": Case(
        ["predict", "predict_proba", "score"],
        error=NotFittedError,
        match="not fitted yet",
        estimator="unfitted",
    ),
    "predict_proba with an unbounded activation": Case(
        ["predict_proba"],
        error=AttributeError,
        match="has no attribute 'predict_proba'",  # the cause says why
        params={"activation": "identity"},
    ),
}

WARNINGS = {
    "ndarray after fitting on a DataFrame": Case(
        ["predict", "partial_fit"],
        X=X,
        error=UserWarning,
        match="X does not have valid feature names",
        fitted_on="frame",
    ),
    "DataFrame after fitting on an ndarray": Case(
        ["predict"],
        X=FRAME,
        error=UserWarning,
        match="X has feature names, but DeltaRuleClassifier was fitted without",
    ),
}

# Other sparse formats are converted to CSR (a copy), as scikit-learn does.
SPARSE_FORMATS = {
    "CSC matrix": sparse.csc_matrix,
    "COO matrix": sparse.coo_matrix,
    "CSR array": sparse.csr_array,
    "COO array": sparse.coo_array,
}


def fitted_model(case):
    estimator = DeltaRuleRegressor if case.estimator == "regressor" else None
    estimator = estimator or DeltaRuleClassifier
    model = estimator(random_state=0, max_iter=5, **case.params)
    if case.estimator == "unfitted":
        return model
    data = FRAME if case.fitted_on == "frame" else X
    # partial_fit, so that the classes are fixed as for a stream.
    kwargs = {} if case.estimator == "regressor" else {"classes": [0, 1, 2]}
    return model.partial_fit(data, Y, **kwargs).set_params(**case.bad_params)


def call(model, method, case):
    data = X if case.X is None else case.X
    if callable(data):  # made when needed (an optional dependency)
        data = data()
    target = Y if case.y is None else case.y
    if method in ("predict", "predict_proba"):
        return getattr(model, method)(data)
    if method == "score":
        return model.score(data, target)
    return getattr(model, method)(data, target, **case.kwargs)


def method_calls(table):
    """(case name, method) for every method each case of ``table`` lists."""
    return [(name, method) for name, case in table.items() for method in case.methods]


@pytest.mark.parametrize("name, method", method_calls(ERRORS))
def test_bad_input_raises_and_leaves_the_model_unchanged(name, method):
    case = ERRORS[name]
    model = fitted_model(case)
    before = pickle.dumps(model)
    with pytest.raises(case.error, match=case.match) as raised:
        call(model, method, case)
    assert pickle.dumps(model) == before
    if case.error is AttributeError:
        assert "bounded output range" in str(raised.value.__cause__)


@pytest.mark.parametrize("name, method", method_calls(WARNINGS))
def test_suspicious_input_gets_scikit_learns_warning(name, method):
    case = WARNINGS[name]
    model = fitted_model(case)
    with pytest.warns(case.error, match=case.match):
        call(model, method, case)


@pytest.mark.parametrize("name", sorted(SPARSE_FORMATS))
def test_other_sparse_formats_give_the_csr_model(name):
    convert = SPARSE_FORMATS[name]
    reference = DeltaRuleClassifier(random_state=0, max_iter=5).fit(
        sparse.csr_matrix(X), Y
    )
    model = DeltaRuleClassifier(random_state=0, max_iter=5).fit(convert(X), Y)
    np.testing.assert_array_equal(model.coef_, reference.coef_)
    np.testing.assert_array_equal(
        model.predict_proba(convert(X)), reference.predict_proba(sparse.csr_matrix(X))
    )


def test_the_documented_table_lists_every_case():
    page = Path(__file__).parents[1] / "docs" / "bad_input.rst"
    documented = re.findall(r"^   \* - (.+)$", page.read_text(), flags=re.MULTILINE)
    assert documented[0] == "Input"  # the header row
    expected = [*ERRORS, *WARNINGS, *(f"sparse {name}" for name in SPARSE_FORMATS)]
    assert sorted(documented[1:]) == sorted(expected)


def test_numbers_written_as_text_in_a_regressors_y_are_read_as_numbers():
    # As SGDRegressor reads them.
    X = np.random.default_rng(0).normal(size=(30, 3))
    y = X @ [1.0, -2.0, 0.5]
    as_text = DeltaRuleRegressor(random_state=0).fit(X, y.astype(str))
    as_numbers = DeltaRuleRegressor(random_state=0).fit(X, y)
    np.testing.assert_allclose(as_text.coef_, as_numbers.coef_, rtol=1e-12)


def test_a_list_is_read_as_scikit_learn_reads_it():
    # Looking for dates in a list must not change how it is read: scikit-learn
    # reads a list of float32 numbers as float64.
    rows = [[np.float32(value) for value in row] for row in X]
    model = DeltaRuleClassifier(random_state=0, max_iter=5).fit(rows, Y)
    assert model.coef_.dtype == np.float64
    assert model.predict_proba(rows).dtype == np.float64


def test_the_hint_to_encode_names_the_one_at_fault():
    dates = [datetime.date(2020, 1, 1)] * 150
    with pytest.raises(TypeError, match=r"not 'datetime\.date'") as raised:
        DeltaRuleRegressor().fit(X.astype(object), dates)
    assert "X must be numeric" not in str(raised.value)
    assert "y must hold numbers" in str(raised.value)
    # Words in X with numbers written as text in y: X's hint alone.
    words = np.where(X > 5, "big", "small").astype(object)
    with pytest.raises(ValueError, match="could not convert") as raised:
        DeltaRuleRegressor().fit(words, Y.astype(str).astype(object))
    assert "X must be numeric" in str(raised.value)
    assert "y must hold numbers" not in str(raised.value)
    # A missing value is not something to encode.
    missing = [[pd.NA, *row[1:]] for row in X[:1]] + X[1:].tolist()
    with pytest.raises(TypeError, match="NAType") as raised:
        DeltaRuleRegressor().fit(missing, Y)
    assert "X must be numeric" not in str(raised.value)
    assert "y must hold numbers" not in str(raised.value)


def test_a_sparse_y_of_targets_trains_as_the_dense_one():
    y = np.c_[Y, 2.0 * Y]
    kwargs = {"random_state": 0, "max_iter": 5}
    dense = DeltaRuleRegressor(**kwargs).fit(X, y)
    sparse_y = DeltaRuleRegressor(**kwargs).fit(X, sparse.csr_matrix(y))
    np.testing.assert_array_equal(sparse_y.coef_, dense.coef_)
