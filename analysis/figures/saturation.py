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

from analysis.figures.style import (
    COLORS,
    PALETTE,
    annotate_figure,
    currency_axis,
    date_axis,
    describe_figure,
    display_name,
    label_text,
    style_series,
)
from analysis.stats.saturation import SaturationFit


def _envelope(fits: Mapping[tuple[str, str], SaturationFit], board: str) -> tuple[float, float]:
    """The two fits' asymptote intervals joined: their disagreement is part of the
    uncertainty, so neither curve's interval alone is quoted."""
    intervals = [fit.asymptote_interval for (name, _model), fit in fits.items() if name == board]
    return min(low for low, _ in intervals), max(high for _, high in intervals)


def figure_best_so_far(
    boards: Mapping[str, str],
    frontiers: Mapping[str, pd.DataFrame],
    fits: Mapping[tuple[str, str], SaturationFit],
) -> Figure:
    """One panel per leaderboard (``boards``: name -> title): submissions, the best-so-far
    step (:func:`analysis.analyses.leaderboard.frontier`) and the logistic and Gompertz fits,
    with the ceiling band spanning both fits' 95% intervals
    (:func:`analysis.analyses.leaderboard.saturation_fits`)."""
    fig, axes = plt.subplots(1, 2, figsize=(7.8, 3.8), sharey=True)
    parts = []
    for ax, (board, label) in zip(axes, boards.items(), strict=True):
        frame = frontiers[board]
        low, high = _envelope(fits, board)
        ax.axhspan(
            low,
            high,
            color=COLORS["light_grey"],
            alpha=0.6,
            linewidth=0,
            label="fitted ceiling, both fits' 95% CIs",
        )
        ax.scatter(frame["date"], frame["score"], s=10, color="grey", alpha=0.5, label="submission")
        ax.step(
            frame["date"], frame["best_so_far"], where="post", color=PALETTE[0], label="best so far"
        )
        grid = pd.date_range(frame["date"].min(), pd.Timestamp("2026-12-31"), periods=200)
        for index, model in enumerate(("logistic", "gompertz")):
            style = style_series(index + 1)
            ax.plot(
                grid,
                fits[(board, model)].predict(grid),
                color=style["color"],
                linestyle=style["linestyle"],
                label=f"{model} fit",
            )
        ax.set_title(label, fontsize=10)
        ax.set_ylim(0, 100)
        date_axis(ax)
        parts.append(f"{label}: ceiling between {low:.0f}% and {high:.0f}%")
    axes[0].set_ylabel("% resolved")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8)
    annotate_figure(
        fig,
        "The best SWE-bench scores are levelling off",
        "Best score so far and two fitted S-curves; the grey band spans both fits' 95% "
        "bootstrap intervals for the ceiling.",
        source="SWE-bench leaderboards (swe-bench/experiments, snapshot 2025-12-10)",
    )
    describe_figure(
        fig,
        caption="Both frontiers rose steeply and are bending; the grey band is the fitted "
        "ceiling, spanning both fits' 95% intervals because the fits disagree ("
        + "; ".join(parts)
        + ").",
        alt="Two panels of leaderboard score against submission date, each with submissions as "
        "grey dots, a rising best-so-far step line and logistic and Gompertz curves levelling "
        "off inside a grey ceiling band (" + "; ".join(parts) + ").",
    )
    return fig


def figure_cost_versus_score(costs: pd.DataFrame) -> Figure:
    """Score (95% interval clustered by repository, CR2) against the cost of one run per
    bash-only system, with the Pareto
    front labelled (:func:`analysis.analyses.leaderboard.cost_versus_score`). Each label is
    tied to its point by a short leader line, so it cannot be read against a neighbour."""
    fig, ax = plt.subplots(figsize=(7, 4.4))
    priced = costs.dropna(subset=["cost_usd"])
    ax.errorbar(
        priced["cost_usd"],
        priced["score_pct"],
        yerr=[priced["score_pct"] - priced["low"], priced["high"] - priced["score_pct"]],
        fmt="o",
        color="grey",
        alpha=0.6,
        markersize=4,
        label="system (95% CI, clustered by repository)",
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
        # labels to the lower right, stepped down so neighbours do not collide
        ax.annotate(
            label_text(str(row.system).split(" (")[0], 28),
            (row.cost_usd, row.score_pct),
            fontsize=7.5,
            ha="left",
            va="center",
            textcoords="offset points",
            xytext=(14, -12 - 4 * (index % 2)),
            arrowprops={"arrowstyle": "-", "color": "#666666", "linewidth": 0.6},
        )
    ax.set_xscale("log")
    currency_axis(ax)
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set_xticks([10, 30, 100, 300, 1000])
    ax.set_xlabel("cost of one run over 500 tasks (log scale)")
    ax.set_ylabel("% resolved (bash-only)")
    ax.legend(loc="lower right")
    cheapest = front.iloc[0] if len(front) else None
    best = front.iloc[-1] if len(front) else None
    annotate_figure(
        fig,
        "Paying more buys a better score, up to a point",
        f"{len(priced)} systems run with the same bash-only agent on SWE-bench Verified; "
        f"{len(front)} are on the cost/score front (no other system is both cheaper and better).",
        source="SWE-bench bash-only leaderboard (per-task results and costs)",
    )
    if cheapest is not None and best is not None:
        span = f"from {_front_point(cheapest)} to {_front_point(best)}"
    else:
        span = "(no priced systems)"
    top_note = ""
    if len(front) >= 2:
        runner_up = front.iloc[-2]
        inside = runner_up["score_pct"] >= best["low"]
        top_note = (
            "; the next system down the front lies "
            + ("inside" if inside else "outside")
            + " the best one's 95% interval (clustered by repository)"
        )
    describe_figure(
        fig,
        caption=f"{len(front)} of {len(priced)} priced systems are on the front, {span}{top_note}.",
        alt=f"Scatter of score against run cost on a log dollar axis for {len(priced)} systems, "
        f"with error bars; an orange dashed line joins the {len(front)} Pareto-front systems, "
        "each labelled.",
    )
    return fig


def _front_point(row: object) -> str:
    """A front system as text: name, score and cost ("GPT-5 mini (59.8% for $18)")."""
    name = display_name(str(row.system).split(" (")[0], 28)  # type: ignore[attr-defined]
    return f"{name} ({row.score_pct:.1f}% for ${row.cost_usd:,.0f})"  # type: ignore[attr-defined]
