"""Figures of notebook 05 (contamination): age slopes of the systems against their dates.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.analyses.contamination import decimal_year
from analysis.figures.style import MARKERS, PALETTE


def figure_age_slopes(
    per_system: pd.DataFrame, trend: dict[str, float], by: str = "date_source"
) -> Figure:
    """Per-system age slopes (log-odds per year, 95% intervals) against system date, one
    marker per value of ``by``, with the weighted trend line. Returns the Figure."""

    data = per_system.dropna(subset=["date"]).reset_index(drop=True)
    x = decimal_year(data["date"])
    slope, low, high = (data[c].to_numpy(dtype=float) for c in ("slope", "low", "high"))
    fig, ax = plt.subplots()
    for index, value in enumerate(sorted(data[by].astype(str).unique())):
        mask = (data[by].astype(str) == value).to_numpy()
        ax.errorbar(
            x[mask],
            slope[mask],
            yerr=[slope[mask] - low[mask], high[mask] - slope[mask]],
            fmt=MARKERS[index % len(MARKERS)],
            color=PALETTE[index % len(PALETTE)],
            capsize=2,
            markersize=4,
            linestyle="none",
            label=f"{by.replace('_', ' ')}: {value}",
        )
    grid = np.linspace(x.min(), x.max(), 50)
    ax.plot(
        grid,
        trend["intercept"] + trend["trend"] * grid,
        color="#444444",
        linestyle="--",
        label="weighted trend",
    )
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.set_ylim(-1, 1)  # a few near-zero-score systems have huge intervals; clip the view
    ax.set_xlabel("model or submission date (year)")
    ax.set_ylabel("age effect (log-odds per year of task age)")
    ax.legend(loc="upper left")
    return fig
