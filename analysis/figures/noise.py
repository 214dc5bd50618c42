"""Figures of notebook 03 (noise): per-system intervals, significant paired differences,
granularity against noise, and rank intervals.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from analysis.analyses.noise import difference_matrix
from analysis.figures.style import (
    PALETTE,
    annotate_figure,
    describe_figure,
    heatmap,
    interval_plot,
)
from analysis.stats.noise import RunToRunNoise

SOURCE = "SWE-bench bash-only leaderboard (per-task results)"


def figure_system_intervals(intervals: pd.DataFrame) -> Figure:
    """Each system's score with its repository-clustered 95% interval
    (:func:`analysis.analyses.noise.system_intervals`)."""
    ax = interval_plot(
        intervals,
        score="score",
        low="clustered_low",
        high="clustered_high",
        label="system",
        xlabel="% resolved (bash-only), 95% interval clustered by repository",
    )
    fig = ax.figure
    widths = intervals["clustered_high"] - intervals["clustered_low"]
    annotate_figure(
        fig,
        "Each score is only known to within a few points",
        f"{len(intervals)} systems run with the same agent; 95% CIs clustered by repository.",
        source=SOURCE,
    )
    return describe_figure(
        fig,
        caption=f"Scores of {len(intervals)} bash-only systems with 95% intervals "
        f"{widths.min():.1f} to {widths.max():.1f} points wide; neighbours overlap.",
        alt=f"Dot-and-whisker chart of {len(intervals)} systems, best at the top, with "
        "overlapping horizontal intervals.",
    )


def figure_pairwise_differences(pairs: pd.DataFrame, order: list[str]) -> Figure:
    """Heatmap of the significant paired differences (row minus column, points; blank = not
    significant after Holm correction) from :func:`analysis.analyses.noise.all_pairs`."""
    differences = difference_matrix(pairs, order=order) * 100
    p_values = difference_matrix(pairs, value="p_adjusted", order=order)
    shown = differences.where(p_values < 0.05)
    short = [name.split(" (")[0] for name in shown.index]
    if len(set(short)) == len(short):  # shorter labels only while they stay unique
        shown.index, shown.columns = short, short
    fig, ax = plt.subplots(figsize=(7.5, 6.8))
    heatmap(shown, ax=ax, center=0.0, colorbar_label="row minus column (points)")
    ax.tick_params(labelsize=7)
    significant = int(shown.notna().to_numpy().sum() // 2)
    pairs_total = len(shown) * (len(shown) - 1) // 2
    annotate_figure(
        fig,
        "Systems with similar scores cannot be told apart",
        "Paired differences in points (row minus column) where significant after Holm "
        "correction; blank cells are not significant.",
        source=SOURCE,
    )
    return describe_figure(
        fig,
        caption=f"{significant} of {pairs_total} pairs differ significantly (Holm-corrected); "
        "blank cells could not be told apart.",
        alt=f"Heatmap of {len(shown)} by {len(shown)} systems, coloured where the paired "
        f"difference is significant ({significant} pairs) and blank elsewhere.",
    )


def figure_granularity_versus_noise(at_500: pd.Series, noise: RunToRunNoise, best: float) -> Figure:
    """The score's granularity against its noise scales, in points, at a ``best``% score on
    500 tasks (``at_500`` from :func:`analysis.analyses.noise.noise_summary`)."""
    scales = pd.Series(
        {
            "granularity (one task of 500)": at_500["granularity"],
            "run-to-run SD (AutoCodeRover, Lite)": 100 * noise.score_sd,
            "standard error of one score": at_500["se"],
            "95% half-width of one score": at_500["half_width"],
            "smallest detectable gap, paired": at_500["mdd_paired"],
            "smallest detectable gap, unpaired": at_500["mdd_unpaired"],
        }
    )
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.barh(scales.index, scales.to_numpy(), color=[PALETTE[1]] + [PALETTE[0]] * 5)
    for position, value in enumerate(scales.to_numpy()):
        ax.text(value + 0.1, position, f"{value:.1f}", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"points, at a {best:.1f}% score on 500 tasks")
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    annotate_figure(
        fig,
        f"A score moves in steps of {scales.iloc[0]:.1f} points but is uncertain by "
        f"{scales.iloc[3]:.1f}",
        f"Granularity against noise, in points, at a {best:.1f}% score on 500 tasks.",
        source=SOURCE + "; AutoCodeRover's three runs on SWE-bench Lite",
    )
    return describe_figure(
        fig,
        caption=f"One task is {scales.iloc[0]:.1f} points, while the smallest detectable gap "
        f"between two systems is {scales.iloc[4]:.1f} points (paired).",
        alt="Horizontal bars: "
        + "; ".join(f"{name} {value:.1f}" for name, value in scales.items())
        + ".",
    )


def figure_rank_intervals(ranks: pd.DataFrame) -> Figure:
    """Observed rank with its bootstrap 95% interval per system
    (:func:`analysis.analyses.noise.bash_only_ranking_stability`)."""
    ax = interval_plot(
        ranks,
        score="rank",
        low="rank_low",
        high="rank_high",
        label="system",
        sort=False,
        xlabel="rank (1 = best): observed, with bootstrap 95% interval",
    )
    ax.set_xticks(range(1, len(ranks) + 1, 2))
    fig = ax.figure
    spans = ranks["rank_high"] - ranks["rank_low"]
    annotate_figure(
        fig,
        "Ranks are uncertain too",
        "Observed rank with its bootstrap 95% interval (tasks resampled).",
        source=SOURCE,
    )
    return describe_figure(
        fig,
        caption=f"Bootstrap 95% rank intervals span a median {spans.median():.0f} places.",
        alt=f"Dot-and-whisker chart of {len(ranks)} systems' ranks with their intervals.",
    )
