"""The swe-bench.github.io leaderboard JSON (``leaderboards.json``): bash-only per-task results.

Parsed by the project's existing loader
(:func:`analysis.data.readers.leaderboards.load_bash_only_results`, which also detects and
excludes systems whose per-task results disagree with their published score); this module
only maps its long frame into the results model.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.data.readers._common import sniff_json, swe_bench_repositories
from analysis.data.readers.leaderboards import load_bash_only_results
from analysis.data.readers.options import ReaderOptions
from analysis.data.results import Results, make_results

NAME = "swebench_results"


def detect(path: Path) -> bool:
    """A JSON object with a top-level ``leaderboards`` list."""
    if not (path.is_file() and path.suffix == ".json"):
        return False
    data = sniff_json(path)
    return isinstance(data, dict) and isinstance(data.get("leaderboards"), list)


def read(path: Path, options: ReaderOptions | None = None) -> Results:
    """Per-task bash-only results (inconsistent systems excluded and named in the notes)."""
    long = load_bash_only_results(path)
    frame = pd.DataFrame(
        {
            "system": long["system"],
            "task": long["instance_id"],
            "run": "1",
            "score": long["resolved"].astype("float64"),
            "cost": long.groupby("system")["cost"].transform("mean"),
        }
    )
    tasks = sorted(pd.unique(frame["task"]))
    repositories = swe_bench_repositories(tasks)
    if repositories is not None:
        frame["cluster"] = frame["task"].map(dict(zip(tasks, repositories, strict=True)))
    notes = [
        f"{item['system']}: excluded, published {item['published_pct']:g}% vs per-task "
        f"{item['per_task_pct']:g}%"
        for item in long.attrs.get("excluded", [])
    ]
    return make_results(frame, str(path), NAME, notes)
