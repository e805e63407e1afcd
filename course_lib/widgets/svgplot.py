"""Small plots as SVG text, drawn from an explorer's numbers, shown in an ``ipywidgets.HTML``.

Why not matplotlib: re-drawing a figure to PNG on every slider event took 77–300 ms in the
kernel; building the same plot as SVG text takes about 1 ms, the browser draws it, and the
text is the widget's state, so a saved notebook shows the last picture without a kernel.

A :class:`Plot` holds one or more :class:`Axes` (a data box with ticks, labels, title and an
optional legend). Each axes maps data to pixels (linear, or log10 on y) and collects SVG
fragments: ``line``, ``scatter``, ``polygon``, ``bars``, ``arrow``, ``rect``, ``circle``,
``hline``/``vline``, ``text``. ``Plot.svg(font_scale)`` returns the ``<svg>`` element; the
whole picture is scaled by ``font_scale`` (presentation mode), text included.

Every series drawn with a ``name`` is tagged ``data-series="<name>"`` in the SVG, and its data
are kept in ``Axes.series[name]`` (as given, before any clipping to the axes) so tests can
check what is drawn without parsing coordinates.

:class:`PlotView` is the widget side: an ``HTML`` widget made once whose ``value`` is replaced
by ``show(plot)``; ``renders`` counts the updates.
"""

from __future__ import annotations

import html
import itertools
import math

import ipywidgets as widgets
import numpy as np

__all__ = ["Axes", "Plot", "PlotView", "nice_ticks", "log_ticks"]

_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
_INK = "#222222"
_ids = itertools.count(1)


def _f(v: float) -> str:
    """A pixel coordinate, 1 decimal, no trailing ``.0``."""
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _esc(text) -> str:
    return html.escape(str(text))


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 × 10^k apart) covering [low, high], about ``target``."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low]
    raw = (high - low) / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    k = 0
    while first + k * step <= high + 1e-9 * step:
        v = first + k * step
        ticks.append(0.0 if abs(v) < 1e-12 * step else v)
        k += 1
    return ticks


def log_ticks(low: float, high: float, target: int = 6) -> list[float]:
    """Powers of ten in [low, high] (low > 0), every n-th decade so that about ``target`` show."""
    lo, hi = math.ceil(math.log10(low) - 1e-9), math.floor(math.log10(high) + 1e-9)
    if hi < lo:
        return [low]
    every = max(1, math.ceil((hi - lo + 1) / target))
    return [10.0**e for e in range(lo, hi + 1) if (e - lo) % every == 0]


def _tick_label(v: float, step: float = 1.0) -> str:
    """A tick value as short as it can be: 2, 2.5, 0.25 (fp noise such as 0.30000000000000004
    rounded away), with a minus sign."""
    text = f"{round(v, 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def _log_label(v: float) -> str:
    e = round(math.log10(v))
    sup = str(e).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"10{sup}"


class Axes:
    """A data box at pixel ``(left, top)`` of size ``width × height`` inside a :class:`Plot`.

    ``xlim``/``ylim`` are the data ranges; ``ylog=True`` maps y by log10 (ylim must be > 0).
    ``equal=True`` shrinks the box so that one unit is as long on x as on y.
    """

    def __init__(
        self,
        left,
        top,
        width,
        height,
        xlim=(0.0, 1.0),
        ylim=(0.0, 1.0),
        *,
        ylog=False,
        title="",
        xlabel="",
        ylabel="",
        grid=False,
        equal=False,
        clip_id="",
    ):
        self.left, self.top, self.width, self.height = left, top, width, height
        self.ylog, self.grid, self.equal = ylog, grid, equal
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel
        self.clip_id = clip_id
        self.xticks: tuple | None = None  # (values, labels) or None for automatic
        self.yticks: tuple | None = None
        self.series: dict[str, tuple] = {}
        self._items: list[str] = []
        self._legend: list[tuple] = []
        self._legend_loc = "upper right"
        self._box = (left, top, width, height)
        self.set_xlim(*xlim)
        self.set_ylim(*ylim)

    # -- ranges and mapping --------------------------------------------------------------------
    def set_xlim(self, low, high) -> None:
        self.xlim = (float(low), float(high))
        self._fit_box()

    def set_ylim(self, low, high) -> None:
        low, high = float(low), float(high)
        if self.ylog and not 0 < low < high:
            raise ValueError(f"a log axis needs 0 < low < high, got ({low}, {high})")
        self.ylim = (low, high)
        self._fit_box()

    def _fit_box(self) -> None:
        left, top, width, height = self._box
        if self.equal and hasattr(self, "ylim") and hasattr(self, "xlim"):
            dx, dy = self.xlim[1] - self.xlim[0], self.ylim[1] - self.ylim[0]
            unit = min(width / dx, height / dy)
            w, h = unit * dx, unit * dy
            left, top, width, height = left + (width - w) / 2, top + (height - h) / 2, w, h
        self.left, self.top, self.width, self.height = left, top, width, height

    def _ty(self, y):
        y = np.asarray(y, dtype=float)
        if self.ylog:
            lo, hi = math.log10(self.ylim[0]), math.log10(self.ylim[1])
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(np.maximum(y, 1e-300))
        else:
            lo, hi = self.ylim
        return self.top + self.height * (1 - (y - lo) / (hi - lo))

    def _tx(self, x):
        x = np.asarray(x, dtype=float)
        lo, hi = self.xlim
        return self.left + self.width * (x - lo) / (hi - lo)

    def px(self, x, y) -> tuple[float, float]:
        """Pixel position of the data point (x, y)."""
        return float(self._tx(x)), float(self._ty(y))

    # -- drawing ------------------------------------------------------------------------------
    def _keep(self, name, *data) -> str:
        if not name:
            return ""
        self.series[name] = tuple(list(map(float, np.ravel(d))) for d in data)
        return f' data-series="{_esc(name)}"'

    def _legend_entry(self, label, kind, **style) -> None:
        if label:
            self._legend.append((label, kind, style))

    def line(
        self,
        x,
        y,
        color=_INK,
        width=2.0,
        dash=None,
        marker=None,
        ms=4.0,
        label=None,
        name=None,
        opacity=1.0,
    ) -> None:
        """A polyline through (x, y); ``marker`` "o" (dot) or "s" (square) on each point."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        tag = self._keep(name, x, y)
        if len(x):
            px, py = self._tx(x), self._ty(y)
            pts = " ".join(f"{_f(a)},{_f(b)}" for a, b in zip(px, py, strict=True))
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            op = f' stroke-opacity="{opacity}"' if opacity != 1 else ""
            self._items.append(
                f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="{width}"'
                f'{dash_attr}{op} stroke-linejoin="round"{tag}/>'
            )
            if marker:
                self._items.append(self._markers(px, py, marker, ms, color, color))
        self._legend_entry(label, "line", color=color, width=width, dash=dash, marker=marker)

    def _markers(self, px, py, marker, ms, fill, stroke, stroke_width=1.0) -> str:
        out = []
        for a, b in zip(px, py, strict=True):
            if marker == "s":
                out.append(
                    f'<rect x="{_f(a - ms)}" y="{_f(b - ms)}" width="{_f(2 * ms)}" '
                    f'height="{_f(2 * ms)}"/>'
                )
            else:
                out.append(f'<circle cx="{_f(a)}" cy="{_f(b)}" r="{_f(ms)}"/>')
        return (
            f'<g fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}">{"".join(out)}</g>'
        )

    def scatter(
        self, x, y, marker="o", ms=5.0, color=_INK, edge=None, label=None, name=None
    ) -> None:
        """Markers at (x, y); ``color="none"`` with an ``edge`` draws rings."""
        x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
        tag = self._keep(name, x, y)
        if len(x):
            g = self._markers(self._tx(x), self._ty(y), marker, ms, color, edge or color, 1.5)
            self._items.append(g.replace("<g ", f"<g{tag} ", 1) if tag else g)
        self._legend_entry(label, "marker", color=color, edge=edge or color, marker=marker)

    def polygon(self, x, y, fill, opacity=0.2, label=None, name=None) -> None:
        """A filled polygon through (x, y)."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        tag = self._keep(name, x, y)
        if len(x) >= 3:
            pts = " ".join(
                f"{_f(a)},{_f(b)}" for a, b in zip(self._tx(x), self._ty(y), strict=True)
            )
            self._items.append(
                f'<polygon points="{pts}" fill="{fill}" fill-opacity="{opacity}" '
                f'stroke="none"{tag}/>'
            )
        self._legend_entry(label, "patch", color=fill, opacity=opacity)

    def hline(self, y, color="#999999", width=0.8, dash=None, name=None) -> None:
        self.line(self.xlim, [y, y], color=color, width=width, dash=dash, name=name)

    def vline(self, x, color="#999999", width=0.8, dash=None, name=None) -> None:
        self.line([x, x], self.ylim, color=color, width=width, dash=dash, name=name)

    def rect(self, x, y, w, h, stroke, width=1.2, dash=None, fill="none", name=None) -> None:
        """A rectangle with corner (x, y) and size (w, h) in data units."""
        tag = self._keep(name, [x, y, w, h])
        x0, y0 = self.px(x, y + h)
        x1, y1 = self.px(x + w, y)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        self._items.append(
            f'<rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(x1 - x0)}" height="{_f(y1 - y0)}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash_attr}{tag}/>'
        )

    def circle(self, x, y, r, stroke, width=1.2, dash=None, name=None) -> None:
        """A circle of radius r (data units on x; use with ``equal=True``)."""
        tag = self._keep(name, [x, y, r])
        cx, cy = self.px(x, y)
        rp = abs(float(self._tx(x + r)) - cx)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        self._items.append(
            f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(rp)}" fill="none" stroke="{stroke}" '
            f'stroke-width="{width}"{dash_attr}{tag}/>'
        )

    def arrow(self, x0, y0, x1, y1, color=_INK, width=2.5, label=None, name=None) -> None:
        """An arrow from (x0, y0) to (x1, y1), its head drawn as a triangle."""
        tag = self._keep(name, [x0, y0, x1, y1])
        a, b = self.px(x0, y0)
        c, d = self.px(x1, y1)
        length = math.hypot(c - a, d - b)
        if length > 1e-9:
            ux, uy = (c - a) / length, (d - b) / length
            head = min(12.0, 0.6 * length)
            bx, by = c - head * ux, d - head * uy
            wx, wy = -uy * head * 0.45, ux * head * 0.45
            self._items.append(
                f"<g{tag}>"
                f'<line x1="{_f(a)}" y1="{_f(b)}" x2="{_f(bx)}" y2="{_f(by)}" stroke="{color}" '
                f'stroke-width="{width}"/>'
                f'<polygon points="{_f(c)},{_f(d)} {_f(bx + wx)},{_f(by + wy)} '
                f'{_f(bx - wx)},{_f(by - wy)}" fill="{color}"/></g>'
            )
        self._legend_entry(label, "line", color=color, width=width, dash=None, marker=None)

    def bars(self, heights, colors, width=0.7, edge=_INK, name=None) -> None:
        """Bars at x = 0, 1, …, from 0 to each height, each with its colour."""
        heights = [float(h) for h in heights]
        tag = self._keep(name, range(len(heights)), heights)
        out = []
        zero = float(self._ty(0.0))
        for k, (h, c) in enumerate(zip(heights, colors, strict=True)):
            x0, x1 = float(self._tx(k - width / 2)), float(self._tx(k + width / 2))
            y = float(self._ty(h))
            top, bottom = min(y, zero), max(y, zero)
            out.append(
                f'<rect x="{_f(x0)}" y="{_f(top)}" width="{_f(x1 - x0)}" '
                f'height="{_f(bottom - top)}" fill="{c}" data-bar="{k}"/>'
            )
        self._items.append(f'<g stroke="{edge}" stroke-width="1"{tag}>{"".join(out)}</g>')

    def text(self, x, y, s, size=11, anchor="middle", baseline="auto", color=_INK, dy=0) -> None:
        """Text at data point (x, y), shifted ``dy`` pixels down."""
        a, b = self.px(x, y)
        self._items.append(
            f'<text x="{_f(a)}" y="{_f(b + dy)}" font-size="{size}" text-anchor="{anchor}" '
            f'dominant-baseline="{baseline}" fill="{color}">{_esc(s)}</text>'
        )

    def legend(self, loc="upper right") -> None:
        """Draw the labelled series in a box at ``loc`` (upper/lower + left/center/right)."""
        self._legend_loc = loc

    # -- output -------------------------------------------------------------------------------
    def _ticks(self, axis):
        fixed = self.xticks if axis == "x" else self.yticks
        lim = self.xlim if axis == "x" else self.ylim
        if fixed is not None:
            values, labels = fixed
            values = [float(v) for v in values if lim[0] - 1e-9 <= v <= lim[1] + 1e-9]
            return values, labels[: len(values)] if labels else [_tick_label(v) for v in values]
        if axis == "y" and self.ylog:
            values = log_ticks(*lim)
            return values, [_log_label(v) for v in values]
        values = nice_ticks(*lim, target=6 if axis == "x" else 5)
        step = values[1] - values[0] if len(values) > 1 else 1.0
        return values, [_tick_label(v, step) for v in values]

    def svg(self) -> str:
        L, T, W, H = self.left, self.top, self.width, self.height
        out = []
        xt, xl = self._ticks("x")
        yt, yl = self._ticks("y")
        grid = []
        for v, lab in zip(xt, xl, strict=False):
            x = float(self._tx(v))
            if self.grid:
                grid.append(f"M{_f(x)},{_f(T)}V{_f(T + H)}")
            out.append(
                f'<line x1="{_f(x)}" y1="{_f(T + H)}" x2="{_f(x)}" y2="{_f(T + H + 4)}" '
                f'stroke="{_INK}"/><text x="{_f(x)}" y="{_f(T + H + 16)}" font-size="11" '
                f'text-anchor="middle" fill="{_INK}">{_esc(lab)}</text>'
            )
        for v, lab in zip(yt, yl, strict=False):
            y = float(self._ty(v))
            if self.grid:
                grid.append(f"M{_f(L)},{_f(y)}H{_f(L + W)}")
            out.append(
                f'<line x1="{_f(L - 4)}" y1="{_f(y)}" x2="{_f(L)}" y2="{_f(y)}" stroke="{_INK}"/>'
                f'<text x="{_f(L - 6)}" y="{_f(y + 4)}" font-size="11" text-anchor="end" '
                f'fill="{_INK}">{_esc(lab)}</text>'
            )
        frame = (
            f'<rect x="{_f(L)}" y="{_f(T)}" width="{_f(W)}" height="{_f(H)}" fill="none" '
            f'stroke="{_INK}" stroke-width="1"/>'
        )
        clip = ""
        if self.clip_id:
            clip = (
                f'<clipPath id="{self.clip_id}"><rect x="{_f(L)}" y="{_f(T)}" width="{_f(W)}" '
                f'height="{_f(H)}"/></clipPath>'
            )
        body = "".join(self._items)
        clip_attr = f' clip-path="url(#{self.clip_id})"' if self.clip_id else ""
        parts = [clip]
        if grid:
            parts.append(f'<path d="{"".join(grid)}" stroke="#e6e6e6" stroke-width="1"/>')
        parts += [f"<g{clip_attr}>{body}</g>", frame, *out]
        if self.title:
            parts.append(
                f'<text x="{_f(L + W / 2)}" y="{_f(T - 8)}" font-size="13" text-anchor="middle" '
                f'fill="{_INK}">{_esc(self.title)}</text>'
            )
        if self.xlabel:
            parts.append(
                f'<text x="{_f(L + W / 2)}" y="{_f(T + H + 32)}" font-size="12" '
                f'text-anchor="middle" fill="{_INK}">{_esc(self.xlabel)}</text>'
            )
        if self.ylabel:
            x, y = L - 44, T + H / 2
            parts.append(
                f'<text x="{_f(x)}" y="{_f(y)}" font-size="12" text-anchor="middle" '
                f'transform="rotate(-90 {_f(x)} {_f(y)})" fill="{_INK}">{_esc(self.ylabel)}</text>'
            )
        if self._legend:
            parts.append(self._legend_svg())
        return "".join(parts)

    def _legend_svg(self) -> str:
        rows = self._legend
        width = 34 + 6.6 * max(len(str(r[0])) for r in rows)
        height = 6 + 16 * len(rows)
        right = "right" in self._legend_loc
        lower = "lower" in self._legend_loc
        x0 = self.left + self.width - width - 6 if right else self.left + 6
        if "center" in self._legend_loc:
            x0 = self.left + (self.width - width) / 2
        y0 = self.top + self.height - height - 6 if lower else self.top + 6
        out = [
            f'<g data-part="legend"><rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(width)}" '
            f'height="{_f(height)}" fill="#ffffff" fill-opacity="0.85" stroke="#cccccc"/>'
        ]
        for k, (label, kind, st) in enumerate(rows):
            y = y0 + 11 + 16 * k
            if kind == "line":
                dash = f' stroke-dasharray="{st["dash"]}"' if st.get("dash") else ""
                out.append(
                    f'<line x1="{_f(x0 + 5)}" y1="{_f(y)}" x2="{_f(x0 + 25)}" y2="{_f(y)}" '
                    f'stroke="{st["color"]}" stroke-width="{min(st["width"], 3)}"{dash}/>'
                )
                if st.get("marker"):
                    out.append(
                        self._markers([x0 + 15], [y], st["marker"], 3, st["color"], st["color"])
                    )
            elif kind == "marker":
                out.append(self._markers([x0 + 15], [y], st["marker"], 4, st["color"], st["edge"]))
            else:
                out.append(
                    f'<rect x="{_f(x0 + 5)}" y="{_f(y - 5)}" width="20" height="10" '
                    f'fill="{st["color"]}" fill-opacity="{max(st["opacity"], 0.3)}"/>'
                )
            out.append(
                f'<text x="{_f(x0 + 30)}" y="{_f(y + 4)}" font-size="11" fill="{_INK}">'
                f"{_esc(label)}</text>"
            )
        out.append("</g>")
        return "".join(out)


class Plot:
    """A picture of ``width × height`` pixels holding axes; ``svg()`` returns the element.

    ``Plot(600, 300).axes(...)`` adds an :class:`Axes` whose keyword arguments are those of
    ``Axes`` (its box is given in pixels: ``left, top, width, height``).
    """

    def __init__(self, width: int, height: int, title: str = "", uid: str | None = None):
        self.width, self.height, self.title = width, height, title
        self.uid = uid or f"course-plot-{next(_ids)}"
        self.axes_list: list[Axes] = []

    def axes(self, left, top, width, height, **kw) -> Axes:
        ax = Axes(left, top, width, height, clip_id=f"{self.uid}-{len(self.axes_list)}", **kw)
        self.axes_list.append(ax)
        return ax

    def svg(self, font_scale: float = 1.0) -> str:
        w, h = round(self.width * font_scale), round(self.height * font_scale)
        body = "".join(ax.svg() for ax in self.axes_list)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="course-plot" width="{w}" '
            f'height="{h}" viewBox="0 0 {self.width} {self.height}" font-family="{_FONT}" '
            f'role="img" data-font-scale="{font_scale:g}" style="max-width: 100%; height: auto">'
            f"<title>{_esc(self.title)}</title>"
            f"{body}</svg>"
        )


class PlotView:
    """The widget of one plot: an ``HTML`` widget made once, its value replaced by ``show``.

    ``plot`` is the last :class:`Plot` shown (``plot.axes_list[k].series`` holds what it drew),
    ``renders`` counts updates, ``font_scale`` is set by presentation mode.
    """

    def __init__(self):
        self.widget = widgets.HTML(layout=widgets.Layout(max_width="100%"))
        self.widget.add_class("course-plot-view")
        self.uid = f"course-plot-{next(_ids)}"
        self.plot: Plot | None = None
        self.renders = 0
        self.font_scale = 1.0

    def new(self, width: int, height: int, title: str = "") -> Plot:
        """A fresh :class:`Plot` (plain Python, cheap) whose clip ids belong to this view."""
        return Plot(width, height, title, uid=self.uid)

    def show(self, plot: Plot) -> None:
        """Put ``plot`` into the widget (one ``value`` change; nothing if the text is equal)."""
        self.plot = plot
        text = plot.svg(self.font_scale)
        if text != self.widget.value:
            self.widget.value = text
            self.renders += 1

    def set_font_scale(self, scale: float) -> None:
        self.font_scale = float(scale)

    def series(self, name: str, axes: int = 0) -> tuple:
        """The data of the series ``name`` as last drawn on axes number ``axes``."""
        return self.plot.axes_list[axes].series[name]
