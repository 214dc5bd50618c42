"""Terminal-Bench run results (laude-institute/terminal-bench-leaderboard).

A run's ``results.json`` holds ``results[]`` of trials with ``task_id``, ``trial_name``
(``TASK.K-of-N.<run>``) and ``is_resolved`` (true, false or null: an agent or harness
failure whose outcome is unknown, counted apart and never as a failure). Submissions come
in two layouts:

- one file per run: ``<submission>/<run>/results.json`` or
  ``<submission>/<stamp>_results.json`` (trials ``TASK.1-of-1.<run>``);
- one file holding every run: ``<submission>/results.json`` with trials ``TASK.K-of-N``.

The system is the submission directory's name; runs are numbered 1..R (files in sorted
order, or K from the trial name). Each file's ``accuracy`` is checked against its trials.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.data.parsing import check_range, keep_pinned
from analysis.data.readers._common import read_json, require_key, sniff_json
from analysis.data.readers.options import ReaderOptions
from analysis.data.results import Results, make_results
from analysis.errors import DataError

NAME = "terminal_bench"
_REPEAT = re.compile(r"\.(\d+)-of-(\d+)(?:\.|$)")


def _looks_like_run(data: object) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        return False
    trials = data["results"]
    return bool(trials) and isinstance(trials[0], dict) and "is_resolved" in trials[0]


def _result_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    found = sorted(p for p in path.rglob("*results.json") if p.is_file())
    return keep_pinned(found, path)  # in the cache: pinned files only


def detect(path: Path) -> bool:
    """A ``*results.json`` (or a directory holding them) with trials carrying
    ``is_resolved``."""
    files = _result_files(path) if path.exists() else []
    return bool(files) and _looks_like_run(sniff_json(files[0]))


def _repeat(trial: dict, task: str) -> tuple[int, int] | None:
    name = str(trial.get("trial_name") or "")
    rest = name[len(task) :] if name.startswith(task) else name
    match = _REPEAT.search(rest)
    return (int(match[1]), int(match[2])) if match else None


def read(path: Path, options: ReaderOptions | None = None) -> Results:
    """Every trial of every submission under ``path`` (a file, a submission or a root)."""
    files = _result_files(path)
    if not files:
        raise DataError(path, "no *results.json files")
    per_submission: dict[str, list[tuple[Path, list[dict]]]] = {}
    notes: list[str] = []
    for file in files:
        data = read_json(file)
        trials = require_key(data, "results", file)
        if not isinstance(trials, list) or not trials:
            raise DataError(file, "'results' is empty or not a list of trials")
        for position, trial in enumerate(trials):
            for key in ("task_id", "is_resolved"):
                require_key(trial, key, file, f"trial #{position}")
        repeats = {_repeat(t, str(t["task_id"])) for t in trials}
        many_runs = any(r is not None and r[1] > 1 for r in repeats)
        # <submission>/results.json (all runs) or <submission>/<stamp>_results.json, else
        # <submission>/<run>/results.json
        one_level = many_runs or file.name != "results.json"
        submission = file.parent if one_level else file.parent.parent
        per_submission.setdefault(submission.name, []).append((file, trials))
        known = [t["is_resolved"] for t in trials if t["is_resolved"] is not None]
        accuracy = data.get("accuracy")
        if isinstance(accuracy, int | float) and not isinstance(accuracy, bool):
            check_range(float(accuracy), file, "accuracy", 0.0, 1.0)
        if isinstance(accuracy, int | float) and trials:
            share = sum(bool(v) for v in known) / len(trials)
            if abs(share - float(accuracy)) > 1.0 / len(trials) + 1e-9:
                notes.append(f"{file}: accuracy {accuracy:g} disagrees with its trials ({share:g})")
    rows = []
    unknown = 0
    for system, parts in per_submission.items():
        for index, (file, trials) in enumerate(sorted(parts, key=lambda item: str(item[0]))):
            for trial in trials:
                task = str(trial["task_id"])
                repeat = _repeat(trial, task)
                run = repeat[0] if repeat and repeat[1] > 1 else index + 1
                value = trial["is_resolved"]
                if value is not None and not isinstance(value, bool):
                    raise DataError(
                        file, f"trial {trial.get('trial_name')!r}: is_resolved={value!r}"
                    )
                unknown += value is None
                score = float("nan") if value is None else float(value)
                rows.append((system, task, str(run), score))
    frame = pd.DataFrame(rows, columns=["system", "task", "run", "score"])
    if unknown:
        notes.append(f"{unknown} trial(s) with is_resolved=null counted apart as unknown")
    return make_results(frame, str(path), NAME, notes)
