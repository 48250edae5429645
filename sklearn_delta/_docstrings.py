"""Parameter and attribute documentation shared by both estimators.

Each estimator's class docstring holds the placeholders
``%(training_parameters)s`` and ``%(training_attributes)s``;
:func:`fill_docstring` puts the text below in their place, so that the two
estimators document their shared parameters in the same words.
"""

TRAINING_PARAMETERS = """\
learning_rate : {"constant", "invscaling", "adaptive"} or \
LearningRateSchedule, default="constant"
        How the learning rate eta changes from epoch to epoch:

        - "constant": ``eta = eta0`` throughout (the textbook delta rule);
        - "invscaling": ``eta = eta0 / (n_iter_ + 1) ** power_t``, decaying
          with the epochs run so far (SGD* counts samples instead: its rate
          depends on the data's size, ours does not);
        - "adaptive": ``eta = eta0`` until the loss (or validation score)
          stops improving for ``n_iter_no_change`` epochs, then divided by 5
          each time it stalls, until it has fallen to 1e-6 or below; the
          next stall then ends training (as MLP* does). In a stream each
          ``partial_fit`` call's loss, over its own chunk, is compared with
          the best of the earlier calls, so that chunks that differ by
          chance count as stalls: give a stream "constant" or "invscaling";
        - a :class:`~sklearn_delta.LearningRateSchedule` of your own. It is
          copied at the start of ``fit``, never changed in place.

        The rate is set at the start of each epoch (each ``partial_fit``
        call), and ``partial_fit`` and ``warm_start`` continue the schedule.
        A ``learning_rate`` or ``power_t`` changed with ``set_params``
        since the last call starts the new schedule at the next one
        (``n_iter_`` and ``t_`` carry on).

    eta0 : float or "auto", default="auto"
        The initial learning rate. "auto" sets it from the curvature of the
        loss on the training data, so that training is stable without
        tuning: ``eta0 = (1 - momentum) / (c L_b + alpha)`` for a full
        batch, where ``L_b`` is the largest curvature of the mean squared
        input ``[x, 1]`` seen by a batch of ``batch_size`` rows (from the
        full batch's largest eigenvalue up to the largest squared row norm,
        for online steps) and ``c`` how curved the loss is through the
        activation (1 for the identity's squared error, 1/4 for a logistic
        unit's log loss); smaller batches take half of it (``2 c L_b``). See
        the user guide's "The learning rate that sets itself". ``fit``
        computes it from its training data; ``partial_fit`` on its first
        call, from the first chunk, and keeps it afterwards (a stream whose
        ``eta0`` was a number until ``set_params(eta0="auto")`` computes it
        on its next chunk; a chunk of fewer than 10 rows warns that its
        rate may be far off). ``eta0_`` holds the rate chosen. A number
        is used as it is: the textbook delta rule.

        Training that diverges (the loss becomes infinite, grows a
        thousandfold, or in a fit rises clearly above its best) goes back to
        the weights where its best epoch began and goes on at a quarter of
        the rate; a call that had to do so warns once, with a
        :class:`~sklearn_delta.DivergenceWarning`.

    power_t : float, default=0.5
        The exponent of the "invscaling" schedule.

    batch_size : int, "auto" or "full", default="full"
        Samples per weight update. "full" is batch gradient descent (one
        update per epoch: deterministic, and with ``eta0="auto"`` the
        steadiest way to the minimum), 1 is the online (stochastic) delta
        rule, an int is a mini-batch. "auto" means ``min(32, n_samples)``
        (scikit-learn's MLP takes 200). A batch size larger than the data is
        clipped to the number of samples (in ``partial_fit``, to the rows
        of the chunk). A last batch of fewer rows takes a step as much
        smaller (its rows' summed steps divided by ``batch_size``), so that
        every sample of an epoch weighs the same.

        .. versionchanged:: 0.2
           The last, smaller batch took the mean over its rows.

    max_iter : int, default=10_000
        The most epochs (passes over the data) one ``fit`` runs. Most fits
        stop much earlier, by ``tol``; a full-batch epoch is one pass of two
        matrix products.

    tol : float or None, default=2e-6
        Training stops once the training loss has not improved by at least
        ``tol`` times its scale (the larger of the loss at the start and the
        loss of all-zero weights) for more than ``n_iter_no_change``
        consecutive epochs: unlike SGD* and MLP*, whose ``tol`` is in the
        units of the loss, the rule does not depend on the units of y. With
        early stopping: once the validation score has not improved by at
        least ``tol``. None never stops early: exactly ``max_iter`` epochs
        run, without a ConvergenceWarning, as in SGD*.

    n_iter_no_change : int or np.inf, default=5
        How many epochs without improvement to tolerate before stopping;
        ``np.inf`` never stops early, as in MLP*. A full-batch fit that this
        rule ends on weights clearly worse than those its best epoch began
        with (momentum, or a hand-set eta0 near the edge of stability,
        makes the loss rise and fall) goes back to those, with the momentum
        at rest; raise ``n_iter_no_change`` to let it train on through the
        swings.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified for
        the classifier), score it after every epoch and stop when the score
        stops improving; the weights of the best-scoring epoch are kept.
        Ignored by ``partial_fit``.

    validation_fraction : float, default=0.1
        The share of the sample weight held out for early stopping (of each
        class's weight, for the classifier); with unit weights, the
        ``ceil(validation_fraction * n)`` rows of a class of ``n``. Rows are
        picked by a random function of their values and ``random_state``, so
        equal rows stay together and a weight of k acts as k repeated rows.

    alpha : float, default=0.0
        L2 penalty: each step also shrinks the weights (not the intercepts)
        by ``eta * alpha * w``, the gradient of ``alpha / 2 * ||w||^2``.

    momentum : float, default=0.0
        Classical momentum in [0, 1): each step adds ``momentum`` times the
        previous step. 0 is the pure delta rule. ``eta0="auto"`` takes
        ``1 - momentum`` times the rate it would take without; even so,
        heavy momentum makes a full batch's loss swing up and down for
        many epochs (see ``n_iter_no_change``).

    fit_intercept : bool, default=True
        Whether the units have an intercept (bias) b. With False every
        intercept stays 0: it is neither trained nor started at the mean
        target, and ``eta0="auto"`` measures the curvature of X alone.

    shuffle : bool, "rows" or "blocks", default=True
        Visit the samples in a new random order every epoch; False keeps
        their order. The rows of X are never copied for this: the loop
        permutes indices. Mini-batches of 48 rows or more are read in short
        blocks of consecutive rows (at least 24 per batch, at most 8 KiB
        each), dealt so that each batch spans all of X: on a large X that
        is faster than single rows from random places, and it trains as
        well, whatever order the rows come in. ``"rows"`` shuffles single
        rows for every batch size; ``"blocks"`` is the same as True. See
        :ref:`block_shuffle`.

        .. versionchanged:: 0.2
           True reads such batches in dealt blocks (it shuffled single
           rows, as ``"rows"`` does now).

    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling and the early-stopping split. An int gives a
        bit-identical model for the same data.

    warm_start : bool, default=False
        Continue the previous fit: its weights, momentum, ``t_`` (so the
        learning-rate schedule), ``n_iter_`` and loss curve carry over, and
        ``max_iter`` more epochs run.

    verbose : int, default=0
        Print one line per epoch with its loss.

    record_weights : bool, default=False
        Keep the weights before the first epoch and after every epoch in
        ``coef_history_`` and ``intercept_history_``, to draw the path of
        the descent (see :class:`~sklearn_delta.plotting.DescentPathDisplay`).
        Off, it costs nothing."""

TRAINING_ATTRIBUTES = """\
loss_curve_ : list of float
        One value per epoch: the objective of the weights that epoch saw.
        That is the weighted mean per-sample loss (``1/2 sum_j (y_j -
        y^_j)^2`` for the squared error), each sample's loss taken just
        before the update that used it, plus the penalty ``alpha / 2 *
        ||w||^2`` of the weights the epoch started from. For a full batch it
        is exactly the objective of the weights before the epoch's step. It
        continues over ``partial_fit`` calls and warm starts.

    loss_ : float
        The last value of ``loss_curve_``: the loss of the last epoch run
        (not of the weights kept, when a fit went back to an earlier epoch's,
        see ``n_iter_no_change`` and ``early_stopping``).

    best_loss_ : float
        The smallest value in ``loss_curve_``. A full-batch fit that its
        stopping rule ended on a swing keeps the weights its best epoch of
        that fit began with (see ``n_iter_no_change``).

    validation_scores_ : list of float
        The score on the held-out data after each epoch; only set when
        ``early_stopping=True``.

    validation_loss_curve_ : list of float
        The mean loss on the held-out data after each epoch, comparable to
        ``loss_curve_``; only set when ``early_stopping=True``.

    best_validation_score_ : float
        The best of ``validation_scores_``, whose weights are kept; only set
        when ``early_stopping=True``.

    coef_history_ : ndarray of shape (n_records, ...)
        With ``record_weights=True``: ``coef_`` before the first epoch, then
        after each epoch (continued by ``partial_fit`` and warm starts); each
        entry has the shape of ``coef_``. A fit that kept the weights of an
        earlier epoch (early stopping, or a full batch stopped on a swing,
        see ``n_iter_no_change``) ends with ``coef_`` equal to an earlier
        entry, not the last.

    intercept_history_ : ndarray of shape (n_records, ...)
        The intercepts recorded with ``coef_history_``, each shaped like
        ``intercept_``.

    n_iter_ : int
        Epochs run, counting every ``partial_fit`` call as one.

    eta0_ : float
        The initial learning rate used: ``eta0``, or the rate that
        ``eta0="auto"`` chose.

    learning_rate_ : float
        The learning rate of the last epoch: the schedule's rate, after any
        cuts made by the divergence guard.

    n_features_in_ : int
        Number of features seen during the first ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when X has feature names that
        are all strings (a pandas DataFrame)."""


def fill_docstring(cls):
    """Class decorator: put the shared documentation in the class docstring."""
    cls.__doc__ = cls.__doc__.replace(
        "%(training_parameters)s", TRAINING_PARAMETERS
    ).replace("%(training_attributes)s", TRAINING_ATTRIBUTES)
    return cls
