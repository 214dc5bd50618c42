"""The committed claim entries (``data/claims/*.toml``), read lazily and validated.

Below the analyses: they quote a published figure with :func:`claimed_value` instead of
typing it again. Nothing is read at import time; the first call reads and caches the files.
"""

from __future__ import annotations

import functools
import math
import re
import tomllib
from pathlib import Path
from typing import Any

from analysis.claims.types import (
    ARTICLES,
    COMPARISONS,
    ClaimEntry,
)
from analysis.errors import DataError
from analysis.paths import data_dir

_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


_MEASURE_PATTERN = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


_NOTEBOOK_PATTERN = re.compile(r"^\d\d_[a-z0-9_]+$")


_REQUIRED_TEXT = (
    "id",
    "claim",
    "source",
    "primary_source",
    "attribution",
    "unit",
    "comparison",
    "measure",
    "notebook",
)


_OPTIONAL_TEXT = ("denominator",)


_NUMBERS = ("claimed", "claimed_low", "claimed_high", "tolerance")


_KNOWN_KEYS = frozenset(_REQUIRED_TEXT + _OPTIONAL_TEXT + _NUMBERS)


def claims_dir() -> Path:
    """Where the claim TOML files live (``data/claims/``)."""
    return data_dir() / "claims"


def _number(raw: dict[str, Any], key: str, where: str, claim_id: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DataError(where, f"claim {claim_id!r}: {key} must be a finite number, got {value!r}")
    return float(value)


def _entry_from_table(raw: Any, where: str, position: int) -> ClaimEntry:
    """Validate one ``[[claim]]`` table and build its :class:`ClaimEntry`."""
    if not isinstance(raw, dict):
        raise DataError(where, f"claim #{position} is not a table")
    claim_id = raw.get("id")
    if not isinstance(claim_id, str) or not _ID_PATTERN.match(claim_id):
        raise DataError(
            where, f"claim #{position}: id must be lower-case words joined by '-', got {claim_id!r}"
        )
    unknown = sorted(set(raw) - _KNOWN_KEYS)
    if unknown:
        raise DataError(where, f"claim {claim_id!r}: unknown field(s) {', '.join(unknown)}")
    for key in _REQUIRED_TEXT + _OPTIONAL_TEXT:
        value = raw.get(key)
        if key in _REQUIRED_TEXT and (value is None or value == ""):
            raise DataError(where, f"claim {claim_id!r}: missing {key}")
        if value is not None and not isinstance(value, str):
            raise DataError(where, f"claim {claim_id!r}: {key} must be text, got {value!r}")
    if raw["source"] not in ARTICLES:
        raise DataError(
            where,
            f"claim {claim_id!r}: source must be one of "
            f"{', '.join(ARTICLES)}, got {raw['source']!r}",
        )
    attribution = raw["attribution"]
    if attribution != "correct" and not attribution.startswith(("misattributed: ", "unclear: ")):
        raise DataError(
            where,
            f"claim {claim_id!r}: attribution must be 'correct', "
            f"'misattributed: <why>' or 'unclear: <why>', got {attribution!r}",
        )
    comparison = raw["comparison"]
    if comparison not in COMPARISONS:
        raise DataError(
            where,
            f"claim {claim_id!r}: unknown comparison {comparison!r} "
            f"(expected one of {', '.join(COMPARISONS)})",
        )
    if not _MEASURE_PATTERN.match(raw["measure"]):
        raise DataError(
            where, f"claim {claim_id!r}: measure must be 'module:function', got {raw['measure']!r}"
        )
    if not _NOTEBOOK_PATTERN.match(raw["notebook"]):
        raise DataError(
            where,
            f"claim {claim_id!r}: notebook must look like 'NN_topic', got {raw['notebook']!r}",
        )
    claimed, low, high, tolerance = (_number(raw, key, where, claim_id) for key in _NUMBERS)
    if tolerance is not None and tolerance < 0:
        raise DataError(where, f"claim {claim_id!r}: tolerance must be >= 0, got {tolerance}")
    if (low is None) != (high is None):
        raise DataError(where, f"claim {claim_id!r}: give both claimed_low and claimed_high")
    if low is not None and high is not None and low > high:
        raise DataError(where, f"claim {claim_id!r}: claimed_low {low} > claimed_high {high}")
    if comparison == "within" and low is None:
        raise DataError(
            where, f"claim {claim_id!r}: comparison 'within' needs claimed_low and claimed_high"
        )
    if comparison != "within" and claimed is None:
        raise DataError(where, f"claim {claim_id!r}: comparison {comparison!r} needs claimed")
    if claimed is not None and low is not None and high is not None and not low <= claimed <= high:
        raise DataError(
            where, f"claim {claim_id!r}: claimed {claimed} lies outside [{low}, {high}]"
        )
    entry = ClaimEntry(
        id=claim_id,
        claim=raw["claim"],
        source=raw["source"],
        primary_source=raw["primary_source"],
        attribution=attribution,
        unit=raw["unit"],
        comparison=comparison,
        measure=raw["measure"],
        notebook=raw["notebook"],
        denominator=raw.get("denominator") or "",
        claimed=claimed,
        claimed_low=low,
        claimed_high=high,
        tolerance=tolerance or 0.0,
        file=where,
    )
    function = entry.measure.split(":", 1)[1]
    if function != entry.function_name:
        raise DataError(
            where,
            f"claim {claim_id!r}: measuring function must be named "
            f"{entry.function_name!r}, got {function!r}",
        )
    return entry


def load_claim_file(path: Path) -> list[ClaimEntry]:
    """Read and validate one claims TOML file (a list of ``[[claim]]`` tables)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(path, f"cannot read claims file: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise DataError(path, f"not valid TOML: {error}") from error
    extra_keys = sorted(set(document) - {"claim"})
    if extra_keys:
        raise DataError(
            path,
            f"unexpected top-level key(s) {', '.join(extra_keys)} (claims are [[claim]] tables)",
        )
    tables = document.get("claim", [])
    if not isinstance(tables, list):
        raise DataError(path, "'claim' must be an array of tables ([[claim]])")
    return [_entry_from_table(raw, str(path), number) for number, raw in enumerate(tables, 1)]


def load_claim_entries(directory: Path | None = None) -> list[ClaimEntry]:
    """Every claim in ``directory/*.toml`` (default :func:`claims_dir`), validated.

    Files are read in name order and claims keep their order within a file. Raises
    :class:`DataError` naming the file and the claim for invalid fields and for an id used
    twice (naming both files).
    """
    directory = claims_dir() if directory is None else Path(directory)
    if not directory.is_dir():
        raise DataError(directory, "claims directory not found")
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise DataError(directory, "no claims files (*.toml) found")
    entries: list[ClaimEntry] = []
    seen: dict[str, str] = {}
    for path in paths:
        for entry in load_claim_file(path):
            if entry.id in seen:
                raise DataError(path, f"duplicate claim id {entry.id!r} (also in {seen[entry.id]})")
            seen[entry.id] = str(path)
            entries.append(entry)
    return entries


@functools.lru_cache(maxsize=1)
def _entries_by_id() -> dict[str, ClaimEntry]:
    return {entry.id: entry for entry in load_claim_entries()}


def claim_entry(claim_id: str) -> ClaimEntry:
    """The committed entry of one claim, so code quotes a published figure from the one
    place it is recorded (``data/claims/*.toml``) instead of typing it again."""
    entries = _entries_by_id()
    if claim_id not in entries:
        raise DataError(claims_dir(), f"unknown claim id {claim_id!r}")
    return entries[claim_id]


def claimed_value(claim_id: str) -> float:
    """The claimed value of one committed claim (read on first use, then cached)."""
    value = claim_entry(claim_id).claimed
    if value is None:
        raise DataError(claims_dir(), f"claim {claim_id!r} has no single claimed value")
    return value
