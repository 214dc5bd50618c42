"""The SWE-bench evaluation harness run report (``<model>.<run_id>.json``).

Keys: ``resolved_ids`` (score 1), ``unresolved_ids``, ``error_ids`` and ``empty_patch_ids``
(score 0: the system's patch failed, errored when applied or was empty, as the official
score counts them), and, in newer harness versions, ``infra_failure_ids`` and
``ambiguous_failure_ids`` together with ``incomplete_ids``: outcomes the harness could not
establish, kept apart as unknown (NaN), never counted as failures. The system is the
report's ``model_name_or_path`` if present, else the file name up to its first dot.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.data.readers._common import read_json, sniff_json
from analysis.data.readers.options import ReaderOptions
from analysis.data.results import Results, make_results
from analysis.errors import DataError

NAME = "harness_report"
SCORED = {"resolved_ids": 1.0, "unresolved_ids": 0.0, "error_ids": 0.0, "empty_patch_ids": 0.0}
UNKNOWN = ("infra_failure_ids", "ambiguous_failure_ids", "incomplete_ids")


def _is_report(data: object) -> bool:
    return (
        isinstance(data, dict)
        and "resolved_ids" in data
        and "unresolved_ids" in data
        and not isinstance(data.get("results"), list)
    )


def detect(path: Path) -> bool:
    """A JSON object with ``resolved_ids`` and ``unresolved_ids`` (and no trial list)."""
    return path.is_file() and path.suffix == ".json" and _is_report(sniff_json(path))


def read(path: Path, options: ReaderOptions | None = None) -> Results:
    """One system's outcomes from one report (several reports: pass several paths)."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise DataError(path, "expected a JSON object (harness report)")
    for key in ("resolved_ids", "unresolved_ids"):
        if key not in data:
            raise DataError(path, f"missing required field {key!r}")
    system = str(data.get("model_name_or_path") or path.name.split(".")[0])
    outcome: dict[str, tuple[str, float]] = {}
    for key, score in [*SCORED.items(), *((key, float("nan")) for key in UNKNOWN)]:
        ids = data.get(key) or []
        if not isinstance(ids, list):
            raise DataError(path, f"{key!r} is not a list of instance ids")
        for task in map(str, ids):
            if task in outcome and outcome[task][0] != key:
                raise DataError(
                    path, f"instance {task!r} is in both {outcome[task][0]!r} and {key!r}"
                )
            outcome.setdefault(task, (key, score))
    if not outcome:
        raise DataError(path, "no instance ids in any outcome list (empty report)")
    frame = pd.DataFrame(
        [(system, task, "1", score) for task, (_, score) in outcome.items()],
        columns=["system", "task", "run", "score"],
    )
    notes = []
    apart = {key: len(data.get(key) or []) for key in UNKNOWN if data.get(key)}
    if apart:
        listed = ", ".join(f"{n} {key}" for key, n in apart.items())
        notes.append(f"{system}: {listed} counted apart as unknown, not as failures")
    return make_results(frame, str(path), NAME, notes)
