"""``python -m analysis audit PATH...``: the noise report of any leaderboard.

The HTML page is rendered with jinja2 (autoescape on: system names, task ids and notes come
from data and are untrusted) in the report's style (``templates/site/site.css``, inlined so
the page stands alone; no scripts, a Content-Security-Policy that allows none).

Reads per-task results with the detected reader (or ``--reader``), runs
:func:`analysis.analyses.audit.audit` and prints it as a table, JSON or an HTML page
(``--format``), or writes ``audit.txt`` / ``audit.json`` / ``audit.html`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

import jinja2
from markupsafe import Markup

from analysis.analyses.audit import AuditReport, audit
from analysis.data.readers.detect import READERS, read_paths
from analysis.data.readers.options import ReaderOptions
from analysis.errors import clean_for_terminal

FORMATS = ("table", "json", "html")
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Arguments of the ``audit`` subcommand."""
    parser.add_argument("paths", nargs="+", type=Path, help="results files or directories")
    parser.add_argument("--reader", choices=sorted(READERS), help="skip format detection")
    columns = parser.add_argument_group("long tables (CSV/TSV/JSONL/Parquet): column names")
    columns.add_argument("--task", default="task", help="task column (default: task)")
    columns.add_argument("--system", default="system", help="system column (default: system)")
    columns.add_argument("--score", default="score", help="score column in [0, 1]")
    # dest differs from "run": cli.py stores the subcommand function in args.run
    columns.add_argument("--run", dest="run_column", help="run column (repeated runs)")
    columns.add_argument("--cluster", help="cluster column (e.g. repository)")
    columns.add_argument("--task-date", help="task creation date column")
    columns.add_argument("--system-date", help="system release date column")
    parser.add_argument("--benchmark", default="swe-bench", help="OpenHands Index benchmark")
    parser.add_argument("--metric", help="metric or scorer (lm-eval, HELM, inspect_ai)")
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument("--out", type=Path, help="write audit.{txt,json,html} here instead")
    parser.add_argument("--alpha", type=float, default=0.05, help="family-wise error rate")
    parser.add_argument("--resamples", type=int, default=2_000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def format_table(report: AuditReport) -> str:
    """The report as plain text: a header, the systems table and the notes."""
    frame = report.systems_frame()
    shown = frame[
        [
            "system",
            "score",
            "ci_low",
            "ci_high",
            "n_runs",
            "run_sd",
            "rank",
            "rank_low",
            "rank_high",
            "tier",
            "letters",
            "n_unknown",
        ]
    ].copy()
    shown["run_sd"] = shown["run_sd"].map(lambda v: "-" if v is None else f"{v:.1f}")
    # names come from data: no control character may reach the terminal
    shown["system"] = shown["system"].map(clean_for_terminal)
    lines = [
        f"Noise report: {clean_for_terminal(report.source)} (reader {report.reader})",
        f"{report.n_systems} systems x {report.n_tasks} common tasks; "
        f"{report.unknown_outcomes} unknown outcome(s) counted apart; "
        f"{len(report.dropped_tasks)} task(s) left out",
        f"interval: {report.interval_method}",
        f"paired test: {report.test_method}, Holm over {len(report.pairs)} pairs: "
        f"{report.n_significant_pairs} significant at alpha {report.alpha}",
        f"minimum detectable difference (80% power): {report.mdd_median:.1f} points paired "
        f"(median pair), {report.mdd_unpaired:.1f} unpaired",
        "",
        shown.to_string(index=False, float_format=lambda v: f"{v:.1f}"),
    ]
    if report.release_contrast:
        lines += ["", "score before minus after release (points, within strata):"]
        lines += [
            f"  {clean_for_terminal(c.system)}: {c.difference:+.1f} "
            f"[{c.ci_low:+.1f}, {c.ci_high:+.1f}] ({c.n_before} before, {c.n_after} after)"
            for c in report.release_contrast
        ]
    if report.notes:
        lines += ["", "notes:"] + [f"  - {clean_for_terminal(note)}" for note in report.notes]
    return "\n".join(lines) + "\n"


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


def render(report: AuditReport, output_format: str) -> str:
    """The report in ``output_format`` (``table``, ``json`` or ``html``)."""
    if output_format == "json":
        return json.dumps(report.to_dict(), indent=2, allow_nan=False) + "\n"
    if output_format == "html":
        return render_audit_page(report)
    return format_table(report)


def run_cli(args: argparse.Namespace) -> int:
    """Read, audit, print or write."""
    options = ReaderOptions(
        task=args.task,
        system=args.system,
        score=args.score,
        run=args.run_column,
        cluster=args.cluster,
        task_date=args.task_date,
        system_date=args.system_date,
        benchmark=args.benchmark,
        metric=args.metric,
    )
    results = read_paths(args.paths, reader=args.reader, options=options)
    report = audit(
        results,
        alpha=args.alpha,
        n_resamples=args.resamples,
        seed=args.seed,
        progress=not args.no_progress,
    )
    text = render(report, args.format)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = {"table": "txt", "json": "json", "html": "html"}[args.format]
    target = args.out / f"audit.{suffix}"
    partial = target.with_suffix(target.suffix + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)  # atomic: a failed run never leaves half a report
    print(f"wrote {target}", file=sys.stderr)
    return 0
