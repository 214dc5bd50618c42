"""What one benchmark run costs: API calls and dollars per system over the 500 Verified tasks.

The yardstick notebook 06 sets distillation traffic against: per-system totals of the
bash-only leaderboard's per-task ``api_calls`` and ``cost`` (one mini-SWE-agent run each).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from analysis import frames
from analysis.data.readers.verified import VERIFIED_TASKS
from analysis.errors import DataError


def evaluation_runs(results_long: pd.DataFrame, n_tasks: int | None = None) -> pd.DataFrame:
    """API calls and cost of one full run per system, from per-task bash-only results.

    ``results_long`` has columns system, instance_id, api_calls, cost (one row per system
    and task, as ``analysis.frames.bash_only_results``). Systems missing calls or
    cost on any task are dropped (their totals would be understated). ``n_tasks``, if
    given, requires every kept system to cover exactly that many tasks.
    Returns one row per system: system, tasks, api_calls (sum), cost_usd (sum),
    calls_per_task, cost_per_task.
    """
    required = {"system", "instance_id", "api_calls", "cost"}
    missing = required - set(results_long.columns)
    if missing:
        raise DataError("bash-only results", f"missing columns {sorted(missing)}")
    frame = results_long[["system", "instance_id", "api_calls", "cost"]].copy()
    frame["api_calls"] = pd.to_numeric(frame["api_calls"], errors="coerce")
    frame["cost"] = pd.to_numeric(frame["cost"], errors="coerce")
    complete = frame.groupby("system")[["api_calls", "cost"]].transform(
        lambda column: column.notna().all()
    )
    frame = frame[complete.all(axis=1)]
    runs = frame.groupby("system").agg(
        tasks=("instance_id", "nunique"), api_calls=("api_calls", "sum"), cost_usd=("cost", "sum")
    )
    runs = runs[runs["cost_usd"] > 0]
    if n_tasks is not None:
        runs = runs[runs["tasks"] == n_tasks]
    if runs.empty:
        raise DataError("bash-only results", "no system has complete api_calls and cost")
    runs["calls_per_task"] = runs["api_calls"] / runs["tasks"]
    runs["cost_per_task"] = runs["cost_usd"] / runs["tasks"]
    return runs.reset_index().sort_values("system", ignore_index=True)


def median_interval(
    values: np.ndarray | pd.Series, n_resamples: int = 5_000, seed: int = 0
) -> tuple[float, float, float]:
    """Median with a percentile-bootstrap 95% interval (resampling the values): (m, lo, hi)."""
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        raise DataError("analysis.analyses.evaluation_runs.median_interval", "no values")
    rng = np.random.default_rng(seed)
    resamples = rng.choice(array, size=(n_resamples, array.size), replace=True)
    medians = np.median(resamples, axis=1)
    low, high = np.quantile(medians, [0.025, 0.975])
    return float(np.median(array)), float(low), float(high)


@functools.lru_cache(maxsize=1)
def bash_only_runs() -> pd.DataFrame:
    """:func:`evaluation_runs` of the bash-only leaderboard's consistent systems (cached)."""
    results = frames.bash_only_results()
    runs = evaluation_runs(results, n_tasks=VERIFIED_TASKS)
    runs.attrs["excluded"] = list(results.attrs.get("excluded", []))
    return runs
