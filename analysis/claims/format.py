"""How the ledger reads: claimed and measured values as text, the display frame, the table."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


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


def render_table(frame: pd.DataFrame) -> str:
    """A plain-text table of the ledger for terminals (id, claimed, measured, verdict)."""
    view = display_frame(frame)[["id", "source", "claimed", "measured [95% interval]", "verdict"]]
    return view.to_string(index=False)
