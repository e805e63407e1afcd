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

from .. import bptt
from ..i18n import N_, _
from .base import Explorer, numbers_table

__all__ = ["VanishingGradientExplorer", "ClippingExplorer"]

ACTIVATION_NAMES = (N_("linear"), "tanh", N_("sigmoid"), "relu")


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
    DEFAULTS = {"w": 0.9, "steps": 30, "activation": "tanh"}
    #: Lesson 04's settings (section 1, "things to try"), all over 40 steps but the last.
    SCENES = {
        N_("tanh, w = 0.9, 40 steps"): {"steps": 40},
        N_("linear, w = 0.9: vanishes"): {"activation": "linear", "steps": 40},
        N_("linear, w = 1.1: explodes"): {"activation": "linear", "w": 1.1, "steps": 40},
        N_("sigmoid, w = 3"): {"activation": "sigmoid", "w": 3.0, "steps": 40},
        N_("tanh, w = 2: saturates"): {"w": 2.0, "steps": 40},
        "relu, w = 1.2": {"activation": "relu", "w": 1.2, "steps": 40},
        N_("linear, w = 0.9, 50 steps"): {"activation": "linear", "steps": 50},
    }

    def __init__(self, w=0.9, steps=30, activation="tanh", presentation=None):
        self._init = {"w": w, "steps": steps, "activation": activation}
        super().__init__(presentation=presentation)

    def _build(self) -> None:
        w = self.slider("w", self._init["w"], -3.0, 3.0, 0.05, _("w (recurrent weight)"))
        steps = self.int_slider("steps", self._init["steps"], 1, 60, _("steps T"))
        act = widgets.Dropdown(
            options=[(_(n), n) for n in ACTIVATION_NAMES],
            value=self._init["activation"],
            description=_("activation"),
            style={"description_width": "initial"},
        )
        self.controls["activation"] = act
        self._table = widgets.HTML()
        self.view = self.figure()
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
        curves = [np.asarray(values[key]) for key in ("grad_norms", "trend", "bound")]
        every = np.concatenate(curves)
        positive = every[every > 0]
        # display only: the axis starts a decade below the smallest positive value (never
        # below DISPLAY_FLOOR); exact zeros are drawn on that bottom edge
        bottom = max(float(positive.min()) / 10.0, bptt.DISPLAY_FLOOR)
        top = float(every.max()) * 10.0
        title = _("gradient from step T back to step T−k")
        plot = self.view.new(900, 340, title)
        ax = plot.axes(
            70, 30, 380, 250, xlim=(-0.5, steps + 0.5), ylim=(bottom, top), ylog=True,
            title=title, xlabel=_("steps back k"), ylabel=_("gradient size (log scale)"),
        )  # fmt: skip
        ax.hline(1.0, "#999999", 0.8)
        styles = (
            ("grad", "#d62728", None, "o", "|∂h_T/∂h_{T−k}|"),
            ("trend", "#333333", "6,4", None, "|w|^k"),
            ("bound", "#1f77b4", "2,3", None, "(|w|·max act′)^k"),
        )
        for (name, color, dash, marker, label), y in zip(styles, curves, strict=True):
            ax.line(
                k, np.maximum(y, bottom), color, 1.5, dash=dash, marker=marker, ms=2.5,
                label=label, name=name,
            )  # fmt: skip
        ax.legend("lower left" if values["grad_norms"][-1] < 1 else "upper left")
        h = np.asarray(values["h"])
        pad = max(0.1, 0.05 * float(h.max() - h.min()))
        ax_h = plot.axes(
            560, 30, 320, 250, xlim=(-0.5, steps + 0.5),
            ylim=(float(h.min()) - pad, float(h.max()) + pad), title=_("the activations hₜ"),
            xlabel=_("time step t"), ylabel=_("hₜ (no unit)"),
        )  # fmt: skip
        ax_h.line(k, h, "#2ca02c", 1.5, marker="o", ms=2, name="h")
        self.view.show(plot)
        g = values["grad_norms"]
        self._table.value = numbers_table(
            {
                "w": values["w"],
                "steps": steps,
                "activation": _(values["activation"]),
                "grad_1": _sci(g[1]),
                "grad_T": _sci(g[-1]),
                "trend_T": _sci(values["trend"][-1]),
                "h_T": _sci(values["h"][-1]),
            },
            labels={
                "w": "w",
                "steps": "T",
                "activation": _("activation"),
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

    DEFAULTS = {"gx": 3.0, "gy": 1.0, "threshold": 2.0}
    SCENES = {
        "g = (3, 1), c = 2": {},
        "g = (4, 1), c = 1": {"gx": 4.0, "threshold": 1.0},
        N_("inside the threshold: nothing clipped"): {"gx": 1.0, "gy": 0.5},
        N_("on the diagonal: both keep the direction"): {"gx": 3.0, "gy": 3.0, "threshold": 1.0},
    }

    def __init__(self, gx=3.0, gy=1.0, threshold=2.0, presentation=None):
        self._init = {"gx": gx, "gy": gy, "threshold": threshold}
        super().__init__(presentation=presentation)

    def _build(self) -> None:
        sliders = [
            self.slider("gx", self._init["gx"], -5.0, 5.0, 0.1, "gx"),
            self.slider("gy", self._init["gy"], -5.0, 5.0, 0.1, "gy"),
            self.slider("threshold", self._init["threshold"], 0.1, 5.0, 0.1, _("threshold c")),
        ]
        self._table = widgets.HTML()
        self.view = self.figure()
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
        lim = 5.6
        title = _("clipping a gradient at c")
        plot = self.view.new(460, 460, title)
        ax = plot.axes(
            60, 30, 385, 385, xlim=(-lim, lim), ylim=(-lim, lim), equal=True, title=title,
            xlabel="∂L/∂θ₁", ylabel="∂L/∂θ₂", grid=True,
        )  # fmt: skip
        ax.hline(0, "#bbbbbb", 0.8)
        ax.vline(0, "#bbbbbb", 0.8)
        ax.rect(-c, -c, 2 * c, 2 * c, "#ff7f0e", dash="5,4", name="square")
        ax.circle(0, 0, c, "#2ca02c", dash="5,4", name="circle")
        ax.arrow(0, 0, values["gx"], values["gy"], "#222222", label=_("gradient g"), name="g")
        bv, bn = values["by_value"], values["by_norm"]
        ax.arrow(0, 0, *bv, "#ff7f0e", label=_("clip by value (square)"), name="by_value")
        ax.arrow(0, 0, *bn, "#2ca02c", label=_("clip by norm (circle)"), name="by_norm")
        ax.legend("lower left")
        self.view.show(plot)
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
                "by_value_x": _("by value: x"),
                "by_value_y": _("by value: y"),
                "by_norm_x": _("by norm: x"),
                "by_norm_y": _("by norm: y"),
                "angle_by_value": _("turned by value (°)"),
                "angle_by_norm": _("turned by norm (°)"),
            },
        )
