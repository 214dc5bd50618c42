"""Render the static report site and run the ``report`` command (``python -m analysis report``).

:func:`build` runs the two steps: :func:`analysis.report.execute.execute_notebooks`, then
:func:`render_site`, which turns executed notebooks into ``reports/site/``: one page per
notebook (nbconvert ``HTMLExporter`` with the ``swe_audit`` template in
``analysis/report/templates/``, code folded in ``<details>``), an index with each notebook's
title and finding plus the claims ledger, a figure gallery, and ``figures/`` copied from
``reports/figures/``. Every page ends with provenance (:mod:`analysis.report.provenance`).

Strings from data are untrusted. Our own pages are Jinja2 templates with autoescaping;
notebook outputs are sanitised first (:mod:`analysis.report.sanitise`); and every page
carries a Content-Security-Policy that forbids scripts, so an injected ``<script>`` or
``onerror=`` could not run even if it slipped through. Pages need no JavaScript and load
nothing from the internet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import nbformat
import pandas as pd
from markupsafe import Markup

from analysis import __version__, paths
from analysis.claims.format import format_claimed, format_measured
from analysis.claims.ledger import ledger
from analysis.claims.types import ARTICLES, VERDICTS
from analysis.errors import DataError
from analysis.figures.ledger import article_label
from analysis.formatting import format_ci
from analysis.report.execute import NOTEBOOK_PATTERN, execute_notebooks, notebook_paths
from analysis.report.provenance import project_commit, read_sources, source_rows, sources_for_paths
from analysis.report.sanitise import finding_to_html, prepare_for_page

#: nbconvert template folder (``analysis/report/templates/swe_audit``) and site templates.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
NBCONVERT_TEMPLATE = "swe_audit"
#: Markdown output of :func:`analysis.report.display.show_finding`.
FINDING_PREFIX = "**Finding.**"
#: The notebook whose page also shows the styled ledger table (the ledger's own notebook).
LEDGER_PAGE = "00"
#: The figure the index leads with (drawn by :mod:`analysis.figures.ledger`).
LEAD_FIGURE = "00-verdicts-by-article"
#: Pages run no scripts at all; this policy makes that a rule the browser enforces.
CONTENT_SECURITY_POLICY = (
    "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'"
)


@dataclass
class Page:
    """One rendered notebook page of the site."""

    number: str
    name: str
    filename: str
    title: str
    finding_markdown: str | None
    finding_html: Markup | None  # the headline sentence only (bullets stay on the page)
    sources_used: list[str] | None = None
    figures: list[dict[str, str]] = field(default_factory=list)


# --- which notebooks ----------------------------------------------------------------------


# --- execution ----------------------------------------------------------------------------


# --- reading executed notebooks -----------------------------------------------------------


def notebook_title(notebook: Any, fallback: str) -> str:
    """The first Markdown heading of the notebook (its title), without the ``#`` marks."""
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
            if match:
                return match.group(1)
        break
    return fallback


def _display_title(title: str, number: str) -> str:
    """``"NN · title"``, without doubling a number the title already starts with."""
    if re.match(rf"^{number}\b", title):
        return title
    return f"{number} · {title}"


def _markdown_outputs(cell: Any) -> list[str]:
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") in ("display_data", "execute_result"):
            value = output.get("data", {}).get("text/markdown")
            if value is not None:
                texts.append("".join(value) if isinstance(value, list) else str(value))
    return texts


def notebook_finding(notebook: Any) -> str | None:
    """The Markdown of the last ``show_finding`` output (text starting with ``**Finding.**``)."""
    for cell in reversed(notebook.cells):
        if cell.cell_type != "code":
            continue
        for text in reversed(_markdown_outputs(cell)):
            if text.lstrip().startswith(FINDING_PREFIX):
                return text.strip()
    return None


def finding_headline(markdown_text: str) -> str:
    """The headline of a ``show_finding`` output: its first paragraph, without the bullets
    (which stay on the notebook's page)."""
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", markdown_text.strip())]
    lines = [line for line in paragraphs[0].splitlines() if not line.lstrip().startswith("- ")]
    return " ".join(line.strip() for line in lines)


# --- provenance ---------------------------------------------------------------------------


# --- figures ------------------------------------------------------------------------------


def collect_figures(directory: Path | None = None) -> list[dict[str, str]]:
    """Figures saved by :func:`analysis.figures.style.save_figure`: name, svg, png, caption."""
    from analysis.figures.style import FIGURE_NAME

    directory = directory or paths.figures_dir()
    if not directory.is_dir():
        return []
    figures = []
    for png in sorted(directory.glob("*.png")):
        name = png.stem
        if not FIGURE_NAME.match(name):
            continue
        caption_path = directory / f"{name}.txt"
        text = caption_path.read_text(encoding="utf-8").strip() if caption_path.exists() else ""
        caption, alt = split_caption(text)
        figures.append(
            {
                "name": name,
                "png": png.name,
                "svg": f"{name}.svg" if (directory / f"{name}.svg").exists() else png.name,
                "caption": caption,
                "alt": alt or caption or name,
            }
        )
    return figures


def split_caption(text: str) -> tuple[str, str]:
    """A caption file's text -> (caption, alt text); ``save_figure`` writes the alt text on
    a last line starting with ``Alt:``."""
    caption, alt = [], []
    for line in text.splitlines():
        (alt if line.startswith("Alt:") or alt else caption).append(line)
    return "\n".join(caption).strip(), " ".join(alt).removeprefix("Alt:").strip()


def remove_figures(number: str, directory: Path | None = None) -> list[Path]:
    """Delete the saved figures of notebook ``number`` (``NN-*.svg/png/txt``); return them."""
    if not re.fullmatch(r"[0-9]{2}", number):
        raise ValueError(f"notebook number must be two digits, got {number!r}")
    directory = directory or paths.figures_dir()
    removed = []
    for suffix in ("svg", "png", "txt"):
        for path in directory.glob(f"{number}-*.{suffix}"):
            path.unlink()
            removed.append(path)
    return removed


# --- ledger -------------------------------------------------------------------------------


def ledger_rows(ledger: pd.DataFrame, page_names: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Rows of the ledger table as plain strings (escaped later by the template), formatted
    by :func:`analysis.claims.format.format_claimed` and ``format_measured``."""
    pages = set(page_names)
    rows = []
    for record in ledger.to_dict(orient="records"):
        verdict = str(record.get("verdict", "") or "")
        note = record.get("reason") if verdict == "not testable" else record.get("detail")
        notebook = str(record.get("notebook", "") or "")
        attribution = str(record.get("attribution", "") or "")
        rule, caveat = _cell_text(record.get("rule")), _cell_text(record.get("caveat"))
        note = _cell_text(note)
        if note and (note in rule or note in caveat):
            note = ""  # already said by the rule (a not-testable reason) or the caveat
        rows.append(
            {
                "id": str(record.get("id", "")),
                "claim": str(record.get("claim", "")),
                "claimed": format_claimed(record),
                "measured": measured_text(record),
                "verdict": verdict,
                "source": article_label(str(record.get("source", "") or ""), ARTICLES),
                "rule": rule,
                "caveat": caveat,
                "primary_source": str(record.get("primary_source", "") or ""),
                "attribution": "" if attribution in ("", "correct") else attribution,
                "note": note,
                "notebook": notebook,
                "notebook_number": notebook[:2],
                "notebook_href": f"{notebook}.html" if notebook in pages else "",
            }
        )
    return rows


def _verdict_counts(rows: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
    """(verdict, count) pairs in the ledger's verdict order, then any other verdicts."""
    tally: dict[str, int] = {}
    for row in rows:
        tally[row["verdict"]] = tally.get(row["verdict"], 0) + 1
    order = [verdict for verdict in VERDICTS if verdict in tally]
    order += [verdict for verdict in tally if verdict not in order]
    return [(verdict, tally[verdict]) for verdict in order]


def measured_text(record: dict[str, Any]) -> str:
    """The measured value in the report's one interval style, "78.8% (95% CI 75.0–82.3)",
    or :func:`analysis.claims.format.format_measured` when there is no interval."""
    values = [record.get(key) for key in ("measured", "interval_low", "interval_high")]
    if any(v is None or not isinstance(v, int | float) or pd.isna(v) for v in values):
        return format_measured(record)
    unit = _cell_text(record.get("unit"))
    return format_ci(*values, unit=unit if unit in ("%", "") else f" {unit}")


def _cell_text(value: Any) -> str:
    """A ledger cell as display text: "" for missing values (never "nan" or "None")."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


_NOTEBOOK_LINK = re.compile(r'href="(\d{2}_[A-Za-z0-9_]+)\.ipynb(#[^"]*)?"')


def notebook_links_to_pages(body: str) -> str:
    """Links between notebooks (``href="00_claims_ledger.ipynb"``, which work in JupyterLab)
    point at the rendered pages (``00_claims_ledger.html``) on the site."""
    return _NOTEBOOK_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)


def headline_numbers(rows: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """The index's headline numbers, from the ledger: claims checked, then each verdict's
    count in the site's verdict order, largest groups first (at most five in all)."""
    if not rows:
        return []
    counts = _verdict_counts(rows)
    ranked = sorted(counts, key=lambda pair: -pair[1])[:4]
    keep = [pair for pair in counts if pair in ranked]
    return [(f"{len(rows)}", "claims checked")] + [(f"{n}", verdict) for verdict, n in keep]


def _load_ledger(progress: bool = False) -> tuple[pd.DataFrame | None, str]:
    """The measured ledger, or ``(None, why)`` when a claims file or its data is broken: the
    site still renders, with the reason where the ledger would be."""
    try:
        return ledger(progress=progress), ""
    except DataError as error:
        return None, f"the claims ledger could not be measured ({error})"


def verdict_class(verdict: Any) -> str:
    """A CSS class suffix from a verdict: lower-case letters, digits and hyphens only."""
    return re.sub(r"[^a-z0-9]+", "-", str(verdict).lower()).strip("-") or "unknown"


# --- rendering ----------------------------------------------------------------------------


def _site_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "site"),
        autoescape=True,  # every string from data is escaped unless marked Markup by us
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["verdict_class"] = verdict_class
    return environment


def _html_exporter() -> Any:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name=NBCONVERT_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        sanitize_html=False,  # our own allow-list sanitiser runs first, see prepare_for_page
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    return exporter


def render_site(
    executed_paths: Sequence[Path],
    site_dir: Path,
    ledger: pd.DataFrame | None = None,
    built_at: dt.datetime | None = None,
    figures_dir: Path | None = None,
    progress: bool = False,
) -> Path:
    """Render executed notebooks, the index and the figure gallery into ``site_dir``.

    ``ledger`` defaults to :func:`analysis.claims.ledger.ledger` (an "unavailable" note while it
    does not exist). ``figures_dir`` defaults to :func:`analysis.paths.figures_dir`; its
    figures are copied to ``site_dir/figures``. ``built_at`` (UTC) defaults to now.
    ``progress`` shows a bar while the ledger is measured. Returns the path of ``index.html``.
    """
    site_dir = Path(site_dir)
    site_dir.mkdir(parents=True, exist_ok=True)
    built_at = built_at or dt.datetime.now(dt.UTC)
    built_text = built_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    environment = _site_environment()
    css = (TEMPLATES_DIR / "site" / "site.css").read_text(encoding="utf-8")
    (site_dir / "site.css").write_text(css, encoding="utf-8")

    # figures: copy the folder so the site is self-contained
    figures = collect_figures(figures_dir)
    figures_out = site_dir / "figures"
    if figures_out.is_dir():
        shutil.rmtree(figures_out)  # the site shows this build's figures, no leftovers
    figures_out.mkdir()
    source_figures = figures_dir or paths.figures_dir()
    for figure in figures:
        for key in ("png", "svg"):
            shutil.copy2(source_figures / figure[key], figures_out / figure[key])

    sources, sources_error = read_sources()
    footer_sources = source_rows(sources)
    git_commit, git_dirty = project_commit()
    footer_context = {
        "sources": footer_sources,
        "sources_error": sources_error,
        "built_at": built_text,
        "version": __version__,
        "git_commit": git_commit,
        "git_dirty": git_dirty,
    }

    notebooks = []
    pages: list[Page] = []
    for path in executed_paths:
        path = Path(path)
        match = NOTEBOOK_PATTERN.match(path.name)
        if not match:
            raise DataError(path, "notebook name must look like NN_topic.ipynb")
        try:
            notebook = nbformat.read(path, as_version=4)
        except (OSError, ValueError) as error:
            raise DataError(path, f"cannot read executed notebook: {error}") from error
        finding = notebook_finding(notebook)
        opened = notebook.metadata.get("swe_audit", {}).get("opened")
        pages.append(
            Page(
                number=match["number"],
                name=path.stem,
                filename=f"{path.stem}.html",
                title=_display_title(notebook_title(notebook, path.stem), match["number"]),
                finding_markdown=finding,
                finding_html=finding_to_html(finding_headline(finding)) if finding else None,
                sources_used=None if opened is None else sources_for_paths(opened, sources),
                figures=[f for f in figures if f["name"].startswith(match["number"] + "-")],
            )
        )
        notebooks.append(notebook)

    captions = {figure["name"]: figure["caption"] for figure in figures}
    if ledger is None:
        ledger, ledger_error = _load_ledger(progress=progress)
    else:
        ledger_error = ""
    rows = None if ledger is None else ledger_rows(ledger, [page.name for page in pages])
    # notebook 00 is the ledger's own page: it shows the same styled table as the index
    ledger_html = (
        Markup(environment.get_template("_ledger_section.html.j2").render(ledger_rows=rows))
        if rows is not None
        else Markup("")
    )
    nav = environment.get_template("_nav.html.j2")
    footer = environment.get_template("_footer.html.j2")
    exporter = _html_exporter()
    for page, notebook in zip(pages, notebooks, strict=True):
        resources = {
            "metadata": {"name": page.title},
            "sa_csp": CONTENT_SECURITY_POLICY,
            "sa_css": Markup(css),
            "sa_nav_html": nav.render(pages=pages, current=page.filename),
            "sa_figures_html": environment.get_template("_figures.html.j2").render(
                figures=page.figures
            ),
            "sa_footer_html": footer.render(page_sources=page.sources_used, **footer_context),
            "sa_ledger_html": ledger_html if page.number == LEDGER_PAGE else Markup(""),
        }
        body, _resources = exporter.from_notebook_node(
            prepare_for_page(notebook, captions), resources=resources
        )
        (site_dir / page.filename).write_text(notebook_links_to_pages(body), encoding="utf-8")

    common = {"csp": CONTENT_SECURITY_POLICY, "pages": pages}
    counts = _verdict_counts(rows or [])
    lead = next((f for f in figures if f["name"] == LEAD_FIGURE), None)
    index_html = environment.get_template("index.html.j2").render(
        headline_numbers=headline_numbers(rows or []),
        lead_figure=lead,
        nav_html=Markup(nav.render(pages=pages, current="index.html")),
        footer_html=Markup(footer.render(page_sources=None, **footer_context)),
        ledger_rows=rows,
        ledger_error=ledger_error,
        verdict_counts=counts,
        **common,
    )
    (site_dir / "index.html").write_text(index_html, encoding="utf-8")
    gallery = environment.get_template("figures.html.j2").render(
        nav_html=Markup(nav.render(pages=pages, current="figures.html")),
        footer_html=Markup(footer.render(page_sources=None, **footer_context)),
        figures=figures,
        **common,
    )
    (site_dir / "figures.html").write_text(gallery, encoding="utf-8")
    return site_dir / "index.html"


def build(
    notebooks: Sequence[Path] | None = None,
    site_dir: Path | None = None,
    timeout: float = 600,
    execute: bool = True,
    progress: bool = True,
    ledger: pd.DataFrame | None = None,
) -> Path:
    """Execute (unless ``execute=False``) and render the report; return ``index.html``.

    Before a notebook runs, its old figures (``NN-*``) are removed from the figures folder,
    so a renamed or dropped figure does not linger in the gallery. Without execution the
    notebooks' committed outputs and the figures folder are rendered as they are.
    ``site_dir`` defaults to ``reports/site``; executed notebooks go to ``reports/build``.
    """
    notebooks = list(notebooks) if notebooks is not None else notebook_paths()
    site_dir = Path(site_dir) if site_dir is not None else paths.reports_dir() / "site"
    if execute:
        for notebook in notebooks:
            remove_figures(Path(notebook).name[:2])
        executed = execute_notebooks(
            notebooks, paths.reports_dir() / "build", timeout=timeout, progress=progress
        )
    else:
        executed = notebooks
    return render_site(executed, site_dir, ledger=ledger, progress=progress)


# --- command line -------------------------------------------------------------------------


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m analysis report``."""
    parser.add_argument(
        "--no-execute",
        dest="execute",
        action="store_false",
        help="render the notebooks' committed outputs without running them",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600,
        help="time limit per notebook in seconds (default: 600)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="site directory (default: reports/site)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NN",
        default=None,
        help="only this notebook number (repeatable, or comma-separated)",
    )
    parser.add_argument(
        "--no-progress", dest="progress", action="store_false", help="no progress bars"
    )


def run_cli(args: argparse.Namespace) -> int:
    """Build the report; print where it is and how long it took."""
    only = None
    if args.only:
        only = [item for value in args.only for item in value.split(",")]
    notebooks = notebook_paths(only=only)
    if not notebooks:
        print(f"no notebooks found in {paths.notebooks_dir()}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    index = build(
        notebooks,
        site_dir=args.output,
        timeout=args.timeout,
        execute=args.execute,
        progress=args.progress,
    )
    elapsed = time.perf_counter() - started
    print(f"report: {index} ({len(notebooks)} notebooks, {elapsed:.1f} s)")
    return 0
