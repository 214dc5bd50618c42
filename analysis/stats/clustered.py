"""Small-cluster inference for scores and paired differences when tasks share a repository.

SWE-bench Verified's 500 tasks come from 12 repositories of very unequal size (django alone
holds almost half), so outcomes are not independent and the effective number of clusters is
far below 12. The naive cluster-robust standard error (Liang-Zeger "CR0", used with a normal
critical value) then under-covers badly, and so do the usual ``G/(G-1)`` and ``t(G-1)``
fixes; ``python -m analysis calibrate`` measures all of them.

Everything here is for a mean (an intercept-only regression), where the corrections have
closed forms in the cluster sums. With ``n`` tasks, cluster sizes ``n_g``, shares
``w_g = n_g / n`` and residual cluster sums ``S_g = sum_{i in g} (x_i - xbar)``:

- **CR2** (Bell & McCaffrey 2002; Imbens & Kolesar 2016, "Robust standard errors in small
  samples: some practical advice", REStat 98(4); Pustejovsky & Tipton 2018, JBES 36(4)).
  The adjustment ``A_g = (I - H_gg)^(-1/2)`` with ``H_gg = J_g / n`` scales ``1' e_g`` by
  ``1 / sqrt(1 - w_g)``, so ``V_CR2 = (1/n^2) sum_g S_g^2 / (1 - w_g)``. With equal clusters
  this is ``G/(G-1) V_CR0`` (the "CR1" form); with every task its own cluster it is
  ``s^2 / n`` (HC2 = the one-sample t statistic's variance).
- **Bell-McCaffrey degrees of freedom**: Satterthwaite's ``(tr M)^2 / tr(M^2)`` with
  ``M = G' G`` under a working model of independent, equal-variance tasks; closed form
  ``nu = 1 / (sum w_g^2 + (sum q_g)^2 - sum q_g^2)``, ``q_g = w_g^2 / (1 - w_g)``. Equal
  clusters give ``G - 1``, singletons ``n - 1``; the real repositories give about 3.3.
  Interval: ``xbar +- t_{nu, 1-a/2} SE_CR2``. With one dominant cluster the Satterthwaite
  approximation is conservative when tasks are in fact independent (about 97% coverage).
- **Exact critical value under an estimated working model** (the refinement Imbens &
  Kolesar 2016, section IV, recommend: a random-effects working model with the intra-cluster
  correlation estimated from the data). The cluster sums ``Y_g`` are working-normal with
  ``Var Y_g = n_g (1 - rho) + rho n_g^2``; the t ratio ``T = (1'Y/n) / SE_CR2`` satisfies
  ``P(|T| <= c) = P(Y' (a a' - c^2 R' K R / n^2) Y <= 0)`` (``a = 1/n``, ``R = I - n 1'/n``,
  ``K = diag(1/(1 - w_g))``), a weighted sum of chi-squares evaluated exactly by Imhof's
  (1961, Biometrika 48) integral. The critical value ``c`` solves
  ``P(|T| <= c) = confidence``; ``rho`` is the one-way ANOVA estimator pooled over all
  systems (their mean squares averaged), so one precise estimate serves the whole matrix.
  This is the interval the report is meant to use; ``python -m analysis calibrate``
  measures its coverage in every scenario.
- **Wild cluster restricted bootstrap** (WCR) test of a zero mean (a paired difference)
  with Webb's six-point weights ``+-sqrt(1/2), +-1, +-sqrt(3/2)`` (Webb 2023, "Reworking wild
  bootstrap-based inference for clustered errors", Can. J. Econ. 56(3); MacKinnon & Webb
  2018, "The wild bootstrap for few (treated) clusters", Econometrics Journal 21(2)): under
  the null the cluster sums of the differences are ``D_g``; each resample flips them to
  ``v_g D_g`` (one weight per cluster), recomputes the CR2 t statistic, and
  ``p = (1 + #{|t*| >= |t|}) / (B + 1)``. Everything reduces to matrix products of the
  ``B x G`` weights with the cluster sums, so all pairs share one set of weights.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis.errors import DataError
from analysis.stats._matrix import as_outcome_matrix, cluster_codes

__all__ = [
    "INTERVAL_METHODS",
    "WEBB_WEIGHTS",
    "ClusterDesign",
    "bell_mccaffrey_df",
    "cluster_design",
    "clustered_difference_tests",
    "clustered_mean_intervals",
    "clustered_paired_differences",
    "clustered_score_intervals",
    "cr2_standard_error",
    "exact_critical_value",
    "exact_p_values",
    "pooled_difference_icc",
    "pooled_intraclass_correlation",
    "wild_cluster_p_values",
]

#: Webb's (2023) six-point weight distribution (mean 0, variance 1, equal probabilities).
WEBB_WEIGHTS = np.array(
    [-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)], dtype=np.float64
)
# Resampled |t| within this of the observed one count as "as extreme" (float noise).
_TIE_TOLERANCE = 1e-9
# Resamples per chunk of the wild bootstrap (bounds the K x chunk working arrays).
_WILD_CHUNK = 4096
#: ``clustered_mean_intervals`` methods: exact critical value under an estimated working
#: model (default, calibrated), or Satterthwaite's Bell-McCaffrey t.
INTERVAL_METHODS = ("exact", "bell_mccaffrey")


@dataclass(frozen=True)
class ClusterDesign:
    """Cluster structure of the tasks: ``codes[t]`` in ``0..G-1``, ``sizes[g]`` tasks each."""

    codes: np.ndarray
    sizes: np.ndarray
    labels: list[str]

    @property
    def n_tasks(self) -> int:
        return int(self.sizes.sum())

    @property
    def n_clusters(self) -> int:
        return len(self.sizes)

    @property
    def shares(self) -> np.ndarray:
        """``w_g = n_g / n``."""
        return self.sizes / self.sizes.sum()

    @property
    def df(self) -> float:
        """Bell-McCaffrey degrees of freedom of a clustered mean (see :func:`bell_mccaffrey_df`)."""
        return bell_mccaffrey_df(self.sizes)

    def cluster_sums(self, values: np.ndarray) -> np.ndarray:
        """Per-cluster sums of the last axis of ``values`` (``(..., n) -> (..., G)``)."""
        membership = np.zeros((self.n_tasks, self.n_clusters))
        membership[np.arange(self.n_tasks), self.codes] = 1.0
        return values @ membership


def cluster_design(
    clusters: Sequence | np.ndarray | pd.Series, n_tasks: int, where: str = "clusters"
) -> ClusterDesign:
    """A :class:`ClusterDesign` from one cluster label per task; needs at least two clusters."""
    coded = cluster_codes(clusters, n_tasks, where=where)
    if coded is None:
        raise DataError(where, "cluster labels are required")
    codes, n_clusters = coded
    if n_clusters < 2:
        raise DataError(where, "need at least two clusters for a cluster-robust interval")
    labels = pd.unique(np.asarray(clusters, dtype=object))
    return ClusterDesign(
        codes=codes,
        sizes=np.bincount(codes, minlength=n_clusters).astype(np.float64),
        labels=[str(label) for label in labels],
    )


def bell_mccaffrey_df(sizes: Sequence[float] | np.ndarray) -> float:
    """Satterthwaite degrees of freedom of the CR2 variance of a mean (Bell & McCaffrey 2002).

    ``nu = (tr M)^2 / tr(M^2)`` with ``M_gh = (a_g a_h / n)(delta_gh w_g - w_g w_h)``,
    ``a_g = (1 - w_g)^(-1/2)``, under working independence; in closed form
    ``nu = 1 / (sum w_g^2 + (sum q_g)^2 - sum q_g^2)`` with ``q_g = w_g^2 / (1 - w_g)``.
    Equal sizes give ``G - 1``; ``n`` singleton clusters give ``n - 1``.
    """
    size_array = np.asarray(sizes, dtype=np.float64)
    if size_array.ndim != 1 or len(size_array) < 2 or np.any(size_array <= 0):
        raise DataError("cluster sizes", "need at least two clusters of positive size")
    shares = size_array / size_array.sum()
    q = shares**2 / (1.0 - shares)
    return float(1.0 / ((shares**2).sum() + q.sum() ** 2 - (q**2).sum()))


def cr2_standard_error(
    cluster_totals: np.ndarray, sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and CR2 standard error from cluster totals ``(..., G)`` of any per-task values.

    ``mean = sum_g T_g / n``; ``SE^2 = (1/n^2) sum_g (T_g - n_g mean)^2 / (1 - w_g)``.
    Vectorised over leading axes (systems, pairs, simulation replicates).
    """
    totals = np.asarray(cluster_totals, dtype=np.float64)
    size_array = np.asarray(sizes, dtype=np.float64)
    n_tasks = size_array.sum()
    mean = totals.sum(axis=-1) / n_tasks
    residual = totals - size_array * mean[..., None]
    variance = (residual**2 / (1.0 - size_array / n_tasks)).sum(axis=-1) / n_tasks**2
    return mean, np.sqrt(variance)


def _imhof_below_zero(weights: np.ndarray) -> float:
    """``P(sum_j weights_j chi2_1,j <= 0)`` by Imhof's (1961) inversion integral.

    The probability does not change when all weights are scaled, so they are scaled to a
    largest magnitude of 1 first: the raw eigenvalues are of order ``1/n^2``, which would
    spread the integrand over ``u`` up to ``n^2`` and defeat the quadrature.
    """
    from scipy.integrate import IntegrationWarning, quad

    largest = float(np.abs(weights).max(initial=0.0))
    if largest > 0:
        weights = weights / largest

    def integrand(u: float) -> float:
        theta = 0.5 * np.arctan(weights * u).sum()
        rho = np.prod((1.0 + (weights * u) ** 2) ** 0.25)
        return np.sin(theta) / (u * rho)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IntegrationWarning)
        value, error = quad(integrand, 0.0, np.inf, limit=500, epsabs=1e-12)
    # Far in the tail (huge t ratios) quad reports round-off while its error estimate stays
    # tiny: the probability is then ~0, well below any level tested. Only an error estimate
    # that could move a p-value at the precision reported is worth a warning.
    if caught and error > 1e-6:
        warnings.warn(
            f"Imhof integral inaccurate (error estimate {error:.1g}); p-value approximate",
            RuntimeWarning,
            stacklevel=3,
        )
    return float(min(max(0.5 - value / np.pi, 0.0), 1.0))


def _ratio_forms(sizes: np.ndarray, rho: float) -> tuple[np.ndarray, np.ndarray]:
    """``(m, V)`` with ``mean = m'Z`` and ``SE_CR2^2 = Z'VZ`` for standard-normal ``Z`` under
    the working model (cluster sums ``Y = S^(1/2) Z``)."""
    size_array = np.asarray(sizes, dtype=np.float64)
    n_tasks = size_array.sum()
    n_clusters = len(size_array)
    root = np.sqrt(size_array * (1.0 - rho) + rho * size_array**2)  # S^(1/2), diagonal
    mean_row = np.full(n_clusters, 1.0 / n_tasks)
    residual = np.eye(n_clusters) - np.outer(size_array, mean_row)
    variance_form = residual.T @ np.diag(1.0 / (1.0 - size_array / n_tasks)) @ residual
    return root * mean_row, root[:, None] * variance_form * root[None, :] / n_tasks**2


def _exact_coverage(c: float, scaled_mean: np.ndarray, scaled_variance: np.ndarray) -> float:
    form = np.outer(scaled_mean, scaled_mean) - c**2 * scaled_variance
    return _imhof_below_zero(np.linalg.eigvalsh(form))


def exact_p_values(
    t_values: np.ndarray | Sequence[float], sizes: Sequence[float] | np.ndarray, rho: float = 0.0
) -> np.ndarray:
    """Two-sided p-values ``P(|T| >= |t|)`` of CR2 t ratios under the working model of
    :func:`exact_critical_value` (same ``sizes`` and ``rho``), by Imhof's integral.

    Far in the tail this leans on the working model's normality more than the 5% level does;
    the harness checks the level at 5%.
    """
    if not 0.0 <= rho < 1.0:
        raise DataError("rho", f"intra-cluster correlation must be in [0, 1), got {rho}")
    bell_mccaffrey_df(sizes)  # validates the sizes
    scaled_mean, scaled_variance = _ratio_forms(np.asarray(sizes, dtype=np.float64), rho)
    values = np.abs(np.atleast_1d(np.asarray(t_values, dtype=np.float64)))
    return np.array([1.0 - _exact_coverage(float(t), scaled_mean, scaled_variance) for t in values])


def exact_critical_value(
    sizes: Sequence[float] | np.ndarray, rho: float = 0.0, confidence: float = 0.95
) -> float:
    """Critical value ``c`` with ``P(|xbar - mu| <= c SE_CR2) = confidence`` exactly, for
    normal data under a random-effects working model with intra-cluster correlation ``rho``.

    See the module docstring: the coverage at ``c`` is ``P(Y'N(c)Y <= 0)`` for the cluster
    sums ``Y``, a weighted sum of chi-squares (eigenvalues of ``S^(1/2) N(c) S^(1/2)`` with
    ``S = Cov Y``), solved for ``c`` by Brent's method. ``rho = 0`` is working independence.
    """
    from scipy.optimize import brentq

    if not 0.0 < confidence < 1.0:
        raise DataError("confidence", f"must lie strictly between 0 and 1, got {confidence}")
    if not 0.0 <= rho < 1.0:
        raise DataError("rho", f"intra-cluster correlation must be in [0, 1), got {rho}")
    size_array = np.asarray(sizes, dtype=np.float64)
    bell_mccaffrey_df(size_array)  # validates the sizes
    scaled_mean, scaled_variance = _ratio_forms(size_array, rho)
    return float(
        brentq(
            lambda c: _exact_coverage(c, scaled_mean, scaled_variance) - confidence,
            0.5,
            200.0,
            xtol=1e-8,
        )
    )


def pooled_intraclass_correlation(
    cluster_totals: np.ndarray, cluster_squares: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """One-way ANOVA intra-cluster correlation pooled over the second-to-last axis.

    ``cluster_totals`` and ``cluster_squares`` (sums of values and of squared values per
    cluster) are ``(..., K, G)`` for ``K`` series (systems); the between and within mean
    squares ``MSB = sum_g n_g (ybar_g - ybar)^2 / (G - 1)`` and
    ``MSW = sum_g sum_i (y_i - ybar_g)^2 / (n - G)`` are averaged over the ``K`` series, then
    ``rho = (MSB - MSW) / (MSB + (n0 - 1) MSW)`` with ``n0 = (n - sum n_g^2 / n) / (G - 1)``
    (Searle, Casella & McCulloch 1992, ch. 3), clipped to [0, 0.99]; 0 when every cluster
    is a single task (no within-cluster variation to compare with).
    """
    size_array = np.asarray(sizes, dtype=np.float64)
    n_tasks, n_clusters = size_array.sum(), len(size_array)
    totals = np.asarray(cluster_totals, dtype=np.float64)
    if n_tasks <= n_clusters:
        return np.zeros(totals.shape[:-2])
    mean = totals.sum(axis=-1, keepdims=True) / n_tasks
    between = (size_array * (totals / size_array - mean) ** 2).sum(axis=-1) / (n_clusters - 1)
    within = (np.asarray(cluster_squares) - totals**2 / size_array).sum(axis=-1) / (
        n_tasks - n_clusters
    )
    between, within = between.mean(axis=-1), within.mean(axis=-1)
    n0 = (n_tasks - (size_array**2).sum() / n_tasks) / (n_clusters - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (between - within) / (between + (n0 - 1.0) * within)
    return np.clip(np.nan_to_num(rho, nan=0.0), 0.0, 0.99)


def pooled_difference_icc(
    totals: np.ndarray,
    solver_square_totals: np.ndarray,
    sizes: np.ndarray,
    square_totals: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`pooled_intraclass_correlation` of the differences ``x_a - x_b`` of all pairs
    ``a < b``, from per-system quantities only (no per-pair arrays).

    ``totals`` is ``(..., S, G)`` (solved tasks per system and cluster) and
    ``solver_square_totals`` ``(..., G)`` the cluster sums of ``c_t^2`` with ``c_t`` the
    number of systems solving task ``t``. Summed over pairs, with ``T_g = sum_a T_ag``:
    ``sum D_g^2 = S sum_a T_ag^2 - T_g^2``, ``sum (sum_g D_g)^2 = S sum_a N_a^2 - (sum N_a)^2``
    and ``sum_pairs sum_{t in g} d_t^2 = S Q_g - sum_{t in g} c_t^2`` with ``Q_g`` the
    cluster sums of ``sum_a x_at^2`` (``square_totals``, ``(..., G)``; for 0/1 outcomes it
    is ``T_g``, the default, giving ``(S - 1) T_g - sum_{t in g} (c_t^2 - c_t)``), so scores
    in [0, 1] work too (``c_t`` is then the sum of the scores on task ``t``).
    """
    size_array = np.asarray(sizes, dtype=np.float64)
    n_tasks, n_clusters = size_array.sum(), len(size_array)
    totals = np.asarray(totals, dtype=np.float64)
    n_systems = totals.shape[-2]
    n_pairs = n_systems * (n_systems - 1) / 2.0
    if n_pairs == 0 or n_tasks <= n_clusters:
        return np.zeros(totals.shape[:-2])
    cluster_all = totals.sum(axis=-2)  # (..., G)
    squared_differences = n_systems * (totals**2).sum(axis=-2) - cluster_all**2  # sum D_g^2
    per_system = totals.sum(axis=-1)
    squared_sums = n_systems * (per_system**2).sum(axis=-1) - per_system.sum(axis=-1) ** 2
    squares = cluster_all if square_totals is None else np.asarray(square_totals)
    within_squares = n_systems * squares - np.asarray(solver_square_totals)
    within = (within_squares - squared_differences / size_array).sum(axis=-1) / (
        n_pairs * (n_tasks - n_clusters)
    )
    between = ((squared_differences / size_array).sum(axis=-1) - squared_sums / n_tasks) / (
        n_pairs * (n_clusters - 1)
    )
    n0 = (n_tasks - (size_array**2).sum() / n_tasks) / (n_clusters - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (between - within) / (between + (n0 - 1.0) * within)
    return np.clip(np.nan_to_num(rho, nan=0.0), 0.0, 0.99)


def _critical_value(df: float, confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise DataError("confidence", f"must lie strictly between 0 and 1, got {confidence}")
    return float(scipy_stats.t.ppf(0.5 + confidence / 2.0, df))


def clustered_score_intervals(
    scores: np.ndarray,
    clusters: Sequence | np.ndarray | pd.Series,
    confidence: float = 0.95,
    method: str = "exact",
    where: str = "clustered_score_intervals: scores",
) -> pd.DataFrame:
    """:func:`clustered_mean_intervals` for per-task scores in [0, 1] that need not be 0/1
    (a mean over runs, partial credit, an average over several systems).

    ``scores`` is ``K x n`` (one row per series); the pooled intra-cluster correlation uses
    the cluster sums of the squared scores. Columns ``score, se, df, rho, critical, low,
    high`` (fractions, clipped to [0, 1]), one row per series in order. For 0/1 scores it
    equals :func:`clustered_mean_intervals`; the harness calibrates it on 0/1 outcomes.
    """
    if method not in INTERVAL_METHODS:
        raise DataError("method", f"unknown method {method!r}; use one of {INTERVAL_METHODS}")
    values = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    if values.ndim != 2 or values.size == 0:
        raise DataError(where, f"need a 2-D series x tasks array, got shape {values.shape}")
    if not np.isfinite(values).all() or values.min() < 0.0 or values.max() > 1.0:
        raise DataError(where, "scores must be finite and within [0, 1]")
    design = cluster_design(clusters, values.shape[1], where=where.replace("scores", "clusters"))
    totals = design.cluster_sums(values)
    score, se = cr2_standard_error(totals, design.sizes)
    rho = float(pooled_intraclass_correlation(totals, design.cluster_sums(values**2), design.sizes))
    if method == "exact":
        critical = exact_critical_value(design.sizes, rho, confidence)
    else:
        critical = _critical_value(design.df, confidence)
    half = critical * se
    return pd.DataFrame(
        {
            "score": score,
            "se": se,
            "df": design.df,
            "rho": rho,
            "critical": critical,
            "low": np.clip(score - half, 0.0, 1.0),
            "high": np.clip(score + half, 0.0, 1.0),
        }
    )


def clustered_mean_intervals(
    matrix: pd.DataFrame | np.ndarray,
    clusters: Sequence | np.ndarray | pd.Series,
    confidence: float = 0.95,
    method: str = "exact",
) -> pd.DataFrame:
    """Per-system score with a CR2 standard error and a small-cluster interval.

    Columns ``system, score, se, df`` (Bell-McCaffrey), ``rho`` (pooled intra-cluster
    correlation), ``critical`` and ``low, high`` (``score +- critical * se``, clipped to
    [0, 1]; fractions). ``method="exact"`` (default) takes the exact critical value under the
    working model with the pooled ``rho`` (:func:`exact_critical_value`);
    ``"bell_mccaffrey"`` takes ``t_{df, 1-a/2}``. See the module docstring; the coverage on
    data shaped like SWE-bench Verified is measured by ``python -m analysis calibrate``.
    """
    outcome = as_outcome_matrix(matrix, where="clustered_mean_intervals: matrix")
    table = clustered_score_intervals(
        outcome.values,
        clusters,
        confidence=confidence,
        method=method,
        where="clustered_mean_intervals: matrix",
    )
    table.insert(0, "system", outcome.systems)
    return table


def wild_cluster_p_values(
    difference_totals: np.ndarray,
    sizes: np.ndarray,
    n_resamples: int = 9_999,
    seed: int = 0,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Two-sided WCR bootstrap p-values (Webb weights, CR2 t) of zero-mean hypotheses.

    ``difference_totals`` is ``(K, G)``: per hypothesis, the cluster sums of the per-task
    values whose mean is tested against 0 (a paired difference ``x_a - x_b``). All ``K``
    share the same ``B x G`` weights (drawn from ``default_rng(seed)`` unless ``weights``
    is given). With ``|t|`` the observed CR2 t statistic, ``p = (1 + #{b : |t*_b| >= |t|}) /
    (B + 1)``; ``p = 1`` when every difference is 0. The CR2 variance of a resample is
    expanded in the weights (``v_g^2``, ``v_g`` and a constant), so no ``K x B x G`` array
    is ever formed.
    """
    totals = np.atleast_2d(np.asarray(difference_totals, dtype=np.float64))
    size_array = np.asarray(sizes, dtype=np.float64)
    n_tasks = size_array.sum()
    inverse_leverage = 1.0 / (1.0 - size_array / n_tasks)
    mean, se = cr2_standard_error(totals, size_array)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = np.where(se > 0, np.abs(mean) / se, 0.0)
    if weights is None:
        if int(n_resamples) < 1:
            raise DataError("n_resamples", f"need at least 1 resample, got {n_resamples}")
        rng = np.random.default_rng(seed)
        weights = WEBB_WEIGHTS[
            rng.integers(0, len(WEBB_WEIGHTS), size=(int(n_resamples), len(size_array)))
        ]
    n_draws = weights.shape[0]
    square_terms = (totals**2 * inverse_leverage).T  # G x K
    cross_terms = (totals * size_array * inverse_leverage).T
    constant = float((size_array**2 * inverse_leverage).sum())
    extreme = np.zeros(totals.shape[0])
    for start in range(0, n_draws, _WILD_CHUNK):
        chunk = weights[start : start + _WILD_CHUNK]
        boot_mean = (chunk @ totals.T) / n_tasks  # chunk x K
        # sum_g (v_g D_g - n_g m*)^2 / (1 - w_g), expanded.
        variance = (
            (chunk**2) @ square_terms - 2.0 * boot_mean * (chunk @ cross_terms)
        ) + constant * boot_mean**2
        boot_se = np.sqrt(np.maximum(variance, 0.0)) / n_tasks
        with np.errstate(invalid="ignore", divide="ignore"):
            boot_t = np.where(boot_se > 0, np.abs(boot_mean) / boot_se, 0.0)
        extreme += (boot_t >= observed[None, :] - _TIE_TOLERANCE).sum(axis=0)
    p_values = (1.0 + extreme) / (n_draws + 1.0)
    return np.where(se > 0, p_values, 1.0)


def clustered_paired_differences(
    scores: np.ndarray,
    clusters: Sequence | np.ndarray | pd.Series,
    confidence: float = 0.95,
    pairs: tuple[np.ndarray, np.ndarray] | None = None,
    where: str = "clustered_paired_differences: scores",
) -> pd.DataFrame:
    """Paired differences of per-task scores in [0, 1] (0/1 outcomes or means over runs)
    with the clustered CR2 interval and exact test of :func:`clustered_difference_tests`.

    ``scores`` is ``S x n``; one row per pair ``a < b`` (or the given ``pairs`` of row
    indices): ``a, b, difference, se, df, rho`` (pooled ICC of the differences over all
    pairs), ``critical, low, high, t, p_exact``. Closed form apart from one Imhof integral
    per pair, so the p-values can be small enough for Holm over many pairs.
    """
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] < 2:
        raise DataError(where, f"need a systems x tasks array with two systems, got {values.shape}")
    if not np.isfinite(values).all() or values.min() < 0.0 or values.max() > 1.0:
        raise DataError(where, "scores must be finite and within [0, 1]")
    design = cluster_design(clusters, values.shape[1], where=where.replace("scores", "clusters"))
    if pairs is None:
        first, second = np.triu_indices(values.shape[0], k=1)
    else:
        first, second = (np.asarray(index, dtype=np.intp) for index in pairs)
    totals = design.cluster_sums(values)
    difference_totals = totals[first] - totals[second]
    difference, se = cr2_standard_error(difference_totals, design.sizes)
    task_sums = values.sum(axis=0)
    rho = float(
        pooled_difference_icc(
            totals,
            design.cluster_sums(task_sums**2),
            design.sizes,
            square_totals=design.cluster_sums((values**2).sum(axis=0)),
        )
    )
    critical = exact_critical_value(design.sizes, rho, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_value = np.where(se > 0, difference / se, 0.0)
    return pd.DataFrame(
        {
            "a": first,
            "b": second,
            "difference": difference,
            "se": se,
            "df": design.df,
            "rho": rho,
            "critical": critical,
            "low": difference - critical * se,
            "high": difference + critical * se,
            "t": t_value,
            "p_exact": exact_p_values(t_value, design.sizes, rho),
        }
    )


def clustered_difference_tests(
    matrix: pd.DataFrame | np.ndarray,
    clusters: Sequence | np.ndarray | pd.Series,
    confidence: float = 0.95,
    n_resamples: int = 9_999,
    seed: int = 0,
    pairs: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Paired differences ``score_a - score_b`` with cluster-robust inference, per pair.

    For every pair ``a < b`` (or the given ``pairs`` of row indices) the per-task difference
    ``x_a - x_b`` is a clustered mean: columns ``system_a, system_b, difference, se`` (CR2),
    ``df`` (Bell-McCaffrey), ``rho`` (intra-cluster correlation of the differences,
    pooled over all pairs of the matrix, :func:`pooled_difference_icc`), ``critical``
    (:func:`exact_critical_value` at ``rho``), ``low, high`` (``difference +- critical *
    se``), ``t``, ``p_cr2`` (two-sided ``t(df)`` p-value, conservative), ``p_exact`` (the
    same t under the working model, :func:`exact_p_values`; consistent with the interval)
    and ``p_wild`` (WCR
    bootstrap with Webb weights, ``n_resamples`` draws
    seeded by ``seed``; the calibrated test). ``python -m analysis calibrate`` measures them.
    """
    outcome = as_outcome_matrix(
        matrix, where="clustered_difference_tests: matrix", allow_single_system=False
    )
    table = clustered_paired_differences(
        outcome.values,
        clusters,
        confidence=confidence,
        pairs=pairs,
        where="clustered_difference_tests: matrix",
    )
    first, second = table["a"].to_numpy(), table["b"].to_numpy()
    design = cluster_design(clusters, outcome.n_tasks, where="clustered_difference_tests: clusters")
    totals = design.cluster_sums(outcome.values)
    t_value = table["t"].to_numpy()
    table = table.drop(columns=["a", "b"])
    table.insert(0, "system_a", [outcome.systems[i] for i in first])
    table.insert(1, "system_b", [outcome.systems[i] for i in second])
    table.insert(
        table.columns.get_loc("p_exact"),
        "p_cr2",
        2.0 * scipy_stats.t.sf(np.abs(t_value), design.df),
    )
    table["p_wild"] = wild_cluster_p_values(
        totals[first] - totals[second], design.sizes, n_resamples, seed
    )
    return table
