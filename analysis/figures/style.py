"""The house style for every figure, and :func:`save_figure`, the one way figures leave a notebook.

One look for the whole report: white background, no top/right spines, light horizontal grid,
fonts readable at blog-column width (7 x 4.2 in). Colours are the Okabe-Ito palette
(Okabe & Ito 2008, "Color Universal Design"), safe for the common colour-vision deficiencies;
because a palette alone does not survive grayscale printing, every series should also differ
by marker, line style or hatch (:data:`MARKERS`, :data:`LINESTYLES`, :data:`HATCHES`), and the
default property cycle varies colour and line style together.

seaborn carries the theme (:func:`use_house_style` calls ``seaborn.set_theme`` with the
house rc), so seaborn's own plots (the heatmap here) and plain matplotlib look the same.

Every figure carries its title block and source line inside the image
(:func:`annotate_figure`), system names go through :func:`display_name` (control characters
removed, length bounded: a name from data can neither break the SVG nor grow the figure), and
verdicts use the site's colours (:data:`VERDICT_COLORS`). Dates and money use the formatters
here (:func:`date_axis`, :func:`currency_axis`); axes never show an offset or multiplier.

Figures are written by :func:`save_figure` as SVG and PNG (200 dpi) into
:func:`analysis.paths.figures_dir` (``reports/figures/``) under a stable slug such as
``03-noise-pairwise-heatmap``, with a caption sidecar ``<name>.txt`` that the report shows
under the figure. Output is byte-stable across runs (no dates in the metadata, fixed SVG id
salt), so regenerated figures only change in git when the picture changes. Only the report
build writes files (it sets :data:`WRITE_FIGURES_ENV`); a notebook run in JupyterLab or under
nbval just displays its figures and leaves ``reports/figures/`` alone.
"""

from __future__ import annotations

import os
import re
import textwrap
import warnings
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from analysis import paths
from analysis.figures.names import NAMES

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
#: Verdict colours, the same as the site's (``site.css``): always shown with the verdict word.
VERDICT_COLORS: dict[str, str] = {
    "reproduced": "#009E73",
    "consistent": "#0072B2",
    "not rejected": "#56B4E9",
    "not comparable": "#CC79A7",
    "contradicted": "#D55E00",
    "not testable": "#767676",
}
#: Set to "1" by the report build (:mod:`analysis.report.execute`): only then does
#: :func:`save_figure` write files without an explicit ``directory``.
WRITE_FIGURES_ENV = "SWEAUDIT_WRITE_FIGURES"
#: Longest system name a figure label shows (tables keep the full name).
LABEL_MAX_CHARS = 48
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
        # no "+2.025e3" offsets or "1e6" multipliers: ticks show the values themselves
        "axes.formatter.useoffset": False,
        "axes.formatter.limits": (-6, 9),
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
    """Apply the house style globally through ``seaborn.set_theme`` (white style, the house
    palette and rc on top) and return the rc dictionary."""
    style = house_style()
    sns.set_theme(context="notebook", style="white", palette=list(PALETTE), rc=style)
    mpl.rcParams.update(style)  # seaborn's context scales fonts; the house sizes win
    return style


def figures_enabled() -> bool:
    """True when :func:`save_figure` writes to the figures folder (the report build)."""
    return os.environ.get(WRITE_FIGURES_ENV, "") == "1"


def describe_figure(fig: Figure, caption: str, alt: str) -> Figure:
    """Attach the caption (what to see) and alt text (what is drawn) computed with the
    drawing; :func:`save_figure` uses them when the notebook passes none."""
    fig.sa_caption = caption  # type: ignore[attr-defined]
    fig.sa_alt = alt  # type: ignore[attr-defined]
    return fig


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
    Caption and alt default to those attached by :func:`describe_figure`.

    Without ``directory``, files are written only when the report build asked for them
    (:data:`WRITE_FIGURES_ENV`); otherwise nothing is written and ``{}`` is returned, so
    running a notebook interactively or under nbval never overwrites the report's figures.
    """
    check_figure_name(name)
    if not isinstance(fig, Figure):
        raise TypeError(f"save_figure expects a matplotlib Figure, got {type(fig).__name__}")
    caption = caption if caption is not None else getattr(fig, "sa_caption", None)
    alt = alt if alt is not None else getattr(fig, "sa_alt", None)
    if directory is None and not figures_enabled():
        return {}
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
        caption = f"{(caption or '').strip()}\nAlt: {' '.join(alt.split())}"
    if caption:
        caption_path.write_text(caption.strip() + "\n", encoding="utf-8")
        written["caption"] = caption_path
    elif caption_path.exists():
        caption_path.unlink()  # a stale caption would describe an older picture
    return written


def display_name(system: object, max_length: int = LABEL_MAX_CHARS) -> str:
    """A system's name for figure labels: control characters removed and shortened to
    ``max_length`` characters with an ellipsis (tables keep the full name). Names come from
    data: a label must never make a figure grow with its input, nor put a character that
    XML forbids into an SVG. Known raw identifiers get their readable name (:data:`NAMES`)."""
    raw = str(system)
    if raw in NAMES:
        return NAMES[raw]
    text = " ".join(
        "".join(ch if ch.isprintable() else " " for ch in raw[: 4 * max_length]).split()
    )
    return text if len(text) <= max_length else text[: max_length - 1].rstrip() + "\u2026"


def label_text(system: object, max_length: int = LABEL_MAX_CHARS) -> str:
    """:func:`display_name` made safe for a matplotlib text (``$`` stays a dollar sign)."""
    return _plain(display_name(system, max_length))


def _wrap(text: str, width_in: float, fontsize: float) -> str:
    # DejaVu Sans averages about 0.6 em per character
    chars = max(20, int(width_in * 72 / (0.62 * fontsize)))
    return "\n".join(textwrap.wrap(" ".join(text.split()), chars)) if text else ""


def annotate_figure(fig: Figure, title: str, subtitle: str = "", source: str = "") -> Figure:
    """Give ``fig`` the house title block (bold title, subtitle) above everything drawn and
    a source line below it, inside the image, so a figure lifted into a blog post carries
    them. Call it last, once the plot and its legends are drawn.

    The layout is run once to find what the drawing occupies (tick labels and outside legends
    included); the block is then placed in inches just outside that box, left-aligned with
    it, so it never overlaps the plot whatever the figure's height. Long texts wrap to the
    figure's width. Saving or displaying with a tight bounding box includes the block.
    """
    fig.draw_without_rendering()
    _freeze_layout(fig)
    box = fig.get_tightbbox()  # inches
    width = fig.get_size_inches()[0]
    left, bottom, top = min(0.0, box.x0), min(0.0, box.y0), max(fig.get_size_inches()[1], box.y1)
    lines_sub = _wrap(subtitle, width, 10)
    sub_height = (lines_sub.count("\n") + 1) * 13 / 72 if lines_sub else 0.0
    from matplotlib.transforms import ScaledTranslation

    def at(x: float, y: float) -> dict[str, Any]:
        # inches from the figure's lower-left corner, via transFigure so that cropping to
        # the tight bounding box when saving moves the block with the plot
        shift = ScaledTranslation(x, y, fig.dpi_scale_trans)
        return {
            "x": 0.0,
            "y": 0.0,
            "transform": fig.transFigure + shift,
            "ha": "left",
        }

    fig.text(
        s=_wrap(title, width, 13),
        va="bottom",
        fontsize=13,
        fontweight="bold",
        color="#1f1f1f",
        **at(left, top + sub_height + 0.14),
    )
    if lines_sub:
        fig.text(
            s=lines_sub,
            va="bottom",
            fontsize=10,
            color="#444444",
            linespacing=1.3,
            **at(left, top + 0.08),
        )
    if source:
        fig.text(
            s=_wrap(f"Source: {source}", width, 8),
            va="top",
            fontsize=8,
            color="#595959",
            **at(left, bottom - 0.08),
        )
    return fig


def _freeze_layout(fig: Figure) -> None:
    """Keep the layout just computed: figure legends are pinned where the layout engine put
    them (in figure coordinates) and the engine is switched off. A figure legend is anchored
    to ``fig.bbox``, which cropping to the tight box replaces, so it would otherwise slide
    onto the source line when saved; ``transFigure`` is cropped correctly."""
    to_figure = fig.transFigure.inverted()
    for legend in fig.legends:
        x0, y0 = to_figure.transform(legend.get_window_extent().p0)
        legend.set_loc("lower left")
        legend.set_bbox_to_anchor((x0, y0), transform=fig.transFigure)
        legend.borderaxespad = 0.0
    fig.set_layout_engine("none")


def date_axis(ax: Axes, axis: str = "x") -> Axes:
    """Calendar dates on ``axis`` (values must be datetimes): concise month/year ticks, never
    decimal years."""
    import matplotlib.dates as mdates

    target = ax.xaxis if axis == "x" else ax.yaxis
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    target.set_major_locator(locator)
    # every tick carries its year ("May 2025"), so no offset label is needed
    formatter = mdates.ConciseDateFormatter(
        locator,
        formats=["%Y", "%b %Y", "%d %b %Y", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", "%b %Y", "%d %b", "%H:%M", "%H:%M"],
        show_offset=False,
    )
    target.set_major_formatter(formatter)
    return ax


def currency_axis(ax: Axes, axis: str = "x", symbol: str = "$") -> Axes:
    """Money on ``axis`` as "$1.5M", "$200k", "$40": no multiplier above the axis."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(FuncFormatter(lambda value, _pos: format_money(value, symbol)))
    return ax


def format_money(value: float, symbol: str = "$") -> str:
    """A short money label: ``$1.5M``, ``$250k``, ``$40``, ``$0.5``."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    for factor, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= factor:
            return f"{sign}{symbol}{value / factor:g}{suffix}"
    return f"{sign}{symbol}{value:g}"


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
    names = data[label] if label is not None else data.index
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
    ax.set_yticks(positions, [label_text(text) for text in names])
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
    template = (annotate if isinstance(annotate, str) else "{:.2g}") if annotate else None
    cells = (
        np.vectorize(lambda v: template.format(v) if np.isfinite(v) else "")(values).astype(object)
        if template
        else False
    )
    shown = pd.DataFrame(
        values,
        index=[label_text(text) for text in frame.index],
        columns=[label_text(text) for text in frame.columns],
    )
    # seaborn: cell text colour follows the cell's lightness (legible in grayscale too)
    sns.heatmap(
        shown,
        ax=ax,
        cmap=cmap or SEQUENTIAL_CMAP,
        vmin=vmin,
        vmax=vmax,
        annot=cells,
        fmt="",
        annot_kws={"fontsize": 8},
        cbar_kws={"shrink": 0.85, "label": colorbar_label},
        xticklabels=True,
        yticklabels=True,
    )
    ax.tick_params(axis="x", labelrotation=90)
    ax.tick_params(axis="y", labelrotation=0)
    ax.grid(False)
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
    "LABEL_MAX_CHARS",
    "LINESTYLES",
    "MARKERS",
    "NAMES",
    "PALETTE",
    "PNG_DPI",
    "SEQUENTIAL_CMAP",
    "VERDICT_COLORS",
    "WRITE_FIGURES_ENV",
    "annotate_figure",
    "bar_kwargs",
    "check_figure_name",
    "currency_axis",
    "date_axis",
    "describe_figure",
    "display_name",
    "figure_path",
    "figures_enabled",
    "format_money",
    "heatmap",
    "house_style",
    "interval_plot",
    "label_text",
    "line_kwargs",
    "read_caption",
    "save_figure",
    "style_series",
    "use_house_style",
]
