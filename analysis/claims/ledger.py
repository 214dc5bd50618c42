"""The claims ledger: every quantitative claim in the source articles, measured and judged.

Claim metadata lives in ``data/claims/*.toml`` (one ``[[claim]]`` table per claim, schema in
:class:`ClaimEntry`). Each claim names a measuring function ``"module:function"`` that takes
no arguments and returns a :class:`Measurement` computed from public data at run time.
:func:`judge` turns the claimed value, the measured value with its interval and the claim's
stated tolerance into a verdict; verdicts are never typed in. :func:`ledger` assembles the
whole table; ``python -m analysis claims`` prints it (:mod:`analysis.claims.format`).

Verdict rules. Each claim accepts a region ``A`` of values in its unit, widened by its stated
tolerance ``tol``: ``equal`` -> ``[claimed - tol, claimed + tol]``; ``at_least`` ("over X")
-> ``[claimed - tol, inf)``; ``at_most`` -> ``(-inf, claimed + tol]``; ``within`` (a claimed
range ``[L, H]``) -> ``[L - tol, H + tol]``. Bounds are inclusive. With ``m`` the measurement
and ``[lo, hi]`` its interval, in this order:

1. ``not testable``: public data cannot measure the claim (the ``reason`` says which data
   would);
2. ``not comparable``: the measurement's denominator or setting differs from the claim's
   (another scaffold, task set, line counting or date); the ``caveat`` says how, and the
   ``rule`` still shows where the measurement falls;
3. ``reproduced``: ``m`` lies in ``A`` (the measurement itself agrees within the tolerance);
4. ``not rejected``: ``m`` lies outside ``A`` but its 95% confidence interval reaches ``A``
   (the data cannot rule the claim out; this is not support);
5. ``consistent``: ``m`` lies outside ``A`` but its plausible range (a range over
   assumptions or inclusion choices, not a sampling interval) reaches ``A``;
6. ``contradicted``: ``m`` and its interval, if any, lie outside ``A``.

Every row carries a ``rule`` (the comparison that decided it, in plain text) and a
``caveat`` (meaning-changing differences between measurement and claim, possibly empty).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.claims.entries import claims_dir, load_claim_entries
from analysis.claims.types import (
    INTERVAL_KINDS,
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


def _text(value: float) -> str:
    """A number for a rule sentence: at most three significant decimals, no float noise."""
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    return f"{round(value, 2):g}" if abs(value) >= 1 else f"{value:.3g}"


def accepted_region(entry: ClaimEntry) -> tuple[float, float]:
    """The values that satisfy ``entry`` within its tolerance (see the module docstring)."""
    tolerance = entry.tolerance
    if entry.comparison == "within":
        if entry.claimed_low is None or entry.claimed_high is None:
            raise DataError(entry.file, f"claim {entry.id!r}: 'within' needs a claimed range")
        return entry.claimed_low - tolerance, entry.claimed_high + tolerance
    if entry.claimed is None:
        raise DataError(entry.file, f"claim {entry.id!r}: no claimed value")
    claimed = entry.claimed
    if entry.comparison == "equal":
        return claimed - tolerance, claimed + tolerance
    if entry.comparison == "at_least":
        return claimed - tolerance, math.inf
    if entry.comparison == "at_most":
        return -math.inf, claimed + tolerance
    raise DataError(entry.file, f"claim {entry.id!r}: unknown comparison {entry.comparison!r}")


def _region_text(entry: ClaimEntry) -> str:
    low, high = accepted_region(entry)
    tolerance = f" (tolerance {_text(entry.tolerance)})" if entry.tolerance else ""
    if low == -math.inf:
        return f"<= {_text(high)}{tolerance}"
    if high == math.inf:
        return f">= {_text(low)}{tolerance}"
    if low == high:
        return f"= {_text(low)}"
    return f"[{_text(low)}, {_text(high)}]{tolerance}"


def judge_with_rule(entry: ClaimEntry, measurement: Measurement) -> tuple[str, str]:
    """The verdict for ``entry`` given ``measurement`` and the rule that decided it, in plain
    text (rules in the module docstring). Raises :class:`DataError` if a testable
    measurement has no finite value."""
    if not measurement.testable:
        return "not testable", f"not measurable with public data: {measurement.reason}"
    measured = measurement.measured
    if measured is None or not math.isfinite(measured):
        raise DataError(
            entry.file,
            f"claim {entry.id!r} ({entry.measure}): testable measurement has no finite value "
            f"({measured!r})",
        )
    region_low, region_high = accepted_region(entry)
    region = _region_text(entry)
    inside = _at_most(region_low, measured) and _at_most(measured, region_high)
    if region_low == region_high:
        where = "equals" if inside else "differs from"
        sentence = f"{_text(measured)} {where} the claimed {_text(region_low)}"
    elif math.isinf(region_low) or math.isinf(region_high):
        sentence = f"{_text(measured)} {'meets' if inside else 'misses'} the claim's {region}"
    else:
        sentence = (
            f"{_text(measured)} {'lies in' if inside else 'lies outside'} the claim's {region}"
        )
    if not measurement.comparable:
        return "not comparable", f"{sentence}, but {measurement.caveat}"
    if inside:
        return "reproduced", sentence
    if measurement.interval is None:
        return "contradicted", f"{sentence}; no interval (an exact value or a census fact)"
    low, high = measurement.interval
    reaches = _at_most(low, region_high) and _at_most(region_low, high)
    name = "plausible range" if measurement.interval_kind == "plausible" else "95% interval"
    bounds = f"[{_text(low)}, {_text(high)}]"
    if reaches:
        verdict = "consistent" if measurement.interval_kind == "plausible" else "not rejected"
        return verdict, f"{sentence}; its {name} {bounds} reaches it"
    return "contradicted", f"{sentence}, and so does its {name} {bounds}"


def judge(entry: ClaimEntry, measurement: Measurement) -> str:
    """The verdict for ``entry`` given ``measurement`` (see :func:`judge_with_rule`)."""
    return judge_with_rule(entry, measurement)[0]


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


def _claim_error(entry: ClaimEntry, problem: str) -> DataError:
    """An error that names the claim, its TOML file and its measuring function."""
    return DataError(entry.file or claims_dir(), f"claim {entry.id!r} ({entry.measure}): {problem}")


def measure(entry: ClaimEntry) -> Measurement:
    """Run the claim's measuring function and check what it returns.

    Strict: a function that raises, returns something other than a :class:`Measurement`,
    uses another unit, or returns a malformed interval is an error, never a verdict. Every
    error names the claim id and its TOML file (a data problem deep inside the measuring
    function keeps its own message after them).
    """
    function = resolve_measure(entry)
    try:
        result = function()
    except DataError as error:
        raise _claim_error(entry, f"measuring failed: {error}") from error
    except Exception as error:
        raise _claim_error(
            entry, f"measuring function raised {type(error).__name__}: {error}"
        ) from error
    if not isinstance(result, Measurement):
        raise _claim_error(entry, f"returned {type(result).__name__}, not a Measurement")
    if result.unit and result.unit != entry.unit:
        raise _claim_error(entry, f"measured in {result.unit!r} but the claim is in {entry.unit!r}")
    if result.interval_kind not in INTERVAL_KINDS:
        raise _claim_error(entry, f"unknown interval_kind {result.interval_kind!r}")
    if not result.comparable and not result.caveat:
        raise _claim_error(entry, "not comparable without a caveat saying why")
    if not result.testable:
        if not result.reason:
            raise _claim_error(entry, "untestable without a reason")
        return result
    if result.measured is None or not math.isfinite(result.measured):
        raise _claim_error(entry, f"testable but measured is {result.measured!r}")
    if result.interval is not None:
        low, high = result.interval
        if not (math.isfinite(low) and math.isfinite(high) and _at_most(low, high)):
            raise _claim_error(entry, f"bad interval {result.interval!r}")
    return result


def _row(entry: ClaimEntry, result: Measurement) -> dict[str, Any]:
    interval = result.interval if result.testable else None
    verdict, rule = judge_with_rule(entry, result)
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
        "verdict": verdict,
        "rule": rule,
        "caveat": result.caveat,
        "interval_kind": result.interval_kind if interval is not None else "",
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


def json_value(value: Any) -> Any:
    """Plain JSON for numpy scalars, NaN (-> null), tuples and nested containers."""
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | np.ndarray | pd.Series):
        return [json_value(item) for item in list(value)]
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
    notebook and extra, then rule, caveat and interval_kind ("confidence", "plausible" or
    "" without an interval)."""
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
            "rule": row["rule"],
            "caveat": row["caveat"],
            "interval_kind": row["interval_kind"],
        }
        records.append(json_value(record))
    return records
