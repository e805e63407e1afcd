"""Explorers of lesson 04: how a gradient shrinks or grows through time, and how clipping
tames it.

- ``VanishingGradientExplorer``: the one-unit RNN h_t = act(w·h_{t−1} + u·x_t), its gradient
  |∂h_T/∂h_{T−k}| against k on a log scale, next to the |w|^k trend
  (``course_lib.bptt.one_unit_grad_norms``, ``geometric_trend``).
- ``ClippingExplorer``: a 2-D gradient, its clip by value and its clip by norm, drawn
  (``course_lib.bptt.clip_by_value``, ``clip_by_global_norm``).

Numbers come from tested ``course_lib.bptt`` functions; this module only draws them.
No TensorFlow.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle
from matplotlib.ticker import NullLocator

from .. import bptt
from .base import Explorer, numbers_table

__all__ = ["VanishingGradientExplorer", "ClippingExplorer"]

ACTIVATION_NAMES = ("linear", "tanh", "sigmoid", "relu")


def _sci(v: float) -> str:
    return f"{float(v):.3e}"


class VanishingGradientExplorer(Explorer):
    """|∂h_T/∂h_{T−k}| of the one-unit RNN h_t = act(w·h_{t−1} + u·x_t), k = 0 … steps.

    Controls: ``w`` (−3 … 3), ``steps`` (1 … 60), ``activation`` (``"linear"``, ``"tanh"``,
    ``"sigmoid"``, ``"relu"``). The input is fixed: u = 1, x_t = 0.1 at every step, h_0 = 0
    (``INPUT``, ``U``, ``H0``). Over this range every number fits a float64: at worst about
    3⁶⁰ ≈ 4·10²⁸ (linear and ReLU, w = 3) and 5·10⁻¹¹⁵ (sigmoid, w = ±0.05).

    ``values``: ``w``, ``steps``, ``activation``, ``grad_norms`` (the list for k = 0 … steps),
    ``trend`` (|w|^k), ``bound`` ((|w|·max act′)^k, the most the gradient can be) and ``h``
    (h_0 … h_T). On the log-scale plot an exact 0 (ReLU off, w = 0) is drawn on the bottom
    edge, a decade below the smallest positive value (and never below ``bptt.DISPLAY_FLOOR``);
    the values themselves are not clipped.
    """

    U = 1.0
    INPUT = 0.1
    H0 = 0.0

    def __init__(self, w=0.9, steps=30, activation="tanh", presentation=False):
        self._init = {"w": w, "steps": steps, "activation": activation}
        super().__init__(presentation=presentation)

    def _build(self) -> None:
        w = self.slider("w", self._init["w"], -3.0, 3.0, 0.05, "w (recurrent weight)")
        steps = widgets.IntSlider(
            value=self._init["steps"],
            min=1,
            max=60,
            step=1,
            description="steps T",
            style={"description_width": "initial"},
        )
        act = widgets.Dropdown(
            options=list(ACTIVATION_NAMES),
            value=self._init["activation"],
            description="activation",
            style={"description_width": "initial"},
        )
        self.controls["steps"] = steps
        self.controls["activation"] = act
        self._table = widgets.HTML()
        self.view = self.figure(figsize=(9.0, 3.4), ncols=2)
        ax, ax_h = self.view.axes
        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(NullLocator())  # minor ticks over 100 decades: slow, no use
        (self._line_grad,) = ax.plot([], [], "o-", ms=3, color="#d62728", label="|∂h_T/∂h_{T−k}|")
        (self._line_trend,) = ax.plot([], [], "--", color="#333333", label="|w|^k")
        (self._line_bound,) = ax.plot([], [], ":", color="#1f77b4", label="(|w|·max act′)^k")
        ax.axhline(1.0, color="#999999", lw=0.8)
        ax.set_xlabel("steps back k")
        ax.set_ylabel("gradient size (log scale)")
        ax.set_title("gradient from step T back to step T−k")
        ax.legend(loc="best", fontsize="small")
        (self._line_h,) = ax_h.plot([], [], ".-", color="#2ca02c")
        ax_h.set_xlabel("time step t")
        ax_h.set_ylabel("hₜ (no unit)")
        ax_h.set_title("the activations hₜ")
        self.widget.children = (
            widgets.HBox([widgets.VBox([w, steps, act]), self._table]),
            self.view.widget,
        )

    def _compute(self) -> dict:
        w = float(self.controls["w"].value)
        steps = int(self.controls["steps"].value)
        act = self.controls["activation"].value
        kw = {"u": self.U, "x": self.INPUT, "h0": self.H0}
        grads = bptt.one_unit_grad_norms(w, steps, act, **kw)
        states = bptt.one_unit_states(w, steps, act, **kw)
        trend = bptt.geometric_trend(w, steps)
        bound = bptt.geometric_trend(w, steps, bptt.derivative_bound(act))
        return {
            "w": w,
            "steps": steps,
            "activation": act,
            "grad_norms": [float(v) for v in grads],
            "trend": [float(v) for v in trend],
            "bound": [float(v) for v in bound],
            "h": [float(v) for v in states],
        }

    def _render(self, values: dict) -> None:
        steps = values["steps"]
        k = np.arange(steps + 1)
        ax, ax_h = self.view.axes
        curves = [np.asarray(values[key]) for key in ("grad_norms", "trend", "bound")]
        every = np.concatenate(curves)
        positive = every[every > 0]
        # display only: the axis starts a decade below the smallest positive value (never
        # below DISPLAY_FLOOR); exact zeros are drawn on that bottom edge
        bottom = max(float(positive.min()) / 10.0, bptt.DISPLAY_FLOOR)
        top = float(every.max()) * 10.0
        for line, y in zip(
            (self._line_grad, self._line_trend, self._line_bound), curves, strict=True
        ):
            line.set_data(k, np.maximum(y, bottom))
        ax.set_xlim(-0.5, steps + 0.5)
        ax.set_ylim(bottom, top)
        self._line_h.set_data(np.arange(steps + 1), values["h"])
        h = np.asarray(values["h"])
        pad = max(0.1, 0.05 * float(h.max() - h.min()))
        ax_h.set_xlim(-0.5, steps + 0.5)
        ax_h.set_ylim(float(h.min()) - pad, float(h.max()) + pad)
        self.view.refresh()
        g = values["grad_norms"]
        self._table.value = numbers_table(
            {
                "w": values["w"],
                "steps": steps,
                "activation": values["activation"],
                "grad_1": _sci(g[1]),
                "grad_T": _sci(g[-1]),
                "trend_T": _sci(values["trend"][-1]),
                "h_T": _sci(values["h"][-1]),
            },
            labels={
                "w": "w",
                "steps": "T",
                "activation": "activation",
                "grad_1": "|∂h_T/∂h_{T−1}|",
                "grad_T": "|∂h_T/∂h_0|",
                "trend_T": "|w|^T",
                "h_T": "h_T",
            },
        )


class ClippingExplorer(Explorer):
    """A 2-D gradient g = (gx, gy), clipped by value and by norm at ``threshold``.

    Clip by value cuts each component into [−c, c] (the square): the direction can change.
    Clip by norm rescales the whole vector into the disc ‖g‖ ≤ c: the direction is kept.

    Controls: ``gx``, ``gy`` (−5 … 5), ``threshold`` (0.1 … 5). ``values``: ``gx``, ``gy``,
    ``threshold``, ``norm`` (‖g‖), ``by_value`` and ``by_norm`` (the clipped vectors as
    (x, y)), ``angle_by_value`` and ``angle_by_norm`` (degrees each turned away from g).
    """

    def __init__(self, gx=3.0, gy=1.0, threshold=2.0, presentation=False):
        self._init = {"gx": gx, "gy": gy, "threshold": threshold}
        super().__init__(presentation=presentation)

    def _build(self) -> None:
        sliders = [
            self.slider("gx", self._init["gx"], -5.0, 5.0, 0.1, "gx"),
            self.slider("gy", self._init["gy"], -5.0, 5.0, 0.1, "gy"),
            self.slider("threshold", self._init["threshold"], 0.1, 5.0, 0.1, "threshold c"),
        ]
        self._table = widgets.HTML()
        self.view = self.figure(figsize=(4.6, 4.6))
        ax = self.view.ax
        lim = 5.6
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.grid(True, color="#eeeeee")
        ax.axhline(0, color="#bbbbbb", lw=0.8)
        ax.axvline(0, color="#bbbbbb", lw=0.8)
        self._square = Rectangle((0, 0), 1, 1, fill=False, ls="--", ec="#ff7f0e", lw=1.2)
        self._circle = Circle((0, 0), 1, fill=False, ls="--", ec="#2ca02c", lw=1.2)
        ax.add_patch(self._square)
        ax.add_patch(self._circle)
        style = {"angles": "xy", "scale_units": "xy", "scale": 1, "width": 0.012}
        self._arrows = {
            "g": ax.quiver([0], [0], [0], [0], color="#222222", **style),
            "by_value": ax.quiver([0], [0], [0], [0], color="#ff7f0e", **style),
            "by_norm": ax.quiver([0], [0], [0], [0], color="#2ca02c", **style),
        }
        ax.legend(
            handles=[
                Line2D([], [], color="#222222", lw=2, label="gradient g"),
                Line2D([], [], color="#ff7f0e", lw=2, label="clip by value (square)"),
                Line2D([], [], color="#2ca02c", lw=2, label="clip by norm (circle)"),
            ],
            loc="lower left",
            fontsize="small",
        )
        ax.set_xlabel("∂L/∂θ₁")
        ax.set_ylabel("∂L/∂θ₂")
        ax.set_title("clipping a gradient at c")
        self.widget.children = (
            widgets.HBox([widgets.VBox(sliders), self._table]),
            self.view.widget,
        )

    def _compute(self) -> dict:
        gx, gy, c = (float(self.controls[k].value) for k in ("gx", "gy", "threshold"))
        g = np.array([gx, gy])
        by_value = bptt.clip_by_value(g, c)
        by_norm, norm = bptt.clip_by_global_norm(g, c)
        return {
            "gx": gx,
            "gy": gy,
            "threshold": c,
            "norm": float(norm),
            "by_value": (float(by_value[0]), float(by_value[1])),
            "by_norm": (float(by_norm[0]), float(by_norm[1])),
            "angle_by_value": bptt.angle_between(g, by_value),
            "angle_by_norm": bptt.angle_between(g, by_norm),
        }

    def _render(self, values: dict) -> None:
        c = values["threshold"]
        self._square.set_xy((-c, -c))
        self._square.set_width(2 * c)
        self._square.set_height(2 * c)
        self._circle.set_radius(c)
        self._arrows["g"].set_UVC([values["gx"]], [values["gy"]])
        for key in ("by_value", "by_norm"):
            self._arrows[key].set_UVC([values[key][0]], [values[key][1]])
        self.view.refresh()
        self._table.value = numbers_table(
            {
                "norm": values["norm"],
                "by_value_x": values["by_value"][0],
                "by_value_y": values["by_value"][1],
                "by_norm_x": values["by_norm"][0],
                "by_norm_y": values["by_norm"][1],
                "angle_by_value": values["angle_by_value"],
                "angle_by_norm": values["angle_by_norm"],
            },
            labels={
                "norm": "‖g‖",
                "by_value_x": "by value: x",
                "by_value_y": "by value: y",
                "by_norm_x": "by norm: x",
                "by_norm_y": "by norm: y",
                "angle_by_value": "turned by value (°)",
                "angle_by_norm": "turned by norm (°)",
            },
        )
