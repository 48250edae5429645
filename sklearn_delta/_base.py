"""The estimator base: parameters, validation, and the bridge to the loop.

``BaseDeltaRule`` holds what the regressor and the classifier share: the
parameters and their constraints, input validation, the fitted state and the
calls into :func:`sklearn_delta._training.train`. How a call gets its
learning rate is in ``_rate.py``, and callbacks in ``_callbacks.py`` (both
mixed in). The subclasses add target encoding and the prediction step.
"""

import contextlib
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted

from sklearn_delta._activations import ACTIVATIONS, Activation, get_activation
from sklearn_delta._callbacks import (
    CALLBACK_BOOKKEEPING,
    CallbackSupportMixin,
    epoch_observer,
)
from sklearn_delta._data import (
    ALL_ZERO_WEIGHTS,
    InMemory,
    TrainingData,
    float_dtypes,
    validate_numeric,
)
from sklearn_delta._divergence import rate_advice
from sklearn_delta._kernels import delta_rule_epoch
from sklearn_delta._losses import get_loss
from sklearn_delta._rate import (
    LearningRateMixin,
    same_values,
    warn_if_few_rows_set_rate,
)
from sklearn_delta._schedules import make_schedule
from sklearn_delta._shuffle import block_rows, row_bytes
from sklearn_delta._split import validation_rows
from sklearn_delta._state import TrainingState, check_training_state, check_weights
from sklearn_delta._training import (
    TrainingConfig,
    Validation,
    starting_intercept,
    train,
    warn_not_converged,
)

# batch_size="auto" takes mini-batches of this many rows (the whole data when
# it has fewer).
AUTO_BATCH_SIZE = 32

# The source of fit and partial_fit (see _data.py).
IN_MEMORY = InMemory()


@contextlib.contextmanager
def _unchanged_on_error(estimator):
    """Restore every attribute of ``estimator`` if the block raises.

    Fitting replaces attributes and never modifies their values in place, so
    a shallow copy of ``__dict__`` is enough to undo a failed call.
    """
    saved = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        # scikit-learn's callback machinery tears its own state down after
        # the fit: leave that to it.
        bookkeeping = {
            key: estimator.__dict__[key]
            for key in CALLBACK_BOOKKEEPING
            if key in estimator.__dict__
        }
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        estimator.__dict__.update(bookkeeping)
        raise


class BaseDeltaRule(CallbackSupportMixin, LearningRateMixin, BaseEstimator):
    """Shared machinery of DeltaRuleRegressor and DeltaRuleClassifier."""

    _doc_link_module = "sklearn_delta"
    _doc_link_template = (
        "https://sklearn-delta.readthedocs.io/en/latest/generated/"
        "sklearn_delta.{estimator_name}.html"
    )

    _parameter_constraints: dict = {
        "activation": [StrOptions(set(ACTIVATIONS)), Activation],
        "learning_rate": [
            StrOptions({"constant", "invscaling", "adaptive"}),
            HasMethods(["learning_rate", "on_plateau"]),
        ],
        "eta0": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto", "full"}),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "fit_intercept": ["boolean"],
        "shuffle": ["boolean", StrOptions({"rows", "blocks"})],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "record_weights": ["boolean"],
    }

    def __init__(
        self,
        activation,
        loss,
        *,
        learning_rate,
        eta0,
        power_t,
        batch_size,
        max_iter,
        tol,
        n_iter_no_change,
        early_stopping,
        validation_fraction,
        alpha,
        momentum,
        fit_intercept,
        shuffle,
        random_state,
        warm_start,
        verbose,
        record_weights,
    ):
        self.activation = activation
        self.loss = loss
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.alpha = alpha
        self.momentum = momentum
        self.fit_intercept = fit_intercept
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.record_weights = record_weights

    # -- hooks for the subclasses -----------------------------------------

    def _learn_classes(self, labels, *, reset, partial, classes, warm):
        """Set or check ``classes_`` from the labels (classifier); ``warm``
        when a warm-started fit continues the fitted model."""

    def _n_outputs(self, y):
        """The number of output units for the validated targets y."""
        raise NotImplementedError

    def _encode_targets(self, y):
        """Return y as a 2-D array of unit targets (n_samples, n_outputs)."""
        raise NotImplementedError

    def _class_sample_weight(self, y, sample_weight, source):
        """Fold per-class weights into the sample weights (classifier)."""
        return sample_weight

    def _validation_scorer(self, y, sample_weight):
        """Return score(net_input) on held-out targets y; higher is better.

        ``net_input`` is that of the held-out rows, (n_held_out, n_outputs).
        The score is weighted by ``sample_weight``, so that early stopping
        judges the same weighted problem that training solves."""
        raise NotImplementedError

    def _stratify(self, y):
        """Labels to stratify the early-stopping split by, or None."""
        return None

    def _wants_1d_coef(self, y):
        return False

    def _starting_targets(self, Y, sample_weight, partial):
        """The targets and weights whose mean a new model's units start at;
        ``partial`` when the model starts from a first partial_fit chunk."""
        return Y, sample_weight

    # The fewest held-out samples early stopping can score.
    _min_validation_samples = 1

    # -- the parts the parameters name ---------------------------------------

    def _output_activation(self, n_outputs):
        """The Activation of the ``n_outputs`` output units (None: unknown)."""
        return get_loss(self.loss).output_activation(
            get_activation(self.activation), n_outputs
        )

    def _training_loss(self, n_outputs):
        """The loss the ``n_outputs`` output units train with."""
        return get_loss(self.loss).for_activation(self._output_activation(n_outputs))

    def _resolve_batch_size(self, n_samples):
        if self.batch_size == "full":
            return n_samples
        if self.batch_size == "auto":
            return min(AUTO_BATCH_SIZE, n_samples)
        return min(self.batch_size, n_samples)

    def _config(self, X, n_samples, n_outputs, eta0, rate_kept=False):
        """The loop's configuration for ``n_samples`` training rows of X
        (``rate_kept``: a stream's call that keeps the rate set before)."""
        batch_size = self._resolve_batch_size(n_samples)
        return TrainingConfig(
            activation=self._output_activation(n_outputs),
            loss=self._training_loss(n_outputs),
            eta0=eta0,
            alpha=float(self.alpha),
            momentum=float(self.momentum),
            batch_size=batch_size,
            shuffle=bool(self.shuffle),
            shuffle_block=block_rows(batch_size, self.shuffle, row_bytes(X)),
            seed=self._seed,
            max_iter=self.max_iter,
            # tol=None never stops early, as in SGD*.
            tol=-np.inf if self.tol is None else float(self.tol),
            n_iter_no_change=self.n_iter_no_change,
            verbose=self.verbose,
            record_weights=self.record_weights,
            fit_intercept=self.fit_intercept,
            rate_advice=rate_advice(self.eta0, rate_kept),
        )

    # -- the one validation entry --------------------------------------------

    def _validate_training(
        self,
        X,
        y,
        sample_weight,
        *,
        reset,
        partial=False,
        classes=None,
        warm=False,
        source=IN_MEMORY,
    ):
        """Turn what the user passed into :class:`~sklearn_delta._data.TrainingData`.

        ``fit``, ``partial_fit`` and the dask fit all come here; ``source``
        reads the arrays (see ``_data.py``). Sets no state other than what
        reading and the classes set; the caller undoes it on error.
        """
        get_loss(self.loss).check_activation(get_activation(self.activation))
        passed = (X, y, sample_weight)
        X, y, sample_weight = source.read(self, X, y, sample_weight, reset=reset)
        self._learn_classes(
            source.labels(y), reset=reset, partial=partial, classes=classes, warm=warm
        )
        Y = source.map_rows(
            lambda rows: self._encode_targets(rows).astype(X.dtype, copy=False),
            y,
            dtype=X.dtype,
            n_columns=self._n_outputs(y),
        )
        sample_weight = self._class_sample_weight(y, sample_weight, source)
        # scikit-learn >= 1.9 refuses all-zero sample weights itself; class
        # weights of zero can also leave nothing to learn from.
        if not np.any(sample_weight):
            raise ValueError(ALL_ZERO_WEIGHTS)
        sample_weight = _relative_weights(sample_weight)
        return TrainingData(X, y, Y, sample_weight, passed, source)

    # -- the one run ----------------------------------------------------------

    def _run(
        self,
        data,
        *,
        resume,
        partial,
        coef_init=None,
        intercept_init=None,
        kernel=delta_rule_epoch,
    ):
        """Train on validated data and publish the result; return ``converged``.

        ``fit``, ``partial_fit`` and the dask fit all come here. ``resume``
        continues the fitted model (a warm start, or partial_fit after the
        first call); ``partial`` runs one epoch and no early stopping.
        ``kernel`` runs one epoch (see ``_kernels.delta_rule_epoch``);
        the dask fit passes one that computes a full batch block by block.
        """
        # A stream keeps the rate eta0="auto" chose in an earlier call.
        keep_rate = partial and resume and self._auto_rate_was_set()
        X, Y, sample_weight, rows, validation, state = self._start(
            data, resume, partial, coef_init, intercept_init, keep_rate
        )
        n_rows = X.shape[0] if rows is None else len(rows)
        lengths = state.list_lengths()
        try:
            max_epochs = 1 if partial else self.max_iter
            observer = epoch_observer(
                self, *data.passed, self._fitted_attributes, max_epochs
            )
            converged = train(
                state,
                self._config(X, n_rows, Y.shape[1], state.eta0, keep_rate),
                X,
                Y,
                sample_weight,
                max_epochs=max_epochs,
                validation=validation,
                fresh_start=not (partial and resume),
                observer=observer,
                kernel=kernel,
                rows=rows,
            )
            self._publish(state, validation is not None, fit=not partial)
            if observer is not None:
                observer.fit_end()
        except BaseException:
            # The stored state shares its growing lists with this call's.
            state.truncate(lengths)
            raise
        return converged

    def _start(self, data, resume, partial, coef_init, intercept_init, keep_rate):
        """The training rows, the held-out ones and the state a run starts
        from (with the rate it had, for ``keep_rate``)."""
        X, Y, sample_weight = data.X, data.Y, data.sample_weight
        if resume:
            self._check_outputs(Y.shape[1])
            check_training_state(self._state, *self._unit_params())
        else:
            self._seed = check_random_state(self.random_state).randint(2**31 - 1)
            self._coef_is_1d = self._wants_1d_coef(data.y)
        # The training rows: all, or those early stopping does not hold out
        # (by index: X is not copied).
        rows, validation = None, None
        if self.early_stopping and not partial:
            rows, validation = self._split_validation(X, data.y, Y, sample_weight)
        if resume:
            state = self._state.resume(*self._unit_params())
            self._start_changed_params(state)
        else:
            state = self._new_state(
                X,
                *_take_rows(rows, Y, sample_weight),
                coef_init,
                intercept_init,
                partial=partial,
            )
        if not partial:
            _start_fit_bookkeeping(state)
        if not keep_rate:
            state.eta0 = self._initial_rate(X, Y, sample_weight, data.source, rows)
            if partial and self.eta0 == "auto":
                warn_if_few_rows_set_rate(X.shape[0])
        self._made_from = self._rate_made_from()
        return X, Y, sample_weight, rows, validation, state

    def _publish(self, state, early_stopped, *, fit):
        """Keep the state whole as ``_state``; set the fitted attributes.

        After early stopping the weights of the best epoch are kept. A fit
        sets (or removes) the validation attributes; partial_fit leaves them.
        """
        if early_stopped and state.best_params is not None:
            state.coef, state.intercept = state.best_params
        self.coef_ = self._public_coef(state.coef)
        self.intercept_ = state.intercept
        self.t_ = state.t
        self.n_iter_ = state.n_iter
        self.eta0_ = state.eta0
        self.learning_rate_ = state.learning_rate
        self.loss_curve_ = state.loss_curve  # shared, never copied
        self.loss_ = state.loss_curve[-1]
        self.best_loss_ = state.best_loss
        self._state = state.at_rest()
        if self.record_weights:
            self.coef_history_ = np.stack(
                [self._public_coef(coef) for coef in state.coef_history]
            )
            self.intercept_history_ = np.stack(state.intercept_history)
        else:
            self.__dict__.pop("coef_history_", None)
            self.__dict__.pop("intercept_history_", None)
        if not fit:
            return
        if early_stopped:
            self.validation_scores_ = state.validation_scores
            self.validation_loss_curve_ = state.validation_loss_curve
            self.best_validation_score_ = state.best_validation_score
        else:
            for name in (
                "validation_scores_",
                "validation_loss_curve_",
                "best_validation_score_",
            ):
                self.__dict__.pop(name, None)

    # -- state -----------------------------------------------------------------

    def _new_state(
        self, X, Y, sample_weight, coef_init=None, intercept_init=None, partial=False
    ):
        """The state of a new model: zero weights (or ``coef_init``), and
        intercepts where each unit outputs its mean target (or
        ``intercept_init``)."""
        n_features, n_outputs = X.shape[1], Y.shape[1]
        coef = np.zeros((n_features, n_outputs), dtype=X.dtype)
        intercept = np.zeros(n_outputs, dtype=X.dtype)
        if coef_init is not None:
            coef[...] = self._check_init(
                coef_init,
                "coef_init",
                self._public_coef_shape(n_features, n_outputs),
                X.dtype,
            ).T.reshape(n_features, n_outputs)
        if not self.fit_intercept:
            if intercept_init is not None:
                raise ValueError(
                    "intercept_init needs fit_intercept=True: without an "
                    "intercept every unit's intercept stays 0."
                )
        elif intercept_init is None:
            intercept[...] = starting_intercept(
                self._output_activation(n_outputs),
                *self._starting_targets(Y, sample_weight, partial),
            )
        else:
            intercept[...] = self._check_init(
                intercept_init, "intercept_init", (n_outputs,), X.dtype
            ).reshape(n_outputs)
        return TrainingState(
            coef=coef,
            intercept=intercept,
            schedule=make_schedule(self.learning_rate, self.power_t),
        )

    def _check_init(self, value, name, shape, dtype):
        if np.iscomplexobj(value):
            raise ValueError(f"{name} must be real numbers; it has complex values.")
        value = np.asarray(value, dtype=np.float64)
        if value.size != int(np.prod(shape)) or (
            value.ndim > 1 and value.shape != tuple(shape)
        ):
            raise ValueError(
                f"{name} has shape {value.shape}, but this model needs shape "
                f"{tuple(shape)}."
            )
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name} contains NaN or infinity.")
        with np.errstate(over="ignore"):
            if not np.all(np.isfinite(value.astype(dtype))):
                raise ValueError(
                    f"{name} has values too large for {np.dtype(dtype).name}, the "
                    "dtype of X: give smaller values, or X as float64."
                )
        return value

    def _public_coef_shape(self, n_features, n_outputs):
        if self._coef_is_1d:
            return (n_features,)
        return (n_outputs, n_features)

    def _fitted_attributes(self, state):
        """What makes a copy of this estimator a model with the state's weights
        (for callbacks that score the model during the fit)."""
        return {
            "coef_": self._public_coef(state.coef.copy()),
            "intercept_": state.intercept.copy(),
            "n_iter_": state.n_iter,
            "loss_curve_": list(state.loss_curve),
        }

    def _public_coef(self, coef):
        """Unit weights (n_features, n_outputs) in the shape of ``coef_``."""
        if self._coef_is_1d:
            return coef.ravel()
        return np.ascontiguousarray(coef.T)

    def _unit_coef(self, coef):
        """``coef_``-shaped weights as (n_features, n_outputs)."""
        return coef[:, np.newaxis] if coef.ndim == 1 else coef.T

    def _unit_params(self):
        """coef_ as (n_features, n_outputs) and intercept_ as (n_outputs,),
        checked to fit together (a loaded model may have been tampered with)."""
        coef = self.coef_
        if not (isinstance(coef, np.ndarray) and coef.ndim in (1, 2)):
            coef = None  # refused below, with the attribute's description
        else:
            coef = self._unit_coef(coef)
        check_weights(coef, self.intercept_, self.n_features_in_)
        return coef, self.intercept_

    # -- fit and partial_fit -------------------------------------------------

    def _fit(
        self,
        X,
        y,
        sample_weight,
        coef_init,
        intercept_init,
        *,
        source=IN_MEMORY,
        kernel=delta_rule_epoch,
    ):
        with _unchanged_on_error(self):
            warm = self._continues(coef_init, intercept_init)
            data = self._validate_training(
                X, y, sample_weight, reset=not warm, warm=warm, source=source
            )
            converged = self._run(
                data,
                resume=warm,
                partial=False,
                coef_init=coef_init,
                intercept_init=intercept_init,
                kernel=kernel,
            )
        if not converged and self.tol is not None:
            warn_not_converged(self.max_iter, self._state.rate_scale < 1.0)
        return self

    def _continues(self, coef_init, intercept_init):
        """Whether this fit continues the fitted model (a warm start).

        Initial weights, when given, start a new model even with warm_start.
        """
        return (
            self.warm_start
            and hasattr(self, "coef_")
            and coef_init is None
            and intercept_init is None
        )

    def _partial_fit(self, X, y, sample_weight, classes=None):
        with _unchanged_on_error(self):
            first_call = not hasattr(self, "coef_")
            if not first_call:
                self._revalidate_params()
            data = self._validate_training(
                X, y, sample_weight, reset=first_call, partial=True, classes=classes
            )
            self._run(data, resume=not first_call, partial=True)
        return self

    def __getstate__(self):
        # Callbacks observe a fit; they are not part of the fitted model, and
        # a saved model must not carry them (skops would have to trust them).
        # (A copy: object.__getstate__ returns the instance's own __dict__.)
        state = dict(super().__getstate__())
        for name in ("_skl_callbacks", *CALLBACK_BOOKKEEPING):
            state.pop(name, None)
        return state

    def _validate_params(self):
        super()._validate_params()
        # scikit-learn's Interval(Integral, ...) lets True and False through.
        for name in ("batch_size", "max_iter", "n_iter_no_change"):
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be a "
                    f"number, not a bool. Got {value!r} instead."
                )

    def _revalidate_params(self):
        """Validate the parameters again if they changed since the last call.

        scikit-learn validates parameters only on the first partial_fit
        call; a parameter changed since then (say set_params(eta0=0)) must
        not slip through. Validation is slow next to a small chunk's epoch,
        so it runs only when a parameter differs from the last validated.
        """
        values = [getattr(self, name) for name in self._parameter_constraints]
        validated = getattr(self, "_validated_params", None)
        if validated is None or not same_values(values, validated):
            self._validate_params()
            self._validated_params = values

    def _check_outputs(self, n_outputs):
        expected = self._unit_params()[0].shape[1]
        if n_outputs != expected:
            outputs = "1 output" if n_outputs == 1 else f"{n_outputs} outputs"
            raise ValueError(
                f"y has {outputs}, but {type(self).__name__} was "
                f"fitted with {expected}. To change the number of outputs, "
                "fit a new model: fit with warm_start=False, not partial_fit "
                "or a warm start."
            )

    def _split_validation(self, X, y, Y, sample_weight):
        """Hold out validation rows by content (see ``_split.py``): a row of
        weight k goes where its k repeats would, and equal rows together.

        Returns the indices of the training rows and the
        :class:`~sklearn_delta._training.Validation` of the others. Rows are
        held out by index: X is not copied (y, Y and the weights of the
        held-out rows are, small next to X).
        """
        held_out = validation_rows(
            X,
            Y,
            sample_weight,
            self._stratify(y),
            self.validation_fraction,
            self._seed,
        )
        if not held_out.any():
            raise ValueError(
                "early_stopping needs at least 2 distinct samples with positive "
                "weight (of one class, for a classifier) to hold some out for "
                f"validation; the {X.shape[0]} sample(s) given have fewer. Add "
                "samples or set early_stopping=False."
            )
        if held_out.sum() < self._min_validation_samples:
            raise ValueError(
                f"The validation set is too small: early stopping held out "
                f"{held_out.sum()} sample(s), and scoring needs at least "
                f"{self._min_validation_samples}. Increase validation_fraction "
                "or the number of samples, or set early_stopping=False."
            )
        val_idx, train_idx = np.flatnonzero(held_out), np.flatnonzero(~held_out)
        validation_weight = sample_weight[val_idx]  # all positive
        scorer = self._validation_scorer(y[val_idx], validation_weight)
        validation = Validation(val_idx, Y[val_idx], validation_weight, scorer)
        return train_idx, validation

    # -- prediction --------------------------------------------------------------

    def _net_input(self, X):
        """h = X w + b for validated X, shaped (n_samples, n_outputs)."""
        check_is_fitted(self)
        X = validate_numeric(
            self,
            X,
            reset=False,
            accept_sparse="csr",
            dtype=float_dtypes(X),
        )
        coef, intercept = self._unit_params()
        return safe_sparse_dot(X, coef) + intercept

    def _output(self, X):
        """y^ = f(h), shaped (n_samples, n_outputs)."""
        net_input = self._net_input(X)
        return self._output_activation(net_input.shape[1]).function(net_input)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _take_rows(rows, *arrays):
    """The ``rows`` of each array (the arrays themselves for None)."""
    return arrays if rows is None else tuple(array[rows] for array in arrays)


def _start_fit_bookkeeping(state):
    """A fit (also a warm one) starts its stopping and validation records anew."""
    state.validation_scores = []
    state.validation_loss_curve = []
    state.best_validation_score = -np.inf
    state.best_params = None
    state.no_improvement_count = 0


def _relative_weights(sample_weight):
    """The weights scaled by a power of two so that the largest is in [1, 2).

    Only the relative weights matter to training, but weights so small that
    their mean underflows (all of them 1e-310, say) or so large that their
    sum overflows would break its arithmetic. Scaling by a power of two is
    exact, so weights of ordinary size are scaled only when far from 1.
    """
    largest = float(np.max(sample_weight))
    if 2.0**-64 <= largest <= 2.0**64:
        return sample_weight
    return np.ldexp(sample_weight, -int(np.frexp(largest)[1]))
