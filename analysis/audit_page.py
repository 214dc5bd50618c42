"""The noise report of :func:`analysis.analyses.audit.audit` as one standalone HTML page.

Rendered with jinja2 (autoescape on: system names, task ids and notes come from data and
are untrusted) in the report's style (``templates/site/site.css``, inlined so the page
stands alone; no scripts, a Content-Security-Policy that allows none).
"""

from __future__ import annotations

from dataclasses import asdict

import jinja2
from markupsafe import Markup

from analysis.analyses.audit import AuditReport
from analysis.paths import PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "analysis" / "templates"


def render_audit_page(report: AuditReport) -> str:
    """The HTML page of ``report`` (a complete document)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "audit"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    css = (TEMPLATES_DIR / "site" / "site.css").read_text(encoding="utf-8")
    order = {line.system: position for position, line in enumerate(report.systems)}
    adjacent = []
    for pair in report.pairs:
        if abs(order[pair.system_a] - order[pair.system_b]) != 1:
            continue
        upper, lower = sorted((pair.system_a, pair.system_b), key=order.__getitem__)
        difference = pair.difference if upper == pair.system_a else -pair.difference
        adjacent.append(
            {**asdict(pair), "system_a": upper, "system_b": lower, "difference": difference}
        )
    adjacent.sort(key=lambda item: order[item["system_a"]])
    # The stylesheet is ours (a package file), not data: mark it safe so it is not escaped.
    return environment.get_template("audit.html.j2").render(
        report=report, adjacent=adjacent, css=Markup(css)
    )
