"""How far SWE-bench scores have come and where they stop.

Computations behind notebook ``02_saturation`` and the measuring functions of its claims in
``data/claims/leaderboard.toml`` (notebook 03's noise analysis is :mod:`analysis.analyses.
noise`). Every interval and fit comes from :mod:`analysis.stats`; this module only selects
the data and assembles the answers.

A leaderboard record is a census fact (the best score anyone published), not an estimate: it
carries no interval. A Clopper-Pearson interval on the best of 162 submissions would describe
that system's sampling error while ignoring that it was selected as the maximum (the winner's
curse), so none is shown.

Per-task results exist for the bash-only leaderboard (every system run with the same minimal
agent, mini-SWE-agent, on the 500 Verified tasks); they are the only data that allow paired
comparisons. Systems whose per-task results disagree with their published score are excluded
by :mod:`analysis.frames` and listed by :func:`analysis.frames.excluded_systems`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis import frames
from analysis.claims.types import Measurement
from analysis.data.cache import cached
from analysis.errors import DataError
from analysis.stats.intervals import pass_rate_intervals
from analysis.stats.saturation import SaturationFit, best_so_far, fit_saturation

#: Tasks in the full SWE-bench test set (Verified's count: :data:`VERIFIED_TASKS`).
FULL_TASKS = 2294
#: Release dates: SWE-bench (Jimenez et al., arXiv 2310.06770) and SWE-bench Verified (OpenAI).
SWE_BENCH_LAUNCH = pd.Timestamp("2023-10-10")
VERIFIED_LAUNCH = pd.Timestamp("2024-08-13")
#: The claims' date: the Latent Space episode (article 000), 2026-02-26.
EPISODE_DATE = pd.Timestamp("2026-02-26")


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
    ``low``, ``high`` (repository-clustered CR2 95% interval, exact small-cluster critical
    value: the calibrated one), ``cost_usd`` (sum of per-task cost over 500 tasks),
    ``cost_per_task_usd`` and ``pareto`` (on the cost/score front)."""
    results = frames.bash_only_results()
    matrix = frames.bash_only_matrix()
    intervals = pass_rate_intervals(matrix, clusters=clusters_for(matrix)).set_index("system")
    cost = results.groupby("system")["cost"].sum(min_count=1).reindex(matrix.index)
    table = pd.DataFrame(
        {
            "system": matrix.index,
            "score_pct": 100.0 * intervals["score"].to_numpy(),
            "low": 100.0 * intervals["cr2_low"].to_numpy(),
            "high": 100.0 * intervals["cr2_high"].to_numpy(),
            "cost_usd": cost.to_numpy(),
            "cost_per_task_usd": cost.to_numpy() / matrix.shape[1],
        }
    )
    table["pareto"] = pareto_front(table["cost_usd"], table["score_pct"])
    return table


# --- measuring functions (data/claims/leaderboard.toml) ---------------------------------------


def claim_launch_to_saturation() -> Measurement:
    """Best published Verified score against 'over 80%': a census fact, no interval.

    The record is the best of every submission, not a sample estimate, so it carries no
    interval (see the module docstring). Not comparable with the claim when the claim
    postdates our leaderboard snapshot: a later record may exist that the snapshot lacks.
    """
    best = best_score("Verified")
    score = float(best["resolved_pct"])
    launch = best_score("Test", before=SWE_BENCH_LAUNCH)
    rows = submissions("Verified")
    latest = rows["date"].max()
    later = latest < EPISODE_DATE
    return Measurement(
        measured=score,
        interval=None,
        unit="%",
        detail=f"Best % resolved on the Verified leaderboard (latest submission "
        f"{latest.date()}): a census fact about the published records, so no interval.",
        sources=("leaderboards",),
        comparable=not later,
        caveat=(
            f"the claim (episode of {EPISODE_DATE.date()}) postdates our leaderboard snapshot "
            f"(latest submission {latest.date()}); records published in between are not in it"
            if later
            else ""
        ),
        extra={
            "best_system": str(best["name"]),
            "best_date": str(best["date"].date()),
            "latest_submission": str(latest.date()),
            "n_submissions": len(rows),
            "launch_best_full_pct": float(launch["resolved_pct"]),
            "launch_best_full_system": str(launch["name"]),
            "systems_at_or_over_80": int((rows["resolved_pct"] >= 80.0).sum()),
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
        interval=None,
        unit="%",
        detail="Best % resolved on full SWE-bench (2,294 tasks) among submissions dated at "
        "its release (2023-10-10): a census fact about the published records, so no interval.",
        sources=("leaderboards",),
        extra=extra,
    )
