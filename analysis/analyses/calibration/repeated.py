"""The repeated-runs family: the intervals and tests of notebook 09 on a few systems x 80
tasks x 5 runs (the shape of Terminal-Bench core's published runs).

Each system ``s`` solves task ``t`` in every run with probability
``p_st = expit(theta_s - b_t - i_st)``: task difficulty ``b_t ~ N(0, 2^2)`` (heterogeneous,
so a task's outcomes are correlated across runs: easy tasks pass every time, hard ones
never) and a system-by-task effect ``i_st``; runs are independent draws given ``p``.
Scenarios:

- ``runs_same_probabilities``: 7 agents with identical per-task probabilities (true
  scores 45%): the null hypothesis of the one-way ANOVA of run scores, and of the paired
  test;
- ``runs_agent_task_interaction``: 7 agents equal on average over tasks (45%) but each with
  its own per-task probabilities (``i_st ~ N(0, 1)``): no agent is better in general, yet
  on a given set of 80 tasks their means differ. The paired test over tasks still has
  a true null; the ANOVA's own null (equal means on these tasks) is false, so its
  rejection rate here (method ``anova_as_test_of_equal_average``) is what reading its
  p-value as "the agents differ in general" would cost;
- ``runs_spread``: 13 submissions spread over 20%-75% (pass@k and run-SD intervals).

True values: pass@k over the task population (Gauss-Hermite quadrature), a submission's
run-to-run SD given the tasks drawn, ``sqrt(sum_t p_st (1 - p_st)) / T``, and the pooled SD
``sqrt(mean_s SD_s^2)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats
from scipy.special import expit

from analysis.analyses.calibration._common import (
    CHUNK,
    NOMINAL_LEVEL,
    TASK_SD,
    CalibrationRow,
    Method,
    abilities_for,
    calibration_row,
    own_methods,
)
from analysis.analyses.repeated_runs import pass_at_k_per_task, task_t_interval
from analysis.stats.noise import sd_interval

N_TASKS = 80
N_RUNS = 5
_QUADRATURE = np.polynomial.hermite_e.hermegauss(80)


@dataclass(frozen=True)
class RunsScenario:
    """Systems' true scores and the SD of the system-by-task effect (logit scale)."""

    name: str
    scores: tuple[float, ...]
    interaction_sd: float = 0.0

    @property
    def null(self) -> bool:
        return len(set(self.scores)) == 1


SCENARIOS: tuple[RunsScenario, ...] = (
    RunsScenario("runs_same_probabilities", (0.45,) * 7),
    RunsScenario("runs_agent_task_interaction", (0.45,) * 7, interaction_sd=1.0),
    RunsScenario("runs_spread", tuple(np.round(np.linspace(0.2, 0.75, 13), 4))),
)


def _same(scenario: RunsScenario) -> bool:
    return scenario.null and scenario.interaction_sd == 0.0


def _interaction(scenario: RunsScenario) -> bool:
    return scenario.null and scenario.interaction_sd > 0.0


def _null(scenario: RunsScenario) -> bool:
    return scenario.null


def _any(scenario: RunsScenario) -> bool:
    return True


METHODS: tuple[Method, ...] = (
    Method("pass_at_1_t", "interval", True, _any, "pass@1, t interval over tasks"),
    Method("pass_at_5_t", "interval", True, _any, "pass@5 (k = runs), t interval over tasks"),
    Method("run_sd_chi_square", "interval", True, _any, "one submission's SD, chi2(R-1)"),
    Method("pooled_run_sd_chi_square", "interval", True, _any, "pooled SD, chi2(sum R-1)"),
    Method("anova_run_scores", "test", True, _same, "one-way ANOVA F of run scores"),
    Method(
        "anova_as_test_of_equal_average",
        "test",
        False,
        _interaction,
        "the same F read as 'agents differ in general'",
    ),
    Method("paired_t_task_means", "test", True, _null, "paired t on per-task means, T-1 df"),
)


def repeated_chunks(reps: int) -> int:
    return len(SCENARIOS) * -(-reps // CHUNK)


def _runs_total_sd(scenario: RunsScenario) -> float:
    return float(np.sqrt(TASK_SD**2 + scenario.interaction_sd**2))


def true_pass_at_k(scenario: RunsScenario, k: int) -> np.ndarray:
    """pass@k of each system over the task population, ``E[1 - (1 - p)^k]``."""
    total_sd = _runs_total_sd(scenario)
    thetas = abilities_for(np.asarray(scenario.scores), total_sd)
    nodes, weights = _QUADRATURE
    p = expit(thetas[:, None] - nodes[None, :] * total_sd)
    return (1.0 - (1.0 - p) ** k) @ (weights / weights.sum())


def _outcomes(
    rng: np.random.Generator, scenario: RunsScenario, reps: int
) -> tuple[np.ndarray, np.ndarray]:
    """``reps x systems x runs x tasks`` outcomes and the ``reps x systems x tasks``
    probabilities behind them."""
    thetas = abilities_for(np.asarray(scenario.scores), _runs_total_sd(scenario))
    difficulty = rng.normal(0.0, TASK_SD, (reps, 1, N_TASKS))
    logits = thetas[None, :, None] - difficulty
    if scenario.interaction_sd:
        logits = logits - rng.normal(0.0, scenario.interaction_sd, logits.shape)
    p = expit(logits)
    runs = rng.random((reps, len(thetas), N_RUNS, N_TASKS)) < p[:, :, None, :]
    return runs.astype(np.float64), p


def _measure(
    method: str,
    runs: np.ndarray,
    p: np.ndarray,
    truth: dict[int, np.ndarray],
) -> np.ndarray:
    """Per replicate: the share of systems covered (intervals) or the rejection (tests)."""
    n_systems = runs.shape[1]
    run_scores = runs.mean(axis=3)  # reps x systems x runs
    if method in ("pass_at_1_t", "pass_at_5_t"):
        k = 1 if method == "pass_at_1_t" else N_RUNS
        per_task = pass_at_k_per_task(N_RUNS, runs.sum(axis=2), k)  # reps x systems x tasks
        _, low, high = task_t_interval(per_task)
        return ((low <= truth[k]) & (truth[k] <= high)).mean(axis=1)
    true_var = (p * (1.0 - p)).sum(axis=2) / N_TASKS**2  # reps x systems
    sd = run_scores.std(axis=2, ddof=1)
    if method == "run_sd_chi_square":
        low, high = sd_interval(1.0, N_RUNS - 1)
        return ((sd * low <= np.sqrt(true_var)) & (np.sqrt(true_var) <= sd * high)).mean(1)
    if method == "pooled_run_sd_chi_square":
        low, high = sd_interval(1.0, n_systems * (N_RUNS - 1))
        pooled, truth_pooled = np.sqrt((sd**2).mean(1)), np.sqrt(true_var.mean(1))
        return ((pooled * low <= truth_pooled) & (truth_pooled <= pooled * high)).astype(float)
    if method in ("anova_run_scores", "anova_as_test_of_equal_average"):
        groups = [run_scores[:, s, :] for s in range(n_systems)]
        with np.errstate(invalid="ignore", divide="ignore"):
            p_value = np.nan_to_num(scipy_stats.f_oneway(*groups, axis=1).pvalue, nan=1.0)
        return (p_value < NOMINAL_LEVEL).astype(float)
    # paired t-test of agents 0 and 1 on per-task means over runs (as audit.paired_tests)
    difference = runs[:, 0].mean(axis=1) - runs[:, 1].mean(axis=1)  # reps x tasks
    se = difference.std(axis=1, ddof=1) / np.sqrt(N_TASKS)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(se > 0, np.abs(difference.mean(axis=1)) / se, 0.0)
    return (2.0 * scipy_stats.t.sf(t, N_TASKS - 1) < NOMINAL_LEVEL).astype(float)


def run_repeated(
    reps: int,
    seed: np.random.SeedSequence,
    sizes: np.ndarray,
    methods: Sequence[Method] = METHODS,
    bar: object | None = None,
) -> list[CalibrationRow]:
    """Coverage and type-I error of notebook 09's methods (``sizes`` is not used: the
    runs have no repositories)."""
    active = own_methods(METHODS, methods)
    rows: list[CalibrationRow] = []
    for scenario, child in zip(SCENARIOS, seed.spawn(len(SCENARIOS)), strict=True):
        rng = np.random.default_rng(child)
        here = [method for method in active if method.applies(scenario)]
        truth = {k: true_pass_at_k(scenario, k) for k in (1, N_RUNS)}
        hits: dict[str, list[np.ndarray]] = {method.name: [] for method in here}
        for start in range(0, reps, CHUNK):
            runs, p = _outcomes(rng, scenario, min(CHUNK, reps - start))
            for method in here:
                hits[method.name].append(_measure(method.name, runs, p, truth))
            if bar is not None:
                bar.update(1)
        rows += [
            calibration_row(m, scenario.name, np.concatenate(hits[m.name]), scenario.null)
            for m in here
        ]
    return rows
