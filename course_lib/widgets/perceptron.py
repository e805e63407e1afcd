"""Lesson 01's explorer: watch the perceptron rule move the decision line, update by update."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import learning
from ..i18n import N_, _
from .base import Explorer, numbers_table

__all__ = ["PerceptronTrainer", "DATASETS"]

#: What the trainer can learn: the logic gates and two 2-D point clouds.
DATASETS = ("AND", "OR", "XOR", "NAND", N_("cloud"), N_("overlapping cloud"))

_BOX = (-0.5, 1.5)  # the plotted square; logic-gate inputs are its corners 0 and 1


def _dataset(name: str):
    if name == "cloud":
        return learning.point_cloud(20, separable=True, seed=0)
    if name == "overlapping cloud":
        return learning.point_cloud(20, separable=False, seed=0)
    return learning.logic_gate(name)


def _line_segment(w, b):
    """End points of w₁x + w₂y + b = 0 inside the plotted square, or None if w = 0."""
    lo, hi = _BOX
    if abs(w[1]) > 1e-12:
        xs = np.array([lo, hi])
        return xs, -(w[0] * xs + b) / w[1]
    if abs(w[0]) > 1e-12:
        ys = np.array([lo, hi])
        return np.full(2, -b / w[0]), ys
    return None


def _half_plane(w, b):
    """Polygon of the square's part where w·x + b ≥ 0 (the perceptron says 1)."""
    lo, hi = _BOX
    corners = [(lo, lo), (hi, lo), (hi, hi), (lo, hi)]
    pts = []
    for k in range(4):
        p, q = np.array(corners[k]), np.array(corners[(k + 1) % 4])
        fp, fq = w @ p + b, w @ q + b
        if fp >= 0:
            pts.append(p)
        if (fp >= 0) != (fq >= 0):
            s = fp / (fp - fq)
            pts.append(p + s * (q - p))
    return np.array(pts) if pts else np.zeros((0, 2))


class PerceptronTrainer(Explorer):
    """Train a perceptron on a logic gate or a point cloud, one update or one epoch at a time.

    Controls: ``gate`` (one of ``DATASETS``) and ``lr`` (η); changing either restarts training
    from w = (0, 0), b = 0. Buttons: "Step" (one example), "Epoch" (a pass over all examples),
    "Restart". From code: ``set(gate="AND", lr=0.1)``, ``step()``, ``epoch()``, ``restart()``.

    ``values``: ``gate``, ``lr``, ``w1``, ``w2``, ``b``, ``epochs`` (completed passes),
    ``updates`` (examples seen), ``errors`` (points the current line misclassifies; after
    ``epoch()`` that is the count after the last epoch) and ``history`` (errors after each epoch).

    Scenes (``scene(name)``; each restarts from w = (0, 0), b = 0 and then trains ``epochs``
    passes): see ``SCENES``, e.g. ``scene("AND after training")`` is AND, η = 0.1, 5 epochs.
    """

    DEFAULTS = {"gate": "AND", "lr": 0.1, "epochs": 0}
    SCENES = {
        N_("AND before training"): {},
        N_("AND after training"): {"epochs": 5},
        N_("OR after training"): {"gate": "OR", "epochs": 3},
        N_("XOR: no line works"): {"gate": "XOR", "epochs": 20},
        N_("overlapping cloud: no line works"): {"gate": "overlapping cloud", "epochs": 20},
    }

    def __init__(self, gate: str = "AND", lr: float = 0.1, presentation: bool | None = None):
        self._initial = (gate, lr)
        super().__init__(presentation=presentation)

    # -- building ---------------------------------------------------------------------------
    def _build(self):
        gate, lr = self._initial
        self.controls["gate"] = widgets.Dropdown(
            options=[(_(name), name) for name in DATASETS], value=gate, description=_("data")
        )
        self.slider("lr", lr, 0.01, 1.0, step=0.01, description=_("learning rate η"))
        self.buttons = {
            "step": widgets.Button(description=_("Step"), tooltip=_("one example")),
            "epoch": widgets.Button(
                description=_("Epoch"), tooltip=_("one pass over all examples")
            ),
            "restart": widgets.Button(description=_("Restart"), tooltip="w = (0, 0), b = 0"),
        }
        self.buttons["step"].on_click(lambda _b: self.step())
        self.buttons["epoch"].on_click(lambda _b: self.epoch())
        self.buttons["restart"].on_click(lambda _b: self.restart())
        self.view = self.figure()
        self.numbers = widgets.HTML()
        self.widget.children = (
            widgets.HBox([self.controls["gate"], self.controls["lr"]]),
            widgets.HBox(list(self.buttons.values())),
            widgets.HBox([self.view.widget, self.numbers]),
        )
        self._reset_state()

    def _reset_state(self):
        gate = self.controls["gate"].value
        self.X, self.t = _dataset(gate)
        self.w = np.zeros(2)
        self.b = 0.0
        self.epochs = 0
        self.updates = 0
        self.history: list[int] = []
        self._last = None

    # -- actions ----------------------------------------------------------------------------
    def restart(self):
        """Back to w = (0, 0), b = 0 on the current data."""
        self.current_scene = None  # moved away from any scene
        self._reset_state()
        self.update()
        return self

    def step(self):
        """Apply the rule to the next example (in order, wrapping around)."""
        self.current_scene = None  # moved away from any scene
        n = self.updates % len(self.t)
        self.w, self.b, _changed = learning.perceptron_update(
            self.w, self.b, self.X[n], self.t[n], self.controls["lr"].value
        )
        self._last = n
        self.updates += 1
        if self.updates % len(self.t) == 0:
            self.epochs += 1
            self.history.append(learning.perceptron_errors(self.w, self.b, self.X, self.t))
        self.update()
        return self

    def epoch(self, n: int = 1):
        """Apply the rule to every example once (finishing the current pass if one is open);
        ``n`` passes, then the views are updated once."""
        self.current_scene = None  # moved away from any scene
        lr = self.controls["lr"].value
        for _pass in range(int(n)):
            start = self.updates % len(self.t)  # < len(self.t): at least one example is left
            self.w, self.b, _changed = learning.perceptron_epoch(
                self.w, self.b, self.X[start:], self.t[start:], lr
            )
            self._last = len(self.t) - 1
            self.updates += len(self.t) - start
            self.epochs += 1
            self.history.append(learning.perceptron_errors(self.w, self.b, self.X, self.t))
        self.update()
        return self

    def _apply_scene(self, settings):
        epochs = settings.pop("epochs")
        self.set(**settings)  # restarts from w = 0, b = 0
        if epochs:
            self.epoch(epochs)

    def _controls_changed(self):
        self._reset_state()
        self.update()

    # -- values and views -------------------------------------------------------------------
    def _compute(self):
        return {
            "gate": self.controls["gate"].value,
            "lr": float(self.controls["lr"].value),
            "w1": float(self.w[0]),
            "w2": float(self.w[1]),
            "b": float(self.b),
            "epochs": self.epochs,
            "updates": self.updates,
            "errors": learning.perceptron_errors(self.w, self.b, self.X, self.t),
            "history": list(self.history),
        }

    def _render(self, values):
        seg = _line_segment(self.w, self.b)
        title = _("{data}: {errors} of {n} misclassified").format(
            data=_(values["gate"]), errors=values["errors"], n=len(self.t)
        ) + ("" if seg is not None else _(" (w = 0: no line yet)"))
        plot = self.view.new(800, 360, title)
        ax = plot.axes(
            60, 30, 330, 280, xlim=_BOX, ylim=_BOX, equal=True, title=title,
            xlabel=_("input x₁"), ylabel=_("input x₂"),
        )  # fmt: skip
        poly = _half_plane(self.w, self.b)
        ax.polygon(poly[:, 0], poly[:, 1], "#ff7f0e", 0.15, label=_("says 1"), name="region")
        if seg is None:
            ax.line([], [], "black", 2, label="w·x + b = 0", name="line")
        else:
            ax.line(*seg, "black", 2, label="w·x + b = 0", name="line")
        for target, marker, color in ((0, "o", "#1f77b4"), (1, "s", "#ff7f0e")):
            pts = self.X[self.t == target]
            ax.scatter(
                pts[:, 0], pts[:, 1], marker, 5, color,
                label=_("target {value}").format(value=target),
                name=f"target{target}",
            )  # fmt: skip
        if self._last is not None:
            x0, y0 = self.X[self._last]
            ax.scatter([x0], [y0], "o", 11, "none", edge="red", name="current")
        ax.legend("upper center")  # between the inputs 0 and 1
        hist = values["history"]
        n = len(self.t)
        ax_err = plot.axes(
            500, 30, 280, 280, xlim=(0.5, max(5, len(hist)) + 0.5), ylim=(-0.3, n + 0.3),
            title=_("errors after each epoch"), xlabel=_("epoch"),
            ylabel=_("misclassified points"),
            grid=True,
        )  # fmt: skip
        ax_err.line(range(1, len(hist) + 1), hist, "#d62728", 2, marker="o", name="errors")
        self.view.show(plot)
        shown = {k: values[k] for k in ("lr", "w1", "w2", "b", "epochs", "updates", "errors")}
        self.numbers.value = numbers_table(
            shown,
            labels={
                "lr": "η",
                "w1": "w₁",
                "w2": "w₂",
                "b": "b",
                "epochs": _("epochs"),
                "updates": _("updates"),
                "errors": _("misclassified"),
            },
        )
