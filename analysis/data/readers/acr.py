"""AutoCodeRover's three repeated Verified runs (``acr_runs``): per-task outcomes, run stats."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.data.parsing import (
    check_range,
    keep_pinned,
    parse_float,
    read_json,
    read_text,
    require_columns,
    require_known,
    require_unique,
    resolve_path,
)
from analysis.errors import DataError


def _acr_files(source: Path) -> list[tuple[int, Path, Path, Path]]:
    if not source.is_dir():
        raise DataError(
            source, "expected a directory of acr-run-K.{report.json,stats.json,tasks.txt} files"
        )
    present = keep_pinned(sorted(source.glob("acr-run-*")), source)  # in the cache: pinned only
    runs = []
    for report in present:
        match = re.fullmatch(r"acr-run-(\d+)\.report\.json", report.name)
        if not match:
            continue
        run = int(match.group(1))
        tasks = source / f"acr-run-{run}.tasks.txt"
        stats = source / f"acr-run-{run}.stats.json"
        for needed in (tasks, stats):
            if needed.resolve() not in {path.resolve() for path in present}:
                raise DataError(needed, f"file not found (run {run} needs it); restore the run")
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
    source = resolve_path(path, "acr_runs")
    frames = []
    for run, report_file, tasks_file, _ in _acr_files(source):
        report = read_json(report_file)
        if not isinstance(report, dict):
            raise DataError(report_file, "expected an object status -> task ids")
        require_columns(report, ("resolved",), report_file, "key")
        task_list = [line.strip() for line in read_text(tasks_file).splitlines() if line.strip()]
        if not task_list:
            raise DataError(tasks_file, "no task ids")
        tasks = pd.Series(task_list)
        require_unique(tasks, tasks_file)
        known = set(task_list)
        for status in ("resolved", "generated", "applied"):
            require_known(report.get(status, []), known, report_file, status)
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
    source = resolve_path(path, "acr_runs")
    rows = []
    for run, _, _, stats_file in _acr_files(source):
        stats = read_json(stats_file)
        if not isinstance(stats, dict):
            raise DataError(stats_file, "expected an object")
        require_columns(stats, ("total_cost",), stats_file, "key")
        try:
            rows.append(
                {
                    "run": run,
                    "model": stats.get("model"),
                    "num_tasks": parse_float(stats.get("num_tasks")),
                    "total_cost": parse_float(stats["total_cost"]),
                    "avg_cost": parse_float(stats.get("avg_cost")),
                    "inference_elapsed_mins": parse_float(stats.get("inference_elapsed_mins")),
                    "total_elapsed_mins": parse_float(stats.get("total_elapsed_mins")),
                }
            )
        except (TypeError, ValueError) as error:
            raise DataError(stats_file, f"unparseable number: {error}") from error
        for key, value in rows[-1].items():
            if key not in ("run", "model"):
                check_range(value, stats_file, key)
    return pd.DataFrame.from_records(rows)
