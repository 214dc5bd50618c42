"""The house style and save_figure: stable names, both formats, byte-stable output."""

from __future__ import annotations

import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from analysis.figures import style as plots


@pytest.fixture(autouse=True)
def _house_style():
    with matplotlib.rc_context():
        plots.use_house_style()
        yield
    plt.close("all")


def _small_figure(seed: int = 0):
    rng = np.random.default_rng(seed)
    fig, ax = plt.subplots()
    for index in range(3):
        ax.plot(np.arange(10), rng.normal(size=10).cumsum(), **plots.line_kwargs(index))
    ax.set_title("three series")
    return fig


def test_use_house_style_sets_column_size_and_palette_cycle():
    style = plots.use_house_style()
    assert tuple(matplotlib.rcParams["figure.figsize"]) == plots.FIGSIZE
    assert matplotlib.rcParams["savefig.dpi"] == plots.PNG_DPI
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()
    assert cycle["color"][:3] == list(plots.PALETTE[:3])
    # colour and line style vary together, so series survive grayscale printing
    assert len(set(map(str, cycle["linestyle"]))) == len(cycle["linestyle"])
    assert style["axes.spines.top"] is False


def test_palette_neighbours_differ_in_lightness():
    # in grayscale only lightness is left: adjacent default colours must not collide
    # (relative luminance, ITU-R BT.709 weights, is what a grayscale conversion keeps)
    weights = np.array([0.2126, 0.7152, 0.0722])
    luminance = [float(weights @ to_rgb(colour)) for colour in plots.PALETTE[:7]]
    gaps = np.abs(np.diff(luminance))
    assert gaps.min() > 0.06, luminance
    assert len(set(plots.MARKERS)) == len(plots.MARKERS)
    assert len(set(plots.HATCHES)) == len(plots.HATCHES)


@pytest.mark.parametrize(
    "name",
    ["noise heatmap", "03_noise", "Noise-Plot", "3-noise", "03-", "../03-x", "03-noise.png", ""],
)
def test_save_figure_rejects_unstable_names(tmp_path, name):
    fig = _small_figure()
    with pytest.raises(ValueError, match="stable slug"):
        plots.save_figure(fig, name, directory=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_save_figure_writes_svg_png_and_caption(tmp_path):
    fig = _small_figure()
    written = plots.save_figure(
        fig, "03-noise-three-series", caption="Three walks.", directory=tmp_path
    )
    assert written["svg"] == tmp_path / "03-noise-three-series.svg"
    assert written["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = written["svg"].read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<dc:date>" not in svg  # no timestamp, so reruns are byte-identical
    assert plots.read_caption("03-noise-three-series", tmp_path) == "Three walks."
    # PNG is 200 dpi at blog-column size: about 1400 px wide (tight bbox adjusts a little)
    width = int.from_bytes(written["png"].read_bytes()[16:20], "big")
    assert 1100 < width <= 1450


def test_save_figure_is_byte_stable(tmp_path):
    first = plots.save_figure(_small_figure(), "01-stable", directory=tmp_path / "a")
    second = plots.save_figure(_small_figure(), "01-stable", directory=tmp_path / "b")
    assert first["svg"].read_bytes() == second["svg"].read_bytes()
    assert first["png"].read_bytes() == second["png"].read_bytes()


def test_save_figure_without_caption_removes_stale_caption(tmp_path):
    plots.save_figure(_small_figure(), "02-x", caption="old", directory=tmp_path)
    written = plots.save_figure(_small_figure(), "02-x", directory=tmp_path)
    assert "caption" not in written
    assert plots.read_caption("02-x", tmp_path) is None


def test_save_figure_warns_on_too_wide_figures(tmp_path):
    fig, _ax = plt.subplots(figsize=(12, 4))
    with pytest.warns(UserWarning, match="blog column"):
        plots.save_figure(fig, "02-too-wide", directory=tmp_path)
    fig, _ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plots.save_figure(fig, "02-fits", directory=tmp_path)


def test_save_figure_defaults_to_figures_dir_in_the_report_build(tmp_path, monkeypatch):
    monkeypatch.setenv("SWEAUDIT_FIGURES", str(tmp_path / "figs"))
    monkeypatch.setenv(plots.WRITE_FIGURES_ENV, "1")
    written = plots.save_figure(_small_figure(), "05-default-location")
    assert written["png"].parent == tmp_path / "figs"


def test_save_figure_outside_the_build_writes_nothing(tmp_path, monkeypatch):
    # a notebook run in JupyterLab or nbval must not overwrite the report's figures
    monkeypatch.setenv("SWEAUDIT_FIGURES", str(tmp_path / "figs"))
    monkeypatch.delenv(plots.WRITE_FIGURES_ENV, raising=False)
    assert plots.save_figure(_small_figure(), "05-default-location", caption="c") == {}
    assert not (tmp_path / "figs").exists()


def test_interval_plot_sorts_best_on_top_and_keeps_dollar_names_literal():
    frame = pd.DataFrame(
        {"score": [0.2, 0.6, 0.4], "low": [0.1, 0.5, 0.3], "high": [0.3, 0.7, 0.5]},
        index=["low $x$ sys", "best", "middle"],
    )
    ax = plots.interval_plot(frame, percent=True)
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels[-1] == "best"  # top row of the chart
    assert labels[0] == r"low \$x\$ sys"  # escaped: rendered as literal dollars
    ax.figure.canvas.draw()  # mathtext would fail or change the text here if not escaped
    with pytest.raises(KeyError, match="lacks columns"):
        plots.interval_plot(frame, score="missing")


def test_heatmap_annotates_and_centres_diverging_map():
    frame = pd.DataFrame([[0.0, 0.5], [-0.25, 0.1]], index=["a", "b"], columns=["c", "d"])
    ax = plots.heatmap(frame, center=0.0, annotate="{:.2f}")
    texts = sorted(text.get_text() for text in ax.texts)
    assert texts == ["-0.25", "0.00", "0.10", "0.50"]
    mesh = ax.collections[0]  # seaborn draws the cells as a QuadMesh
    assert mesh.norm.vmin == -0.5 and mesh.norm.vmax == 0.5
    assert mesh.cmap.name == plots.DIVERGING_CMAP


# --- issue 13/15: names from data, the title block, computed captions --------------------


def test_hostile_names_neither_grow_the_figure_nor_break_the_svg(tmp_path):
    import xml.dom.minidom

    from PIL import Image

    names = ["A" * 4000, "escape \x1b[31m red\nnewline", "$x$ dollars", "plain"]
    frame = pd.DataFrame({"score": [0.1, 0.2, 0.3, 0.4], "low": 0.0, "high": 0.5}, index=names)
    ax = plots.interval_plot(frame, percent=True)
    plots.annotate_figure(ax.figure, "Title", "Subtitle", source="synthetic")
    written = plots.save_figure(ax.figure, "03-hostile-names", directory=tmp_path)
    xml.dom.minidom.parse(str(written["svg"]))  # raises on U+001B or other XML-invalid chars
    width, height = Image.open(written["png"]).size
    assert width < 12 * plots.PNG_DPI and height < 8 * plots.PNG_DPI  # bounded, not 45,000 px
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert max(len(label) for label in labels) <= plots.LABEL_MAX_CHARS
    assert all(label.isprintable() for label in labels)
    assert plots.display_name("x" * 4000).endswith("\u2026")
    assert plots.display_name("claude-45sonnet-10132025").startswith("Claude Sonnet 4.5")


def test_title_block_and_source_sit_outside_the_plot():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="line")
    fig.legend(loc="outside lower center")
    plots.annotate_figure(fig, "A title", "A subtitle", source="somewhere")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    plot = ax.get_tightbbox(renderer)
    legend = fig.legends[0].get_window_extent(renderer)
    title, subtitle, source = (text.get_window_extent(renderer) for text in fig.texts)
    assert title.y0 >= subtitle.y1 - 1 and subtitle.y0 >= plot.y1
    assert source.y1 <= min(plot.y0, legend.y0)
    assert fig.texts[2].get_text() == "Source: somewhere"


def test_describe_figure_supplies_caption_and_alt_text(tmp_path):
    fig = plots.describe_figure(_small_figure(), caption="Three walks.", alt="Three lines.")
    written = plots.save_figure(fig, "01-described", directory=tmp_path)
    assert written["caption"].read_text() == "Three walks.\nAlt: Three lines.\n"


def test_axes_show_values_not_offsets_and_money_reads_as_money():
    fig, ax = plt.subplots()
    ax.plot([2025.0, 2025.5, 2026.0], [1_000_000, 2_000_000, 3_000_000])
    fig.canvas.draw()
    assert ax.xaxis.get_major_formatter().get_offset() == ""
    assert ax.yaxis.get_major_formatter().get_offset() == ""
    assert plots.format_money(1_500_000) == "$1.5M"
    assert plots.format_money(250_000) == "$250k"
    assert plots.format_money(40) == "$40"
    dates = pd.to_datetime(["2024-01-15", "2024-09-01", "2025-06-30"])
    fig, ax = plt.subplots()
    ax.plot(dates, [1, 2, 3])
    plots.date_axis(ax)
    fig.canvas.draw()
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert not any("." in label for label in labels), labels  # never "2024.5"


def test_verdict_colours_match_the_site():
    from pathlib import Path

    css = (
        Path(plots.__file__).resolve().parents[1] / "report" / "templates" / "site" / "site.css"
    ).read_text()
    assert set(plots.VERDICT_COLORS) == {
        "reproduced",
        "consistent",
        "not rejected",
        "not comparable",
        "contradicted",
        "not testable",
    }
    for verdict in plots.VERDICT_COLORS:
        assert f".sa-verdict-{verdict.replace(' ', '-')}" in css
    for verdict in ("reproduced", "consistent", "contradicted", "not testable"):
        assert plots.VERDICT_COLORS[verdict].lower() in css.lower()


def test_lead_figure_counts_every_verdict_in_site_colours(make_ledger):
    from matplotlib.colors import to_hex

    from analysis.figures.ledger import figure_verdicts_by_article

    ledger = make_ledger(
        [
            {"id": f"c{i}", "verdict": verdict, "source": source}
            for i, (verdict, source) in enumerate(
                [("reproduced", "000"), ("contradicted", "000"), ("not rejected", "004")]
                + [("not testable", "004")] * 2
            )
        ]
    )
    fig = figure_verdicts_by_article(ledger)
    ax = fig.axes[0]
    colours = {to_hex(patch.get_facecolor()) for patch in ax.patches if patch.get_width() > 0}
    expected = {"reproduced", "contradicted", "not rejected", "not testable"}
    assert colours == {plots.VERDICT_COLORS[v].lower() for v in expected}
    texts = [text.get_text() for text in ax.texts]
    assert "2 claims" in texts and "3 claims" in texts and "2" in texts  # counts drawn
    assert not any("article 0" in text for text in texts)  # articles by name
    assert "2 not testable" in fig.sa_caption
