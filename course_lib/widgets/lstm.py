"""Lesson 05's explorer: one LSTM unit, every gate on a slider, every number visible.

``LSTMGateExplorer`` draws the cell (``diagrams.lstm_svg``) coloured by the live gate values,
shows bars for f, i, o, g, c, h and the numbers table. Its "memory tape" mode steps through a
short input sequence and plots c and h over time. Every number comes from
``gate_analysis.lstm_terms`` and ``cells.run_sequence``: this module only shows them.

    ex = LSTMGateExplorer()
    ex.set(x=1.0, b_f=3.0)          # move sliders from code
    ex.values["c"]                  # read what the explorer shows
    ex.set_sequence([1, 0, 0, -1])  # the memory tape
    ex.set(mode="tape", t=3)
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import cells
from .. import gate_analysis as ga
from ..i18n import N_, _, get_language
from .base import Explorer, numbers_table, parse_sequence
from .diagrams import lstm_svg
from .gates import GateBars, one_unit_params

__all__ = ["LSTMGateExplorer"]

GATES = ("f", "i", "o", "g")
GATE_TITLES = {
    "f": N_("forget gate f"),
    "i": N_("input gate i"),
    "o": N_("output gate o"),
    "g": N_("candidate g (c̃)"),
}


class LSTMGateExplorer(Explorer):
    """One LSTM unit: sliders ``x, h_prev, c_prev`` and ``Wx_*, Wh_*, b_*`` for * in f, i, o, g.

    ``values`` holds the step shown in the diagram, as floats: ``f, i, o, g, c, h``, the
    terms ``kept`` (f·c_{t−1}), ``written`` (i·g), ``tanh_c``, and the step's inputs
    ``x, h_prev, c_prev``. It also holds the memory tape: ``sequence`` (the inputs),
    ``tape_c`` and ``tape_h`` (c_1 … c_t and h_1 … h_t, lists), ``t`` and ``mode``.

    Modes (control ``mode``): ``"step"`` shows one step from the sliders x, h_prev, c_prev;
    ``"tape"`` runs the cell over ``sequence`` starting from (h₀, c₀) = (h_prev, c_prev) and
    shows step ``t`` (the inputs of that step are then the tape's, not the sliders').
    """

    INPUT_RANGE = (-3.0, 3.0)
    MAX_SEQUENCE = 20
    DEFAULTS = {
        "x": 1.0, "h_prev": 0.0, "c_prev": 0.5,
        "Wx_f": 0.5, "Wh_f": 0.5, "b_f": 1.0,
        "Wx_i": 1.0, "Wh_i": 0.5, "b_i": 0.0,
        "Wx_o": 1.0, "Wh_o": 0.5, "b_o": 0.0,
        "Wx_g": 2.0, "Wh_g": 0.5, "b_g": 0.0,
    }  # fmt: skip
    DEFAULT_SEQUENCE = (1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0)
    _CLOSED_F = {"Wx_f": 0.0, "Wh_f": 0.0, "c_prev": 2.0}
    _ONLY_I = {"c_prev": 0.0, "Wx_i": 0.0, "Wh_i": 0.0}
    _HOLD = {
        **_CLOSED_F,
        "b_f": 5.0,
        "Wx_i": 0.0,
        "Wh_i": 0.0,
        "b_i": -5.0,
        "Wx_o": 0.0,
        "Wh_o": 0.0,
    }
    #: Lesson 05's settings (section 3), each from ``DEFAULTS`` in single-step mode (the tape
    #: scenes: the default sequence 1, 0, 0, 0, −1, 0, 0, 0 shown at its last step t = 8).
    SCENES = {
        N_("defaults"): {},
        N_("forget gate open"): {**_CLOSED_F, "b_f": 5.0},
        N_("forget gate half open"): {**_CLOSED_F, "b_f": 0.0},
        N_("forget gate closed"): {**_CLOSED_F, "b_f": -5.0},
        N_("input gate closed"): {**_ONLY_I, "b_i": -5.0},
        N_("input gate half open"): {**_ONLY_I, "b_i": 0.0},
        N_("input gate open"): {**_ONLY_I, "b_i": 5.0},
        N_("output gate closed"): {**_HOLD, "b_o": -5.0},
        N_("output gate open"): {**_HOLD, "b_o": 5.0},
        N_("memory tape on a spike"): {"mode": "tape", "t": 8, "b_f": 4.0, "Wh_g": 0.0},
        N_("memory tape, leaky forget gate"): {"mode": "tape", "t": 8, "b_f": -2.0, "Wh_g": 0.0},
    }
    LABELS = {
        "x": "x\u209c", "h_prev": "h\u209c\u208b\u2081", "c_prev": "c\u209c\u208b\u2081",
        "f": "f", "i": "i", "o": "o", "g": "g (c̃)", "kept": "f·c\u209c\u208b\u2081",
        "written": "i·g", "c": "c\u209c", "tanh_c": "tanh(c\u209c)", "h": "h\u209c",
    }  # fmt: skip

    def __init__(self, presentation: bool | None = None, sequence=None, **initial):
        unknown = set(initial) - set(self.DEFAULTS)
        if unknown:
            raise ValueError(f"unknown initial values {sorted(unknown)}; use {list(self.DEFAULTS)}")
        self._initial = {**self.DEFAULTS, **initial}
        seq = self.DEFAULT_SEQUENCE if sequence is None else sequence
        self._sequence = parse_sequence(seq, *self.INPUT_RANGE, self.MAX_SEQUENCE)
        self._sequence_error = ""
        super().__init__(presentation=presentation)

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        lo, hi = self.INPUT_RANGE
        v = self._initial
        inputs = [
            self.slider("x", v["x"], lo, hi, description=_("x\u209c (input)")),
            self.slider("h_prev", v["h_prev"], -1.0, 1.0, 0.05, description="h\u209c\u208b\u2081"),
            self.slider("c_prev", v["c_prev"], -3.0, 3.0, description="c\u209c\u208b\u2081"),
        ]
        head = widgets.HTML("<b>{}</b>".format(_("inputs")), layout={"width": "150px"})
        rows = [widgets.HBox([head, *inputs])]
        rows += self.gate_sliders(GATES, GATE_TITLES, v)
        # memory tape
        self.controls["mode"] = widgets.ToggleButtons(
            options=[(_("single step"), "step"), (_("memory tape"), "tape")],
            value="step",
            description=_("mode"),
            style={"button_width": "110px"},
        )
        self.controls["sequence"] = widgets.Text(
            value=", ".join(f"{s:g}" for s in self._sequence),
            description=_("sequence x₁…x_T"),
            continuous_update=False,
            style={"description_width": "initial"},
            layout={"width": "340px"},
        )
        self.int_slider("t", 1, 1, len(self._sequence), _("step t"))
        self.step_button = widgets.Button(
            description=_("Step ▶"), tooltip=_("next step of the tape")
        )
        self.reset_button = widgets.Button(description=_("Reset"), tooltip=_("back to step 1"))
        self.step_button.on_click(lambda _b: self.step())
        self.reset_button.on_click(lambda _b: self.reset())
        self._status = widgets.HTML()
        tape_row = widgets.HBox(
            [
                self.controls["mode"],
                self.controls["sequence"],
                self.controls["t"],
                self.step_button,
                self.reset_button,
            ],
            layout={"flex_flow": "row wrap"},
        )
        # views
        self.diagram = widgets.HTML()
        self.numbers = widgets.HTML()
        self.bar_view = self.figure()
        self.bars = GateBars(
            self.bar_view,
            ["f", "i", "o", "g", "c", "h"],
            {"g": "g (c̃)"},
            gates=("f", "i", "o"),
            title=_("gates and states"),
        )
        self.tape_view = self.figure()
        wrap = {"flex_flow": "row wrap", "align_items": "flex-start"}
        self.widget.children = (
            widgets.HBox([self.diagram, self.numbers], layout=wrap),
            *rows,
            tape_row,
            self._status,
            widgets.HBox([self.bar_view.widget, self.tape_view.widget], layout=wrap),
        )

    # -- computing --------------------------------------------------------------------------
    def params(self) -> dict[str, np.ndarray]:
        """The sliders' weights as a ``params`` dict of (1, 1) and (1,) arrays."""
        return one_unit_params({k: c.value for k, c in self.controls.items()}, GATES)

    def set_sequence(self, sequence, t: int | None = None) -> LSTMGateExplorer:
        """Set the tape's inputs (a list of numbers in [−3, 3], at most 20) and optionally t."""
        parse_sequence(sequence, *self.INPUT_RANGE, self.MAX_SEQUENCE)  # raise on bad input
        text = ", ".join(f"{float(s):g}" for s in sequence)
        with self.quietly():
            self.controls["sequence"].value = text
            self._sync_tape()
            if t is not None:
                self._check("t", t)
                self.controls["t"].value = t
        self.update()
        return self

    def scene_defaults(self) -> dict:
        """``DEFAULTS``, single-step mode, the default sequence, t = 1."""
        return {**self.DEFAULTS, "mode": "step", "sequence": self.DEFAULT_SEQUENCE, "t": 1}

    def _apply_scene(self, settings: dict) -> None:
        self.set_sequence(settings.pop("sequence"))
        self.set(**settings)

    def step(self) -> None:
        """Next step of the tape (switches to tape mode; stays at the last step)."""
        if self.controls["mode"].value != "tape":
            self.set(mode="tape")
            return
        t = self.controls["t"]
        self.set(t=min(t.value + 1, t.max))

    def reset(self) -> None:
        """Back to step 1 of the tape."""
        self.set(t=1)

    def _sync_tape(self) -> None:
        """Parse the sequence text; on success resize the t slider, else keep the last tape."""
        try:
            seq = parse_sequence(
                self.controls["sequence"].value, *self.INPUT_RANGE, self.MAX_SEQUENCE
            )
        except ValueError as err:
            self._sequence_error = str(err)
            return
        self._sequence_error = ""
        self._sequence = seq
        t = self.controls["t"]
        if t.max != len(seq):
            with self.quietly():
                t.value = min(t.value, len(seq))
                t.max = len(seq)

    def update(self) -> None:
        self._sync_tape()
        super().update()

    def _compute(self) -> dict:
        c = {k: ctl.value for k, ctl in self.controls.items()}
        p = self.params()
        seq = list(self._sequence)
        X = np.asarray(seq, dtype=float).reshape(1, -1, 1)
        h0, c0 = np.array([[float(c["h_prev"])]]), np.array([[float(c["c_prev"])]])
        H, per_step = cells.run_sequence(cells.lstm_step, X, (h0, c0), p)
        tape_h = [float(v) for v in H[0, :, 0]]
        tape_c = [float(v) for v in per_step["c"][0, :, 0]]
        t = int(c["t"])
        if c["mode"] == "tape":
            x_in = seq[t - 1]
            h_in = float(c["h_prev"]) if t == 1 else tape_h[t - 2]
            c_in = float(c["c_prev"]) if t == 1 else tape_c[t - 2]
        else:
            x_in, h_in, c_in = float(c["x"]), float(c["h_prev"]), float(c["c_prev"])
        terms = ga.lstm_terms([[x_in]], [[h_in]], [[c_in]], p)
        values = {k: float(v[0, 0]) for k, v in terms.items()}
        values.update(x=float(x_in), h_prev=float(h_in), c_prev=float(c_in))
        values.update(
            mode=c["mode"],
            t=t,
            sequence=seq,
            tape_c=tape_c[:t],
            tape_h=tape_h[:t],
            sequence_error=self._sequence_error,
        )
        self._full_tape = (tape_c, tape_h)
        return values

    # -- showing ----------------------------------------------------------------------------
    def _render(self, values: dict) -> None:
        scale = self.presentation_scale if self.presentation else 1.0
        if values["mode"] == "tape":
            title = _("LSTM cell, step t = {t} of the tape").format(t=values["t"])
        else:
            title = _("LSTM cell, one step")
        self.diagram.value = lstm_svg(values, font_scale=scale, title=title)
        shown = ("x", "h_prev", "c_prev", "f", "i", "g", "o", "kept", "written", "c", "tanh_c", "h")
        self.numbers.value = numbers_table({k: values[k] for k in shown}, labels=self.LABELS)
        self.bars.update(values)
        self._render_tape(values)
        # in tape mode the inputs come from the sequence: the x slider has no effect there
        self.controls["x"].disabled = values["mode"] == "tape"
        err = values["sequence_error"]
        self._status.value = (
            '<span style="color:#b03a2e">{}</span>'.format(
                _("sequence not used: {reason}").format(reason=err)
            )
            if err
            else ""
        )

    def _render_tape(self, values: dict) -> None:
        seq = values["sequence"]
        n = len(seq)
        t = values["t"]
        tape_c, tape_h = self._full_tape
        key = (tuple(seq), tuple(tape_c[:t]), tuple(tape_h[:t]), t, self.tape_view.font_scale)
        key += (get_language(),)
        if key == getattr(self, "_tape_key", None):
            return  # nothing on the tape changed (e.g. the x slider in single-step mode)
        self._tape_key = key
        steps = list(range(1, n + 1))
        span = max(1.1, 1.1 * max(abs(v) for v in [*seq, *tape_c[:t], *tape_h[:t]]))
        title = _("memory tape: c and h step by step")
        plot = self.tape_view.new(600, 280, title)
        ax = plot.axes(
            62, 30, 524, 210, xlim=(0.5, n + 0.5), ylim=(-span, span), title=title,
            xlabel=_("time step t"), ylabel=_("value (no unit)"),
        )  # fmt: skip
        ax.xticks = (steps, [str(k) for k in steps])
        ax.hline(0.0, color="#bbbbbb", width=0.8)
        ax.vline(t, color="#444444", width=1, dash="2,3", name="cursor")
        ax.line(steps, seq, "#999999", 1, marker="s", ms=3, label=_("input x\u209c"), name="x")
        ax.line(
            steps[:t], tape_c[:t], "#c0392b", 2, marker="o", label=_("cell state c\u209c"), name="c"
        )
        ax.line(
            steps[:t],
            tape_h[:t],
            "#2471a3",
            2,
            marker="o",
            label=_("hidden state h\u209c"),
            name="h",
        )
        ax.legend("upper right")
        self.tape_view.show(plot)
