"""Shared pieces of the calibration harness: the registry types, the output row, the
logistic model's true scores and the simulation of leaderboard-shaped outcome matrices.

Every family of methods (``leaderboard``, ``agreement``, ``repeated``, ``ranks``) uses the
same 2-level logistic model, ``P(x_st = 1) = expit(theta_s - b_t + u_{s,g(t)})`` with
``b_t = v_{g(t)} + e_t`` (see the package docstring), so what "shaped like ours" means is
written once here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

from analysis.stats.clustered import exact_critical_value

NOMINAL_COVERAGE = 0.95
NOMINAL_LEVEL = 0.05
COVERAGE_BAND = (0.93, 0.97)
LEVEL_BAND = (0.03, 0.07)
N_SYSTEMS = 24
TASK_SD = 2.0
HARNESS_RESAMPLES = 999
CHUNK = 25  # replicates simulated at once
#: The harness's repository-effects setting: SD of the repository effect shared by all
#: systems and of the system-by-repository effect (logit scale).
REPOSITORY_SD = 0.5
SYSTEM_REPOSITORY_SD = 0.3
_QUADRATURE = np.polynomial.hermite_e.hermegauss(80)


@dataclass(frozen=True)
class Method:
    """A registered interval or test: ``kind`` is ``interval`` (a score), ``difference``
    (interval of a paired difference), ``test`` (a test at 5%) or ``power`` (a rate that
    should equal ``nominal``, e.g. the power a stated minimum detectable difference
    promises). ``applies`` takes the family's scenario; ``band`` overrides the default
    acceptance band of the kind (93-97% coverage, 3-7% type-I error)."""

    name: str
    kind: str
    used_in_report: bool
    applies: Callable[[object], bool] = field(repr=False)
    description: str = ""
    band: tuple[float, float] | None = None
    nominal: float | None = None


@dataclass(frozen=True)
class Family:
    """A family of methods measured on its own simulated data: its registered ``methods``
    and ``scenarios`` (each with a ``name``), ``run(reps, seed_sequence, cluster_sizes,
    methods, bar) -> rows`` and ``chunks(reps)``, the progress-bar steps ``run`` takes."""

    methods: tuple[Method, ...]
    scenarios: tuple[object, ...]
    run: Callable[..., list[CalibrationRow]] = field(repr=False)
    chunks: Callable[[int], int] = field(repr=False)


def own_methods(family: Sequence[Method], requested: Sequence[Method]) -> list[Method]:
    """The methods of ``requested`` that belong to ``family`` (a family's ``METHODS``), in
    the requested order: what one family measures when the caller asks for a subset."""
    names = {method.name for method in family}
    return [method for method in requested if method.name in names]


def always(scenario: object) -> bool:
    """``applies`` for a method measured in every scenario of its family."""
    return True


@dataclass(frozen=True)
class CalibrationRow:
    """One line of the harness output. Exactly one of ``coverage`` (intervals),
    ``type_I_error`` (tests under a true gap of 0) and ``power`` (tests under a real gap) is
    set; ``nominal`` is 0.95 for coverage and 0.05 for tests; ``in_band`` says whether the
    measured rate lies in the method's band (93-97% coverage, 3-7% type-I error unless the
    method says otherwise), None for power without a target."""

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


def calibration_row(
    method: Method, scenario: str, shares: np.ndarray, null: bool
) -> CalibrationRow:
    """The row of ``method`` in ``scenario`` from per-replicate shares (covered or rejected);
    ``null``: the scenario has no true difference (a rejection rate is a type-I error)."""
    shares = np.asarray(shares, dtype=np.float64)
    reps = len(shares)
    rate = float(shares.mean())
    mc_se = float(shares.std(ddof=1) / np.sqrt(reps)) if reps > 1 else float("nan")
    coverage = method.kind in ("interval", "difference")
    if method.kind == "power":
        nominal = float(method.nominal if method.nominal is not None else 0.8)
        band = method.band
        values = (None, None, rate)
    elif coverage:
        nominal, band = NOMINAL_COVERAGE, method.band or COVERAGE_BAND
        values = (rate, None, None)
    else:
        nominal = NOMINAL_LEVEL
        band = (method.band or LEVEL_BAND) if null else None
        values = (None, rate, None) if null else (None, None, rate)
    return CalibrationRow(
        method=method.name,
        scenario=scenario,
        nominal=nominal,
        coverage=values[0],
        type_I_error=values[1],
        power=values[2],
        mc_se=mc_se,
        reps=reps,
        used_in_report=method.used_in_report,
        in_band=None if band is None else bool(band[0] <= rate <= band[1]),
    )


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


def ability_for(score: float, total_sd: float) -> float:
    """The logit ability whose expected pass rate over tasks is ``score``."""
    return float(brentq(lambda t: mean_solve_rate(t, total_sd)[0] - score, -30.0, 30.0))


def abilities_for(scores: np.ndarray, total_sd: float) -> np.ndarray:
    """:func:`ability_for` of each score."""
    return np.array([ability_for(float(score), total_sd) for score in scores])


def cluster_codes_for(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Task-to-cluster codes and the ``tasks x clusters`` 0/1 membership (float32) of
    consecutive clusters of the given sizes."""
    codes = np.repeat(np.arange(len(sizes)), np.asarray(sizes).astype(np.intp))
    membership = np.zeros((len(codes), len(sizes)), dtype=np.float32)
    membership[np.arange(len(codes)), codes] = 1.0
    return codes, membership


def simulate_outcomes(
    rng: np.random.Generator,
    thetas: np.ndarray,
    codes: np.ndarray,
    n_clusters: int,
    reps: int,
    repository_sd: float = 0.0,
    system_repository_sd: float = 0.0,
) -> np.ndarray:
    """``reps x systems x tasks`` 0/1 outcomes (float32) from the logistic model."""
    n_tasks = len(codes)
    difficulty = rng.normal(0.0, TASK_SD, size=(reps, n_tasks))
    if repository_sd:
        difficulty += rng.normal(0.0, repository_sd, size=(reps, n_clusters))[:, codes]
    logits = thetas[None, :, None] - difficulty[:, None, :]
    if system_repository_sd:
        effects = rng.normal(0.0, system_repository_sd, (reps, len(thetas), n_clusters))
        logits = logits + effects[:, :, codes]
    return (rng.random(logits.shape) < expit(logits)).astype(np.float32)


def cluster_resample_counts(
    rng: np.random.Generator, n_units: int, reps: int, n_resamples: int = HARNESS_RESAMPLES
) -> np.ndarray:
    """``reps x n_resamples x n_units`` multinomial counts: units drawn with replacement."""
    return rng.multinomial(
        n_units, np.full(n_units, 1.0 / n_units), size=(reps, n_resamples)
    ).astype(np.float64)


#: Intra-cluster correlations at which the exact critical value is tabulated for the harness
#: (interpolated linearly; the package computes it at the estimate itself).
RHO_GRID = np.concatenate([[0.0], np.geomspace(1e-4, 0.99, 60)])


@functools.lru_cache(maxsize=8)
def _critical_values_cached(sizes: tuple[float, ...]) -> np.ndarray:
    return np.array([exact_critical_value(sizes, rho, NOMINAL_COVERAGE) for rho in RHO_GRID])


def critical_values(sizes: np.ndarray) -> np.ndarray:
    """The exact 95% critical value (:func:`exact_critical_value`) at each :data:`RHO_GRID`
    correlation for clusters of ``sizes`` (computed once per set of sizes)."""
    return _critical_values_cached(tuple(float(size) for size in sizes)).copy()
