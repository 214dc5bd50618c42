"""The OpenHands Index results tree (OpenHands/openhands-index-results).

Layout: ``results/<model>/`` (OpenHands with each model) and
``alternative_agents/<agent>/<model>/`` (other agents), each holding ``metadata.json``
(``agent_name``, ``model``, ``release_date``, prices), ``scores.json`` (a list of
``{benchmark, score, cost_per_instance, ...}``, score in points) and
``instance_results/<benchmark>.json`` (``{instance_id: {resolved, cost}}``; ``resolved``
may be null: unknown, counted apart). One benchmark is read (``--benchmark``, default
``swe-bench``). A system is named ``"<agent_name> / <model>"``.

Upstream is not always self-consistent, so each system's published ``scores.json`` score
is checked against its per-instance resolved share (nulls counting as not resolved, as the
published score does); a disagreement of more than one task becomes a note.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.data.parsing import check_range, keep_pinned, parse_float, require_in_range
from analysis.data.readers._common import read_json, require_key, swe_bench_repositories
from analysis.data.readers.leaderboards import consistency_table
from analysis.data.readers.options import ReaderOptions
from analysis.data.results import Results, make_results
from analysis.errors import DataError

NAME = "openhands"


def _is_system_dir(path: Path) -> bool:
    return (path / "metadata.json").is_file() and (path / "instance_results").is_dir()


def system_dirs(root: Path) -> list[Path]:
    """Every system directory under ``root`` (or ``root`` itself if it is one), sorted."""
    if _is_system_dir(root):
        return [root]
    found = [*root.glob("results/*/metadata.json")]
    found += root.glob("alternative_agents/*/*/metadata.json")
    return sorted(p.parent for p in keep_pinned(found, root))  # in the cache: pinned only


def _files_of(directory: Path, benchmark: str) -> list[Path]:
    """The files a system directory contributes that exist (metadata, results, scores)."""
    candidates = (
        directory / "metadata.json",
        directory / "instance_results" / f"{benchmark}.json",
        directory / "scores.json",
    )
    return [file for file in candidates if file.is_file()]


def _published_score(entry: dict, where: Path) -> float:
    try:
        score = parse_float(entry.get("score"))
    except (TypeError, ValueError):
        raise DataError(where, f"unparseable score {entry.get('score')!r}; fix the file") from None
    return check_range(score, where, f"{entry.get('benchmark')} score", 0.0, 100.0)


def detect(path: Path) -> bool:
    """A directory holding ``results/*/metadata.json`` or ``alternative_agents/``, or one
    system directory."""
    return path.is_dir() and (
        _is_system_dir(path)
        or any(path.glob("results/*/metadata.json"))
        or any(path.glob("alternative_agents/*/*/metadata.json"))
    )


def read(path: Path, options: ReaderOptions | None = None) -> Results:
    """Per-instance results of every system on ``options.benchmark``."""
    options = options or ReaderOptions()
    benchmark = options.benchmark
    directories = system_dirs(path)
    if not directories:
        raise DataError(path, "no OpenHands Index system directories (results/<model>/)")
    allowed = set(keep_pinned([f for d in directories for f in _files_of(d, benchmark)], path))
    frames, notes, published, names = [], [], {}, {}
    skipped = []
    for directory in directories:
        results_file = directory / "instance_results" / f"{benchmark}.json"
        if results_file not in allowed or directory / "metadata.json" not in allowed:
            skipped.append(directory.relative_to(path).as_posix() or directory.name)
            continue
        metadata = read_json(directory / "metadata.json")
        model = str(require_key(metadata, "model", directory / "metadata.json"))
        agent = str(metadata.get("agent_name") or directory.parent.name)
        name = f"{agent} / {model}"
        if name in names:
            name = f"{name} ({directory.relative_to(path).as_posix()})"
        names[name] = directory
        instances = read_json(results_file)
        if not isinstance(instances, dict) or not instances:
            raise DataError(results_file, "expected a non-empty object {instance_id: {...}}")
        tasks, scores, costs = [], [], []
        for task, record in instances.items():
            resolved = require_key(record, "resolved", results_file, f"instance {task!r}")
            if resolved is not None and (
                not isinstance(resolved, bool | int) or resolved not in (0, 1)
            ):
                raise DataError(
                    results_file,
                    f"instance {task!r}: resolved={resolved!r} (expected true, false or null); "
                    "fix the file",
                )
            tasks.append(task)
            scores.append(float("nan") if resolved is None else float(bool(resolved)))
            costs.append(record.get("cost"))
        frame = pd.DataFrame({"system": name, "task": tasks, "run": "1", "score": scores})
        frame["system_date"] = metadata.get("release_date")
        cost_values = pd.to_numeric(pd.Series(costs, dtype="object"), errors="coerce")
        require_in_range(
            pd.DataFrame({"cost": cost_values, "instance": tasks}), "cost", results_file, "instance"
        )
        frame["cost"] = float(cost_values.mean()) if cost_values.notna().any() else None
        frames.append(frame)
        scores_file = directory / "scores.json"
        if scores_file in allowed:
            entries = read_json(scores_file)
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict) and entry.get("benchmark") == benchmark:
                    published[name] = _published_score(entry, scores_file)
    if not frames:
        raise DataError(path, f"no system has instance_results/{benchmark}.json")
    if skipped:
        notes.append(
            f"{len(skipped)} system(s) without {benchmark} results skipped: " + ", ".join(skipped)
        )
    long = pd.concat(frames, ignore_index=True)
    clusters = swe_bench_repositories(sorted(pd.unique(long["task"])))
    if clusters is not None:
        mapping = dict(zip(sorted(pd.unique(long["task"])), clusters, strict=True))
        long["cluster"] = long["task"].map(mapping)
    check = pd.DataFrame(
        {"system": long["system"], "resolved": long["score"].fillna(0.0).astype(bool)}
    )
    table = consistency_table(check, published)
    agreeing = int((table["consistent"]).sum())
    notes.append(
        f"published {benchmark} scores agree with the per-instance share within one task "
        f"for {agreeing} of {len(table)} systems"
    )
    for row in table.itertuples():
        if pd.isna(row.published_pct):
            notes.append(f"{row.system}: no published {benchmark} score in scores.json")
        elif not row.consistent:
            notes.append(
                f"{row.system}: published {benchmark} score {row.published_pct:g} disagrees "
                f"with the per-instance share {row.per_task_pct:g} "
                f"({row.difference_tasks:g} tasks)"
            )
    unknown = int(long["score"].isna().sum())
    if unknown:
        notes.append(f"{unknown} instance result(s) with resolved=null counted apart")
    return make_results(long, str(path), NAME, notes)
