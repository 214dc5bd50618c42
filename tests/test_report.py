"""The report: execution of notebooks, the rendered site, and escaping of hostile data."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
from html import unescape
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.errors import DataError
from analysis.report import execute, provenance, sanitise
from analysis.report import site as report

FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE_FIXTURE = FIXTURES / "01_hostile.ipynb"
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('pwned')</script>",
    '"><svg onload=alert(2)>',
]
BUILT_AT = dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC)


def _hostile_ledger(make_ledger) -> pd.DataFrame:
    return make_ledger(
        [
            {
                "id": "top-score",
                "claim": "System <script>alert(3)</script> resolves 80%",
                "source": "000",
                "attribution": "<img src=x onerror=alert(4)>",
                "unit": "%",
                "claimed": 80.0,
                "measured": 74.2,
                "interval_low": 70.1,
                "interval_high": 78.3,
                "verdict": "contradicted",
                "notebook": "01_hostile",
            },
            {
                "id": "private-runs",
                "claim": "Internal reruns agree",
                "source": "004",
                "attribution": "a lab",
                "unit": "%",
                "claimed": 50.0,
                "measured": float("nan"),
                "interval_low": float("nan"),
                "interval_high": float("nan"),
                "verdict": "not testable",
                "reason": "needs <b>private</b> logs",
                "notebook": "09_missing",
            },
        ]
    )


@pytest.fixture
def hostile_ledger(make_ledger) -> pd.DataFrame:
    """Two ledger rows whose text fields carry markup."""
    return _hostile_ledger(make_ledger)


def _save_fixture_figure(directory: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import matplotlib.pyplot as plt

    from analysis.figures import style as plots

    monkeypatch.setenv("SWEAUDIT_FIGURES", str(directory))
    monkeypatch.setenv(plots.WRITE_FIGURES_ENV, "1")  # as the report build does
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    plots.save_figure(fig, "01-fixture-line", caption="The line <b>rises</b>.")
    plt.close(fig)
    return directory


@pytest.fixture
def figures(tmp_path, monkeypatch):
    """A figures folder holding one PNG/SVG pair with a caption."""
    return _save_fixture_figure(tmp_path / "figures", monkeypatch)


@pytest.fixture(scope="module")
def site(tmp_path_factory, make_ledger):
    """The fixture report (hostile notebook, ledger and figure), rendered once for the tests
    that only read its pages."""
    root = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _save_fixture_figure(root / "figures", monkeypatch)
        index = report.render_site(
            [HOSTILE_FIXTURE],
            root / "site",
            ledger=_hostile_ledger(make_ledger),
            built_at=BUILT_AT,
        )
    return index.parent


def _pages(site_dir: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in site_dir.glob("*.html")}


def test_site_has_index_page_per_notebook_gallery_and_figures(site):
    assert sorted(_pages(site)) == ["01_hostile.html", "figures.html", "index.html"]
    assert (site / "site.css").exists()
    assert (site / "figures" / "01-fixture-line.png").exists()
    assert (site / "figures" / "01-fixture-line.svg").exists()
    index = (site / "index.html").read_text()
    assert 'href="01_hostile.html"' in index
    assert "Fixture: hostile system names" in index  # the notebook's title
    assert 'id="ledger-table"' in index
    ledger_table = index[index.index('id="ledger-table"') : index.index("</table>")]
    assert ledger_table.count('<tr id="claim-') == 2  # two claims
    # the finding sentence is lifted from the notebook's show_finding output
    assert "<strong>Finding.</strong> The best system is" in index
    # a claim links to its notebook page only when that page exists
    assert '<a href="01_hostile.html" title="01_hostile">01</a>' in index
    assert 'href="09_missing.html"' not in index


def test_hostile_strings_are_text_everywhere(site):
    for name, html in _pages(site).items():
        lowered = html.lower()
        assert "<script" not in lowered, name
        # no element carries an event handler (escaped text "&lt;img ... onerror=" is fine)
        assert not re.search(r"<[a-z][^<>]*\son[a-z]+\s*=", lowered), name
        assert "<svg" not in lowered, name
        assert "alert(3)</script>" not in html
    page = (site / "01_hostile.html").read_text()
    # data names in the table, the printed line and the finding appear escaped, as text
    assert "<td>&lt;img src=x onerror=alert(1)&gt;</td>" in page
    assert "<td>&lt;script&gt;alert('pwned')&lt;/script&gt;</td>" in page
    assert "printed: &lt;img src=x onerror=alert(1)&gt;" in page
    # the raw, unescaped HTML output is neutralised by the sanitiser (shown as text)
    assert "raw &lt;img" in page
    index = (site / "index.html").read_text()
    assert "System &lt;script&gt;alert(3)&lt;/script&gt; resolves 80%" in index
    assert "&lt;img src=x onerror=alert(4)&gt;" in index
    assert "needs &lt;b&gt;private&lt;/b&gt; logs" in index
    gallery = (site / "figures.html").read_text()
    assert "The line &lt;b&gt;rises&lt;/b&gt;." in gallery


def test_pages_are_offline_and_script_free(site):
    for name, html in _pages(site).items():
        meta = re.search(r"<meta[^>]*http-equiv=.Content-Security-Policy.[^>]*>", html)
        assert meta, name
        assert "script-src 'none'" in unescape(re.search(r'content="([^"]*)"', meta[0])[1])
        # nothing is fetched from the network: no remote src/href on loadable elements
        assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?https?:""", html)
        assert "require.js" not in html and "mathjax" not in html.lower(), name


def test_code_is_folded_and_prompts_hidden(site):
    page = (site / "01_hostile.html").read_text()
    assert page.count('<details class="sa-code">') == 6  # one per code cell
    body = page[page.index("<body") :]  # (the inlined CSS mentions prompt classes)
    assert 'class="jp-InputPrompt' not in body and 'class="jp-OutputPrompt' not in body
    # the figure's alt text names the figure the cell saved (its caption when known)
    assert 'alt="01-fixture-hostile-scores"' in page
    # the finding is shown once although the fixture cell displays it twice
    assert page.count("<strong>Finding.</strong>") == 1


def test_every_page_ends_with_provenance(site):
    from analysis.data.sources import SOURCES

    source = next(iter(SOURCES.values()))
    for name, html in _pages(site).items():
        footer = html[html.index('<footer class="sa-provenance"') :]
        assert source.name in footer and source.commit in footer, name
        assert source.files[0].sha256 in footer, name  # full hash in the title attribute
        assert "Built 2026-03-01 12:30 UTC with swe-audit" in footer, name
        assert footer.rstrip().endswith("</html>"), name


def test_ledger_unavailable_note(tmp_path, figures, monkeypatch):
    def broken_ledger(progress: bool = False):
        raise DataError("data/claims/x.toml", "not valid TOML")

    monkeypatch.setattr(report, "ledger", broken_ledger)
    index = report.render_site([HOSTILE_FIXTURE], tmp_path / "site", built_at=BUILT_AT)
    html = index.read_text()
    assert 'id="ledger-unavailable"' in html and "Claims ledger unavailable" in html
    assert "not valid TOML" in html
    assert 'id="ledger-table"' not in html


def test_sanitize_html_keeps_tables_and_drops_active_content():
    frame = pd.DataFrame({"system": ["<b>x</b>"], "score": [1.0]})
    cleaned = sanitise.sanitize_html(frame._repr_html_())
    assert "<table" in cleaned and "<td>&lt;b&gt;x&lt;/b&gt;</td>" in cleaned
    assert "<style" not in cleaned and "scoped" not in cleaned  # pandas' style block is gone
    hostile = '<p onclick="x()">hi</p><script>alert(1)</script><a href="javascript:x()">l</a>'
    cleaned = sanitise.sanitize_html(hostile + '<img src=x onerror="alert(1)"><iframe src=y>')
    assert (
        "onclick" not in cleaned and "<script" not in cleaned and "alert(1)</script" not in cleaned
    )
    assert "javascript:" not in cleaned
    assert "<img" not in cleaned and "&lt;img" in cleaned  # shown as text
    assert "<iframe" not in cleaned


def test_safe_output_data_drops_scripts_widgets_and_inline_svg():
    data = {
        "application/javascript": "alert(1)",
        "text/plain": "x",
        "image/svg+xml": "<svg><script>alert(1)</script></svg>",
    }
    safe = sanitise.safe_output_data(data)
    assert "application/javascript" not in safe and "image/svg+xml" not in safe
    assert safe["text/html"].startswith('<img alt="figure" src="data:image/svg+xml;base64,')
    notebook = new_notebook(cells=[new_code_cell("x")])
    notebook.cells[0].outputs = [
        nbformat.from_dict(
            {
                "output_type": "display_data",
                "data": {sanitise.WIDGET_MIME: {"model_id": "1"}, "text/plain": "bar"},
                "metadata": {},
            }
        ),
        nbformat.from_dict({"output_type": "stream", "name": "stderr", "text": "10%|#"}),
        nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "kept"}),
    ]
    prepared = sanitise.prepare_for_page(notebook)
    assert [output.get("text") for output in prepared.cells[0].outputs] == ["kept"]
    assert notebook.cells[0].outputs[0]["data"]  # the original notebook is untouched


def test_notebook_title_and_finding():
    notebook = nbformat.read(HOSTILE_FIXTURE, as_version=4)
    assert report.notebook_title(notebook, "x") == "Fixture: hostile system names"
    finding = report.notebook_finding(notebook)
    assert finding.startswith("**Finding.** The best system is &lt;img")
    assert report.notebook_title(new_notebook(cells=[new_code_cell("1")]), "fallback") == (
        "fallback"
    )
    assert report.notebook_finding(new_notebook(cells=[new_code_cell("1")])) is None


def test_notebook_paths_order_and_only(tmp_path):
    for name in ["02_b.ipynb", "01_a.ipynb", "scratch.ipynb", "10_c.ipynb"]:
        nbformat.write(new_notebook(), tmp_path / name)
    names = [path.name for path in execute.notebook_paths(tmp_path)]
    assert names == ["01_a.ipynb", "02_b.ipynb", "10_c.ipynb"]
    assert [p.name for p in execute.notebook_paths(tmp_path, only=["10", "01"])] == [
        "01_a.ipynb",
        "10_c.ipynb",
    ]
    with pytest.raises(DataError, match="no notebook numbered 07"):
        execute.notebook_paths(tmp_path, only=["07"])


def test_remove_figures_only_touches_that_notebook(tmp_path):
    for name in ["03-a.png", "03-a.svg", "03-a.txt", "13-b.png", "03.png", "04-c.png"]:
        (tmp_path / name).write_text("x")
    removed = report.remove_figures("03", tmp_path)
    assert sorted(path.name for path in removed) == ["03-a.png", "03-a.svg", "03-a.txt"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["03.png", "04-c.png", "13-b.png"]
    with pytest.raises(ValueError):
        report.remove_figures("*", tmp_path)


def test_site_figures_are_replaced_not_accumulated(tmp_path, figures, hostile_ledger):
    stale = tmp_path / "site" / "figures" / "09-old.png"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    report.render_site([HOSTILE_FIXTURE], tmp_path / "site", ledger=hostile_ledger)
    assert not stale.exists()
    assert (tmp_path / "site" / "figures" / "01-fixture-line.png").exists()


def test_verdict_class_is_a_safe_css_token():
    assert report.verdict_class("not testable") == "not-testable"
    assert report.verdict_class('"><script>') == "script"
    assert report.verdict_class("") == "unknown"


def test_sources_for_paths_maps_opened_files_to_sources(tmp_path):
    from analysis.data.sources import SOURCES

    opened = [str(tmp_path / "raw" / SOURCES["verified_tasks"].files[0].path), "/etc/hosts"]
    assert provenance.sources_for_paths(opened, SOURCES) == ["verified_tasks"]


def test_cli_renders_committed_outputs_without_execution(
    tmp_path, figures, monkeypatch, capsys, hostile_ledger
):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(HOSTILE_FIXTURE, notebooks / HOSTILE_FIXTURE.name)
    monkeypatch.setattr(report.paths, "notebooks_dir", lambda: notebooks)
    monkeypatch.setattr(report, "_load_ledger", lambda progress=False: (hostile_ledger, ""))
    parser = argparse.ArgumentParser()
    report.configure_parser(parser)
    args = parser.parse_args(
        ["--no-execute", "--only", "01", "--output", str(tmp_path / "out"), "--no-progress"]
    )
    assert report.run_cli(args) == 0
    assert (tmp_path / "out" / "01_hostile.html").exists()
    assert "1 notebooks" in capsys.readouterr().out
    with pytest.raises(DataError, match="no notebook numbered 05"):
        report.run_cli(parser.parse_args(["--no-execute", "--only", "05"]))


# --- execution (each test starts one kernel: a few seconds) --------------------------------


def _write(path: Path, *sources: str) -> Path:
    cells = [new_markdown_cell("# Tiny\n\nOne question?")]
    cells += [new_code_cell(source) for source in sources]
    nbformat.write(new_notebook(cells=cells), path)
    return path


@pytest.mark.slow
def test_execute_notebooks_runs_in_this_python_and_tracks_sources(
    tmp_path, monkeypatch, hostile_ledger
):
    from analysis.data.sources import SOURCES

    cache = tmp_path / "raw"
    data_file = cache / SOURCES["verified_tasks"].files[0].path
    data_file.parent.mkdir(parents=True)
    data_file.write_text("{}\n")
    monkeypatch.setenv("SWEAUDIT_CACHE", str(cache))
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    notebook = _write(
        tmp_path / "01_tiny.ipynb",
        "import sys\nprint(sys.executable)",
        "from analysis import paths\n"
        "open(paths.raw_dir() / " + repr(SOURCES["verified_tasks"].files[0].path) + ").read()",
        "from analysis.report.display import show_finding\nshow_finding('It took {n} s.', n=1)",
        "from analysis.figures.style import figures_enabled\nprint(figures_enabled())",
        "import os\nprint(os.environ.get('OPENBLAS_NUM_THREADS'))",
    )
    (executed,) = execute.execute_notebooks(
        [notebook], tmp_path / "build", timeout=60, progress=False, jobs=2
    )
    assert executed == tmp_path / "build" / "01_tiny.ipynb"
    result = nbformat.read(executed, as_version=4)
    assert result.cells[1].outputs[0]["text"].strip() == sys.executable
    assert report.notebook_finding(result) == "**Finding.** It took 1 s."
    assert result.cells[4].outputs[0]["text"].strip() == "True"  # the build writes figures
    assert result.cells[5].outputs[0]["text"].strip() == "1"  # kernels share the cores
    assert result.metadata["swe_audit"]["opened"] == [str(data_file)]
    assert not nbformat.read(notebook, as_version=4).cells[1].get("outputs")  # source untouched
    index = report.render_site(
        [executed],
        tmp_path / "site",
        ledger=hostile_ledger,
        built_at=BUILT_AT,
        figures_dir=tmp_path / "no-figures",
    )
    page = (index.parent / "01_tiny.html").read_text()
    assert "This page read these pinned upstream sources: <code>verified_tasks</code>" in page


@pytest.mark.slow
def test_failing_cell_names_notebook_and_cell(tmp_path):
    notebook = _write(tmp_path / "02_broken.ipynb", "x = 1", "1 / 0  # boom", "print('never')")
    with pytest.raises(execute.NotebookError) as caught:
        execute.execute_notebooks([notebook], tmp_path / "build", timeout=60, progress=False)
    message = str(caught.value)
    assert message.startswith(str(notebook))
    assert "cell 3 ('1 / 0  # boom')" in message and "ZeroDivisionError" in message
    partial = nbformat.read(tmp_path / "build" / "02_broken.ipynb", as_version=4)
    assert partial.cells[2].outputs[0]["ename"] == "ZeroDivisionError"


@pytest.mark.slow
def test_notebook_time_limit(tmp_path):
    notebook = _write(tmp_path / "03_slow.ipynb", "import time", "time.sleep(60)")
    with pytest.raises(execute.NotebookError, match=r"cell 3 .*time limit of 3 s"):
        execute.execute_notebooks([notebook], tmp_path / "build", timeout=3, progress=False)


@pytest.mark.mirror
@pytest.mark.slow
def test_renders_the_committed_notebooks(mirror, tmp_path):
    """The real notebooks (committed outputs) and the real ledger render into a clean site."""
    from analysis.claims.ledger import ledger

    notebooks = execute.notebook_paths()
    if not notebooks:
        pytest.skip("no notebooks committed yet")
    claims = ledger()
    index = report.render_site(
        notebooks, tmp_path / "site", ledger=claims, figures_dir=tmp_path / "no-figures"
    )
    html = index.read_text()
    table = html[html.index('id="ledger-table"') : html.index("</table>")]
    assert table.count('<tr id="claim-') == len(claims)
    for notebook in notebooks:
        page = (index.parent / f"{notebook.stem}.html").read_text()
        assert f'href="{notebook.stem}.html"' in html
        assert '<footer class="sa-provenance"' in page and "<script" not in page.lower()
    findings = html.count("<strong>Finding.</strong>")
    assert findings >= len(notebooks) - 1  # (a ledger-only notebook may have no finding)


# --- what a reader sees: findings, ledger rules, tables ------------------------------------


def _output_notebook(path: Path, finding: str) -> Path:
    """A notebook with saved outputs (no execution): a table, its nbval-checked printout,
    and a finding."""
    table = new_code_cell("show_table(frame)")
    table.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<table><tr><td>1</td></tr></table>"}
        )
    ]
    check = new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)")
    check.outputs = [nbformat.v4.new_output("stream", name="stdout", text="checked 1\n")]
    last = new_code_cell("show_finding(...)")
    last.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": finding})]
    notebook = new_notebook(cells=[new_markdown_cell("# Bullets"), table, check, last])
    nbformat.write(notebook, path)
    return path


def test_index_lifts_the_headline_and_the_page_keeps_the_bullets(tmp_path, hostile_ledger):
    finding = "**Finding.** Scores level off at 80%.\n\n- first detail 11\n- second detail 22"
    assert report.finding_headline(finding) == "**Finding.** Scores level off at 80%."
    path = _output_notebook(tmp_path / "02_bullets.ipynb", finding)
    index = report.render_site(
        [path],
        tmp_path / "site",
        ledger=hostile_ledger,
        built_at=BUILT_AT,
        figures_dir=tmp_path / "no-figures",
    )
    html = index.read_text()
    assert "Scores level off at 80%." in html and "first detail" not in html
    page = (index.parent / "02_bullets.html").read_text()
    assert "first detail 11" in page and "second detail 22" in page
    # nbval's marker is for the test runner: not shown; the printout repeating the table
    # above is folded
    assert "NBVAL_CHECK_OUTPUT" not in page
    assert re.search(r'<details class="sa-checks">\s*<summary>', page)
    assert "checked 1" in page


def test_ledger_shows_rule_and_caveat_next_to_the_verdict(tmp_path, make_ledger):
    rows = [
        {
            "id": "a",
            "claim": "c",
            "claimed": 80.0,
            "measured": 73.0,
            "interval_low": 69.6,
            "interval_high": 76.5,
            "verdict": "contradicted",
            "rule": "80 lies outside [69.6, 76.5]",
            "caveat": "731 public tasks vs 1,865",
        },
        {
            "id": "b",
            "claim": "d",
            "claimed": 5.0,
            "measured": 5.0,
            "interval_low": 4.0,
            "interval_high": 6.0,
            "verdict": "not rejected",
            "rule": "5 lies inside [4, 6]",
            "caveat": float("nan"),
        },
    ]
    index = report.render_site(
        [],
        tmp_path / "site",
        ledger=make_ledger(rows),
        built_at=BUILT_AT,
        figures_dir=tmp_path / "no-figures",
    )
    html = index.read_text()
    table = html[html.index('id="ledger-table"') : html.index("</table>")]
    assert '<div class="sa-rule">80 lies outside [69.6, 76.5]</div>' in table
    assert "<strong>Caveat:</strong> 731 public tasks vs 1,865" in table
    assert 'sa-verdict-not-rejected">not rejected' in table
    assert "nan" not in table.lower().replace("nano", "")
    # before the verdicts branch adds the columns, the ledger still renders
    old = make_ledger([{k: v for k, v in rows[0].items() if k not in ("rule", "caveat")}])
    index = report.render_site(
        [], tmp_path / "old", ledger=old, built_at=BUILT_AT, figures_dir=tmp_path / "none"
    )
    assert 'class="sa-rule"' not in index.read_text()


def test_index_leads_with_headline_numbers_and_the_lead_figure(tmp_path, make_ledger, monkeypatch):
    import matplotlib.pyplot as plt

    from analysis.figures import ledger as ledger_figures
    from analysis.figures import style

    ledger = make_ledger(
        [
            {
                "id": f"c{i}",
                "verdict": v,
                "claim": "c",
                "claimed": 1.0,
                "measured": 1.0,
                "interval_low": 0.5,
                "interval_high": 1.5,
            }
            for i, v in enumerate(["reproduced"] * 3 + ["contradicted"])
        ]
    )
    fig = ledger_figures.figure_verdicts_by_article(ledger)
    style.save_figure(fig, report.LEAD_FIGURE, directory=tmp_path / "figures")
    plt.close(fig)
    index = report.render_site(
        [], tmp_path / "site", ledger=ledger, built_at=BUILT_AT, figures_dir=tmp_path / "figures"
    )
    html = index.read_text()
    numbers = html[html.index('id="headline-numbers"') : html.index("</ul>")]
    assert re.findall(r'class="sa-big">(\d+)<', numbers) == ["4", "3", "1"]
    lead = html[html.index('id="lead-figure"') : html.index("</figure>")]
    assert 'src="figures/00-verdicts-by-article.png"' in lead
    assert 'alt="Horizontal stacked bars' in lead  # the alt text saved with the figure


def test_show_table_is_readable_and_keeps_dollars_literal(monkeypatch):
    from analysis.report import display

    shown = []
    monkeypatch.setattr(display, "display", shown.append)
    frame = pd.DataFrame(
        {
            "calls": [24000.0, 3.0],
            "year": [2019, 2020],
            "cost": ["$0.01 per call", None],
            "p": [display.format_p(0.0001), display.format_p(0.0412)],
            "x": [1.5, float("nan")],
        }
    )
    display.show_table(frame, index=False, caption="Costs in $")
    html = shown[0].data
    assert "24,000" in html and "24000.0" not in html and ">3<" in html
    assert ">2019<" in html
    assert "&lt;0.001" in html and "0.041" in html
    assert "NaN" not in html and "None" not in html
    assert re.search(r'<table[^>]*class="[^"]*mathjax_ignore', html)
    assert '<td style="text-align: left;">$0.01 per call</td>' in html  # text left, numbers right
    display.show_table(frame, caption="All pairs", appendix=True)
    assert shown[1].data.startswith('<details class="sa-appendix')
    assert "All pairs (2 rows)" in shown[1].data


def test_ledger_page_shows_the_styled_ledger_and_tags_hide_raw_outputs(tmp_path, hostile_ledger):
    path = _output_notebook(tmp_path / "00_ledger.ipynb", "**Finding.** Ledger.")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].metadata["tags"] = ["remove-output"]  # the raw table
    notebook.cells.append(new_markdown_cell("Gone from the page."))
    notebook.cells[-1].metadata["tags"] = ["remove-cell"]
    nbformat.write(notebook, path)
    index = report.render_site(
        [path],
        tmp_path / "site",
        ledger=hostile_ledger,
        built_at=BUILT_AT,
        figures_dir=tmp_path / "no-figures",
    )
    page = (index.parent / "00_ledger.html").read_text()
    table = page[
        page.index('id="ledger-table"') : page.index("</table>", page.index('id="ledger-table"'))
    ]
    assert table.count('<tr id="claim-') == len(hostile_ledger)
    assert "System &lt;script&gt;alert(3)&lt;/script&gt; resolves 80%" in table  # escaped
    assert "<td>1</td>" not in page  # the tagged cell's raw output is left out
    assert "Gone from the page." not in page
    assert "Finding.</strong> Ledger." in page


def test_ledger_row_does_not_repeat_a_reason_its_rule_already_gives(make_ledger):
    reason = "OpenAI did not publish which tasks it audited"
    rows = [
        {
            "id": "a",
            "claim": "c",
            "claimed": 59.4,
            "measured": float("nan"),
            "interval_low": float("nan"),
            "interval_high": float("nan"),
            "verdict": "not testable",
            "reason": reason,
            "rule": f"not measurable with public data: {reason}",
            "caveat": "",
        },
        {
            "id": "b",
            "claim": "d",
            "claimed": 5.0,
            "measured": 5.0,
            "interval_low": float("nan"),
            "interval_high": float("nan"),
            "verdict": "reproduced",
            "detail": "share of tasks annotated '<15 min fix'",
            "rule": "5 equals the claimed 5",
            "caveat": "",
        },
    ]
    first, second = report.ledger_rows(make_ledger(rows))
    assert first["note"] == "" and reason in first["rule"]
    assert second["note"] == "share of tasks annotated '<15 min fix'"


def test_links_between_notebooks_point_at_the_site_pages():
    body = '<a href="00_claims_ledger.ipynb">ledger</a> <a href="03_noise.ipynb#tiers">t</a>'
    assert report.notebook_links_to_pages(body) == (
        '<a href="00_claims_ledger.html">ledger</a> <a href="03_noise.html#tiers">t</a>'
    )
    untouched = '<a href="https://example.org/x.ipynb">x</a>'
    assert report.notebook_links_to_pages(untouched) == untouched
