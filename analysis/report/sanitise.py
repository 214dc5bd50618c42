"""Make executed notebooks safe to publish: strings from data are untrusted.

Notebook outputs go through an allow-list sanitiser (:func:`sanitize_html`: tags such as
``<script>`` or ``<img onerror=...>`` are shown as text, JavaScript and widget outputs are
dropped) before nbconvert renders them. (nbconvert's own ``sanitize_html`` escapes headings and
table markup, so it is not used.)
"""

from __future__ import annotations

import copy
import re
from typing import Any

from markupsafe import Markup

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


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


def safe_output_data(data: dict[str, Any]) -> dict[str, Any]:
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


#: Cell tags (nbconvert's TagRemovePreprocessor names) that hide a cell or its outputs on
#: the page; the notebook keeps them.
REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})
#: nbval's comment markers (``# NBVAL_CHECK_OUTPUT``...): for the test runner, not readers.
_NBVAL_MARKER = re.compile(
    r"^[ \t]*#[ \t]*(?:NBVAL|PYTEST_VALIDATE)_[A-Z_]+[ \t]*\n?", re.MULTILINE
)


def strip_test_markers(source: str) -> str:
    """Cell source without nbval's marker comment lines (the notebook keeps them)."""
    return _NBVAL_MARKER.sub("", source)


def _tags(cell: Any) -> set[str]:
    return set(cell.metadata.get("tags", []))


def _shows_table(cell: Any) -> bool:
    return any(
        "<table" in _joined(output.get("data", {}).get("text/html", ""))
        for output in cell.get("outputs", [])
    )


_SAVE_FIGURE_CALL = re.compile(r"""save_figure\(\s*[^,()]+,\s*["']([0-9]{2}-[a-z0-9-]+)["']""")


def prepare_for_page(notebook: Any, captions: dict[str, str] | None = None) -> Any:
    """A copy of the notebook as readers should see it, safe to render as HTML.

    Output data go through :func:`safe_output_data` (sanitised HTML, no scripts or
    widgets). Drops stderr streams (progress bars and warnings: they stay in the executed
    notebook) and repeated Markdown/HTML outputs (a display call whose value is also the
    cell's result shows the same output twice).
    PNG outputs of a cell that called ``save_figure(fig, "NN-name", ...)`` get that
    figure's caption (from ``captions``) as alt text. nbval's marker comments are removed
    from the code; cells tagged ``remove-cell`` and outputs of cells tagged ``remove-output``
    are left out; a checked printout right after a table (which repeats the table's
    numbers for nbval) is folded (``sa_fold_outputs`` in the cell's metadata).
    """
    captions = captions or {}
    notebook = copy.deepcopy(notebook)
    notebook.metadata.pop("widgets", None)
    previous = None
    notebook.cells = [cell for cell in notebook.cells if not _tags(cell) & REMOVE_CELL_TAGS]
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if _tags(cell) & REMOVE_OUTPUT_TAGS:
            cell["outputs"] = []  # e.g. a raw table the page shows styled elsewhere
        checked = "nbval-check-output" in cell.metadata.get("tags", []) or bool(
            _NBVAL_MARKER.search(cell.source)
        )
        if checked and previous is not None and _shows_table(previous):
            cell.metadata["sa_fold_outputs"] = True
        previous = cell
        cell.source = strip_test_markers(cell.source)
        kept = []
        seen: set[str] = set()
        saved = _SAVE_FIGURE_CALL.findall(cell.source)
        alt = " ".join(captions.get(name) or name for name in saved) or "Figure"
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue
            if "data" in output:
                raw = output["data"]
                if WIDGET_MIME in raw or _is_repeat(raw, seen):
                    continue
                output["data"] = safe_output_data(raw)
                if "image/png" in output["data"]:
                    output["data"].pop("text/plain", None)  # "<Figure size ...>" is noise
                if not output["data"]:
                    continue
                if "image/png" in output["data"]:
                    output.setdefault("metadata", {})["sa_alt"] = alt
            kept.append(output)
        cell["outputs"] = kept
    return notebook
