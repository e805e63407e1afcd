"""Explorer of lesson 03: one recurrent unit, unrolled through time, every number visible.

    h_0 = 0,   h_t = tanh(wx·x_t + wh·h_{t−1} + b)

The states come from ``course_lib.bptt.one_unit_states`` (``cells.rnn_step`` on 1 × 1
weights); this module only draws them. No TensorFlow.
"""

from __future__ import annotations

import html
import re

import ipywidgets as widgets
import numpy as np

from .. import bptt
from .base import Explorer, numbers_table

__all__ = ["UnrolledRNNExplorer", "parse_sequence", "format_sequence"]

#: Longest input sequence the diagram draws, and the largest |x_t| accepted.
MAX_STEPS = 12
MAX_ABS_INPUT = 10.0

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def parse_sequence(sequence) -> list[float]:
    """A list of floats from a list/array or a text like ``"1, 0.5, -1"``.

    ValueError if it is empty, longer than ``MAX_STEPS``, not numeric, not finite, or has a
    value outside [−MAX_ABS_INPUT, MAX_ABS_INPUT].
    """
    if isinstance(sequence, str):
        parts = [p for p in re.split(r"[,;\s]+", sequence.strip()) if p]
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise ValueError(
                f"sequence {sequence!r} is not a list of numbers such as '1, 0.5, -1'"
            ) from None
    else:
        try:
            values = [float(v) for v in np.asarray(sequence, dtype=float).ravel()]
        except (TypeError, ValueError):
            raise ValueError(f"sequence {sequence!r} is not a list of numbers") from None
    if not 1 <= len(values) <= MAX_STEPS:
        raise ValueError(f"sequence has {len(values)} values; expected 1 to {MAX_STEPS}")
    for v in values:
        if not np.isfinite(v) or abs(v) > MAX_ABS_INPUT:
            raise ValueError(f"sequence value {v} is outside [{-MAX_ABS_INPUT}, {MAX_ABS_INPUT}]")
    return values


def format_sequence(values) -> str:
    """The text the ``sequence`` box shows: shortest exact form of each number, comma-separated."""
    return ", ".join(repr(float(v)) for v in values)


def _colour(v: float) -> str:
    """White for 0, red towards +1, blue towards −1 (the state's sign and size)."""
    a = min(abs(float(v)), 1.0)
    if v >= 0:
        r, g, b = 1.0, 1.0 - 0.62 * a, 1.0 - 0.68 * a
    else:
        r, g, b = 1.0 - 0.68 * a, 1.0 - 0.45 * a, 1.0
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


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
        "defaults": {},
        "a pulse fades (wh = 0.5)": {"sequence": _PULSE},
        "a pulse lingers (wh = 0.9)": {"sequence": _PULSE, "wh": 0.9},
        "no memory (wh = 0)": {"sequence": _PULSE, "wh": 0.0},
        "the sign flips (wh = −0.9)": {"sequence": _PULSE, "wh": -0.9},
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
            self.slider("wx", self._init["wx"], -3.0, 3.0, 0.05, "wx (input weight)"),
            self.slider("wh", self._init["wh"], -3.0, 3.0, 0.05, "wh (recurrent weight)"),
            self.slider("b", self._init["b"], -2.0, 2.0, 0.05, "b (bias)"),
        ]
        seq = widgets.Text(
            value=self._init_text,
            description="sequence x₁…x_T",
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
        self._diagram.value = self._svg(values)
        self._table_x.value = numbers_table(
            {f"x{t}": x[t - 1] for t in range(1, T + 1)},
            labels={f"x{t}": f"x{str(t).translate(_SUB)}" for t in range(1, T + 1)},
        )
        self._table_h.value = numbers_table(
            {f"h{t}": h[t] for t in range(T + 1)},
            labels={f"h{t}": f"h{str(t).translate(_SUB)}" for t in range(T + 1)},
        )
        low = min(-1.1, min(x) - 0.2)
        high = max(1.1, max(x) + 0.2)
        title = "hₜ = tanh(wx·xₜ + wh·hₜ₋₁ + b)"
        plot = self.view.new(600, 280, title)
        ax = plot.axes(
            62, 30, 524, 210, xlim=(-0.3, T + 0.3), ylim=(low, high), title=title,
            xlabel="time step t", ylabel="value (no unit)",
        )  # fmt: skip
        ax.xticks = (list(range(T + 1)), [str(t) for t in range(T + 1)])
        ax.hline(0.0, "#999999", 0.8)
        ax.line(range(T + 1), h, "#d62728", 2, marker="o", label="hidden state hₜ", name="h")
        ax.line(
            range(1, T + 1), x, "#555555", 1.5, dash="5,4", marker="s", ms=3.5,
            label="input xₜ", name="x", opacity=0.7,
        )  # fmt: skip
        ax.legend("upper right")
        self.view.show(plot)

    def _svg(self, values: dict) -> str:
        """The unrolled network: h₀ → [step 1] → … → [step T], inputs below, states above."""
        x, h, a = values["sequence"], values["h"], values["a"]
        wx, wh, b = values["wx"], values["wh"], values["b"]
        T = len(x)
        big = self.presentation
        fs = 17 if big else 12
        dx = 118 if big else 92
        bw, bh = (84, 56) if big else (66, 44)
        x0, y_box, y_in, y_out = 95, 95, 185, 30
        width = x0 + T * dx + 30
        height = 225 if big else 215
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="{fs}">',
            '<defs><marker id="rnn-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            '<path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>',
        ]
        # h0
        cy = y_box + bh / 2
        r0 = bh / 2
        parts.append(
            f'<circle cx="32" cy="{cy}" r="{r0}" fill="{_colour(h[0])}" stroke="#444"/>'
            f'<text x="32" y="{cy - 2}" text-anchor="middle">h₀</text>'
            f'<text x="32" y="{cy + fs}" text-anchor="middle" font-size="{fs - 2}">'
            f"{h[0]:.2f}</text>"
        )
        prev_right = 32 + r0
        for t in range(1, T + 1):
            left = x0 + (t - 1) * dx
            mid = left + bw / 2
            # recurrent arrow from the previous state
            parts.append(
                f'<line x1="{prev_right}" y1="{cy}" x2="{left}" y2="{cy}" stroke="#444" '
                'marker-end="url(#rnn-arrow)"/>'
                f'<text x="{(prev_right + left) / 2}" y="{cy - 6}" text-anchor="middle" '
                f'font-size="{fs - 2}" fill="#1f4e9a">wh</text>'
            )
            # the cell
            parts.append(
                f'<g data-step="{t}"><rect x="{left}" y="{y_box}" width="{bw}" height="{bh}" '
                f'rx="8" fill="{_colour(h[t])}" stroke="#222"/>'
                f'<text x="{mid}" y="{y_box + bh * 0.4}" text-anchor="middle" '
                f'font-size="{fs - 2}">tanh({a[t - 1]:.2f})</text>'
                f'<text x="{mid}" y="{y_box + bh * 0.82}" text-anchor="middle" '
                f'font-weight="bold">{h[t]:.3f}</text></g>'
            )
            # input below
            parts.append(
                f'<line x1="{mid}" y1="{y_in - fs}" x2="{mid}" y2="{y_box + bh}" stroke="#444" '
                'marker-end="url(#rnn-arrow)"/>'
                f'<text x="{mid + 5}" y="{(y_in - fs + y_box + bh) / 2 + 4}" font-size="{fs - 2}" '
                'fill="#1f4e9a">wx</text>'
                f'<text x="{mid}" y="{y_in + 4}" text-anchor="middle">'
                f"x{str(t).translate(_SUB)}={x[t - 1]:.2f}</text>"
            )
            # state above
            parts.append(
                f'<line x1="{mid}" y1="{y_box}" x2="{mid}" y2="{y_out + 8}" stroke="#444" '
                'marker-end="url(#rnn-arrow)"/>'
                f'<text x="{mid}" y="{y_out}" text-anchor="middle">'
                f"h{str(t).translate(_SUB)}</text>"
            )
            prev_right = left + bw
        parts.append(
            f'<text x="10" y="{height - 6}" font-size="{fs - 2}" fill="#555">'
            f"hₜ = tanh(wx·xₜ + wh·hₜ₋₁ + b)   wx={wx:.2f}  wh={wh:.2f}  b={b:.2f}"
            "   (box: tanh(pre-activation) and hₜ; colour: red +, blue −)</text>"
        )
        parts.append("</svg>")
        return "".join(parts)
