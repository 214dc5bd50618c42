"""Figures of notebook 03 (noise): per-system intervals, significant paired differences,
granularity against noise, and rank intervals.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from analysis.analyses.leaderboard import difference_matrix
from analysis.figures.style import PALETTE, heatmap, interval_plot
from analysis.stats.noise import RunToRunNoise


def figure_system_intervals(intervals: pd.DataFrame) -> Figure:
    """Each system's score with its repository-clustered 95% interval
    (:func:`analysis.analyses.leaderboard.system_intervals`)."""
    ax = interval_plot(
        intervals,
        score="score",
        low="clustered_low",
        high="clustered_high",
        label="system",
        xlabel="% resolved (bash-only), 95% interval clustered by repository",
    )
    return ax.figure


def figure_pairwise_differences(pairs: pd.DataFrame, order: list[str]) -> Figure:
    """Heatmap of the significant paired differences (row minus column, points; blank = not
    significant after Holm correction) from :func:`analysis.analyses.leaderboard.all_pairs`."""
    differences = difference_matrix(pairs, order=order) * 100
    p_values = difference_matrix(pairs, value="p_adjusted", order=order)
    shown = differences.where(p_values < 0.05)
    short = [name.split(" (")[0] for name in shown.index]
    if len(set(short)) == len(short):  # shorter labels only while they stay unique
        shown.index, shown.columns = short, short
    fig, ax = plt.subplots(figsize=(7.5, 6.8))
    heatmap(shown, ax=ax, center=0.0, colorbar_label="row minus column (points)")
    ax.tick_params(labelsize=7)
    ax.set_title("Significant paired differences; blank = not significant", fontsize=10)
    return fig


def figure_granularity_versus_noise(at_500: pd.Series, noise: RunToRunNoise, best: float) -> Figure:
    """The score's granularity against its noise scales, in points, at a ``best``% score on
    500 tasks (``at_500`` from :func:`analysis.analyses.leaderboard.noise_summary`)."""
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
    return fig


def figure_rank_intervals(ranks: pd.DataFrame) -> Figure:
    """Observed rank with its bootstrap 95% interval per system
    (:func:`analysis.analyses.leaderboard.bash_only_ranking_stability`)."""
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
    return ax.figure
