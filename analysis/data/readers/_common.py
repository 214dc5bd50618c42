"""Small helpers shared by the results readers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

# One JSON parser for the project (duplicate keys are an error): reuse the loading layer's.
from analysis.data.parsing import read_json
from analysis.errors import DataError

__all__ = ["read_json", "require_key", "sniff_json", "swe_bench_repositories"]

_SWE_BENCH_ID = re.compile(r"^(?P<owner>[^_]+(?:_[^_]+)*)__(?P<repo>.+)-\d+$")


def require_key(mapping: Any, key: str, where: str | Path, context: str = "") -> Any:
    """``mapping[key]``, or a DataError naming the file and the missing field."""
    if not isinstance(mapping, dict) or key not in mapping:
        inside = f" in {context}" if context else ""
        raise DataError(where, f"missing required field {key!r}{inside}")
    return mapping[key]


def sniff_json(path: Path, limit: int = 50_000_000) -> Any | None:
    """Parse a JSON file for format detection; None when it is not (valid) JSON or too big."""
    try:
        if path.stat().st_size > limit:
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def swe_bench_repositories(task_ids: list[str]) -> list[str] | None:
    """``owner__repo-123`` -> ``owner/repo`` (SWE-bench instance ids, the cluster the
    project uses), or None unless every id has that shape."""
    matches = [_SWE_BENCH_ID.match(task) for task in task_ids]
    if not matches or not all(matches):
        return None
    return [f"{m['owner']}/{m['repo']}" for m in matches if m]
