"""Execute the notebooks and render the static report site (``python -m analysis report``).

Two steps, each usable alone:

1. :func:`execute_notebooks` runs ``notebooks/NN_*.ipynb`` in order with nbclient, in a
   kernel of the current Python environment, with a tqdm progress bar and a time limit per
   notebook, and writes the executed copies to ``reports/build/`` (the committed notebooks
   are not modified). A failing cell raises :class:`NotebookError` naming notebook and cell.
2. :func:`render_site` turns executed notebooks into ``reports/site/``: one page per
   notebook (nbconvert ``HTMLExporter`` with the ``swe_audit`` template in
   ``analysis/report/templates/``, code folded in ``<details>``), an index with each notebook's
   title and finding plus the claims ledger, a figure gallery, and ``figures/`` copied from
   ``reports/figures/``. Every page ends with provenance: the pinned sources (name, commit,
   sha256), the build time (UTC), the package version and the project's git commit.

Strings from data are untrusted. Our own pages are Jinja2 templates with autoescaping;
notebook outputs go through an allow-list sanitiser (:func:`sanitize_html`: tags such as
``<script>`` or ``<img onerror=...>`` are shown as text, JavaScript and widget outputs are
dropped) before nbconvert renders them; and every page carries a Content-Security-Policy
that forbids scripts, so an injected ``<script>`` or ``onerror=`` could not run even if it
slipped through. Pages need no JavaScript and load nothing from the internet. (nbconvert's
own ``sanitize_html`` escapes headings and table markup, so it is not used.)
"""

from __future__ import annotations

import argparse
import ast
import copy
import datetime as dt
import json
import os
import re
import shutil
import subprocess
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
from analysis.errors import DataError

#: nbconvert template folder (``analysis/report/templates/swe_audit``) and site templates.
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
NBCONVERT_TEMPLATE = "swe_audit"
#: Notebook files the report runs, in reading order.
NOTEBOOK_PATTERN = re.compile(r"^(?P<number>[0-9]{2})_(?P<topic>[A-Za-z0-9_]+)\.ipynb$")
#: Markdown output of :func:`analysis.report.display.show_finding`.
FINDING_PREFIX = "**Finding.**"
#: Pages run no scripts at all; this policy makes that a rule the browser enforces.
CONTENT_SECURITY_POLICY = (
    "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'"
)
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


class NotebookError(DataError):
    """A notebook failed to execute: names the notebook, the cell and the error."""


@dataclass
class Page:
    """One rendered notebook page of the site."""

    number: str
    name: str
    filename: str
    title: str
    finding_markdown: str | None
    finding_html: Markup | None
    sources_used: list[str] | None = None
    figures: list[dict[str, str]] = field(default_factory=list)


# --- which notebooks ----------------------------------------------------------------------


def notebook_paths(directory: Path | None = None, only: Iterable[str] | None = None) -> list[Path]:
    """The report's notebooks ``NN_topic.ipynb`` in ``directory``, in reading order.

    ``only`` keeps the notebooks whose number ``NN`` (or full stem) is listed; an entry that
    matches nothing raises :class:`DataError`.
    """
    directory = directory or paths.notebooks_dir()
    found = sorted(path for path in directory.glob("*.ipynb") if NOTEBOOK_PATTERN.match(path.name))
    if only is None:
        return found
    wanted = [str(item).strip() for item in only if str(item).strip()]
    selected = [path for path in found if path.name[:2] in wanted or path.stem in wanted]
    matched = {path.name[:2] for path in selected} | {path.stem for path in selected}
    unknown = [item for item in wanted if item not in matched]
    if unknown:
        raise DataError(directory, f"no notebook numbered {', '.join(unknown)}")
    return selected


# --- execution ----------------------------------------------------------------------------


def _source_tracking_code(prefixes: Sequence[str]) -> str:
    """Kernel code recording which files under the data cache/mirror get opened.

    Uses a :func:`sys.addaudithook` ``open`` hook (PEP 578), so it sees every Python-level
    open, whichever loader does it; the report maps those paths back to pinned sources.
    """
    return (
        "import os as _sa_os, sys as _sa_sys\n"
        f"_sa_prefixes = tuple({list(prefixes)!r})\n"
        "_sa_opened = set()\n"
        "def _sa_audit(event, args):\n"
        "    if event == 'open' and args and isinstance(args[0], (str, bytes, _sa_os.PathLike)):\n"
        "        try:\n"
        "            _sa_path = _sa_os.path.abspath(_sa_os.fsdecode(args[0]))\n"
        "        except Exception:\n"
        "            return\n"
        "        if _sa_path.startswith(_sa_prefixes):\n"
        "            _sa_opened.add(_sa_path)\n"
        "_sa_sys.addaudithook(_sa_audit)\n"
    )


def _data_prefixes() -> list[str]:
    prefixes = [str(paths.raw_dir()) + os.sep]
    mirror = paths.mirror_dir()
    if mirror is not None:
        prefixes.append(str(mirror) + os.sep)
    return prefixes


def _cell_label(cell: Any, index: int) -> str:
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
    if len(first_line) > 60:
        first_line = first_line[:57] + "..."
    return f"cell {index + 1} ({first_line.strip()!r})" if first_line else f"cell {index + 1}"


def execute_notebook(
    path: Path,
    out_path: Path,
    timeout: float = 600,
    kernel_name: str = "python3",
    progress: bool = True,
    track_sources: bool = True,
) -> Path:
    """Execute one notebook top to bottom and write the executed copy to ``out_path``.

    ``timeout`` (seconds) bounds the whole notebook: each cell may use what is left of it.
    The kernel starts in the notebook's folder, as JupyterLab would. ``kernel_name="python3"``
    resolves to the Python running this function (jupyter_client substitutes
    ``sys.executable``), so the report runs in the current environment. With
    ``track_sources`` the data files the notebook opened are stored in the executed
    notebook's metadata (``swe_audit.opened``) for the provenance footer.
    Raises :class:`NotebookError` naming the notebook and the cell on failure or timeout;
    the partial notebook is still written for inspection.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from tqdm.auto import tqdm

    path = Path(path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as error:
        raise DataError(path, f"cannot read notebook: {error}") from error
    deadline = time.monotonic() + timeout

    def remaining(_cell: Any = None) -> int:
        return max(1, int(deadline - time.monotonic() + 0.999))

    client = NotebookClient(
        notebook,
        timeout=int(timeout),
        timeout_func=remaining,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=True,
    )
    code_cells = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    bar = tqdm(
        total=len(code_cells), desc=f"  {path.stem}", unit="cell", leave=False, disable=not progress
    )
    opened: list[str] = []
    current = None
    try:
        with client.setup_kernel(cwd=str(path.parent)):
            assert client.kc is not None
            info = client.wait_for_reply(client.kc.kernel_info())
            if info is not None and "language_info" in info["content"]:
                notebook.metadata["language_info"] = info["content"]["language_info"]
            if track_sources:
                _run_hidden(client, _source_tracking_code(_data_prefixes()), remaining())
            for index in code_cells:
                current = index
                if time.monotonic() > deadline:
                    raise CellTimeoutError.error_from_timeout_and_cell(
                        "notebook time limit reached", int(timeout), notebook.cells[index]
                    )
                client.execute_cell(
                    notebook.cells[index], index, execution_count=client.code_cells_executed + 1
                )
                bar.update(1)
            current = None
            if track_sources:
                opened = _opened_files(client, remaining())
            client.set_widgets_metadata()
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as error:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, out_path)
        where = "" if current is None else _cell_label(notebook.cells[current], current) + ": "
        if isinstance(error, CellTimeoutError):
            problem = f"{where}exceeded the notebook time limit of {timeout:g} s"
        elif isinstance(error, CellExecutionError):
            problem = f"{where}{error.ename}: {error.evalue}"
        else:
            problem = f"{where}{type(error).__name__}: {error}"
        raise NotebookError(path, f"{problem} (partial output in {out_path})") from error
    finally:
        bar.close()
    notebook.metadata.setdefault("swe_audit", {})["opened"] = opened
    out_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out_path)
    return out_path


def _run_hidden(client: Any, code: str, timeout: float) -> dict[str, Any]:
    """Run ``code`` silently in the client's kernel (no outputs, no history)."""
    msg_id = client.kc.execute(code, silent=True, store_history=False)
    reply = client.wait_for_reply(msg_id)
    if reply is None or reply["content"].get("status") != "ok":
        content = {} if reply is None else reply["content"]
        raise RuntimeError(f"report setup code failed in the kernel: {content.get('evalue', '')}")
    return reply["content"]


def _opened_files(client: Any, timeout: float) -> list[str]:
    msg_id = client.kc.execute(
        "",
        silent=True,
        store_history=False,
        user_expressions={"opened": "__import__('json').dumps(sorted(_sa_opened))"},
    )
    reply = client.wait_for_reply(msg_id)
    try:
        text = reply["content"]["user_expressions"]["opened"]["data"]["text/plain"]
        return [str(item) for item in json.loads(ast.literal_eval(text))]
    except (KeyError, TypeError, ValueError, SyntaxError):
        return []


def execute_notebooks(
    paths_to_run: Sequence[Path],
    out_dir: Path,
    timeout: float = 600,
    progress: bool = True,
    kernel_name: str = "python3",
) -> list[Path]:
    """Execute notebooks in order into ``out_dir`` (same file names); return the new paths.

    Shows a tqdm bar over notebooks (and one over the cells of the current notebook).
    ``timeout`` is per notebook. Stops at the first failing notebook with
    :class:`NotebookError`.
    """
    from tqdm.auto import tqdm

    out_dir = Path(out_dir)
    executed: list[Path] = []
    bar = tqdm(list(paths_to_run), desc="notebooks", unit="nb", disable=not progress)
    for path in bar:
        path = Path(path)
        bar.set_postfix_str(path.stem)
        executed.append(
            execute_notebook(
                path,
                out_dir / path.name,
                timeout=timeout,
                kernel_name=kernel_name,
                progress=progress,
            )
        )
    return executed


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


def finding_to_html(markdown_text: str) -> Markup:
    """Markdown finding -> sanitised HTML for the index (:func:`markdown_to_safe_html`).

    Values in it were already escaped by ``show_finding``; sanitising again means a
    template that forgot to escape still cannot inject markup into the index.
    """
    return Markup(markdown_to_safe_html(markdown_text))


#: Tags allowed in HTML outputs: text, tables and structure. Anything else (script, img,
#: iframe, svg, form, style...) is escaped and shows as text; a table or a finding needs none.
ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
        "var",
    }
)
ALLOWED_ATTRIBUTES = {
    "*": ["class", "id", "title", "style"],
    "a": ["href", "title"],
    "td": ["colspan", "rowspan", "style"],
    "th": ["colspan", "rowspan", "style", "scope"],
    "table": ["border", "class"],
    "details": ["open"],
}
ALLOWED_CSS = frozenset(
    {
        "text-align",
        "vertical-align",
        "font-weight",
        "font-style",
        "white-space",
        "color",
        "background-color",
        "border",
        "padding",
        "min-width",
        "max-width",
    }
)


def sanitize_html(fragment: str) -> str:
    """Allow-list sanitiser for HTML from notebook outputs (bleach, WHATWG parsing).

    ``<style>`` and ``<script>`` elements are removed with their content (pandas puts a
    scoped style block in DataFrame HTML); other tags outside :data:`ALLOWED_TAGS` are
    escaped, so they appear as text; event-handler attributes and non-http(s)/mailto links
    are dropped; inline CSS keeps only harmless properties.
    """
    import bleach
    from bleach.css_sanitizer import CSSSanitizer
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(fragment, "html.parser")
    for element in soup.find_all(["style", "script"]):
        element.decompose()
    return bleach.clean(
        str(soup),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols={"http", "https", "mailto"},
        css_sanitizer=CSSSanitizer(allowed_css_properties=ALLOWED_CSS),
        strip=False,
        strip_comments=True,
    )


def markdown_to_safe_html(markdown_text: str) -> str:
    """Markdown (e.g. a ``show_finding`` output) -> HTML, then :func:`sanitize_html`."""
    from nbconvert.filters import markdown2html

    return sanitize_html(markdown2html(markdown_text))


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _safe_output_data(data: dict[str, Any]) -> dict[str, Any]:
    """Output data reduced to what a static page shows safely.

    HTML and Markdown become sanitised HTML; JavaScript and widget views are dropped (the
    page runs no scripts); SVG is kept only as an ``<img>`` data URI (scripts inside an
    SVG do not run there) when no PNG/JPEG exists.
    """
    kept = {
        mime: value
        for mime, value in data.items()
        if mime in ("text/plain", "image/png", "image/jpeg")
    }
    if "text/html" in data:
        kept["text/html"] = sanitize_html(_joined(data["text/html"]))
    elif "text/markdown" in data:
        kept["text/html"] = markdown_to_safe_html(_joined(data["text/markdown"]))
    if "image/svg+xml" in data and not ({"image/png", "image/jpeg"} & kept.keys()):
        import base64

        encoded = base64.b64encode(_joined(data["image/svg+xml"]).encode("utf-8")).decode()
        kept["text/html"] = f'<img alt="figure" src="data:image/svg+xml;base64,{encoded}">'
    return kept


def _is_repeat(data: dict[str, Any], seen: set[str]) -> bool:
    """True if this Markdown/HTML output equals one already in ``seen`` (which it joins)."""
    keys = []
    for mime in ("text/markdown", "text/html"):
        value = data.get(mime)
        if value is not None:
            keys.append(mime + ("".join(value) if isinstance(value, list) else str(value)))
    if keys and all(key in seen for key in keys):
        return True
    seen.update(keys)
    return False


_SAVE_FIGURE_CALL = re.compile(r"""save_figure\(\s*[^,()]+,\s*["']([0-9]{2}-[a-z0-9-]+)["']""")


def _prepare_for_page(notebook: Any, captions: dict[str, str] | None = None) -> Any:
    """A copy of the notebook as readers should see it, safe to render as HTML.

    Output data go through :func:`_safe_output_data` (sanitised HTML, no scripts or
    widgets). Drops stderr streams (progress bars and warnings: they stay in the executed
    notebook) and repeated Markdown/HTML outputs (a display call whose value is also the
    cell's result shows the same output twice).
    PNG outputs of a cell that called ``save_figure(fig, "NN-name", ...)`` get that
    figure's caption (from ``captions``) as alt text.
    """
    captions = captions or {}
    notebook = copy.deepcopy(notebook)
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        seen: set[str] = set()
        saved = _SAVE_FIGURE_CALL.findall(cell.source)
        alt = " ".join(captions.get(name) or name for name in saved) or "Figure"
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue
            if "data" in output:
                raw = output["data"]
                if _WIDGET_MIME in raw or _is_repeat(raw, seen):
                    continue
                output["data"] = _safe_output_data(raw)
                if not output["data"]:
                    continue
                if "image/png" in output["data"]:
                    output.setdefault("metadata", {})["sa_alt"] = alt
            kept.append(output)
        cell["outputs"] = kept
    return notebook


def sources_for_paths(opened: Iterable[str], sources: Any) -> list[str]:
    """Names of the pinned sources whose files are among ``opened`` (absolute paths)."""
    opened = [str(Path(item).as_posix()) for item in opened]
    names = []
    for name, source in sources.items():
        files = getattr(source, "files", ())
        if any(path.endswith("/" + str(getattr(f, "path", ""))) for f in files for path in opened):
            names.append(str(name))
    return names


# --- provenance ---------------------------------------------------------------------------


def _read_sources() -> tuple[Any, str]:
    """``analysis.data.sources.SOURCES`` or ``({}, why not)``; the footer must render regardless."""
    try:
        from analysis.data.sources import SOURCES
    except Exception as error:  # a broken registry should not hide the report
        return {}, f"{type(error).__name__}: {error}"
    return SOURCES, ""


def _source_rows(sources: Any) -> list[dict[str, Any]]:
    rows = []
    for name, source in sources.items():
        rows.append(
            {
                "name": str(name),
                "repo": str(getattr(source, "repo", "")),
                "commit": str(getattr(source, "commit", "")),
                "licence": str(getattr(source, "licence", "")),
                "files": [
                    {"path": str(getattr(f, "path", "")), "sha256": str(getattr(f, "sha256", ""))}
                    for f in getattr(source, "files", ())
                ],
            }
        )
    return rows


def project_commit(root: Path | None = None) -> tuple[str, bool]:
    """The project's git commit and whether the working tree has changes (``("", False)``
    outside a git checkout)."""
    root = root or paths.PROJECT_ROOT
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "", False
    return commit, bool(status.strip())


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
        figures.append(
            {
                "name": name,
                "png": png.name,
                "svg": f"{name}.svg" if (directory / f"{name}.svg").exists() else png.name,
                "caption": caption_path.read_text(encoding="utf-8").strip()
                if caption_path.exists()
                else "",
            }
        )
    return figures


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


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _number(value: Any) -> str:
    if _is_missing(value):
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:.3g}" if abs(number) >= 1e5 else f"{round(number, 2):g}"


def ledger_rows(ledger: pd.DataFrame, page_names: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Rows of the ledger table as plain strings (escaped later by the template).

    Uses :func:`analysis.claims.ledger.format_claimed`/``format_measured`` when available.
    """
    try:
        from analysis.claims.format import format_claimed, format_measured
    except ImportError:
        format_claimed = format_measured = None
    try:
        from analysis.claims.types import ARTICLES
    except ImportError:
        ARTICLES = {}
    pages = set(page_names)
    rows = []
    for record in ledger.to_dict(orient="records"):
        unit = str(record.get("unit", "") or "")
        try:
            claimed = format_claimed(record) if format_claimed else None
        except (KeyError, TypeError, ValueError):
            claimed = None
        if claimed is None:
            claimed = f"{_number(record.get('claimed'))} {unit}".strip()
        try:
            measured = format_measured(record) if format_measured else None
        except (KeyError, TypeError, ValueError):
            measured = None
        if measured is None:
            measured = f"{_number(record.get('measured'))} {unit}".strip()
            if not _is_missing(record.get("interval_low")):
                measured += (
                    f" [{_number(record.get('interval_low'))}, "
                    f"{_number(record.get('interval_high'))}]"
                )
        verdict = str(record.get("verdict", "") or "")
        note = record.get("reason") if verdict == "not testable" else record.get("detail")
        notebook = str(record.get("notebook", "") or "")
        attribution = str(record.get("attribution", "") or "")
        rows.append(
            {
                "id": str(record.get("id", "")),
                "claim": str(record.get("claim", "")),
                "claimed": claimed,
                "measured": measured,
                "verdict": verdict,
                "source": _article_label(str(record.get("source", "") or ""), ARTICLES),
                "primary_source": str(record.get("primary_source", "") or ""),
                "attribution": "" if attribution in ("", "correct") else attribution,
                "note": "" if _is_missing(note) else str(note or ""),
                "notebook": notebook,
                "notebook_number": notebook[:2],
                "notebook_href": f"{notebook}.html" if notebook in pages else "",
            }
        )
    return rows


def _verdict_counts(rows: Sequence[dict[str, Any]]) -> list[tuple[str, int]]:
    """(verdict, count) pairs in the ledger's verdict order, then any other verdicts."""
    try:
        from analysis.claims.types import VERDICTS
    except ImportError:
        VERDICTS = ()
    tally: dict[str, int] = {}
    for row in rows:
        tally[row["verdict"]] = tally.get(row["verdict"], 0) + 1
    order = [verdict for verdict in VERDICTS if verdict in tally]
    order += [verdict for verdict in tally if verdict not in order]
    return [(verdict, tally[verdict]) for verdict in order]


def _article_label(source: str, articles: dict[str, str]) -> str:
    """Short label of a seed article: author or outlet and date ("Ikesan, 2026-02")."""
    title = articles.get(source)
    if not title:
        return source
    parts = [part.strip() for part in title.split(",")]
    return f"{parts[0]}, {parts[-1]}" if len(parts) > 1 else parts[0]


def _load_ledger(progress: bool = False) -> tuple[pd.DataFrame | None, str]:
    """``analysis.claims.ledger.ledger()``, or ``(None, why)`` while it does not exist yet."""
    try:
        from analysis.claims.ledger import ledger
    except (ImportError, AttributeError) as error:
        return None, f"the claims ledger is not available ({error})"
    return ledger(progress=progress), ""


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
        sanitize_html=False,  # our own allow-list sanitiser runs first, see _prepare_for_page
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

    sources, sources_error = _read_sources()
    source_rows = _source_rows(sources)
    git_commit, git_dirty = project_commit()
    footer_context = {
        "sources": source_rows,
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
                finding_html=finding_to_html(finding) if finding else None,
                sources_used=None if opened is None else sources_for_paths(opened, sources),
                figures=[f for f in figures if f["name"].startswith(match["number"] + "-")],
            )
        )
        notebooks.append(notebook)

    captions = {figure["name"]: figure["caption"] for figure in figures}
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
        }
        body, _resources = exporter.from_notebook_node(
            _prepare_for_page(notebook, captions), resources=resources
        )
        (site_dir / page.filename).write_text(body, encoding="utf-8")

    common = {"csp": CONTENT_SECURITY_POLICY, "pages": pages}
    if ledger is None:
        ledger, ledger_error = _load_ledger(progress=progress)
    else:
        ledger_error = ""
    rows = None if ledger is None else ledger_rows(ledger, [page.name for page in pages])
    counts = _verdict_counts(rows or [])
    index_html = environment.get_template("index.html.j2").render(
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
