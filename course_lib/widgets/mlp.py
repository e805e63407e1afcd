"""Lesson 02's explorers: activation functions with their derivatives, and hidden units as bumps."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import cells, learning
from ..i18n import N_, _
from .base import Explorer, numbers_table

__all__ = ["ActivationExplorer", "HiddenUnitsExplorer", "TARGETS"]

#: The activation functions the explorer offers (their names in ``cells.ACTIVATIONS``).
ACTIVATION_NAMES = (N_("step"), N_("sigmoid"), "tanh", "relu", N_("linear"))

_X = np.linspace(-6.0, 6.0, 601)
#: The points the curves are drawn through (finer than a pixel of the 310-pixel-wide axes;
#: the step function's jump at 0 is a point of the grid).
_XS = np.linspace(-6.0, 6.0, 241)


class ActivationExplorer(Explorer):
    """An activation function φ and its derivative φ′ side by side, at a point ``x``.

    Controls: ``activation`` (step, sigmoid, tanh, relu, linear) and ``x`` (−6 … 6).
    ``values``: ``activation``, ``x``, ``phi`` = φ(x), ``dphi`` = φ′(x) and ``max_dphi``, the
    largest slope over the plotted range (1/4 for the sigmoid, 1 for tanh: lesson 04 needs them).
    """

    DEFAULTS = {"activation": "sigmoid", "x": 0.0}
    SCENES = {
        N_("sigmoid: largest slope 1/4"): {},
        N_("tanh: largest slope 1"): {"activation": "tanh"},
        N_("sigmoid saturated (x = 5)"): {"x": 5.0},
        N_("relu switched off (x = −2)"): {"activation": "relu", "x": -2.0},
    }

    def __init__(self, activation: str = "sigmoid", x: float = 0.0, presentation=None):
        self._initial = (activation, x)
        super().__init__(presentation=presentation)

    def _build(self):
        activation, x = self._initial
        self.controls["activation"] = widgets.Dropdown(
            options=[(_(n), n) for n in ACTIVATION_NAMES],
            value=activation,
            description="φ",
        )
        self.slider("x", x, -6.0, 6.0, step=0.1, description=_("input x"))
        self.view = self.figure()
        self.numbers = widgets.HTML()
        self.widget.children = (
            widgets.HBox([self.controls["activation"], self.controls["x"]]),
            widgets.HBox([self.view.widget, self.numbers]),
        )

    def _compute(self):
        name = self.controls["activation"].value
        x = float(self.controls["x"].value)
        phi, dphi = cells.ACTIVATIONS[name]
        return {
            "activation": name,
            "x": x,
            "phi": float(phi(x)),
            "dphi": float(dphi(x)),
            "max_dphi": float(np.max(dphi(_X))),
        }

    def _render(self, values):
        name = values["activation"]
        phi, dphi = cells.ACTIVATIONS[name]
        shown_name = _(name)
        plot = self.view.new(800, 320, _("{name} and its derivative").format(name=shown_name))
        lim = {"linear": (-6.2, 6.2), "relu": (-0.5, 6.2)}.get(name, (-1.15, 1.15))
        panels = (
            (60, lim, phi, "φ(x)", f"{shown_name}(x)", "#1f77b4", "phi"),
            (470, (-0.1, 1.15), dphi, "φ′(x)",
             _("its derivative (largest: {value})").format(value=f"{values['max_dphi']:.2f}"),
             "#2ca02c", "dphi"),
        )  # fmt: skip
        for left, ylim, fn, ylabel, title, color, key in panels:
            ax = plot.axes(
                left, 30, 310, 240, xlim=(-6.3, 6.3), ylim=ylim, title=title, ylabel=ylabel,
                xlabel=_("x (the neuron's weighted sum)"), grid=True,
            )  # fmt: skip
            ax.hline(0, "grey", 0.5)
            ax.vline(0, "grey", 0.5)
            ax.line(_XS, fn(_XS), color, 2, name=key)
            ax.scatter([values["x"]], [values[key]], "o", 5, "#d62728", name=f"{key}_dot")
        self.view.show(plot)
        shown = {k: values[k] for k in ("x", "phi", "dphi")}
        self.numbers.value = numbers_table(shown, labels={"phi": "φ(x)", "dphi": "φ′(x)"})


#: Target curves for the hidden-units explorer, on x ∈ [0, 1].
TARGETS = {
    N_("bump"): lambda x: np.exp(-((x - 0.5) ** 2) / 0.02),
    N_("sine"): lambda x: np.sin(2 * np.pi * x),
    N_("step up and down"): lambda x: ((x > 0.3) & (x < 0.7)).astype(float),
}


_UNIT_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)


class HiddenUnitsExplorer(Explorer):
    """One hidden layer of sigmoid units fitting a curve as a sum of bumps.

    Unit j adds v_j·σ(w_j x + b_j) to the output ŷ(x) = Σ_j v_j σ(w_j x + b_j). Controls:
    ``target`` (one of ``TARGETS``) and, per unit j = 1…units, ``w{j}``, ``b{j}`` (the hidden
    unit's weight and bias) and ``v{j}`` (its weight in the output). Two sigmoids with opposite
    ``v`` make a bump. ``fit()`` fits them to the target by gradient descent
    (``course_lib.learning.fit_hidden_units``).

    ``values``: every control, ``mse`` (mean squared error against the target on 201 points)
    and ``output`` (ŷ on those points, a list).
    """

    def __init__(self, units: int = 4, target: str = "bump", presentation=None):
        if not 1 <= units <= 8:
            raise ValueError(f"units must be 1 … 8, got {units}")
        self.units = units
        # the starting sliders (see _build), and the scenes, depend on the number of units
        self.DEFAULTS = {"target": "bump"}
        for j in range(1, units + 1):
            centre = (j - 0.5) / units
            self.DEFAULTS.update(
                {f"w{j}": 20.0, f"b{j}": -20.0 * centre, f"v{j}": 0.5 if j % 2 else -0.5}
            )
        self.SCENES = {N_("the starting sigmoids"): {}}
        if units >= 2:
            # σ(20x − 6) − σ(20x − 14): up at x = 0.3, down at x = 0.7
            bump = {"target": "step up and down", "w1": 20.0, "b1": -6.0, "v1": 1.0}
            bump.update({"w2": 20.0, "b2": -14.0, "v2": -1.0})
            bump.update({f"v{j}": 0.0 for j in range(3, units + 1)})
            self.SCENES[N_("two units make a bump")] = bump
        self._initial_target = target
        self.x = np.linspace(0.0, 1.0, 201)
        super().__init__(presentation=presentation)

    def _build(self):
        self.controls["target"] = widgets.Dropdown(
            options=[(_(n), n) for n in TARGETS],
            value=self._initial_target,
            description=_("target"),
        )
        rows = []
        for j in range(1, self.units + 1):
            # a default that shows the idea: unit pairs make bumps at different places
            d = self.DEFAULTS
            w = self.slider(
                f"w{j}", d[f"w{j}"], -50.0, 50.0, step=0.5, description=f"w{j}", fmt=".1f"
            )
            b = self.slider(f"b{j}", d[f"b{j}"], -50.0, 50.0, step=0.5, description=f"b{j}")
            v = self.slider(f"v{j}", d[f"v{j}"], -3.0, 3.0, step=0.05, description=f"v{j}")
            rows.append(widgets.HBox([w, b, v]))
        self.fit_button = widgets.Button(description=_("Fit by gradient descent"))
        self.fit_button.on_click(lambda _b: self.fit())
        self.view = self.figure()
        self.numbers = widgets.HTML()
        self.widget.children = (
            widgets.HBox([self.controls["target"], self.fit_button]),
            *rows,
            widgets.HBox([self.view.widget, self.numbers]),
        )

    def _params(self):
        c = self.controls
        get = lambda p: np.array([c[f"{p}{j}"].value for j in range(1, self.units + 1)])  # noqa: E731
        return get("w"), get("b"), get("v")

    def _compute(self):
        w, b, v = self._params()
        contributions, output = learning.hidden_unit_curves(self.x, w, b, v)
        target = TARGETS[self.controls["target"].value](self.x)
        values = {name: control.value for name, control in self.controls.items()}
        values.update(
            mse=float(np.mean((output - target) ** 2)),
            output=output.tolist(),
            contributions=contributions.tolist(),
            target_values=target.tolist(),
        )
        return values

    def _render(self, values):
        every = np.concatenate(
            [values["output"], values["target_values"], *values["contributions"]]
        )
        low, high = float(np.min(every)), float(np.max(every))
        pad = 0.1 * max(high - low, 1e-3)
        title = _("mean squared error {value}").format(value=f"{values['mse']:.4f}")
        plot = self.view.new(700, 360, title)
        ax = plot.axes(
            60, 30, 620, 280, xlim=(0, 1), ylim=(low - pad, high + pad), title=title,
            xlabel=_("input x"), ylabel=_("output"), grid=True,
        )  # fmt: skip
        ax.line(self.x, values["target_values"], "black", 2, label=_("target"), name="target")
        for j, contrib in enumerate(values["contributions"], start=1):
            color = _UNIT_COLORS[(j - 1) % len(_UNIT_COLORS)]
            ax.line(
                self.x,
                contrib,
                color,
                1,
                dash="4,3",
                label=_("unit {j}").format(j=j),
                name=f"unit{j}",
            )
        ax.line(self.x, values["output"], "#d62728", 2.5, label=_("sum ŷ"), name="sum")
        ax.legend("upper right")
        self.view.show(plot)
        self.numbers.value = numbers_table(
            {"mse": values["mse"]}, digits=4, labels={"mse": _("MSE")}
        )

    def fit(self, epochs: int = 5000, lr: float = 0.2):
        """Fit w, b, v to the target from the current sliders, then show the result.

        ``course_lib.learning.fit_hidden_units``: full-batch gradient descent on the MSE of the
        network with an output bias, the bias set back to 0 every 100 epochs (see there); each
        result is rounded to its slider's step and clipped to its range.
        """
        target = TARGETS[self.controls["target"].value](self.x)
        fitted = learning.fit_hidden_units(self.x, target, *self._params(), epochs=epochs, lr=lr)
        new = {}
        for j in range(self.units):
            for p, values in zip("wbv", fitted, strict=True):
                name = f"{p}{j + 1}"
                control = self.controls[name]
                new[name] = float(
                    np.clip(
                        round(values[j] / control.step) * control.step, control.min, control.max
                    )
                )
        return self.set(**new)
