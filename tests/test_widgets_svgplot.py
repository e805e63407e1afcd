"""The SVG plots the explorers draw: ticks, the data → pixel mapping (linear, log, equal
aspect), what each series records, valid XML, presentation scaling, and the view's counter."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from course_lib.widgets.svgplot import Plot, PlotView, log_ticks, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    "low,high,want",
    [
        (0.0, 1.0, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (-1.1, 1.1, [-1.0, -0.5, 0.0, 0.5, 1.0]),
        (0.5, 8.5, [2.0, 4.0, 6.0, 8.0]),
        (-5.6, 5.6, [-5.0, -2.5, 0.0, 2.5, 5.0]),
    ],
)
def test_nice_ticks_are_round_and_inside(low, high, want):
    ticks = nice_ticks(low, high)
    assert ticks == pytest.approx(want, abs=1e-12)
    assert all(low <= t <= high for t in ticks)


def test_log_ticks_are_powers_of_ten_thinned_over_many_decades():
    assert log_ticks(0.05, 2000.0) == [0.1, 1.0, 10.0, 100.0, 1000.0]
    many = log_ticks(1e-115, 1e29)
    assert len(many) <= 6 and all(math.log10(t) == round(math.log10(t)) for t in many)


def test_linear_and_log_mapping_to_pixels():
    plot = Plot(300, 200)
    ax = plot.axes(50, 20, 200, 100, xlim=(0.0, 10.0), ylim=(-1.0, 1.0))
    assert ax.px(0.0, -1.0) == (50.0, 120.0)  # bottom left of the box
    assert ax.px(10.0, 1.0) == (250.0, 20.0)  # top right
    assert ax.px(5.0, 0.0) == (150.0, 70.0)
    lg = plot.axes(50, 20, 200, 100, xlim=(0.0, 1.0), ylim=(1e-3, 1e1), ylog=True)
    assert lg.px(0.0, 1e-3)[1] == pytest.approx(120.0)
    assert lg.px(0.0, 1e-1)[1] == pytest.approx(70.0)  # two decades of four: half way
    with pytest.raises(ValueError, match="log axis needs 0 < low < high"):
        lg.set_ylim(0.0, 1.0)


def test_equal_aspect_shrinks_the_box_to_square_units():
    ax = Plot(400, 200).axes(0, 0, 400, 200, xlim=(-1, 1), ylim=(-1, 1), equal=True)
    assert (ax.width, ax.height) == (200.0, 200.0) and ax.left == 100.0
    x0, _ = ax.px(0.0, 0.0)
    x1, _ = ax.px(1.0, 0.0)
    _, y1 = ax.px(0.0, 1.0)
    assert x1 - x0 == pytest.approx(100.0) and 100.0 - y1 == pytest.approx(100.0)


def test_series_keep_their_data_and_the_svg_is_valid_xml():
    plot = Plot(400, 300, title="a & b <test>")
    ax = plot.axes(60, 30, 300, 200, xlim=(0, 3), ylim=(-2, 2), title="t < 1", grid=True)
    ax.line([0, 1, 2], [0.5, -0.5, 1.5], "#ff0000", marker="o", label="h & c", name="h")
    ax.scatter([1.0], [1.0], "s", name="dots", label="points")
    ax.bars([1.0, -0.5], ["#00ff00", "#0000ff"], name="bars")
    ax.polygon([0, 1, 1], [0, 0, 1], "#123456", name="area", label="area")
    ax.arrow(0, 0, 1, 1, name="g")
    ax.legend("lower left")
    assert ax.series["h"] == ([0.0, 1.0, 2.0], [0.5, -0.5, 1.5])
    assert ax.series["bars"] == ([0.0, 1.0], [1.0, -0.5])
    assert ax.series["g"] == ([0.0, 0.0, 1.0, 1.0],)
    root = ET.fromstring(plot.svg())  # escaped text, balanced tags
    assert root.get("width") == "400" and root.find(f"{SVG}title").text == "a & b <test>"
    tagged = {el.get("data-series") for el in root.iter() if el.get("data-series")}
    assert tagged == {"h", "dots", "bars", "area", "g"}
    legend = [el for el in root.iter() if el.get("data-part") == "legend"]
    texts = [t.text for t in legend[0].iter(f"{SVG}text")]
    assert texts == ["h & c", "points", "area"]
    # the polyline goes through the pixels of the data
    (poly,) = [el for el in root.iter(f"{SVG}polyline") if el.get("data-series") == "h"]
    first = [float(v) for v in poly.get("points").split()[0].split(",")]
    assert first == pytest.approx(ax.px(0, 0.5), abs=0.05)


def test_bars_go_from_zero_to_their_height():
    ax = Plot(200, 200).axes(0, 0, 200, 200, xlim=(-0.5, 1.5), ylim=(-1, 1))
    ax.bars([0.5, -1.0], ["#111111", "#222222"], width=0.5)
    root = ET.fromstring(Plot(200, 200).svg().replace("</svg>", ax.svg() + "</svg>"))
    rects = [el for el in root.iter(f"{SVG}rect") if el.get("data-bar") is not None]
    up, down = rects
    assert float(up.get("y")) == pytest.approx(50.0) and float(up.get("height")) == 50.0
    assert float(down.get("y")) == pytest.approx(100.0) and float(down.get("height")) == 100.0
    assert float(up.get("width")) == pytest.approx(50.0)


def test_view_counts_only_real_changes_and_scales_for_presentation():
    view = PlotView()
    image = view.widget

    def draw(y):
        plot = view.new(300, 200)
        plot.axes(40, 20, 240, 150, xlim=(0, 1), ylim=(0, 1)).line([0, 1], [y, y], name="y")
        view.show(plot)

    draw(0.5)
    draw(0.5)  # the same text: no widget update
    assert view.renders == 1 and image.value.startswith("<svg")
    draw(0.25)
    assert view.renders == 2 and view.series("y") == ([0.0, 1.0], [0.25, 0.25])
    view.set_font_scale(1.6)
    draw(0.25)
    root = ET.fromstring(image.value)
    assert (root.get("width"), root.get("height")) == ("480", "320")
    assert root.get("viewBox") == "0 0 300 200"  # the drawing itself is unchanged
    assert view.widget is image


def test_tick_labels_keep_the_digits_the_step_needs():
    root = ET.fromstring(
        Plot(300, 300)
        .svg()
        .replace(
            "</svg>",
            Plot(300, 300).axes(40, 20, 240, 240, xlim=(0, 0.9), ylim=(-5.6, 5.6)).svg() + "</svg>",
        )
    )
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels[:5] == ["0", "0.2", "0.4", "0.6", "0.8"]  # x: no 0.6000000000000001
    assert labels[5:] == ["−5", "−2.5", "0", "2.5", "5"]  # y: a step of 2.5, not "2"
