"""The agreement family: intervals of the Spearman correlation of per-task solve rates
between two leaderboards scoring the same tasks (notebook 08, :func:`difficulty_agreement`).

Two leaderboards, ``A`` (24 systems spread over 5%-75%, like bash-only) and ``B`` (43 systems
over 20%-96%, like the OpenHands Index), score the same 500 tasks in the real repositories.
Both follow the harness's logistic model with a shared task difficulty, plus a
task-by-leaderboard effect ``N(0, 0.7^2)`` (scaffolds find different tasks hard, which puts
the correlation near the observed one). A task's rate is the share of a leaderboard's
systems solving it, a multiple of ``1/24`` or ``1/43``, so ranks tie a lot. Scenarios:

- ``agreement_independent``: no repository effect;
- ``agreement_repository_effects``: the harness's repository and system-by-repository
  effects;
- ``agreement_leaderboard_repository_effects``: those plus a leaderboard-by-repository
  effect ``N(0, 0.3^2)`` (one scaffold finds a repository easier for all its systems).

The true value is the Spearman correlation of the two leaderboards' rates over the task
population (the same systems, new repositories and tasks), from 100,000 simulated tasks.
Bootstrap ranks are recomputed in every resample from per-level counts (rates take at most
44 values), which is exact and avoids ranking every resample.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from analysis.analyses.calibration._common import (
    CHUNK,
    REPOSITORY_SD,
    RHO_GRID,
    SYSTEM_REPOSITORY_SD,
    TASK_SD,
    CalibrationRow,
    Method,
    abilities_for,
    always,
    calibration_row,
    cluster_codes_for,
    cluster_resample_counts,
    critical_values,
    own_methods,
)
from analysis.stats.clustered import (
    cr2_standard_error,
    pooled_intraclass_correlation,
)
from analysis.stats.correlation import spearman, spearman_influence

LEADERBOARD_TASK_SD = 0.7
LEADERBOARD_REPOSITORY_SD = 0.3
SYSTEMS_A = np.linspace(0.05, 0.75, 24)
SYSTEMS_B = np.linspace(0.20, 0.96, 43)
_TRUTH_TASKS = 100_000


@dataclass(frozen=True)
class AgreementScenario:
    """Repository effects of one agreement scenario (logit SDs)."""

    name: str
    repository_sd: float = 0.0
    system_repository_sd: float = 0.0
    leaderboard_repository_sd: float = 0.0

    @property
    def independent(self) -> bool:
        return self.repository_sd == 0.0 and self.leaderboard_repository_sd == 0.0


_REPO = {"repository_sd": REPOSITORY_SD, "system_repository_sd": SYSTEM_REPOSITORY_SD}
SCENARIOS: tuple[AgreementScenario, ...] = (
    AgreementScenario("agreement_independent"),
    AgreementScenario("agreement_repository_effects", **_REPO),
    AgreementScenario(
        "agreement_leaderboard_repository_effects",
        leaderboard_repository_sd=LEADERBOARD_REPOSITORY_SD,
        **_REPO,
    ),
)

METHODS: tuple[Method, ...] = (
    Method("spearman_task_bootstrap", "interval", False, always, "percentile, tasks resampled"),
    Method("spearman_cluster_bootstrap", "interval", False, always, "percentile, repositories"),
    Method("spearman_fisher_z", "interval", False, always, "atanh(r) +- z sqrt(1.06/(n-3))"),
    Method("spearman_clustered_fisher_z", "interval", True, always, "CR2 exact c on atanh(r)"),
)


def agreement_replicates(reps: int) -> int:
    """Replicates per scenario for ``--reps``: half of them (the closed-form intervals);
    the bootstrap intervals, 999 resamples each, are measured on the first
    :func:`agreement_bootstrap_replicates` of these."""
    return max(2, reps // 2)


def agreement_bootstrap_replicates(reps: int) -> int:
    """Replicates per scenario of the two bootstrap intervals (a tenth of ``--reps``)."""
    return max(2, reps // 10)


def agreement_chunks(reps: int) -> int:
    return len(SCENARIOS) * -(-agreement_replicates(reps) // CHUNK)


def _agreement_total_sd(scenario: AgreementScenario) -> float:
    return float(
        np.sqrt(
            TASK_SD**2
            + LEADERBOARD_TASK_SD**2
            + scenario.repository_sd**2
            + scenario.system_repository_sd**2
            + scenario.leaderboard_repository_sd**2
        )
    )


@functools.lru_cache(maxsize=32)
def _abilities(scores: tuple[float, ...], total_sd: float) -> np.ndarray:
    return abilities_for(np.asarray(scores), total_sd)


def _solved_counts(
    rng: np.random.Generator,
    scenario: AgreementScenario,
    codes: np.ndarray,
    n_clusters: int,
    reps: int,
) -> tuple[np.ndarray, np.ndarray]:
    """``reps x tasks`` numbers of systems solving each task on leaderboards A and B."""
    total_sd = _agreement_total_sd(scenario)
    difficulty = rng.normal(0.0, TASK_SD, (reps, len(codes)))
    if scenario.repository_sd:
        difficulty += rng.normal(0.0, scenario.repository_sd, (reps, n_clusters))[:, codes]
    counts = []
    for scores in (SYSTEMS_A, SYSTEMS_B):
        thetas = _abilities(tuple(scores), total_sd)
        own = difficulty + rng.normal(0.0, LEADERBOARD_TASK_SD, difficulty.shape)
        if scenario.leaderboard_repository_sd:
            shift = rng.normal(0.0, scenario.leaderboard_repository_sd, (reps, n_clusters))
            own += shift[:, codes]
        logits = thetas[None, :, None] - own[:, None, :]
        if scenario.system_repository_sd:
            effects = rng.normal(
                0.0, scenario.system_repository_sd, (reps, len(thetas), n_clusters)
            )
            logits += effects[:, :, codes]
        counts.append((rng.random(logits.shape) < expit(logits)).sum(axis=1))
    return counts[0], counts[1]


@functools.lru_cache(maxsize=16)
def true_spearman(scenario: AgreementScenario, sizes: tuple[float, ...]) -> float:
    """Population Spearman of the two leaderboards' rates (100,000 simulated tasks in
    repositories of ``sizes``, new repositories for every block of tasks)."""
    size_array = np.asarray(sizes)
    codes, _ = cluster_codes_for(size_array)
    rng = np.random.default_rng(20260001)
    blocks = max(1, _TRUTH_TASKS // len(codes))
    a, b = _solved_counts(rng, scenario, codes, len(size_array), blocks)
    return float(spearman(a.ravel(), b.ravel()))


def _level_ranks(levels: np.ndarray, weights: np.ndarray, n_levels: int) -> np.ndarray:
    """Average ranks of every task in each weighted resample (``weights``: B x tasks)."""
    onehot = np.zeros((len(levels), n_levels), dtype=np.float32)
    onehot[np.arange(len(levels)), levels] = 1.0
    histogram = weights @ onehot  # B x levels
    below = np.cumsum(histogram, axis=1) - histogram
    return (below + (histogram + 1.0) / 2.0)[:, levels]


def bootstrap_spearman(a: np.ndarray, b: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Spearman of integer-coded rates ``a``, ``b`` (tasks) in each resample of ``weights``
    (B x tasks, how often each task is drawn), ranks recomputed within the resample."""
    weights = weights.astype(np.float32)
    rank_a = _level_ranks(a, weights, int(a.max()) + 1)
    rank_b = _level_ranks(b, weights, int(b.max()) + 1)
    total = weights.sum(axis=1)
    mean_a = (weights * rank_a).sum(axis=1) / total
    mean_b = (weights * rank_b).sum(axis=1) / total
    da, db = rank_a - mean_a[:, None], rank_b - mean_b[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return (weights * da * db).sum(1) / np.sqrt(
            (weights * da**2).sum(1) * (weights * db**2).sum(1)
        )


def _covered(
    name: str,
    a: np.ndarray,
    b: np.ndarray,
    truth: float,
    sizes: np.ndarray,
    codes: np.ndarray,
    task_weights: np.ndarray,
    cluster_weights: np.ndarray,
    critical_table: np.ndarray,
) -> float:
    if name == "spearman_task_bootstrap":
        low, high = np.nanquantile(bootstrap_spearman(a, b, task_weights), [0.025, 0.975])
        return float(low <= truth <= high)
    if name == "spearman_cluster_bootstrap":
        boot = bootstrap_spearman(a, b, cluster_weights[:, codes])
        low, high = np.nanquantile(boot, [0.025, 0.975])
        return float(low <= truth <= high)
    r, influence = spearman_influence(a, b)
    z_error = abs(np.arctanh(r) - np.arctanh(truth))
    if name == "spearman_fisher_z":
        return float(z_error <= 1.959964 * np.sqrt(1.06 / (len(a) - 3)))
    membership = np.zeros((len(codes), len(sizes)))
    membership[np.arange(len(codes)), codes] = 1.0
    totals = (influence @ membership)[None, :]
    _, se = cr2_standard_error(totals, sizes)
    rho = pooled_intraclass_correlation(totals, (influence**2 @ membership)[None, :], sizes)
    critical = np.interp(rho, RHO_GRID, critical_table)
    return float(z_error <= critical * se[0] / (1.0 - r**2))


def run_agreement(
    reps: int,
    seed: np.random.SeedSequence,
    sizes: np.ndarray,
    methods: Sequence[Method] = METHODS,
    bar: object | None = None,
) -> list[CalibrationRow]:
    """Coverage of every agreement interval in every scenario
    (:func:`agreement_replicates` each)."""
    active = own_methods(METHODS, methods)
    if not active:
        return []
    n, n_boot = agreement_replicates(reps), agreement_bootstrap_replicates(reps)
    codes, _ = cluster_codes_for(sizes)
    critical_table = critical_values(sizes)
    rows: list[CalibrationRow] = []
    for scenario, child in zip(SCENARIOS, seed.spawn(len(SCENARIOS)), strict=True):
        rng = np.random.default_rng(child)
        truth = true_spearman(scenario, tuple(float(size) for size in sizes))
        hits: dict[str, list[float]] = {method.name: [] for method in active}
        task_weights = cluster_weights = np.empty((0, 0))
        for start in range(0, n, CHUNK):
            size = min(CHUNK, n - start)
            solved_a, solved_b = _solved_counts(rng, scenario, codes, len(sizes), size)
            # one draw of resampling weights per chunk (see the package docstring)
            if start < n_boot:
                task_weights = cluster_resample_counts(rng, len(codes), 1)[0]
                cluster_weights = cluster_resample_counts(rng, len(sizes), 1)[0]
            for replicate in range(size):
                for method in active:
                    if "bootstrap" in method.name and start + replicate >= n_boot:
                        continue
                    hits[method.name].append(
                        _covered(
                            method.name,
                            solved_a[replicate],
                            solved_b[replicate],
                            truth,
                            sizes,
                            codes,
                            task_weights,
                            cluster_weights,
                            critical_table,
                        )
                    )
            if bar is not None:
                bar.update(1)
        rows += [calibration_row(m, scenario.name, np.array(hits[m.name]), False) for m in active]
    return rows
