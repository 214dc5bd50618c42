"""Figures of notebook 01 (the dataset audit): difficulty and fix size, task age.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.figures.style import COLORS, PALETTE, annotate_figure, describe_figure

SOURCE = "SWE-bench Verified (princeton-nlp/SWE-bench_Verified), OpenAI's difficulty annotations"


def figure_difficulty_and_size(
    mix: pd.DataFrame, sizes: pd.DataFrame, tasks: pd.DataFrame
) -> Figure:
    """Left: share of tasks per difficulty with its interval
    (:func:`analysis.analyses.dataset.difficulty_mix`); right: gold-patch lines changed per
    difficulty (box plot, log scale) with the mean
    (:func:`analysis.analyses.dataset.size_by_difficulty`)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.5, 3.4))
    left.barh(mix["difficulty"], mix["share_pct"], color=PALETTE[0])
    left.errorbar(
        mix["share_pct"],
        np.arange(len(mix)),
        xerr=[mix["share_pct"] - mix["share_low"], mix["share_high"] - mix["share_pct"]],
        fmt="none",
        ecolor="black",
        capsize=3,
    )
    left.invert_yaxis()
    left.set_xlabel("share of tasks (%), 95% CI")
    left.set_title("Annotated difficulty", fontsize=11)
    left.grid(axis="y", visible=False)
    left.grid(axis="x", visible=True)
    right.boxplot(
        [tasks.loc[tasks["difficulty"] == level, "lines_changed"] for level in sizes["difficulty"]],
        orientation="horizontal",
        tick_labels=["" for _ in sizes["difficulty"]],
        showfliers=False,
        medianprops={"color": "black"},
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
    right.xaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: f"{value:,.0f}"))
    right.set_xlabel("lines changed by the fix (log scale)")
    right.set_title("Size of the fix (same rows)", fontsize=11)
    right.grid(axis="y", visible=False)
    right.grid(axis="x", visible=True)
    right.legend(loc="upper right")
    under_hour = mix.loc[mix["difficulty"].isin(["<15 min fix", "15 min - 1 hour"]), "share_pct"]
    annotate_figure(
        fig,
        "Most SWE-bench Verified tasks are quick, small fixes",
        f"{under_hour.sum():.0f}% of the {len(tasks)} tasks are estimated at under an hour; "
        f"median fix: {tasks['lines_changed'].median():.0f} lines changed.",
        source=SOURCE,
    )
    shares = "; ".join(
        f"{row.difficulty}: {row.share_pct:.0f}% of tasks" for row in mix.itertuples()
    )
    means = "; ".join(
        f"{row.difficulty}: mean {row.mean_lines_changed:.0f} lines" for row in sizes.itertuples()
    )
    describe_figure(
        fig,
        caption=f"{under_hour.sum():.0f}% of the tasks are estimated at under an hour "
        "(bars, with 95% CIs), and fixes grow with difficulty (boxes: quartiles of lines "
        "changed, whiskers 1.5 IQR, diamonds the mean).",
        alt=f"Left, horizontal bars of the share of tasks per difficulty ({shares}). Right, box "
        f"plots of lines changed per difficulty on a log scale ({means}).",
    )
    return fig


def figure_task_age(years: pd.DataFrame) -> Figure:
    """Tasks created per year (top) and the share created by the end of each year (bottom),
    from :func:`analysis.analyses.dataset.tasks_by_year`; two panels, one y-axis each."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 4.2), sharex=True, height_ratios=(3, 2))
    top.bar(years["year"], years["n_tasks"], color=PALETTE[0], width=0.8)
    for row in years.itertuples():
        if row.n_tasks:
            top.text(row.year, row.n_tasks, f"{row.n_tasks}", ha="center", va="bottom", fontsize=8)
    top.set_ylabel("tasks created")
    top.set_ylim(0, years["n_tasks"].max() * 1.18)
    bottom.plot(
        years["year"], years["share_through_pct"], color=PALETTE[1], marker="o", linestyle="-"
    )
    bottom.axhline(50, color=COLORS["grey"], linewidth=0.8, linestyle="--")
    bottom.text(years["year"].min(), 53, "half of all tasks", fontsize=8, color=COLORS["grey"])
    bottom.set_ylim(0, 100)
    bottom.set_ylabel("created by\nyear end (%)")
    bottom.set_xlabel("year the pull request was created")
    bottom.set_xticks(years["year"], [str(year) for year in years["year"]])
    half = years.loc[years["share_through_pct"] >= 50, "year"]
    half_year = int(half.iloc[0]) if len(half) else int(years["year"].max())
    total = int(years["n_tasks"].sum())
    annotate_figure(
        fig,
        "Verified's tasks are old",
        f"Half of the {total} tasks were created by the end of {half_year}; the oldest in "
        f"{int(years.loc[years['n_tasks'] > 0, 'year'].min())}.",
        source="SWE-bench Verified (creation date of each task's pull request)",
    )
    describe_figure(
        fig,
        caption=f"Tasks per creation year (top) and the running share (bottom): half of the "
        f"{total} tasks were created by the end of {half_year}.",
        alt="Bars of tasks created per year ("
        + ", ".join(f"{row.year}: {row.n_tasks}" for row in years.itertuples())
        + ") above a line of the cumulative share, crossing 50% in "
        + f"{half_year}.",
    )
    return fig
