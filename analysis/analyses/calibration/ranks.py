"""The ranks family: rank intervals (notebook 03, ``audit``) and the power behind the
audit's minimum detectable difference, on the leaderboard family's simulated data.

- **Rank intervals.** A system's true rank is its rank among the true scores of the 24
  simulated systems (spread over 5%-75%, all distinct). A rank interval covers when
  ``rank_low <= true rank <= rank_high``; coverage pools the 24 systems. Ranks are whole
  numbers, so an interval cannot be exact: the band for rank intervals is "at least 93%"
  (an over-covering rank interval is conservative, not wrong; Mogstad, Romano, Shaikh &
  Wilhelm 2024, "Inference for ranks with applications to mobility across neighbourhoods
  and academic achievement across countries", REStud 91(1), aim for the same guarantee).
  Measured: :func:`analysis.stats.tiers.percentile_rank_bounds` (what
  :func:`~analysis.stats.tiers.rank_intervals` computes) on a task bootstrap (``audit``
  without clusters) and on a repository bootstrap (notebook 03, ``audit`` with clusters),
  with the 24 systems spread over 5%-75% (3 points apart) or packed over 45%-75% (1.3 points
  apart, ``*_dense_*``).
- **Minimum detectable difference.** The audit states, per pair, the smallest true gap its
  test detects with 80% power. Here two systems at 50% are simulated at a gap of zero to
  get the MDD the audit would state (its mean over replicates), then at a true gap equal to
  it, and the share of replicates in which the audit's test rejects is the power actually
  delivered (the target is 80%; band 75-85%). The audit's test is exact McNemar without
  clusters and the clustered CR2 exact test with them; with clusters the audit states
  :func:`analysis.stats.power.clustered_minimum_detectable_difference` (``mdd_clustered``),
  and ``mdd_independent_formula_clustered_test`` measures what the independent-task formula
  it stated before delivers.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
from scipy import stats as scipy_stats

from analysis.analyses.calibration._common import (
    CHUNK,
    REPOSITORY_SD,
    RHO_GRID,
    SYSTEM_REPOSITORY_SD,
    CalibrationRow,
    Method,
    abilities_for,
    calibration_row,
    cluster_codes_for,
    cluster_resample_counts,
    critical_values,
    mean_solve_rate,
    own_methods,
    simulate_outcomes,
)
from analysis.analyses.calibration.leaderboard import (
    Scenario,
    ScenarioSetup,
    paired_test_rejects,
    setup_scenario,
)
from analysis.stats.clustered import (
    cr2_standard_error,
    exact_critical_value,
    pooled_difference_icc,
)
from analysis.stats.power import minimum_detectable_difference
from analysis.stats.tiers import percentile_rank_bounds

POWER = 0.8
RANK_BAND = (0.93, 1.0)
POWER_BAND = (0.75, 0.85)
_REPO = {"repository_sd": REPOSITORY_SD, "system_repository_sd": SYSTEM_REPOSITORY_SD}
#: Scores of the dense scenarios: 24 systems 1.3 points apart (the bash-only leaderboard's
#: neighbours are mostly closer than 2 points).
DENSE_SCORES = np.linspace(0.45, 0.75, 24)
RANK_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("ranks_independent"),
    Scenario("ranks_repository_effects", **_REPO),
    Scenario("ranks_dense_independent"),
    Scenario("ranks_dense_repository_effects", **_REPO),
)
MDD_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("mdd_independent", gap=0.0),
    Scenario("mdd_repository_effects", gap=0.0, **_REPO),
)
SCENARIOS = RANK_SCENARIOS + MDD_SCENARIOS


def _rank_scenario(scenario: Scenario) -> bool:
    return scenario.gap is None


def _independent_mdd(scenario: Scenario) -> bool:
    return scenario.gap is not None and scenario.independent


def _clustered_mdd(scenario: Scenario) -> bool:
    return scenario.gap is not None and not scenario.independent


METHODS: tuple[Method, ...] = (
    Method(
        "rank_interval_task_bootstrap",
        "interval",
        True,
        _rank_scenario,
        "percentile ranks, tasks resampled (audit without clusters)",
        band=RANK_BAND,
    ),
    Method(
        "rank_interval_cluster_bootstrap",
        "interval",
        True,
        _rank_scenario,
        "percentile ranks, repositories resampled (notebook 03, audit with clusters)",
        band=RANK_BAND,
    ),
    Method(
        "mdd_independent_mcnemar",
        "power",
        True,
        _independent_mdd,
        "independent-task MDD, exact McNemar (audit without clusters)",
        band=POWER_BAND,
        nominal=POWER,
    ),
    Method(
        "mdd_independent_formula_clustered_test",
        "power",
        False,
        _clustered_mdd,
        "independent-task MDD, detected by the CR2 exact test",
        band=POWER_BAND,
        nominal=POWER,
    ),
    Method(
        "mdd_clustered",
        "power",
        True,
        _clustered_mdd,
        "clustered MDD, CR2 exact test (audit with clusters)",
        band=POWER_BAND,
        nominal=POWER,
    ),
)


def rank_replicates(reps: int) -> int:
    """Replicates per rank scenario (a quarter of ``--reps``: each carries two bootstraps);
    the MDD scenarios run ``--reps`` twice (the stated MDD, then its power)."""
    return max(2, reps // 4)


def ranks_chunks(reps: int) -> int:
    return len(RANK_SCENARIOS) * -(-rank_replicates(reps) // CHUNK) + len(MDD_SCENARIOS) * 2 * -(
        -reps // CHUNK
    )


@functools.lru_cache(maxsize=8)
def _power_quantiles(sizes: tuple[float, ...], power: float) -> np.ndarray:
    """``c(2 power - 1)`` on :data:`RHO_GRID` (see
    :func:`analysis.stats.power.clustered_minimum_detectable_difference`)."""
    return np.array([exact_critical_value(sizes, rho, 2.0 * power - 1.0) for rho in RHO_GRID])


def _rank_setup(scenario: Scenario) -> ScenarioSetup:
    setup = setup_scenario(scenario)
    if "dense" not in scenario.name:
        return setup
    total_sd = float(np.sqrt(2.0**2 + scenario.repository_sd**2 + scenario.system_repository_sd**2))
    thetas = abilities_for(DENSE_SCORES, total_sd)
    return ScenarioSetup(thetas, mean_solve_rate(thetas, total_sd), setup.targets, None)


def _rank_coverage(
    name: str,
    outcomes: np.ndarray,
    totals: np.ndarray,
    sizes: np.ndarray,
    true_rank: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Per replicate: the share of systems whose rank interval holds their true rank."""
    if name == "rank_interval_task_bootstrap":
        weights = cluster_resample_counts(rng, outcomes.shape[-1], 1)[0].astype(np.float32)
        resamples = np.einsum("bt,rkt->rbk", weights, outcomes) / sizes.sum()
    else:
        weights = cluster_resample_counts(rng, len(sizes), 1)[0]
        resamples = np.einsum("bg,rkg->rbk", weights, totals) / (weights @ sizes)[None, :, None]
    low, high, _, _ = percentile_rank_bounds(resamples)
    return ((low <= true_rank) & (true_rank <= high)).mean(axis=1)


def _pair_statistics(
    outcomes: np.ndarray, totals: np.ndarray, sizes: np.ndarray, membership: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per replicate, pair (0, 1): mean squared per-task difference, CR2 SE of the
    difference and the ICC of differences pooled over all pairs (as the package does)."""
    mean_square = ((outcomes[:, 0] - outcomes[:, 1]) ** 2).mean(axis=1)
    _, se = cr2_standard_error(totals[:, 0] - totals[:, 1], sizes)
    solvers = outcomes.sum(axis=1)
    rho = pooled_difference_icc(totals, (solvers**2 @ membership).astype(np.float64), sizes)
    return mean_square, se, rho


def run_ranks(
    reps: int,
    seed: np.random.SeedSequence,
    sizes: np.ndarray,
    methods: Sequence[Method] = METHODS,
    bar: object | None = None,
) -> list[CalibrationRow]:
    """Rank-interval coverage and the power delivered at the stated MDD."""
    active = own_methods(METHODS, methods)
    codes, membership = cluster_codes_for(sizes)
    critical_table = critical_values(sizes)
    power_table = _power_quantiles(tuple(float(size) for size in sizes), POWER)
    rows: list[CalibrationRow] = []
    for scenario, child in zip(SCENARIOS, seed.spawn(len(SCENARIOS)), strict=True):
        rng = np.random.default_rng(child)
        here = [method for method in active if method.applies(scenario)]
        if not here:
            continue
        sds = (scenario.repository_sd, scenario.system_repository_sd)
        if scenario.gap is None:
            setup = _rank_setup(scenario)
            true_rank = scipy_stats.rankdata(-setup.truth, method="min")
            hits: dict[str, list[np.ndarray]] = {method.name: [] for method in here}
            n = rank_replicates(reps)
            for start in range(0, n, CHUNK):
                size = min(CHUNK, n - start)
                outcomes = simulate_outcomes(rng, setup.thetas, codes, len(sizes), size, *sds)
                totals = (outcomes @ membership).astype(np.float64)
                for method in here:
                    hits[method.name].append(
                        _rank_coverage(method.name, outcomes, totals, sizes, true_rank, rng)
                    )
                if bar is not None:
                    bar.update(1)
            rows += [
                calibration_row(m, scenario.name, np.concatenate(hits[m.name]), False) for m in here
            ]
            continue
        # the MDD the audit would state on null data (its mean over replicates) ...
        stated: dict[str, list[np.ndarray]] = {method.name: [] for method in here}
        setup = setup_scenario(scenario)
        for start in range(0, reps, CHUNK):
            size = min(CHUNK, reps - start)
            outcomes = simulate_outcomes(rng, setup.thetas, codes, len(sizes), size, *sds)
            totals = (outcomes @ membership).astype(np.float64)
            mean_square, se, rho = _pair_statistics(outcomes, totals, sizes, membership)
            independent = minimum_detectable_difference(
                sizes.sum(), power=POWER, discordance=np.clip(mean_square, 0.0, 1.0)
            )
            clustered = (
                np.interp(rho, RHO_GRID, critical_table) + np.interp(rho, RHO_GRID, power_table)
            ) * se
            for method in here:
                stated[method.name].append(
                    clustered if method.name == "mdd_clustered" else independent
                )
            if bar is not None:
                bar.update(1)
        # ... then the share of replicates at that true gap in which the audit's test rejects
        for method in here:
            gap = float(np.concatenate(stated[method.name]).mean())
            setup = setup_scenario(Scenario(scenario.name, *sds, gap=gap))
            test = "mcnemar_exact" if method.name == "mdd_independent_mcnemar" else "cr2_exact_test"
            rejected = []
            for start in range(0, reps, CHUNK):
                size = min(CHUNK, reps - start)
                outcomes = simulate_outcomes(rng, setup.thetas, codes, len(sizes), size, *sds)
                totals = (outcomes @ membership).astype(np.float64)
                _, _, rho = _pair_statistics(outcomes, totals, sizes, membership)
                rejected.append(
                    paired_test_rejects(
                        test,
                        outcomes[:, 0],
                        outcomes[:, 1],
                        totals[:, 0] - totals[:, 1],
                        sizes,
                        rng,
                        np.interp(rho, RHO_GRID, critical_table),
                    ).astype(np.float64)
                )
                if bar is not None:
                    bar.update(1)
            rows.append(calibration_row(method, scenario.name, np.concatenate(rejected), False))
    return rows
