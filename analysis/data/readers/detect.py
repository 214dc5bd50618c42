"""Pick the reader for a file or directory, read it, and combine several paths.

Directory formats are tried first (``openhands``, ``terminal_bench``, ``lm_eval``,
``helm``: each knows its tree); otherwise every file under the directory is matched against
the file formats (``terminal_bench``, ``harness_report``, ``swebench_results``,
``inspect_ai``, ``lm_eval``, ``helm``, ``long_table``) and the results are combined.
``reader=`` overrides detection. A path nothing recognises is a :class:`DataError` naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from analysis.data.parsing import keep_pinned
from analysis.data.readers import (
    harness_report,
    helm,
    inspect_ai,
    lm_eval,
    long_table,
    openhands,
    swebench_results,
    terminal_bench,
)
from analysis.data.readers.options import ReaderOptions
from analysis.data.results import Results, combine
from analysis.errors import DataError

#: reader name -> module (each exposes ``NAME``, ``detect(path)`` and ``read(path, options)``)
READERS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (
        openhands,
        terminal_bench,
        harness_report,
        swebench_results,
        inspect_ai,
        lm_eval,
        helm,
        long_table,
    )
}
DIRECTORY_READERS: tuple[str, ...] = ("openhands", "terminal_bench", "lm_eval", "helm")
FILE_READERS: tuple[str, ...] = (
    "terminal_bench",
    "harness_report",
    "swebench_results",
    "inspect_ai",
    "lm_eval",
    "helm",
    "long_table",
)


def detect_reader(path: Path) -> str | None:
    """The name of the reader that recognises ``path``, or None."""
    names = DIRECTORY_READERS if path.is_dir() else FILE_READERS
    for name in names:
        if READERS[name].detect(path):
            return name
    return None


def _files(directory: Path) -> list[Path]:
    found = sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )
    return keep_pinned(found, directory)  # a registered source's cache: pinned files only


def read_path(
    path: str | Path, reader: str | None = None, options: ReaderOptions | None = None
) -> Results:
    """Read one file or directory with ``reader`` (default: detected)."""
    path = Path(path)
    options = options or ReaderOptions()
    if not path.exists():
        raise DataError(path, "no such file or directory; check the path")
    if reader is not None:
        if reader not in READERS:
            raise DataError(path, f"unknown reader {reader!r}; use one of {', '.join(READERS)}")
        if path.is_dir() and reader not in DIRECTORY_READERS:
            matching = [f for f in _files(path) if READERS[reader].detect(f)]
            if not matching:
                raise DataError(path, f"no file here looks like {reader} results")
            return combine([READERS[reader].read(f, options) for f in matching])
        return READERS[reader].read(path, options)
    if path.is_file() and path.stat().st_size == 0:
        raise DataError(path, "empty file (0 bytes); give a results file with a header and rows")
    name = detect_reader(path)
    if name is not None:
        return READERS[name].read(path, options)
    if path.is_file():
        raise DataError(
            path,
            "unrecognised results format (expected a long table .csv/.tsv/.jsonl/.parquet, a "
            "SWE-bench harness report, leaderboards.json, Terminal-Bench results.json, an "
            "inspect_ai .eval/.json log, lm-eval samples_*.jsonl or HELM "
            "per_instance_stats.json); choose one with --reader, or give a file in one of these "
            "formats",
        )
    parts = []
    for file in _files(path):
        found = detect_reader(file)
        if found is not None:
            parts.append(READERS[found].read(file, options))
    if not parts:
        raise DataError(
            path,
            "no recognised results in this directory (looked for an OpenHands Index tree, "
            "Terminal-Bench results.json, lm-eval samples, HELM per_instance_stats.json, "
            "harness reports, inspect_ai logs and long tables); point at a results file, or "
            "choose the format with --reader",
        )
    return combine(parts)


def read_paths(
    paths: Sequence[str | Path], reader: str | None = None, options: ReaderOptions | None = None
) -> Results:
    """Read every path and combine them (a (system, task, run) in two paths is an error)."""
    if not paths:
        raise DataError("paths", "no results path given")
    return combine([read_path(p, reader, options) for p in paths])


#: Public per-task leaderboards the audit can run on out of the box (registered sources).
PUBLIC_LEADERBOARDS: tuple[str, ...] = ("openhands_index", "terminal_bench")


def public_leaderboard(name: str) -> Path:
    """The cached, hash-verified folder of a public leaderboard (``PUBLIC_LEADERBOARDS``),
    fetched from upstream or the mirror (``SWEAUDIT_MIRROR``) first if needed."""
    from analysis.data.download import ensure

    if name not in PUBLIC_LEADERBOARDS:
        raise DataError(name, f"unknown leaderboard; use one of {', '.join(PUBLIC_LEADERBOARDS)}")
    return ensure(name)
