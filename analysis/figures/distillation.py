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
from analysis.figures.style import PALETTE


def figure_tornado(table: pd.DataFrame, xlabel: str) -> Figure:
    """A tornado chart from :func:`tornado` output: one bar per parameter from its low-end
    to its high-end value, the base value as a vertical line. Returns the Figure."""

    data = table.iloc[::-1].reset_index(drop=True)
    fig, ax = plt.subplots()
    positions = np.arange(len(data))
    for column, colour, hatch, label in (
        ("low_value", PALETTE[0], "", "parameter at its low end"),
        ("high_value", PALETTE[1], "//", "parameter at its high end"),
    ):
        start = data["base_value"].to_numpy()
        ax.barh(
            positions,
            data[column].to_numpy() - start,
            left=start,
            color=colour,
            hatch=hatch,
            edgecolor="#222222",
            label=label,
            height=0.6,
        )
    if len(data):
        ax.axvline(float(data["base_value"].iloc[0]), color="#222222", linewidth=1)
    ax.set_yticks(positions, list(data["parameter"]))
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower right")
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
        print("Static view: the default assumptions above. Open in JupyterLab for sliders.")
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
