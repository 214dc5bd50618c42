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


def show_finding(template: str, **values: Any) -> None:
    """Display the notebook's one-sentence finding, computed at run time.

    ``template`` is written by us and may contain Markdown; ``values`` come from data and
    are escaped before being substituted with :meth:`str.format`.
    """
    text = template.format(**{key: escape(value) for key, value in values.items()})
    # Displayed, not returned, so a call as a cell's last line shows it once.
    display(Markdown(f"**Finding.** {text}"))


def show_table(frame: pd.DataFrame, caption: str | None = None, **to_html: Any) -> None:
    """Display a DataFrame as an HTML table with every cell and label escaped."""
    to_html.setdefault("escape", True)
    to_html.setdefault("border", 0)
    table = frame.to_html(**to_html)
    if caption:
        table = f"<p><em>{escape(caption)}</em></p>\n{table}"
    display(HTML(table))
