"""Lesson 06's explorer: one GRU unit with the lecture's equations, every number visible.

``GRUGateExplorer`` follows the lecture (reset before the product, h_t = (1 − z)·h_{t−1} +
z·h̃): the numbers come from ``gate_analysis.gru_terms(..., reset_after=False,
convention="lecture")``, which calls ``cells.gru_step``. This module only shows them.

    ex = GRUGateExplorer()
    ex.set(x=1.0, b_z=-3.0)   # z ≈ 0: keep the old state
    ex.values["h"]
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import gate_analysis as ga
from ..i18n import N_, _
from .base import Explorer, numbers_table
from .diagrams import gru_svg
from .gates import GateBars, one_unit_params

__all__ = ["GRUGateExplorer"]

GATES = ("z", "r", "h")
GATE_TITLES = {"z": N_("update gate z"), "r": N_("reset gate r"), "h": N_("candidate h̃")}


class GRUGateExplorer(Explorer):
    """One GRU unit: sliders ``x, h_prev`` and ``Wx_*, Wh_*, b_*`` for * in z, r, h.

    ``values``: ``z, r, h_tilde, h`` as floats, plus the terms ``keep_weight`` (1 − z),
    ``kept`` ((1 − z)·h_{t−1}), ``written`` (z·h̃), ``r_h`` (r·h_{t−1}) and the inputs
    ``x, h_prev``.
    """

    DEFAULTS = {
        "x": 1.0, "h_prev": -0.5,
        "Wx_z": 1.0, "Wh_z": 0.5, "b_z": 0.0,
        "Wx_r": 1.0, "Wh_r": 0.5, "b_r": 0.0,
        "Wx_h": 1.5, "Wh_h": 1.0, "b_h": 0.0,
    }  # fmt: skip
    _Z = {"Wx_z": 0.0, "Wh_z": 0.0, "h_prev": 0.8}
    _R = {**_Z, "b_z": 0.0, "Wx_r": 0.0, "Wh_r": 0.0}
    #: Lesson 06's settings (section 3), each from ``DEFAULTS``.
    SCENES = {
        N_("defaults"): {},
        N_("keep the old state"): {**_Z, "b_z": -5.0},
        N_("half and half"): {**_Z, "b_z": 0.0},
        N_("take the candidate"): {**_Z, "b_z": 5.0},
        N_("reset open: the candidate sees the past"): {**_R, "b_r": 5.0},
        N_("reset closed: a fresh start"): {**_R, "b_r": -5.0},
    }
    LABELS = {
        "x": "x\u209c", "h_prev": "h\u209c\u208b\u2081", "z": "z", "r": "r",
        "r_h": "r·h\u209c\u208b\u2081", "h_tilde": "h̃", "keep_weight": "1 − z",
        "kept": "(1 − z)·h\u209c\u208b\u2081", "written": "z·h̃", "h": "h\u209c",
    }  # fmt: skip

    def __init__(self, presentation: bool | None = None, **initial):
        unknown = set(initial) - set(self.DEFAULTS)
        if unknown:
            raise ValueError(f"unknown initial values {sorted(unknown)}; use {list(self.DEFAULTS)}")
        self._initial = {**self.DEFAULTS, **initial}
        super().__init__(presentation=presentation)

    def _build(self) -> None:
        v = self._initial
        inputs = [
            self.slider("x", v["x"], -3.0, 3.0, description=_("x\u209c (input)")),
            self.slider("h_prev", v["h_prev"], -1.0, 1.0, 0.05, description="h\u209c\u208b\u2081"),
        ]
        head = widgets.HTML("<b>{}</b>".format(_("inputs")), layout={"width": "150px"})
        rows = [widgets.HBox([head, *inputs])]
        rows += self.gate_sliders(GATES, GATE_TITLES, v)
        self.diagram = widgets.HTML()
        self.numbers = widgets.HTML()
        self.bar_view = self.figure()
        self.bars = GateBars(
            self.bar_view,
            ["z", "r", "h_tilde", "h"],
            {"h_tilde": "h̃"},
            gates=("z", "r"),
            title=_("gates and state"),
        )
        self.widget.children = (
            widgets.HBox(
                [self.diagram, self.numbers],
                layout={"flex_flow": "row wrap", "align_items": "flex-start"},
            ),
            *rows,
            widgets.HBox([self.bar_view.widget]),  # natural size, not stretched to the width
        )

    def params(self):
        """The sliders' weights as a ``params`` dict of (1, 1) and (1,) arrays."""
        return one_unit_params({k: c.value for k, c in self.controls.items()}, GATES)

    def _compute(self) -> dict:
        x = float(self.controls["x"].value)
        h_prev = float(self.controls["h_prev"].value)
        terms = ga.gru_terms(
            [[x]], [[h_prev]], self.params(), reset_after=False, convention="lecture"
        )
        values = {k: float(v[0, 0]) for k, v in terms.items()}
        values.update(x=x, h_prev=h_prev)
        return values

    def _render(self, values: dict) -> None:
        scale = self.presentation_scale if self.presentation else 1.0
        title = _("GRU cell (lecture's form)")
        self.diagram.value = gru_svg(values, font_scale=scale, title=title)
        shown = ("x", "h_prev", "z", "r", "r_h", "h_tilde", "keep_weight", "kept", "written", "h")
        self.numbers.value = numbers_table({k: values[k] for k in shown}, labels=self.LABELS)
        self.bars.update(values)
