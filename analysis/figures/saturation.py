"""Figures of notebook 02 (saturation): the best-so-far frontiers with their fitted ceilings,
and cost against score on the bash-only leaderboard.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from analysis.figures.style import PALETTE, style_series
from analysis.stats.saturation import SaturationFit


def figure_best_so_far(
    boards: Mapping[str, str],
    frontiers: Mapping[str, pd.DataFrame],
    fits: Mapping[tuple[str, str], SaturationFit],
) -> Figure:
    """One panel per leaderboard (``boards``: name -> title): submissions, the best-so-far
    step (:func:`analysis.analyses.leaderboard.frontier`) and the logistic and Gompertz fits
    with their asymptote intervals (:func:`analysis.analyses.leaderboard.saturation_fits`)."""
    fig, axes = plt.subplots(1, 2, figsize=(7.8, 3.6), sharey=True)
    for ax, (board, label) in zip(axes, boards.items(), strict=True):
        frame = frontiers[board]
        ax.scatter(frame["date"], frame["score"], s=10, color="grey", alpha=0.5, label="submission")
        ax.step(
            frame["date"], frame["best_so_far"], where="post", color=PALETTE[0], label="best so far"
        )
        grid = pd.date_range(frame["date"].min(), pd.Timestamp("2026-12-31"), periods=200)
        for index, model in enumerate(("logistic", "gompertz")):
            fit = fits[(board, model)]
            style = style_series(index + 1)
            ax.plot(
                grid,
                fit.predict(grid),
                color=style["color"],
                linestyle=style["linestyle"],
                label=f"{model} fit",
            )
            ax.axhspan(*fit.asymptote_interval, color=style["color"], alpha=0.12)
        ax.set_title(label)
        ax.set_ylim(0, 100)
        ax.tick_params(axis="x", labelrotation=45)
    axes[0].set_ylabel("% resolved")
    axes[1].legend(loc="lower right", fontsize=8)
    return fig


def figure_cost_versus_score(costs: pd.DataFrame) -> Figure:
    """Score (Wilson 95%) against the cost of one run per bash-only system, with the Pareto
    front labelled (:func:`analysis.analyses.leaderboard.cost_versus_score`)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    priced = costs.dropna(subset=["cost_usd"])
    ax.errorbar(
        priced["cost_usd"],
        priced["score_pct"],
        yerr=[priced["score_pct"] - priced["low"], priced["high"] - priced["score_pct"]],
        fmt="o",
        color="grey",
        alpha=0.6,
        markersize=4,
        label="system (Wilson 95%)",
    )
    front = priced[priced["pareto"]].sort_values("cost_usd")
    ax.plot(
        front["cost_usd"],
        front["score_pct"],
        color=PALETTE[1],
        marker="D",
        linestyle="--",
        label="Pareto front",
    )
    for index, row in enumerate(front.itertuples()):
        # alternate labels above and below the front so neighbours do not collide
        left = index == 0  # the cheapest label would run off the axis to the left
        ax.annotate(
            row.system.split(" (")[0],
            (row.cost_usd, row.score_pct),
            fontsize=7,
            ha="left" if left else "right",
            textcoords="offset points",
            xytext=(6 if left else -6, 8 if index % 2 else -14),
        )
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda value, _: f"${value:,.0f}"))
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set_xticks([10, 30, 100, 300, 1000])
    ax.set_xlabel("cost of one run over 500 tasks (USD, log)")
    ax.set_ylabel("% resolved (bash-only)")
    ax.legend(loc="lower right")
    return fig
