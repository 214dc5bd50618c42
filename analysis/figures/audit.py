"""Figures of notebook 10 (your leaderboard): each system's score with its 95% interval.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from analysis.analyses.audit import AuditReport
from analysis.figures.style import annotate_figure, describe_figure, interval_plot


def figure_score_intervals(report: AuditReport) -> Figure:
    """Every system's score with the report's 95% interval
    (:meth:`analysis.analyses.audit.AuditReport.systems_frame`)."""
    ax = interval_plot(
        report.systems_frame(),
        score="score",
        low="ci_low",
        high="ci_high",
        label="system",
        xlabel="score (points), 95% interval",
    )
    ax.tick_params(axis="y", labelsize=7)
    frame = report.systems_frame()
    widths = frame["ci_high"] - frame["ci_low"]
    fig = ax.figure
    annotate_figure(
        fig,
        "How precisely each score is known",
        f"{report.n_systems} systems on {report.n_tasks:,} common tasks; 95% intervals "
        f"({report.interval_method}).",
        source=f"results read with the {report.reader} reader",
    )
    describe_figure(
        fig,
        caption=f"{report.n_systems} systems on {report.n_tasks:,} tasks: 95% intervals "
        f"{widths.min():.1f} to {widths.max():.1f} points wide (median {widths.median():.1f}).",
        alt=f"Dot-and-whisker chart of {report.n_systems} systems, best at the top, each with "
        "its 95% interval.",
    )
    return fig
