"""How the ledger reads: claimed and measured values as text, the display frame, the
terminal table, the notebooks' HTML table (:func:`show_claims`) and the ``claims`` command.

The verdict rules are stated once, in :mod:`analysis.claims.ledger`; every row shows the
``rule`` that decided it and a ``caveat`` when the measurement's setting differs.
"""

from __future__ import annotations

import argparse
import html
import json
import math
from typing import Any

import pandas as pd

from analysis.claims.ledger import json_value, ledger, to_records, verdict_counts
from analysis.claims.types import LEDGER_COLUMNS

#: Columns added after the first release of ``claims --format csv``: they come last so the
#: existing columns keep their positions.
_NEW_COLUMNS = ("rule", "caveat", "interval_kind")


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
    """The measured value with its interval as text: ``"38.8 % [34.5, 43.3]"`` (a 95%
    confidence interval), ``"84.8 billion tokens (plausible range 31.6-192)"`` (a range over
    assumptions, ``interval_kind == "plausible"``), or ``""``."""
    measured = row["measured"]
    if measured is None or (isinstance(measured, float) and math.isnan(measured)):
        return ""
    text = f"{_format_number(measured)} {row['unit']}".strip()
    low, high = row["interval_low"], row["interval_high"]
    if low is not None and not (isinstance(low, float) and math.isnan(low)):
        if row.get("interval_kind", "confidence") == "plausible":
            text += f" (plausible range {_format_number(low)}-{_format_number(high)})"
        else:
            text += f" [{_format_number(low)}, {_format_number(high)}]"
    return text


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A readable view of :func:`ledger` for tables: id, claim, source, claimed, measured (with
    interval), verdict, rule, caveat, how it was tested (function and data), primary source,
    attribution, denominator."""
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
            "rule": frame["rule"],
            "caveat": frame["caveat"],
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


#: Columns of the compact notebook table (:func:`show_claims`).
COMPACT_COLUMNS = ("id", "claim", "claimed", "measured [95% interval]", "verdict", "rule")


def claims_html(frame: pd.DataFrame, compact: bool = True) -> str:
    """The ledger rows of ``frame`` as an HTML table, every cell escaped (claims and details
    are text from files and data). ``compact`` keeps :data:`COMPACT_COLUMNS`; otherwise
    every column of :func:`display_frame`. Each row's class names its verdict
    (``claim-verdict-not-rejected``)."""
    view = display_frame(frame)
    if compact:
        view = view[list(COMPACT_COLUMNS)]
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in view.columns)
    rows = []
    for _, row in view.iterrows():
        verdict = "-".join(str(row["verdict"]).split())
        cells = "".join(f"<td>{html.escape(str(value))}</td>" for value in row.to_numpy())
        rows.append(f'<tr class="claim-verdict-{html.escape(verdict)}">{cells}</tr>')
    table = (
        '<table class="claims-ledger"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    if compact:  # the sources, caveats and tests of every claim are on notebook 00's page
        table += (
            '<p class="claims-ledger-link">Sources, caveats and how each claim is tested: '
            '<a href="00_claims_ledger.ipynb">the full claims ledger (notebook 00)</a>.</p>'
        )
    return table


def show_claims(notebook: str | None = None, compact: bool = True) -> None:
    """Display the claims ledger in a notebook (escaped HTML, :func:`claims_html`).

    ``notebook`` (e.g. ``"03_noise"``) keeps that notebook's claims, ``None`` shows them all;
    ``compact=True`` shows id, claim, claimed, measured, verdict and rule, ``False`` the full
    table (caveat, how it was tested, primary source, attribution, denominator).
    """
    from IPython.display import HTML, display

    display(HTML(claims_html(ledger(notebook=notebook), compact=compact)))


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
        old = [column for column in LEDGER_COLUMNS if column not in (*_NEW_COLUMNS, "extra")]
        flat = frame[old].copy()
        flat["extra"] = [json.dumps(json_value(extra), sort_keys=True) for extra in frame["extra"]]
        for column in _NEW_COLUMNS:
            flat[column] = frame[column]
        print(flat.to_csv(index=False), end="")
    else:
        print(render_table(frame))
        counts = verdict_counts(frame)
        print("\n" + ", ".join(f"{verdict}: {count}" for verdict, count in counts.items()))
    return 0
