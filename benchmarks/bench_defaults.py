"""How well do the estimators do at their default parameters?

    python benchmarks/bench_defaults.py               # all rows, 5 folds (~30 s)
    python benchmarks/bench_defaults.py --quick       # 4 datasets, 3 folds (CI)
    python benchmarks/bench_defaults.py --check       # exit 1 when a target fails
    python benchmarks/bench_defaults.py --self-check  # test the objective, then exit

Prints one markdown table. Each row cross-validates
``make_pipeline(StandardScaler(), Estimator(random_state=0))`` with the
estimator's defaults (read from ``get_params()``, never hard-coded here) on
a small scikit-learn dataset (``load_*``: nothing is downloaded), and on the
same folds:

converged CV
    the estimator's own objective -- the mean per-sample loss plus
    ``alpha/2 ||coef||^2``, with the targets encoded as the estimator encodes
    them -- minimised to convergence by L-BFGS (scipy, analytic gradient,
    gtol 1e-10, from zero weights) on the standardised training fold, and
    scored with the estimator's decision rule. What the defaults should reach.
    Two caveats, both reported below the table: with alpha=0 on a separable
    training fold the infimum (E* = 0) lies at infinity and "converged" is
    where L-BFGS stops, a near-separating solution with large weights; and
    the squared error through a logistic unit is not convex, so L-BFGS from
    zero finds a stationary point, not necessarily the global minimum.
LogReg/Ridge, SGD, MLP(())
    ``LogisticRegression()`` or ``Ridge()``, ``SGD*(random_state=0)`` and
    ``MLP*(hidden_layer_sizes=(), random_state=0)`` at their defaults in the
    same pipeline (SGDRegressor in a MultiOutputRegressor for several
    targets); "(Nw)" counts the warnings their fits raised.
epochs, fit s
    medians over the folds of ``n_iter_`` and of the pipeline's fit time.
left
    median over the folds of ``(E - E*) / (E_null - E*)`` on the training
    fold: E the fitted model's objective, E* the L-BFGS optimum, E_null the
    best constant model (zero weights, optimal intercepts). 0 is converged,
    1 is no better than a constant.
warnings
    warnings of any category raised by the delta-rule fits (our fits only).

Below the table: the targets, PASS or FAIL, and the distinct warning messages.
"""

import argparse
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, logsumexp, softmax
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_linnerud,
    load_wine,
)
from sklearn.linear_model import (
    LogisticRegression,
    Ridge,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.multioutput import MultiOutputRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor

CV_TOLERANCE = 0.01  # target (2): delta rule CV >= converged CV - this
LEFT_TOLERANCE = 0.01  # target (3): regressors' left <= this
LBFGS_OPTIONS = {"gtol": 1e-10, "ftol": 1e-15, "maxiter": 10_000, "maxfun": 20_000}

CLASSIFICATION = {
    "iris": load_iris,
    "wine": load_wine,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
}
REGRESSION = {"diabetes": load_diabetes, "linnerud": load_linnerud}
QUICK_DATASETS = ("iris", "breast_cancer", "diabetes", "linnerud")

# name: (f, f' given h and f(h), the classifier's (negative, positive) targets)
ACTIVATIONS = {
    "identity": (lambda h: h, lambda h, out: np.ones_like(h), (-1.0, 1.0)),
    "logistic": (expit, lambda h, out: out * (1.0 - out), (0.0, 1.0)),
    "tanh": (np.tanh, lambda h, out: 1.0 - out**2, (-1.0, 1.0)),
}


# -- the objective -------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """The objective a fitted estimator descended, read from the estimator."""

    loss: str  # "squared_error" or "log_loss"
    activation: str  # of every unit; "softmax" when the units share one
    alpha: float
    classes: np.ndarray | None  # None for regression

    @property
    def targets(self):
        """The (negative, positive) target values of a classifier's units."""
        if self.loss == "log_loss":
            return 0.0, 1.0
        return ACTIVATIONS[self.activation][2]


def problem_of(model):
    """The Problem of a fitted DeltaRule* model: its parameters and classes_."""
    params = model.get_params()
    if params.get("class_weight") is not None or not params.get("fit_intercept", 1):
        raise NotImplementedError("class weights / no intercept: not benchmarked")
    classes = getattr(model, "classes_", None)
    activation = params["activation"]
    if params["loss"] == "log_loss" and classes is not None and len(classes) > 2:
        activation = "softmax"
    elif activation not in ACTIVATIONS:
        raise NotImplementedError(f"activation {activation!r} is not benchmarked")
    return Problem(params["loss"], activation, float(params["alpha"]), classes)


def encode(y, problem):
    """The targets Y (n_samples, n_units), encoded as the classifier does."""
    if problem.classes is None:
        return np.asarray(y, dtype=float).reshape(len(y), -1)
    negative, positive = problem.targets
    index = np.searchsorted(problem.classes, y)
    if len(problem.classes) == 2:
        return np.where(index == 1, positive, negative)[:, np.newaxis]
    Y = np.full((len(y), len(problem.classes)), negative)
    Y[np.arange(len(y)), index] = positive
    return Y


def unpack(theta, n_units):
    """theta -> (coef (n_units, n_features), intercept (n_units,))."""
    coef = theta[: theta.size - n_units].reshape(n_units, -1)
    return coef, theta[theta.size - n_units :]


def weights_of(model):
    """A fitted model's (coef_, intercept_) as one flat theta."""
    return np.concatenate([np.ravel(model.coef_), np.ravel(model.intercept_)])


def outputs(net_input, problem):
    if problem.activation == "softmax":
        return softmax(net_input, axis=1)
    return ACTIVATIONS[problem.activation][0](net_input)


def sample_losses(net_input, Y, problem):
    """Per-sample losses (n_samples,) and their derivatives dE/dh."""
    if problem.loss == "squared_error":
        f, derivative, _ = ACTIVATIONS[problem.activation]
        out = f(net_input)
        residual = Y - out
        return 0.5 * np.sum(residual**2, axis=1), -residual * derivative(net_input, out)
    if problem.activation == "softmax":
        norm = logsumexp(net_input, axis=1)
        losses = norm - np.sum(Y * net_input, axis=1)
        return losses, np.exp(net_input - norm[:, np.newaxis]) - Y
    losses = np.logaddexp(0.0, net_input) - Y * net_input  # logistic, one unit
    return losses[:, 0], expit(net_input) - Y


def objective(theta, X, Y, problem):
    """Mean per-sample loss + alpha/2 ||coef||^2, and its gradient in theta."""
    coef, intercept = unpack(theta, Y.shape[1])
    losses, d_net = sample_losses(X @ coef.T + intercept, Y, problem)
    n = X.shape[0]
    value = losses.mean() + 0.5 * problem.alpha * np.sum(coef**2)
    grad_coef = d_net.T @ X / n + problem.alpha * coef
    return value, np.concatenate([grad_coef.ravel(), d_net.mean(axis=0)])


def minimise(X, Y, problem):
    """L-BFGS from zero weights to the optimum of the objective."""
    theta = np.zeros(Y.shape[1] * (X.shape[1] + 1))
    return minimize(
        objective,
        theta,
        args=(X, Y, problem),
        jac=True,
        method="L-BFGS-B",
        options=LBFGS_OPTIONS,
    )


def predict(theta, X, problem, n_units):
    """The estimator's decision rule applied to weights theta."""
    coef, intercept = unpack(theta, n_units)
    out = outputs(X @ coef.T + intercept, problem)
    if problem.classes is None:
        return out
    if out.shape[1] == 1:
        midpoint = 0.5 * sum(problem.targets)
        return problem.classes[(out[:, 0] > midpoint).astype(int)]
    return problem.classes[np.argmax(out, axis=1)]


def score(y_true, y_pred, problem):
    if problem.classes is None:
        return r2_score(y_true, y_pred.reshape(np.shape(y_true)))
    return accuracy_score(y_true, y_pred)


# -- the models ------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    dataset: str
    estimator: type
    kwargs: dict

    @property
    def is_classifier(self):
        return self.estimator is DeltaRuleClassifier

    @property
    def loss(self):
        return self.kwargs.get("loss", self.estimator().get_params()["loss"])


def table_rows(quick):
    rows = []
    for name in CLASSIFICATION:
        rows.append(Row(name, DeltaRuleClassifier, {}))
        rows.append(Row(name, DeltaRuleClassifier, {"loss": "log_loss"}))
    rows += [Row(name, DeltaRuleRegressor, {}) for name in REGRESSION]
    if quick:
        rows = [row for row in rows if row.dataset in QUICK_DATASETS]
    return rows


def load(name):
    loader = CLASSIFICATION.get(name) or REGRESSION[name]
    return loader(return_X_y=True)


def peers(is_classifier, multi_output):
    """name -> unfitted peer, each at its defaults."""
    if is_classifier:
        return {
            "reference": LogisticRegression(),
            "SGD": SGDClassifier(random_state=0),
            "MLP": MLPClassifier(hidden_layer_sizes=(), random_state=0),
        }
    sgd = SGDRegressor(random_state=0)
    return {
        "reference": Ridge(),
        "SGD": MultiOutputRegressor(sgd) if multi_output else sgd,
        "MLP": MLPRegressor(hidden_layer_sizes=(), random_state=0),
    }


def folds(row, X, y, n_folds):
    """The same (train, test) splits for every model of a dataset."""
    splitter = StratifiedKFold if row.is_classifier else KFold
    return list(splitter(n_folds, shuffle=True, random_state=0).split(X, y))


def fit_recording(pipeline, X, y):
    """Fit; return (seconds, the warnings the fit raised)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        pipeline.fit(X, y)
        seconds = time.perf_counter() - start
    return seconds, caught


# -- one row ---------------------------------------------------------------------


def bench_fold(row, X, y, train, test):
    """Everything one fold contributes to a row, as a dict."""
    pipeline = make_pipeline(
        StandardScaler(), row.estimator(random_state=0, **row.kwargs)
    )
    seconds, caught = fit_recording(pipeline, X[train], y[train])
    model = pipeline[-1]
    X_train, X_test = (pipeline[0].transform(X[index]) for index in (train, test))
    problem = problem_of(model)
    Y = encode(y[train], problem)
    n_units = Y.shape[1]
    if np.atleast_2d(model.coef_).shape != (n_units, X.shape[1]):
        raise AssertionError(f"{row}: {model.coef_.shape} units, expected {n_units}")
    optimum = minimise(X_train, Y, problem)
    null = minimise(X_train[:, :0], Y, problem)
    fitted = objective(weights_of(model), X_train, Y, problem)[0]
    result = {
        "ours": pipeline.score(X[test], y[test]),
        "converged": score(
            y[test], predict(optimum.x, X_test, problem, n_units), problem
        ),
        "left": (fitted - optimum.fun) / (null.fun - optimum.fun),
        "epochs": model.n_iter_,
        "seconds": seconds,
        "warnings": caught,
        "lbfgs_at_limit": optimum.nit >= LBFGS_OPTIONS["maxiter"],
        "unattained": optimum.fun <= 1e-6 * null.fun,
    }
    for name, peer in peers(row.is_classifier, y.ndim > 1).items():
        peer_pipeline = make_pipeline(StandardScaler(), peer)
        _, peer_caught = fit_recording(peer_pipeline, X[train], y[train])
        result[name] = peer_pipeline.score(X[test], y[test])
        result[f"{name} warnings"] = len(peer_caught)
    return result


def bench_row(row, n_folds):
    X, y = load(row.dataset)
    results = [bench_fold(row, X, y, *split) for split in folds(row, X, y, n_folds)]

    def mean(key):
        return float(np.mean([result[key] for result in results]))

    def median(key):
        return float(np.median([result[key] for result in results]))

    caught = [w for result in results for w in result["warnings"]]
    summary = {
        key: mean(key) for key in ("ours", "converged", "reference", "SGD", "MLP")
    }
    summary.update(
        {
            key: sum(result[key] for result in results)
            for key in (
                "reference warnings",
                "SGD warnings",
                "MLP warnings",
                "lbfgs_at_limit",
                "unattained",
            )
        }
    )
    summary.update(
        row=row,
        epochs=median("epochs"),
        seconds=median("seconds"),
        left=median("left"),
        categories=Counter(type(w.message).__name__ for w in caught),
        messages=sorted({str(w.message)[:100] for w in caught}),
    )
    return summary


# -- the report --------------------------------------------------------------------


def peer_cell(summary, name):
    n = summary[f"{name} warnings"]
    return f"{summary[name]:.3f}" + (f" ({n}w)" if n else "")


def warnings_cell(categories):
    if not categories:
        return "0"
    return ", ".join(f"{n} {name}" for name, n in sorted(categories.items()))


def print_table(summaries):
    print(
        "| dataset | loss | delta rule CV | converged CV | delta - converged "
        "| LogReg/Ridge | SGD | MLP(()) | epochs | fit s | left | warnings |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s in summaries:
        row = s["row"]
        print(
            f"| {row.dataset} | {row.loss} | {s['ours']:.3f} | {s['converged']:.3f}"
            f" | {s['ours'] - s['converged']:+.3f} | {peer_cell(s, 'reference')}"
            f" | {peer_cell(s, 'SGD')} | {peer_cell(s, 'MLP')} | {s['epochs']:g}"
            f" | {s['seconds']:.3f} | {s['left']:.4f}"
            f" | {warnings_cell(s['categories'])} |"
        )


def targets(summaries):
    """[(target, names of the failing rows)]."""

    def name(s):
        return f"{s['row'].dataset} ({s['row'].loss})"

    return [
        (
            "(1) no default fit raises any warning",
            [name(s) for s in summaries if s["categories"]],
        ),
        (
            f"(2) delta rule CV >= converged CV - {CV_TOLERANCE}",
            [name(s) for s in summaries if s["ours"] < s["converged"] - CV_TOLERANCE],
        ),
        (
            f"(3) regressors: left <= {LEFT_TOLERANCE}",
            [
                name(s)
                for s in summaries
                if not s["row"].is_classifier and s["left"] > LEFT_TOLERANCE
            ],
        ),
    ]


def print_report(summaries):
    print_table(summaries)
    print("\nTargets:")
    results = targets(summaries)
    for target, failing in results:
        print(
            f"- {target}: {'FAIL (' + ', '.join(failing) + ')' if failing else 'PASS'}"
        )
    notes = {
        "unattained": "E* ~ 0, the optimum lies at infinity (separable training "
        "fold, alpha=0); 'converged' is where L-BFGS stopped",
        "lbfgs_at_limit": f"L-BFGS stopped at maxiter={LBFGS_OPTIONS['maxiter']}",
    }
    for key, note in notes.items():
        counted = [s for s in summaries if s[key]]
        if counted:
            folds = ", ".join(
                f"{s['row'].dataset} ({s['row'].loss}) {s[key]}" for s in counted
            )
            print(f"\n{note}, in folds of: {folds}")
    messages = sorted({m for s in summaries for m in s["messages"]})
    if messages:
        print("\nWarnings of the delta-rule fits (first 100 characters):")
        for message in messages:
            print(f"- {message}")
    return all(not failing for _, failing in results)


def print_defaults():
    for estimator in (DeltaRuleClassifier, DeltaRuleRegressor):
        params = estimator().get_params()
        params.pop("random_state")
        shown = ", ".join(f"{key}={value!r}" for key, value in sorted(params.items()))
        print(f"{estimator.__name__} defaults: {shown}")


# -- the self-check -----------------------------------------------------------------


def direct_objective(model, X, y, alpha):
    """The documented objective, written out directly from the formulas."""
    coef = np.atleast_2d(model.coef_)
    h = X @ coef.T + model.intercept_
    classes = getattr(model, "classes_", None)
    if classes is None:
        Y = y.reshape(len(y), -1)
    elif len(classes) == 2:
        Y = (y == classes[1]).astype(float)[:, None]
    else:
        Y = (y[:, None] == classes[None, :]).astype(float)
    if model.loss == "log_loss" and Y.shape[1] > 1:
        p = np.exp(h) / np.exp(h).sum(axis=1, keepdims=True)
        per_sample = -np.sum(Y * np.log(p), axis=1)
    elif model.loss == "log_loss":
        p = 1 / (1 + np.exp(-h[:, 0]))
        per_sample = -(Y[:, 0] * np.log(p) + (1 - Y[:, 0]) * np.log(1 - p))
    else:
        out = h if classes is None else 1 / (1 + np.exp(-h))  # identity, logistic
        per_sample = 0.5 * np.sum((Y - out) ** 2, axis=1)
    return per_sample.mean() + alpha / 2 * np.sum(coef**2)


def loss_at(model, X, y, theta, alpha):
    """The estimator's own loss at theta: loss_curve_[0] of a 1e-12-rate epoch."""
    coef, intercept = unpack(theta, len(np.ravel(model.intercept_)))
    probe = clone(model).set_params(
        alpha=alpha,
        eta0=1e-12,
        learning_rate="constant",
        momentum=0.0,
        batch_size="full",
        max_iter=1,
        tol=0.0,
        early_stopping=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probe.fit(
            X,
            y,
            coef_init=coef.reshape(np.shape(model.coef_)),
            intercept_init=intercept,
        )
    return probe.loss_curve_[0]


def check_close(what, value, expected, rtol):
    ok = abs(value - expected) <= rtol * max(abs(expected), 1e-300)
    print(f"{'ok  ' if ok else 'FAIL'} {what}: {value:.12g} vs {expected:.12g}")
    if not ok:
        raise AssertionError(what)


def check_at_most(what, value, bound):
    ok = value <= bound
    print(f"{'ok  ' if ok else 'FAIL'} {what}: {value:.3g} <= {bound:g}")
    if not ok:
        raise AssertionError(what)


def gradient_error(function, theta):
    """max |analytic - central difference| / (1 + max |analytic|)."""
    analytic = function(theta)[1]
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = 1e-6 * (1.0 + abs(theta[i]))
        numeric[i] = (function(theta + step)[0] - function(theta - step)[0]) / (
            2 * step[i]
        )
    return np.max(np.abs(analytic - numeric)) / (1.0 + np.max(np.abs(analytic)))


def self_check_case(name, estimator):
    X, y = load(name)
    X = StandardScaler().fit_transform(X)
    model = clone(estimator).set_params(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    problem = problem_of(model)
    Y = encode(y, problem)
    theta = weights_of(model)
    label = f"{name} {type(model).__name__}(loss={model.loss!r})"
    for alpha in (problem.alpha, 0.3):
        value = objective(theta, X, Y, replace(problem, alpha=alpha))[0]
        expected = direct_objective(model, X, y, alpha)
        check_close(
            f"{label}, alpha={alpha}: objective = formula", value, expected, 1e-12
        )
    away = theta + np.random.default_rng(0).normal(scale=0.5, size=theta.size)
    check_at_most(
        f"{label}: gradient vs central differences",
        gradient_error(lambda t: objective(t, X, Y, replace(problem, alpha=0.3)), away),
        1e-6,
    )
    value = objective(theta, X, Y, problem)[0]
    check_close(
        f"{label}: objective = estimator's loss at its weights",
        value,
        loss_at(model, X, y, theta, problem.alpha),
        1e-9,
    )
    regularised = replace(problem, alpha=1e-3)
    optimum = minimise(X, Y, regularised)
    check_close(
        f"{label}: L-BFGS optimum = estimator's loss there (alpha=1e-3)",
        optimum.fun,
        loss_at(model, X, y, optimum.x, 1e-3),
        1e-9,
    )


def self_check_long_run():
    """Full-batch descent at rate 1/L on diabetes reaches the L-BFGS optimum."""
    X, y = load("diabetes")
    X = StandardScaler().fit_transform(X)
    alpha = DeltaRuleRegressor().get_params()["alpha"]
    Z = np.hstack([X, np.ones((len(X), 1))])
    curvature = np.linalg.eigvalsh(Z.T @ Z / len(X)).max() + alpha
    model = DeltaRuleRegressor(
        batch_size="full",
        eta0=1.0 / curvature,
        learning_rate="constant",
        momentum=0.0,
        max_iter=20_000,
        tol=0.0,
        n_iter_no_change=20_000,
        early_stopping=False,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    problem = problem_of(model)
    Y = encode(y, problem)
    optimum = minimise(X, Y, problem).fun
    null = minimise(X[:, :0], Y, problem).fun
    left = (model.loss_curve_[-1] - optimum) / (null - optimum)
    print(
        f"     diabetes, 20000 full-batch epochs: last loss_curve_ "
        f"{model.loss_curve_[-1]:.10g}, L-BFGS E* {optimum:.10g}, left {left:.2e}"
    )
    check_at_most("diabetes long run: left", left, 1e-8)


def self_check():
    cases = [
        ("diabetes", DeltaRuleRegressor()),
        ("linnerud", DeltaRuleRegressor()),
        ("breast_cancer", DeltaRuleClassifier()),
        ("breast_cancer", DeltaRuleClassifier(loss="log_loss")),
        ("iris", DeltaRuleClassifier()),
        ("iris", DeltaRuleClassifier(loss="log_loss")),
    ]
    for name, estimator in cases:
        self_check_case(name, estimator)
    self_check_long_run()
    print("self-check passed")


# -- the run ---------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 datasets, 3 folds")
    parser.add_argument("--folds", type=int, help="folds of the CV (default 5)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target fails")
    parser.add_argument(
        "--self-check", action="store_true", help="test the objective, then exit"
    )
    args = parser.parse_args()
    if args.self_check:
        self_check()
        return 0
    n_folds = args.folds or (3 if args.quick else 5)
    print(f"# bench_defaults{' --quick' if args.quick else ''}: {n_folds}-fold CV\n")
    print_defaults()
    print()
    start = time.perf_counter()
    summaries = [bench_row(row, n_folds) for row in table_rows(args.quick)]
    passed = print_report(summaries)
    print(f"\n({time.perf_counter() - start:.0f} s)")
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
