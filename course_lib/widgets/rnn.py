"""Explorer of lesson 03: one recurrent unit, unrolled through time, every number visible.

    h_0 = 0,   h_t = tanh(wx·x_t + wh·h_{t−1} + b)

The states come from ``course_lib.bptt.one_unit_states`` (``cells.rnn_step`` on 1 × 1
weights); this module only draws them. No TensorFlow.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import bptt
from ..i18n import N_, _
from . import base
from .base import Explorer, numbers_table
from .diagrams import SUBSCRIPTS, unrolled_rnn_svg

__all__ = ["UnrolledRNNExplorer", "parse_sequence", "format_sequence"]

#: Longest input sequence the diagram draws, and the largest |x_t| accepted.
MAX_STEPS = 12
MAX_ABS_INPUT = 10.0


def parse_sequence(sequence) -> list[float]:
    """A list of floats from a list/array or a text like ``"1, 0.5, -1"``: ``base.parse_sequence``
    with at most ``MAX_STEPS`` values in [−MAX_ABS_INPUT, MAX_ABS_INPUT]."""
    return base.parse_sequence(sequence, -MAX_ABS_INPUT, MAX_ABS_INPUT, MAX_STEPS)


def format_sequence(values) -> str:
    """The text the ``sequence`` box shows: shortest exact form of each number, comma-separated."""
    return ", ".join(repr(float(v)) for v in values)


class UnrolledRNNExplorer(Explorer):
    """One tanh unit unrolled over an input sequence.

    Controls: ``wx``, ``wh``, ``b`` (sliders) and ``sequence`` (a text box of numbers; ``set``
    also accepts a list). ``values``: ``wx``, ``wh``, ``b``, ``sequence`` (the inputs
    x_1 … x_T), ``a`` (the pre-activations wx·x_t + wh·h_{t−1} + b) and ``h`` (h_0 = 0,
    h_1 … h_T).
    """

    default_sequence = (1.0, 0.5, -1.0, 0.0, 0.0, 0.0)
    DEFAULTS = {"wx": 1.0, "wh": 0.5, "b": 0.0, "sequence": list(default_sequence)}
    _PULSE = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    #: Lesson 03's settings: one pulse, remembered less or more.
    SCENES = {
        N_("defaults"): {},
        N_("a pulse fades (wh = 0.5)"): {"sequence": _PULSE},
        N_("a pulse lingers (wh = 0.9)"): {"sequence": _PULSE, "wh": 0.9},
        N_("no memory (wh = 0)"): {"sequence": _PULSE, "wh": 0.0},
        N_("the sign flips (wh = −0.9)"): {"sequence": _PULSE, "wh": -0.9},
    }

    def __init__(self, wx=1.0, wh=0.5, b=0.0, sequence=None, presentation=None):
        self._init = {"wx": wx, "wh": wh, "b": b}
        seq = parse_sequence(self.default_sequence if sequence is None else sequence)
        self._sequence = seq
        self._init_text = format_sequence(seq)
        super().__init__(presentation=presentation)

    # -- build ------------------------------------------------------------------------------
    def _build(self) -> None:
        sliders = [
            self.slider("wx", self._init["wx"], -3.0, 3.0, 0.05, _("wx (input weight)")),
            self.slider("wh", self._init["wh"], -3.0, 3.0, 0.05, _("wh (recurrent weight)")),
            self.slider("b", self._init["b"], -2.0, 2.0, 0.05, _("b (bias)")),
        ]
        seq = widgets.Text(
            value=self._init_text,
            description=_("sequence x₁…x_T"),
            continuous_update=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
        self.controls["sequence"] = seq
        self._message = widgets.HTML("")
        self._diagram = widgets.HTML()
        self._table_x = widgets.HTML()
        self._table_h = widgets.HTML()
        self.view = self.figure()
        self.widget.children = (
            widgets.HBox([widgets.VBox(sliders), widgets.VBox([seq, self._message])]),
            self._diagram,
            widgets.HBox([self.view.widget, self._table_x, self._table_h]),
        )

    # -- driving from code ------------------------------------------------------------------
    def set(self, **values) -> UnrolledRNNExplorer:
        """As ``Explorer.set``; ``sequence`` may be a list of numbers or a text."""
        if "sequence" in values:
            values = {**values, "sequence": format_sequence(parse_sequence(values["sequence"]))}
        return super().set(**values)

    # -- compute and draw -------------------------------------------------------------------
    def _compute(self) -> dict:
        try:
            self._sequence = parse_sequence(self.controls["sequence"].value)
            self._message.value = ""
        except ValueError as err:  # typed by hand: keep the last good sequence, say why
            self._message.value = f'<span style="color:#b00">{html.escape(str(err))}</span>'
        wx, wh, b = (float(self.controls[k].value) for k in ("wx", "wh", "b"))
        x = list(self._sequence)
        h = bptt.one_unit_states(wh, len(x), "tanh", u=wx, x=np.array(x), h0=0.0, b=b)
        # pre-activation wx·x_t + wh·h_{t−1} + b: one step of the linear unit from h_{t−1}
        a = [
            float(bptt.one_unit_states(wh, 1, "linear", u=wx, x=x[t], h0=h[t], b=b)[1])
            for t in range(len(x))
        ]
        return {
            "wx": wx,
            "wh": wh,
            "b": b,
            "sequence": x,
            "a": a,
            "h": [float(v) for v in h],
        }

    def _render(self, values: dict) -> None:
        x, h = values["sequence"], values["h"]
        T = len(x)
        self._diagram.value = unrolled_rnn_svg(values, large=self.presentation)
        self._table_x.value = numbers_table(
            {f"x{t}": x[t - 1] for t in range(1, T + 1)},
            labels={f"x{t}": f"x{str(t).translate(SUBSCRIPTS)}" for t in range(1, T + 1)},
        )
        self._table_h.value = numbers_table(
            {f"h{t}": h[t] for t in range(T + 1)},
            labels={f"h{t}": f"h{str(t).translate(SUBSCRIPTS)}" for t in range(T + 1)},
        )
        low = min(-1.1, min(x) - 0.2)
        high = max(1.1, max(x) + 0.2)
        title = "hₜ = tanh(wx·xₜ + wh·hₜ₋₁ + b)"
        plot = self.view.new(600, 280, title)
        ax = plot.axes(
            62, 30, 524, 210, xlim=(-0.3, T + 0.3), ylim=(low, high), title=title,
            xlabel=_("time step t"), ylabel=_("value (no unit)"),
        )  # fmt: skip
        ax.xticks = (list(range(T + 1)), [str(t) for t in range(T + 1)])
        ax.hline(0.0, "#999999", 0.8)
        ax.line(range(T + 1), h, "#d62728", 2, marker="o", label=_("hidden state hₜ"), name="h")
        ax.line(
            range(1, T + 1), x, "#555555", 1.5, dash="5,4", marker="s", ms=3.5,
            label=_("input xₜ"), name="x", opacity=0.7,
        )  # fmt: skip
        ax.legend("upper right")
        self.view.show(plot)
