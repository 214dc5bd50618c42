"""Spearman's rank correlation with an interval that allows for clustered tasks.

Per-task solve rates of two leaderboards (shares of systems solving each task) are
multiples of ``1/k``, so they tie a lot, and tasks sharing a repository are not independent.
:func:`clustered_spearman_interval` treats Spearman's ``r`` as a mean of per-task influence
values and gives it the package's calibrated clustered interval on Fisher's z scale:

- ranks are average ranks (ties share the mean of their positions); ``r`` is the Pearson
  correlation of the ranks;
- each task's influence value ``psi_t`` (:func:`spearman_influence`) linearises ``r``,
  including the effect of the task on every other task's rank;
- its mean gets the CR2 standard error by cluster and the exact small-cluster critical
  value at the intra-cluster correlation of ``psi``
  (:func:`analysis.stats.clustered.exact_critical_value`), and the interval is built for
  ``atanh(r)`` with standard error ``SE / (1 - r^2)`` and mapped back, so it stays in
  (-1, 1).

``python -m analysis calibrate`` (family ``agreement``) measures its coverage against the
task bootstrap and the cluster bootstrap on two simulated leaderboards scoring the same
500 tasks in the real repositories.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats.clustered import (
    cluster_design,
    cr2_standard_error,
    exact_critical_value,
    pooled_intraclass_correlation,
)


def spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray | float:
    """Spearman's ``r`` along the last axis: the Pearson correlation of mid-ranks (ties
    share the mean of their positions); NaN for a constant row."""
    rank_x = scipy_stats.rankdata(np.asarray(x, dtype=np.float64), axis=-1)
    rank_y = scipy_stats.rankdata(np.asarray(y, dtype=np.float64), axis=-1)
    rank_x -= rank_x.mean(-1, keepdims=True)
    rank_y -= rank_y.mean(-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (rank_x * rank_y).sum(-1) / np.sqrt((rank_x**2).sum(-1) * (rank_y**2).sum(-1))
    return float(r) if np.ndim(r) == 0 else r


def _mean_weight_above(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``mean_j (1{v_i < v_j} + 1{v_i = v_j} / 2) w_j`` for every ``i`` (by level sums)."""
    levels, inverse = np.unique(values, return_inverse=True)
    at_level = np.bincount(inverse, weights=weights, minlength=len(levels))
    above = at_level[::-1].cumsum()[::-1] - at_level  # strictly greater levels
    return (above + at_level / 2.0)[inverse] / len(values)


def spearman_influence(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Spearman's ``r`` of two 1-d arrays (mid-ranks for ties) and each item's influence
    value ``psi`` (mean zero), so that ``r_hat - r ~ mean(psi)``.

    With ``a_i, b_i`` the mid-ranks divided by ``n`` (the empirical mid-distribution
    functions at ``x_i``, ``y_i``) and ``H^x_ij = 1{x_i < x_j} + 1{x_i = x_j}/2``,
    ``r = C / sqrt(V_a V_b)`` with ``C = cov(a, b)``; the influence of item ``i`` on ``C``
    is ``a_i b_i + mean_j H^x_ij b_j + mean_j a_j H^y_ij`` (the last two terms: the item
    moves everyone's rank), on ``V_a`` it is ``a_i^2 + 2 mean_j H^x_ij a_j`` (and so for
    ``b``), each centred, and ``psi = psi_C / sqrt(V_a V_b) - r (psi_Va / V_a + psi_Vb /
    V_b) / 2`` (the delta method; Borkowf 2002, Comput. Stat. Data Anal. 39(3), for the
    continuous case).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(x)
    a = scipy_stats.rankdata(x) / n
    b = scipy_stats.rankdata(y) / n
    centred_a, centred_b = a - a.mean(), b - b.mean()
    covariance = float((centred_a * centred_b).mean())
    variance_a, variance_b = float((centred_a**2).mean()), float((centred_b**2).mean())
    psi_c = a * b + _mean_weight_above(x, b) + _mean_weight_above(y, a)
    psi_a = a**2 + 2.0 * _mean_weight_above(x, a)
    psi_b = b**2 + 2.0 * _mean_weight_above(y, b)
    psi_c, psi_a, psi_b = (v - v.mean() for v in (psi_c, psi_a, psi_b))
    scale = np.sqrt(variance_a * variance_b)
    r = covariance / scale
    return float(r), psi_c / scale - r * (psi_a / variance_a + psi_b / variance_b) / 2.0


def clustered_spearman_interval(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    clusters: Sequence | np.ndarray,
    confidence: float = 0.95,
) -> tuple[float, float, float]:
    """Spearman's ``r`` of ``x`` and ``y`` (one value per task) with the clustered
    Fisher-z interval of the module docstring; returns ``(r, low, high)``."""
    if not 0.0 < confidence < 1.0:
        raise DataError("confidence", f"must lie strictly between 0 and 1, got {confidence}")
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 4:
        raise DataError("spearman", f"need two equal 1-d arrays of 4+ values, got {x.shape}")
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        raise DataError("spearman", "a constant variable has no rank correlation")
    design = cluster_design(clusters, len(x), where="clustered_spearman_interval: clusters")
    r, influence = spearman_influence(x, y)
    totals = design.cluster_sums(influence[None, :])
    _, se = cr2_standard_error(totals, design.sizes)
    rho = float(
        pooled_intraclass_correlation(
            totals, design.cluster_sums((influence**2)[None, :]), design.sizes
        )
    )
    critical = exact_critical_value(design.sizes, min(max(rho, 0.0), 0.99), confidence)
    r = float(min(max(r, -1.0 + 1e-12), 1.0 - 1e-12))
    half = critical * float(se[0]) / (1.0 - r**2)  # delta method for atanh
    return r, float(np.tanh(np.arctanh(r) - half)), float(np.tanh(np.arctanh(r) + half))
