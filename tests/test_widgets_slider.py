"""The explorers' sliders (course_lib/widgets/slider.py) in the kernel: a move from the page
is snapped onto the slider's grid, sets ``value`` once and is not sent back to the page; a
value set from code is. The page side (slider.js) is exercised in the browser tests."""

from __future__ import annotations

import math

import pytest

from course_lib.widgets import slider as slider_module
from course_lib.widgets.lstm import LSTMGateExplorer
from course_lib.widgets.slider import IntSlider, Slider


def recorded(widget):
    """The state messages ``widget`` sends to the page from now on."""
    sent = []
    widget._send = lambda msg, buffers=None: sent.append(msg)  # noqa: ARG005
    return sent


def from_page(widget, value):
    widget._from_page(widget, {"value": value}, [])


def test_a_move_from_the_page_is_snapped_set_once_and_not_sent_back():
    s = Slider(value=0.0, min=-5.0, max=5.0, step=0.1)
    sent, seen = recorded(s), []
    s.observe(lambda change: seen.append(change["new"]), names="value")
    from_page(s, 1.2300001)
    assert s.value == pytest.approx(1.2) and seen == [s.value]
    assert sent == [], "the page already shows the value it sent"
    from_page(s, 1.2)  # the same position again: nothing happens
    assert seen == [s.value]
    s.value = 2.0  # from code: the page must follow
    assert [m["state"] for m in sent] == [{"value": 2.0}]


@pytest.mark.parametrize(
    ("sent", "expected"),
    [(99.0, 5.0), (-7.5, -5.0), (0.04, 0.0), (0.05000001, 0.1), (-4.96, -5.0), (3, 3.0)],
)
def test_values_from_the_page_land_on_the_grid_inside_the_range(sent, expected):
    s = Slider(value=1.0, min=-5.0, max=5.0, step=0.1)
    from_page(s, sent)
    assert s.value == pytest.approx(expected, abs=1e-12)
    k = (s.value - s.min) / s.step
    assert abs(k - round(k)) < 1e-9


@pytest.mark.parametrize("junk", [True, "1.0", None, math.nan, math.inf, [1.0], {"v": 1}])
def test_a_message_without_a_finite_number_changes_nothing(junk):
    s = Slider(value=1.0, min=-5.0, max=5.0, step=0.1)
    sent = recorded(s)
    from_page(s, junk)
    s._from_page(s, "not a dict", [])
    assert s.value == 1.0 and sent == []


def test_int_slider_keeps_integers():
    s = IntSlider(value=3, min=1, max=8)
    from_page(s, 6.6)
    assert s.value == 7 and isinstance(s.value, int)
    from_page(s, 100)
    assert s.value == 8


def test_code_cannot_put_the_value_outside_the_range():
    s = Slider(value=0.0, min=-1.0, max=1.0, step=0.5)
    s.value = 4.0
    assert s.value == 1.0
    s.max = 0.5  # a range that shrinks past the value takes it along
    assert s.value == 0.5
    s.min, s.max = 2.0, 3.0
    assert s.value == 2.0
    t = IntSlider(value=8, min=1, max=8)
    t.max = 3
    assert t.value == 3


def test_a_move_from_the_page_updates_the_explorer_like_set():
    moved, reference = LSTMGateExplorer(), LSTMGateExplorer()
    from_page(moved.controls["x"], -1.3)
    reference.set(x=-1.3)
    assert moved.values == reference.values

    def pictures(ex):  # each view's SVG, its own clip-path ids set aside
        return [v.widget.value.replace(v.uid, "ID") for v in ex.figures]

    assert pictures(moved) == pictures(reference)


def test_the_page_module_is_stored_without_comments():
    source = (slider_module.Path(slider_module.__file__).with_name("slider.js")).read_text()
    assert "export default { render };" in slider_module._ESM
    assert len(slider_module._ESM) < len(source)
    assert not any(line.startswith("//") for line in slider_module._ESM.splitlines())
    # what runs in the page is this compacted text: the browser tests move sliders with it


def test_the_static_picture_shows_the_slider_settings():
    ex = LSTMGateExplorer().set(x=-1.3)
    assert "= <b>−1.30</b>" in ex.static_html() or "= <b>-1.30</b>" in ex.static_html()
