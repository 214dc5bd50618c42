"""Figures of notebook 00 (the claims ledger): how each article's claims fare.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.claims.types import VERDICTS
from analysis.figures.style import PALETTE


def figure_verdicts_by_article(ledger: pd.DataFrame) -> Figure:
    """Stacked bars: claims per article (``source``) by verdict, in :data:`VERDICTS` order."""
    by_source = (
        ledger.groupby(["source", "verdict"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(VERDICTS), fill_value=0)
    )
    fig, ax = plt.subplots(figsize=(7, 2.6))
    left = np.zeros(len(by_source))
    hatches = ["", "\\\\", "//", "xx", "--", ".."]  # one per verdict
    for index, verdict in enumerate(VERDICTS):
        values = by_source[verdict].to_numpy()
        ax.barh(
            [f"article {source}" for source in by_source.index],
            values,
            left=left,
            color=PALETTE[index],
            hatch=hatches[index],
            label=verdict,
        )
        left += values
    ax.set_xlabel("claims")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.legend(ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.35), fontsize=8)
    return fig
