"""Cell diagrams as SVG, in the style of Olah's "Understanding LSTM Networks" (2015).

A diagram is drawn from a dict of numbers (what ``gate_analysis.lstm_terms`` /
``gate_analysis.gru_terms`` return, as floats): nothing here computes a forward equation, it
only places, colours and labels. The cell box holds the gates as boxes (σ for a gate, tanh for
a value), the point-wise operations as circles (× and +), and arrows carrying their numbers.

Colours: a gate (0 closed … 1 open) is coloured with :data:`GATE_CMAP`, a value (−1 … 1, the
range of tanh) with :data:`VALUE_CMAP`; values beyond ±1 (a cell state can grow) saturate.
Every coloured element carries ``data-part="<name>"`` and every number ``data-label="<name>"``
so tests can find them. (``data-name`` is left to the numbers table.)

``font_scale`` (presentation mode) scales the whole drawing, text included.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Mapping

import matplotlib

from ..i18n import _, get_language

__all__ = [
    "GATE_CMAP",
    "VALUE_CMAP",
    "gate_color",
    "value_color",
    "text_color",
    "legend_svg",
    "lstm_svg",
    "gru_svg",
    "unrolled_rnn_svg",
    "SUBSCRIPTS",
]

#: Colour map of gates, 0 (closed) → 1 (open).
GATE_CMAP = "viridis"
#: Colour map of values, −1 → 0 → 1.
VALUE_CMAP = "RdBu_r"

_INK = "#222222"
_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def _finite(v: float) -> float:
    v = float(v)
    return 0.0 if math.isnan(v) else v


def _hex(rgba) -> str:
    r, g, b = (int(round(255 * c)) for c in rgba[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


@functools.cache
def _table(cmap: str) -> tuple[str, ...]:
    """The colour map's lookup table as ``#rrggbb`` strings (made once: ``colormaps[name]``
    returns a fresh copy that rebuilds its table, about a millisecond per call)."""
    cm = matplotlib.colormaps[cmap]
    return tuple(_hex(cm(k)) for k in range(cm.N))


def _lookup(cmap: str, x: float) -> str:
    """``cmap(x)`` for x in [0, 1], as matplotlib indexes it: entry ⌊x·N⌋, N − 1 at x = 1."""
    table = _table(cmap)
    n = len(table)
    return table[min(int(x * n), n - 1)]


def gate_color(v: float) -> str:
    """Colour of a gate value, clipped to [0, 1] (0 closed … 1 open), as ``#rrggbb``."""
    x = min(1.0, max(0.0, _finite(v)))
    return _lookup(GATE_CMAP, x)


def value_color(v: float) -> str:
    """Colour of a value, clipped to [−1, 1] (blue negative, white 0, red positive)."""
    x = min(1.0, max(-1.0, _finite(v)))
    return _lookup(VALUE_CMAP, (x + 1.0) / 2.0)


def text_color(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (``#rrggbb``)."""
    r, g, b = (int(fill[k : k + 2], 16) / 255 for k in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if luminance > 0.5 else "#ffffff"


def _num(v: float) -> str:
    v = _finite(v)
    text = f"{v:.2f}"
    return "0.00" if text == "-0.00" else text.replace("-", "−")


# --------------------------------------------------------------------------------------------
# Drawing primitives (each returns an SVG fragment)
# --------------------------------------------------------------------------------------------


def _line(points, color=_INK, width=3.0, part=None, arrow=True, outline=False) -> str:
    d = " ".join(f"{'M' if k == 0 else 'L'}{x:.0f},{y:.0f}" for k, (x, y) in enumerate(points))
    attrs = f'd="{d}" fill="none" stroke-linejoin="round" stroke-linecap="round"'
    marker = ' marker-end="url(#course-arrow)"' if arrow else ""
    data = f' data-part="{part}"' if part else ""
    under = ""
    if outline:  # a dark rim so that light colours (values near 0) stay visible
        under = f'<path {attrs} stroke="{_INK}" stroke-width="{width + 2.5:.1f}"/>'
    return f'{under}<path {attrs} stroke="{color}" stroke-width="{width:.1f}"{marker}{data}/>'


def _box(cx, cy, label, fill, part, w=58, h=38, sub=None) -> str:
    ink = text_color(fill)
    x, y = cx - w / 2, cy - h / 2
    s = (
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{w}" height="{h}" rx="6" fill="{fill}" '
        f'stroke="{_INK}" stroke-width="1.5" data-part="{part}"/>'
        f'<text x="{cx:.0f}" y="{cy + 6:.0f}" text-anchor="middle" font-size="17" '
        f'fill="{ink}">{label}</text>'
    )
    if sub:
        s += (
            f'<text x="{x - 4:.0f}" y="{cy + 5:.0f}" text-anchor="end" font-size="15" '
            f'font-style="italic" fill="{_INK}">{sub}</text>'
        )
    return s


def _node(cx, cy, op, fill, part, r=14) -> str:
    ink = text_color(fill)
    return (
        f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{r}" fill="{fill}" stroke="{_INK}" '
        f'stroke-width="1.5" data-part="{part}"/>'
        f'<text x="{cx:.0f}" y="{cy + 6:.0f}" text-anchor="middle" font-size="18" '
        f'font-weight="bold" fill="{ink}">{op}</text>'
    )


def _ellipse(cx, cy, label, fill, part) -> str:
    ink = text_color(fill)
    return (
        f'<ellipse cx="{cx:.0f}" cy="{cy:.0f}" rx="30" ry="15" fill="{fill}" stroke="{_INK}" '
        f'stroke-width="1.5" data-part="{part}"/>'
        f'<text x="{cx:.0f}" y="{cy + 5:.0f}" text-anchor="middle" font-size="14" '
        f'fill="{ink}">{label}</text>'
    )


def _label(x, y, name, text, value, anchor="middle") -> str:
    """A number on an arrow: ``text = value`` on a white pill, tagged ``data-label``."""
    content = f"{text} = {_num(value)}"
    width = 7.6 * len(content) + 10
    if anchor == "middle":
        x0 = x - width / 2
    elif anchor == "start":
        x0 = x - 5
    else:
        x0 = x - width + 5
    return (
        f'<rect x="{x0:.0f}" y="{y - 14:.0f}" width="{width:.0f}" height="19" rx="9" '
        f'fill="#ffffff" fill-opacity="0.9" stroke="#999999" stroke-width="0.8"/>'
        f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}" font-size="13" fill="{_INK}" '
        f'data-label="{name}">{html.escape(content)}</text>'
    )


def _defs() -> str:
    return (
        "<defs>"
        '<marker id="course-arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="13" '
        'markerHeight="13" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{_INK}"/></marker>'
        "</defs>"
    )


def _gradient(gid: str, cmap: str) -> str:
    stops = "".join(
        f'<stop offset="{k / 10:.1f}" stop-color="{_hex(matplotlib.colormaps[cmap](k / 10))}"/>'
        for k in range(11)
    )
    return f'<linearGradient id="{gid}" x1="0" x2="1" y1="0" y2="0">{stops}</linearGradient>'


def legend_svg(x: float, y: float) -> str:
    """The two colour scales: gates 0 → 1 and values −1 → 1 (an SVG fragment at (x, y))."""
    return _legend_svg(x, y, get_language())


@functools.cache
def _legend_svg(x: float, y: float, language: str) -> str:
    """``legend_svg`` in ``language`` (made once per place and language)."""
    parts = ["<defs>", _gradient("course-gate-scale", GATE_CMAP)]
    parts += [_gradient("course-value-scale", VALUE_CMAP), "</defs>"]
    parts.append(f'<g data-part="legend" transform="translate({x:.0f},{y:.0f})">')
    for row, (gid, title, lo, hi) in enumerate(
        [
            ("course-gate-scale", _("gate (σ)"), _("0 closed"), _("1 open")),
            ("course-value-scale", _("value (tanh, c, h)"), "−1", "+1"),
        ]
    ):
        yy = row * 34
        parts.append(
            f'<text x="0" y="{yy + 13}" font-size="13" fill="{_INK}">{title}</text>'
            f'<rect x="130" y="{yy}" width="150" height="16" fill="url(#{gid})" '
            f'stroke="{_INK}" stroke-width="0.8"/>'
            f'<text x="130" y="{yy + 29}" font-size="11" fill="{_INK}">{lo}</text>'
            f'<text x="280" y="{yy + 29}" font-size="11" text-anchor="end" '
            f'fill="{_INK}">{hi}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _svg(body: str, width: int, height: int, title: str, font_scale: float) -> str:
    w, h = round(width * font_scale), round(height * font_scale)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="course-diagram" width="{w}" '
        f'height="{h}" viewBox="0 0 {width} {height}" font-family="{_FONT}" role="img" '
        f'data-font-scale="{font_scale:g}"><title>{html.escape(title)}</title>{_defs()}'
        f"{body}</svg>"
    )


def _require(values: Mapping, keys) -> dict[str, float]:
    missing = [k for k in keys if k not in values]
    if missing:
        raise ValueError(f"the diagram needs {missing}; got {sorted(values)}")
    return {k: _finite(values[k]) for k in keys}


# --------------------------------------------------------------------------------------------
# LSTM
# --------------------------------------------------------------------------------------------

LSTM_KEYS = ("x", "h_prev", "c_prev", "f", "i", "o", "g", "c", "h", "kept", "written", "tanh_c")


def lstm_svg(values: Mapping, font_scale: float = 1.0, legend: bool = True, title=None) -> str:
    """The LSTM cell, coloured by its live values, every arrow labelled with its number.

    ``values`` needs ``x, h_prev, c_prev`` (the inputs), ``f, i, o, g, c, h`` and the terms
    ``kept`` (f·c_{t−1}), ``written`` (i·g), ``tanh_c`` (see ``gate_analysis.lstm_terms``).
    The top line is the cell state c (the long-term memory); the bottom line carries
    [h_{t−1}, x_t] to the four gate boxes; h_t leaves on the right.
    """
    v = _require(values, LSTM_KEYS)
    top, bus = 90, 320  # y of the cell-state line and of the [h, x] bus
    fx, ix, gx, ox, outx = 210, 300, 390, 500, 590  # columns
    box_y = 240
    s = []
    s.append(
        '<rect x="90" y="40" width="560" height="330" rx="18" fill="#f4f4f0" '
        'stroke="#888888" stroke-width="1.5" data-part="cell"/>'
    )
    # cell-state line: c_{t−1} → × (forget) → + (input) → c_t
    s.append(_line([(20, top), (fx - 16, top)], value_color(v["c_prev"]), 7, "c_prev", True, True))
    s.append(_line([(fx + 14, top), (gx - 16, top)], value_color(v["kept"]), 7, "kept", True, True))
    s.append(_line([(gx + 14, top), (730, top)], value_color(v["c"]), 7, "c", True, True))
    # [h_{t−1}, x_t] bus
    s.append(_line([(20, bus), (140, bus)], value_color(v["h_prev"]), 4, "h_prev", False, True))
    s.append(_line([(140, 410), (140, bus)], value_color(v["x"]), 4, "x", False, True))
    s.append(_line([(140, bus), (ox, bus)], "#666666", 3, None, False))
    # forget gate f: up to the × on the cell line
    s.append(_line([(fx, bus), (fx, box_y + 19)], "#666666", 3))
    s.append(
        _line([(fx, box_y - 19), (fx, top + 16)], gate_color(v["f"]), 5, "f_arrow", True, True)
    )
    # input gate i and candidate g meet at a ×, whose product goes up to the +
    s.append(_line([(ix, bus), (ix, box_y + 19)], "#666666", 3))
    s.append(_line([(gx, bus), (gx, box_y + 19)], "#666666", 3))
    s.append(
        _line([(ix, box_y - 19), (ix, 165), (gx - 16, 165)], gate_color(v["i"]), 5, "i_arrow", 1, 1)
    )
    s.append(_line([(gx, box_y - 19), (gx, 165 + 16)], value_color(v["g"]), 5, "g_arrow", 1, 1))
    s.append(_line([(gx, 165 - 14), (gx, top + 16)], value_color(v["written"]), 5, "written", 1, 1))
    # output: o, and tanh(c_t) branching down from the cell line, meet at a × giving h_t
    s.append(_line([(ox, bus), (ox, box_y + 19)], "#666666", 3))
    s.append(_line([(ox + 29, box_y), (outx - 16, box_y)], gate_color(v["o"]), 5, "o_arrow", 1, 1))
    s.append(_line([(outx, top), (outx, 150)], value_color(v["c"]), 4, None, True, True))
    s.append(
        _line([(outx, 180), (outx, box_y - 16)], value_color(v["tanh_c"]), 4, "tanh_c_arrow", 1, 1)
    )
    s.append(
        _line([(outx, box_y + 14), (outx, bus), (730, bus)], value_color(v["h"]), 7, "h", 1, 1)
    )
    # boxes and nodes on top of the lines
    s.append(_node(fx, top, "×", gate_color(v["f"]), "forget_mul"))
    s.append(_node(gx, top, "+", value_color(v["c"]), "add"))
    s.append(_node(gx, 165, "×", gate_color(v["i"]), "input_mul"))
    s.append(_node(outx, box_y, "×", gate_color(v["o"]), "output_mul"))
    s.append(_ellipse(outx, 165, "tanh", value_color(v["tanh_c"]), "tanh_c"))
    s.append(_box(fx, box_y, "σ", gate_color(v["f"]), "f", sub="f"))
    s.append(_box(ix, box_y, "σ", gate_color(v["i"]), "i", sub="i"))
    s.append(_box(gx, box_y, "tanh", value_color(v["g"]), "g", sub="g"))
    s.append(_box(ox, box_y, "σ", gate_color(v["o"]), "o", sub="o"))
    # numbers on the arrows
    s.append(_label(22, top - 14, "c_prev", "c\u209c\u208b\u2081", v["c_prev"], "start"))
    s.append(_label((fx + gx) / 2, top - 14, "kept", "f·c\u209c\u208b\u2081", v["kept"]))
    s.append(_label(728, top - 14, "c", "c\u209c", v["c"], "end"))
    s.append(_label(fx, 150, "f", "f", v["f"]))
    s.append(_label(ix - 6, 205, "i", "i", v["i"]))
    s.append(_label(gx + 48, 206, "g", "g", v["g"]))
    s.append(_label(gx + 52, 128, "written", "i·g", v["written"]))
    s.append(_label(outx + 36, 206, "tanh_c", "tanh c\u209c", v["tanh_c"], "start"))
    s.append(_label(ox + 40, box_y - 26, "o", "o", v["o"]))
    s.append(_label(728, bus - 12, "h", "h\u209c", v["h"], "end"))
    s.append(_label(22, bus - 12, "h_prev", "h\u209c\u208b\u2081", v["h_prev"], "start"))
    s.append(_label(150, 400, "x", "x\u209c", v["x"], "start"))
    s.append(
        '<text x="640" y="60" text-anchor="end" font-size="13" fill="#555555">'
        + _("cell state c (long-term)")
        + "</text>"
        '<text x="640" y="358" text-anchor="end" font-size="13" fill="#555555">'
        + _("hidden state h (short-term)")
        + "</text>"
    )
    height = 430
    if legend:
        s.append(legend_svg(400, 395))
        height = 470
    return _svg("".join(s), 740, height, title or _("LSTM cell"), font_scale)


# --------------------------------------------------------------------------------------------
# GRU
# --------------------------------------------------------------------------------------------

GRU_KEYS = ("x", "h_prev", "z", "r", "h_tilde", "h", "keep_weight", "kept", "written", "r_h")


def gru_svg(values: Mapping, font_scale: float = 1.0, legend: bool = True, title=None) -> str:
    """The GRU cell (lecture's convention h_t = (1 − z)·h_{t−1} + z·h̃), coloured and labelled.

    ``values`` needs ``x, h_prev, z, r, h_tilde, h`` and the terms ``keep_weight`` (1 − z),
    ``kept`` ((1 − z)·h_{t−1}), ``written`` (z·h̃), ``r_h`` (r·h_{t−1}) (see
    ``gate_analysis.gru_terms``). The top line is the one state h.
    """
    v = _require(values, GRU_KEYS)
    top, bus = 90, 330
    branch, rx, hx, zx, addx = 70, 180, 310, 440, 570
    box_y, mid = 260, 190
    s = [
        '<rect x="50" y="40" width="600" height="330" rx="18" fill="#f4f4f0" '
        'stroke="#888888" stroke-width="1.5" data-part="cell"/>'
    ]
    # the state line: h_{t−1} → × (1 − z) → + → h_t
    s.append(_line([(10, top), (zx - 16, top)], value_color(v["h_prev"]), 7, "h_prev", 1, 1))
    s.append(_line([(zx + 14, top), (addx - 16, top)], value_color(v["kept"]), 7, "kept", 1, 1))
    s.append(_line([(addx + 14, top), (730, top)], value_color(v["h"]), 7, "h", True, True))
    # h_{t−1} branches down to the bus, x_t joins it
    s.append(_line([(branch, top), (branch, bus), (zx, bus)], "#666666", 3, None, False))
    s.append(_line([(120, 410), (120, bus)], value_color(v["x"]), 4, "x", False, True))
    # reset gate r: r·h_{t−1} goes into the candidate
    s.append(_line([(rx, bus), (rx, box_y + 19)], "#666666", 3))
    s.append(_line([(rx, box_y - 19), (rx, mid + 16)], gate_color(v["r"]), 5, "r_arrow", 1, 1))
    s.append(_line([(branch, mid), (rx - 16, mid)], value_color(v["h_prev"]), 3, None, True))
    s.append(_line([(rx + 14, mid), (hx - 31, mid)], value_color(v["r_h"]), 5, "r_h", True, True))
    # candidate h̃ (reads x from the bus and r·h from the left)
    s.append(_line([(hx, bus), (hx, mid + 19)], "#666666", 3))
    s.append(
        _line(
            [(hx, mid - 19), (hx, 140), (addx - 16, 140)],
            value_color(v["h_tilde"]),
            5,
            "h_tilde_arrow",
            1,
            1,
        )
    )
    # update gate z: 1 − z to the × on the state line, z to the × with h̃
    s.append(_line([(zx, bus), (zx, box_y + 19)], "#666666", 3))
    s.append(_line([(zx, box_y - 19), (zx, 200 + 15)], gate_color(v["z"]), 5, "z_arrow", 1, 1))
    s.append(
        _line([(zx, 200 - 15), (zx, top + 16)], gate_color(v["keep_weight"]), 5, "keep_arrow", 1, 1)
    )
    s.append(_line([(zx, 225), (addx, 225), (addx, 140 + 16)], gate_color(v["z"]), 5, None, 1, 1))
    s.append(
        _line([(addx, 140 - 14), (addx, top + 16)], value_color(v["written"]), 5, "written", 1, 1)
    )
    # nodes and boxes
    s.append(_node(zx, top, "×", gate_color(v["keep_weight"]), "keep_mul"))
    s.append(_node(addx, top, "+", value_color(v["h"]), "add"))
    s.append(_node(rx, mid, "×", gate_color(v["r"]), "reset_mul"))
    s.append(_node(addx, 140, "×", gate_color(v["z"]), "update_mul"))
    s.append(_ellipse(zx, 200, "1−", gate_color(v["keep_weight"]), "one_minus"))
    s.append(_box(rx, box_y, "σ", gate_color(v["r"]), "r", sub="r"))
    s.append(_box(hx, mid, "tanh", value_color(v["h_tilde"]), "h_tilde"))
    s.append(_box(zx, box_y, "σ", gate_color(v["z"]), "z", sub="z"))
    # numbers
    s.append(_label(12, top - 14, "h_prev", "h\u209c\u208b\u2081", v["h_prev"], "start"))
    s.append(_label((zx + addx) / 2, top - 14, "kept", "(1−z)·h", v["kept"]))
    s.append(_label(728, top - 14, "h", "h\u209c", v["h"], "end"))
    s.append(_label(rx + 8, box_y - 30, "r", "r", v["r"], "start"))
    s.append(_label((rx + hx) / 2 - 12, mid - 14, "r_h", "r·h", v["r_h"]))
    s.append(_label(hx + 8, 165, "h_tilde", "h̃", v["h_tilde"], "start"))
    s.append(_label(zx - 8, 232, "z", "z", v["z"], "end"))
    s.append(_label(zx - 8, 122, "keep_weight", "1−z", v["keep_weight"], "end"))
    s.append(_label(addx + 8, 190, "written", "z·h̃", v["written"], "start"))
    s.append(_label(130, 400, "x", "x\u209c", v["x"], "start"))
    height = 430
    if legend:
        s.append(legend_svg(400, 395))
        height = 470
    return _svg("".join(s), 740, height, title or _("GRU cell"), font_scale)


# --------------------------------------------------------------------------------------------
# The unrolled RNN of lesson 03
# --------------------------------------------------------------------------------------------

#: ``str.translate`` table writing digits as subscripts (h₁₂).
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def unrolled_rnn_svg(values: Mapping, large: bool = False) -> str:
    """One tanh unit unrolled through time: h₀ → [step 1] → … → [step T], inputs below, states
    above; each step's box shows tanh(aₜ) and hₜ and is coloured by hₜ on the values' scale of the
    cell diagrams (:func:`value_color`: blue −1, white 0, red +1), its text black or white
    (:func:`text_color`).

    ``values``: ``sequence`` (x₁ … x_T), ``h`` (h₀ … h_T), ``a`` (the pre-activations a₁ … a_T)
    and ``wx``, ``wh``, ``b`` (the numbers come from ``UnrolledRNNExplorer``, nothing is computed
    here). ``large``: the presentation mode's bigger fonts and boxes.
    """
    x, h, a = values["sequence"], values["h"], values["a"]
    wx, wh, b = values["wx"], values["wh"], values["b"]
    T = len(x)
    big = bool(large)
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
    fill = value_color(h[0])
    ink = text_color(fill)
    parts.append(
        f'<circle cx="32" cy="{cy}" r="{r0}" fill="{fill}" stroke="#444" data-part="h0"/>'
        f'<text x="32" y="{cy - 2}" text-anchor="middle" fill="{ink}">h₀</text>'
        f'<text x="32" y="{cy + fs}" text-anchor="middle" font-size="{fs - 2}" fill="{ink}">'
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
        fill = value_color(h[t])
        ink = text_color(fill)
        parts.append(
            f'<g data-step="{t}"><rect x="{left}" y="{y_box}" width="{bw}" height="{bh}" '
            f'rx="8" fill="{fill}" stroke="#222" data-part="step"/>'
            f'<text x="{mid}" y="{y_box + bh * 0.4}" text-anchor="middle" '
            f'font-size="{fs - 2}" fill="{ink}">tanh({a[t - 1]:.2f})</text>'
            f'<text x="{mid}" y="{y_box + bh * 0.82}" text-anchor="middle" '
            f'font-weight="bold" fill="{ink}">{h[t]:.3f}</text></g>'
        )
        # input below
        parts.append(
            f'<line x1="{mid}" y1="{y_in - fs}" x2="{mid}" y2="{y_box + bh}" stroke="#444" '
            'marker-end="url(#rnn-arrow)"/>'
            f'<text x="{mid + 5}" y="{(y_in - fs + y_box + bh) / 2 + 4}" font-size="{fs - 2}" '
            'fill="#1f4e9a">wx</text>'
            f'<text x="{mid}" y="{y_in + 4}" text-anchor="middle">'
            f"x{str(t).translate(SUBSCRIPTS)}={x[t - 1]:.2f}</text>"
        )
        # state above
        parts.append(
            f'<line x1="{mid}" y1="{y_box}" x2="{mid}" y2="{y_out + 8}" stroke="#444" '
            'marker-end="url(#rnn-arrow)"/>'
            f'<text x="{mid}" y="{y_out}" text-anchor="middle">'
            f"h{str(t).translate(SUBSCRIPTS)}</text>"
        )
        prev_right = left + bw
    parts.append(
        f'<text x="10" y="{height - 6}" font-size="{fs - 2}" fill="#555">'
        f"hₜ = tanh(wx·xₜ + wh·hₜ₋₁ + b)   wx={wx:.2f}  wh={wh:.2f}  b={b:.2f}"
        "   " + _("(box: tanh(pre-activation) and hₜ; colour: red +, blue −)") + "</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
