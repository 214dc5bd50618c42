"""A long results table (CSV, TSV, JSONL or Parquet): one row per (system, task[, run]).

Column names are given by :class:`ReaderOptions` (``--task``, ``--system``, ``--score``,
optional ``--run``, ``--cluster``, ``--task-date``, ``--system-date``; a column named
``run``, ``cluster``, ``task_date`` or ``system_date`` is used without its option). Scores
must lie in [0, 1]; booleans and the strings ``true``/``false`` count as 1/0 (nothing else
is guessed); empty cells are unknown outcomes, kept apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.data.readers.options import ReaderOptions
from analysis.data.results import Results, make_results
from analysis.errors import DataError

NAME = "long_table"
SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet", ".pq")


def detect(path: Path) -> bool:
    """A file with a tabular suffix."""
    return path.is_file() and path.suffix.lower() in SUFFIXES


def _read_frame(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise DataError(path, "empty file")
    try:
        if suffix == ".csv":
            return pd.read_csv(path)
        if suffix == ".tsv":
            return pd.read_csv(path, sep="\t")
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True)
        return pd.read_parquet(path)
    except pd.errors.EmptyDataError as error:
        raise DataError(path, "empty file (no header)") from error
    except (ValueError, pd.errors.ParserError, OSError) as error:
        problem = _bad_line(path) if suffix in (".jsonl", ".ndjson") else None
        raise DataError(
            path,
            f"cannot parse as {suffix[1:]}: {problem or error}; fix the file (or choose the "
            "format with --reader)",
        ) from error


def _bad_line(path: Path) -> str | None:
    """The first line of a JSONL file that is not one JSON object, described (or None)."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                parsed = json.loads(line)
            except ValueError as error:
                return f"line {number} is not valid JSON ({error.args[0].split(':')[0]})"
            if not isinstance(parsed, dict):
                return f"line {number} is not a JSON object"
    return None


def _boolean_text(value: object) -> object:
    """``True``/``"true"`` -> 1.0 and ``False``/``"false"`` -> 0.0; anything else unchanged."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return 1.0 if value.strip().lower() == "true" else 0.0
    return value


def read(path: Path, options: ReaderOptions | None = None) -> Results:
    """Read a long table; raises DataError naming the file and any missing column."""
    options = options or ReaderOptions()
    frame = _read_frame(path)
    if frame.empty:
        raise DataError(path, "no rows")
    optional = {
        "run": options.run,
        "cluster": options.cluster,
        "task_date": options.task_date,
        "system_date": options.system_date,
    }
    # An optional column not named by an option is used when it carries the canonical name.
    for field, column in optional.items():
        if column is None and field in frame.columns:
            optional[field] = field
    mapping = {
        "system": options.system,
        "task": options.task,
        "score": options.score,
        **optional,
    }
    absent = [
        f"{column!r} (--{field.replace('_', '-')})"
        for field, column in mapping.items()
        if column is not None and column not in frame.columns
    ]
    if absent:
        raise DataError(
            path,
            f"missing column(s) {', '.join(absent)}; columns present: "
            f"{', '.join(map(str, frame.columns[:12]))}",
        )
    tidy = pd.DataFrame({field: frame[column] for field, column in mapping.items() if column})
    if "run" not in tidy.columns:
        tidy["run"] = "1"
    if tidy["score"].dtype == bool:
        tidy["score"] = tidy["score"].astype("float64")
    elif tidy["score"].dtype == object:
        tidy["score"] = tidy["score"].map(_boolean_text)
    return make_results(tidy, str(path), NAME)
