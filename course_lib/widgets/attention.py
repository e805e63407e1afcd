"""Lesson 08's explorer: dot-product attention over the states of a small RNN encoder.

A tanh RNN with two units reads a short sequence; its states h_1 … h_T are the keys and values.
A query (one of the states, picked by position, or a free vector set with two sliders) scores
every key, the softmax turns the scores into weights, and the context is their weighted
average:

    score_j = s · (q · h_j),   α_j = softmax(score)_j,   context = Σ_j α_j h_j

The numbers come from ``course_lib.attention`` (``encoder_states``, ``dot_product_attention``);
this module only draws them: the states as points in the plane of the two units, the query as
an arrow, and the weights as bars.

    ex = AttentionExplorer()
    ex.set(query_pos=3, scale=4.0)
    ex.values["weights"]
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import attention
from ..i18n import N_, _
from .base import Explorer, numbers_table

__all__ = ["AttentionExplorer", "DEFAULT_SEQUENCE", "DEFAULT_ENCODER"]

#: The short input sequence the default encoder reads (one number per step).
DEFAULT_SEQUENCE = (1.0, 0.0, 0.0, -1.0, 0.0, 0.5, 0.0, -0.5)

#: Weights of the default two-unit encoder h_t = tanh(x_t Wx + h_{t−1} Wh + b): the first unit
#: follows the input, the second remembers it (a slow, rotating recurrence).
DEFAULT_ENCODER = {
    "Wx": np.array([[2.0, 0.8]]),
    "Wh": np.array([[0.3, 0.6], [-0.6, 0.9]]),
    "b": np.array([0.0, 0.1]),
}

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_KEY_COLOUR = "#2471a3"
_QUERY_COLOUR = "#c0392b"


class AttentionExplorer(Explorer):
    """Where does a query look? Dot-product attention over a two-unit RNN encoder's states.

    Controls: ``mode`` (``"state"``: the query is the state h_i at ``query_pos``; ``"free"``:
    the query is (``q1``, ``q2``)), ``query_pos`` (1 … T), ``q1``, ``q2`` (−3 … 3) and ``scale``
    (the factor s in front of the dot products, 0 … 10; s = 0 gives equal weights).

    ``values``: ``mode``, ``query_pos``, ``scale``, ``query`` [q1, q2], ``keys`` (T rows
    [h_j1, h_j2]), ``scores`` (T), ``weights`` (T, sum 1), ``context`` [c1, c2], ``argmax``
    (the position with the largest weight, 1-based).

    ``sequence`` and ``params`` replace the default input and encoder (``params`` must have
    two units, so the states can be drawn in a plane).
    """

    SCENES = {
        N_("equal weights (s = 0)"): {"mode": "state", "query_pos": 8, "scale": 0.0},
        N_("last state looks back"): {"mode": "state", "query_pos": 8, "scale": 1.0},
        N_("sharp (s = 8)"): {"mode": "state", "query_pos": 8, "scale": 8.0},
        N_("free query"): {"mode": "free", "q1": 2.0, "q2": -1.0, "scale": 2.0},
    }

    def __init__(
        self,
        sequence=DEFAULT_SEQUENCE,
        params=None,
        query_pos: int | None = None,
        scale: float = 1.0,
        presentation: bool = False,
    ):
        x = np.asarray(sequence, dtype=float).reshape(-1, 1)
        if not 2 <= len(x) <= 16 or not np.all(np.isfinite(x)):
            raise ValueError(f"sequence must hold 2 to 16 finite numbers; got {len(x)} values")
        self._params = {
            k: np.asarray(v, dtype=float) for k, v in (params or DEFAULT_ENCODER).items()
        }
        if self._params["Wh"].shape != (2, 2) or self._params["Wx"].shape != (1, 2):
            raise ValueError(
                "params must describe a tanh RNN with one input and two units "
                f"(Wx (1, 2), Wh (2, 2), b (2,)); got Wx {self._params['Wx'].shape}, "
                f"Wh {self._params['Wh'].shape}"
            )
        self.sequence = [float(v) for v in x[:, 0]]
        self.keys = attention.encoder_states(x, self._params)  # (T, 2)
        self.T = len(self.sequence)
        self._init = {"query_pos": self.T if query_pos is None else int(query_pos), "scale": scale}
        super().__init__(presentation=presentation)

    # -- build ------------------------------------------------------------------------------
    def _build(self) -> None:
        c = self.controls
        c["mode"] = widgets.ToggleButtons(
            options=[(_("query = a state hᵢ"), "state"), (_("free query (q₁, q₂)"), "free")],
            value="state",
            description=_("query"),
            style={"description_width": "initial", "button_width": "150px"},
        )
        self.int_slider("query_pos", self._init["query_pos"], 1, self.T, _("position i"))
        self.slider("q1", 1.0, -3.0, 3.0, 0.05, "q₁")
        self.slider("q2", 0.0, -3.0, 3.0, 0.05, "q₂")
        self.slider("scale", self._init["scale"], 0.0, 10.0, 0.1, _("sharpness s"))
        self._buttons = []
        for name in self.SCENES:
            button = widgets.Button(description=_(name), layout={"width": "auto"})
            button.on_click(lambda _b, n=name: self.scene(n))
            self._buttons.append(button)
        self.plane = self.figure()
        self.bars = self.figure()
        self.numbers = widgets.HTML()
        self.widget.children = (
            widgets.HBox([c["mode"], c["scale"]], layout={"flex_flow": "row wrap"}),
            widgets.HBox([c["query_pos"], c["q1"], c["q2"]], layout={"flex_flow": "row wrap"}),
            widgets.HBox(
                [widgets.HTML(_("scenes:")), *self._buttons], layout={"flex_flow": "row wrap"}
            ),
            widgets.HBox(
                [self.plane.widget, self.bars.widget, self.numbers],
                layout={"flex_flow": "row wrap", "align_items": "flex-start"},
            ),
        )

    def scene(self, name: str) -> AttentionExplorer:
        """Set the controls of a named scene (``SCENES``), e.g. ``scene("sharp (s = 8)")``."""
        if name not in self.SCENES:
            raise ValueError(f"unknown scene {name!r}; scenes are {list(self.SCENES)}")
        settings = dict(self.SCENES[name])
        if "query_pos" in settings:
            settings["query_pos"] = min(settings["query_pos"], self.T)
        return self.set(**settings)

    # -- compute and draw -------------------------------------------------------------------
    def _compute(self) -> dict:
        c = self.controls
        mode, pos, s = c["mode"].value, int(c["query_pos"].value), float(c["scale"].value)
        if mode == "state":
            q = self.keys[pos - 1]
        else:
            q = np.array([float(c["q1"].value), float(c["q2"].value)])
        scores = attention.attention_scores(q[None], self.keys, scale=s)[0]
        context, weights = attention.dot_product_attention(q, self.keys, scale=s)
        return {
            "mode": mode,
            "query_pos": pos,
            "scale": s,
            "query": [float(v) for v in q],
            "keys": [[float(a), float(b)] for a, b in self.keys],
            "scores": [float(v) for v in scores],
            "weights": [float(v) for v in weights],
            "context": [float(v) for v in context],
            "argmax": int(np.argmax(weights)) + 1,
        }

    def _render(self, values: dict) -> None:
        T = self.T
        keys = np.array(values["keys"])
        q, ctx, w = values["query"], values["context"], values["weights"]
        who = f"h{str(values['query_pos']).translate(_SUB)}" if values["mode"] == "state" else "q"
        # the plane of the two units
        plot = self.plane.new(330, 330, _("encoder states and query"))
        span = max(1.1, float(np.abs(keys).max()) + 0.2, abs(q[0]) + 0.2, abs(q[1]) + 0.2)
        ax = plot.axes(
            58, 30, 256, 256, xlim=(-span, span), ylim=(-span, span), equal=True, grid=True,
            title=_("states hⱼ (blue) and query {who} (red)").format(who=who),
            xlabel=_("unit 1"), ylabel=_("unit 2"),
        )  # fmt: skip
        ax.hline(0.0)
        ax.vline(0.0)
        for j, (a, b) in enumerate(keys, start=1):
            ax.circle(a, b, 0.03 + 0.25 * w[j - 1], stroke=_KEY_COLOUR, width=1.5)
            ax.text(a, b, str(j), size=10, color=_KEY_COLOUR, dy=-8)
        ax.scatter(keys[:, 0], keys[:, 1], ms=3, color=_KEY_COLOUR, name="keys")
        ax.arrow(0.0, 0.0, q[0], q[1], color=_QUERY_COLOUR, width=2.0, name="query")
        ax.scatter([ctx[0]], [ctx[1]], marker="s", ms=5, color="#f1c40f", edge="#222222",
                   name="context")  # fmt: skip
        ax.text(ctx[0], ctx[1], _("context"), size=10, dy=16)
        self.plane.show(plot)
        # the weights
        plot = self.bars.new(380, 330, _("attention weights"))
        ax = plot.axes(
            58, 30, 300, 256, xlim=(-0.6, T - 0.4), ylim=(0.0, 1.0),
            title=_("weights αⱼ of {who}, s = {s}").format(who=who, s=f"{values['scale']:.1f}"),
            xlabel=_("key position j"), ylabel=_("weight αⱼ (sums to 1)"),
        )  # fmt: skip
        ax.xticks = (list(range(T)), [str(j) for j in range(1, T + 1)])
        colours = [_QUERY_COLOUR if j + 1 == values["argmax"] else _KEY_COLOUR for j in range(T)]
        ax.bars(w, colours, name="weights")
        ax.hline(1.0 / T, color="#888888", dash="4,3", name="uniform")
        ax.text(T - 0.5, 1.0 / T, "1/T", size=10, anchor="end", dy=-4, color="#666666")
        self.bars.show(plot)
        rows = {"q": f"({q[0]:+.2f}, {q[1]:+.2f})"}
        labels = {"q": _("query {who}").format(who=who)}
        for j in range(1, T + 1):
            key = f"a{j}"
            rows[key] = f"{values['scores'][j - 1]:+.2f} → {w[j - 1]:.3f}"
            labels[key] = _("score → {alpha}").format(alpha="α" + str(j).translate(_SUB))
        rows["context"] = f"({ctx[0]:+.2f}, {ctx[1]:+.2f})"
        labels["context"] = _("context")
        self.numbers.value = numbers_table(rows, labels=labels)
