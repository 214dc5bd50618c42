"""One way to write numbers in findings, tables and captions.

Every estimate the report states uses the same interval style, "78.8% (95% CI 75.0–82.3)";
a range that is not a sampling interval (Monte Carlo over assumptions, a sensitivity span) is
labelled for what it is: "85 billion (plausible range 32–192)". Counts are whole numbers with
thousands separators, never floats ("24,000", not "24000.0").
"""

from __future__ import annotations

import math

EN_DASH = "\u2013"


def format_number(value: float, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals and thousands separators; "n/a" for NaN/None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def format_count(value: float) -> str:
    """A count as a whole number with thousands separators ("24,000")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{round(value):,d}"


def format_ci(
    estimate: float,
    low: float,
    high: float,
    unit: str = "%",
    digits: int = 1,
    level: int = 95,
    label: str | None = None,
) -> str:
    """An estimate with its interval: ``"78.8% (95% CI 75.0–82.3)"``.

    ``unit`` follows the estimate ("%", " points", "" ...); ``label`` replaces
    "95% CI" for intervals that are not confidence intervals (see :func:`format_range`).
    """
    name = label if label is not None else f"{level}% CI"
    return (
        f"{format_number(estimate, digits)}{unit} ({name} "
        f"{format_number(low, digits)}{EN_DASH}{format_number(high, digits)})"
    )


def format_range(estimate: float, low: float, high: float, unit: str = "", digits: int = 1) -> str:
    """A central value with a range over assumptions, not a sampling interval:
    ``"85.0 billion (plausible range 32.0–192.0)"``."""
    return format_ci(estimate, low, high, unit=unit, digits=digits, label="plausible range")
