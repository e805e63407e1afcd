"""Tests of the SVG cell diagrams: well-formed, coloured by the values given, labelled with
their numbers, scaled in presentation mode."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from course_lib.widgets import diagrams as d

LSTM_VALUES = dict(
    x=1.0, h_prev=-0.25, c_prev=0.5, f=0.7312, i=0.2, o=0.95, g=-0.6, c=0.2456,
    h=0.2287, kept=0.3656, written=-0.12, tanh_c=0.2408,
)  # fmt: skip
GRU_VALUES = dict(
    x=-1.5, h_prev=0.4, z=0.1, r=0.9, h_tilde=-0.8, h=0.28, keep_weight=0.9,
    kept=0.36, written=-0.08, r_h=0.36,
)  # fmt: skip


def _parse(svg):
    return ET.fromstring(svg)


def _by_attr(root, attr, name):
    return [el for el in root.iter() if el.get(attr) == name]


def test_colour_maps_known_end_points():
    # viridis runs from dark purple #440154 to yellow #fde725; RdBu_r is white-ish in the middle
    assert d.gate_color(0.0) == "#440154"
    assert d.gate_color(1.0) == "#fde725"
    assert d.gate_color(-4.0) == d.gate_color(0.0) and d.gate_color(7.0) == d.gate_color(1.0)
    mid = d.value_color(0.0)
    assert all(int(mid[k : k + 2], 16) > 0xE8 for k in (1, 3, 5))  # near white
    lo, hi = d.value_color(-1.0), d.value_color(1.0)
    assert int(lo[5:7], 16) > int(lo[1:3], 16)  # −1 is blue
    assert int(hi[1:3], 16) > int(hi[5:7], 16)  # +1 is red
    assert d.value_color(-9.0) == lo and d.value_color(float("nan")) == mid


def test_text_colour_reads_on_its_fill():
    assert d.text_color("#ffffff") == "#000000"
    assert d.text_color("#000000") == "#ffffff"
    assert d.text_color(d.gate_color(0.0)) == "#ffffff"  # dark purple
    assert d.text_color(d.gate_color(1.0)) == "#000000"  # yellow


def test_lstm_svg_is_well_formed_and_coloured_by_the_values():
    root = _parse(d.lstm_svg(LSTM_VALUES))
    assert root.tag.endswith("svg")
    for gate in ("f", "i", "o"):
        (box,) = _by_attr(root, "data-part", gate)
        assert box.get("fill") == d.gate_color(LSTM_VALUES[gate])
    (g_box,) = _by_attr(root, "data-part", "g")
    assert g_box.get("fill") == d.value_color(-0.6)
    (c_line,) = _by_attr(root, "data-part", "c")
    assert c_line.get("stroke") == d.value_color(0.2456)
    assert _by_attr(root, "data-part", "legend")


def test_lstm_svg_labels_carry_the_rounded_numbers():
    root = _parse(d.lstm_svg(LSTM_VALUES))
    texts = {el.get("data-label"): el.text for el in root.iter() if el.get("data-label")}
    assert set(texts) == {
        "c_prev", "kept", "c", "f", "i", "g", "written", "tanh_c", "o", "h", "h_prev", "x",
    }  # fmt: skip
    assert texts["f"] == "f = 0.73"
    assert texts["g"] == "g = −0.60"  # a true minus sign
    assert texts["written"] == "i·g = −0.12"
    assert texts["c"].endswith("= 0.25")


def test_gru_svg_is_well_formed_and_labelled():
    root = _parse(d.gru_svg(GRU_VALUES))
    (z_box,) = _by_attr(root, "data-part", "z")
    assert z_box.get("fill") == d.gate_color(0.1)
    (keep,) = _by_attr(root, "data-part", "keep_mul")
    assert keep.get("fill") == d.gate_color(0.9)
    texts = {el.get("data-label"): el.text for el in root.iter() if el.get("data-label")}
    assert texts["h_tilde"] == "h̃ = −0.80"
    assert texts["keep_weight"] == "1−z = 0.90"
    assert texts["x"].endswith("= −1.50")


def test_presentation_scale_enlarges_the_drawing():
    small = _parse(d.lstm_svg(LSTM_VALUES))
    big = _parse(d.lstm_svg(LSTM_VALUES, font_scale=1.6))
    assert float(big.get("width")) == pytest.approx(1.6 * float(small.get("width")), abs=1)
    assert big.get("viewBox") == small.get("viewBox")
    assert big.get("data-font-scale") == "1.6"


def test_legend_can_be_left_out():
    root = _parse(d.gru_svg(GRU_VALUES, legend=False))
    assert not _by_attr(root, "data-part", "legend")


def test_missing_values_are_named():
    values = dict(LSTM_VALUES)
    del values["kept"]
    with pytest.raises(ValueError, match="kept"):
        d.lstm_svg(values)
    with pytest.raises(ValueError, match="r_h"):
        d.gru_svg({k: v for k, v in GRU_VALUES.items() if k != "r_h"})


def test_no_data_name_attribute_that_would_clash_with_the_numbers_table():
    for svg in (d.lstm_svg(LSTM_VALUES), d.gru_svg(GRU_VALUES)):
        assert "data-name" not in svg
