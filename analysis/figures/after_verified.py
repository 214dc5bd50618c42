"""Figures of notebook 08 (after Verified): the audit ceiling against every system's interval,
who solves the tasks no bash-only system solved, difficulty agreement between the two
leaderboards, and scaffold against model.

Each ``figure_*`` takes the analysis' result and returns the matplotlib Figure with its title
block and source line; each ``caption_*`` returns ``(caption, alt)`` computed from the same
result, for :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.analyses.after_verified import (
    OPENHANDS_SOURCE,
    DifficultyAgreement,
    UnsolvedTasks,
)
from analysis.figures.style import COLORS, FIGSIZE, annotate_figure, display_name, interval_plot
from analysis.formatting import format_ci

BASH_ONLY_SOURCE = "SWE-bench bash-only leaderboard (per-task results)"


def figure_ceiling(table: pd.DataFrame, top: int = 15) -> Figure:
    """The ``top`` systems' scores with their clustered 95% intervals and the audit's implied
    ceiling (``table`` from :func:`analysis.analyses.after_verified.ceiling_table`)."""
    shown = table.head(top).assign(label=lambda t: t["system"].map(display_name))
    ax = interval_plot(
        shown,
        label="label",
        xlabel="% resolved on SWE-bench Verified, 95% interval clustered by repository",
    )
    ceiling = table.attrs["ceiling_pct"]
    ax.axvline(ceiling, color=COLORS["vermillion"], linestyle="--", linewidth=1.2)
    ax.text(
        ceiling,
        len(shown) - 0.4,
        f" audit ceiling {ceiling:.1f}%",
        color=COLORS["vermillion"],
        fontsize="small",
        va="bottom",
    )
    ax.tick_params(axis="y", labelsize=7)
    fig = ax.figure
    fig.set_size_inches(FIGSIZE[0], max(fig.get_size_inches()[1], 4.5) + 0.8)
    annotate_figure(
        fig,
        "Scores against the ceiling the audit implies",
        f"Top {len(shown)} of {len(table)} OpenHands Index systems",
        OPENHANDS_SOURCE,
    )
    return fig


def caption_ceiling(table: pd.DataFrame) -> tuple[str, str]:
    """Caption and alt text of :func:`figure_ceiling`."""
    ceiling = table.attrs["ceiling_pct"]
    above = table[table["above_ceiling"]]
    significant = int(table["significantly_above"].sum())
    best = table.iloc[0]
    caption = (
        f"{len(above)} of {len(table)} systems score above the {ceiling:.1f}% ceiling; "
        f"{significant} with the whole 95% interval above it (best: "
        f"{format_ci(best['score'], best['low'], best['high'])})."
    )
    alt = (
        f"Dot-and-whisker chart of the best OpenHands Index systems' Verified scores with a "
        f"dashed line at {ceiling:.1f}%; only the top system's interval lies right of the line."
        if significant == 1
        else f"Dot-and-whisker chart of Verified scores with a dashed line at {ceiling:.1f}%."
    )
    return caption, alt


def figure_unsolved_solvers(unsolved: UnsolvedTasks, top: int = 12) -> Figure:
    """How many of the tasks no bash-only system solved each OpenHands Index system solves."""
    shown = unsolved.solvers.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], 0.3 * len(shown) + 2.2))
    ax.barh([display_name(s) for s in shown["system"]], shown["solved"], color=COLORS["blue"])
    ax.set_xlabel(f"tasks solved of the {len(unsolved.bash_unsolved)} no bash-only system solved")
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", visible=False)
    annotate_figure(
        fig,
        "Who solves the tasks the bash-only leaderboard never solved",
        f"{len(unsolved.now_solved)} now solved, {len(unsolved.still_unsolved)} by none of "
        f"{unsolved.n_systems} systems",
        f"{OPENHANDS_SOURCE}; {BASH_ONLY_SOURCE}",
    )
    return fig


def caption_unsolved_solvers(unsolved: UnsolvedTasks) -> tuple[str, str]:
    """Caption and alt text of :func:`figure_unsolved_solvers`."""
    first = unsolved.solvers.iloc[0]
    caption = (
        f"Of the {len(unsolved.bash_unsolved)} tasks none of {unsolved.n_bash} bash-only systems "
        f"solved, {len(unsolved.now_solved)} are solved by at least one of {unsolved.n_openhands} "
        f"OpenHands Index systems; {first['system']} alone solves {int(first['solved'])}."
    )
    alt = "Horizontal bars: for each system, how many previously never-solved tasks it solves."
    return caption, alt


def figure_difficulty_agreement(agreement: DifficultyAgreement) -> Figure:
    """Per-task solve rate on the bash-only leaderboard against the OpenHands Index."""
    rates = agreement.rates
    fig, ax = plt.subplots(figsize=(6.0, 5.4))
    rng = np.random.default_rng(0)  # jitter only, so overlapping tasks stay visible
    jitter = rng.uniform(-0.008, 0.008, size=(2, len(rates)))
    ax.scatter(
        100 * rates["rate_a"] + 100 * jitter[0],
        100 * rates["rate_b"] + 100 * jitter[1],
        s=9,
        alpha=0.5,
        color=COLORS["blue"],
    )
    ax.plot([0, 100], [0, 100], color=COLORS["black"], linewidth=0.8, linestyle=":")
    ax.set_xlabel("% of bash-only systems solving the task")
    ax.set_ylabel("% of OpenHands Index systems solving it")
    rho = format_ci(agreement.spearman, agreement.low, agreement.high, unit="", digits=2)
    annotate_figure(
        fig,
        "Both leaderboards find the same tasks hard",
        f"Spearman {rho} over {agreement.n_tasks} tasks",
        f"{OPENHANDS_SOURCE}; {BASH_ONLY_SOURCE}",
    )
    return fig


def caption_difficulty_agreement(agreement: DifficultyAgreement) -> tuple[str, str]:
    """Caption and alt text of :func:`figure_difficulty_agreement`."""
    caption = (
        "Per-task solve rates agree between the two leaderboards: Spearman "
        f"{format_ci(agreement.spearman, agreement.low, agreement.high, unit='', digits=2)} "
        f"({agreement.method})."
    )
    alt = (
        "Scatter of per-task solve rates, bash-only on x, OpenHands Index on y, near the diagonal."
    )
    return caption, alt


def figure_scaffold_pairs(pairs: pd.DataFrame, title: str, source: str) -> Figure:
    """Paired differences (``system_a`` minus ``system_b``, points) with their clustered 95%
    intervals (:func:`~analysis.analyses.after_verified.scaffold_pairs` or
    :func:`~analysis.analyses.after_verified.bash_only_pairs`)."""
    shown = pairs.assign(
        label=[
            f"{display_name(a)}\nvs {display_name(b)}"
            for a, b in zip(pairs["system_a"], pairs["system_b"], strict=True)
        ]
    )
    ax = interval_plot(
        shown,
        score="difference",
        label="label",
        sort=False,
        xlabel="difference in % resolved (first minus second), 95% clustered interval",
    )
    ax.axvline(0.0, color=COLORS["black"], linewidth=0.8)
    ax.tick_params(axis="y", labelsize=6.5)
    fig = ax.figure
    fig.set_size_inches(FIGSIZE[0], fig.get_size_inches()[1] + 1.0)
    significant = int((pairs["p_holm"] < 0.05).sum())
    annotate_figure(
        fig,
        title,
        f"{significant} of {len(pairs)} differences significant (wild cluster bootstrap, Holm)",
        source,
    )
    return fig


def caption_scaffold_pairs(pairs: pd.DataFrame, what: str) -> tuple[str, str]:
    """Caption and alt text of :func:`figure_scaffold_pairs`."""
    significant = pairs[pairs["p_holm"] < 0.05]
    largest = pairs.loc[pairs["difference"].abs().idxmax()]
    caption = (
        f"{what}: {len(significant)} of {len(pairs)} paired differences are significant after "
        f"Holm's correction; the largest is {largest['system_a']} minus {largest['system_b']}, "
        f"{format_ci(largest['difference'], largest['low'], largest['high'], unit=' points')}."
    )
    alt = "Dot-and-whisker chart of paired score differences around a vertical zero line."
    return caption, alt
