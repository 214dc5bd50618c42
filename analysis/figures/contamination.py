"""Figures of notebook 05 (contamination): age slopes of the systems against their dates.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.analyses.contamination import WeightedTrend, decimal_year
from analysis.figures.style import (
    MARKERS,
    PALETTE,
    annotate_figure,
    date_axis,
    describe_figure,
)
from analysis.formatting import format_ci


def figure_age_slopes(
    per_system: pd.DataFrame, trend: WeightedTrend, by: str = "date_source"
) -> Figure:
    """Per-system age slopes (log-odds per year, 95% intervals) against the system's date,
    one marker per value of ``by``, with the weighted trend line. The y-range fits the
    estimates and the typical interval; longer intervals (near-zero-score systems) are cut
    at the edge, and the caption says how many. Returns the Figure."""

    data = per_system.dropna(subset=["date"]).reset_index(drop=True)
    dates = pd.to_datetime(data["date"], utc=True).dt.tz_localize(None)
    slope, low, high = (data[c].to_numpy(dtype=float) for c in ("slope", "low", "high"))
    # y-range: every estimate and the middle 80% of interval ends, symmetric around zero
    reach = max(
        np.nanmax(np.abs(slope)) * 1.3,
        np.nanpercentile(np.abs(np.concatenate([low, high])), 80),
        0.1,
    )
    cut = int(((low < -reach) | (high > reach)).sum())
    fig, ax = plt.subplots(figsize=(7, 4.4))
    for index, value in enumerate(sorted(data[by].astype(str).unique())):
        mask = (data[by].astype(str) == value).to_numpy()
        ax.errorbar(
            dates[mask],
            slope[mask],
            yerr=[slope[mask] - low[mask], high[mask] - slope[mask]],
            fmt=MARKERS[index % len(MARKERS)],
            color=PALETTE[index % len(PALETTE)],
            capsize=2,
            markersize=4,
            linestyle="none",
            label=f"{by.replace('_', ' ')}: {value}",
        )
    grid = pd.date_range(dates.min(), dates.max(), periods=50)
    ax.plot(
        mdates.date2num(grid),
        trend.intercept + trend.trend * decimal_year(pd.Series(grid)),
        color="#444444",
        linestyle="--",
        label="weighted trend",
    )
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.set_ylim(-reach, reach)
    date_axis(ax)
    ax.set_xlabel("model or submission date")
    ax.set_ylabel("age effect (log-odds per year of task age)")
    fig.legend(loc="outside lower center", ncols=2, fontsize=8)
    above = int((low > 0).sum())
    below = int((high < 0).sum())
    annotate_figure(
        fig,
        "No sign that older tasks are solved more often by newer models",
        f"Effect of task age on solving, per system (95% CIs), against the system's date; "
        f"trend {format_ci(trend.trend, trend.low, trend.high, unit='', digits=3)}.",
        source="SWE-bench Verified per-task results; task dates from the dataset",
    )
    cut_text = f" {cut} long intervals are cut at the plot edge." if cut else ""
    describe_figure(
        fig,
        caption=f"Per-system age effects scatter around zero ({above} of {len(data)} intervals "
        f"above zero, {below} below) with a trend per year of model date of "
        f"{format_ci(trend.trend, trend.low, trend.high, unit='', digits=3)}.{cut_text}",
        alt=f"{len(data)} points with vertical intervals around a horizontal zero line, dated "
        f"from {dates.min():%B %Y} to {dates.max():%B %Y}, with a nearly flat dashed trend line.",
    )
    return fig
