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
    escaped = {key: escape(value) for key, value in values.items()}
    text = f"**Finding.** {headline.format(**escaped)}"
    if bullets:
        text += "\n\n" + "\n".join(f"- {bullet.format(**escaped)}" for bullet in bullets)
    # Displayed, not returned, so a call as a cell's last line shows it once.
    display(Markdown(text))


def show_table(frame: pd.DataFrame, caption: str | None = None, **to_html: Any) -> None:
    """Display a DataFrame as an HTML table with every cell and label escaped."""
    to_html.setdefault("escape", True)
    to_html.setdefault("border", 0)
    table = frame.to_html(**to_html)
    if caption:
        table = f"<p><em>{escape(caption)}</em></p>\n{table}"
    display(HTML(table))
