"""SWE-bench Verified's task table (``verified_tasks``) -> one row per task with patch stats."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.data.parsing import (
    parse_id_list,
    read_text,
    require_columns,
    require_unique,
    resolve_path,
)
from analysis.data.sources import VERIFIED_COLUMNS
from analysis.errors import DataError

#: SWE-bench Verified difficulty buckets (annotator time estimate), easiest first.
DIFFICULTY_LEVELS: tuple[str, ...] = ("<15 min fix", "15 min - 1 hour", "1-4 hours", ">4 hours")


#: Tasks in SWE-bench Verified (the count every "of 500" in the project refers to).
VERIFIED_TASKS = 500
DIFFICULTY_DTYPE = pd.CategoricalDtype(list(DIFFICULTY_LEVELS), ordered=True)


_HUNK_HEADER = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")


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
    source = resolve_path(path, "verified_tasks")
    text = read_text(source)
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
        require_columns(row, VERIFIED_COLUMNS, f"{source} line {line_number}", "key")
        try:
            fail_to_pass = parse_id_list(row["FAIL_TO_PASS"])
            pass_to_pass = parse_id_list(row["PASS_TO_PASS"])
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
    require_unique(frame["instance_id"], source)
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


def verified_ids(task_ids: Iterable[str] | None) -> set[str]:
    """``task_ids`` as a set; ``None`` means every Verified task (read via :func:`load_tasks`)."""
    if task_ids is not None:
        return set(task_ids)
    return set(load_tasks()["instance_id"])
