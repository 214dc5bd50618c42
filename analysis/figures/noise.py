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
    ordered = intervals.sort_values("score", ascending=False)
    overlapping = int(
        (
            ordered["clustered_high"].iloc[1:].to_numpy()
            >= ordered["clustered_low"].iloc[:-1].to_numpy()
        ).sum()
    )
    annotate_figure(
        fig,
        "Each score is only known to within a few points",
        f"{len(intervals)} systems run with the same agent; 95% CIs clustered by repository.",
        source=SOURCE,
    )
    return describe_figure(
        fig,
        caption=f"Clustered by repository, the median 95% interval of the {len(intervals)} "
        f"bash-only systems spans {widths.median():.0f} points ({widths.min():.1f} to "
        f"{widths.max():.1f}); {overlapping} of {len(ordered) - 1} neighbours' intervals overlap.",
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
        "Paired differences in points (row minus column) where the clustered paired test is "
        "significant after Holm correction; blank cells are not significant.",
        source=SOURCE,
    )
    largest_blank = 100 * pairs.loc[~pairs["significant"].astype(bool), "difference"].abs().max()
    return describe_figure(
        fig,
        caption=f"Blank cells are pairs the benchmark cannot separate once tasks are clustered by "
        f"repository: {significant} of {pairs_total} pairs differ significantly (Holm-corrected), "
        f"and gaps of up to {largest_blank:.1f} points are not significant.",
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
    ratio = scales.iloc[3] / scales.iloc[0]
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
        caption=f"The {scales.iloc[0]:.1f}-point step of one task is {ratio:.0f} times smaller "
        f"than the 95% half-width of a 500-task score ({scales.iloc[3]:.1f} points), even before "
        f"clustering by repository; the smallest detectable paired gap is {scales.iloc[4]:.1f} "
        "points.",
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
    spans = ranks["width"] if "width" in ranks else ranks["rank_high"] - ranks["rank_low"]
    annotate_figure(
        fig,
        "Ranks are uncertain too",
        "Observed rank with its 95% interval (whole repositories resampled, since tasks of "
        "one repository succeed and fail together).",
        source=SOURCE,
    )
    return describe_figure(
        fig,
        caption=f"Repository-bootstrap 95% rank intervals: median "
        f"width {spans.median():.0f} places; overlapping bars mark systems that trade places.",
        alt=f"Dot-and-whisker chart of {len(ranks)} systems' ranks with their intervals.",
    )
