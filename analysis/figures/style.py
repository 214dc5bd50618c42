"""The house style for every figure, and :func:`save_figure`, the one way figures leave a notebook.

One look for the whole report: white background, no top/right spines, light horizontal grid,
fonts readable at blog-column width (7 x 4.2 in). Colours are the Okabe-Ito palette
(Okabe & Ito 2008, "Color Universal Design"), safe for the common colour-vision deficiencies;
because a palette alone does not survive grayscale printing, every series should also differ
by marker, line style or hatch (:data:`MARKERS`, :data:`LINESTYLES`, :data:`HATCHES`), and the
default property cycle varies colour and line style together.

Figures are written by :func:`save_figure` as SVG and PNG (200 dpi) into
:func:`analysis.paths.figures_dir` (``reports/figures/``) under a stable slug such as
``03-noise-pairwise-heatmap``, with a caption sidecar ``<name>.txt`` that the report shows
under the figure. Output is byte-stable across runs (no dates in the metadata, fixed SVG id
salt), so regenerated figures only change in git when the picture changes.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis import paths

#: Okabe-Ito colours, ordered so neighbours also differ in luminance (helps in grayscale).
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue            (relative luminance 0.37)
    "#E69F00",  # orange          (0.64)
    "#009E73",  # bluish green    (0.48)
    "#CC79A7",  # reddish purple  (0.56)
    "#D55E00",  # vermillion      (0.44)
    "#56B4E9",  # sky blue        (0.64)
    "#000000",  # black           (0.00)
    "#F0E442",  # yellow          (0.86; weak on white, use for fills with edges)
)
#: The same colours by name, for figures that give colours meaning (e.g. "ours" vs "claimed").
COLORS: dict[str, str] = {
    "blue": PALETTE[0],
    "orange": PALETTE[1],
    "green": PALETTE[2],
    "purple": PALETTE[3],
    "vermillion": PALETTE[4],
    "sky": PALETTE[5],
    "black": PALETTE[6],
    "yellow": PALETTE[7],
    "grey": "#767676",  # 4.5:1 contrast on white
    "light_grey": "#d9d9d9",
}
#: Marker per series, in palette order: distinguishable without colour.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Line style per series, in palette order.
LINESTYLES: tuple[Any, ...] = (
    "-",
    "--",
    ":",
    "-.",
    (0, (5, 1, 1, 1, 1, 1)),
    (0, (1, 3)),
    (0, (8, 2)),
    (0, (3, 1, 1, 1)),
)
#: Bar/area hatch per series, in palette order.
HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")
#: Colour maps: perceptually uniform and monotone in lightness (readable in grayscale).
SEQUENTIAL_CMAP = "cividis"
#: For signed quantities (differences); pair it with annotations, since both ends are dark.
DIVERGING_CMAP = "PuOr_r"

#: Blog-column figure size in inches (width, height); PNGs are written at :data:`PNG_DPI`.
FIGSIZE: tuple[float, float] = (7.0, 4.2)
PNG_DPI = 200
#: Widest figure that still fits a blog column without being scaled to unreadable text.
MAX_WIDTH_IN = 8.0

#: ``NN-words-in-kebab-case``: the notebook number, then what the figure shows.
FIGURE_NAME = re.compile(r"^[0-9]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_SVG_SALT = "swe-audit"


def house_style() -> dict[str, Any]:
    """The house style as a matplotlib rc dictionary (see the module docstring)."""
    return {
        "figure.figsize": FIGSIZE,
        "figure.dpi": 100,
        "figure.facecolor": "white",
        "figure.autolayout": False,
        "figure.constrained_layout.use": True,
        "savefig.dpi": PNG_DPI,
        "savefig.facecolor": "white",
        "savefig.bbox": "tight",
        "savefig.pad_inches": 0.05,
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "sans-serif"],
        "font.size": 11,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 11,
        "axes.labelcolor": "#222222",
        "axes.edgecolor": "#444444",
        "axes.linewidth": 0.8,
        "axes.facecolor": "white",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "axes.axisbelow": True,
        "axes.prop_cycle": cycler(color=list(PALETTE)) + cycler(linestyle=list(LINESTYLES)),
        "grid.color": COLORS["light_grey"],
        "grid.linewidth": 0.6,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
        "xtick.color": "#444444",
        "ytick.color": "#444444",
        "legend.frameon": False,
        "legend.fontsize": 10,
        "lines.linewidth": 1.8,
        "lines.markersize": 6,
        "patch.edgecolor": "#222222",
        "patch.linewidth": 0.5,
        "image.cmap": SEQUENTIAL_CMAP,
        # Deterministic SVG: glyphs as paths (same look everywhere), fixed id salt.
        "svg.fonttype": "path",
        "svg.hashsalt": _SVG_SALT,
    }


def use_house_style() -> dict[str, Any]:
    """Apply :func:`house_style` to matplotlib globally and return the rc dictionary."""
    style = house_style()
    mpl.rcParams.update(style)
    return style


def figure_path(name: str, suffix: str, directory: Path | None = None) -> Path:
    """Where figure ``name`` is written with ``suffix`` (``"svg"``, ``"png"``, ``"txt"``)."""
    check_figure_name(name)
    return (directory or paths.figures_dir()) / f"{name}.{suffix}"


def check_figure_name(name: str) -> str:
    """Return ``name`` if it is a stable figure slug, else raise :class:`ValueError`."""
    if not isinstance(name, str) or not FIGURE_NAME.match(name):
        raise ValueError(
            f"figure name {name!r} is not a stable slug: use the notebook number and "
            "lower-case words joined by hyphens, e.g. '03-noise-pairwise-heatmap'"
        )
    return name


def save_figure(
    fig: Figure,
    name: str,
    caption: str | None = None,
    directory: Path | None = None,
    alt: str | None = None,
) -> dict[str, Path]:
    """Write ``fig`` as ``<name>.svg`` and ``<name>.png`` (and ``<name>.txt`` caption).

    ``name`` must match :data:`FIGURE_NAME` (``NN-what-it-shows``) so file names stay
    stable from run to run. ``caption`` should say what the reader should see, e.g.
    "Most pairs of adjacent systems are not distinguishable: their intervals overlap.";
    it is stored as plain text (the report escapes it). Returns ``{"svg": path, "png":
    path}`` plus ``"caption"`` when a caption was written. The directory defaults to
    :func:`analysis.paths.figures_dir` and is created if needed. ``alt`` (what the image
    shows, for readers who cannot see it) is stored with the caption as an ``Alt:`` line.
    """
    check_figure_name(name)
    if not isinstance(fig, Figure):
        raise TypeError(f"save_figure expects a matplotlib Figure, got {type(fig).__name__}")
    width, _height = fig.get_size_inches()
    if width > MAX_WIDTH_IN:
        warnings.warn(
            f"figure {name!r} is {width:.1f} in wide; blog columns fit {MAX_WIDTH_IN:g} in or"
            " less and wider figures are scaled down until their text is too small",
            stacklevel=2,
        )
    target = directory or paths.figures_dir()
    target.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    # rc_context pins the determinism settings even if a notebook changed its style.
    with mpl.rc_context({"svg.hashsalt": _SVG_SALT, "svg.fonttype": "path"}):
        svg_path = target / f"{name}.svg"
        fig.savefig(svg_path, format="svg", metadata={"Date": None, "Creator": None})
        written["svg"] = svg_path
        png_path = target / f"{name}.png"
        fig.savefig(png_path, format="png", dpi=PNG_DPI, metadata={"Software": None})
        written["png"] = png_path
    caption_path = target / f"{name}.txt"
    if alt:
        caption = f"{(caption or '').strip()}\nAlt: {alt.strip()}"
    if caption:
        caption_path.write_text(caption.strip() + "\n", encoding="utf-8")
        written["caption"] = caption_path
    elif caption_path.exists():
        caption_path.unlink()  # a stale caption would describe an older picture
    return written


def display_name(system: object, max_length: int = 40) -> str:
    """A system's name for figure labels: control characters removed and shortened to
    ``max_length`` characters with an ellipsis (tables keep the full name). Names come from
    data: a label must never make a figure grow with its input."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(system)).strip()
    return text if len(text) <= max_length else text[: max_length - 1].rstrip() + "\u2026"


def annotate_figure(fig: Figure, title: str, subtitle: str = "", source: str = "") -> Figure:
    """Give ``fig`` the house title block (bold title, one-line subtitle) and a source line
    at the bottom, inside the image, so a figure lifted into a blog post carries them."""
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
    if subtitle:
        fig.text(0.01, 0.93, subtitle, ha="left", va="top", fontsize="small")
    if source:
        fig.text(0.01, 0.005, f"Source: {source}", ha="left", va="bottom", fontsize="x-small")
    return fig


def read_caption(name: str, directory: Path | None = None) -> str | None:
    """The caption saved with figure ``name``, or ``None``."""
    path = figure_path(name, "txt", directory)
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def _plain(text: Any) -> str:
    """Labels from data are plain text: a name with ``$`` must not switch on mathtext."""
    return str(text).replace("$", r"\$")


def interval_plot(
    frame: pd.DataFrame,
    score: str = "score",
    low: str = "low",
    high: str = "high",
    label: str | None = None,
    ax: Axes | None = None,
    sort: bool = True,
    xlabel: str = "resolved (%)",
    color: str = PALETTE[0],
    percent: bool = False,
) -> Axes:
    """Horizontal dot-and-whisker chart: one row per item, point ``score`` in ``[low, high]``.

    ``label`` names the column holding row labels (default: the index). With ``sort``
    the best score is at the top. ``percent=True`` multiplies proportions by 100.
    """
    missing = [column for column in (score, low, high) if column not in frame.columns]
    if label is not None and label not in frame.columns:
        missing.append(label)
    if missing:
        raise KeyError(f"interval_plot: frame lacks columns {missing}")
    data = frame.sort_values(score, ascending=True) if sort else frame.iloc[::-1]
    scale = 100.0 if percent else 1.0
    values = data[score].to_numpy(dtype=float) * scale
    lows = data[low].to_numpy(dtype=float) * scale
    highs = data[high].to_numpy(dtype=float) * scale
    labels = data[label] if label is not None else data.index
    if ax is None:
        height = min(max(2.0, 0.28 * len(data) + 1.0), 12.0)
        _fig, ax = plt.subplots(figsize=(FIGSIZE[0], height))
    positions = np.arange(len(data))
    ax.errorbar(
        values,
        positions,
        xerr=[values - lows, highs - values],
        fmt="o",
        color=color,
        ecolor=color,
        elinewidth=1.4,
        capsize=2.5,
        markersize=5,
        linestyle="none",
    )
    ax.set_yticks(positions, [_plain(text) for text in labels])
    ax.grid(axis="x", visible=True)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(xlabel)
    ax.set_ylim(-0.7, len(data) - 0.3)
    return ax


def heatmap(
    frame: pd.DataFrame,
    ax: Axes | None = None,
    cmap: str | None = None,
    center: float | None = None,
    annotate: bool | str = False,
    colorbar_label: str = "",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Axes:
    """A labelled heatmap of a numeric DataFrame (rows top to bottom in frame order).

    ``center`` switches to the diverging map, symmetric around it. ``annotate`` writes the
    values in the cells (``True`` for ``"{:.2g}"`` or a format string), so the figure stays
    readable without colour.
    """
    values = frame.to_numpy(dtype=float)
    if center is not None:
        span = np.nanmax(np.abs(values - center)) if np.isfinite(values).any() else 1.0
        vmin, vmax = center - span, center + span
        cmap = cmap or DIVERGING_CMAP
    if ax is None:
        _fig, ax = plt.subplots()
    image = ax.imshow(values, cmap=cmap or SEQUENTIAL_CMAP, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(np.arange(frame.shape[1]), [_plain(text) for text in frame.columns])
    ax.set_yticks(np.arange(frame.shape[0]), [_plain(text) for text in frame.index])
    ax.tick_params(axis="x", labelrotation=90)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.85)
    if colorbar_label:
        colorbar.set_label(colorbar_label)
    if annotate:
        template = annotate if isinstance(annotate, str) else "{:.2g}"
        normed = image.norm(values)
        for (row, column), value in np.ndenumerate(values):
            if np.isfinite(value):
                # Text colour follows the cell's lightness so it stays legible in grayscale.
                rgba = image.cmap(normed[row, column])
                luminance = 0.2126 * rgba[0] + 0.7152 * rgba[1] + 0.0722 * rgba[2]
                ax.text(
                    column,
                    row,
                    template.format(value),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="black" if luminance > 0.5 else "white",
                )
    return ax


def style_series(index: int) -> dict[str, Any]:
    """Colour, marker, line style and hatch for series ``index`` (cycling), as kwargs.

    Use ``ax.plot(x, y, **style_series(i))`` (drop ``hatch``) or pick keys for bars.
    """
    return {
        "color": PALETTE[index % len(PALETTE)],
        "marker": MARKERS[index % len(MARKERS)],
        "linestyle": LINESTYLES[index % len(LINESTYLES)],
        "hatch": HATCHES[index % len(HATCHES)],
    }


def line_kwargs(index: int) -> dict[str, Any]:
    """:func:`style_series` without ``hatch``, ready for ``ax.plot``."""
    kwargs = style_series(index)
    del kwargs["hatch"]
    return kwargs


def bar_kwargs(index: int) -> dict[str, Any]:
    """Colour and hatch for bar series ``index``, ready for ``ax.bar``."""
    kwargs = style_series(index)
    return {"color": kwargs["color"], "hatch": kwargs["hatch"], "edgecolor": "#222222"}


__all__ = [
    "COLORS",
    "DIVERGING_CMAP",
    "FIGSIZE",
    "FIGURE_NAME",
    "HATCHES",
    "LINESTYLES",
    "MARKERS",
    "PALETTE",
    "PNG_DPI",
    "SEQUENTIAL_CMAP",
    "bar_kwargs",
    "check_figure_name",
    "figure_path",
    "heatmap",
    "house_style",
    "interval_plot",
    "line_kwargs",
    "read_caption",
    "save_figure",
    "style_series",
    "use_house_style",
]
