"""Figures of notebook 04 (defects): never-solved curves, IRT flags, grader-aware intervals.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.analyses.defects import chronological_order, random_order_curves, unsolved_curve
from analysis.figures.style import COLORS, FIGSIZE, PALETTE, line_kwargs


def figure_unsolved_curve(
    bash_only: pd.DataFrame,
    combined: pd.DataFrame,
    dates: dict[str, object] | None = None,
    n_orders: int = 200,
    seed: int = 0,
) -> Figure:
    """Unsolved tasks as systems are added in random order (mean and 95% band), for the
    bash-only systems and for bash-only plus early submissions, and (with ``dates``) for
    all systems in submission order. Returns the Figure."""

    fig, ax = plt.subplots()
    for index, (label, matrix) in enumerate(
        (("bash-only systems", bash_only), ("bash-only + early submissions", combined))
    ):
        curve = random_order_curves(matrix, n_orders=n_orders, seed=seed)
        style = line_kwargs(index)
        ax.plot(curve["systems"], curve["mean"], label=label, markevery=5, **style)
        ax.fill_between(
            curve["systems"],
            curve["low"],
            curve["high"],
            color=style["color"],
            alpha=0.2,
            linewidth=0,
        )
    if dates:
        order = chronological_order(dates, list(combined.index))
        curve = unsolved_curve(combined, order)
        ax.plot(
            curve["systems"],
            curve["unsolved"],
            label="all, in submission order",
            color="#222222",
            linestyle=":",
        )
    ax.set_xlabel("systems added")
    ax.set_ylabel("tasks no system solves")
    ax.set_ylim(bottom=0)
    ax.legend()
    return fig


def figure_flags(flags: pd.DataFrame) -> Figure:
    """2PL difficulty against item-rest correlation, flagged tasks marked. Returns the Figure."""

    fig, ax = plt.subplots()
    groups = (
        ("not flagged", ~flags["flagged"], PALETTE[0], "o"),
        ("never solved", flags["never_solved"], PALETTE[4], "x"),
        (
            "misfit or negative discrimination",
            (flags["misfit"] | flags["negative_discrimination"]) & ~flags["never_solved"],
            PALETTE[1],
            "s",
        ),
    )
    for label, mask, colour, marker in groups:
        subset = flags[mask]
        if label == "never solved":
            # every never-solved task gets the same difficulty and no correlation: one point
            label = "never solved, all at one point"
        ax.scatter(
            subset["difficulty"],
            subset["item_rest_correlation"].fillna(0),
            s=14,
            color=colour,
            marker=marker,
            label=f"{label} ({len(subset)})",
            alpha=0.8,
        )
    ax.axhline(0, color="#444444", linewidth=0.8)
    ax.set_xlabel("IRT difficulty (2PL, logits)")
    ax.set_ylabel("item-rest correlation (0 when undefined)")
    ax.legend(loc="upper right")
    return fig


def figure_grader_aware(scores: pd.DataFrame) -> Figure:
    """Plain and grader-aware 95% intervals per system (rows, best at the top).

    Plain: black line with a filled circle at the observed score; grader-aware: thick grey
    bar with an open diamond at the corrected score, so the two read apart in grayscale.
    Takes the frame of :func:`grader_aware_scores`. Returns the Figure.
    """

    # bottom to top, so that read from the top the rows follow the table (best first)
    data = scores.sort_values(["observed_pct", "system"], ascending=[True, False])
    positions = np.arange(len(data))
    height = min(max(3.0, 0.3 * len(data) + 1.2), 10.0)
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], height))
    ax.hlines(
        positions - 0.15,
        data["grader_low_pct"],
        data["grader_high_pct"],
        color=COLORS["grey"],
        linewidth=5,
        label="grader-aware 95%",
    )
    ax.plot(
        data["corrected_pct"],
        positions - 0.15,
        linestyle="none",
        marker="D",
        markersize=5,
        markerfacecolor="white",
        markeredgecolor="black",
        label="corrected (midpoint rates)",
    )
    ax.hlines(
        positions + 0.15,
        data["plain_low_pct"],
        data["plain_high_pct"],
        color="black",
        linewidth=1.2,
        label="plain 95% (tasks resampled)",
    )
    ax.plot(
        data["observed_pct"],
        positions + 0.15,
        linestyle="none",
        marker="o",
        markersize=4,
        color="black",
        label="observed",
    )
    ax.set_yticks(positions, [str(name).replace("$", r"\$") for name in data["system"]])
    ax.grid(axis="x", visible=True)
    ax.grid(axis="y", visible=False)
    ax.set_ylim(-0.7, len(data) - 0.3)
    ax.set_xlabel("resolved (%)")
    ax.set_xlim(0, 100)
    ax.legend(loc="lower right", fontsize=8)  # weak systems sit left: bottom right is free
    return fig
