"""Closed-form confidence intervals for pass rates.

A benchmark score is the share ``k / n`` of ``n`` tasks solved. Treating the tasks as a
sample from a larger population of possible tasks (Miller 2024, "Adding Error Bars to
Evals", arXiv:2411.00640), the score has a standard error and a confidence interval. Scores
and interval endpoints here are fractions in [0, 1]; multiply by 100 for points.

Intervals (all two-sided at level ``confidence``; ``z = Phi^-1(1 - (1 - confidence)/2)``):

- Wald / CLT: ``p +- z sqrt(p(1-p)/n)``, clipped to [0, 1]. Poor near 0 or 1.
- Wilson score: ``(p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)``
  (Wilson 1927; Agresti & Coull 1998).
- Clopper-Pearson exact: ``[B(a/2; k, n-k+1), B(1-a/2; k+1, n-k)]`` with ``B`` the beta
  quantile (Clopper & Pearson 1934); conservative.
- Clustered: ``p +- z SE_clustered`` where tasks share a cluster (their repository), with
  ``SE_clustered^2 = (1/n^2) sum_c (sum_{i in c} (x_i - xbar))^2`` (Miller 2024, eq. 4).
  With SWE-bench Verified's 12 unequal repositories this naive interval under-covers
  badly; the CR2 interval with an exact small-cluster critical value (``cr2_low/high``,
  from :func:`analysis.stats.clustered.clustered_mean_intervals`) does not. Both are
  measured by ``python -m analysis calibrate``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats._matrix import as_outcome_matrix, cluster_codes
from analysis.stats.clustered import clustered_mean_intervals

ArrayLike = float | int | np.ndarray | Sequence


def _z(confidence: float) -> float:
    """Two-sided normal critical value ``Phi^-1(1 - (1 - confidence)/2)``."""
    if not 0.0 < confidence < 1.0:
        raise DataError("confidence", f"must lie strictly between 0 and 1, got {confidence}")
    return float(scipy_stats.norm.ppf(0.5 + confidence / 2.0))


def _counts(k: ArrayLike, n: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    k_array = np.asarray(k, dtype="float64")
    n_array = np.asarray(n, dtype="float64")
    if np.any(n_array <= 0) or np.any(k_array < 0) or np.any(k_array > n_array):
        raise DataError("k, n", "need 0 <= k <= n and n > 0")
    return k_array, n_array


def _unwrap(value: np.ndarray) -> float | np.ndarray:
    return float(value) if np.ndim(value) == 0 else value


def binomial_standard_error(k: ArrayLike, n: ArrayLike) -> float | np.ndarray:
    """CLT standard error of a pass rate: ``sqrt(p (1 - p) / n)`` with ``p = k / n``.

    This is the plug-in (population-variance) form, so it equals :func:`clustered_standard_error`
    exactly when every task is its own cluster.
    """
    k_array, n_array = _counts(k, n)
    p = k_array / n_array
    return _unwrap(np.sqrt(p * (1.0 - p) / n_array))


def wald_interval(
    k: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Wald (CLT) interval ``p +- z sqrt(p(1-p)/n)``, clipped to [0, 1]. Vectorised."""
    k_array, n_array = _counts(k, n)
    p = k_array / n_array
    half = _z(confidence) * np.sqrt(p * (1.0 - p) / n_array)
    return _unwrap(np.clip(p - half, 0.0, 1.0)), _unwrap(np.clip(p + half, 0.0, 1.0))


def wilson_interval(
    k: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Wilson score interval (Wilson 1927). Vectorised.

    ``centre = (p + z^2/(2n)) / (1 + z^2/n)``,
    ``half = z sqrt(p(1-p)/n + z^2/(4n^2)) / (1 + z^2/n)``.
    """
    k_array, n_array = _counts(k, n)
    z = _z(confidence)
    p = k_array / n_array
    denominator = 1.0 + z**2 / n_array
    centre = (p + z**2 / (2.0 * n_array)) / denominator
    half = z * np.sqrt(p * (1.0 - p) / n_array + z**2 / (4.0 * n_array**2)) / denominator
    return _unwrap(np.clip(centre - half, 0.0, 1.0)), _unwrap(np.clip(centre + half, 0.0, 1.0))


def clopper_pearson_interval(
    k: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Exact Clopper-Pearson interval from beta quantiles (Clopper & Pearson 1934).

    ``low = Beta.ppf(a/2; k, n-k+1)`` (0 when k = 0), ``high = Beta.ppf(1-a/2; k+1, n-k)``
    (1 when k = n), with ``a = 1 - confidence``. Matches
    ``scipy.stats.binomtest(k, n).proportion_ci(method="exact")``. Vectorised.
    """
    k_array, n_array = _counts(k, n)
    _z(confidence)  # validates confidence
    alpha = 1.0 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        low = scipy_stats.beta.ppf(alpha / 2.0, k_array, n_array - k_array + 1.0)
        high = scipy_stats.beta.ppf(1.0 - alpha / 2.0, k_array + 1.0, n_array - k_array)
    low = np.where(k_array == 0, 0.0, low)
    high = np.where(k_array == n_array, 1.0, high)
    return _unwrap(low), _unwrap(high)


def clustered_standard_error(
    outcomes: pd.DataFrame | np.ndarray | Sequence, clusters: Sequence | np.ndarray | pd.Series
) -> float | np.ndarray | pd.Series:
    """Cluster-robust standard error of the mean outcome (Miller 2024, eq. 4).

    ``SE_clustered^2 = (1/n^2) sum_c (sum_{i in c} (x_i - xbar))^2``

    ``outcomes`` is one system's per-task 0/1 vector (returns a float) or a systems x tasks
    matrix (returns one SE per system: a Series for a DataFrame, else an array); ``clusters``
    gives each task's group label (e.g. its repository). With every task in its own cluster
    this reduces to ``sqrt(p(1-p)/n)``; positively correlated outcomes within clusters make it
    larger.
    """
    one_dimensional = np.ndim(outcomes) == 1 and not isinstance(outcomes, pd.DataFrame)
    matrix = as_outcome_matrix(outcomes, where="clustered_standard_error: outcomes")
    coded = cluster_codes(clusters, matrix.n_tasks, where="clustered_standard_error: clusters")
    assert coded is not None
    se = _clustered_se(matrix.values, *coded)
    if one_dimensional:
        return float(se[0])
    if isinstance(outcomes, pd.DataFrame):
        return pd.Series(se, index=outcomes.index, name="se_clustered")
    return se


def _clustered_se(values: np.ndarray, codes: np.ndarray, n_clusters: int) -> np.ndarray:
    n_tasks = values.shape[1]
    centred = values - values.mean(axis=1, keepdims=True)
    membership = np.zeros((n_tasks, n_clusters))
    membership[np.arange(n_tasks), codes] = 1.0
    cluster_sums = centred @ membership  # systems x clusters
    return np.sqrt((cluster_sums**2).sum(axis=1)) / n_tasks


def pass_rate_intervals(
    matrix: pd.DataFrame | np.ndarray,
    clusters: Sequence | np.ndarray | pd.Series | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per-system score with its standard errors and Wald, Wilson, Clopper-Pearson intervals.

    Columns: ``system, solved, n_tasks, score, se`` (binomial ``sqrt(p(1-p)/n)``),
    ``se_clustered`` (NaN without ``clusters``), ``wald_low/high``, ``wilson_low/high``,
    ``clopper_pearson_low/high`` and ``clustered_low/high`` (``score +- z se_clustered``,
    clipped to [0, 1]; NaN without clusters; known to under-cover, see the module
    docstring), and the calibrated small-cluster interval ``cr2_se, cr2_low, cr2_high``
    (NaN without clusters). Scores are fractions in [0, 1].
    """
    outcome = as_outcome_matrix(matrix, where="pass_rate_intervals: matrix")
    z = _z(confidence)
    solved = outcome.values.sum(axis=1)
    n_tasks = np.full(outcome.n_systems, outcome.n_tasks, dtype="float64")
    score = solved / n_tasks
    frame = pd.DataFrame(
        {
            "system": outcome.systems,
            "solved": solved.astype("int64"),
            "n_tasks": n_tasks.astype("int64"),
            "score": score,
            "se": np.sqrt(score * (1.0 - score) / n_tasks),
        }
    )
    coded = cluster_codes(clusters, outcome.n_tasks, where="pass_rate_intervals: clusters")
    frame["se_clustered"] = _clustered_se(outcome.values, *coded) if coded else np.nan
    for method, function in (
        ("wald", wald_interval),
        ("wilson", wilson_interval),
        ("clopper_pearson", clopper_pearson_interval),
    ):
        low, high = function(solved, n_tasks, confidence)
        frame[f"{method}_low"] = np.atleast_1d(low)
        frame[f"{method}_high"] = np.atleast_1d(high)
    frame["clustered_low"] = np.clip(score - z * frame["se_clustered"].to_numpy(), 0.0, 1.0)
    frame["clustered_high"] = np.clip(score + z * frame["se_clustered"].to_numpy(), 0.0, 1.0)
    if coded is not None and coded[1] >= 2:
        cr2 = clustered_mean_intervals(outcome.values, clusters, confidence=confidence)
        frame["cr2_se"] = cr2["se"].to_numpy()
        frame["cr2_low"] = cr2["low"].to_numpy()
        frame["cr2_high"] = cr2["high"].to_numpy()
    else:
        frame["cr2_se"] = frame["cr2_low"] = frame["cr2_high"] = np.nan
    return frame
