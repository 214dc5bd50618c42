"""How far SWE-bench scores have come, where they stop, and how much of a gap is noise.

Computations behind notebooks ``02_saturation`` and ``03_noise`` and the measuring functions
of the claims in ``data/claims/leaderboard.toml``. Every interval, comparison, power number
and fit comes from :mod:`analysis.stats`; this module only selects the data and assembles
the answers.

Per-task results exist for the bash-only leaderboard (every system run with the same minimal
agent, mini-SWE-agent, on the 500 Verified tasks); they are the only data that allow paired
comparisons. Systems whose per-task results disagree with their published score are excluded
by :mod:`analysis.frames` and listed by :func:`analysis.frames.excluded_systems`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis import frames
from analysis.claims.types import Measurement
from analysis.data.cache import cached
from analysis.data.readers.verified import VERIFIED_TASKS
from analysis.errors import DataError
from analysis.stats.bootstrap import BootstrapResult, bootstrap_scores
from analysis.stats.comparisons import pairwise_comparisons
from analysis.stats.intervals import pass_rate_intervals
from analysis.stats.noise import RunToRunNoise, SignalToNoise, run_to_run_noise, signal_to_noise
from analysis.stats.percent import score_interval_pct
from analysis.stats.power import granularity, minimum_detectable_difference, tasks_needed
from analysis.stats.saturation import SaturationFit, best_so_far, fit_saturation
from analysis.stats.tiers import RankStability, rank_intervals, split_half_rank_stability

#: Tasks in the full SWE-bench test set (Verified's count: :data:`VERIFIED_TASKS`).
FULL_TASKS = 2294
#: Release dates: SWE-bench (Jimenez et al., arXiv 2310.06770) and SWE-bench Verified (OpenAI).
SWE_BENCH_LAUNCH = pd.Timestamp("2023-10-10")
VERIFIED_LAUNCH = pd.Timestamp("2024-08-13")
#: Resamples used by the cached bootstrap of the bash-only matrix (fast engine).
N_RESAMPLES = 4000


@cached(sources=("verified_tasks",), memo=1)
def task_repos() -> pd.Series:
    """Repository of each Verified task, indexed by instance_id (the cluster labels)."""
    tasks = frames.verified_tasks()
    return pd.Series(tasks["repo"].to_numpy(), index=tasks["instance_id"], name="repo")


def clusters_for(matrix: pd.DataFrame) -> np.ndarray:
    """Repository of each column (task) of ``matrix``, in column order."""
    repos = task_repos().reindex(matrix.columns)
    if repos.isna().any():
        missing = list(repos[repos.isna()].index[:3])
        raise DataError("verified_tasks", f"no repository for task(s) {missing}")
    return repos.to_numpy()


def submissions(board: str) -> pd.DataFrame:
    """Dated submissions of one leaderboard (``name, date, resolved_pct, cost, ...``)."""
    frame = frames.leaderboard()
    if board not in set(frame["leaderboard"]):
        raise DataError("leaderboards", f"no leaderboard named {board!r}")
    rows = frame[(frame["leaderboard"] == board) & frame["date"].notna()]
    return rows.sort_values(["date", "resolved_pct"], ascending=[True, False]).reset_index(
        drop=True
    )


# --- saturation -------------------------------------------------------------------------------


def frontier(board: str) -> pd.DataFrame:
    """Best-so-far curve of a leaderboard (:func:`analysis.stats.saturation.best_so_far`)."""
    return best_so_far(submissions(board), date="date", score="resolved_pct", name="name")


@cached(sources=("leaderboards",), memo=8)
def saturation_fit(
    board: str = "Verified", model: str = "logistic", n_boot: int = 300, seed: int = 0
) -> SaturationFit:
    """Logistic or Gompertz curve fitted to a leaderboard's frontier, bootstrap interval on
    its asymptote (:func:`analysis.stats.saturation.fit_saturation`); cached."""
    rows = submissions(board)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fit_saturation(
            rows["date"], rows["resolved_pct"], model=model, n_boot=n_boot, seed=seed
        )


def saturation_fits(
    boards: Iterable[str],
    models: tuple[str, ...] = ("logistic", "gompertz"),
    n_boot: int = 300,
    seed: int = 0,
) -> dict[tuple[str, str], SaturationFit]:
    """:func:`saturation_fit` for every (board, model) pair."""
    return {
        (board, model): saturation_fit(board, model, n_boot=n_boot, seed=seed)
        for board in boards
        for model in models
    }


def asymptote_table(fits: Mapping[tuple[str, str], SaturationFit]) -> pd.DataFrame:
    """One row per fit: leaderboard, model, asymptote with its 95% bootstrap interval
    (low, high), rmse and the number of failed bootstrap refits."""
    return pd.DataFrame(
        [
            {
                "leaderboard": board,
                "model": model,
                "asymptote": fit.asymptote,
                "low": fit.asymptote_interval[0],
                "high": fit.asymptote_interval[1],
                "rmse": fit.rmse,
                "failed_refits": fit.n_failed,
            }
            for (board, model), fit in fits.items()
        ]
    )


def best_score(board: str, before: pd.Timestamp | None = None) -> pd.Series:
    """The best submission of ``board`` (dated on or before ``before`` if given); ties go to
    the earliest."""
    rows = submissions(board)
    if before is not None:
        rows = rows[rows["date"] <= before]
    if rows.empty:
        raise DataError("leaderboards", f"no {board} submission on or before {before}")
    ordered = rows.sort_values(["resolved_pct", "date"], ascending=[False, True], kind="stable")
    return ordered.iloc[0]


def first_date_reaching(board: str, level: float) -> pd.Series | None:
    """The first submission of ``board`` scoring at least ``level`` percent (None if none)."""
    rows = submissions(board)
    reached = rows[rows["resolved_pct"] >= level]
    return None if reached.empty else reached.iloc[0]


def pareto_front(costs: np.ndarray | pd.Series, scores: np.ndarray | pd.Series) -> np.ndarray:
    """Boolean mask of the cost/score Pareto front: no other point costs no more and scores
    no less with at least one strict. Points with a missing cost are never on the front."""
    cost_values = np.asarray(costs, dtype="float64")
    score_values = np.asarray(scores, dtype="float64")
    if cost_values.shape != score_values.shape:
        raise DataError("pareto_front", "costs and scores differ in length")
    valid = ~(np.isnan(cost_values) | np.isnan(score_values))
    on_front = np.zeros(len(cost_values), dtype=bool)
    for index in np.flatnonzero(valid):
        cheaper_or_equal = cost_values[valid] <= cost_values[index]
        better_or_equal = score_values[valid] >= score_values[index]
        strictly = (cost_values[valid] < cost_values[index]) | (
            score_values[valid] > score_values[index]
        )
        on_front[index] = not np.any(cheaper_or_equal & better_or_equal & strictly)
    return on_front


def cost_versus_score() -> pd.DataFrame:
    """Bash-only systems with per-task results: ``system, score_pct`` (per-task share),
    ``low``, ``high`` (Wilson 95%), ``cost_usd`` (sum of per-task cost over 500 tasks),
    ``cost_per_task_usd`` and ``pareto`` (on the cost/score front)."""
    results = frames.bash_only_results()
    matrix = frames.bash_only_matrix()
    intervals = pass_rate_intervals(matrix).set_index("system")
    cost = results.groupby("system")["cost"].sum(min_count=1).reindex(matrix.index)
    table = pd.DataFrame(
        {
            "system": matrix.index,
            "score_pct": 100.0 * intervals["score"].to_numpy(),
            "low": 100.0 * intervals["wilson_low"].to_numpy(),
            "high": 100.0 * intervals["wilson_high"].to_numpy(),
            "cost_usd": cost.to_numpy(),
            "cost_per_task_usd": cost.to_numpy() / matrix.shape[1],
        }
    )
    table["pareto"] = pareto_front(table["cost_usd"], table["score_pct"])
    return table


# --- noise ------------------------------------------------------------------------------------


@cached(sources=("leaderboards", "verified_tasks"), memo=2)
def bash_only_bootstrap(n_resamples: int = N_RESAMPLES, seed: int = 0) -> BootstrapResult:
    """Task bootstrap of the bash-only matrix (shared resamples for all systems); cached."""
    return bootstrap_scores(frames.bash_only_matrix(), n_resamples=n_resamples, seed=seed)


def system_intervals() -> pd.DataFrame:
    """Per-system score (percent) with plain and repository-clustered 95% intervals.

    Columns: ``system, score, se, se_clustered, wilson_low, wilson_high, clustered_low,
    clustered_high, bootstrap_low, bootstrap_high`` (points), best first.
    """
    matrix = frames.bash_only_matrix()
    table = pass_rate_intervals(matrix, clusters=clusters_for(matrix)).set_index("system")
    boot = bash_only_bootstrap().intervals().set_index("system").reindex(table.index)
    out = (
        pd.DataFrame(
            {
                "score": table["score"],
                "se": table["se"],
                "se_clustered": table["se_clustered"],
                "wilson_low": table["wilson_low"],
                "wilson_high": table["wilson_high"],
                "clustered_low": table["clustered_low"],
                "clustered_high": table["clustered_high"],
                "bootstrap_low": boot["low"],
                "bootstrap_high": boot["high"],
            }
        )
        * 100.0
    )
    return out.rename_axis("system").reset_index()


@cached(sources=("leaderboards", "verified_tasks"), memo=2)
def all_pairs(n_resamples: int = N_RESAMPLES, seed: int = 0) -> pd.DataFrame:
    """Every pair of bash-only systems compared on the same tasks (exact McNemar, Holm)."""
    return pairwise_comparisons(
        frames.bash_only_matrix(), n_resamples=n_resamples, seed=seed, correction="holm"
    )


def difference_matrix(
    pairs: pd.DataFrame, value: str = "difference", order: list[str] | None = None
) -> pd.DataFrame:
    """Square systems x systems table of ``value`` from a pairwise-comparison frame.

    ``pairs`` has ``system_a, system_b`` and ``value`` (e.g. :func:`all_pairs`). Entry
    ``[a, b]`` is the value for ``a`` versus ``b``; ``difference`` is antisymmetric (``[b, a] =
    -[a, b]``), anything else (p-values) symmetric; the diagonal is NaN. ``order`` defaults to
    the systems' order of appearance in ``pairs``.
    """
    if order is None:
        order = list(dict.fromkeys([*pairs["system_a"], *pairs["system_b"]]))
    table = pd.DataFrame(np.nan, index=pd.Index(order, name="system"), columns=order)
    sign = -1.0 if value == "difference" else 1.0
    for system_a, system_b, entry in zip(
        pairs["system_a"], pairs["system_b"], pairs[value].astype("float64"), strict=True
    ):
        table.loc[system_a, system_b] = entry
        table.loc[system_b, system_a] = sign * entry
    return table


def leader_tier(alpha: float = 0.05) -> pd.DataFrame:
    """Systems not significantly different from the best bash-only system.

    A system joins the leader's tier when its paired comparison with the leader is not
    significant after Holm correction over all pairs (:func:`all_pairs`). Columns:
    ``system, score, difference`` (points behind the leader), ``p_adjusted``.
    """
    matrix = frames.bash_only_matrix()
    leader = matrix.index[0]
    pairs = all_pairs()
    rows = [
        {
            "system": leader,
            "score": 100.0 * float(matrix.loc[leader].mean()),
            "difference": 0.0,
            "p_adjusted": 1.0,
        }
    ]
    with_leader = pairs[(pairs["system_a"] == leader) | (pairs["system_b"] == leader)]
    for row in with_leader.itertuples(index=False):
        other = row.system_b if row.system_a == leader else row.system_a
        if row.p_adjusted >= alpha:
            rows.append(
                {
                    "system": other,
                    "score": 100.0 * float(matrix.loc[other].mean()),
                    "difference": 100.0 * abs(float(row.difference)),
                    "p_adjusted": float(row.p_adjusted),
                }
            )
    return pd.DataFrame(rows).sort_values("score", ascending=False).reset_index(drop=True)


def acr_runs_matrix() -> pd.DataFrame:
    """Runs x tasks 0/1 matrix of the three AutoCodeRover runs on SWE-bench Lite."""
    from analysis.data.readers.leaderboards import results_matrix

    runs = frames.acr_runs().rename(columns={"run": "system"})
    runs["system"] = "run " + runs["system"].astype(str)
    return results_matrix(runs[["system", "instance_id", "resolved"]])


@cached(sources=("acr_runs",), memo=1)
def acr_noise() -> RunToRunNoise:
    """Run-to-run noise of AutoCodeRover's three runs (:func:`analysis.stats.noise`)."""
    return run_to_run_noise(acr_runs_matrix())


def noise_summary(
    score_pct: float, n_tasks: int = VERIFIED_TASKS, discordance: float | None = None
) -> dict[str, float]:
    """Granularity against noise for a score of ``score_pct`` on ``n_tasks`` tasks (points).

    ``granularity = 100 / n``; ``se = 100 sqrt(p (1 - p) / n)``; ``half_width = 1.96 se``
    (95% normal interval); ``mdd_unpaired`` and, with ``discordance`` (share of tasks on
    which two systems disagree), ``mdd_paired``: the smallest difference a two-sided 5% test
    detects with 80% power (:mod:`analysis.stats.power`); ``tasks_for_one_point``: tasks
    needed to detect a one-point gap unpaired.
    """
    p = score_pct / 100.0
    se = float(np.sqrt(p * (1.0 - p) / n_tasks))
    summary = {
        "granularity": 100.0 * float(granularity(n_tasks)),
        "se": 100.0 * se,
        "half_width": 100.0 * 1.959963984540054 * se,
        "mdd_unpaired": 100.0 * float(minimum_detectable_difference(n_tasks, p=p)),
        "tasks_for_one_point": float(tasks_needed(0.01, p=p)),
    }
    if discordance is not None:
        summary["mdd_paired"] = 100.0 * float(
            minimum_detectable_difference(n_tasks, p=p, discordance=discordance)
        )
        summary["tasks_for_one_point_paired"] = float(
            tasks_needed(0.01, p=p, discordance=discordance)
        )
    return summary


def top_pair_discordance() -> float:
    """Share of tasks on which the two best bash-only systems disagree."""
    matrix = frames.bash_only_matrix()
    first, second = matrix.iloc[0].to_numpy(), matrix.iloc[1].to_numpy()
    return float(np.mean(first != second))


# --- measuring functions (data/claims/leaderboard.toml) ---------------------------------------


def claim_launch_to_saturation() -> Measurement:
    """Best published Verified score against 'over 80%'."""
    best = best_score("Verified")
    score = float(best["resolved_pct"])
    launch = best_score("Test", before=SWE_BENCH_LAUNCH)
    return Measurement(
        measured=score,
        interval=score_interval_pct(score, VERIFIED_TASKS),
        unit="%",
        detail="Best % resolved on the Verified leaderboard (snapshot 2025-12-10), with the "
        "Clopper-Pearson 95% interval of its count out of 500 tasks.",
        sources=("leaderboards",),
        extra={
            "best_system": str(best["name"]),
            "best_date": str(best["date"].date()),
            "launch_best_full_pct": float(launch["resolved_pct"]),
            "launch_best_full_system": str(launch["name"]),
            "systems_at_or_over_80": int((submissions("Verified")["resolved_pct"] >= 80.0).sum()),
        },
    )


def claim_launch_score() -> Measurement:
    """Best full-SWE-bench score at launch against 'about 13%'."""
    launch = best_score("Test", before=SWE_BENCH_LAUNCH)
    score = float(launch["resolved_pct"])
    first_12 = first_date_reaching("Test", 12.0)
    verified_launch = best_score("Verified", before=VERIFIED_LAUNCH)
    extra: dict[str, Any] = {
        "launch_system": str(launch["name"]),
        "best_verified_by_verified_launch_pct": float(verified_launch["resolved_pct"]),
        "best_verified_by_verified_launch_system": str(verified_launch["name"]),
    }
    if first_12 is not None:
        extra.update(
            first_over_12_pct=float(first_12["resolved_pct"]),
            first_over_12_date=str(first_12["date"].date()),
            first_over_12_system=str(first_12["name"]),
        )
    return Measurement(
        measured=score,
        interval=score_interval_pct(score, FULL_TASKS),
        unit="%",
        detail="Best % resolved on full SWE-bench (2,294 tasks) among submissions dated at "
        "its release (2023-10-10), Clopper-Pearson 95% interval.",
        sources=("leaderboards",),
        extra=extra,
    )


def claim_frontier_cluster() -> Measurement:
    """Mean score of the systems tied with the bash-only leader, against 'near 80%'."""
    tier = leader_tier()
    boot = bash_only_bootstrap()
    columns = [boot.systems.index(system) for system in tier["system"]]
    resampled_mean = boot.resamples[:, columns].mean(axis=1)
    low, high = np.quantile(resampled_mean, [0.025, 0.975])
    matrix = frames.bash_only_matrix()
    scores = 100.0 * matrix.mean(axis=1)
    leader_score = float(scores.iloc[0])
    return Measurement(
        measured=float(tier["score"].mean()),
        interval=(100.0 * float(low), 100.0 * float(high)),
        unit="%",
        detail="Mean bash-only score (same agent for every model) of the systems not "
        "significantly behind the leader (exact McNemar, Holm over all pairs), with a "
        f"task-bootstrap 95% interval ({N_RESAMPLES} resamples).",
        sources=("leaderboards",),
        extra={
            "tier": tier["system"].tolist(),
            "leader": str(matrix.index[0]),
            "leader_score_pct": leader_score,
            "n_systems": len(matrix),
            "within_3_5_points_of_leader": int((scores >= leader_score - 3.5).sum()),
            "lowest_score_pct": float(scores.min()),
            "excluded": frames.excluded_systems()["system"].tolist(),
            "best_published_verified_pct": float(best_score("Verified")["resolved_pct"]),
        },
    )


def claim_granularity() -> Measurement:
    """The smallest step of a 500-task score, in points."""
    best = float(best_score("Verified")["resolved_pct"])
    summary = noise_summary(best, VERIFIED_TASKS, discordance=top_pair_discordance())
    return Measurement(
        measured=summary["granularity"],
        unit="points",
        detail="One task out of 500, in percentage points (exact).",
        sources=("verified_tasks",),
        extra={
            "noise_half_width_points": summary["half_width"],
            "se_points": summary["se"],
            "mdd_paired_points": summary["mdd_paired"],
            "mdd_unpaired_points": summary["mdd_unpaired"],
        },
    )


def claim_noise_threshold() -> Measurement:
    """The 95% half-width of the best Verified score, against the implied 0.2-point threshold."""
    best = float(best_score("Verified")["resolved_pct"])
    discordance = top_pair_discordance()
    summary = noise_summary(best, VERIFIED_TASKS, discordance=discordance)
    noise = acr_noise()
    return Measurement(
        measured=summary["half_width"],
        unit="points",
        detail=f"Half-width of the 95% interval of a {best:.1f}% score (the best on Verified) "
        "on 500 tasks, 1.96 sqrt(p(1-p)/500), in points.",
        sources=("leaderboards", "acr_runs"),
        extra={
            "se_points": summary["se"],
            "mdd_paired_points": summary["mdd_paired"],
            "mdd_unpaired_points": summary["mdd_unpaired"],
            "top_pair_discordance": discordance,
            "tasks_for_one_point_paired": summary["tasks_for_one_point_paired"],
            "run_to_run_sd_points_lite": 100.0 * noise.score_sd,
            "run_to_run_flip_rate_lite": noise.flip_rate,
        },
    )


# --- tiers and power ----------------------------------------------------------------------------


@cached(sources=("leaderboards", "verified_tasks"), memo=2)
def tier_table(alpha: float = 0.05) -> pd.DataFrame:
    """Compact-letter tiers of the bash-only systems (:func:`analysis.stats.tiers.tiers`,
    exact McNemar, Holm over all pairs); scores in points."""
    from analysis.stats.tiers import tiers

    table = tiers(
        frames.bash_only_matrix(), alpha=alpha, correction="holm", n_resamples=N_RESAMPLES
    )
    return table.assign(score=100.0 * table["score"])


def power_table(
    score_pct: float,
    discordance: float,
    sizes: tuple[int, ...] = (100, 300, 500, 1000, 2294, 5000),
) -> pd.DataFrame:
    """Granularity against noise for benchmarks of several sizes, at one score level.

    One row per size ``n``: ``granularity, se, half_width, mdd_unpaired, mdd_paired``
    (points; see :func:`noise_summary`).
    """
    rows = [{"n_tasks": n, **noise_summary(score_pct, n, discordance)} for n in sizes]
    columns = ["n_tasks", "granularity", "se", "half_width", "mdd_unpaired", "mdd_paired"]
    return pd.DataFrame(rows)[columns]


def tasks_needed_table(
    score_pct: float,
    discordance: float,
    gaps: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0, 5.0),
) -> pd.DataFrame:
    """Tasks needed to detect a gap of ``gaps`` points (two-sided 5% test, 80% power),
    unpaired and paired (:func:`analysis.stats.power.tasks_needed`)."""
    p = score_pct / 100.0
    return pd.DataFrame(
        {
            "gap_points": list(gaps),
            "tasks_unpaired": [int(tasks_needed(gap / 100.0, p=p)) for gap in gaps],
            "tasks_paired": [
                int(tasks_needed(gap / 100.0, p=p, discordance=discordance)) for gap in gaps
            ],
        }
    )


# --- ranking stability --------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingStability:
    """How firmly a benchmark orders its systems (see :func:`ranking_stability`).

    - ``intervals``: :func:`analysis.stats.tiers.rank_intervals` plus ``width = rank_high -
      rank_low`` (places; an interval covering ranks 3 to 7 has width 4) and ``score`` in
      points, sorted by observed rank.
    - ``median_width``, ``max_width``: of ``width`` over the systems.
    - ``split_half``: :class:`analysis.stats.tiers.RankStability` (Spearman, Kendall tau-b,
      share of splits where the full-data leader is top in both halves).
    - ``snr``: :class:`analysis.stats.noise.SignalToNoise` with the run-to-run SD given;
      ``snr_interval``: the SNR at the two ends of that SD's interval (SNR falls as the SD
      grows), so it carries only the uncertainty of the noise estimate.
    """

    intervals: pd.DataFrame
    median_width: float
    max_width: int
    split_half: RankStability
    snr: SignalToNoise
    snr_interval: tuple[float, float] | None


def ranking_stability(
    matrix: pd.DataFrame,
    bootstrap_result: BootstrapResult,
    noise_sd: float,
    noise_sd_interval: tuple[float, float] | None = None,
    confidence: float = 0.95,
    n_splits: int = 200,
    seed: int = 0,
) -> RankingStability:
    """Rank intervals, split-half stability and signal-to-noise of one systems x tasks matrix.

    ``bootstrap_result`` must be a bootstrap of ``matrix`` (same systems). Rank intervals are
    percentile intervals of each system's rank across the task resamples
    (:func:`analysis.stats.tiers.rank_intervals`); split-half stability ranks the systems on
    ``n_splits`` random halves of the tasks (:func:`analysis.stats.tiers.
    split_half_rank_stability`, seeded); the signal-to-noise ratio is AI2's ``(max - min) /
    noise_sd`` over the systems' scores (:func:`analysis.stats.noise.signal_to_noise`, Heineman
    et al. 2025), with ``noise_sd`` a run-to-run SD of a score as a fraction.
    """
    if list(bootstrap_result.systems) != [str(system) for system in matrix.index]:
        raise DataError(
            "ranking_stability: bootstrap_result", "is not a bootstrap of the matrix's systems"
        )
    intervals = rank_intervals(bootstrap_result, confidence=confidence)
    intervals = intervals.assign(
        score=100.0 * intervals["score"], width=intervals["rank_high"] - intervals["rank_low"]
    )
    snr = signal_to_noise(matrix, noise_sd)
    snr_interval = None
    if noise_sd_interval is not None:
        sd_low, sd_high = noise_sd_interval
        snr_interval = (
            signal_to_noise(matrix, sd_high).snr,
            signal_to_noise(matrix, sd_low).snr,
        )
    return RankingStability(
        intervals=intervals,
        median_width=float(intervals["width"].median()),
        max_width=int(intervals["width"].max()),
        split_half=split_half_rank_stability(matrix, n_splits=n_splits, seed=seed),
        snr=snr,
        snr_interval=snr_interval,
    )


@cached(sources=("leaderboards", "verified_tasks", "acr_runs"), memo=2)
def bash_only_ranking_stability(n_splits: int = 200, seed: int = 0) -> RankingStability:
    """:func:`ranking_stability` of the bash-only systems (cached bootstrap,
    :func:`bash_only_bootstrap`), with AutoCodeRover's run-to-run SD (:func:`acr_noise`, three
    runs on SWE-bench Lite) and its chi-square interval as the noise."""
    noise = acr_noise()
    return ranking_stability(
        frames.bash_only_matrix(),
        bash_only_bootstrap(),
        noise_sd=noise.score_sd,
        noise_sd_interval=noise.score_sd_interval,
        n_splits=n_splits,
        seed=seed,
    )
