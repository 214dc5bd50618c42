"""SWE-bench Pro: the task table (``pro_tasks``), lines-of-code statistics (``pro_loc_stats``) and
per-system results (``pro_results``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.parsing import (
    IMPOSSIBLE_ADVICE,
    keep_pinned,
    read_csv,
    read_json,
    require_in_range,
    require_unique,
    resolve_path,
)
from analysis.errors import DataError


def load_pro_tasks(path: str | Path | None = None) -> pd.DataFrame:
    """The 731 public SWE-bench Pro tasks (Scale AI's chronological task list).

    Columns: instance_id, repo ("owner/name"), language (repository language, lower case),
    base_commit, problem_number (chronological position within the repository).
    """
    source = resolve_path(path, "pro_tasks")
    data = read_json(source)
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
    require_unique(frame["instance_id"], source)
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
    source = resolve_path(path, "pro_loc_stats")
    required = (
        "instance_id",
        "repo",
        "golden_patch_added",
        "golden_patch_deleted",
        "golden_patch_total",
    )
    raw = read_csv(source, required)
    require_unique(raw["instance_id"], source)
    numbers = {}
    for column in required[2:]:
        values = pd.to_numeric(raw[column], errors="coerce")
        if values.isna().any():
            raise DataError(source, f"missing or unparseable {column} values")
        require_in_range(raw.assign(**{column: values}), column, source, "instance_id", 0.0)
        numbers[column] = values.astype(np.int64)
    total = numbers["golden_patch_added"] + numbers["golden_patch_deleted"]
    wrong = total != numbers["golden_patch_total"]
    if wrong.any():
        row = raw.loc[wrong].iloc[0]
        raise DataError(
            source,
            f"{int(wrong.sum())} row(s) whose golden_patch_total is not added + deleted, e.g. "
            f"instance_id {row['instance_id']!r}: {row['golden_patch_total']!r} != "
            f"{row['golden_patch_added']!r} + {row['golden_patch_deleted']!r}; "
            f"{IMPOSSIBLE_ADVICE}",
        )
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
    name is the file stem. In the cache only the pinned files are read (a stray file there
    is never a system). Only public tasks (``task_ids``, default :func:`load_pro_tasks`)
    are kept. Columns: system, instance_id, resolved (bool). ``frame.attrs["dropped"]`` maps
    system -> number of non-public task ids removed; ``attrs["n_tasks"]`` system -> tasks kept.
    """
    source = resolve_path(path, "pro_results")
    if not source.is_dir():
        raise DataError(source, "expected a directory of per-system JSON files")
    files = keep_pinned(sorted(source.glob("*.json")), source)
    if not files:
        raise DataError(source, "no *.json result files")
    public = set(task_ids) if task_ids is not None else set(load_pro_tasks()["instance_id"])
    frames = []
    dropped: dict[str, int] = {}
    for file in files:
        data = read_json(file)
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
