"""Notebook 09: how much does a score move when the same system runs again?

Terminal-Bench core 0.1.1 publishes five runs of each of 13 agent+model submissions on the
same 80 tasks: the one public record here of repeated runs at leaderboard scale.

- :func:`noise_table`: per submission, the run-to-run SD of its score with the chi-square
  interval of an SD on ``R - 1`` degrees of freedom (:func:`analysis.stats.noise.run_to_run_noise`),
  per-task flip rates, and trials with unknown outcome (``is_resolved: null``) counted apart;
- :func:`ranking_flips`: how often a one-run leaderboard orders two submissions differently
  from their five-run means, and how often it names another leader;
- :func:`pass_at_k`: pass@k (Chen et al. 2021, unbiased estimator) against pass@1;
- :func:`scaffold_effect`: one model (Claude 4 Sonnet) under several agents: the spread
  between agents against the run-to-run noise (one-way ANOVA on run scores) and every pair
  of agents by a paired test on the same tasks (Holm);
- :func:`one_run_implications`: what the noise means for the one-run leaderboards of
  notebook 03, next to AutoCodeRover's three runs on SWE-bench Lite.

A run's score is its share of resolved trials among those with a known outcome; unknown
trials are never counted as failures (the leaderboard's ``accuracy`` does count them: the
sensitivity column ``run_sd_unknown_as_failed`` shows what that changes).
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from analysis import frames
from analysis.analyses.audit import paired_tests
from analysis.analyses.noise import acr_noise
from analysis.data.results import Results, ResultsMatrix, make_results, to_matrix
from analysis.errors import DataError
from analysis.stats.comparisons import holm_adjust
from analysis.stats.noise import run_to_run_noise, sd_interval

#: The pinned Terminal-Bench snapshot (repository @ commit).
TERMINAL_BENCH_SOURCE = (
    "laude-institute/terminal-bench-leaderboard @ 8e1925a397d7ed859c027cc19b3a3d90c16ef8df"
)
#: The model run under several agents.
SCAFFOLD_MODEL = "claude-4-sonnet"


def run_grid(results: Results, system: str) -> pd.DataFrame:
    """Runs x tasks of one system (score 0/1, NaN = unknown outcome), runs in numeric order."""
    rows = results.frame[results.frame["system"] == system]
    if rows.empty:
        raise DataError(results.source, f"no trials for system {system!r}")
    grid = rows.pivot(index="run", columns="task", values="score")
    return grid.loc[sorted(grid.index, key=lambda run: (len(run), run))]


def run_scores(grid: pd.DataFrame) -> pd.Series:
    """Each run's score: resolved share of the trials with a known outcome."""
    return grid.mean(axis=1, skipna=True)


def noise_table(results: Results | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Run-to-run noise per submission (points; best mean first).

    Columns ``system, n_runs, n_tasks, n_trials, n_unknown, mean_score, run_sd, sd_low,
    sd_high`` (chi-square interval on ``n_runs - 1`` df), ``run_sd_unknown_as_failed``,
    ``flip_rate`` (share of tasks with every run known whose outcome differs between runs),
    ``n_tasks_complete`` (those tasks), ``within_task_sd`` and ``binomial_se`` (from
    :func:`run_to_run_noise` on the complete tasks).
    """
    results = frames.terminal_bench_results() if results is None else results
    rows = []
    for system in results.systems:
        grid = run_grid(results, system)
        scores = run_scores(grid)
        if len(scores) < 2:
            raise DataError(results.source, f"{system!r} has one run: no run-to-run SD")
        sd = float(scores.std(ddof=1))
        low, high = sd_interval(sd, len(scores) - 1, confidence)
        complete = grid.loc[:, grid.notna().all(axis=0)]
        noise = run_to_run_noise(complete) if complete.shape[1] >= 1 else None
        rows.append(
            {
                "system": system,
                "n_runs": len(grid),
                "n_tasks": grid.shape[1],
                "n_trials": int(grid.size),
                "n_unknown": int(grid.isna().sum().sum()),
                "mean_score": 100.0 * float(scores.mean()),
                "run_sd": 100.0 * sd,
                "sd_low": 100.0 * low,
                "sd_high": 100.0 * high,
                "run_sd_unknown_as_failed": 100.0
                * float(grid.fillna(0.0).mean(axis=1).std(ddof=1)),
                "flip_rate": np.nan if noise is None else 100.0 * noise.flip_rate,
                "n_tasks_complete": complete.shape[1],
                "within_task_sd": np.nan if noise is None else 100.0 * noise.within_task_sd,
                "binomial_se": np.nan if noise is None else 100.0 * noise.binomial_se,
            }
        )
    table = pd.DataFrame(rows).sort_values("mean_score", ascending=False, kind="stable")
    return table.reset_index(drop=True)


def pooled_run_sd(table: pd.DataFrame, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """Pooled run-to-run SD over submissions, ``sqrt(sum (R_i - 1) s_i^2 / sum (R_i - 1))``,
    with its chi-square interval on the pooled df; returns (sd, low, high, df) in points."""
    df = (table["n_runs"] - 1).to_numpy()
    sd = float(np.sqrt((df * table["run_sd"].to_numpy() ** 2).sum() / df.sum()))
    low, high = sd_interval(sd, float(df.sum()), confidence)
    return sd, low, high, int(df.sum())


@dataclass(frozen=True)
class RankingFlips:
    """How one run per submission reorders the five-run ranking.

    ``pairs``: per pair of submissions (``system_a`` ahead on the five-run mean), the
    probability that one run of each puts ``b`` ahead (ties count half; every combination
    of runs), and whether they are neighbours. ``leader_changes``: share of ``n_draws``
    seeded one-run leaderboards (one random run per submission) whose top is not the
    five-run leader; ``mean_kendall_tau``: mean rank agreement of those leaderboards with the
    five-run ranking.
    """

    pairs: pd.DataFrame = field(repr=False)
    leader: str
    leader_changes: float
    mean_kendall_tau: float
    n_draws: int

    @property
    def adjacent(self) -> pd.DataFrame:
        return self.pairs[self.pairs["adjacent"]]


def ranking_flips(
    results: Results | None = None, n_draws: int = 10_000, seed: int = 0
) -> RankingFlips:
    """One-run leaderboards drawn from the runs (see :class:`RankingFlips`)."""
    results = frames.terminal_bench_results() if results is None else results
    per_run = {s: run_scores(run_grid(results, s)).to_numpy() for s in results.systems}
    means = pd.Series({s: v.mean() for s, v in per_run.items()}).sort_values(
        ascending=False, kind="stable"
    )
    order = list(means.index)
    rows = []
    for i, a in enumerate(order):
        for j in range(i + 1, len(order)):
            b = order[j]
            diff = per_run[a][:, None] - per_run[b][None, :]
            flip = float((diff < 0).mean() + 0.5 * (diff == 0).mean())
            rows.append(
                {
                    "system_a": a,
                    "system_b": b,
                    "gap": 100.0 * float(means[a] - means[b]),
                    "flip_probability": flip,
                    "adjacent": j == i + 1,
                }
            )
    rng = np.random.default_rng(seed)
    draws = np.column_stack(
        [per_run[s][rng.integers(0, len(per_run[s]), size=n_draws)] for s in order]
    )
    leaders = draws.argmax(axis=1)
    reference = np.arange(len(order))
    taus = [
        scipy_stats.kendalltau(reference, np.argsort(np.argsort(-row, kind="stable")))[0]
        for row in draws[: min(n_draws, 2_000)]
    ]
    return RankingFlips(
        pairs=pd.DataFrame(rows),
        leader=order[0],
        leader_changes=float((leaders != 0).mean()),
        mean_kendall_tau=float(np.mean(taus)),
        n_draws=n_draws,
    )


def pass_at_k_per_task(n: np.ndarray, c: np.ndarray, k: int) -> np.ndarray:
    """Unbiased pass@k of each task, ``1 - C(n - c, k) / C(n, k)`` with ``n`` known trials
    and ``c`` resolved (Chen et al. 2021); NaN where ``n < k``. Computed as the product
    ``prod_{i=0}^{k-1} (n - c - i) / (n - i)``, so it vectorises over tasks (and replicates)."""
    n = np.asarray(n, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    if k < 1:
        raise DataError("pass_at_k", f"k must be at least 1, got {k}")
    all_fail = np.ones(np.broadcast(n, c).shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        for i in range(k):
            all_fail = all_fail * np.clip((n - c - i) / (n - i), 0.0, 1.0)
    return np.where(n >= k, 1.0 - all_fail, np.nan)


def task_t_interval(
    values: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean of per-task values in [0, 1] along the last axis (NaN left out) with the t
    interval over tasks, ``mean +- t_{n-1} sd / sqrt(n)``, clipped to [0, 1]: the interval
    of pass@k over the population of tasks (``python -m analysis calibrate``, methods
    ``pass_at_1_t`` and ``pass_at_5_t``). NaN bounds with fewer than two values."""
    values = np.asarray(values, dtype=np.float64)
    count = np.isfinite(values).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(values, axis=-1)
        half = (
            scipy_stats.t.ppf(0.5 + confidence / 2.0, count - 1)
            * np.nanstd(values, axis=-1, ddof=1)
            / np.sqrt(count)
        )
    half = np.where(count >= 2, half, np.nan)
    return mean, np.clip(mean - half, 0.0, 1.0), np.clip(mean + half, 0.0, 1.0)


def pass_at_k(
    results: Results | None = None,
    ks: tuple[int, ...] = (1, 2, 3, 4, 5),
    min_task_share: float = 0.9,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """pass@k per submission: mean over tasks of ``1 - C(n - c, k) / C(n, k)`` with ``n`` the
    known trials of the task and ``c`` those resolved (Chen et al. 2021, arXiv:2107.03374;
    :func:`pass_at_k_per_task`); tasks with fewer than ``k`` known trials are left out of
    pass@k. Long: ``system, k, pass_at_k, low, high`` (percent; t interval over tasks,
    :func:`task_t_interval`), ``n_tasks``, ``comparable``: whether pass@max(k) still covers at
    least ``min_task_share`` of the tasks (else the tasks left are those the agent did not
    crash on, a biased selection, and the submission's curve is not comparable).
    """
    results = frames.terminal_bench_results() if results is None else results
    rows = []
    for system in results.systems:
        grid = run_grid(results, system)
        n = grid.notna().sum(axis=0).to_numpy()
        c = grid.fillna(0.0).sum(axis=0).to_numpy()
        for k in ks:
            values = pass_at_k_per_task(n, c, k)
            mean, low, high = task_t_interval(values, confidence)
            rows.append(
                {
                    "system": system,
                    "k": k,
                    "pass_at_k": 100.0 * float(mean),
                    "low": 100.0 * float(low),
                    "high": 100.0 * float(high),
                    "n_tasks": int(np.isfinite(values).sum()),
                }
            )
    table = pd.DataFrame(rows)
    largest = table[table["k"] == max(ks)].set_index("system")["n_tasks"]
    n_tasks = results.frame.groupby("system")["task"].nunique()
    comparable = largest >= min_task_share * n_tasks.reindex(largest.index)
    table["comparable"] = table["system"].map(comparable).astype(bool)
    return table


def rank_agreement(table: pd.DataFrame, k: int) -> float:
    """Kendall's tau between the rankings by pass@1 and by pass@``k`` of the comparable
    submissions (``table`` from :func:`pass_at_k`)."""
    table = table[table["comparable"]]
    wide = table.pivot(index="system", columns="k", values="pass_at_k")
    return float(scipy_stats.kendalltau(wide[1], wide[k])[0])


# --------------------------------------------------------------------------- scaffolds


def subset(results: Results, systems: list[str]) -> Results:
    """The results of ``systems`` only (validated again)."""
    frame = results.frame[results.frame["system"].isin(systems)]
    return make_results(frame, results.source, results.reader, results.notes)


@dataclass(frozen=True)
class ScaffoldEffect:
    """One model under several agents against its run-to-run noise.

    ``anova``: one-way ANOVA of the run scores (agents as groups): ``between_sd`` (SD of the
    agents' mean scores), ``within_sd`` (pooled run-to-run SD), ``f``, ``p_value``, df. Its
    null is "the agents' mean scores on these tasks are equal": it holds its level when the
    agents share per-task success probabilities, but read as "the agents differ in general"
    it rejects far too often whenever agents differ task by task (``python -m analysis
    calibrate``, methods ``anova_run_scores`` and ``anova_as_test_of_equal_average``); the
    paired tests over tasks are the ones that generalise to other tasks;
    ``pairs``: paired t-tests on per-task mean scores over runs (tasks every agent has a
    known outcome for; :func:`analysis.analyses.audit.paired_tests`), Holm-corrected;
    ``matrix``: the agents x tasks mean-over-runs matrix.
    """

    systems: list[str]
    scores: pd.Series
    between_sd: float
    within_sd: float
    f: float
    p_value: float
    df_between: int
    df_within: int
    pairs: pd.DataFrame = field(repr=False)
    test_method: str = ""
    n_tasks: int = 0
    matrix: ResultsMatrix | None = field(default=None, repr=False)

    @property
    def spread(self) -> float:
        """Best minus worst agent's mean score, points."""
        return float(self.scores.max() - self.scores.min())


def scaffold_effect(results: Results | None = None, model: str = SCAFFOLD_MODEL) -> ScaffoldEffect:
    """The agents running ``model`` (submission names ending in ``_<model>``), compared."""
    results = frames.terminal_bench_results() if results is None else results
    systems = [s for s in results.systems if s.endswith(f"_{model}")]
    if len(systems) < 2:
        raise DataError(results.source, f"fewer than two agents run {model!r}: {systems}")
    groups = [run_scores(run_grid(results, s)).to_numpy() for s in systems]
    f, p = scipy_stats.f_oneway(*groups)
    df_within = sum(len(g) - 1 for g in groups)
    within = float(np.sqrt(sum(((g - g.mean()) ** 2).sum() for g in groups) / df_within))
    scores = pd.Series({s: 100.0 * g.mean() for s, g in zip(systems, groups, strict=True)})
    matrix = to_matrix(subset(results, systems))
    tests = paired_tests(matrix)
    names = matrix.systems
    pairs = pd.DataFrame(
        {
            "system_a": [names[i] for i in tests["a"]],
            "system_b": [names[i] for i in tests["b"]],
            "difference": 100.0 * tests["difference"],
            "p_value": tests["p_value"],
            "p_holm": holm_adjust(tests["p_value"].to_numpy()),
        }
    )
    return ScaffoldEffect(
        systems=systems,
        scores=scores.sort_values(ascending=False),
        between_sd=float(scores.std(ddof=1)),
        within_sd=100.0 * within,
        f=float(f),
        p_value=float(p),
        df_between=len(groups) - 1,
        df_within=df_within,
        pairs=pairs,
        test_method=tests.attrs["method"],
        n_tasks=len(matrix.tasks),
        matrix=matrix,
    )


# --------------------------------------------------------------------------- one-run boards


@functools.cache
def _bash_only_gaps() -> np.ndarray:
    scores = 100.0 * frames.bash_only_matrix().mean(axis=1).to_numpy()
    return -np.diff(np.sort(scores)[::-1])


def one_run_implications(table: pd.DataFrame | None = None, n_tasks: int = 500) -> pd.DataFrame:
    """Run-to-run noise set against the one-run leaderboards, in points.

    Rows: the pooled Terminal-Bench SD (80 tasks) and AutoCodeRover's SD on SWE-bench Lite
    (3 runs), each with its chi-square interval and projected to ``n_tasks`` tasks assuming
    the same per-task flip variance (``sd * sqrt(T / n_tasks)``). ``gap_share``: share of the
    neighbouring gaps in the bash-only ranking (notebook 03) smaller than the projected SD of
    a difference of two one-run scores (``sqrt(2) * sd``).
    """
    table = noise_table() if table is None else table
    sd, low, high, df = pooled_run_sd(table)
    acr = acr_noise()
    gaps = _bash_only_gaps()
    rows = []
    for label, value, interval, dof, tasks in (
        (
            "Terminal-Bench, pooled over submissions",
            sd,
            (low, high),
            df,
            int(table["n_tasks"].iloc[0]),
        ),
        (
            "AutoCodeRover, SWE-bench Lite",
            100.0 * acr.score_sd,
            tuple(100.0 * v for v in acr.score_sd_interval),
            acr.score_sd_df,
            acr.n_tasks,
        ),
    ):
        scale = float(np.sqrt(tasks / n_tasks))
        projected = value * scale
        rows.append(
            {
                "source": label,
                "n_tasks": tasks,
                "df": dof,
                "run_sd": value,
                "sd_low": interval[0],
                "sd_high": interval[1],
                "projected_sd": projected,
                "projected_low": interval[0] * scale,
                "projected_high": interval[1] * scale,
                "gap_share": float((gaps < np.sqrt(2.0) * projected).mean()),
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["n_gaps"] = len(gaps)
    return out
