"""The one cached access layer: validated tidy frames of the cached upstream files.

Every analysis reads the real data through this module, never through a reader directly,
so each file is parsed once per process and one exclusion policy holds for every source:

    a system whose per-task record disagrees with its published score by more than one task
    (:func:`analysis.data.readers.leaderboards.consistency_table`) is left out of the frames,
    and listed, with the reason, by :func:`exclusions`.

The readers warn about such systems when called directly; here they are read quietly
(``warn=False``) because the exclusions are listed instead. Nothing is read at import time.
Frames are shared between callers: treat them as read-only.
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd

from analysis.data.cache import cached
from analysis.data.readers.acr import load_acr_runs
from analysis.data.readers.annotations import load_annotations
from analysis.data.readers.leaderboards import (
    load_bash_only_results,
    load_leaderboard,
    results_matrix,
)
from analysis.data.readers.moatless import load_moatless_results
from analysis.data.readers.pro import load_pro_loc, load_pro_results, load_pro_tasks
from analysis.data.readers.verified import load_tasks
from analysis.data.results import Results
from analysis.errors import DataError

#: Columns of :func:`exclusions`.
EXCLUSION_COLUMNS: tuple[str, ...] = (
    "source",
    "system",
    "reason",
    "published_pct",
    "per_task_pct",
    "difference_tasks",
)
_REASON = "per-task results disagree with the published score by more than one task"


def _exclude_inconsistent(frame: pd.DataFrame, inconsistent: list[dict[str, Any]]) -> pd.DataFrame:
    """The exclusion policy: drop the inconsistent systems, keep the attrs, list them."""
    names = [str(row["system"]) for row in inconsistent]
    # Both readers record the same consistency check (published vs per-task score): one policy.
    kept = frame[~frame["system"].isin(names)].reset_index(drop=True)
    kept.attrs = {**frame.attrs, "excluded": list(inconsistent)}
    return kept


@functools.cache
@cached(sources=("verified_tasks",))
def verified_tasks() -> pd.DataFrame:
    """The 500 SWE-bench Verified tasks (:func:`~analysis.data.readers.verified.load_tasks`)."""
    return load_tasks()


@functools.cache
def annotations() -> pd.DataFrame:
    """OpenAI's screening annotations (:mod:`analysis.data.readers.annotations`)."""
    return load_annotations()


@functools.cache
@cached(sources=("leaderboards",))
def leaderboard() -> pd.DataFrame:
    """Every leaderboard submission (:mod:`analysis.data.readers.leaderboards`)."""
    return load_leaderboard()


def submission_dates(board: str) -> dict[str, pd.Timestamp]:
    """Submission date per system display name on leaderboard ``board`` (dated rows only)."""
    rows = leaderboard()
    rows = rows[(rows["leaderboard"] == board) & rows["date"].notna()]
    return {
        str(name): pd.Timestamp(date) for name, date in zip(rows["name"], rows["date"], strict=True)
    }


@functools.cache
@cached(sources=("leaderboards", "verified_tasks"))
def bash_only_results() -> pd.DataFrame:
    """Per-task bash-only results (long form) of the consistent systems.

    ``attrs["excluded"]`` lists the systems left out (system, folder, published_pct,
    per_task_pct, n_tasks, difference_tasks).
    """
    every = load_bash_only_results(exclude_inconsistent=False, warn=False)
    return _exclude_inconsistent(every, every.attrs.get("excluded", []))


@functools.cache
def bash_only_matrix() -> pd.DataFrame:
    """Systems x tasks 0/1 matrix of the consistent bash-only systems, best system first."""
    matrix = results_matrix(bash_only_results())
    order = matrix.mean(axis=1).sort_values(ascending=False, kind="stable").index
    return matrix.loc[order]


@functools.cache
@cached(sources=("moatless_resolved", "leaderboards", "verified_tasks"))
def moatless_results() -> pd.DataFrame:
    """Per-task Verified results of the early leaderboard submissions (moatless-tools record)
    whose reconstruction is consistent; ``attrs`` keep ``dates`` and ``names`` of every
    submission in the file and list the left-out ones under ``excluded``."""
    every = load_moatless_results(leaderboard=leaderboard())
    return _exclude_inconsistent(every, every.attrs.get("inconsistent", []))


@functools.cache
def pro_tasks() -> pd.DataFrame:
    """SWE-bench Pro's public tasks (:func:`~analysis.data.readers.pro.load_pro_tasks`)."""
    return load_pro_tasks()


@functools.cache
def pro_loc() -> pd.DataFrame:
    """SWE-bench Pro's lines-of-code statistics (:mod:`analysis.data.readers.pro`)."""
    return load_pro_loc()


@functools.cache
def pro_results() -> pd.DataFrame:
    """SWE-bench Pro per-system results (:func:`~analysis.data.readers.pro.load_pro_results`)."""
    return load_pro_results()


@functools.cache
def acr_runs() -> pd.DataFrame:
    """AutoCodeRover's three runs on SWE-bench Lite (:mod:`analysis.data.readers.acr`)."""
    return load_acr_runs()


def exclusions(source: str | None = None) -> pd.DataFrame:
    """Every system the frames leave out, with the reason (columns :data:`EXCLUSION_COLUMNS`).

    ``source``: ``"bash_only"`` or ``"moatless"`` for one source; ``None`` for both.
    """
    frames = {"bash_only": bash_only_results, "moatless": moatless_results}
    if source is not None and source not in frames:
        raise DataError("analysis.frames.exclusions", f"unknown source {source!r}")
    chosen = frames if source is None else {source: frames[source]}
    rows = [
        {"source": name, "reason": _REASON, **record}
        for name, frame in chosen.items()
        for record in frame().attrs["excluded"]
    ]
    return pd.DataFrame(rows).reindex(columns=list(EXCLUSION_COLUMNS))


def excluded_systems() -> pd.DataFrame:
    """Bash-only systems left out: ``system, published_pct, per_task_pct, difference_tasks``."""
    return exclusions("bash_only")[["system", "published_pct", "per_task_pct", "difference_tasks"]]


@functools.cache
def openhands_results() -> Results:
    """OpenHands Index per-task SWE-bench Verified results
    (:mod:`analysis.data.readers.openhands`)."""
    from analysis.data.download import ensure
    from analysis.data.readers import openhands

    return openhands.read(ensure("openhands_index"))


@functools.cache
def terminal_bench_results() -> Results:
    """Terminal-Bench core 0.1.1 trials, five runs per submission
    (:mod:`analysis.data.readers.terminal_bench`)."""
    from analysis.data.download import ensure
    from analysis.data.readers import terminal_bench

    return terminal_bench.read(ensure("terminal_bench"))
