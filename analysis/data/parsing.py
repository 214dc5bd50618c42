"""Shared helpers of the readers.

Locate a source file, read JSON/CSV strictly, check columns and ids, parse upstream
scalars. Every failure raises :class:`analysis.errors.DataError` naming the file.
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import DataError


def default_path(name: str) -> Path:
    """The cached copy of source ``name`` (fetched if missing)."""
    # Imported lazily: the download layer is optional when explicit paths are given.
    from analysis.data.download import ensure

    return Path(ensure(name))


def resolve_path(path: str | Path | None, name: str) -> Path:
    """``path`` if given, else the cached copy of source ``name``; it must exist."""
    resolved = default_path(name) if path is None else Path(path)
    if not resolved.exists():
        raise DataError(resolved, "file not found")
    return resolved


def read_text(path: Path) -> str:
    """The UTF-8 text of a file, or a :class:`DataError` naming it."""
    if not path.is_file():
        raise DataError(
            path, "expected a file, found a directory" if path.is_dir() else "file not found"
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataError(path, f"not UTF-8 text (byte {error.start})") from error


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"duplicate key(s) {duplicates[:5]}")
    return dict(pairs)


def read_json(path: Path) -> Any:
    """Parse a JSON file; duplicate object keys are an error (a task listed twice)."""
    text = read_text(path)
    if not text.strip():
        raise DataError(path, "empty file")
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as error:
        # A cut-off download fails at its end, or leaves no closing bracket.
        stripped = text.rstrip()
        truncated = error.pos >= len(stripped) - 1 or not stripped.endswith(("}", "]"))
        kind = "truncated JSON" if truncated else "malformed JSON"
        raise DataError(
            path, f"{kind} at line {error.lineno} column {error.colno}: {error.msg}"
        ) from error
    except ValueError as error:
        raise DataError(path, f"malformed JSON: {error}") from error


def read_csv(path: Path, required: Iterable[str]) -> pd.DataFrame:
    """A CSV with the ``required`` columns and at least one row."""
    read_text(path)  # existence and encoding, with a clear message
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise DataError(path, f"malformed CSV: {error}") from error
    require_columns(frame.columns, required, path)
    if frame.empty:
        raise DataError(path, "no rows")
    return frame


def require_columns(
    present: Iterable[str], required: Iterable[str], where: Path | str, what: str = "column"
) -> None:
    """Raise :class:`DataError` naming ``where`` if a required column (or key) is absent."""
    missing = [column for column in required if column not in set(present)]
    if missing:
        raise DataError(where, f"missing required {what}(s): {', '.join(missing)}")


def require_unique(ids: pd.Series, where: Path | str) -> None:
    """Raise :class:`DataError` if a task id occurs twice."""
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise DataError(
            where, f"duplicate task id(s): {', '.join(map(str, duplicated.unique()[:5]))}"
        )


def require_known(
    ids: Iterable[str], known: set[str] | None, where: Path | str, context: str = ""
) -> None:
    """Raise :class:`DataError` for ids outside ``known`` (``None``: no check)."""
    if known is None:
        return
    unknown = sorted(set(ids) - known)
    if unknown:
        suffix = f" ({context})" if context else ""
        raise DataError(
            where,
            f"{len(unknown)} unknown task id(s){suffix}, not among the {len(known)} known tasks: "
            f"{', '.join(unknown[:5])}",
        )


def is_missing(value: Any) -> bool:
    """True for ``None``, NaN and blank strings (upstream's ways of saying 'no value')."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in ("", "none", "null", "nan")


def parse_float(value: Any) -> float:
    """'74.4' / 74.4 -> 74.4; 'None' / None / '' -> NaN; raises ValueError otherwise."""
    if is_missing(value):
        return math.nan
    if isinstance(value, bool):
        raise ValueError(f"boolean {value!r} where a number was expected")
    return float(value)


def parse_bool(value: Any) -> bool:
    """True/'True'/'true (...)' -> True; False/'false (See README...)'/None -> False."""
    if isinstance(value, bool):
        return value
    if is_missing(value):
        return False
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip().lower()
    if text.startswith(("true", "yes", "1")):
        return True
    if text.startswith(("false", "no", "0")):
        return False
    raise ValueError(f"not a boolean: {value!r}")


def parse_tags(value: Any) -> list[str]:
    """A list, or its string repr (``"['Org: X']"``, parsed with ``ast.literal_eval``)."""
    if is_missing(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            parsed = ast.literal_eval(text)  # literals only: safe on untrusted text
            if not isinstance(parsed, list):
                raise ValueError(f"tags are not a list: {value!r}")
            return [str(tag) for tag in parsed]
        return [text]
    if isinstance(value, (list, tuple)):
        return [str(tag) for tag in value]
    raise ValueError(f"tags are not a list: {value!r}")


def parse_id_list(value: Any) -> list[str]:
    """FAIL_TO_PASS / PASS_TO_PASS: a JSON-encoded list of test names (or a list)."""
    if isinstance(value, list):
        return value
    if is_missing(value):
        return []
    parsed = json.loads(value)
    if not isinstance(parsed, list):
        raise ValueError("not a list")
    return parsed


#: What to do about a value that cannot be true (every range failure ends with it).
IMPOSSIBLE_ADVICE = (
    "the file is corrupt or not the pinned version: fix it, or restore the pinned copy with "
    "`python -m analysis fetch --force`"
)


def _bounds(low: float | None, high: float | None) -> str:
    return f"[{'-inf' if low is None else f'{low:g}'}, {'inf' if high is None else f'{high:g}'}]"


def check_range(
    value: float, where: Path | str, what: str, low: float | None = 0.0, high: float | None = None
) -> float:
    """``value`` if it is finite and within ``[low, high]`` (``None``: unbounded; NaN passes:
    it means 'no value'), else a :class:`DataError` naming ``where``, ``what`` and the value."""
    if math.isnan(value):
        return value
    if (
        math.isinf(value)
        or (low is not None and value < low)
        or (high is not None and value > high)
    ):
        raise DataError(
            where, f"{what} {value!r} is outside {_bounds(low, high)}; {IMPOSSIBLE_ADVICE}"
        )
    return value


def require_in_range(
    frame: pd.DataFrame,
    column: str,
    where: Path | str,
    label: str,
    low: float | None = 0.0,
    high: float | None = None,
) -> None:
    """Raise :class:`DataError` if a non-missing ``frame[column]`` is non-finite or outside
    ``[low, high]``, naming ``where``, the count and the first offending row (its ``label``
    column) and value; NaN (missing) passes."""
    values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    bad = np.isinf(values) | (values < low if low is not None else False)
    if high is not None:
        bad |= values > high
    if bad.any():
        first = frame.loc[bad, label].iloc[0]
        value = float(values[bad].iloc[0])
        raise DataError(
            where,
            f"{int(bad.sum())} {column} value(s) outside {_bounds(low, high)}, e.g. {value!r} "
            f"for {label} {first!r}; {IMPOSSIBLE_ADVICE}",
        )


def keep_pinned(paths: Iterable[Path], root: Path) -> list[Path]:
    """``paths`` found under ``root``, minus anything unpinned when ``root`` is a registered
    source's cache folder (a stray file there is never data; see
    :func:`analysis.data.download.pinned_under`); elsewhere all of them, in order."""
    from analysis.data.download import pinned_under  # lazy, like default_path

    pinned = pinned_under(root)
    if pinned is None:
        return list(paths)
    allowed = set(pinned)
    return [path for path in paths if path.resolve() in allowed]
