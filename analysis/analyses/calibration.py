"""Calibration harness: does each interval cover, and does each test hold its level?

``python -m analysis calibrate [--reps N] [--format table|json] [--seed S]`` simulates
outcome matrices shaped like SWE-bench Verified (24 systems x 500 tasks in the real
repositories, sizes read from the task file at run time) and measures, per method and
scenario, the coverage of nominal 95% intervals or the rejection rate of 5% tests.

Data-generating model (a 2-level logistic model, the shape IRT finds in real results):
``P(x_st = 1) = expit(theta_s - b_t + u_{s,g(t)})`` with task difficulty
``b_t = v_{g(t)} + e_t``, ``e_t ~ N(0, 2^2)`` (so systems agree on which tasks are hard and
adjacent systems differ on a realistic ~20% of tasks), a repository effect shared by all
systems ``v_g ~ N(0, sd_v^2)`` and a system-by-repository effect ``u_sg ~ N(0, sd_u^2)``.
A system's true score is the expected pass rate over new tasks and repositories,
``E expit(theta_s - b + u)``, by Gauss-Hermite quadrature. Scenarios:

- ``independent``: ``sd_v = sd_u = 0``; 24 systems spread over about 5%-75%.
- ``repository_effects``: ``sd_v = 0.5, sd_u = 0.3`` (the naive clustered z interval covers
  about 77% here, as the statistical review measured on the real data).
- ``near_ceiling`` / ``near_ceiling_repository_effects``: one system at a true 95%.
- ``paired_gap_0_*`` / ``paired_gap_3_*``: two systems at 50% and 50% (or 53%), with
  independent tasks or repository effects: type-I error and power of paired tests.

The small-cluster intervals estimate the intra-cluster correlation pooled over all 24
simulated systems (or all 276 pairs), as the package does on the real matrix; the exact
critical value is tabulated on a grid of correlations once per run and interpolated.
Coverage in the two spread scenarios pools the 24 systems; ``mc_se`` is the Monte Carlo
standard error from the per-replicate shares. Resampling methods inside the harness use
``B = 999`` and share one draw of weights per chunk of replicates (unbiased; it only
correlates neighbouring replicates a little). ``used_in_report`` is a registry flag per
method: the methods the report is meant to show (after wiring); every one of them should
land in 93-97% coverage (3-7% type-I error) in every scenario it applies to.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats
from scipy.optimize import brentq
from scipy.special import expit

from analysis.errors import DataError
from analysis.stats.clustered import (
    WEBB_WEIGHTS,
    bell_mccaffrey_df,
    cr2_standard_error,
    exact_critical_value,
    pooled_difference_icc,
    pooled_intraclass_correlation,
    wild_cluster_p_values,
)
from analysis.stats.comparisons import mcnemar_from_counts
from analysis.stats.intervals import clopper_pearson_interval, wald_interval, wilson_interval

__all__ = [
    "METHODS",
    "SCENARIOS",
    "CalibrationRow",
    "Scenario",
    "repository_sizes",
    "run_calibration",
]

DEFAULT_REPS = 2_000
NOMINAL_COVERAGE = 0.95
NOMINAL_LEVEL = 0.05
COVERAGE_BAND = (0.93, 0.97)
LEVEL_BAND = (0.03, 0.07)
N_SYSTEMS = 24
TASK_SD = 2.0
HARNESS_RESAMPLES = 999
_CHUNK = 25  # replicates simulated at once
_QUADRATURE = np.polynomial.hermite_e.hermegauss(80)


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


_REPO = {"repository_sd": 0.5, "system_repository_sd": 0.3}
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


@dataclass(frozen=True)
class Method:
    """A registered interval or test: ``kind`` is ``interval`` (a score), ``difference``
    (interval of a paired difference) or ``test`` (paired test at 5%)."""

    name: str
    kind: str
    used_in_report: bool
    applies: Callable[[Scenario], bool] = field(repr=False)
    description: str = ""


def _always(scenario: Scenario) -> bool:
    return True


def _independent_only(scenario: Scenario) -> bool:
    return scenario.independent


def _clustered_only(scenario: Scenario) -> bool:
    return not scenario.independent


METHODS: tuple[Method, ...] = (
    Method("cr2_exact_icc", "interval", True, _always, "CR2 SE, exact c under pooled ICC"),
    Method("cr2_bell_mccaffrey", "interval", False, _always, "CR2 SE, t(Bell-McCaffrey df)"),
    Method("wilson", "interval", True, _independent_only, "Wilson score (independent tasks)"),
    Method("wilson_on_clustered_tasks", "interval", False, _clustered_only, "Wilson, clustered"),
    Method("clopper_pearson", "interval", True, _independent_only, "exact binomial, independent"),
    Method(
        "clopper_pearson_on_clustered_tasks", "interval", False, _clustered_only, "CP, clustered"
    ),
    Method("wald", "interval", False, _always, "p +- z sqrt(p(1-p)/n)"),
    Method("clustered_z_cr0", "interval", False, _always, "naive clustered SE, z (Miller eq. 4)"),
    Method("clustered_cr1_t", "interval", False, _always, "CR0 x G/(G-1), t(G-1)"),
    Method("cluster_bootstrap_percentile", "interval", False, _always, "repository bootstrap"),
    Method("cr2_difference_exact", "difference", True, _always, "CR2, exact c, pooled ICC"),
    Method("cr2_difference", "difference", False, _always, "CR2 t(BM df) of a paired diff."),
    Method("wild_cluster_webb", "test", True, _always, "WCR bootstrap, Webb weights, CR2 t"),
    Method("mcnemar_exact", "test", True, _independent_only, "exact McNemar (independent)"),
    Method("mcnemar_on_clustered_tasks", "test", False, _clustered_only, "McNemar, clustered"),
    Method("cr2_exact_test", "test", True, _always, "CR2 t, exact null at pooled ICC"),
    Method("cr2_t_test", "test", False, _always, "CR2 t test, Bell-McCaffrey df"),
    Method("clustered_z_test_cr0", "test", False, _always, "naive clustered SE, z"),
    Method("cluster_bootstrap_test", "test", False, _always, "centred repository bootstrap"),
)


@dataclass(frozen=True)
class CalibrationRow:
    """One line of the harness output. Exactly one of ``coverage`` (intervals),
    ``type_I_error`` (tests under a true gap of 0) and ``power`` (tests under a real gap) is
    set; ``nominal`` is 0.95 for coverage and 0.05 for tests; ``in_band`` says whether the
    measured rate lies in 93-97% (coverage) or 3-7% (type-I error), None for power."""

    method: str
    scenario: str
    nominal: float
    coverage: float | None
    type_I_error: float | None
    power: float | None
    mc_se: float
    reps: int
    used_in_report: bool
    in_band: bool | None


def repository_sizes(path: str | None = None) -> np.ndarray:
    """Tasks per repository in the SWE-bench Verified task file (largest first), read at run
    time through :func:`analysis.data.readers.verified.load_tasks`."""
    from analysis.data.readers.verified import load_tasks

    counts = load_tasks(path)["repo"].value_counts()
    return counts.to_numpy(dtype=np.float64)


def mean_solve_rate(theta: float | np.ndarray, total_sd: float) -> np.ndarray:
    """``E expit(theta - z sd)`` over ``z ~ N(0, 1)`` (Gauss-Hermite, 80 nodes)."""
    nodes, weights = _QUADRATURE
    theta_array = np.atleast_1d(np.asarray(theta, dtype=np.float64))
    values = expit(theta_array[:, None] - nodes[None, :] * total_sd)
    return values @ (weights / weights.sum())


def _ability_for(score: float, total_sd: float) -> float:
    return float(brentq(lambda t: mean_solve_rate(t, total_sd)[0] - score, -30.0, 30.0))


@dataclass(frozen=True)
class _Setup:
    thetas: np.ndarray
    truth: np.ndarray
    targets: np.ndarray  # rows measured by interval methods
    pair: tuple[int, int] | None


def _setup(scenario: Scenario) -> _Setup:
    total_sd = float(
        np.sqrt(TASK_SD**2 + scenario.repository_sd**2 + scenario.system_repository_sd**2)
    )
    spread = np.linspace(0.05, 0.75, N_SYSTEMS)
    thetas = np.array([_ability_for(score, total_sd) for score in spread])
    targets = np.arange(N_SYSTEMS)
    pair = None
    if scenario.target_score is not None:
        thetas[-1] = _ability_for(scenario.target_score, total_sd)
        targets = np.array([N_SYSTEMS - 1])
    if scenario.gap is not None:
        thetas[0] = _ability_for(0.5 + scenario.gap, total_sd)
        thetas[1] = _ability_for(0.5, total_sd)
        pair = (0, 1)
        targets = np.array([0, 1])
    return _Setup(thetas, mean_solve_rate(thetas, total_sd), targets, pair)


def _simulate(
    rng: np.random.Generator,
    scenario: Scenario,
    thetas: np.ndarray,
    codes: np.ndarray,
    n_clusters: int,
    reps: int,
) -> np.ndarray:
    """``reps x systems x tasks`` 0/1 outcomes (float32) from the scenario's model."""
    n_tasks = len(codes)
    difficulty = rng.normal(0.0, TASK_SD, size=(reps, n_tasks))
    if scenario.repository_sd:
        difficulty += rng.normal(0.0, scenario.repository_sd, size=(reps, n_clusters))[:, codes]
    logits = thetas[None, :, None] - difficulty[:, None, :]
    if scenario.system_repository_sd:
        effects = rng.normal(0.0, scenario.system_repository_sd, (reps, len(thetas), n_clusters))
        logits = logits + effects[:, :, codes]
    return (rng.random(logits.shape) < expit(logits)).astype(np.float32)


# Intra-cluster correlations at which the exact critical value is tabulated for the harness
# (interpolated linearly; the package computes it at the estimate itself).
_RHO_GRID = np.concatenate([[0.0], np.geomspace(1e-4, 0.99, 60)])


@functools.lru_cache(maxsize=8)
def _critical_table_cached(sizes: tuple[float, ...]) -> np.ndarray:
    return np.array([exact_critical_value(sizes, rho, NOMINAL_COVERAGE) for rho in _RHO_GRID])


def _critical_table(sizes: np.ndarray) -> np.ndarray:
    return _critical_table_cached(tuple(float(size) for size in sizes)).copy()


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
        counts = rng.multinomial(
            n_clusters, np.full(n_clusters, 1.0 / n_clusters), size=(reps, HARNESS_RESAMPLES)
        ).astype(np.float64)
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


def _test_rejects(
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
        counts = rng.multinomial(
            n_clusters, np.full(n_clusters, 1.0 / n_clusters), size=(reps, HARNESS_RESAMPLES)
        ).astype(np.float64)
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


def run_calibration(
    reps: int = DEFAULT_REPS,
    seed: int = 0,
    cluster_sizes: Sequence[float] | np.ndarray | None = None,
    scenarios: Sequence[Scenario] = SCENARIOS,
    methods: Sequence[Method] = METHODS,
    progress: bool = False,
) -> pd.DataFrame:
    """Simulate ``reps`` leaderboards per scenario and measure every applicable method.

    ``cluster_sizes`` defaults to the real repository sizes (:func:`repository_sizes`).
    Returns one row per (method, scenario) with the fields of :class:`CalibrationRow`.
    Each scenario draws from its own child of ``numpy.random.SeedSequence(seed)``, so a
    scenario's numbers do not depend on which other scenarios run.
    """
    if int(reps) < 1:
        raise DataError("calibrate --reps", f"need at least one replicate, got {reps}")
    reps = int(reps)
    sizes = np.asarray(
        repository_sizes() if cluster_sizes is None else cluster_sizes, dtype=np.float64
    )
    if sizes.ndim != 1 or len(sizes) < 2 or np.any(sizes < 1):
        raise DataError("cluster sizes", "need at least two clusters of at least one task")
    codes = np.repeat(np.arange(len(sizes)), sizes.astype(np.intp))
    membership = np.zeros((len(codes), len(sizes)), dtype=np.float32)
    membership[np.arange(len(codes)), codes] = 1.0
    children = np.random.SeedSequence(seed).spawn(len(SCENARIOS))
    seeds = {scenario.name: child for scenario, child in zip(SCENARIOS, children, strict=True)}

    critical_table = _critical_table(sizes)
    rows: list[CalibrationRow] = []
    total_chunks = len(scenarios) * -(-reps // _CHUNK)
    from tqdm.auto import tqdm

    bar = tqdm(total=total_chunks, desc="calibrate", unit="chunk", disable=not progress)
    for scenario in scenarios:
        setup = _setup(scenario)
        rng = np.random.default_rng(seeds.get(scenario.name, np.random.SeedSequence(seed)))
        active = [method for method in methods if method.applies(scenario)]
        if not scenario.paired:
            active = [method for method in active if method.kind == "interval"]
        else:
            active = [method for method in active if method.kind in ("test", "difference")]
        hits: dict[str, list[np.ndarray]] = {method.name: [] for method in active}
        for start in range(0, reps, _CHUNK):
            size = min(_CHUNK, reps - start)
            outcomes = _simulate(rng, scenario, setup.thetas, codes, len(sizes), size)
            totals = (outcomes @ membership).astype(np.float64)  # reps x systems x clusters
            # The ICC is pooled over all systems of the simulated leaderboard, as in the package.
            rho = pooled_intraclass_correlation(totals, totals, sizes)
            critical = np.interp(rho, _RHO_GRID, critical_table)
            if scenario.paired:
                # As in the package: the ICC of the differences pooled over all pairs.
                solvers = outcomes.sum(axis=1)  # reps x tasks
                difference_rho = pooled_difference_icc(
                    totals, (solvers**2 @ membership).astype(np.float64), sizes
                )
                difference_critical = np.interp(difference_rho, _RHO_GRID, critical_table)
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
                else:
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
                        outcome = _test_rejects(
                            method.name,
                            outcomes[:, a],
                            outcomes[:, b],
                            difference,
                            sizes,
                            rng,
                            difference_critical,
                        )
                    hits[method.name].append(outcome.astype(np.float64))
            bar.update(1)
        for method in active:
            shares = np.concatenate(hits[method.name])
            rate = float(shares.mean())
            mc_se = float(shares.std(ddof=1) / np.sqrt(reps)) if reps > 1 else float("nan")
            is_coverage = method.kind in ("interval", "difference")
            is_null = scenario.gap == 0.0
            if is_coverage:
                band: tuple[float, float] | None = COVERAGE_BAND
            else:
                band = LEVEL_BAND if is_null else None
            rows.append(
                CalibrationRow(
                    method=method.name,
                    scenario=scenario.name,
                    nominal=NOMINAL_COVERAGE if is_coverage else NOMINAL_LEVEL,
                    coverage=rate if is_coverage else None,
                    type_I_error=rate if (not is_coverage and is_null) else None,
                    power=rate if (not is_coverage and not is_null) else None,
                    mc_se=mc_se,
                    reps=reps,
                    used_in_report=method.used_in_report,
                    in_band=None if band is None else bool(band[0] <= rate <= band[1]),
                )
            )
    bar.close()
    return pd.DataFrame([asdict(row) for row in rows])


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reps", type=int, default=DEFAULT_REPS, help=f"replicates per scenario ({DEFAULT_REPS})"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _format_table(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for column in ("coverage", "type_I_error", "power", "mc_se"):
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}%")
    shown["nominal"] = shown["nominal"].map(lambda v: f"{100 * v:.0f}%")
    shown["in_band"] = shown["in_band"].map(lambda v: "" if v is None else ("yes" if v else "NO"))
    return shown.to_string(index=False)


def run_cli(args: argparse.Namespace) -> int:
    frame = run_calibration(reps=args.reps, seed=args.seed, progress=not args.no_progress)
    if args.format == "json":
        records = json.loads(frame.to_json(orient="records"))
        print(json.dumps(records, indent=2))
    else:
        print(_format_table(frame))
    failing = frame[frame["used_in_report"] & frame["in_band"].eq(False)]
    if len(failing):
        names = ", ".join(
            f"{m} / {s}" for m, s in zip(failing["method"], failing["scenario"], strict=True)
        )
        print(f"note: outside the band at {args.reps} reps: {names}", file=sys.stderr)
    return 0
