"""Options shared by the results readers (column names for long tables, benchmark choice)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReaderOptions:
    """What a reader may need to know beyond the path.

    Long tables: the column names of the task, system, score and (optional) run, cluster,
    task date and system date. Directory trees holding several benchmarks (OpenHands
    Index): ``benchmark``. Logs with several metrics (lm-evaluation-harness, HELM, inspect
    scorers): ``metric`` (default: the format's first or usual one).
    """

    task: str = "task"
    system: str = "system"
    score: str = "score"
    run: str | None = None
    cluster: str | None = None
    task_date: str | None = None
    system_date: str | None = None
    benchmark: str = "swe-bench"
    metric: str | None = None
