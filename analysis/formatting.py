"""One way to write numbers in findings, tables and captions.

Every estimate the report states uses the same interval style, "78.8% (95% CI 75.0–82.3)";
a range that is not a sampling interval (Monte Carlo over assumptions, a sensitivity span) is
labelled for what it is: "85 billion (plausible range 32–192)". Counts are whole numbers with
thousands separators, never floats ("24,000", not "24000.0"). Negative numbers take a real minus
sign, and an interval with a negative bound reads "−0.20 (95% CI −0.28 to −0.12)", since a dash
between two minus signs is hard to read.
"""

from __future__ import annotations

import math

EN_DASH = "\u2013"
MINUS = "\u2212"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals and thousands separators; "n/a" for NaN/None."""
    if _missing(value):
        return "n/a"
    text = f"{value:,.{digits}f}"
    if not text.startswith("-"):
        return text
    magnitude = text[1:]
    # a value that rounds to zero carries no sign ("-0.0" would read as a negative)
    return magnitude if not magnitude.strip("0.,") else MINUS + magnitude


def format_count(value: float) -> str:
    """A count as a whole number with thousands separators ("24,000")."""
    if _missing(value):
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
    A missing estimate reads "n/a", missing bounds "(no interval)".
    """
    if _missing(estimate):
        return "n/a"
    if _missing(low) or _missing(high):
        return f"{format_number(estimate, digits)}{unit} (no interval)"
    name = label if label is not None else f"{level}% CI"
    low_text, high_text = format_number(low, digits), format_number(high, digits)
    between = " to " if MINUS in low_text + high_text else EN_DASH
    return f"{format_number(estimate, digits)}{unit} ({name} {low_text}{between}{high_text})"


def format_range(estimate: float, low: float, high: float, unit: str = "", digits: int = 1) -> str:
    """A central value with a range over assumptions, not a sampling interval:
    ``"85.0 billion (plausible range 32.0–192.0)"``."""
    return format_ci(estimate, low, high, unit=unit, digits=digits, label="plausible range")
