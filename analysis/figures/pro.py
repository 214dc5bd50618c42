"""Figures of notebook 07 (SWE-bench Pro): patch sizes against Verified, and the scores.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.figures.style import interval_plot, line_kwargs


def figure_patch_sizes(pro_loc: pd.DataFrame, verified_tasks: pd.DataFrame) -> Figure:
    """Distribution of gold-patch lines changed, Pro public set against Verified (log x,
    cumulative share of tasks). Returns the Figure."""

    fig, ax = plt.subplots()
    for index, (label, values) in enumerate(
        (("Verified", verified_tasks["lines_changed"]), ("Pro (public)", pro_loc["lines_changed"]))
    ):
        sorted_values = np.sort(np.asarray(values, dtype=float))
        share = np.arange(1, sorted_values.size + 1) / sorted_values.size
        ax.step(
            np.maximum(sorted_values, 1),
            100 * share,
            where="post",
            label=f"{label} ({sorted_values.size} tasks)",
            **{k: v for k, v in line_kwargs(index).items() if k != "marker"},
        )
    ax.set_xscale("log")
    ax.set_xlabel("gold-patch lines changed (added + removed, log scale)")
    ax.set_ylabel("tasks at or below (%)")
    ax.legend(loc="lower right")
    return fig


def figure_scores(scores: pd.DataFrame, claimed: tuple[float, float] = (55.0, 59.0)) -> Figure:
    """Pro public-set scores with Wilson 95% intervals and the claimed top range shaded."""
    ax = interval_plot(
        scores,
        score="score_pct",
        low="low_pct",
        high="high_pct",
        label="system",
        xlabel="resolved on Pro public set (%)",
    )
    ax.axvspan(*claimed, color="#999999", alpha=0.25, hatch="//", label="claimed 55-59%")
    ax.set_xlim(0, 70)
    ax.legend(loc="lower right")
    return ax.figure
