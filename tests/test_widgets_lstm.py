"""Tests of LSTMGateExplorer: driven from code, checked against the LSTM equations written out
by hand here (never read back from the explorer, never through course_lib)."""

from __future__ import annotations

import itertools
import math
import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from course_lib.widgets.diagrams import gate_color, value_color
from course_lib.widgets.lstm import LSTMGateExplorer

CONTROLS = ["x", "h_prev", "c_prev"] + [f"{w}_{k}" for k in "fiog" for w in ("Wx", "Wh", "b")]


def _sig(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))


def _expected(settings):
    """One LSTM step written out by hand from the lecture's equations (scalars, no numpy)."""
    s = {**LSTMGateExplorer.DEFAULTS, **settings}
    x, h, c = s["x"], s["h_prev"], s["c_prev"]

    def a(k):
        return s[f"Wx_{k}"] * x + s[f"Wh_{k}"] * h + s[f"b_{k}"]

    f, i, o, g = _sig(a("f")), _sig(a("i")), _sig(a("o")), math.tanh(a("g"))
    c_new = f * c + i * g
    return {"f": f, "i": i, "o": o, "g": g, "c": c_new, "h": o * math.tanh(c_new)}


@pytest.fixture(scope="module")
def ex():
    return LSTMGateExplorer()


def test_controls_have_the_names_of_the_issue(ex):
    for name in CONTROLS:
        assert name in ex.controls
    assert {"mode", "sequence", "t"} <= set(ex.controls)


def test_values_are_floats_and_match_lstm_step(ex):
    settings = dict(x=-1.2, h_prev=0.35, c_prev=2.0, Wx_f=-0.5, b_f=1.0, Wh_g=-2.0, b_o=3.0)
    ex.set(mode="step", **settings)
    v = ex.values
    for k, want in _expected(settings).items():
        assert isinstance(v[k], float)
        assert v[k] == pytest.approx(want, abs=1e-12), k
    want = _expected(settings)
    assert v["kept"] == pytest.approx(want["f"] * 2.0, abs=1e-12)
    assert v["written"] == pytest.approx(want["i"] * want["g"], abs=1e-12)


def test_one_hand_computed_step():
    ex = LSTMGateExplorer(
        x=1.0, h_prev=0.0, c_prev=0.0, Wx_f=0.0, Wh_f=0.0, b_f=0.0, Wx_i=0.0, Wh_i=0.0,
        b_i=0.0, Wx_o=0.0, Wh_o=0.0, b_o=0.0, Wx_g=1.0, Wh_g=0.0, b_g=0.0,
    )  # fmt: skip
    v = ex.values
    assert v["f"] == v["i"] == v["o"] == pytest.approx(0.5)
    assert v["g"] == pytest.approx(math.tanh(1.0))
    assert v["c"] == pytest.approx(0.5 * math.tanh(1.0))
    assert v["h"] == pytest.approx(0.5 * math.tanh(0.5 * math.tanh(1.0)))


def _corner_settings(ex):
    names = CONTROLS
    lows = {n: ex.controls[n].min for n in names}
    highs = {n: ex.controls[n].max for n in names}
    yield lows
    yield highs
    rng = np.random.default_rng(0)
    for _ in range(6):
        pick = rng.integers(0, 2, size=len(names))
        yield {n: (highs[n] if p else lows[n]) for n, p in zip(names, pick, strict=True)}


def test_whole_slider_range_no_nan_no_warning(ex):
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for settings in _corner_settings(ex):
            ex.set(mode="step", **settings)
            v = ex.values
            for k, want in _expected(settings).items():
                assert math.isfinite(v[k])
                assert v[k] == pytest.approx(want, abs=1e-12)
            assert 0.0 <= v["f"] <= 1.0 and -1.0 <= v["h"] <= 1.0
        # the tape too, with the longest and largest inputs it accepts, at both corners
        ex.set_sequence([3.0] * 20, t=20)
        for settings in list(_corner_settings(ex))[:2]:
            ex.set(mode="tape", **settings)
            assert len(ex.values["tape_c"]) == 20
            assert all(math.isfinite(c) for c in ex.values["tape_c"] + ex.values["tape_h"])
            assert abs(ex.values["tape_c"][-1]) <= 3.0 + 20  # |c| grows by < 1 per step
    ex.set_sequence(LSTMGateExplorer.DEFAULT_SEQUENCE, t=1)
    ex.set(**LSTMGateExplorer.DEFAULTS)


def test_memory_tape_equals_running_the_cell_step_by_step():
    ex = LSTMGateExplorer()
    seq = [1.0, 0.0, -0.5, 0.0, 2.0]
    ex.set(h_prev=0.2, c_prev=-0.4, b_f=2.5)
    ex.set_sequence(seq)
    ex.set(mode="tape", t=4)
    h, c = 0.2, -0.4
    cs, hs = [], []
    for x in seq:
        out = _expected({"b_f": 2.5, "x": x, "h_prev": h, "c_prev": c})
        if len(cs) == 3:
            step4 = (x, h, c, out["f"])
        h, c = out["h"], out["c"]
        cs.append(c)
        hs.append(h)
    v = ex.values
    np.testing.assert_allclose(v["tape_c"], cs[:4], atol=1e-12)
    np.testing.assert_allclose(v["tape_h"], hs[:4], atol=1e-12)
    assert isinstance(v["tape_c"], list) and isinstance(v["tape_c"][0], float)
    # the diagram shows step 4 of the tape: its inputs are the tape's
    assert (v["x"], v["h_prev"], v["c_prev"]) == pytest.approx(step4[:3])
    assert v["f"] == pytest.approx(step4[3])
    assert v["c"] == pytest.approx(cs[3]) and v["h"] == pytest.approx(hs[3])
    assert v["sequence"] == seq
    assert ex.controls["x"].disabled  # the tape gives the inputs
    ex.set(mode="step")
    assert not ex.controls["x"].disabled


def test_step_and_reset_buttons():
    ex = LSTMGateExplorer()
    ex.set_sequence([1, 0, 0])
    assert ex.values["mode"] == "step"
    ex.step_button.click()  # first click switches to the tape
    assert ex.values["mode"] == "tape" and ex.values["t"] == 1
    ex.step_button.click()
    ex.step_button.click()
    assert ex.values["t"] == 3 and len(ex.values["tape_c"]) == 3
    ex.step_button.click()  # stays at the end
    assert ex.values["t"] == 3
    ex.reset_button.click()
    assert ex.values["t"] == 1 and len(ex.values["tape_h"]) == 1


def test_sequence_text_control_and_bad_input():
    ex = LSTMGateExplorer()
    ex.set(sequence="0.5, -1, 2")
    assert ex.values["sequence"] == [0.5, -1.0, 2.0]
    assert ex.controls["t"].max == 3
    ex.set(sequence="1, banana")
    assert "not a list of numbers" in ex.values["sequence_error"]
    assert ex.values["sequence"] == [0.5, -1.0, 2.0]  # the last good tape is kept
    assert "sequence not used" in ex._status.value
    ex.set(sequence="9")
    assert "outside the input range" in ex.values["sequence_error"]
    ex.set(sequence="1 2 3 1 ")
    assert ex.values["sequence_error"] == "" and ex.controls["t"].max == 4
    with pytest.raises(ValueError):
        ex.set_sequence([])
    with pytest.raises(ValueError):
        ex.set_sequence([0.0] * 21)


def test_set_rejects_unknown_names_and_out_of_range():
    ex = LSTMGateExplorer()
    with pytest.raises(ValueError, match="no control 'W_f'"):
        ex.set(W_f=1.0)
    with pytest.raises(ValueError, match="outside"):
        ex.set(b_f=6.0)
    with pytest.raises(ValueError, match="not one of"):
        ex.set(mode="fast")
    with pytest.raises(ValueError):
        LSTMGateExplorer(w=1.0)


def test_plots_made_once_and_updated_in_place():
    ex = LSTMGateExplorer()
    bars, tape = ex.bar_view, ex.tape_view
    bar_image, tape_image = bars.widget, tape.widget
    r_b, r_t = bars.renders, tape.renders
    svg = bars.widget.value
    ex.set(b_f=-3.0)
    assert bars.widget is bar_image and tape.widget is tape_image
    assert bars.renders > r_b and tape.renders > r_t
    assert bars.widget.value != svg
    v = ex.values
    assert bars.series("bars")[1] == [v[k] for k in ("f", "i", "o", "g", "c", "h")]
    root = ET.fromstring(bars.widget.value)
    fills = [el.get("fill") for el in root.iter() if el.get("data-bar") is not None]
    assert fills[0] == gate_color(v["f"]) and fills[4] == value_color(v["c"])
    r_b, r_t = bars.renders, tape.renders
    ex.set(x=-2.0)  # single step: the tape does not depend on x, so it is not redrawn
    assert bars.renders == r_b + 1 and tape.renders == r_t
    ex.set_sequence([1.0, -1.0, 0.5], t=3)
    ex.set(mode="tape")
    v = ex.values
    assert tape.series("c") == ([1.0, 2.0, 3.0], v["tape_c"])
    assert tape.series("h") == ([1.0, 2.0, 3.0], v["tape_h"])
    assert tape.series("x") == ([1.0, 2.0, 3.0], [1.0, -1.0, 0.5])
    assert tape.series("cursor")[0] == [3.0, 3.0]


def test_diagram_and_numbers_follow_the_values():
    ex = LSTMGateExplorer()
    ex.set(b_f=5.0, Wx_f=0.0, Wh_f=0.0)
    f = ex.values["f"]
    assert f == pytest.approx(1 / (1 + math.exp(-5.0)))
    root = ET.fromstring(ex.diagram.value)
    (box,) = [el for el in root.iter() if el.get("data-part") == "f"]
    assert box.get("fill") == gate_color(f)
    cell = re.search(r'data-name="f">([^<]*)<', ex.numbers.value).group(1)
    assert cell == f"{f:.3f}"
    for name in ("x", "h_prev", "c_prev", "i", "g", "o", "c", "h"):
        assert f'data-name="{name}"' in ex.numbers.value


def test_presentation_mode_toggles_class_fonts_and_diagram_size():
    ex = LSTMGateExplorer()
    width = float(ET.fromstring(ex.diagram.value).get("width"))

    def plot_width(view):
        return float(ET.fromstring(view.widget.value).get("width"))

    sizes = [plot_width(ex.bar_view), plot_width(ex.tape_view)]
    ex.presentation = True
    assert "course-presentation" in ex.widget._dom_classes
    assert ex.bar_view.font_scale == pytest.approx(ex.presentation_scale)
    big = [plot_width(ex.bar_view), plot_width(ex.tape_view)]
    assert big == pytest.approx([s * ex.presentation_scale for s in sizes], abs=0.5)
    assert float(ET.fromstring(ex.diagram.value).get("width")) > 1.5 * width
    ex.presentation = False
    assert "course-presentation" not in ex.widget._dom_classes
    assert [plot_width(ex.bar_view), plot_width(ex.tape_view)] == sizes
    assert LSTMGateExplorer(presentation=True).presentation


def test_every_extreme_single_gate_weight_alone():
    # each weight at both ends with the others at their defaults, inputs at the corners
    ex = LSTMGateExplorer()
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for name, (end, x) in itertools.product(CONTROLS[3:], (("min", 3.0), ("max", -3.0))):
            value = getattr(ex.controls[name], end)
            settings = {**LSTMGateExplorer.DEFAULTS, name: value, "x": x, "c_prev": -3.0}
            ex.set(**settings)
            assert ex.values["c"] == pytest.approx(_expected(settings)["c"], abs=1e-12)
