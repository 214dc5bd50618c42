"""The leaderboard family: score intervals and paired tests on 24 systems x 500 tasks.

Scenarios (see the package docstring for the model):

- ``independent``: ``sd_v = sd_u = 0``; 24 systems spread over about 5%-75%.
- ``repository_effects``: ``sd_v = 0.5, sd_u = 0.3`` (the naive clustered z interval covers
  about 77% here, as the statistical review measured on the real data).
- ``near_ceiling`` / ``near_ceiling_repository_effects``: one system at a true 95%.
- ``paired_gap_0_*`` / ``paired_gap_3_*``: two systems at 50% and 50% (or 53%), with
  independent tasks or repository effects: type-I error and power of paired tests.

The small-cluster intervals estimate the intra-cluster correlation pooled over all 24
simulated systems (or all 276 pairs), as the package does on the real matrix; the exact
critical value is tabulated on a grid of correlations once per run and interpolated.
Coverage in the two spread scenarios pools the 24 systems.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from analysis.analyses.calibration._common import (
    CHUNK,
    HARNESS_RESAMPLES,
    N_SYSTEMS,
    NOMINAL_COVERAGE,
    NOMINAL_LEVEL,
    REPOSITORY_SD,
    RHO_GRID,
    SYSTEM_REPOSITORY_SD,
    TASK_SD,
    CalibrationRow,
    Method,
    abilities_for,
    ability_for,
    always,
    calibration_row,
    cluster_codes_for,
    cluster_resample_counts,
    critical_values,
    mean_solve_rate,
    own_methods,
    simulate_outcomes,
)
from analysis.errors import DataError
from analysis.stats.clustered import (
    WEBB_WEIGHTS,
    bell_mccaffrey_df,
    cr2_standard_error,
    pooled_difference_icc,
    pooled_intraclass_correlation,
    wild_cluster_p_values,
)
from analysis.stats.comparisons import mcnemar_from_counts
from analysis.stats.intervals import clopper_pearson_interval, wald_interval, wilson_interval


@dataclass(frozen=True)
class Scenario:
    """One data-generating setting (see the module docstring)."""

    name: str
    repository_sd: float = 0.0
    system_repository_sd: float = 0.0
    target_score: float | None = None  # a near-ceiling system measured alone
    gap: float | None = None  # paired scenarios: true score_a - score_b

    @property
    def independent(self) -> bool:
        return self.repository_sd == 0.0 and self.system_repository_sd == 0.0

    @property
    def paired(self) -> bool:
        return self.gap is not None


_REPO = {"repository_sd": REPOSITORY_SD, "system_repository_sd": SYSTEM_REPOSITORY_SD}
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("independent"),
    Scenario("repository_effects", **_REPO),
    Scenario("near_ceiling", target_score=0.95),
    Scenario("near_ceiling_repository_effects", target_score=0.95, **_REPO),
    Scenario("paired_gap_0_independent", gap=0.0),
    Scenario("paired_gap_0_repository_effects", gap=0.0, **_REPO),
    Scenario("paired_gap_3_independent", gap=0.03),
    Scenario("paired_gap_3_repository_effects", gap=0.03, **_REPO),
)


def _independent_only(scenario: Scenario) -> bool:
    return scenario.independent


def _clustered_only(scenario: Scenario) -> bool:
    return not scenario.independent


METHODS: tuple[Method, ...] = (
    Method("cr2_exact_icc", "interval", True, always, "CR2 SE, exact c under pooled ICC"),
    Method("cr2_bell_mccaffrey", "interval", False, always, "CR2 SE, t(Bell-McCaffrey df)"),
    Method("wilson", "interval", True, _independent_only, "Wilson score (independent tasks)"),
    Method("wilson_on_clustered_tasks", "interval", False, _clustered_only, "Wilson, clustered"),
    Method("clopper_pearson", "interval", True, _independent_only, "exact binomial, independent"),
    Method(
        "clopper_pearson_on_clustered_tasks", "interval", False, _clustered_only, "CP, clustered"
    ),
    Method("wald", "interval", False, always, "p +- z sqrt(p(1-p)/n)"),
    Method("clustered_z_cr0", "interval", False, always, "naive clustered SE, z (Miller eq. 4)"),
    Method("clustered_cr1_t", "interval", False, always, "CR0 x G/(G-1), t(G-1)"),
    Method("cluster_bootstrap_percentile", "interval", False, always, "repository bootstrap"),
    Method("cr2_difference_exact", "difference", True, always, "CR2, exact c, pooled ICC"),
    Method("cr2_difference", "difference", False, always, "CR2 t(BM df) of a paired diff."),
    Method("wild_cluster_webb", "test", True, always, "WCR bootstrap, Webb weights, CR2 t"),
    Method("mcnemar_exact", "test", True, _independent_only, "exact McNemar (independent)"),
    Method("mcnemar_on_clustered_tasks", "test", False, _clustered_only, "McNemar, clustered"),
    Method("cr2_exact_test", "test", True, always, "CR2 t, exact null at pooled ICC"),
    Method("cr2_t_test", "test", False, always, "CR2 t test, Bell-McCaffrey df"),
    Method("clustered_z_test_cr0", "test", False, always, "naive clustered SE, z"),
    Method("cluster_bootstrap_test", "test", False, always, "centred repository bootstrap"),
)


@dataclass(frozen=True)
class ScenarioSetup:
    thetas: np.ndarray
    truth: np.ndarray
    targets: np.ndarray  # rows measured by interval methods
    pair: tuple[int, int] | None


def setup_scenario(scenario: Scenario) -> ScenarioSetup:
    """Abilities, true scores, measured rows and the compared pair of ``scenario``."""
    total_sd = float(
        np.sqrt(TASK_SD**2 + scenario.repository_sd**2 + scenario.system_repository_sd**2)
    )
    spread = np.linspace(0.05, 0.75, N_SYSTEMS)
    thetas = abilities_for(spread, total_sd)
    targets = np.arange(N_SYSTEMS)
    pair = None
    if scenario.target_score is not None:
        thetas[-1] = ability_for(scenario.target_score, total_sd)
        targets = np.array([N_SYSTEMS - 1])
    if scenario.gap is not None:
        thetas[0] = ability_for(0.5 + scenario.gap, total_sd)
        thetas[1] = ability_for(0.5, total_sd)
        pair = (0, 1)
        targets = np.array([0, 1])
    return ScenarioSetup(thetas, mean_solve_rate(thetas, total_sd), targets, pair)


def _interval_covered(
    name: str,
    totals: np.ndarray,
    sizes: np.ndarray,
    truth: np.ndarray,
    rng: np.random.Generator,
    critical: np.ndarray | None = None,
) -> np.ndarray:
    """``reps x K`` bool: does method ``name`` cover ``truth`` (K,) given cluster totals?
    ``critical`` (reps,) is the exact critical value at each replicate's pooled ICC."""
    n_tasks = sizes.sum()
    n_clusters = len(sizes)
    solved = totals.sum(axis=-1)
    score = solved / n_tasks
    if name in (
        "wilson",
        "wilson_on_clustered_tasks",
        "clopper_pearson",
        "clopper_pearson_on_clustered_tasks",
        "wald",
    ):
        function = {
            "wald": wald_interval,
            "clopper_pearson": clopper_pearson_interval,
            "clopper_pearson_on_clustered_tasks": clopper_pearson_interval,
        }.get(name, wilson_interval)
        low, high = function(solved, np.full_like(solved, n_tasks), NOMINAL_COVERAGE)
        return (low <= truth) & (truth <= high)
    if name == "cluster_bootstrap_percentile":
        reps = totals.shape[0]
        counts = cluster_resample_counts(rng, n_clusters, reps)
        boot = np.einsum("rbg,rkg->rbk", counts, totals) / (counts @ sizes)[:, :, None]
        low, high = np.quantile(boot, [0.025, 0.975], axis=1)
        return (low <= truth) & (truth <= high)
    _, se2 = cr2_standard_error(totals, sizes)
    residual = totals - sizes * score[..., None]
    se0 = np.sqrt((residual**2).sum(axis=-1)) / n_tasks
    if name == "cr2_exact_icc":
        half = critical[:, None] * se2
    elif name == "cr2_bell_mccaffrey":
        half = scipy_stats.t.ppf(0.975, bell_mccaffrey_df(sizes)) * se2
    elif name == "clustered_z_cr0":
        half = scipy_stats.norm.ppf(0.975) * se0
    elif name == "clustered_cr1_t":
        g = n_clusters
        half = scipy_stats.t.ppf(0.975, g - 1) * se0 * np.sqrt(g / (g - 1.0))
    else:
        raise DataError("calibration", f"no interval method {name!r}")
    return np.abs(score - truth) <= half


def paired_test_rejects(
    name: str,
    x_a: np.ndarray,
    x_b: np.ndarray,
    difference_totals: np.ndarray,
    sizes: np.ndarray,
    rng: np.random.Generator,
    critical: np.ndarray | None = None,
) -> np.ndarray:
    """``reps`` bool: does test ``name`` reject ``score_a = score_b`` at 5%? ``critical``
    (reps,) is the exact critical value at each replicate's pooled ICC of differences."""
    n_tasks = sizes.sum()
    n_clusters = len(sizes)
    if name in ("mcnemar_exact", "mcnemar_on_clustered_tasks"):
        only_a = ((x_a == 1) & (x_b == 0)).sum(axis=1)
        only_b = ((x_a == 0) & (x_b == 1)).sum(axis=1)
        return mcnemar_from_counts(only_a, only_b) < NOMINAL_LEVEL
    if name == "wild_cluster_webb":
        weights = WEBB_WEIGHTS[rng.integers(0, 6, size=(HARNESS_RESAMPLES, n_clusters))]
        return wild_cluster_p_values(difference_totals, sizes, weights=weights) < NOMINAL_LEVEL
    if name == "cluster_bootstrap_test":
        reps = difference_totals.shape[0]
        counts = cluster_resample_counts(rng, n_clusters, reps)
        boot = np.einsum("rbg,rg->rb", counts, difference_totals) / (counts @ sizes)
        observed = difference_totals.sum(axis=1) / n_tasks
        extreme = (np.abs(boot - observed[:, None]) >= np.abs(observed)[:, None] - 1e-9).sum(1)
        p_values = np.where(np.abs(observed) < 1e-9, 1.0, (1 + extreme) / (HARNESS_RESAMPLES + 1))
        return p_values < NOMINAL_LEVEL
    mean, se2 = cr2_standard_error(difference_totals, sizes)
    with np.errstate(invalid="ignore", divide="ignore"):
        if name == "cr2_exact_test":
            return np.where(se2 > 0, np.abs(mean) / se2, 0.0) > critical
        if name == "cr2_t_test":
            t_value = np.where(se2 > 0, np.abs(mean) / se2, 0.0)
            return t_value > scipy_stats.t.ppf(0.975, bell_mccaffrey_df(sizes))
        if name == "clustered_z_test_cr0":
            residual = difference_totals - sizes * mean[:, None]
            se0 = np.sqrt((residual**2).sum(axis=1)) / n_tasks
            return np.where(se0 > 0, np.abs(mean) / se0, 0.0) > scipy_stats.norm.ppf(0.975)
    raise DataError("calibration", f"no test {name!r}")


def _difference_covered(
    difference_totals: np.ndarray, sizes: np.ndarray, gap: float, critical: np.ndarray | None
) -> np.ndarray:
    mean, se2 = cr2_standard_error(difference_totals, sizes)
    if critical is None:
        critical = scipy_stats.t.ppf(0.975, bell_mccaffrey_df(sizes))
    return np.abs(mean - gap) <= critical * se2


def run_leaderboard(
    reps: int,
    seed: int,
    sizes: np.ndarray,
    scenarios: Sequence[Scenario] = SCENARIOS,
    methods: Sequence[Method] = METHODS,
    bar: object | None = None,
) -> list[CalibrationRow]:
    """Simulate ``reps`` leaderboards per scenario and measure every applicable method.

    Each scenario draws from its own child of ``numpy.random.SeedSequence(seed)``, so a
    scenario's numbers do not depend on which other scenarios run. ``bar``: a tqdm bar
    advanced once per chunk of replicates.
    """
    codes, membership = cluster_codes_for(sizes)
    children = np.random.SeedSequence(seed).spawn(len(SCENARIOS))
    seeds = {scenario.name: child for scenario, child in zip(SCENARIOS, children, strict=True)}
    methods = own_methods(METHODS, methods)
    critical_table = critical_values(sizes)
    rows: list[CalibrationRow] = []
    for scenario in scenarios:
        setup = setup_scenario(scenario)
        rng = np.random.default_rng(seeds.get(scenario.name, np.random.SeedSequence(seed)))
        active = [method for method in methods if method.applies(scenario)]
        kinds = ("test", "difference") if scenario.paired else ("interval",)
        active = [method for method in active if method.kind in kinds]
        hits: dict[str, list[np.ndarray]] = {method.name: [] for method in active}
        for start in range(0, reps, CHUNK):
            size = min(CHUNK, reps - start)
            outcomes = simulate_outcomes(
                rng,
                setup.thetas,
                codes,
                len(sizes),
                size,
                scenario.repository_sd,
                scenario.system_repository_sd,
            )
            totals = (outcomes @ membership).astype(np.float64)  # reps x systems x clusters
            # The ICC is pooled over all systems of the simulated leaderboard, as in the package.
            rho = pooled_intraclass_correlation(totals, totals, sizes)
            critical = np.interp(rho, RHO_GRID, critical_table)
            if scenario.paired:
                # As in the package: the ICC of the differences pooled over all pairs.
                solvers = outcomes.sum(axis=1)  # reps x tasks
                difference_rho = pooled_difference_icc(
                    totals, (solvers**2 @ membership).astype(np.float64), sizes
                )
                difference_critical = np.interp(difference_rho, RHO_GRID, critical_table)
            for method in active:
                if method.kind == "interval":
                    covered = _interval_covered(
                        method.name,
                        totals[:, setup.targets],
                        sizes,
                        setup.truth[setup.targets],
                        rng,
                        critical,
                    )
                    hits[method.name].append(covered.mean(axis=1))
                    continue
                a, b = setup.pair
                difference = totals[:, a] - totals[:, b]
                if method.kind == "difference":
                    outcome = _difference_covered(
                        difference,
                        sizes,
                        setup.truth[a] - setup.truth[b],
                        difference_critical if method.name == "cr2_difference_exact" else None,
                    )
                else:
                    outcome = paired_test_rejects(
                        method.name,
                        outcomes[:, a],
                        outcomes[:, b],
                        difference,
                        sizes,
                        rng,
                        difference_critical,
                    )
                hits[method.name].append(outcome.astype(np.float64))
            if bar is not None:
                bar.update(1)
        rows += [
            calibration_row(
                method, scenario.name, np.concatenate(hits[method.name]), scenario.gap == 0.0
            )
            for method in active
        ]
    return rows
