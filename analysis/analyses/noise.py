"""How much of a leaderboard gap is noise: intervals, pairs, tiers, power, ranking stability.

Computations behind notebook ``03_noise`` and the measuring functions of its claims in
``data/claims/leaderboard.toml``. Per-task results exist for the bash-only leaderboard
(every model run with the same minimal agent, mini-SWE-agent, on the 500 Verified tasks);
they are the only data that allow paired comparisons.

The 500 tasks come from 12 repositories of very unequal size, so tasks are not independent.
Every interval and test here is the one ``python -m analysis calibrate`` shows calibrated on
data of this shape (93-97% coverage, 3-7% type-I error, with and without repository effects):

- per-system scores: the CR2 interval with the exact small-cluster critical value
  (:func:`analysis.stats.clustered.clustered_mean_intervals`); Wilson is kept only as the
  contrast of what assuming independent tasks would claim;
- pairs, tiers, the leader's tier: the clustered paired CR2 test with its exact null
  (``test="exact"`` in :func:`analysis.stats.comparisons.pairwise_comparisons`), Holm over all
  pairs (over the leader's comparisons for the leader's tier); exact McNemar (which assumes
  independent tasks) is kept only as the contrast;
- the signal-to-noise ratio carries the chi-square interval of its run-to-run SD and a flag
  when that SD has fewer than 3 degrees of freedom (:mod:`analysis.stats.noise`).
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis import frames
from analysis.analyses.leaderboard import best_score, clusters_for
from analysis.claims.types import Measurement
from analysis.data.cache import cached
from analysis.data.readers.verified import VERIFIED_TASKS
from analysis.errors import DataError
from analysis.stats.bootstrap import BootstrapResult, bootstrap_scores
from analysis.stats.clustered import clustered_mean_intervals, clustered_score_intervals
from analysis.stats.comparisons import pairwise_comparisons
from analysis.stats.intervals import pass_rate_intervals
from analysis.stats.noise import RunToRunNoise, SignalToNoise, run_to_run_noise, signal_to_noise
from analysis.stats.power import granularity, minimum_detectable_difference, tasks_needed
from analysis.stats.tiers import RankStability, rank_intervals, split_half_rank_stability, tiers

#: Resamples of the repository bootstrap behind the rank intervals.
N_RESAMPLES = 4000
#: Family-wise error rate of the pairwise tests (Holm over all pairs).
ALPHA = 0.05


@cached(sources=("leaderboards", "verified_tasks"), memo=2)
def bash_only_bootstrap(n_resamples: int = N_RESAMPLES, seed: int = 0) -> BootstrapResult:
    """Repository (cluster) bootstrap of the bash-only matrix: whole repositories resampled,
    shared by all systems; cached. The task bootstrap would treat tasks as independent, and
    its rank intervals under-cover when systems are close and tasks share repositories (the
    calibration harness, family ``ranks``); the repository bootstrap holds there."""
    matrix = frames.bash_only_matrix()
    return bootstrap_scores(
        matrix, n_resamples=n_resamples, seed=seed, clusters=clusters_for(matrix)
    )


def system_intervals() -> pd.DataFrame:
    """Per-system score (points) with its repository-clustered 95% interval, best first.

    Columns: ``system, score, se`` (binomial), ``se_clustered`` (CR2), ``clustered_low,
    clustered_high`` (CR2 with the exact small-cluster critical value, the calibrated
    interval), ``wilson_low, wilson_high`` (Wilson: assumes independent tasks, too narrow
    here; kept as the contrast) and ``critical`` (the clustered critical value, against
    1.96 for a normal interval; not in points).
    """
    matrix = frames.bash_only_matrix()
    plain = pass_rate_intervals(matrix)
    clustered = clustered_mean_intervals(matrix, clusters_for(matrix))
    table = pd.DataFrame(
        {
            "system": plain["system"],
            "score": 100.0 * plain["score"],
            "se": 100.0 * plain["se"],
            "se_clustered": 100.0 * clustered["se"],
            "clustered_low": 100.0 * clustered["low"],
            "clustered_high": 100.0 * clustered["high"],
            "wilson_low": 100.0 * plain["wilson_low"],
            "wilson_high": 100.0 * plain["wilson_high"],
            "critical": clustered["critical"],
        }
    )
    return table.reset_index(drop=True)


@cached(sources=("leaderboards", "verified_tasks"), memo=2)
def all_pairs(alpha: float = ALPHA) -> pd.DataFrame:
    """Every pair of bash-only systems compared on the same tasks, repository-clustered.

    :func:`analysis.stats.comparisons.pairwise_comparisons` with the repository clusters and
    ``test="exact"`` (clustered CR2 test, exact null at the pooled ICC), Holm over all pairs.
    Columns ``system_a, system_b, score_a, score_b, difference, low, high`` (the clustered
    95% interval of the difference), ``only_a, only_b, se_cr2, df, p_exact, p_adjusted,
    significant`` and ``p_mcnemar`` with ``significant_mcnemar`` (Holm over exact McNemar:
    assumes independent tasks; the contrast only). The bootstrap p-values are dropped: at the
    resamples used they could not reach Holm's first cut.
    """
    from analysis.stats.comparisons import holm_adjust

    matrix = frames.bash_only_matrix()
    pairs = pairwise_comparisons(
        matrix, clusters=clusters_for(matrix), test="exact", correction="holm", alpha=alpha
    )
    pairs["low"], pairs["high"] = pairs["clustered_low"], pairs["clustered_high"]
    pairs["significant_mcnemar"] = holm_adjust(pairs["p_mcnemar"].to_numpy()) < alpha
    return pairs.drop(columns=["p_bootstrap", "p_wild", "p_cr2", "clustered_low", "clustered_high"])


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


def pair_counts(pairs: pd.DataFrame, order: list[str]) -> dict[str, int]:
    """How many pairs are significant (clustered test, and McNemar as the contrast), overall
    and among the systems adjacent in ``order`` (best first)."""
    keyed = {
        frozenset((a, b)): (bool(s), bool(m))
        for a, b, s, m in zip(
            pairs["system_a"],
            pairs["system_b"],
            pairs["significant"],
            pairs["significant_mcnemar"],
            strict=True,
        )
    }
    adjacent = [keyed[frozenset(pair)] for pair in itertools.pairwise(order)]
    return {
        "pairs": len(pairs),
        "significant": int(pairs["significant"].sum()),
        "significant_mcnemar": int(pairs["significant_mcnemar"].sum()),
        "adjacent_pairs": len(adjacent),
        "adjacent_significant": sum(clustered for clustered, _ in adjacent),
        "adjacent_significant_mcnemar": sum(mcnemar for _, mcnemar in adjacent),
    }


def leader_tier(alpha: float = ALPHA) -> pd.DataFrame:
    """Systems not significantly different from the best bash-only system.

    The question is one family of tests, the leader against each other system: a system
    joins the leader's tier when its clustered paired test against the leader (``p_exact``
    of :func:`all_pairs`) is not significant after Holm correction over those ``S - 1``
    comparisons. (:func:`tier_table` answers another question, every pair at once, with
    Holm over all pairs, so its first tier can be larger.) Columns: ``system, score,
    difference`` (points behind the leader), ``p_adjusted``.
    """
    from analysis.stats.comparisons import holm_adjust

    matrix = frames.bash_only_matrix()
    scores = 100.0 * matrix.mean(axis=1)
    leader = str(scores.idxmax())
    pairs = all_pairs(alpha)
    with_leader = pairs[(pairs["system_a"] == leader) | (pairs["system_b"] == leader)]
    adjusted = holm_adjust(with_leader["p_exact"].to_numpy())
    rows = [
        {"system": leader, "score": float(scores[leader]), "difference": 0.0, "p_adjusted": 1.0}
    ]
    for row, p_adjusted in zip(with_leader.itertuples(index=False), adjusted, strict=True):
        other = row.system_b if row.system_a == leader else row.system_a
        if p_adjusted >= alpha:
            rows.append(
                {
                    "system": other,
                    "score": float(scores[other]),
                    "difference": 100.0 * abs(float(row.difference)),
                    "p_adjusted": float(p_adjusted),
                }
            )
    return pd.DataFrame(rows).sort_values("score", ascending=False).reset_index(drop=True)


@cached(sources=("leaderboards", "verified_tasks"), memo=2)
def tier_table(alpha: float = ALPHA) -> pd.DataFrame:
    """Compact-letter tiers of the bash-only systems (:func:`analysis.stats.tiers.tiers` with
    the repository clusters: clustered exact test, Holm over all pairs); scores in points."""
    matrix = frames.bash_only_matrix()
    table = tiers(matrix, alpha=alpha, correction="holm", clusters=clusters_for(matrix))
    return table.assign(score=100.0 * table["score"])


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


@dataclass(frozen=True)
class NoiseSummary:
    """Granularity against noise of one score on ``n`` tasks, all in points except task counts.

    ``granularity``: one task, ``100 / n``; ``se``: ``100 sqrt(p (1 - p) / n)``;
    ``half_width``: ``1.96 se`` (95% normal interval for independent tasks: a lower bound
    once tasks share repositories); ``mdd_unpaired``: the smallest difference a two-sided
    5% test detects with 80% power (:mod:`analysis.stats.power`); ``tasks_for_one_point``:
    tasks needed to detect a one-point gap unpaired. With a discordance (share of tasks on
    which two systems disagree), ``mdd_paired`` and ``tasks_for_one_point_paired``, the
    same for a paired test; None without one.
    """

    granularity: float
    se: float
    half_width: float
    mdd_unpaired: float
    tasks_for_one_point: float
    mdd_paired: float | None = None
    tasks_for_one_point_paired: float | None = None


def noise_summary(
    score_pct: float, n_tasks: int = VERIFIED_TASKS, discordance: float | None = None
) -> NoiseSummary:
    """Granularity against noise for a score of ``score_pct`` on ``n_tasks`` tasks (points).

    See :class:`NoiseSummary` for the fields and formulas; the paired ones need
    ``discordance`` (share of tasks on which two systems disagree).
    """
    p = score_pct / 100.0
    se = float(np.sqrt(p * (1.0 - p) / n_tasks))
    mdd_paired = tasks_paired = None
    if discordance is not None:
        mdd_paired = 100.0 * float(
            minimum_detectable_difference(n_tasks, p=p, discordance=discordance)
        )
        tasks_paired = float(tasks_needed(0.01, p=p, discordance=discordance))
    return NoiseSummary(
        granularity=100.0 * float(granularity(n_tasks)),
        se=100.0 * se,
        half_width=100.0 * 1.959963984540054 * se,
        mdd_unpaired=100.0 * float(minimum_detectable_difference(n_tasks, p=p)),
        tasks_for_one_point=float(tasks_needed(0.01, p=p)),
        mdd_paired=mdd_paired,
        tasks_for_one_point_paired=tasks_paired,
    )


def top_pair_discordance() -> float:
    """Share of tasks on which the two best bash-only systems disagree."""
    matrix = frames.bash_only_matrix()
    order = np.argsort(-matrix.mean(axis=1).to_numpy(), kind="stable")
    first, second = matrix.iloc[order[0]].to_numpy(), matrix.iloc[order[1]].to_numpy()
    return float(np.mean(first != second))


def power_table(
    score_pct: float,
    discordance: float,
    sizes: tuple[int, ...] = (100, 300, 500, 1000, 2294, 5000),
) -> pd.DataFrame:
    """Granularity against noise for benchmarks of several sizes, at one score level.

    One row per size ``n``: ``granularity, se, half_width, mdd_unpaired, mdd_paired``
    (points; see :func:`noise_summary`).
    """
    rows = [{"n_tasks": n, **asdict(noise_summary(score_pct, n, discordance))} for n in sizes]
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


# --- measuring functions (data/claims/leaderboard.toml, notebook 03) --------------------------

#: Why the bash-only measurements cannot be set against a claim about leaderboard scores.
SCAFFOLD_CAVEAT = (
    "the claim's ~80% are leaderboard entries with their own scaffolds, while the only "
    "per-task data run every model with the same minimal agent (bash-only)"
)


def claim_frontier_cluster() -> Measurement:
    """Mean score of the systems tied with the bash-only leader, against 'near 80%'.

    The interval is the repository-clustered CR2 interval (exact small-cluster critical
    value) of the tier's per-task mean score; the tier itself comes from the clustered paired
    test. Not comparable with the claim: another scaffold (:data:`SCAFFOLD_CAVEAT`).
    """
    tier = leader_tier()
    matrix = frames.bash_only_matrix()
    tier_rows = matrix.loc[tier["system"]].to_numpy(dtype="float64")
    interval = clustered_score_intervals(
        tier_rows.mean(axis=0, keepdims=True), clusters_for(matrix)
    ).iloc[0]
    scores = 100.0 * matrix.mean(axis=1)
    leader_score = float(scores.max())
    return Measurement(
        measured=float(tier["score"].mean()),
        interval=(100.0 * float(interval["low"]), 100.0 * float(interval["high"])),
        unit="%",
        detail="Mean bash-only score (same agent for every model) of the systems not "
        "significantly behind the leader (clustered paired CR2 test, exact null, Holm over the "
        "leader's comparisons), with the repository-clustered CR2 95% interval of their mean.",
        sources=("leaderboards", "verified_tasks"),
        comparable=False,
        caveat=SCAFFOLD_CAVEAT,
        extra={
            "tier": tier["system"].tolist(),
            "leader": str(scores.idxmax()),
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
        measured=summary.granularity,
        unit="points",
        detail="One task out of 500, in percentage points (exact).",
        sources=("verified_tasks",),
        extra={
            "noise_half_width_points": summary.half_width,
            "se_points": summary.se,
            "mdd_paired_points": summary.mdd_paired,
            "mdd_unpaired_points": summary.mdd_unpaired,
        },
    )


def claim_noise_threshold() -> Measurement:
    """The 95% half-width of the best Verified score, against the implied 0.2-point threshold."""
    best = float(best_score("Verified")["resolved_pct"])
    discordance = top_pair_discordance()
    summary = noise_summary(best, VERIFIED_TASKS, discordance=discordance)
    noise = acr_noise()
    return Measurement(
        measured=summary.half_width,
        unit="points",
        detail=f"Half-width of the 95% interval of a {best:.1f}% score (the best on Verified) "
        "on 500 tasks, 1.96 sqrt(p(1-p)/500), in points: a lower bound, since tasks that "
        "share a repository widen it further.",
        sources=("leaderboards", "acr_runs"),
        extra={
            "se_points": summary.se,
            "mdd_paired_points": summary.mdd_paired,
            "mdd_unpaired_points": summary.mdd_unpaired,
            "top_pair_discordance": discordance,
            "tasks_for_one_point_paired": summary.tasks_for_one_point_paired,
            "run_to_run_sd_points_lite": 100.0 * noise.score_sd,
            "run_to_run_flip_rate_lite": noise.flip_rate,
        },
    )


# --- ranking stability --------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingStability:
    """How firmly a benchmark orders its systems (see :func:`ranking_stability`).

    - ``intervals``: :func:`analysis.stats.tiers.rank_intervals` plus ``width = rank_high -
      rank_low`` (places; an interval covering ranks 3 to 7 has width 4) and ``score`` in
      points, sorted by observed rank. Calibrated when ``bootstrap_result`` resamples the
      repositories (a task bootstrap treats tasks as independent: with repository effects
      and close systems its intervals are too narrow).
    - ``median_width``, ``max_width``: of ``width`` over the systems.
    - ``split_half``: :class:`analysis.stats.tiers.RankStability` (Spearman, Kendall tau-b,
      share of splits where the full-data leader is top in both halves).
    - ``snr``: :class:`analysis.stats.noise.SignalToNoise` with the run-to-run SD given; with
      the SD's degrees of freedom it carries ``snr_interval`` (from the SD's chi-square
      interval: the uncertainty of the noise only) and ``few_degrees_of_freedom``.
    """

    intervals: pd.DataFrame
    median_width: float
    max_width: int
    split_half: RankStability
    snr: SignalToNoise

    @property
    def snr_interval(self) -> tuple[float, float] | None:
        """The SNR's interval from the run-to-run SD's chi-square interval (None without df)."""
        return self.snr.snr_interval


def ranking_stability(
    matrix: pd.DataFrame,
    bootstrap_result: BootstrapResult,
    noise_sd: float,
    noise_df: float | None = None,
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
    et al. 2025), with ``noise_sd`` a run-to-run SD of a score as a fraction and ``noise_df``
    its degrees of freedom (runs minus one).
    """
    if list(bootstrap_result.systems) != [str(system) for system in matrix.index]:
        raise DataError(
            "ranking_stability: bootstrap_result", "is not a bootstrap of the matrix's systems"
        )
    intervals = rank_intervals(bootstrap_result, confidence=confidence)
    intervals = intervals.assign(
        score=100.0 * intervals["score"], width=intervals["rank_high"] - intervals["rank_low"]
    )
    return RankingStability(
        intervals=intervals,
        median_width=float(intervals["width"].median()),
        max_width=int(intervals["width"].max()),
        split_half=split_half_rank_stability(matrix, n_splits=n_splits, seed=seed),
        snr=signal_to_noise(matrix, noise_sd, noise_df=noise_df, confidence=confidence),
    )


@cached(sources=("leaderboards", "verified_tasks", "acr_runs"), memo=2)
def bash_only_ranking_stability(n_splits: int = 200, seed: int = 0) -> RankingStability:
    """:func:`ranking_stability` of the bash-only systems (cached bootstrap,
    :func:`bash_only_bootstrap`: repositories resampled), with AutoCodeRover's run-to-run
    SD (:func:`acr_noise`, three runs on SWE-bench Lite, so 2 degrees of freedom: flagged)
    as the noise."""
    noise = acr_noise()
    return ranking_stability(
        frames.bash_only_matrix(),
        bash_only_bootstrap(),
        noise_sd=noise.score_sd,
        noise_df=noise.score_sd_df,
        n_splits=n_splits,
        seed=seed,
    )
