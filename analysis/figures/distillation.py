"""Figures of notebook 06 (distillation): the tornado chart and, in JupyterLab, the sliders.

Each function takes the analysis' result and returns the matplotlib Figure; the notebook
saves it with :func:`analysis.figures.style.save_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.analyses.distillation import PARAMETERS, fermi
from analysis.figures.style import (
    COLORS,
    PALETTE,
    annotate_figure,
    currency_axis,
    describe_figure,
)

SOURCE = "swe-audit Fermi model; assumptions and their sources in notebook 06"


def parameter_label(name: str) -> str:
    """A Fermi-model parameter as a readable label with its range:
    "output tokens reasoning (2,000–12,000)"."""
    p = PARAMETERS.get(name)
    text = name.replace("_", " ")
    if p is None:
        return text
    return f"{text} ({_short(p.low)}\u2013{_short(p.high)})"


def _short(value: float) -> str:
    """12000 -> "12,000", 0.2 -> "0.2": no scientific notation in labels."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def figure_tornado(
    table: pd.DataFrame,
    xlabel: str,
    money: bool = False,
    title: str = "What moves the estimate most",
    plausible: tuple[float, float] | None = None,
    mark: tuple[float, str] | None = None,
    unit: str = "",
) -> Figure:
    """A tornado chart from :func:`tornado` output: one bar per parameter from its low-end
    to its high-end value; the vertical line is the base value (every parameter at its
    central value, not the Monte Carlo median). ``money`` formats the axis as dollars;
    ``plausible`` (low, high) shades the Monte Carlo plausible range and ``mark`` (value,
    label) draws a reference line, so whatever the caption cites is drawn; ``unit`` follows
    values in the texts (" billion tokens"). Returns the Figure."""

    data = table.iloc[::-1].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 1.6 + 0.42 * max(len(data), 1)))
    positions = np.arange(len(data))
    base = float(data["base_value"].iloc[0]) if len(data) else 0.0
    if plausible is not None:
        ax.axvspan(
            *plausible,
            color=COLORS["light_grey"],
            alpha=0.5,
            linewidth=0,
            label="Monte Carlo plausible range (95%)",
        )
    for column, colour, label in (
        ("low_value", PALETTE[0], "parameter at its low end"),
        ("high_value", PALETTE[1], "parameter at its high end"),
    ):
        ax.barh(
            positions,
            data[column].to_numpy() - data["base_value"].to_numpy(),
            left=data["base_value"].to_numpy(),
            color=colour,
            edgecolor="white",
            label=label,
            height=0.6,
        )
    if len(data):
        ax.axvline(base, color="#222222", linewidth=1, label="all at central values")
    if mark is not None:
        ax.axvline(mark[0], color=PALETTE[4], linewidth=1.2, linestyle="--", label=mark[1])
    ax.set_yticks(positions, [parameter_label(name) for name in data["parameter"]])
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    if money:
        currency_axis(ax)
    ax.set_xlabel(xlabel)
    fig.legend(loc="outside lower center", ncols=2, fontsize=8)
    shown = (lambda v: f"${v / 1e6:,.2f} million") if money else (lambda v: f"{v:,.0f}{unit}")
    top = [parameter_label(name) for name in table["parameter"].head(2)]
    annotate_figure(
        fig,
        title,
        f"Each bar moves one assumption to the ends of its range, the rest at their central "
        f"values (black line: {shown(base)}).",
        source=SOURCE,
    )
    extra = ""
    if plausible is not None:
        extra += (
            f" The grey band is the Monte Carlo plausible range, "
            f"{shown(plausible[0])}\u2013{shown(plausible[1])}."
        )
    if mark is not None:
        extra += f" The dashed line marks {mark[1]}."
    describe_figure(
        fig,
        caption=f"With every assumption at its central value the estimate is {shown(base)}; "
        f"{' and '.join(top)} move it most." + extra,
        alt=f"Tornado chart of {len(data)} assumptions, widest bar at the top ("
        + "; ".join(
            f"{parameter_label(row.parameter)}: {shown(row.low_value)} to {shown(row.high_value)}"
            for row in table.itertuples()
        )
        + ").",
    )
    return fig


def in_jupyterlab() -> bool:
    """True inside a kernel started by a Jupyter server (JupyterLab sets JPY_SESSION_NAME);
    False under nbclient/nbconvert, nbval and the static report."""
    import os

    return bool(os.environ.get("JPY_SESSION_NAME"))


def show_sliders(force: bool = False) -> bool:
    """In JupyterLab, sliders (ipywidgets) that move each assumption and re-run the Fermi
    model; elsewhere (static report, nbval) nothing is shown and the default view above
    stands. Returns whether sliders were shown."""
    if not (force or in_jupyterlab()):
        # nothing printed: a saved note would also show inside JupyterLab, where it is wrong
        return False
    import ipywidgets as widgets
    from IPython.display import display

    sliders = {
        name: widgets.FloatLogSlider(
            value=p.default,
            base=10,
            min=np.log10(p.low),
            max=np.log10(p.high),
            description=name,
            continuous_update=False,
            readout_format=".3g",
            style={"description_width": "200px"},
            layout={"width": "600px"},
        )
        for name, p in PARAMETERS.items()
    }
    output = widgets.Output()

    def update(_change: object = None) -> None:
        values = fermi({name: slider.value for name, slider in sliders.items()})
        output.clear_output()
        with output:
            print(f"total tokens: {values['total_tokens_billion']:.1f} billion")
            print(f"list-price cost: ${values['cost_usd'] / 1e6:.2f} million")
            print(f"exchanges per account: {values['exchanges_per_account']:.0f}")
            print(f"days needed at the rate limits: {values['days_needed']:.2f}")

    for slider in sliders.values():
        slider.observe(update, names="value")
    update()
    display(widgets.VBox([*sliders.values(), output]))
    return True
