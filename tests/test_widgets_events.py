"""What a slider event costs every explorer: no widget is created (the same models before and
after), no matplotlib figure is made, each plot's text is replaced at most once, and the picture
follows the move."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.figure
import pytest

from course_lib.widgets.gradients import ClippingExplorer, VanishingGradientExplorer
from course_lib.widgets.gru import GRUGateExplorer
from course_lib.widgets.lstm import LSTMGateExplorer
from course_lib.widgets.mlp import ActivationExplorer, HiddenUnitsExplorer
from course_lib.widgets.perceptron import PerceptronTrainer
from course_lib.widgets.rnn import UnrolledRNNExplorer

# explorer, its first slider, a value to move it to
CASES = [
    (PerceptronTrainer, "lr", 0.3),
    (ActivationExplorer, "x", 1.5),
    (HiddenUnitsExplorer, "w1", -10.0),
    (UnrolledRNNExplorer, "wx", -1.0),
    (VanishingGradientExplorer, "w", 1.2),
    (ClippingExplorer, "gx", -4.0),
    (LSTMGateExplorer, "x", -2.0),
    (GRUGateExplorer, "x", -2.0),
]


def _tree(widget) -> set[str]:
    ids = {widget.model_id}
    for child in getattr(widget, "children", ()):
        ids |= _tree(child)
    return ids


def _texts(explorer) -> list[str]:
    return [w.value for w in _all(explorer.widget) if isinstance(w, widgets.HTML)]


def _all(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _all(child)


@pytest.mark.parametrize("cls,name,value", CASES, ids=[c[0].__name__ for c in CASES])
def test_a_slider_event_creates_nothing_and_redraws_once(cls, name, value, monkeypatch):
    ex = cls()
    before_ids = _tree(ex.widget)
    before_text = _texts(ex)
    renders = [view.renders for view in ex.figures]

    def no_figure(*args, **kwargs):
        raise AssertionError("a matplotlib figure was made on a slider event")

    monkeypatch.setattr(matplotlib.figure.Figure, "__init__", no_figure)
    created = []
    monkeypatch.setattr(widgets.Widget, "_call_widget_constructed", created.append)
    ex.controls[name].value = value  # as the browser does it: a trait change, not set()
    assert not created, f"{len(created)} widgets were created on a slider event"
    assert _tree(ex.widget) == before_ids
    assert ex.values[name] == value
    for view, count in zip(ex.figures, renders, strict=True):
        assert view.renders <= count + 1
    assert _texts(ex) != before_text  # something on the page follows the move
