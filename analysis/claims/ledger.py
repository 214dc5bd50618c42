"""The claims ledger: every quantitative claim in the source articles, measured and judged.

Claim metadata lives in ``data/claims/*.toml`` (one ``[[claim]]`` table per claim, schema in
:class:`ClaimEntry`). Each claim names a measuring function ``"module:function"`` that takes
no arguments and returns a :class:`Measurement` computed from public data at run time.
:func:`judge` turns the claimed value, the measured value with its interval and the claim's
stated tolerance into a verdict; verdicts are never typed in. :func:`ledger` assembles the
whole table; ``python -m analysis claims`` prints it.

Verdict rules (measured interval ``[lo, hi]``, or ``[m, m]`` without one; ``tol`` the claim's
tolerance in its unit; bounds inclusive):

- measurement not testable -> ``"not testable"`` (its ``reason`` says which data would test it);
- ``equal``: ``lo <= claimed <= hi`` -> reproduced; ``lo - tol <= claimed <= hi + tol`` ->
  consistent; otherwise contradicted;
- ``at_least`` ("over X"): ``lo >= claimed`` -> reproduced; ``hi >= claimed - tol`` ->
  consistent; otherwise contradicted (``at_most`` symmetric);
- ``within`` (claimed range ``[L, H]``): ``L <= m <= H`` -> reproduced; ``[lo - tol, hi + tol]``
  overlaps ``[L, H]`` -> consistent; otherwise contradicted.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import DataError
from analysis.paths import data_dir


@dataclass(frozen=True)
class Measurement:
    """What our data says about one claim.

    ``measured`` is the point estimate in the claim's unit; ``interval`` its uncertainty
    (95% unless ``detail`` says otherwise). A claim public data cannot test has
    ``testable=False`` and a ``reason`` that says which data would test it.
    """

    measured: float | None
    interval: tuple[float, float] | None = None
    unit: str = ""
    detail: str = ""
    sources: tuple[str, ...] = ()
    testable: bool = True
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


#: The four verdicts, from strongest support to none.
VERDICTS: tuple[str, ...] = ("reproduced", "consistent", "contradicted", "not testable")
#: How a claimed value is compared with a measurement.
COMPARISONS: tuple[str, ...] = ("equal", "at_least", "at_most", "within")
#: The seed articles the claims come from (files in shared/seeds/).
ARTICLES: dict[str, str] = {
    "000": "Latent Space episode summary, Lambert & Raschka, 2026-02-26",
    "004": "Ikesan, 'Large-Scale Unauthorized Distillation of Claude and the Collapse of "
    "SWE-bench Hit on the Same Day', 2026-02",
}

#: Columns of :func:`ledger`, in display order.
LEDGER_COLUMNS: tuple[str, ...] = (
    "id",
    "claim",
    "source",
    "primary_source",
    "attribution",
    "denominator",
    "claimed",
    "claimed_low",
    "claimed_high",
    "unit",
    "comparison",
    "tolerance",
    "measured",
    "interval_low",
    "interval_high",
    "verdict",
    "detail",
    "reason",
    "data_sources",
    "measure",
    "notebook",
    "extra",
)

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


@dataclass(frozen=True)
class ClaimEntry:
    """One claim as written in a ``data/claims/*.toml`` file (validated).

    ``claimed`` is a point value in ``unit``; ``claimed_low``/``claimed_high`` a range (needed
    for ``comparison = "within"``). ``tolerance`` is the slack, in ``unit``, beyond the measured
    interval that still counts as consistent. ``measure`` is ``"module:function"``.
    """

    id: str
    claim: str
    source: str
    primary_source: str
    attribution: str
    unit: str
    comparison: str
    measure: str
    notebook: str
    denominator: str = ""
    claimed: float | None = None
    claimed_low: float | None = None
    claimed_high: float | None = None
    tolerance: float = 0.0
    file: str = ""

    @property
    def function_name(self) -> str:
        """The measuring function's required name: ``"claim_" + id`` with ``-`` -> ``_``."""
        return "claim_" + self.id.replace("-", "_")


def claims_dir() -> Path:
    """Where the claim TOML files live (``data/claims/``)."""
    return data_dir() / "claims"


# --- loading and validation -------------------------------------------------------------


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


# --- judging ------------------------------------------------------------------------------


def _at_most(a: float, b: float) -> bool:
    """``a <= b``, counting float rounding noise (e.g. 0.1 * 3 vs 0.3) as equality."""
    return a <= b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def judge(entry: ClaimEntry, measurement: Measurement) -> str:
    """The verdict for ``entry`` given ``measurement`` (rules in the module docstring).

    Bounds are inclusive. Raises :class:`DataError` if a testable measurement has no value.
    """
    if not measurement.testable:
        return "not testable"
    measured = measurement.measured
    if measured is None or not math.isfinite(measured):
        raise DataError(
            entry.measure,
            f"claim {entry.id!r}: testable measurement has no finite value ({measured!r})",
        )
    low, high = measurement.interval if measurement.interval is not None else (measured, measured)
    tolerance = entry.tolerance
    if entry.comparison == "within":
        assert entry.claimed_low is not None and entry.claimed_high is not None
        range_low, range_high = entry.claimed_low, entry.claimed_high
        if _at_most(range_low, measured) and _at_most(measured, range_high):
            return "reproduced"
        overlaps = _at_most(low - tolerance, range_high) and _at_most(range_low, high + tolerance)
        return "consistent" if overlaps else "contradicted"
    claimed = entry.claimed
    assert claimed is not None
    if entry.comparison == "equal":
        if _at_most(low, claimed) and _at_most(claimed, high):
            return "reproduced"
        if _at_most(low - tolerance, claimed) and _at_most(claimed, high + tolerance):
            return "consistent"
        return "contradicted"
    if entry.comparison == "at_least":
        if _at_most(claimed, low):
            return "reproduced"
        return "consistent" if _at_most(claimed - tolerance, high) else "contradicted"
    if entry.comparison == "at_most":
        if _at_most(high, claimed):
            return "reproduced"
        return "consistent" if _at_most(low, claimed + tolerance) else "contradicted"
    raise DataError(entry.file, f"claim {entry.id!r}: unknown comparison {entry.comparison!r}")


# --- measuring ----------------------------------------------------------------------------


def resolve_measure(entry: ClaimEntry) -> Callable[[], Measurement]:
    """Import the claim's measuring function; a missing module or function is a DataError."""
    module_name, function_name = entry.measure.split(":", 1)
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise DataError(
            entry.file, f"claim {entry.id!r}: cannot import measure module {module_name!r}: {error}"
        ) from error
    function = getattr(module, function_name, None)
    if not callable(function):
        raise DataError(
            entry.file, f"claim {entry.id!r}: measure function {entry.measure!r} not found"
        )
    return function


def measure(entry: ClaimEntry) -> Measurement:
    """Run the claim's measuring function and check what it returns.

    Strict: a function that raises, returns something other than a :class:`Measurement`,
    uses another unit, or returns a malformed interval is an error, never a verdict.
    """
    function = resolve_measure(entry)
    try:
        result = function()
    except DataError:
        raise
    except Exception as error:
        raise DataError(
            entry.measure,
            f"claim {entry.id!r}: measuring function raised {type(error).__name__}: {error}",
        ) from error
    if not isinstance(result, Measurement):
        raise DataError(
            entry.measure,
            f"claim {entry.id!r}: returned {type(result).__name__}, not a Measurement",
        )
    if result.unit and result.unit != entry.unit:
        raise DataError(
            entry.measure,
            f"claim {entry.id!r}: measured in {result.unit!r} but the claim is in {entry.unit!r}",
        )
    if not result.testable:
        if not result.reason:
            raise DataError(entry.measure, f"claim {entry.id!r}: untestable without a reason")
        return result
    if result.measured is None or not math.isfinite(result.measured):
        raise DataError(
            entry.measure, f"claim {entry.id!r}: testable but measured is {result.measured!r}"
        )
    if result.interval is not None:
        low, high = result.interval
        if not (math.isfinite(low) and math.isfinite(high) and _at_most(low, high)):
            raise DataError(entry.measure, f"claim {entry.id!r}: bad interval {result.interval!r}")
    return result


def _row(entry: ClaimEntry, result: Measurement) -> dict[str, Any]:
    interval = result.interval if result.testable else None
    return {
        "id": entry.id,
        "claim": entry.claim,
        "source": entry.source,
        "primary_source": entry.primary_source,
        "attribution": entry.attribution,
        "denominator": entry.denominator,
        "claimed": entry.claimed,
        "claimed_low": entry.claimed_low,
        "claimed_high": entry.claimed_high,
        "unit": entry.unit,
        "comparison": entry.comparison,
        "tolerance": entry.tolerance,
        "measured": result.measured if result.testable else None,
        "interval_low": None if interval is None else float(interval[0]),
        "interval_high": None if interval is None else float(interval[1]),
        "verdict": judge(entry, result),
        "detail": result.detail,
        "reason": result.reason,
        "data_sources": ", ".join(result.sources),
        "measure": entry.measure,
        "notebook": entry.notebook,
        "extra": dict(result.extra),
    }


def ledger(
    ids: Iterable[str] | None = None,
    progress: bool = False,
    entries: Sequence[ClaimEntry] | None = None,
) -> pd.DataFrame:
    """The claims ledger: one row per claim, measured and judged (columns :data:`LEDGER_COLUMNS`).

    ``ids`` restricts it to some claims (unknown ids raise). ``entries`` defaults to
    :func:`load_claim_entries`. Rows are ordered by notebook (reading order), then by their
    order in the claims files. Numeric columns are floats with NaN where there is no value.
    """
    entries = list(load_claim_entries() if entries is None else entries)
    if ids is not None:
        wanted = list(dict.fromkeys(ids))
        known = {entry.id for entry in entries}
        missing = [claim_id for claim_id in wanted if claim_id not in known]
        if missing:
            raise DataError(claims_dir(), f"unknown claim id(s): {', '.join(missing)}")
        wanted_set = set(wanted)
        entries = [entry for entry in entries if entry.id in wanted_set]
    order = sorted(range(len(entries)), key=lambda index: (entries[index].notebook, index))
    entries = [entries[index] for index in order]
    iterator: Iterable[ClaimEntry] = entries
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(entries, desc="claims", unit="claim")
    rows = [_row(entry, measure(entry)) for entry in iterator]
    frame = pd.DataFrame(rows, columns=list(LEDGER_COLUMNS))
    numeric = [
        "claimed",
        "claimed_low",
        "claimed_high",
        "tolerance",
        "measured",
        "interval_low",
        "interval_high",
    ]
    frame[numeric] = frame[numeric].astype("float64")
    return frame.reset_index(drop=True)


def verdict_counts(frame: pd.DataFrame) -> pd.Series:
    """How many claims got each verdict, in :data:`VERDICTS` order (zeros included)."""
    return frame["verdict"].value_counts().reindex(list(VERDICTS), fill_value=0).astype(int)


# --- presentation -------------------------------------------------------------------------


def _format_number(value: float | None, digits: int = 3) -> str:
    """Short text for a number: thousands separators from 10,000, else at most 2 decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    return f"{round(value, digits - 1):g}"


def format_claimed(row: pd.Series | dict[str, Any]) -> str:
    """The claimed value as text: ``"39 %"``, ``"55-59 %"`` or ``">= 80 %"``."""
    unit = row["unit"]
    low, high, claimed = row["claimed_low"], row["claimed_high"], row["claimed"]
    has_range = low is not None and not (isinstance(low, float) and math.isnan(low))
    prefix = {"at_least": ">= ", "at_most": "<= "}.get(row["comparison"], "")
    if row["comparison"] == "within" and has_range:
        text = f"{_format_number(low)}-{_format_number(high)}"
    else:
        text = prefix + _format_number(claimed)
    return f"{text} {unit}".strip()


def format_measured(row: pd.Series | dict[str, Any]) -> str:
    """The measured value with its interval as text: ``"38.8 % [34.5, 43.3]"``, or ``""``."""
    measured = row["measured"]
    if measured is None or (isinstance(measured, float) and math.isnan(measured)):
        return ""
    text = f"{_format_number(measured)} {row['unit']}".strip()
    low, high = row["interval_low"], row["interval_high"]
    if low is not None and not (isinstance(low, float) and math.isnan(low)):
        text += f" [{_format_number(low)}, {_format_number(high)}]"
    return text


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A readable view of :func:`ledger` for tables: id, claim, source, claimed, measured (with
    interval), verdict, how it was tested (function and data), primary source, attribution,
    denominator."""
    tested = [
        f"{row['measure']} on {row['data_sources']}" if row["data_sources"] else row["measure"]
        for _, row in frame.iterrows()
    ]
    return pd.DataFrame(
        {
            "id": frame["id"],
            "claim": frame["claim"],
            "source": frame["source"],
            "claimed": [format_claimed(row) for _, row in frame.iterrows()],
            "measured [95% interval]": [format_measured(row) for _, row in frame.iterrows()],
            "verdict": frame["verdict"],
            "tested with": tested,
            "primary source": frame["primary_source"],
            "attribution": frame["attribution"],
            "denominator": frame["denominator"],
        }
    )


def _json_value(value: Any) -> Any:
    """Plain JSON for numpy scalars, NaN (-> null), tuples and nested containers."""
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | np.ndarray | pd.Series):
        return [_json_value(item) for item in list(value)]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The ledger as JSON-ready objects: id, claim, claimed, claimed_low, claimed_high, unit,
    measured, interval ([low, high] or None), verdict, detail, reason, primary_source,
    attribution, denominator, plus source, comparison, tolerance, data_sources, measure,
    notebook and extra."""
    records = []
    for _, row in frame.iterrows():
        low, high = row["interval_low"], row["interval_high"]
        interval = None if pd.isna(low) or pd.isna(high) else [float(low), float(high)]
        record = {
            "id": row["id"],
            "claim": row["claim"],
            "source": row["source"],
            "claimed": row["claimed"],
            "claimed_low": row["claimed_low"],
            "claimed_high": row["claimed_high"],
            "unit": row["unit"],
            "comparison": row["comparison"],
            "tolerance": row["tolerance"],
            "measured": row["measured"],
            "interval": interval,
            "verdict": row["verdict"],
            "detail": row["detail"],
            "reason": row["reason"],
            "primary_source": row["primary_source"],
            "attribution": row["attribution"],
            "denominator": row["denominator"],
            "data_sources": row["data_sources"],
            "measure": row["measure"],
            "notebook": row["notebook"],
            "extra": row["extra"],
        }
        records.append(_json_value(record))
    return records


def render_table(frame: pd.DataFrame) -> str:
    """A plain-text table of the ledger for terminals (id, claimed, measured, verdict)."""
    view = display_frame(frame)[["id", "source", "claimed", "measured [95% interval]", "verdict"]]
    return view.to_string(index=False)


# --- command line -------------------------------------------------------------------------


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m analysis claims``."""
    parser.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: table)",
    )
    parser.add_argument(
        "--id", action="append", dest="ids", metavar="ID", help="only this claim (repeatable)"
    )
    parser.add_argument("--progress", action="store_true", help="show a progress bar")


def run_cli(args: argparse.Namespace) -> int:
    """Print the ledger in the requested format; returns the exit status (0)."""
    frame = ledger(ids=args.ids, progress=getattr(args, "progress", False))
    if args.format == "json":
        print(json.dumps(to_records(frame), indent=2, ensure_ascii=False))
    elif args.format == "csv":
        flat = frame.drop(columns=["extra"]).copy()
        flat["extra"] = [json.dumps(_json_value(extra), sort_keys=True) for extra in frame["extra"]]
        print(flat.to_csv(index=False), end="")
    else:
        print(render_table(frame))
        counts = verdict_counts(frame)
        print("\n" + ", ".join(f"{verdict}: {count}" for verdict, count in counts.items()))
    return 0
