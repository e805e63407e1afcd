"""UnrolledRNNExplorer: the numbers it shows against a plain-Python tanh loop, its controls,
in-place figures, presentation mode, and the extremes of every slider."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

from course_lib.widgets.rnn import UnrolledRNNExplorer, format_sequence, parse_sequence


def _expected_h(wx, wh, b, xs):
    h = [0.0]
    for x in xs:
        h.append(math.tanh(wx * x + wh * h[-1] + b))
    return h


def test_default_values_follow_the_recurrence():
    e = UnrolledRNNExplorer()
    v = e.values
    assert v["h"][0] == 0.0
    assert len(v["h"]) == len(v["sequence"]) + 1
    np.testing.assert_allclose(v["h"], _expected_h(v["wx"], v["wh"], v["b"], v["sequence"]))


@pytest.mark.parametrize(
    "wx,wh,b,seq",
    [
        (1.5, -0.7, 0.2, [1.0, 0.0, -2.0, 0.5]),
        (0.3, 2.9, -1.0, [3.0]),
        (-2.0, 1.1, 0.0, [0.1 * i for i in range(12)]),
    ],
)
def test_set_and_values(wx, wh, b, seq):
    e = UnrolledRNNExplorer()
    e.set(wx=wx, wh=wh, b=b, sequence=seq)
    v = e.values
    assert (v["wx"], v["wh"], v["b"]) == (wx, wh, b)
    assert v["sequence"] == pytest.approx(seq, abs=0)
    np.testing.assert_allclose(v["h"], _expected_h(wx, wh, b, seq), rtol=1e-14, atol=1e-15)
    # the pre-activations the boxes show
    expect_a = [wx * x + wh * h + b for x, h in zip(seq, v["h"][:-1], strict=True)]
    np.testing.assert_allclose(v["a"], expect_a, rtol=1e-14, atol=1e-15)
    assert isinstance(v["h"], list) and all(type(x) is float for x in v["h"])
    assert all(type(x) is float for x in v["sequence"] + v["a"])
    assert type(v["wx"]) is float


def test_numbers_table_and_diagram_show_the_states():
    e = UnrolledRNNExplorer().set(wx=1.0, wh=0.5, b=0.0, sequence=[1.0, -1.0, 0.25])
    h = _expected_h(1.0, 0.5, 0.0, [1.0, -1.0, 0.25])
    for t, value in enumerate(h):
        assert f'data-name="h{t}">{value:.3f}<' in e._table_h.value
    assert 'data-name="x2">-1.000<' in e._table_x.value
    svg = e._diagram.value
    assert svg.startswith("<svg") and svg.count("data-step=") == 3
    assert f"{h[2]:.3f}" in svg


def test_sequence_as_text_and_bad_sequences():
    e = UnrolledRNNExplorer()
    e.set(sequence="1, 2; -0.5  0")
    assert e.values["sequence"] == [1.0, 2.0, -0.5, 0.0]
    assert e.controls["sequence"].value == "1.0, 2.0, -0.5, 0.0"
    for bad, msg in [
        ([], "1 to 12"),
        ([0.0] * 13, "1 to 12"),
        ("1, two", "not a list of numbers"),
        ([11.0], "outside"),
        ([float("nan")], "outside"),
    ]:
        with pytest.raises(ValueError, match=msg):
            e.set(sequence=bad)
    assert e.values["sequence"] == [1.0, 2.0, -0.5, 0.0]  # unchanged after a refused set
    with pytest.raises(ValueError, match="outside the slider's range"):
        e.set(wh=3.5)
    with pytest.raises(ValueError, match="no control 'w'"):
        e.set(w=1.0)
    assert parse_sequence(format_sequence([0.1, 1 / 3])) == [0.1, 1 / 3]


def test_typing_a_bad_sequence_keeps_the_last_good_one_and_says_why():
    e = UnrolledRNNExplorer().set(sequence=[1.0, 0.0])
    e.controls["sequence"].value = "1, oops"  # as a student would type it
    assert e.values["sequence"] == [1.0, 0.0]
    assert "not a list of numbers" in e._message.value
    e.controls["sequence"].value = "0.5"
    assert e.values["sequence"] == [0.5] and e._message.value == ""


def test_figure_is_updated_in_place():
    e = UnrolledRNNExplorer()
    image = e.view.widget
    before_renders, before_svg = e.view.renders, image.value
    e.set(wh=-1.5, sequence=[2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0])
    assert e.view.widget is image
    assert e.view.renders == before_renders + 1
    assert image.value != before_svg and image.value.startswith("<svg")
    xs, ys = e.view.series("h")
    assert xs == list(range(9)) and ys == e.values["h"]
    assert e.view.series("x") == (list(range(1, 9)), [2.0] * 8)
    e.controls["wx"].value = 0.5  # a slider event re-renders too
    assert e.view.renders == before_renders + 2


def test_presentation_mode():
    e = UnrolledRNNExplorer()
    small_svg = e._diagram.value
    width = e.view.plot.width
    assert f'width="{width}"' in e.view.widget.value
    assert "course-presentation" not in e.widget._dom_classes
    e.presentation = True
    assert "course-presentation" in e.widget._dom_classes
    assert f'width="{round(width * e.presentation_scale)}"' in e.view.widget.value
    assert 'font-size="17"' in e._diagram.value and 'font-size="17"' not in small_svg
    e.presentation = False
    assert "course-presentation" not in e.widget._dom_classes
    assert f'width="{width}"' in e.view.widget.value
    assert UnrolledRNNExplorer(presentation=True).presentation


def test_every_slider_extreme_is_finite_and_silent():
    e = UnrolledRNNExplorer()
    seqs = [[10.0] * 12, [-10.0, 10.0] * 6, [0.0]]
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for wx, wh, b, seq in itertools.product((-3.0, 3.0), (-3.0, 0.0, 3.0), (-2.0, 2.0), seqs):
            e.set(wx=wx, wh=wh, b=b, sequence=seq)
            h = e.values["h"]
            assert all(math.isfinite(v) and -1.0 <= v <= 1.0 for v in h)
            np.testing.assert_allclose(h, _expected_h(wx, wh, b, seq), rtol=1e-14, atol=1e-15)


def test_one_sequence_parser_for_every_explorer():
    from course_lib.widgets.base import parse_sequence as shared

    assert shared("1, 0.5; −1  2", -2.0, 2.0, 4) == [1.0, 0.5, -1.0, 2.0]  # the minus sign too
    assert shared([1, 0.5, -1, 2], -2.0, 2.0, 4) == [1.0, 0.5, -1.0, 2.0]  # text or list alike
    assert shared("-2, 2", -2.0, 2.0, 2) == [-2.0, 2.0]  # the bounds are allowed
    for bad, msg in [
        ("", "the sequence is empty"),
        ([], "the sequence is empty"),
        ("1 2 3", "has 3 numbers; expected 1 to 2"),
        ("1, x", "not a list of numbers"),
        (["a"], "not a list of numbers"),
        ("2.5", r"2.5 is outside the input range \[-2.0, 2.0\]"),
        ([float("inf")], "outside the input range"),
    ]:
        with pytest.raises(ValueError, match=msg):
            shared(bad, -2.0, 2.0, 2)
    # the RNN explorer reads the same way, within its own limits (it now accepts "−1" too)
    assert parse_sequence("1; −1") == shared("1; −1", -10.0, 10.0, 12)


def test_the_diagram_is_drawn_by_diagrams_unrolled_rnn_svg():
    from course_lib.widgets.diagrams import unrolled_rnn_svg

    e = UnrolledRNNExplorer().set(sequence=[1.0, -0.5])
    assert e._diagram.value == unrolled_rnn_svg(e.values)
    e.presentation = True
    assert e._diagram.value == unrolled_rnn_svg(e.values, large=True)


def _rdbu_r(v: float) -> str:
    """Matplotlib's RdBu_r at (v + 1) / 2, v clipped to [−1, 1], as #rrggbb."""
    import matplotlib

    rgba = matplotlib.colormaps["RdBu_r"]((min(1.0, max(-1.0, v)) + 1.0) / 2.0)
    return "#" + "".join(f"{round(255 * c):02x}" for c in rgba[:3])


def test_the_unrolled_diagram_uses_the_cell_diagrams_value_scale():
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.w3.org/2000/svg"}
    # states near +1, near −1 and 0: dark red, dark blue, white
    e = UnrolledRNNExplorer().set(wx=3.0, wh=0.0, b=0.0, sequence=[2.0, -2.0, 0.0])
    root = ET.fromstring(e._diagram.value)
    h = e.values["h"]
    circle = root.find(".//s:circle[@data-part='h0']", ns)
    assert circle.get("fill") == _rdbu_r(0.0)
    steps = root.findall(".//s:g[@data-step]", ns)
    assert [int(g.get("data-step")) for g in steps] == [1, 2, 3]
    for g in steps:
        t = int(g.get("data-step"))
        rect = g.find("s:rect", ns)
        assert rect.get("fill") == _rdbu_r(h[t])
        # its numbers stay readable: white on the dark ends of the scale, black on white
        inks = {text.get("fill") for text in g.findall("s:text", ns)}
        assert inks == ({"#ffffff"} if abs(h[t]) > 0.9 else {"#000000"})
