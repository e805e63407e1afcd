"""Named scenes, the static fallback and the projector switch of every explorer.

Each scene must set exactly the settings written out in ``tests/test_stored_explorers.SCENES``
(whatever was moved before), and the explorer must then show the numbers computed there by hand.
The scene buttons are made once and a click sets the scene; the fallback beside the widget view
shows the current picture and numbers; ``course_lib.presentation(True)`` reaches every explorer,
those already made and those made later.
"""

from __future__ import annotations

import ipywidgets as widgets
import pytest

import course_lib
from course_lib.widgets import base
from course_lib.widgets.gradients import ClippingExplorer, VanishingGradientExplorer
from course_lib.widgets.gru import GRUGateExplorer
from course_lib.widgets.lstm import LSTMGateExplorer
from course_lib.widgets.mlp import ActivationExplorer, HiddenUnitsExplorer
from course_lib.widgets.perceptron import PerceptronTrainer
from course_lib.widgets.rnn import UnrolledRNNExplorer
from course_lib.widgets.slider import Slider
from tests.test_stored_explorers import SCENES, assert_numbers_match, reference, shown_numbers

CLASSES = {
    cls.__name__: cls
    for cls in (
        LSTMGateExplorer,
        GRUGateExplorer,
        PerceptronTrainer,
        VanishingGradientExplorer,
        ClippingExplorer,
        UnrolledRNNExplorer,
        ActivationExplorer,
        HiddenUnitsExplorer,
    )
}
CASES = [(name, scene) for name, scenes in SCENES.items() for scene in scenes]
#: a setting far from every scene, moved before the scene is set (the scene must undo it)
DISTURB = {
    "LSTMGateExplorer": {"x": -2.5, "b_f": -3.0, "Wh_g": 2.0, "mode": "tape", "t": 3},
    "GRUGateExplorer": {"x": -2.0, "h_prev": 0.3, "b_z": 2.0, "Wx_h": -1.0},
    "PerceptronTrainer": {"gate": "XOR", "lr": 0.5},
    "VanishingGradientExplorer": {"w": -2.0, "steps": 7, "activation": "relu"},
    "ClippingExplorer": {"gx": -4.0, "gy": -4.5, "threshold": 0.5},
    "UnrolledRNNExplorer": {"wx": -2.0, "wh": 2.0, "b": 1.0, "sequence": [3, 3]},
    "ActivationExplorer": {"activation": "linear", "x": -4.0},
    "HiddenUnitsExplorer": {"target": "sine", "w1": -30.0, "b3": 4.0, "v4": 2.0},
}


def _control_values(ex) -> dict:
    out = {}
    for name, control in ex.controls.items():
        value = control.value
        out[name] = [float(v) for v in value.split(",")] if name == "sequence" else value
    return out


@pytest.mark.parametrize("cls_name,scene", CASES, ids=[f"{c}-{s}" for c, s in CASES])
def test_a_scene_sets_exactly_its_documented_state_and_shows_the_hand_numbers(cls_name, scene):
    ex = CLASSES[cls_name]()
    ex.set(**DISTURB[cls_name])
    if cls_name == "PerceptronTrainer":
        ex.epoch(4)
    assert ex.scene(scene) is ex and ex.current_scene == scene
    want = SCENES[cls_name][scene]
    controls = _control_values(ex)
    for name, value in want.items():
        got = ex.values["epochs"] if name == "epochs" else controls[name]
        if isinstance(value, float | list):
            assert got == pytest.approx(value), name
        else:
            assert got == value, name
    assert set(controls) <= set(want), f"scene leaves {set(controls) - set(want)} as they were"
    # the numbers the explorer's tables show, against the hand computation
    tables = "".join(
        w.value
        for w in _all(ex.widget)
        if isinstance(w, widgets.HTML) and "course-numbers" in w.value
    )
    assert_numbers_match(shown_numbers(tables), reference(cls_name, scene), f"{cls_name}/{scene}")


def test_scene_numbers_of_the_lessons_by_hand():
    """A few scenes against numbers worked out on paper (σ(±5) = 0.9933 / 0.0067, ...)."""
    f = reference("LSTMGateExplorer", "forget gate closed")
    assert f["f"] == pytest.approx(0.006693, abs=1e-6) and f["kept"] == pytest.approx(
        0.013386, 1e-4
    )
    o = reference("LSTMGateExplorer", "output gate closed")
    assert o["c"] == pytest.approx(0.993307 * 2 + 0.006693 * 0.964028, abs=1e-5)
    z = reference("GRUGateExplorer", "keep the old state")
    assert z["h"] == pytest.approx(0.993307 * 0.8 + 0.006693 * z["h_tilde"], abs=1e-6)
    d = reference("GRUGateExplorer", "defaults")  # lesson 06, section 2: h = 0.3973
    assert round(d["h"], 4) == 0.3973 and round(d["z"], 4) == 0.6792
    p = reference("PerceptronTrainer", "AND after training")  # lesson 01: w = (0.2, 0.1), b = −0.3
    assert (round(p["w1"], 6), round(p["w2"], 6), round(p["b"], 6)) == (0.2, 0.1, -0.3)
    v = reference("VanishingGradientExplorer", "linear, w = 0.9, 50 steps")
    assert v["grad_T"] == pytest.approx(0.9**50)  # lesson 04 prints 5.15e-03
    c = reference("ClippingExplorer", "g = (4, 1), c = 1")  # lesson 04: (1, 1) and (0.970, 0.243)
    assert (c["by_value_x"], c["by_value_y"]) == (1.0, 1.0)
    assert (round(c["by_norm_x"], 3), round(c["by_norm_y"], 3)) == (0.970, 0.243)


def _all(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _all(child)


@pytest.mark.parametrize("cls_name", list(CLASSES))
def test_scene_buttons_are_made_once_and_a_click_sets_the_scene(cls_name, monkeypatch):
    ex = CLASSES[cls_name]()
    buttons = [w for w in _all(ex.widget) if isinstance(w, widgets.Button)]
    scene_buttons = [b for b in buttons if "course-scene-button" in b._dom_classes]
    assert [b.description for b in scene_buttons] == list(SCENES[cls_name])
    created = []
    monkeypatch.setattr(widgets.Widget, "_call_widget_constructed", created.append)
    last = list(SCENES[cls_name])[-1]
    scene_buttons[-1].click()
    assert ex.current_scene == last and not created, "a scene click created widgets"
    first = next(iter(SCENES[cls_name]))
    scene_buttons[0].click()
    assert ex.current_scene == first
    some = next(n for n, c in ex.controls.items() if isinstance(c, Slider))
    slider = ex.controls[some]
    slider.value = slider.max if slider.value != slider.max else slider.min  # a person moves it
    assert ex.current_scene is None


def test_unknown_scene_names_the_scenes():
    with pytest.raises(ValueError, match="forget gate closed"):
        LSTMGateExplorer().scene("no such scene")


def test_hidden_units_scenes():
    ex = HiddenUnitsExplorer(units=4)
    ex.scene("two units make a bump")
    values = ex.values
    # σ(20x − 6) − σ(20x − 14) at x = 0.5: σ(4) − σ(−4) = 0.96403
    k = 100  # x = 0.5 on the 201-point grid
    assert values["output"][k] == pytest.approx(0.964028, abs=1e-6)
    assert {ex.controls[f"v{j}"].value for j in (3, 4)} == {0.0}
    assert "two units make a bump" not in HiddenUnitsExplorer(units=1).SCENES


@pytest.mark.parametrize("cls_name", list(CLASSES))
def test_the_fallback_is_the_current_picture_and_numbers(cls_name):
    ex = CLASSES[cls_name]()
    scene = list(SCENES[cls_name])[-1]
    ex.scene(scene)
    bundle = ex._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == ex.widget.model_id
    assert len(bundle["text/plain"]) < 120 and "VBox" not in bundle["text/plain"]
    assert scene in bundle["text/plain"]
    page = bundle["text/html"]
    assert "<script" not in page and f'data-scene="{scene}"' in page
    for view in ex.figures:  # every plot, as it is drawn now
        assert view.widget.value in page
    assert_numbers_match(shown_numbers(page), reference(cls_name, scene), cls_name)
    for button in (w for w in _all(ex.widget) if isinstance(w, widgets.Button)):
        assert f">{button.description}<" not in page  # buttons do nothing on a static page


def test_presentation_switch_reaches_explorers_made_before_and_after():
    before = [LSTMGateExplorer(), ClippingExplorer(), PerceptronTrainer()]
    try:
        assert course_lib.presentation(True) >= len(before)
        for ex in before:
            assert ex.presentation and "course-presentation" in ex.widget._dom_classes
            assert all(v.font_scale == ex.presentation_scale for v in ex.figures)
        later = GRUGateExplorer()
        assert later.presentation and "course-presentation" in later.widget._dom_classes
        assert 'data-font-scale="1.6"' in later.bar_view.widget.value
        assert 'style="font-size: 150%"' in later._repr_mimebundle_()["text/html"]
    finally:
        course_lib.presentation(False)
    assert not base._PRESENTATION_ALL
    for ex in [*before, later]:
        assert not ex.presentation and "course-presentation" not in ex.widget._dom_classes
    assert not VanishingGradientExplorer().presentation
    assert VanishingGradientExplorer(presentation=True).presentation  # per explorer, as before


def test_training_after_a_scene_leaves_it():
    ex = PerceptronTrainer().scene("AND after training")
    assert ex.current_scene == "AND after training"
    ex.step()
    assert ex.current_scene is None and ex.values["updates"] == 21
    ex.scene("OR after training").restart()
    assert ex.current_scene is None and ex.values["epochs"] == 0
