"""The learning rate that sets itself (``eta0="auto"``), from the data's curvature.

Gradient descent on a smooth objective with a full batch is stable while
``eta < 2 / L``, where L is the largest curvature (the largest eigenvalue of
the Hessian) of the mean loss: along that direction each step multiplies
the error by ``1 - eta L``, which shrinks only while ``|1 - eta L| < 1``. For
the delta rule the Hessian of the mean loss is at most ``c Z^T S Z / sum(S)``
(plus ``alpha`` for the L2 penalty), with ``Z = [X, 1]`` (the 1 for the
intercept), ``S`` the sample weights and ``c`` the largest second derivative
of the per-sample loss by the net input (1 for the identity's squared error,
1/4 for a logistic unit's log loss, ...).

A mini-batch of b rows sees a noisier curvature than the full batch: a
single row i can be as curved as ``c w_i / mean(w) ||z_i||^2``, and the
largest of these, ``L_max``, is what bounds an online step (scikit-learn's
SAG solver sets its step from it). Gower et al. ("SGD: General Analysis and
Improved Rates", ICML 2019) show that batches of b rows drawn without
replacement from n behave as a smoothness of::

    L_b = n (b - 1) / (b (n - 1)) L + (n - b) / (b (n - 1)) L_max

which is L for a full batch and L_max online. The rate is then::

    eta = (1 - momentum) / (c L_b + alpha)             (full batch)
    eta = (1 - momentum) / (2 c L_b + alpha)           (smaller batches)

For a full batch that is half the edge of stability, where the error along
the most curved direction is removed in one step. Smaller batches take half
of it again: Gower et al.'s convergence theorem allows steps up to
``1 / (2 L_b)``, and the noise of the batches, which a constant rate never
averages away, grows with the step. Momentum adds up past steps, which the
factor ``1 - momentum`` pays for.
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import dsyrk as syrk
from scipy.sparse.linalg import LinearOperator, eigsh

from sklearn_delta._rows import as_index, block_size, blocks

# The weighted second-moment matrix is formed (one matrix product per block
# of rows, see ``_rows.py``) from at most this many rows, evenly spaced
# through X: its largest eigenvalue is then an estimate, biased upwards if
# anything (the top eigenvalue of a sample's second moment tends to exceed
# the whole data's).
EXACT_ROWS = 100_000
# With more features than this, the largest eigenvalue comes from Lanczos
# iterations (scipy's eigsh) instead of a dense eigendecomposition.
MAX_DENSE_FEATURES = 1024


def auto_learning_rate(curvature, L, L_max, n_samples, batch_size, alpha, momentum):
    """The rate of ``eta0="auto"``; see the module docstring.

    Parameters
    ----------
    curvature : float
        c, the loss's largest second derivative by the net input.
    L, L_max : float
        The largest eigenvalue of the weighted second moment of [X, 1], and
        the largest weighted squared norm of a row of [X, 1].
    n_samples, batch_size : int
        Rows trained on, and rows per step.
    alpha, momentum : float
        The estimator's parameters.
    """
    b, n = batch_size, n_samples
    if b >= n:
        smoothness = L
    else:
        # Twice the expected smoothness: the stochastic steps' safety margin.
        smoothness = 2 * (n * (b - 1) * L + (n - b) * L_max) / (b * (n - 1))
    return (1.0 - momentum) / (curvature * smoothness + alpha)


def second_moment_bounds(
    X, sample_weight, *, rows_too=True, fit_intercept=True, rows=None
):
    """L and L_max of [X, 1] (of X alone without an intercept).

    L is the largest eigenvalue of ``Z^T S Z / sum(S)``, L_max the largest
    ``w_i / mean(w) ||z_i||^2`` over the rows of positive weight. A full
    batch needs no L_max (``rows_too=False``): it is then None. ``rows``
    (indices, None for all) are the training rows the bounds are of; X is
    read a block of rows at a time, never copied whole.
    """
    if rows is None:
        rows = range(X.shape[0])
    # L does not change when the weights are scaled: they are used as they
    # are, and divided by their mean only for L_max (a block at a time).
    L_max = None
    with np.errstate(over="ignore", invalid="ignore"):
        if rows_too:
            mean_weight = sample_weight[as_index(rows)].mean()
            L_max = _largest_row_norm(
                X, sample_weight, mean_weight, rows, fit_intercept
            )
        n_columns = X.shape[1] + fit_intercept
        if n_columns <= MAX_DENSE_FEATURES:
            L = _largest_eigenvalue_dense(X, sample_weight, rows, fit_intercept)
        else:
            L = _largest_eigenvalue_lanczos(X, sample_weight, rows, fit_intercept)
    check_finite_curvature(L, L_max, X.dtype)
    return L, L_max


def check_finite_curvature(L, L_max, dtype=np.float64):
    """Refuse data whose curvature overflows, or whose stable rate would not
    even be a number of the data's dtype: no rate can train on it."""
    largest = max(L, L_max or 0.0)
    if not (np.isfinite(largest) and largest < 1.0 / float(np.finfo(dtype).tiny)):
        raise ValueError(
            "The features are too large for the arithmetic: the squared norms "
            "of the rows overflow, so eta0='auto' finds no stable learning "
            "rate. The features are probably on very large scales: standardise "
            "them (e.g. with StandardScaler)."
        )


def _row_norms(X):
    if sp.issparse(X):
        return np.asarray(X.multiply(X).sum(axis=1, dtype=np.float64)).ravel()
    return np.einsum("ij,ij->i", X, X, dtype=np.float64)


def _largest_row_norm(X, sample_weight, mean_weight, rows, fit_intercept):
    """L_max: the largest ``w_i / mean(w) ||z_i||^2`` of the rows ``rows``,
    block by block (``X.multiply(X)`` of a whole CSR X would copy it)."""
    largest = [
        np.max(
            sample_weight[piece]
            / mean_weight
            * (_row_norms(X[piece]) + float(fit_intercept))
        )
        for piece in blocks(rows, block_size(X))
    ]
    return float(np.max(largest))  # NaN, if any, is kept for the check


def _largest_eigenvalue_dense(X, weight, rows, fit_intercept):
    """From the second-moment matrix, formed block by block (X is never
    copied whole); on large data from evenly spaced rows."""
    step = max(1, -(-len(rows) // EXACT_ROWS))
    moment = weighted_second_moment(X, weight, rows[::step], fit_intercept)
    if not np.all(np.isfinite(moment)):
        return np.inf
    # Only the upper triangle is filled (see _add_block): it is enough.
    return float(np.linalg.eigvalsh(moment, UPLO="U")[-1])


def weighted_second_moment(X, weight, rows, fit_intercept):
    """``Z_r^T W_r Z_r / sum(W_r)`` over the rows ``rows`` (Z = [X, 1]).

    ``rows`` is a range (read as views of a dense X) or an array of indices;
    either is read a block at a time (see ``_rows.py``). For dense X only
    the upper triangle is formed (the matrix is symmetric).
    """
    n_features = X.shape[1]
    # Fortran order lets BLAS add each block's product into it in place.
    moment = np.zeros((n_features, n_features), order="F")
    column_sums = np.zeros(n_features)
    # A block of at least n_features rows, so that forming its product
    # costs more than writing the (n_features, n_features) result.
    size = max(block_size(X, itemsize=8), n_features)
    for piece in blocks(rows, size):
        moment = _add_block(moment, column_sums, X[piece], weight[piece])
    weight_sum = weight[as_index(rows)].sum()
    return bordered(moment, column_sums, weight_sum, fit_intercept)


def _add_block(moment, column_sums, block, block_weight):
    """Add a block's ``Z^T W Z`` to ``moment`` and the column sums of ``W Z``
    to ``column_sums``; return the moment (its temporaries go with it)."""
    if sp.issparse(block):
        block = block.astype(np.float64)  # float32 would overflow here
        weighted = block.multiply(block_weight[:, None]).tocsr()
        moment += (block.T @ weighted).toarray()
        column_sums += np.asarray(weighted.sum(axis=0)).ravel()
        return moment
    # (sqrt(w) x)^T (sqrt(w) x), in float64 so that float32 data does not
    # overflow, by BLAS's symmetric rank-k update: it adds the product into
    # moment's upper triangle in place, with no (n_features, n_features)
    # temporary.
    root = np.sqrt(block_weight)
    scaled = np.multiply(block, root[:, None], dtype=np.float64, order="C")
    column_sums += root @ scaled
    return syrk(1.0, scaled.T, beta=1.0, c=moment, trans=0, lower=0, overwrite_c=1)


def bordered(moment, column_sums, weight_sum, fit_intercept):
    """The second moment of [X, 1] from that of X and the column sums of WX,
    divided by the sum of the weights."""
    if not fit_intercept:
        return moment / weight_sum
    n_features = moment.shape[0]
    full = np.empty((n_features + 1, n_features + 1))
    full[:n_features, :n_features] = moment
    full[:n_features, -1] = full[-1, :n_features] = column_sums
    full[-1, -1] = weight_sum
    full /= weight_sum
    return full


def _moment_product(X, weight, vector, fit_intercept):
    """``Z^T W Z v / sum(W)`` over all rows, without forming Z."""
    coef, intercept = (vector[:-1], vector[-1]) if fit_intercept else (vector, 0.0)
    weighted = weight * (X @ coef + intercept)
    product = np.asarray(X.T @ weighted).ravel()
    if fit_intercept:
        product = np.append(product, weighted.sum())
    return product / weight.sum()


def _largest_eigenvalue_lanczos(X, weight, rows, fit_intercept):
    if not isinstance(rows, range):
        # Rows held out weigh nothing: the products over all rows are then
        # those over ``rows``, without copying X.
        kept = np.zeros_like(weight)
        kept[rows] = weight[rows]
        weight = kept
    n_columns = X.shape[1] + fit_intercept
    operator = LinearOperator(
        (n_columns, n_columns),
        matvec=lambda v: _moment_product(X, weight, np.ravel(v), fit_intercept),
        dtype=np.float64,
    )
    start = np.full(n_columns, 1.0 / np.sqrt(n_columns))
    # A relative accuracy of 1e-3 is plenty for a learning rate.
    return float(eigsh(operator, k=1, which="LA", tol=1e-3, v0=start)[0][0])
