"""Golden fits: the exact bytes that training produces, case by case.

Each case below builds small generated data and fits an estimator whose
training parameters are all given explicitly (none relies on a default that
may change). The test refits every case and requires ``coef_``,
``intercept_`` and ``loss_curve_`` to be **bit-for-bit** the ones recorded in
``golden_fits.json``, along with the dtype and shape of ``coef_`` and
``n_iter_``. It guards refactors of the training path: a change that only
moves code around must not move a single bit.

``golden_fits.json`` holds, for each case name, the sha256 digests of
``np.ascontiguousarray(coef_).tobytes()``, of
``np.ascontiguousarray(intercept_).tobytes()`` and of
``np.asarray(loss_curve_, dtype=np.float64).tobytes()`` (keys ``coef``,
``intercept``, ``loss_curve``), plus ``dtype``, ``shape`` and ``n_iter``.
The digests decide; the full arrays are stored beside them as lists of
``float.hex`` strings (``*_values``, exact for float32 and float64) only so
that a failure can say by how much each array moved.

Cases whose names contain "alpha" use an L2 penalty (``alpha > 0``); keep
them separate, as a change of how the penalty enters ``loss_curve_`` changes
only their records.

Regenerating the records
------------------------
Only when a change of results is intended, and explained in the commit that
carries the new records, run from the repository root::

    python tests/test_golden_fits.py --record

This refits every case and rewrites ``golden_fits.json``; check with
``git diff`` that only the cases you meant to change have changed. The
output names the ``sklearn_delta`` that was fitted: if another copy is
installed, put this checkout first with ``PYTHONPATH=.``.

Notes
-----
Bit-for-bit results depend on the machine as well as on the code: the
compiled kernels are built for the host CPU with reassociating fast-math,
and full batches go through BLAS. The records are meant to be compared on
the machine (CPU, numpy/BLAS, numba) that recorded them; if every case
fails at once after an upgrade or on another machine, suspect those first.
"""

import hashlib
import json
import pathlib
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor

GOLDEN_RECORDS_PATH = pathlib.Path(__file__).with_name("golden_fits.json")

# The arrays of a fitted model that the records cover, each with how to read
# it from the model.
RECORDED_ARRAYS = {
    "coef": lambda model: np.ascontiguousarray(model.coef_),
    "intercept": lambda model: np.ascontiguousarray(model.intercept_),
    "loss_curve": lambda model: np.asarray(model.loss_curve_, dtype=np.float64),
}

# Every training parameter that the cases do not set themselves, pinned to
# an explicit value so that a change of a default cannot change a record.
# eta0, batch_size and max_iter have no pinned value: each case states them.
PINNED_TRAINING_PARAMETERS = {
    "learning_rate": "constant",
    "power_t": 0.5,
    "tol": 1e-4,
    "n_iter_no_change": 5,
    "early_stopping": False,
    "validation_fraction": 0.1,
    "alpha": 0.0,
    "momentum": 0.0,
    "shuffle": True,
    "random_state": 0,
    "warm_start": False,
    "verbose": 0,
    "record_weights": False,
}


def regressor(*, eta0, batch_size, max_iter, **parameters):
    """A DeltaRuleRegressor with every training parameter explicit."""
    return DeltaRuleRegressor(
        **{
            "activation": "identity",
            "loss": "squared_error",
            **PINNED_TRAINING_PARAMETERS,
            **parameters,
        },
        eta0=eta0,
        batch_size=batch_size,
        max_iter=max_iter,
    )


def classifier(*, eta0, batch_size, max_iter, **parameters):
    """A DeltaRuleClassifier with every training parameter explicit."""
    return DeltaRuleClassifier(
        **{
            "activation": "logistic",
            "loss": "squared_error",
            "class_weight": None,
            **PINNED_TRAINING_PARAMETERS,
            **parameters,
        },
        eta0=eta0,
        batch_size=batch_size,
        max_iter=max_iter,
    )


# -- data --------------------------------------------------------------------


def linear_regression_data(seed, n_samples=300, n_features=6, n_targets=1):
    """make_regression data with targets of unit standard deviation."""
    X, y = make_regression(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_features - 1,
        n_targets=n_targets,
        noise=5.0,
        random_state=seed,
    )
    return X, y / y.std(axis=0)


def squashed_regression_data(seed, squash, n_samples=300, n_features=5):
    """Targets ``squash(X w) + noise``, for units whose output is bounded."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    weights = rng.normal(size=n_features)
    y = squash(X @ weights) + 0.05 * rng.normal(size=n_samples)
    return X, y


def classification_data(seed, n_classes=2, n_samples=300, weights=None):
    """make_classification data with 6 features."""
    return make_classification(
        n_samples=n_samples,
        n_features=6,
        n_informative=4,
        n_redundant=1,
        n_classes=n_classes,
        n_clusters_per_class=1,
        weights=weights,
        random_state=seed,
    )


def logistic(values):
    return 1.0 / (1.0 + np.exp(-values))


def softplus(values):
    return np.log1p(np.exp(values))


# -- the cases ---------------------------------------------------------------

# Case name -> a function that returns the fitted model.
GOLDEN_CASES = {}


def golden_case(build_fitted_model):
    """Register a case under the name of its function."""
    GOLDEN_CASES[build_fitted_model.__name__] = build_fitted_model
    return build_fitted_model


@golden_case
def regressor_identity_online():
    X, y = linear_regression_data(seed=0)
    return regressor(eta0=0.005, batch_size=1, max_iter=10).fit(X, y)


@golden_case
def regressor_identity_minibatch32_momentum():
    X, y = linear_regression_data(seed=1)
    model = regressor(eta0=0.01, batch_size=32, max_iter=30, momentum=0.9)
    return model.fit(X, y)


@golden_case
def regressor_identity_full_batch():
    X, y = linear_regression_data(seed=2)
    return regressor(eta0=0.3, batch_size="full", max_iter=40).fit(X, y)


@golden_case
def regressor_logistic_minibatch8():
    X, y = squashed_regression_data(seed=3, squash=logistic)
    model = regressor(activation="logistic", eta0=0.5, batch_size=8, max_iter=20)
    return model.fit(X, y)


@golden_case
def regressor_tanh_minibatch8():
    X, y = squashed_regression_data(seed=4, squash=np.tanh)
    model = regressor(activation="tanh", eta0=0.1, batch_size=8, max_iter=20)
    return model.fit(X, y)


@golden_case
def regressor_relu_minibatch8():
    X, y = squashed_regression_data(seed=5, squash=lambda h: np.maximum(h, 0.0))
    model = regressor(activation="relu", eta0=0.05, batch_size=8, max_iter=20)
    return model.fit(X, y)


@golden_case
def regressor_softplus_online():
    X, y = squashed_regression_data(seed=6, squash=softplus)
    model = regressor(activation="softplus", eta0=0.01, batch_size=1, max_iter=10)
    return model.fit(X, y)


@golden_case
def regressor_alpha_minibatch32():
    X, y = linear_regression_data(seed=7)
    model = regressor(eta0=0.02, batch_size=32, max_iter=30, alpha=0.01)
    return model.fit(X, y)


@golden_case
def regressor_early_stopping():
    X, y = linear_regression_data(seed=8, n_samples=400)
    model = regressor(
        eta0=0.02,
        batch_size=16,
        max_iter=50,
        tol=1e-3,
        n_iter_no_change=3,
        early_stopping=True,
        validation_fraction=0.2,
    )
    return model.fit(X, y)


@golden_case
def regressor_csr_minibatch8_sample_weight():
    X, y = linear_regression_data(seed=9)
    rng = np.random.default_rng(9)
    X[rng.random(X.shape) < 0.6] = 0.0  # 60% zeros, which CSR does not store
    sample_weight = rng.uniform(0.2, 3.0, size=X.shape[0])
    model = regressor(eta0=0.02, batch_size=8, max_iter=20)
    return model.fit(sp.csr_matrix(X), y, sample_weight=sample_weight)


@golden_case
def regressor_float32_minibatch32():
    X, y = linear_regression_data(seed=10)
    model = regressor(eta0=0.02, batch_size=32, max_iter=30)
    return model.fit(X.astype(np.float32), y.astype(np.float32))


@golden_case
def regressor_multioutput_full_batch():
    X, y = linear_regression_data(seed=11, n_targets=3)
    return regressor(eta0=0.3, batch_size="full", max_iter=40).fit(X, y)


@golden_case
def regressor_warm_start():
    X, y = linear_regression_data(seed=12)
    model = regressor(eta0=0.01, batch_size=32, max_iter=8, warm_start=True)
    model.fit(X, y)
    return model.fit(X, y)  # continues from the first fit's weights and state


@golden_case
def regressor_invscaling():
    X, y = linear_regression_data(seed=13)
    model = regressor(
        eta0=0.05,
        batch_size=16,
        max_iter=30,
        learning_rate="invscaling",
        power_t=0.25,
    )
    return model.fit(X, y)


@golden_case
def regressor_adaptive():
    X, y = linear_regression_data(seed=14)
    model = regressor(
        eta0=0.05,
        batch_size=16,
        max_iter=40,
        learning_rate="adaptive",
        tol=1e-3,
        n_iter_no_change=2,
    )
    return model.fit(X, y)


@golden_case
def regressor_dask_full_batch():
    dask = pytest.importorskip("dask", reason="dask is not installed")
    dask_array = pytest.importorskip("dask.array", reason="dask is not installed")
    dask_fitting = pytest.importorskip(
        "sklearn_delta.dask", reason="sklearn_delta.dask needs dask"
    )
    X, y = linear_regression_data(seed=15, n_samples=320)
    model = regressor(eta0=0.3, batch_size="full", max_iter=30)
    # The local synchronous scheduler, whatever default another test set.
    with dask.config.set(scheduler="synchronous"):
        return dask_fitting.fit_full_batch(
            model,
            dask_array.from_array(X, chunks=(100, X.shape[1])),
            dask_array.from_array(y, chunks=100),
        )


@golden_case
def classifier_logistic_binary_minibatch8():
    X, y = classification_data(seed=20)
    return classifier(eta0=0.1, batch_size=8, max_iter=20).fit(X, y)


@golden_case
def classifier_tanh_multiclass_online():
    X, y = classification_data(seed=21, n_classes=3)
    model = classifier(activation="tanh", eta0=0.01, batch_size=1, max_iter=10)
    return model.fit(X, y)


@golden_case
def classifier_log_loss_binary_full_batch():
    X, y = classification_data(seed=22)
    model = classifier(loss="log_loss", eta0=0.5, batch_size="full", max_iter=40)
    return model.fit(X, y)


@golden_case
def classifier_log_loss_softmax_minibatch32_momentum():
    X, y = classification_data(seed=23, n_classes=4)
    model = classifier(
        loss="log_loss", eta0=0.05, batch_size=32, max_iter=30, momentum=0.5
    )
    return model.fit(X, y)


@golden_case
def classifier_alpha_log_loss_softmax_full_batch():
    X, y = classification_data(seed=24, n_classes=3)
    model = classifier(
        loss="log_loss", eta0=0.5, batch_size="full", max_iter=40, alpha=0.01
    )
    return model.fit(X, y)


@golden_case
def classifier_early_stopping():
    X, y = classification_data(seed=25, n_classes=3, n_samples=400)
    model = classifier(
        eta0=0.1,
        batch_size=16,
        max_iter=50,
        tol=1e-3,
        n_iter_no_change=3,
        early_stopping=True,
        validation_fraction=0.2,
    )
    return model.fit(X, y)


@golden_case
def classifier_class_weight_dict_sample_weight():
    X, y = classification_data(seed=26, weights=[0.8, 0.2])
    sample_weight = np.random.default_rng(26).uniform(0.5, 2.0, size=X.shape[0])
    model = classifier(
        eta0=0.1, batch_size=8, max_iter=20, class_weight={0: 1.0, 1: 3.0}
    )
    return model.fit(X, y, sample_weight=sample_weight)


@golden_case
def classifier_class_weight_balanced():
    X, y = classification_data(seed=27, n_classes=3, weights=[0.6, 0.3, 0.1])
    model = classifier(eta0=0.1, batch_size=8, max_iter=20, class_weight="balanced")
    return model.fit(X, y)


@golden_case
def classifier_partial_fit_stream():
    X, y = classification_data(seed=28, n_classes=3)
    model = classifier(eta0=0.1, batch_size=8, max_iter=1)
    chunks = np.array_split(np.arange(X.shape[0]), 5)
    for stream_pass in range(2):
        for chunk_number, chunk in enumerate(chunks):
            first_call = stream_pass == 0 and chunk_number == 0
            classes = np.unique(y) if first_call else None
            model.partial_fit(X[chunk], y[chunk], classes=classes)
    return model


# -- recording and comparing -------------------------------------------------


def fit_case(case_name):
    """Fit one case; a ConvergenceWarning of its short training is expected."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GOLDEN_CASES[case_name]()


def sha256_of(array):
    return hashlib.sha256(array.tobytes()).hexdigest()


def golden_record(model):
    """What the records keep of a fitted model."""
    arrays = {name: read(model) for name, read in RECORDED_ARRAYS.items()}
    record = {name: sha256_of(array) for name, array in arrays.items()}
    record["dtype"] = str(arrays["coef"].dtype)
    record["shape"] = list(arrays["coef"].shape)
    record["n_iter"] = int(model.n_iter_)
    for name, array in arrays.items():
        record[f"{name}_values"] = [float(value).hex() for value in array.ravel()]
    return record


def recorded_values(record, name):
    """A recorded array, flat, in the dtype it had (the loss curve: float64)."""
    dtype = np.float64 if name == "loss_curve" else np.dtype(record["dtype"])
    return np.array(
        [float.fromhex(value) for value in record[f"{name}_values"]], dtype=dtype
    )


def describe_change(name, recorded, current):
    """Say how the flat array ``current`` differs from ``recorded``."""
    notes = []
    if recorded.dtype != current.dtype:
        notes.append(f"dtype {recorded.dtype} became {current.dtype}")
    if recorded.size != current.size:
        notes.append(f"{recorded.size} values recorded, {current.size} now")
    common = min(recorded.size, current.size)
    old = recorded[:common].astype(np.float64)
    new = current[:common].astype(np.float64)
    same = (old == new) & (np.signbit(old) == np.signbit(new))
    differs = ~(same | (np.isnan(old) & np.isnan(new)))
    if not differs.any():
        notes.append(
            f"the {common} values in common agree"
            if notes
            else "the values agree, but their bytes differ (signed zero or NaN?)"
        )
        return f"{name}: " + "; ".join(notes)
    with np.errstate(invalid="ignore"):
        gaps = np.where(differs, np.abs(old - new), 0.0)
    # A NaN or infinity on one side is the largest difference there is.
    gaps[differs & ~np.isfinite(gaps)] = np.inf
    worst = int(np.argmax(gaps))
    notes.append(
        f"{int(differs.sum())} of {common} values in common differ; max abs "
        f"difference {gaps[worst]:.3g} at flat index {worst} (recorded "
        f"{float(old[worst])!r}, now {float(new[worst])!r})"
    )
    return f"{name}: " + "; ".join(notes)


def differences(recorded, current, model):
    """Every way the refitted ``current`` record differs from ``recorded``."""
    found = [
        f"{key}: recorded {recorded[key]!r}, now {current[key]!r}"
        for key in ("dtype", "shape", "n_iter")
        if recorded[key] != current[key]
    ]
    for name, read in RECORDED_ARRAYS.items():
        if recorded[name] != current[name]:
            found.append(
                describe_change(
                    name, recorded_values(recorded, name), read(model).ravel()
                )
            )
    return found


def load_golden_records():
    with GOLDEN_RECORDS_PATH.open(encoding="utf-8") as file:
        return json.load(file)


def format_records(records):
    """JSON with one line per field, so that ``git diff`` shows what changed."""
    cases = []
    for case_name, record in records.items():
        fields = ",\n".join(
            f"    {json.dumps(key)}: {json.dumps(value)}"
            for key, value in record.items()
        )
        cases.append(f"  {json.dumps(case_name)}: {{\n{fields}\n  }}")
    return "{\n" + ",\n".join(cases) + "\n}\n"


def record_golden_fits():
    """Refit every case and rewrite golden_fits.json."""
    import sklearn_delta

    # A fit that warns of anything but its expected ConvergenceWarning
    # (divergence, overflow, a deprecation) must not become a golden record.
    warnings.simplefilter("error")
    records = {}
    for case_name in GOLDEN_CASES:
        try:
            records[case_name] = golden_record(fit_case(case_name))
        except pytest.skip.Exception as skipped:
            sys.exit(f"Cannot record {case_name}: {skipped.msg}. Nothing written.")
    GOLDEN_RECORDS_PATH.write_text(format_records(records), encoding="utf-8")
    print(
        f"Recorded {len(records)} golden fits of sklearn_delta from "
        f"{pathlib.Path(sklearn_delta.__file__).parent} into {GOLDEN_RECORDS_PATH}."
    )


# -- the tests ---------------------------------------------------------------


@pytest.fixture(scope="module")
def golden_records():
    return load_golden_records()


def test_every_case_has_a_record_and_every_record_a_case(golden_records):
    assert list(golden_records) == list(GOLDEN_CASES), (
        "golden_fits.json and GOLDEN_CASES list different cases; "
        "record new cases with `python tests/test_golden_fits.py --record`."
    )


def test_recorded_values_match_the_recorded_digests(golden_records):
    """The stored arrays are the ones the digests were taken of."""
    for case_name, record in golden_records.items():
        for name in RECORDED_ARRAYS:
            values = recorded_values(record, name)
            assert sha256_of(values) == record[name], (case_name, name)
        assert len(record["coef_values"]) == np.prod(record["shape"]), case_name
        assert len(record["loss_curve_values"]) == record["n_iter"], case_name


@pytest.mark.parametrize("case_name", list(GOLDEN_CASES))
def test_fit_reproduces_its_golden_record_bit_for_bit(case_name, golden_records):
    if case_name not in golden_records:
        pytest.fail(f"{case_name} has no record in {GOLDEN_RECORDS_PATH.name}.")
    model = fit_case(case_name)
    found = differences(golden_records[case_name], golden_record(model), model)
    assert not found, (
        f"{case_name} no longer reproduces its golden fit bit for bit:\n  "
        + "\n  ".join(found)
        + "\nIf this change of results is intended, rerun `python "
        "tests/test_golden_fits.py --record` and explain it in the commit."
    )


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit(
            "usage: python tests/test_golden_fits.py --record\n"
            "Rewrites golden_fits.json; only for an intended, explained change "
            "of results. Run the test itself with pytest."
        )
    record_golden_fits()
