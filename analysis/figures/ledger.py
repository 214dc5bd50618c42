"""Figures of notebook 00 (the claims ledger): how each article's claims fare.

The lead figure of the report: one bar per seed article, split by verdict in the site's
verdict colours, each segment labelled with its count. Each function takes the ledger and
returns the matplotlib Figure with its title block, caption and alt text attached; the
notebook saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.claims.types import ARTICLES
from analysis.figures.style import VERDICT_COLORS, annotate_figure, describe_figure


def article_label(source: str, articles: dict[str, str] | None = None) -> str:
    """Short label of a seed article: author or outlet and date ("Ikesan, 2026-02")."""
    title = (ARTICLES if articles is None else articles).get(source)
    if not title:
        return str(source)
    parts = [part.strip() for part in title.split(",")]
    return f"{parts[0]}, {parts[-1]}" if len(parts) > 1 else parts[0]


def verdict_order(verdicts: pd.Series) -> list[str]:
    """The verdicts present, in the site's order (:data:`VERDICT_COLORS`), then any others."""
    present = [str(v) for v in verdicts.dropna().unique()]
    known = [verdict for verdict in VERDICT_COLORS if verdict in present]
    return known + sorted(verdict for verdict in present if verdict not in VERDICT_COLORS)


def figure_verdicts_by_article(ledger: pd.DataFrame) -> Figure:
    """Stacked bars: claims per article (``source``) by verdict, counts in the segments."""
    order = verdict_order(ledger["verdict"])
    by_source = (
        ledger.groupby(["source", "verdict"]).size().unstack(fill_value=0).reindex(columns=order)
    ).fillna(0)
    labels = [article_label(str(source)) for source in by_source.index]
    fig, ax = plt.subplots(figsize=(7, 1.3 + 0.75 * len(by_source)))
    positions = np.arange(len(by_source), dtype=float)
    left = np.zeros(len(by_source))
    for verdict in order:
        values = by_source[verdict].to_numpy(dtype=int)
        colour = VERDICT_COLORS.get(verdict, "#999999")
        bars = ax.barh(
            positions, values, left=left, height=0.5, color=colour, edgecolor="white", label=verdict
        )
        ax.bar_label(
            bars,
            labels=[str(v) if v else "" for v in values],
            label_type="center",
            color="white",
            fontsize=9,
            fontweight="bold",
        )
        left += values
    for position, total in enumerate(left):
        ax.text(total + 0.2, position, f"{int(total)} claims", va="center", fontsize=9)
        # the article's name above its bar, so long names do not squeeze the plot
        ax.text(0, position - 0.3, labels[position], va="bottom", ha="left", fontsize=10)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.invert_yaxis()
    ax.set_xlim(0, max(left.max() * 1.18, 1))
    ax.set_xlabel("claims")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    fig.legend(
        ncols=len(order) if len(order) <= 4 else 3,
        loc="outside lower left",
        fontsize=9,
        frameon=False,
    )
    totals = ledger["verdict"].value_counts()
    tally = ", ".join(f"{int(totals[v])} {v}" for v in order)
    annotate_figure(
        fig,
        "What happens to the articles' claims when measured on public data",
        f"{len(ledger)} quantitative claims from {len(by_source)} articles: {tally}.",
        source="swe-audit claims ledger (verdicts computed from public SWE-bench data)",
    )
    describe_figure(
        fig,
        caption=f"Of {len(ledger)} claims, {tally}; bars split each article's claims by "
        "verdict, in the site's verdict colours.",
        alt="Horizontal stacked bars, one per article ("
        + "; ".join(
            f"{label}: "
            + ", ".join(f"{int(by_source.loc[src, v])} {v}" for v in order if by_source.loc[src, v])
            for label, src in zip(labels, by_source.index, strict=True)
        )
        + ").",
    )
    return fig
