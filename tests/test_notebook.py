"""The notebooks' display helpers escape data and display exactly once."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.report import display as notebook

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list:
    displayed: list = []
    monkeypatch.setattr(notebook, "display", displayed.append)
    return displayed


def test_escape_covers_markup_and_quotes() -> None:
    assert notebook.escape('<b a="1">') == "&lt;b a=&quot;1&quot;&gt;"
    assert notebook.escape(3.5) == "3.5"


def test_show_finding_escapes_values_not_template(shown: list) -> None:
    result = notebook.show_finding("**{name}** leads by {gap} points.", name=HOSTILE, gap="1.2")
    assert result is None  # displayed once, not echoed again as the cell's value
    assert len(shown) == 1
    text = shown[0].data
    assert text.startswith("**Finding.** **&lt;img src=x onerror=alert(1)&gt;**")
    assert "<img" not in text and text.endswith("leads by 1.2 points.")


def test_show_table_escapes_cells_labels_and_caption(shown: list) -> None:
    frame = pd.DataFrame({"score": [74.4]}, index=pd.Index([HOSTILE], name="system"))
    assert notebook.show_table(frame, caption=f"Scores of {HOSTILE}") is None
    (html,) = [output.data for output in shown]
    assert "<img" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 2
