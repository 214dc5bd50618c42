"""The general results model: one row per (system, task, run) with a score in [0, 1].

Every reader (``analysis.data.readers``) turns its format into a :class:`Results`: a long
table with columns

- ``system`` (str), ``task`` (str), ``run`` (str: the run label, ``"1"`` when there is one),
- ``score`` (float in [0, 1]: 0/1 for resolved or not, a fraction for e.g. pass@1 over
  samples; NaN when the outcome is unknown: an infrastructure failure or a null upstream),

and optional metadata columns, constant per task (``cluster`` such as the repository,
``difficulty``, ``task_date``) or per system (``system_date``, the release date, and
``cost``). Unknown outcomes are kept (NaN) and counted apart, never as failures.

:func:`to_matrix` turns it into what the statistics engine takes: a systems x tasks matrix
of mean scores over runs, restricted to the tasks every system has a known outcome for (the
intersection; what was dropped is reported), plus the per-run matrices.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.data.parsing import require_in_range
from analysis.errors import DataError

REQUIRED_COLUMNS: tuple[str, ...] = ("system", "task", "run", "score")
TASK_COLUMNS: tuple[str, ...] = ("cluster", "difficulty", "task_date")
SYSTEM_COLUMNS: tuple[str, ...] = ("system_date", "cost")
DATE_COLUMNS: tuple[str, ...] = ("task_date", "system_date")


@dataclass(frozen=True)
class Results:
    """A validated long table of results (see the module docstring for its columns).

    ``source`` names where the rows came from (file or directory, for error messages);
    ``reader`` which reader produced them; ``notes`` what the reader found worth saying
    (e.g. a published score that disagrees with the per-task share).
    """

    frame: pd.DataFrame
    source: str
    reader: str = "long_table"
    notes: tuple[str, ...] = ()

    @property
    def systems(self) -> list[str]:
        """Systems in first-appearance order."""
        return [str(s) for s in pd.unique(self.frame["system"])]

    @property
    def n_unknown(self) -> int:
        """Rows whose outcome is unknown (NaN score)."""
        return int(self.frame["score"].isna().sum())

    def has(self, column: str) -> bool:
        """Whether the optional ``column`` is present with at least one value."""
        return column in self.frame.columns and bool(self.frame[column].notna().any())

    def task_metadata(self) -> pd.DataFrame:
        """One row per task (index ``task``) with the task columns that are present."""
        columns = [c for c in TASK_COLUMNS if c in self.frame.columns]
        return self.frame.groupby("task", sort=True)[columns].first()

    def system_metadata(self) -> pd.DataFrame:
        """One row per system (index ``system``) with the system columns that are present."""
        columns = [c for c in SYSTEM_COLUMNS if c in self.frame.columns]
        return self.frame.groupby("system", sort=False)[columns].first()


def _constant_within(frame: pd.DataFrame, key: str, column: str, where: str) -> None:
    """Metadata must not contradict itself: one value per task (or per system)."""
    known = frame[[key, column]].dropna()
    counts = known.drop_duplicates().groupby(key).size()
    if (counts > 1).any():
        label = counts[counts > 1].index[0]
        values = sorted(map(str, known.loc[known[key] == label, column].unique()))[:3]
        raise DataError(where, f"{column!r} differs within {key} {label!r}: {values}")


def make_results(
    frame: pd.DataFrame,
    source: str,
    reader: str = "long_table",
    notes: Iterable[str] = (),
) -> Results:
    """Validate a long frame and wrap it as :class:`Results`.

    Raises :class:`DataError` naming ``source`` for: no rows; a missing required column; a
    missing system or task name; a score that is not a number or lies outside [0, 1]; a
    negative or infinite cost; a duplicate (system, task, run) row (with how many there
    are); metadata that is not
    constant per task or per system; an unparseable date. NaN scores are kept (unknown).
    """
    where = str(source)
    if frame is None or len(frame) == 0:
        raise DataError(where, "no results (empty)")
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(where, f"missing required column(s): {', '.join(missing)}")
    keep = list(REQUIRED_COLUMNS) + [
        c for c in (*TASK_COLUMNS, *SYSTEM_COLUMNS) if c in frame.columns
    ]
    frame = frame[keep].copy()
    for column in ("system", "task"):
        if frame[column].isna().any():
            raise DataError(where, f"{int(frame[column].isna().sum())} rows lack a {column}")
        frame[column] = frame[column].astype(str)
    frame["run"] = frame["run"].fillna("1").astype(str)
    numeric = pd.to_numeric(frame["score"], errors="coerce")
    not_numbers = numeric.isna() & frame["score"].notna()
    if not_numbers.any():
        first = frame.loc[not_numbers].iloc[0]
        raise DataError(
            where,
            f"{int(not_numbers.sum())} score(s) that are not a number, e.g. {first['score']!r} for "
            f"system {first['system']!r}, task {first['task']!r}; fix the file, or point --score"
            " at the column of scores in [0, 1] (true/false count as 1/0)",
        )
    frame["score"] = numeric.astype("float64")
    scores = frame["score"].to_numpy()
    # NaN is an unknown outcome (counted apart); anything else outside [0, 1], inf included
    outside = ~np.isnan(scores) & ~((scores >= 0.0) & (scores <= 1.0))
    if outside.any():
        first = frame.loc[outside].iloc[0]
        raise DataError(
            where,
            f"{int(outside.sum())} score(s) outside [0, 1], e.g. {float(first['score'])!r} for "
            f"system {first['system']!r}, task {first['task']!r} (rescale "
            "percentages to [0, 1], or fix the file)",
        )
    keys = frame[["system", "task", "run"]]
    duplicated = keys.duplicated(keep=False)
    if duplicated.any():
        first = keys[duplicated].iloc[0]
        raise DataError(
            where,
            f"{int(keys.duplicated().sum())} duplicate (system, task, run) row(s), e.g. "
            f"system {first['system']!r}, task {first['task']!r}, run {first['run']!r}; remove "
            "the repeated rows, or give each repeat its own run label (--run)",
        )
    for column in DATE_COLUMNS:
        if column in frame.columns:
            parsed = pd.to_datetime(frame[column], errors="coerce", format="mixed", utc=True)
            bad = frame[column].notna() & parsed.isna()
            if bad.any():
                value = frame.loc[bad, column].iloc[0]
                raise DataError(where, f"unparseable {column} {value!r}")
            frame[column] = parsed.dt.tz_localize(None)
    if "cost" in frame.columns:
        frame["cost"] = pd.to_numeric(frame["cost"], errors="coerce")
        require_in_range(frame, "cost", where, "system", 0.0)
    for column in TASK_COLUMNS:
        if column in frame.columns:
            _constant_within(frame, "task", column, where)
    for column in ("system_date",):
        if column in frame.columns:
            _constant_within(frame, "system", column, where)
    return Results(
        frame=frame.reset_index(drop=True), source=where, reader=reader, notes=tuple(notes)
    )


def combine(parts: Sequence[Results]) -> Results:
    """Concatenate results read from several paths (validated again: a (system, task, run)
    appearing in two files is a duplicate)."""
    if not parts:
        raise DataError("results", "no results to combine")
    if len(parts) == 1:
        return parts[0]
    frame = pd.concat([part.frame for part in parts], ignore_index=True)
    source = ", ".join(part.source for part in parts)
    readers = sorted({part.reader for part in parts})
    notes = [note for part in parts for note in part.notes]
    return make_results(frame, source, "+".join(readers), notes)


@dataclass(frozen=True)
class ResultsMatrix:
    """What the statistics engine takes, built from :class:`Results` by :func:`to_matrix`.

    - ``mean``: systems x tasks (index ``system``, columns ``task``): each system's mean
      score over its runs with a known outcome, on the common tasks;
    - ``runs``: per system, a runs x tasks frame on the same tasks (NaN = unknown outcome);
    - ``clusters``: per task cluster label (aligned with ``mean.columns``) or None;
    - ``dropped``: tasks left out of the intersection, with the reason and how many systems
      lacked them (columns ``task, reason, n_systems``);
    - ``unknown``: per system, outcomes counted apart as unknown (index ``system``, column
      ``n_unknown``, over all its rows) and ``n_unknown_kept`` (on the common tasks, where
      other runs of the same task were known);
    - ``binary``: every cell of ``mean`` is 0 or 1 (so exact binary tests apply).
    """

    mean: pd.DataFrame
    runs: dict[str, pd.DataFrame]
    clusters: pd.Series | None
    dropped: pd.DataFrame
    unknown: pd.DataFrame
    binary: bool
    source: str
    task_metadata: pd.DataFrame = field(repr=False)
    system_metadata: pd.DataFrame = field(repr=False)

    @property
    def systems(self) -> list[str]:
        return [str(s) for s in self.mean.index]

    @property
    def tasks(self) -> list[str]:
        return [str(t) for t in self.mean.columns]

    @property
    def n_runs(self) -> dict[str, int]:
        """Runs per system."""
        return {system: len(frame) for system, frame in self.runs.items()}

    def run_scores(self) -> dict[str, np.ndarray]:
        """Per system, the score of each run: mean over the common tasks with a known
        outcome in that run (fractions)."""
        with np.errstate(invalid="ignore"):
            return {
                system: np.nanmean(frame.to_numpy(dtype="float64"), axis=1)
                for system, frame in self.runs.items()
            }


def to_matrix(results: Results, min_systems: int = 2, min_tasks: int = 2) -> ResultsMatrix:
    """Systems x tasks mean-over-runs matrix on the tasks every system has a known result for.

    A task is dropped (and listed in ``dropped``) when some system has no row for it
    (``"missing"``: mixed task sets) or only unknown outcomes (``"unknown"``). Raises
    :class:`DataError` naming the source when fewer than ``min_systems`` systems or
    ``min_tasks`` common tasks remain (a single system cannot be compared; a single task
    has no spread), saying what was dropped.
    """
    frame = results.frame
    where = results.source
    systems = results.systems
    if len(systems) < min_systems:
        raise DataError(
            where,
            f"need at least {min_systems} systems to compare, found {len(systems)}: "
            f"{', '.join(systems[:5])}",
        )
    known = frame[frame["score"].notna()]
    mean = known.pivot_table(index="system", columns="task", values="score", aggfunc="mean")
    mean = mean.reindex(index=systems)
    all_tasks = sorted(pd.unique(frame["task"]))
    mean = mean.reindex(columns=all_tasks)
    present = frame.pivot_table(index="system", columns="task", values="run", aggfunc="size")
    present = present.reindex(index=systems, columns=all_tasks)
    absent = present.isna().sum(axis=0)
    unknown_only = (present.notna() & mean.isna()).sum(axis=0)
    dropped_rows = []
    for task in all_tasks:
        if absent[task] > 0:
            dropped_rows.append((task, "missing", int(absent[task])))
        elif unknown_only[task] > 0:
            dropped_rows.append((task, "unknown", int(unknown_only[task])))
    dropped = pd.DataFrame(dropped_rows, columns=["task", "reason", "n_systems"])
    kept = [t for t in all_tasks if absent[t] == 0 and unknown_only[t] == 0]
    if len(kept) < min_tasks:
        raise DataError(
            where,
            f"need at least {min_tasks} tasks every system has a known result for, found "
            f"{len(kept)} of {len(all_tasks)} ({int((dropped['reason'] == 'missing').sum())} "
            f"missing for some system, {int((dropped['reason'] == 'unknown').sum())} with "
            "only unknown outcomes for some system)",
        )
    mean = mean[kept].astype("float64")
    mean.index.name, mean.columns.name = "system", "task"

    kept_rows = frame[frame["task"].isin(set(kept))]
    runs: dict[str, pd.DataFrame] = {}
    for system, rows in kept_rows.groupby("system", sort=False):
        grid = rows.pivot(index="run", columns="task", values="score").reindex(columns=kept)
        runs[str(system)] = grid
    runs = {system: runs[system] for system in systems}
    unknown = pd.DataFrame(
        {
            "n_unknown": frame["score"].isna().groupby(frame["system"]).sum().reindex(systems),
            "n_unknown_kept": kept_rows["score"]
            .isna()
            .groupby(kept_rows["system"])
            .sum()
            .reindex(systems),
        }
    ).fillna(0)
    unknown = unknown.astype("int64")
    unknown.index.name = "system"

    task_metadata = results.task_metadata().reindex(kept)
    clusters = None
    if results.has("cluster"):
        clusters = task_metadata["cluster"]
        if clusters.isna().any():
            raise DataError(where, f"{int(clusters.isna().sum())} tasks lack a cluster label")
        clusters = clusters.astype(str)
    values = mean.to_numpy()
    return ResultsMatrix(
        mean=mean,
        runs=runs,
        clusters=clusters,
        dropped=dropped,
        unknown=unknown,
        binary=bool(np.isin(values, (0.0, 1.0)).all()),
        source=where,
        task_metadata=task_metadata,
        system_metadata=results.system_metadata().reindex(systems),
    )
