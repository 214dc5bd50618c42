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
from analysis.figures.style import (
    COLORS,
    FIGSIZE,
    PALETTE,
    annotate_figure,
    describe_figure,
    label_text,
    line_kwargs,
)

SOURCE = "SWE-bench bash-only and early leaderboard submissions (per-task results)"


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
    ends = []
    for index, (label, matrix) in enumerate(
        (("bash-only systems", bash_only), ("bash-only + early submissions", combined))
    ):
        curve = random_order_curves(matrix, n_orders=n_orders, seed=seed)
        style = line_kwargs(index)
        ax.plot(
            curve["systems"],
            curve["mean"],
            label=f"{label} ({len(matrix)}): mean, band = middle 95% of orders",
            markevery=5,
            **style,
        )
        ends.append(f"{curve['mean'].iloc[-1]:.0f} with all {len(matrix)} {label}")
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
    ax.legend(fontsize=8)
    annotate_figure(
        fig,
        "Adding systems stops shrinking the set of unsolved tasks",
        f"Tasks no system solves as systems are added in {n_orders} random orders (seed {seed}); "
        "lines are the mean, shaded bands the middle 95% of orders.",
        source=SOURCE,
    )
    describe_figure(
        fig,
        caption="The unsolved set shrinks fast with the first systems, then flattens: "
        + "; ".join(ends)
        + f". Shaded bands: the middle 95% of {n_orders} random orders.",
        alt="Falling curves of tasks no system solves against the number of systems added, "
        "each with a shaded band, flattening out (" + "; ".join(ends) + ").",
    )
    return fig


def figure_flags(flags: pd.DataFrame) -> Figure:
    """2PL difficulty against item-rest correlation, flagged tasks marked. Never-solved tasks
    all share one difficulty and have no correlation, so they are one labelled marker with
    their count. Returns the Figure."""

    fig, ax = plt.subplots()
    never = flags["never_solved"].astype(bool)
    misfit = (flags["misfit"] | flags["negative_discrimination"]).astype(bool) & ~never
    plain = ~flags["flagged"].astype(bool)
    for label, mask, colour, marker in (
        ("not flagged", plain, PALETTE[0], "o"),
        ("misfit or negative discrimination", misfit, PALETTE[1], "s"),
    ):
        subset = flags[mask]
        ax.scatter(
            subset["difficulty"],
            subset["item_rest_correlation"].fillna(0),
            s=14,
            color=colour,
            marker=marker,
            label=f"{label} ({len(subset)})",
            alpha=0.8,
        )
    n_never = int(never.sum())
    if n_never:
        x = float(flags.loc[never, "difficulty"].median())
        ax.scatter(
            [x],
            [0],
            s=120,
            color=PALETTE[4],
            marker="X",
            zorder=4,
            label=f"never solved ({n_never}, all at this one point)",
        )
        ax.annotate(
            f"{n_never} never-solved tasks",
            (x, 0),
            textcoords="offset points",
            xytext=(-10, 18),
            ha="right",
            fontsize=8,
            arrowprops={"arrowstyle": "-", "color": "#666666", "linewidth": 0.6},
        )
    ax.axhline(0, color="#444444", linewidth=0.8)
    ax.set_xlabel("IRT difficulty (2PL, logits)")
    ax.set_ylabel("item-rest correlation (0 when undefined)")
    ax.legend(loc="upper right", fontsize=8)
    n_flagged = int(flags["flagged"].sum())
    flagged_never = int((never & flags["flagged"].astype(bool)).sum())
    annotate_figure(
        fig,
        "Which tasks the item-response model flags",
        f"{n_flagged} of {len(flags)} tasks flagged: {flagged_never} never solved, "
        f"{int(misfit.sum())} misfit or with negative discrimination.",
        source=SOURCE,
    )
    share = 100 * flagged_never / n_flagged if n_flagged else 0.0
    describe_figure(
        fig,
        caption=f"{flagged_never} of the {n_flagged} flagged tasks ({share:.0f}%) are never "
        "solved; they share one difficulty and have no correlation, so they are drawn as one "
        f"marker. The other {int(misfit.sum())} flagged tasks misfit the model or are solved "
        "more often by weaker systems.",
        alt=f"Scatter of {len(flags)} tasks, difficulty against item-rest correlation: most "
        f"unflagged tasks in a band of positive correlation, {int(misfit.sum())} square "
        f"markers for misfits, and one large cross standing for {n_never} never-solved tasks.",
    )
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
    ax.set_yticks(positions, [label_text(name) for name in data["system"]])
    ax.grid(axis="x", visible=True)
    ax.grid(axis="y", visible=False)
    ax.set_ylim(-0.7, len(data) - 0.3)
    ax.set_xlabel("resolved (%)")
    ax.set_xlim(0, 100)
    ax.legend(loc="lower right", fontsize=8)  # weak systems sit left: bottom right is free
    ratio = (data["grader_high_pct"] - data["grader_low_pct"]) / (
        data["plain_high_pct"] - data["plain_low_pct"]
    )
    annotate_figure(
        fig,
        "If tests reject correct fixes, every score is less certain",
        "Plain 95% CIs (tasks resampled) against grader-aware 95% intervals under the "
        "audit's defect rate on the hardest tasks: a sensitivity analysis, not a measurement.",
        source=SOURCE + "; OpenAI's 2026 audit rates",
    )
    describe_figure(
        fig,
        caption="Under the audit's defect rate on the hardest tasks, every system's interval "
        f"widens (median {ratio.median():.1f} times as wide) and shifts up: grader-aware "
        "intervals (grey bars, corrected score as open diamond) against plain task-resampling "
        "intervals (black lines, observed score as dot). A sensitivity analysis, not a "
        "measurement.",
        alt=f"For each of {len(data)} systems, a thin black interval around the observed score "
        "and a thicker grey interval, wider and shifted right, around the corrected score.",
    )
    return fig
