"""Figures of notebook 07 (SWE-bench Pro): patch sizes against Verified, and the scores.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.figures.style import (
    COLORS,
    annotate_figure,
    describe_figure,
    display_name,
    interval_plot,
    line_kwargs,
)

SOURCE = "SWE-bench Pro public set (Scale AI: tasks, gold-patch sizes, per-task results)"


def figure_patch_sizes(pro_loc: pd.DataFrame, verified_tasks: pd.DataFrame) -> Figure:
    """Distribution of gold-patch lines changed, Pro public set against Verified (log x,
    cumulative share of tasks). Returns the Figure."""

    fig, ax = plt.subplots()
    medians = {}
    for index, (label, values) in enumerate(
        (("Verified", verified_tasks["lines_changed"]), ("Pro (public)", pro_loc["lines_changed"]))
    ):
        sorted_values = np.sort(np.asarray(values, dtype=float))
        share = np.arange(1, sorted_values.size + 1) / sorted_values.size
        medians[label] = (float(np.median(sorted_values)), sorted_values.size)
        ax.step(
            np.maximum(sorted_values, 1),
            100 * share,
            where="post",
            label=f"{label} ({sorted_values.size:,} tasks)",
            **{k: v for k, v in line_kwargs(index).items() if k != "marker"},
        )
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.set_xlabel("gold-patch lines changed (added + removed, log scale)")
    ax.set_ylabel("tasks at or below (%)")
    ax.legend(loc="lower right")
    (v_median, v_n), (p_median, p_n) = medians["Verified"], medians["Pro (public)"]
    ratio = p_median / v_median if v_median else float("nan")
    annotate_figure(
        fig,
        "SWE-bench Pro's fixes are much larger than Verified's",
        f"Share of tasks whose gold patch changes at most x lines; medians {v_median:,.0f} "
        f"(Verified) and {p_median:,.0f} lines (Pro public set).",
        source=SOURCE + "; SWE-bench Verified",
    )
    describe_figure(
        fig,
        caption=f"The median Pro public task changes {p_median:,.0f} lines, {ratio:.0f} times "
        f"Verified's {v_median:,.0f}; the Pro curve sits to the right at every share.",
        alt=f"Two cumulative step curves on a log axis of lines changed: Verified ({v_n} tasks) "
        f"rising early, Pro ({p_n} tasks) to its right.",
    )
    return fig


def figure_scores(
    scores: pd.DataFrame,
    claimed: tuple[float, float] = (55.0, 59.0),
    verdict: str = "not testable",
    public_tasks: int | None = None,
) -> Figure:
    """Pro public-set scores with their 95% intervals (as computed by
    :func:`analysis.analyses.pro.pro_scores`: clustered by repository when given the
    clusters, else Wilson) and the claimed top range as a
    neutral band (its ``verdict`` in the legend: the band is the claim, not a finding).
    Runs graded on fewer than ``public_tasks`` (default: the largest count) say so beside
    their interval. Returns the Figure."""
    total = int(public_tasks or scores["tasks"].max())
    shown = scores.assign(label=[display_name(system) for system in scores["system"]])
    ax = interval_plot(
        shown,
        score="score_pct",
        low="low_pct",
        high="high_pct",
        label="label",
        xlabel="resolved on the Pro public set (%), 95% CI",
    )
    ax.axvspan(
        *claimed,
        color=COLORS["light_grey"],
        alpha=0.7,
        linewidth=0,
        label=f"claimed {claimed[0]:.0f}\u2013{claimed[1]:.0f}% ({verdict})",
    )
    ax.set_xlim(0, 70)
    # runs graded on fewer tasks say so beside their interval (interval_plot's row order)
    for position, row in enumerate(shown.sort_values("score_pct").itertuples()):
        if int(row.tasks) < total:
            ax.text(
                row.high_pct + 1,
                position,
                f"{int(row.tasks)} of {total:,} tasks",
                va="center",
                fontsize=8,
                color=COLORS["grey"],
            )
    ax.legend(loc="lower right", fontsize=8)
    fig = ax.figure
    partial = int((scores["tasks"] < total).sum())
    reaching = int((scores["high_pct"] >= claimed[0]).sum())
    best = scores.sort_values("score_pct").iloc[-1] if len(scores) else None
    below = bool((scores["score_pct"] < claimed[0]).all())
    annotate_figure(
        fig,
        "No public SWE-bench Pro run reaches the claimed top scores"
        if below
        else "Public SWE-bench Pro runs against the claimed top scores",
        f"Runs with public per-task results on the {total:,}-task public set (95% CIs); the grey "
        "band is the claimed range, whose runs are not public.",
        source=SOURCE,
    )
    best_text = (
        f"the best, {display_name(best.system)}, scores {best.score_pct:.1f}%"
        if best is not None
        else "no run has results"
    )
    describe_figure(
        fig,
        caption=f"{reaching} of {len(scores)} runs with public per-task results have an "
        f"interval reaching the claimed {claimed[0]:.0f}\u2013{claimed[1]:.0f}% ({verdict}: "
        f"the claimed runs are not public); {best_text}."
        + (f" {partial} run(s) were graded on fewer tasks, as labelled." if partial else ""),
        alt=f"Dot-and-whisker chart of {len(scores)} runs, "
        + ("all below" if below else "against")
        + " a grey band at "
        f"{claimed[0]:.0f}\u2013{claimed[1]:.0f}%; {partial} of them graded on fewer than all "
        f"{total:,} public tasks, as noted beside them.",
    )
    return fig
