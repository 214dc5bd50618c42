"""Small display helpers shared by the notebooks.

Strings that come from data (system names, task ids, notes) are untrusted: every helper
here escapes them before they reach HTML or Markdown output.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display


def escape(value: Any) -> str:
    """HTML-escape ``str(value)`` (quotes included) so data can never inject markup."""
    return html.escape(str(value), quote=True)


def show_finding(headline: str, *bullets: str, **values: Any) -> None:
    """Display the notebook's finding, computed at run time: one headline sentence, then
    short bullets (optional).

    ``headline`` and ``bullets`` are written by us and may contain Markdown; ``values`` come
    from data and are escaped before being substituted into all of them with
    :meth:`str.format`. Write intervals with :func:`analysis.formatting.format_ci`.
    """
    # values are escaped for HTML and for Markdown's math: "$" stays a dollar sign
    escaped = {key: escape(value).replace("$", "\\$") for key, value in values.items()}
    text = f"**Finding.** {headline.format(**escaped)}"
    if bullets:
        text += "\n\n" + "\n".join(f"- {bullet.format(**escaped)}" for bullet in bullets)
    # Displayed, not returned, so a call as a cell's last line shows it once.
    display(Markdown(text))


#: Classes that tell JupyterLab's MathJax (3: ``mathjax_ignore``; 2: ``tex2jax_ignore``) to
#: leave a table alone, so "$0.01 per call ... $3" stays money, not LaTeX.
NO_MATH_CLASSES = "mathjax_ignore tex2jax_ignore"


def format_p(value: float) -> str:
    """A p-value as text: "<0.001" below a thousandth, else three decimals; "" when missing."""
    if value is None or pd.isna(value):
        return ""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _whole(value: float) -> str:
    # thousands separators from 10,000 only, so years stay "2019"
    if pd.isna(value):
        return ""
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.0f}"


def _mixed(value: float) -> str:
    if pd.isna(value):
        return ""
    if _is_large_whole(value):
        return _whole(value)
    return f"{value:,.0f}" if abs(value) >= 1e5 else f"{value:.6g}"


def _is_large_whole(value: float) -> bool:
    return not pd.isna(value) and abs(value) >= 1000 and float(value).is_integer()


def readable_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` for display: counts stored as floats shown as whole numbers, with thousands
    separators from 10,000 ("24,000", not "24000.0"; years stay "2019"); other numbers kept;
    missing cells shown as an empty string (never "NaN" or "None")."""
    shown = frame.copy()
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_numeric_dtype(values):
            present = values.dropna()
            whole = len(present) > 0 and bool((present == present.round()).all())
            if pd.api.types.is_integer_dtype(values) or (
                whole and pd.api.types.is_float_dtype(values) and present.abs().max() >= 1
            ):
                shown[column] = [_whole(v) for v in values]
            else:
                # mixed columns (0.2 next to 2000): whole thousands as counts, never "2000.00"
                shown[column] = [
                    _whole(v) if _is_large_whole(v) else ("" if pd.isna(v) else v) for v in values
                ]
        else:
            shown[column] = [
                ("" if v is None or (isinstance(v, float) and pd.isna(v)) else v) for v in values
            ]
    return shown


def readable_header(name: object) -> str:
    """A column name as a header: "resolved_pct" -> "resolved (%)", "cost_usd" -> "cost ($)",
    "n_tasks" -> "n tasks" (tables show words, not identifiers)."""
    text = str(name)
    for suffix, unit in (("_pct", " (%)"), ("_usd", " ($)"), ("_pts", " (points)")):
        if text.endswith(suffix):
            text = text[: -len(suffix)] + unit
    return text.replace("_pct_", " % ").replace("_", " ")


def _align_text_left(table: str, frame: pd.DataFrame) -> str:
    """Left-align the cells of text columns (names, claims); numbers stay right-aligned.
    An inline style, so JupyterLab and the report agree. Row labels are ``th`` cells, so
    column positions count ``td`` cells only."""
    text_columns = [
        position
        for position, column in enumerate(frame.columns)
        if not pd.api.types.is_numeric_dtype(frame[column])
        and not pd.api.types.is_bool_dtype(frame[column])
        and not pd.api.types.is_datetime64_any_dtype(frame[column])
    ]
    if not text_columns:
        return table
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(table, "html.parser")
    body = soup.find("tbody")
    for row in body.find_all("tr", recursive=False) if body else []:
        cells = row.find_all("td", recursive=False)
        for position in text_columns:
            if position < len(cells):
                cells[position]["style"] = "text-align: left;"
    return str(soup)


def show_table(
    frame: pd.DataFrame,
    caption: str | None = None,
    appendix: bool = False,
    **to_html: Any,
) -> None:
    """Display a DataFrame as an HTML table with every cell and label escaped.

    Cells are made readable first (:func:`readable_frame`: whole-number counts, no "NaN"),
    and column names become headers (:func:`readable_header`).
    The table carries :data:`NO_MATH_CLASSES`, so ``$`` stays literal in JupyterLab.
    ``appendix=True`` folds a long table under its caption (a ``<details>`` block), so a
    page is not a wall of numbers.
    """
    to_html.setdefault("escape", True)
    to_html.setdefault("border", 0)
    to_html["classes"] = " ".join(filter(None, [to_html.get("classes", ""), NO_MATH_CLASSES]))
    shown = readable_frame(frame)
    if not isinstance(shown.columns, pd.MultiIndex):
        shown.columns = [readable_header(column) for column in shown.columns]
    table = _align_text_left(shown.to_html(**to_html), frame)
    if appendix:
        label = escape(caption or "Table")
        table = (
            f'<details class="sa-appendix {NO_MATH_CLASSES}"><summary>{label} '
            f"({len(frame):,} rows)</summary>\n{table}</details>"
        )
    elif caption:
        table = f'<p class="{NO_MATH_CLASSES}"><em>{escape(caption)}</em></p>\n{table}'
    display(HTML(table))
