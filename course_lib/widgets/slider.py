"""The explorers' sliders: ``Slider`` (floats) and ``IntSlider``, anywidget widgets.

Why not ipywidgets' ``FloatSlider``: its page side keeps one message in flight and sends the
last value of a drag only once the kernel has answered the one before, so the views settled
about 1.5 round trips after the hand stopped (80–155 ms on the course's 2-core machine, the bare
ipywidgets slider itself 98 ms). This slider's page side (``slider.js``, plain JavaScript loaded
by anywidget: no build step) sends each move as a custom message with up to two in flight and
merges the moves made meanwhile, so the last value leaves at once and the views settle one
round trip after it; nothing queues and the last value is never dropped.

In the kernel it behaves like ``FloatSlider``: ``value``, ``min``, ``max``, ``step``,
``description``, ``readout_format`` and ``disabled`` are traits (``observe`` them, set them from
code, and the page follows); a value from the page is snapped onto ``min + k·step`` inside the
range and set without being sent back to the page, which already shows it. The page's copy of
``value`` is kept too, so a notebook saved from JupyterLab stores the last position.
"""

from __future__ import annotations

import math
from pathlib import Path

import anywidget
import traitlets

__all__ = ["IntSlider", "Slider"]


def _compact(source: str) -> str:
    """``slider.js`` without its comment lines and indentation: the text is stored in every
    slider's saved widget state (a lesson holds up to 80 sliders)."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


_ESM = _compact((Path(__file__).with_name("slider.js")).read_text(encoding="utf-8"))


class Slider(anywidget.AnyWidget):
    """A float slider whose drags settle one round trip after the hand stops."""

    _esm = _ESM
    value = traitlets.CFloat(0.0).tag(sync=True)
    min = traitlets.CFloat(0.0).tag(sync=True)
    max = traitlets.CFloat(100.0).tag(sync=True)
    step = traitlets.CFloat(0.1).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    readout_format = traitlets.Unicode(".2f").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_class("course-slider-widget")
        self.on_msg(self._from_page)

    @traitlets.validate("value")
    def _clamp(self, proposal):
        return min(max(proposal["value"], self.min), self.max)

    @traitlets.observe("min", "max")
    def _keep_inside(self, _change):
        """A range that moved past the value takes the value with it (as ipywidgets' do)."""
        self.value = min(max(self.value, self.min), self.max)

    def snap(self, value: float) -> float:
        """``value`` moved onto the slider's grid ``min + k·step`` and into [min, max]."""
        value = min(max(float(value), self.min), self.max)
        if self.step > 0:
            k = round((value - self.min) / self.step)
            value = min(self.min + k * self.step, self.max)
        return round(value, 12)

    def _from_page(self, _widget, content, _buffers) -> None:
        """A move made on the page: set ``value`` (observers run) without echoing it back."""
        raw = content.get("value") if isinstance(content, dict) else None
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            return
        value = self._value_type(self.snap(raw))
        # ipywidgets' own path for a value from the page (Widget.set_state) locks the property
        # the same way, so that setting it does not send it to the page again
        with self._lock_property(value=value):
            self.value = value

    _value_type = float


class IntSlider(Slider):
    """An integer slider (``step`` 1 unless given), same page side as :class:`Slider`."""

    value = traitlets.CInt(0).tag(sync=True)
    min = traitlets.CInt(0).tag(sync=True)
    max = traitlets.CInt(100).tag(sync=True)
    step = traitlets.CInt(1).tag(sync=True)
    readout_format = traitlets.Unicode("d").tag(sync=True)
    _value_type = int
