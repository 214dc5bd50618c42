"""swe-bench.github.io ``leaderboards.json``: submissions per leaderboard, and bash-only per-task
results with the published-vs-per-task consistency check.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.data.parsing import (
    check_range,
    is_missing,
    parse_bool,
    parse_float,
    parse_tags,
    read_json,
    require_columns,
    require_known,
    resolve_path,
)
from analysis.data.readers.verified import verified_ids
from analysis.errors import DataError

#: Leaderboard names in the swe-bench.github.io ``leaderboards.json``.
LEADERBOARD_NAMES: tuple[str, ...] = ("Verified", "bash-only", "Lite", "Test", "Multimodal")


#: A published score may differ from the per-task share by this many tasks (rounding).
CONSISTENCY_TOLERANCE_TASKS = 1.0


_warned_exclusions: set[tuple[str, tuple[str, ...]]] = set()


def _read_leaderboards(source: Path) -> dict[str, list[dict[str, Any]]]:
    data = read_json(source)
    if not isinstance(data, dict) or "leaderboards" not in data:
        raise DataError(source, "missing required key 'leaderboards' at top level")
    boards: dict[str, list[dict[str, Any]]] = {}
    for position, board in enumerate(data["leaderboards"]):
        if not isinstance(board, dict) or "name" not in board or "results" not in board:
            raise DataError(source, f"leaderboard #{position} lacks 'name' or 'results'")
        if not isinstance(board["results"], list):
            raise DataError(source, f"leaderboard {board['name']!r}: 'results' is not a list")
        boards[str(board["name"])] = board["results"]
    return boards


_ENTRY_KEYS = ("name", "folder", "date", "resolved")


def load_leaderboard(path: str | Path | None = None) -> pd.DataFrame:
    """Every submission on every swe-bench.github.io leaderboard, one row per (board, entry).

    Columns: leaderboard ("Verified", "bash-only", "Lite", "Test", "Multimodal"), name,
    folder, date (datetime64), resolved_pct (float, % of the board's tasks resolved),
    os_model, os_system, checked (bool; upstream's "false (See README...)"/None -> False),
    cost, instance_cost, instance_calls (float, NaN if absent), tags (list of str),
    has_per_instance (bool: per-task results published, bash-only entries only).
    Raises DataError for a missing key, duplicate folder within a board, or a score or
    date that is absent or unparseable.
    """
    source = resolve_path(path, "leaderboards")
    boards = _read_leaderboards(source)
    rows: list[dict[str, Any]] = []
    for board, entries in boards.items():
        folders: set[str] = set()
        for position, entry in enumerate(entries):
            label = entry.get("name", f"#{position}") if isinstance(entry, dict) else position
            where = f"{source} [{board}] {label!s}"
            if not isinstance(entry, dict):
                raise DataError(source, f"leaderboard {board!r} entry #{position} not an object")
            require_columns(entry, _ENTRY_KEYS, where, "key")
            folder = str(entry["folder"])
            if folder in folders:
                raise DataError(source, f"leaderboard {board!r}: duplicate folder {folder!r}")
            folders.add(folder)
            try:
                resolved = parse_float(entry["resolved"])
            except (TypeError, ValueError) as error:
                raise DataError(where, f"unparseable % resolved {entry['resolved']!r}") from error
            if math.isnan(resolved):
                raise DataError(where, f"missing % resolved ({entry['resolved']!r})")
            check_range(resolved, where, "% resolved", 0.0, 100.0)
            try:
                row = {
                    "leaderboard": board,
                    "name": str(entry["name"]),
                    "folder": folder,
                    "date": entry["date"],
                    "resolved_pct": resolved,
                    "os_model": parse_bool(entry.get("os_model")),
                    "os_system": parse_bool(entry.get("os_system")),
                    "checked": parse_bool(entry.get("checked")),
                    "cost": parse_float(entry.get("cost")),
                    "instance_cost": parse_float(entry.get("instance_cost")),
                    "instance_calls": parse_float(entry.get("instance_calls")),
                    "tags": parse_tags(entry.get("tags")),
                    "has_per_instance": bool(entry.get("per_instance_details")),
                }
            except (TypeError, ValueError, SyntaxError) as error:
                raise DataError(where, f"unparseable field: {error}") from error
            for key in ("cost", "instance_cost", "instance_calls"):
                check_range(row[key], where, key)
            rows.append(row)
    if not rows:
        raise DataError(source, "no leaderboard entries")
    frame = pd.DataFrame.from_records(rows)
    dates = pd.to_datetime(frame["date"], errors="coerce", format="mixed")
    bad = frame.loc[dates.isna(), ["leaderboard", "name", "date"]]
    if len(bad):
        first = bad.iloc[0]
        raise DataError(
            source, f"[{first['leaderboard']}] {first['name']}: unparseable date {first['date']!r}"
        )
    frame["date"] = dates.astype("datetime64[ns]")
    return frame


def load_bash_only_results(
    path: str | Path | None = None,
    exclude_inconsistent: bool = True,
    task_ids: Iterable[str] | None = None,
    warn: bool = True,
) -> pd.DataFrame:
    """Per-task results of the bash-only (mini-SWE-agent) leaderboard, long form.

    Columns: system (display name), folder, instance_id, resolved (bool), cost (USD, float),
    api_calls (float). Only entries that publish ``per_instance_details`` appear.

    A system is *inconsistent* when its published % resolved and its per-task resolved
    share differ by more than one task: ``|published - 100 k / n| * n / 100 > 1``. Such
    systems are dropped unless ``exclude_inconsistent=False``; either way
    ``frame.attrs["excluded"]`` lists them (system, folder, published_pct, per_task_pct,
    n_tasks, difference_tasks) and, with ``warn``, a warning is issued once per file
    (:mod:`analysis.frames` passes ``warn=False``: it lists the exclusions instead).

    ``task_ids``: the known task ids (default: those of :func:`load_tasks` when reading the
    default file; no check when an explicit ``path`` is given without ``task_ids``).
    """
    source = resolve_path(path, "leaderboards")
    boards = _read_leaderboards(source)
    if "bash-only" not in boards:
        raise DataError(source, "no 'bash-only' leaderboard")
    if task_ids is not None:
        known: set[str] | None = set(task_ids)
    else:
        known = verified_ids(None) if path is None else None
    frames: list[pd.DataFrame] = []
    published: dict[str, tuple[str, float]] = {}
    for position, entry in enumerate(boards["bash-only"]):
        if not isinstance(entry, dict) or "per_instance_details" not in entry:
            continue
        name = str(entry.get("name", f"#{position}"))
        where = f"{source} [bash-only] {name}"
        require_columns(entry, _ENTRY_KEYS, where, "key")
        details = entry["per_instance_details"]
        if not isinstance(details, Mapping):
            raise DataError(where, "per_instance_details is not an object")
        if not details:
            raise DataError(where, "empty per_instance_details (no task results)")
        require_known(details, known, where)
        try:
            score = parse_float(entry["resolved"])
        except (TypeError, ValueError) as error:
            raise DataError(where, f"unparseable % resolved {entry['resolved']!r}") from error
        if math.isnan(score):
            raise DataError(where, f"missing % resolved ({entry['resolved']!r})")
        check_range(score, where, "% resolved", 0.0, 100.0)
        if name in published:
            raise DataError(where, "duplicate system name on the bash-only leaderboard")
        published[name] = (str(entry["folder"]), score)
        records = []
        for instance_id, result in details.items():
            if (
                not isinstance(result, Mapping)
                or "resolved" not in result
                or is_missing(result["resolved"])
            ):
                raise DataError(where, f"task {instance_id}: missing 'resolved'")
            try:
                cost = parse_float(result.get("cost"))
                api_calls = parse_float(result.get("api_calls"))
                records.append((instance_id, parse_bool(result["resolved"]), cost, api_calls))
            except (TypeError, ValueError) as error:
                raise DataError(where, f"task {instance_id}: {error}") from error
            check_range(cost, where, f"task {instance_id}: cost")
            check_range(api_calls, where, f"task {instance_id}: api_calls")
        frame = pd.DataFrame.from_records(
            records, columns=["instance_id", "resolved", "cost", "api_calls"]
        )
        frame.insert(0, "folder", str(entry["folder"]))
        frame.insert(0, "system", name)
        frames.append(frame)
    if not frames:
        raise DataError(source, "no bash-only entry publishes per_instance_details")
    long = pd.concat(frames, ignore_index=True)
    long["resolved"] = long["resolved"].astype(bool)
    long["cost"] = long["cost"].astype(float)
    long["api_calls"] = long["api_calls"].astype(float)

    table = consistency_table(long, {name: score for name, (_, score) in published.items()})
    excluded = [
        {
            "system": str(row.system),
            "folder": published[row.system][0],
            "published_pct": float(row.published_pct),
            "per_task_pct": float(row.per_task_pct),
            "n_tasks": int(row.n_tasks),
            "difference_tasks": float(row.difference_tasks),
        }
        for row in table[~table["consistent"]].itertuples()
    ]
    if excluded:
        names = tuple(item["system"] for item in excluded)
        key = (str(source.resolve()), (*names, f"exclude={exclude_inconsistent}"))
        if warn and key not in _warned_exclusions:
            _warned_exclusions.add(key)
            described = "; ".join(
                f"{item['system']}: published {item['published_pct']:g}% vs per-task "
                f"{item['per_task_pct']:g}%"
                for item in excluded
            )
            action = "excluded" if exclude_inconsistent else "kept (exclude_inconsistent=False)"
            warnings.warn(
                f"{source}: bash-only per-task results disagree with the published score by "
                f"more than one task ({described}); {action}",
                UserWarning,
                stacklevel=2,
            )
        if exclude_inconsistent:
            long = long[~long["system"].isin(names)].reset_index(drop=True)
    long.attrs["excluded"] = excluded
    return long


def consistency_table(results_long: pd.DataFrame, published: Mapping[str, float]) -> pd.DataFrame:
    """Published % resolved against the per-task resolved share, one row per system.

    ``per_task_pct = 100 k / n`` (k resolved of the system's n tasks);
    ``difference_tasks = |published_pct - per_task_pct| * n / 100``; a system is
    ``consistent`` when the difference is at most one task (published scores are rounded).
    Columns: system, published_pct (NaN if not published), per_task_pct, n_tasks,
    difference_tasks, consistent (bool; False when there is no published score).
    """
    require_columns(results_long.columns, ("system", "resolved"), "results frame")
    shares = results_long.groupby("system", sort=False)["resolved"].agg(["sum", "size"])
    rows = []
    for system, (resolved_count, n_tasks) in shares.iterrows():
        score = float(published.get(str(system), math.nan))
        per_task = 100.0 * float(resolved_count) / float(n_tasks)
        difference = abs(score - per_task) * n_tasks / 100.0
        rows.append(
            {
                "system": str(system),
                "published_pct": score,
                "per_task_pct": round(per_task, 4),
                "n_tasks": int(n_tasks),
                "difference_tasks": round(difference, 4),
                # tolerance absorbs float error in e.g. |64.93 - 64.8| * 5
                "consistent": bool(difference <= CONSISTENCY_TOLERANCE_TASKS + 1e-9),
            }
        )
    columns = [
        "system",
        "published_pct",
        "per_task_pct",
        "n_tasks",
        "difference_tasks",
        "consistent",
    ]
    return pd.DataFrame.from_records(rows, columns=columns)


def results_matrix(long_frame: pd.DataFrame, missing: str = "error") -> pd.DataFrame:
    """Pivot long results (system, instance_id, resolved) to a systems x tasks 0/1 matrix.

    Index name ``system``, columns name ``instance_id``, systems keep their
    first-appearance order, tasks are sorted. ``missing`` says what to do with a
    (system, task) pair that has no result: ``"error"`` (raise DataError), ``"drop"`` (keep
    only tasks every system has) or ``"unresolved"`` (count it as 0).
    """
    if missing not in ("error", "drop", "unresolved"):
        raise ValueError(f"missing must be 'error', 'drop' or 'unresolved', not {missing!r}")
    require_columns(long_frame.columns, ("system", "instance_id", "resolved"), "results frame")
    if long_frame.empty:
        raise DataError("results frame", "no results")
    pairs = long_frame[["system", "instance_id"]]
    if pairs.duplicated().any():
        first = pairs[pairs.duplicated()].iloc[0]
        raise DataError(
            "results frame",
            f"duplicate result for system {first['system']!r}, task {first['instance_id']!r}",
        )
    if long_frame["resolved"].isna().any():
        raise DataError("results frame", "missing 'resolved' values")
    outcomes = set(pd.unique(long_frame["resolved"]))
    if not outcomes <= {0, 1}:  # True == 1 and False == 0, so bools pass
        raise DataError(
            "results frame",
            f"'resolved' holds values other than 0/1: {sorted(map(repr, outcomes - {0, 1}))[:5]}",
        )
    systems = pd.unique(long_frame["system"])
    matrix = long_frame.pivot(index="system", columns="instance_id", values="resolved")
    matrix = matrix.reindex(index=systems).sort_index(axis=1)
    if matrix.isna().any().any():
        if missing == "error":
            gaps = matrix.isna().sum(axis=1)
            listed = ", ".join(f"{system}: {n}" for system, n in gaps[gaps > 0].head(5).items())
            raise DataError(
                "results frame",
                f"systems lack results for some tasks ({listed}); "
                "pass missing='drop' or missing='unresolved'",
            )
        # "unresolved": an absent result counts as a failure (cast first: pandas 3 refuses
        # a bool fill value in the float column that holds the gaps)
        matrix = matrix.dropna(axis=1) if missing == "drop" else matrix.astype(float).fillna(0.0)
    matrix = matrix.astype(bool).astype(np.int64)
    matrix.index = pd.Index([str(s) for s in matrix.index], name="system")
    matrix.columns = pd.Index([str(c) for c in matrix.columns], name="instance_id")
    return matrix
