"""Figures of notebook 10 (your leaderboard): each system's score with its 95% interval.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from analysis.analyses.audit import AuditReport
from analysis.figures.style import interval_plot


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
    return ax.figure
