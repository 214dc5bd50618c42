"""Figures of notebook 09 (repeated runs): each submission's five run scores, pass@k against
pass@1, one model under several agents, and how often a one-run leaderboard swaps neighbours.

Each ``figure_*`` takes the analysis' result and returns the matplotlib Figure with its title
block and source line; each ``caption_*`` returns ``(caption, alt)`` computed from the same
result, for :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.analyses.repeated_runs import (
    TERMINAL_BENCH_SOURCE,
    RankingFlips,
    ScaffoldEffect,
    pooled_run_sd,
)
from analysis.data.results import Results
from analysis.figures.style import COLORS, FIGSIZE, annotate_figure, display_name, line_kwargs
from analysis.formatting import format_ci


def _run_dots(ax: plt.Axes, per_run: dict[str, np.ndarray], order: list[str]) -> None:
    """One row per system: its run scores as dots and their mean as a bar."""
    for position, system in enumerate(order[::-1]):
        scores = per_run[system]
        ax.scatter(scores, np.full(len(scores), position), s=16, color=COLORS["blue"], alpha=0.7)
        ax.plot(
            [scores.mean()] * 2,
            [position - 0.3, position + 0.3],
            color=COLORS["black"],
            linestyle="-",
            marker="",
        )
    ax.set_yticks(np.arange(len(order)), [display_name(s) for s in order[::-1]])
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", visible=False)


def run_score_table(results: Results) -> dict[str, np.ndarray]:
    """Per system, its run scores in percent (known trials only)."""
    frame = results.frame
    scores = frame.groupby(["system", "run"], sort=False)["score"].mean() * 100.0
    return {str(s): scores.loc[s].to_numpy() for s in results.systems}


def figure_run_scores(results: Results, table: pd.DataFrame) -> Figure:
    """Every run's score per submission (dots) and the five-run mean (tick), best first
    (``table`` from :func:`analysis.analyses.repeated_runs.noise_table`)."""
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], 0.32 * len(table) + 2.4))
    _run_dots(ax, run_score_table(results), list(table["system"]))
    ax.set_xlabel("% of trials resolved (known outcomes), one dot per run")
    sd, low, high, df = pooled_run_sd(table)
    annotate_figure(
        fig,
        "The same submission, five runs",
        f"Pooled run-to-run SD {format_ci(sd, low, high, unit=' points')}, {df} df",
        TERMINAL_BENCH_SOURCE,
    )
    return fig


def caption_run_scores(table: pd.DataFrame) -> tuple[str, str]:
    """Caption and alt text of :func:`figure_run_scores`."""
    sd, low, high, _df = pooled_run_sd(table)
    widest = table.loc[table["run_sd"].idxmax()]
    caption = (
        f"Five runs of each of {len(table)} submissions on {int(table['n_tasks'].iloc[0])} tasks "
        f"move by a pooled SD of {format_ci(sd, low, high, unit=' points')}; the noisiest, "
        f"{widest['system']}, by {widest['run_sd']:.1f} points."
    )
    alt = "Dot plot: for each submission five run scores spread around a mean tick."
    return caption, alt


def figure_pass_at_k(table: pd.DataFrame) -> Figure:
    """pass@k against k per submission (``table`` from
    :func:`analysis.analyses.repeated_runs.pass_at_k`)."""
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], 6.2))
    left_out = table.loc[~table["comparable"], "system"].nunique()
    table = table[table["comparable"]]
    wide = table.pivot(index="system", columns="k", values="pass_at_k")
    wide = wide.sort_values(wide.columns[0], ascending=False)
    for index, (system, row) in enumerate(wide.iterrows()):
        ax.plot(row.index, row.to_numpy(), label=display_name(system, 34), **line_kwargs(index))
    ax.set_xlabel("k (runs)")
    ax.set_ylabel("pass@k (%)")
    ax.set_xticks(list(wide.columns))
    ax.legend(fontsize=6, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.14))
    annotate_figure(
        fig,
        "Solved at least once in k runs",
        f"pass@k, unbiased estimator; {left_out} submission(s) with too many unknown "
        "trials left out",
        TERMINAL_BENCH_SOURCE,
    )
    return fig


def caption_pass_at_k(table: pd.DataFrame, tau: float) -> tuple[str, str]:
    """Caption and alt text of :func:`figure_pass_at_k` (``tau``: rank agreement of pass@1
    with the largest k)."""
    comparable = table[table["comparable"]]
    wide = comparable.pivot(index="system", columns="k", values="pass_at_k")
    gain = (wide[wide.columns[-1]] - wide[wide.columns[0]]).median()
    largest = comparable[comparable["k"] == wide.columns[-1]]
    half_width = ((largest["high"] - largest["low"]) / 2.0).median()
    caption = (
        f"pass@{wide.columns[-1]} exceeds pass@1 by a median {gain:.1f} points; the rankings "
        f"by the two agree with Kendall's tau {tau:.2f}. Each pass@k has a 95% t interval "
        f"over tasks (median half-width {half_width:.1f} points at k = {wide.columns[-1]}), "
        "so most curves overlap."
    )
    alt = "Rising lines, one per submission, from pass@1 to pass@5."
    return caption, alt


def figure_scaffold_runs(results: Results, effect: ScaffoldEffect) -> Figure:
    """Run scores of one model under each agent (:func:`~analysis.analyses.repeated_runs.
    scaffold_effect`): the spread between agents against the spread within one."""
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], 0.4 * len(effect.systems) + 2.4))
    _run_dots(ax, run_score_table(results), list(effect.scores.index))
    ax.set_xlabel("% of trials resolved, one dot per run")
    annotate_figure(
        fig,
        "One model, several agents",
        f"Between-agent SD {effect.between_sd:.1f} points, run-to-run SD "
        f"{effect.within_sd:.1f} points",
        TERMINAL_BENCH_SOURCE,
    )
    return fig


def caption_scaffold_runs(effect: ScaffoldEffect) -> tuple[str, str]:
    """Caption and alt text of :func:`figure_scaffold_runs`."""
    significant = int((effect.pairs["p_holm"] < 0.05).sum())
    caption = (
        f"The same model under {len(effect.systems)} agents spans {effect.spread:.1f} points; "
        f"run-to-run SD is {effect.within_sd:.1f} points (ANOVA F = {effect.f:.1f} on "
        f"{effect.df_between} and {effect.df_within} df, about these tasks only); "
        f"{significant} of {len(effect.pairs)} pairs of agents differ significantly "
        "(paired over tasks, Holm)."
    )
    alt = "Dot plot of five run scores per agent; agents separate far more than runs do."
    return caption, alt


def figure_flip_probability(flips: RankingFlips) -> Figure:
    """Neighbours in the five-run ranking: their gap against the probability that one run of
    each reverses their order."""
    adjacent = flips.adjacent
    fig, ax = plt.subplots(figsize=(6.2, 4.4))
    ax.scatter(adjacent["gap"], 100 * adjacent["flip_probability"], color=COLORS["blue"])
    ax.axhline(50, color=COLORS["black"], linestyle=":", linewidth=0.8)
    ax.set_xlabel("gap between neighbours, five-run means (points)")
    ax.set_ylabel("% of one-run pairs in reversed order")
    ax.set_ylim(-3, 60)
    annotate_figure(
        fig,
        "One run per submission reorders neighbours",
        f"Leader changes in {100 * flips.leader_changes:.0f}% of one-run leaderboards",
        TERMINAL_BENCH_SOURCE,
    )
    return fig


def caption_flip_probability(flips: RankingFlips) -> tuple[str, str]:
    """Caption and alt text of :func:`figure_flip_probability`."""
    adjacent = flips.adjacent
    caption = (
        f"Drawing one run per submission reverses a neighbouring pair with mean probability "
        f"{100 * adjacent['flip_probability'].mean():.0f}%, and names another leader than "
        f"{flips.leader} in {100 * flips.leader_changes:.0f}% of {flips.n_draws} draws."
    )
    alt = "Scatter: neighbour gap on x, reversal probability on y; small gaps reverse often."
    return caption, alt
