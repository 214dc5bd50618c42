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
import importlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.claims.entries import claims_dir, load_claim_entries
from analysis.claims.format import render_table
from analysis.claims.types import (
    LEDGER_COLUMNS,
    VERDICTS,
    ClaimEntry,
    Measurement,
)
from analysis.errors import DataError

# --- loading and validation -------------------------------------------------------------


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
    notebook: str | None = None,
) -> pd.DataFrame:
    """The claims ledger: one row per claim, measured and judged (columns :data:`LEDGER_COLUMNS`).

    ``ids`` restricts it to some claims (unknown ids raise), ``notebook`` to the claims one
    notebook measures (e.g. ``"01_dataset_audit"``). ``entries`` defaults to
    :func:`load_claim_entries`. Rows are ordered by notebook (reading order), then by their
    order in the claims files. Numeric columns are floats with NaN where there is no value.
    """
    entries = list(load_claim_entries() if entries is None else entries)
    if notebook is not None:
        entries = [entry for entry in entries if entry.notebook == notebook]
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
