"""Figures of notebook 01 (the dataset audit): difficulty and fix size, task age.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.figures.style import PALETTE


def figure_difficulty_and_size(
    mix: pd.DataFrame, sizes: pd.DataFrame, tasks: pd.DataFrame
) -> Figure:
    """Left: share of tasks per difficulty with its interval
    (:func:`analysis.analyses.dataset.difficulty_mix`); right: gold-patch lines changed per
    difficulty (box plot, log scale) with the mean
    (:func:`analysis.analyses.dataset.size_by_difficulty`)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.4))
    left.barh(mix["difficulty"], mix["share_pct"], color=PALETTE[0], hatch="//")
    left.errorbar(
        mix["share_pct"],
        np.arange(len(mix)),
        xerr=[mix["share_pct"] - mix["share_low"], mix["share_high"] - mix["share_pct"]],
        fmt="none",
        ecolor="black",
        capsize=3,
    )
    left.invert_yaxis()
    left.set_xlabel("share of tasks (%)")
    left.set_title("Annotated difficulty")
    right.boxplot(
        [tasks.loc[tasks["difficulty"] == level, "lines_changed"] for level in sizes["difficulty"]],
        orientation="horizontal",
        tick_labels=list(sizes["difficulty"]),
        showfliers=False,
    )
    right.scatter(
        sizes["mean_lines_changed"],
        np.arange(1, len(sizes) + 1),
        color=PALETTE[1],
        marker="D",
        zorder=3,
        label="mean",
    )
    right.invert_yaxis()
    right.set_xscale("log")
    right.set_xlabel("lines changed by the gold patch (log)")
    right.set_title("Size of the fix")
    right.legend(loc="upper right")
    return fig


def figure_task_age(years: pd.DataFrame) -> Figure:
    """Tasks created per year (bars) and the cumulative share (line, right axis), from
    :func:`analysis.analyses.dataset.tasks_by_year`."""
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.bar(
        years["year"],
        years["n_tasks"],
        color=PALETTE[0],
        hatch="..",
        label="tasks created that year",
    )
    ax.set_ylabel("tasks")
    ax.set_xlabel("year the pull request was created")
    twin = ax.twinx()
    twin.plot(
        years["year"] + 0.5,
        years["share_through_pct"],
        color=PALETTE[1],
        marker="o",
        linestyle="--",
        label="created by the end of the year (%)",
    )
    twin.axhline(50, color="grey", linewidth=0.8)
    twin.set_ylim(0, 100)
    twin.set_ylabel("cumulative share (%)")
    twin.grid(False)
    fig.legend(loc="upper left", bbox_to_anchor=(0.1, 0.95))
    return fig
