"""What the gate explorers of lessons 05 (LSTM) and 06 (GRU) share: the weights of one unit
read from their sliders, and the bar chart of its gates and states."""

from __future__ import annotations

import numpy as np

from ..i18n import _
from .diagrams import gate_color, value_color

__all__ = ["one_unit_params", "GateBars"]


def one_unit_params(values, gates) -> dict[str, np.ndarray]:
    """The ``params`` dict of one unit with one input: ``Wx_*``, ``Wh_*`` (1, 1), ``b_*`` (1,)."""
    p = {}
    for k in gates:
        p[f"Wx_{k}"] = np.array([[float(values[f"Wx_{k}"])]])
        p[f"Wh_{k}"] = np.array([[float(values[f"Wh_{k}"])]])
        p[f"b_{k}"] = np.array([float(values[f"b_{k}"])])
    return p


class GateBars:
    """A bar chart, one bar per name, drawn as SVG into a ``PlotView`` made once.

    Names listed in ``gates`` are coloured on the gate scale (0 … 1), the others on the value
    scale (−1 … 1). The y-range grows when a value leaves [−1, 1] (a cell state can).
    ``update(values)`` draws the bars of ``values`` and shows them.
    """

    WIDTH, HEIGHT = 420, 280

    def __init__(self, view, names, labels, gates, title):
        self.view = view
        self.names = list(names)
        self.labels = [labels.get(n, n) for n in self.names]
        self.gates = set(gates)
        self.title = title

    def update(self, values) -> None:
        heights = [float(values[n]) for n in self.names]
        top = max([1.1, *(abs(v) * 1.2 for v in heights)])
        plot = self.view.new(self.WIDTH, self.HEIGHT, self.title)
        ax = plot.axes(
            62, 30, self.WIDTH - 76, self.HEIGHT - 62, xlim=(-0.6, len(heights) - 0.4),
            ylim=(-top, top), title=self.title, ylabel=_("value (no unit)"),
        )  # fmt: skip
        ax.xticks = (list(range(len(heights))), self.labels)
        ax.hline(0.0, color="#444444", width=0.8)
        colors = [
            gate_color(v) if n in self.gates else value_color(v)
            for n, v in zip(self.names, heights, strict=True)
        ]
        ax.bars(heights, colors, name="bars")
        for k, v in enumerate(heights):
            ax.text(k, v, f"{v:.2f}".replace("-", "−"), size=10, dy=-4 if v >= 0 else 12)
        self.view.show(plot)
