"""lm-evaluation-harness ``--log_samples`` output.

A model's output directory holds ``results_<date>.json`` (``model_name``, or
``config.model_args``) and one ``samples_<task>_<date>.jsonl`` per task, each line a
document with ``doc_id``, ``doc_hash`` and one key per metric (``acc``, ``exact_match``,
...; the line's ``metrics`` lists them). The metric is ``--metric`` or the line's first
listed metric. Tasks are ``<task>/<doc_id>``; runs are the dates (several invocations of the
same model). A document whose ``doc_hash`` differs between models is a different document:
an error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from analysis.data.readers._common import read_json
from analysis.data.readers.options import ReaderOptions
from analysis.data.results import Results, make_results
from analysis.errors import DataError

NAME = "lm_eval"
_SAMPLES = re.compile(r"^samples_(?P<task>.+)_(?P<date>\d{4}-\d{2}-\d{2}T[\d\-.]+)\.jsonl$")
_PREFERRED = ("acc", "exact_match", "acc_norm", "pass@1", "pass_at_1")


def _sample_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path] if _SAMPLES.match(path.name) else []
    return sorted(p for p in path.rglob("samples_*.jsonl") if _SAMPLES.match(p.name))


def detect(path: Path) -> bool:
    """A ``samples_<task>_<date>.jsonl`` file, or a directory holding some."""
    return bool(_sample_files(path))


def _model_name(directory: Path, date: str) -> str:
    candidates = [directory / f"results_{date}.json", *sorted(directory.glob("results_*.json"))]
    for candidate in candidates:
        if candidate.is_file():
            data = read_json(candidate)
            if isinstance(data, dict):
                name = data.get("model_name") or (data.get("config") or {}).get("model_args")
                if name:
                    return str(name)
    return directory.name


def _metric(record: dict, chosen: str | None, where: str) -> str:
    if chosen:
        if chosen not in record:
            raise DataError(where, f"missing metric field {chosen!r} (--metric)")
        return chosen
    listed = [m for m in record.get("metrics") or [] if m in record]
    if listed:
        return listed[0]
    for name in _PREFERRED:
        if name in record:
            return name
    raise DataError(where, "no metric field (acc, exact_match, ...): pass --metric")


def read(path: Path, options: ReaderOptions | None = None) -> Results:
    """Every logged sample under ``path`` (one or several model directories)."""
    chosen = (options or ReaderOptions()).metric
    files = _sample_files(path)
    if not files:
        raise DataError(path, "no samples_<task>_<date>.jsonl files")
    rows = []
    hashes: dict[str, tuple[str, str]] = {}
    for file in files:
        match = _SAMPLES.match(file.name)
        assert match is not None
        model = _model_name(file.parent, match["date"])
        lines = file.read_text(encoding="utf-8").splitlines()
        if not any(line.strip() for line in lines):
            raise DataError(file, "empty file")
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{file}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(where, f"malformed JSON: {error.msg}") from error
            if not isinstance(record, dict) or "doc_id" not in record:
                raise DataError(where, "missing required field 'doc_id'")
            metric = _metric(record, chosen, where)
            value = record[metric]
            if isinstance(value, list | dict):
                raise DataError(where, f"metric {metric!r} is not a number: choose --metric")
            task = f"{match['task']}/{record['doc_id']}"
            digest = record.get("doc_hash")
            if digest is not None:
                seen = hashes.setdefault(task, (str(digest), model))
                if seen[0] != str(digest):
                    raise DataError(
                        where,
                        f"doc_hash of {task!r} differs from {seen[1]!r}'s: not the same document",
                    )
            rows.append((model, task, match["date"], value))
    frame = pd.DataFrame(rows, columns=["system", "task", "run", "score"])
    if frame["score"].map(lambda v: isinstance(v, bool)).all():
        frame["score"] = frame["score"].astype("float64")
    return make_results(frame, str(path), NAME)
