"""Tests of GRUGateExplorer: the lecture's equations (reset before the product,
h_t = (1 − z)·h_{t−1} + z·h̃), checked against the equations written out by hand."""

from __future__ import annotations

import math
import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from course_lib.widgets.diagrams import gate_color, value_color
from course_lib.widgets.gru import GRUGateExplorer

CONTROLS = ["x", "h_prev"] + [f"{w}_{k}" for k in "zrh" for w in ("Wx", "Wh", "b")]


def _sig(a):
    return 1.0 / (1.0 + math.exp(-a))


def _by_hand(s):
    """The lecture's GRU step for one unit, written out with math."""
    x, h = s["x"], s["h_prev"]
    z = _sig(s["Wx_z"] * x + s["Wh_z"] * h + s["b_z"])
    r = _sig(s["Wx_r"] * x + s["Wh_r"] * h + s["b_r"])
    h_tilde = math.tanh(s["Wx_h"] * x + s["Wh_h"] * (r * h) + s["b_h"])
    return {"z": z, "r": r, "h_tilde": h_tilde, "h": (1 - z) * h + z * h_tilde}


@pytest.fixture(scope="module")
def ex():
    return GRUGateExplorer()


def test_controls_have_the_names_of_the_issue(ex):
    assert sorted(ex.controls) == sorted(CONTROLS)


def test_values_follow_the_lecture_equations(ex):
    settings = dict(x=0.7, h_prev=-0.6, Wx_z=-1.5, Wh_z=2.0, b_z=0.3, Wh_h=-2.5, b_r=-1.0)
    ex.set(**settings)
    want = _by_hand({**GRUGateExplorer.DEFAULTS, **settings})
    v = ex.values
    for k in ("z", "r", "h_tilde", "h"):
        assert isinstance(v[k], float)
        assert v[k] == pytest.approx(want[k], abs=1e-12), k
    s = {**GRUGateExplorer.DEFAULTS, **settings}
    assert v["keep_weight"] == pytest.approx(1 - want["z"], abs=1e-12)
    assert v["kept"] == pytest.approx((1 - want["z"]) * s["h_prev"], abs=1e-12)
    assert v["written"] == pytest.approx(want["z"] * want["h_tilde"], abs=1e-12)


def test_update_gate_extremes_keep_or_replace_the_state(ex):
    ex.set(Wx_z=0.0, Wh_z=0.0, b_z=-5.0, h_prev=0.8)  # z ≈ 0.007: keep the old state
    assert ex.values["h"] == pytest.approx(0.8, abs=0.02)
    ex.set(b_z=5.0)  # z ≈ 0.993: take the candidate
    assert ex.values["h"] == pytest.approx(ex.values["h_tilde"], abs=0.02)
    ex.set(**GRUGateExplorer.DEFAULTS)


def test_random_settings_follow_the_lecture_equations(ex):
    rng = np.random.default_rng(1)
    for _ in range(5):
        s = {n: float(rng.uniform(ex.controls[n].min, ex.controls[n].max)) for n in CONTROLS}
        ex.set(**s)
        want = _by_hand(s)
        for k in ("z", "r", "h_tilde", "h"):
            assert ex.values[k] == pytest.approx(want[k], abs=1e-12), k


def test_whole_slider_range_no_nan_no_warning(ex):
    lows = {n: ex.controls[n].min for n in CONTROLS}
    highs = {n: ex.controls[n].max for n in CONTROLS}
    rng = np.random.default_rng(0)
    corners = [lows, highs] + [
        {
            n: (highs[n] if p else lows[n])
            for n, p in zip(CONTROLS, rng.integers(0, 2, 11), strict=True)
        }
        for _ in range(8)
    ]
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for s in corners:
            ex.set(**s)
            want = _by_hand(s)
            for k in ("z", "r", "h_tilde", "h"):
                assert math.isfinite(ex.values[k])
                assert ex.values[k] == pytest.approx(want[k], abs=1e-12)
    ex.set(**GRUGateExplorer.DEFAULTS)


def test_set_rejects_unknown_names_and_out_of_range(ex):
    with pytest.raises(ValueError, match="no control 'c_prev'"):
        ex.set(c_prev=0.0)
    with pytest.raises(ValueError, match="outside"):
        ex.set(h_prev=1.5)


def test_bar_plot_made_once_and_updated_in_place():
    ex = GRUGateExplorer()
    view = ex.bar_view
    image, renders = view.widget, view.renders
    ex.set(b_r=-4.0)
    ex.set(x=-1.0)
    assert view.widget is image and view.renders == renders + 2
    v = ex.values
    assert view.series("bars")[1] == [v["z"], v["r"], v["h_tilde"], v["h"]]
    root = ET.fromstring(image.value)
    fills = [el.get("fill") for el in root.iter() if el.get("data-bar") is not None]
    assert fills[:2] == [gate_color(v["z"]), gate_color(v["r"])]  # gates on the gate scale
    assert fills[3] == value_color(v["h"])  # the state on the value scale


def test_diagram_and_numbers_follow_the_values():
    ex = GRUGateExplorer()
    ex.set(b_z=-2.0)
    z = ex.values["z"]
    root = ET.fromstring(ex.diagram.value)
    (box,) = [el for el in root.iter() if el.get("data-part") == "z"]
    assert box.get("fill") == gate_color(z)
    cell = re.search(r'data-name="h">([^<]*)<', ex.numbers.value).group(1)
    assert cell == f"{ex.values['h']:.3f}"
    for name in ("x", "h_prev", "z", "r", "h_tilde", "kept", "written"):
        assert f'data-name="{name}"' in ex.numbers.value


def test_presentation_mode():
    ex = GRUGateExplorer(presentation=True)
    assert "course-presentation" in ex.widget._dom_classes
    big = float(ET.fromstring(ex.diagram.value).get("width"))
    assert ex.bar_view.font_scale == pytest.approx(ex.presentation_scale)
    bars = float(ET.fromstring(ex.bar_view.widget.value).get("width"))
    ex.presentation = False
    assert "course-presentation" not in ex.widget._dom_classes
    assert float(ET.fromstring(ex.diagram.value).get("width")) < big
    assert ex.bar_view.font_scale == 1.0
    assert float(ET.fromstring(ex.bar_view.widget.value).get("width")) * 1.6 == pytest.approx(bars)
