"""What every explorer shares: controls driveable from code, views updated in place, a
presentation mode for projectors, the HTML tables the numbers are shown in, and the parser of
the input sequences typed into a text box (:func:`parse_sequence`).

An explorer subclasses :class:`Explorer`, creates its controls in ``self.controls`` (a dict of
ipywidgets whose keys are the names ``set`` accepts), lays out ``self.widget`` and implements
``_compute()`` (returns the ``values`` dict, using tested ``course_lib`` functions only) and
``_render(values)`` (pushes them into the views). Plots are SVG text built from the values
(``svgplot``) and shown in :class:`~course_lib.widgets.svgplot.PlotView` widgets made once: a
slider event replaces the text of existing widgets, it never creates a widget.

Speed: an event costs the kernel the maths plus about a millisecond of SVG text; the browser
draws. Sliders are :class:`~course_lib.widgets.slider.Slider` (``self.slider``,
``self.int_slider``): their page side keeps up to two moves in flight and merges the ones made
meanwhile, so a drag never builds a queue, its last value is always sent, and it leaves as soon
as the hand stops (ipywidgets' own sliders wait for the answer to the move before).

Without a kernel: displaying an explorer sends, beside the widget view, a static picture of its
state at that moment (``text/html``: the same SVG plots, the numbers tables and the settings of
the controls, see :meth:`Explorer.static_html`), which GitHub, nbviewer, VS Code without a kernel
and exported HTML show. It is made once, when the explorer is displayed, never on an event.

Scenes: ``SCENES`` maps a name to the settings that differ from ``DEFAULTS``;
``explorer.scene(name)`` sets every control to ``{**DEFAULTS, **SCENES[name]}`` (so a scene is the
same whatever was moved before), and a row of buttons, made once, does it in class.

Presentation: ``presentation=True`` per explorer, or :func:`set_presentation` (re-exported as
``course_lib.presentation``) for every explorer, those already shown and those to come.
"""

from __future__ import annotations

import contextlib
import html
import math
import re
import weakref
from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np

from ..i18n import _
from .slider import IntSlider, Slider
from .svgplot import PlotView

__all__ = [
    "Explorer",
    "PlotView",
    "numbers_table",
    "parse_sequence",
    "PRESENTATION_CSS",
    "set_presentation",
]

#: Every explorer made in this kernel (weakly held), for :func:`set_presentation`.
_EXPLORERS: weakref.WeakSet = weakref.WeakSet()
#: Whether :func:`set_presentation` switched presentation mode on for all explorers.
_PRESENTATION_ALL = False


def set_presentation(on: bool = True) -> int:
    """Presentation mode (large fonts) for every explorer: those already shown and those to come.

    ``set_presentation(False)`` switches it off again, for all. Returns how many existing
    explorers were switched. ``course_lib.presentation(on)`` calls this.
    """
    global _PRESENTATION_ALL
    _PRESENTATION_ALL = bool(on)
    explorers = list(_EXPLORERS)
    for explorer in explorers:
        explorer.presentation = _PRESENTATION_ALL
    return len(explorers)


#: Style sheet that ``presentation=True`` switches on: larger labels, readouts and tables.
PRESENTATION_CSS = """
<style>
.course-presentation .widget-label, .course-presentation .widget-readout,
.course-presentation .widget-dropdown select, .course-presentation button,
.course-presentation .widget-html-content { font-size: 22px !important; }
.course-presentation .widget-label { min-width: 9em; }
.course-presentation .widget-slider { height: 40px; }
.course-presentation .course-slider input[type=range] { width: 230px; height: 30px; }
.course-presentation table.course-numbers td,
.course-presentation table.course-numbers th { font-size: 24px; padding: 4px 14px; }
table.course-numbers { border-collapse: collapse; font-family: monospace; }
table.course-numbers td, table.course-numbers th { padding: 2px 10px; text-align: right; }
table.course-numbers th { text-align: left; font-weight: normal; color: #555; }
</style>
"""


def _fmt(value, digits: int) -> str:
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    value = float(value)
    if math.isnan(value):
        return "nan"
    return f"{value:.{digits}f}"


def numbers_table(values: Mapping, digits: int = 3, labels: Mapping | None = None) -> str:
    """An HTML table of name → number, each cell tagged ``data-name`` so tests can read it.

    ``labels`` maps a name to what the row header shows (HTML allowed), e.g. ``{"w1": "w₁"}``.
    """
    labels = labels or {}
    rows = []
    for name, value in values.items():
        label = labels.get(name, html.escape(str(name)))
        rows.append(
            f'<tr><th>{label}</th><td class="course-value" data-name="{html.escape(str(name))}">'
            f"{_fmt(value, digits)}</td></tr>"
        )
    return '<table class="course-numbers">' + "".join(rows) + "</table>"


class Explorer:
    """Base class of the course's explorers.

    ``set(**values)`` moves controls (checked against their names and ranges) and updates the
    views once; ``values`` is the dict of numbers the explorer shows; ``presentation`` toggles
    large fonts; ``scene(name)`` sets a named scene (``SCENES``). Displaying the object in a
    notebook displays ``widget`` plus a static picture of its state (``_repr_mimebundle_``).
    """

    #: Font scale of figures in presentation mode.
    presentation_scale = 1.6
    #: The documented starting values of the controls a scene starts from (name → value).
    DEFAULTS: dict = {}
    #: Named scenes: name → the settings that differ from ``DEFAULTS``.
    SCENES: dict = {}

    def __init__(self, presentation: bool | None = None):
        self.controls: dict[str, widgets.Widget] = {}
        self.figures: list[PlotView] = []
        self._values: dict = {}
        self._muted = False
        self._presentation = False
        #: The scene last set by ``scene()``; None once a control moved after it.
        self.current_scene: str | None = None
        self._css = widgets.HTML(PRESENTATION_CSS)
        self.widget: widgets.Box = widgets.VBox()
        self._build()
        head = (self._css,)
        if self.SCENES and not hasattr(self, "_buttons"):
            head += (self._scene_row(),)
        self.widget.children = (*head, *self.widget.children)
        self.widget.add_class("course-explorer")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.presentation = bool(presentation) or _PRESENTATION_ALL
        self.update()
        _EXPLORERS.add(self)

    # -- to implement -----------------------------------------------------------------------
    def _build(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _compute(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def _render(self, values: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- public -----------------------------------------------------------------------------
    @property
    def values(self) -> dict:
        """The numbers the explorer shows now (a copy)."""
        return dict(self._values)

    def set(self, **values) -> Explorer:
        """Move controls by name, e.g. ``set(x=1.5, b_f=1.0)``; updates the views once.

        Unknown names and values outside a slider's range raise ``ValueError``.
        """
        for name, value in values.items():
            self._check(name, value)
        self.current_scene = None
        with self.quietly():
            for name, value in values.items():
                self.controls[name].value = value
        self._controls_changed()
        return self

    @contextlib.contextmanager
    def quietly(self):
        """Within this block, moving a control does not refresh the views (they are refreshed
        once afterwards, by whoever moved them); the previous state is restored after it."""
        muted, self._muted = self._muted, True
        try:
            yield
        finally:
            self._muted = muted

    @property
    def presentation(self) -> bool:
        """Large fonts for a projector."""
        return self._presentation

    @presentation.setter
    def presentation(self, on: bool) -> None:
        on = bool(on)
        if on:
            self.widget.add_class("course-presentation")
        else:
            self.widget.remove_class("course-presentation")
        scale = self.presentation_scale if on else 1.0
        for fig in self.figures:
            fig.set_font_scale(scale)
        changed = on != self._presentation
        self._presentation = on
        if changed and self._values:
            self._render(self._values)

    def update(self) -> None:
        """Recompute the values from the controls and refresh every view."""
        self._values = self._compute()
        self._render(self._values)

    # -- scenes -----------------------------------------------------------------------------
    def scene_defaults(self) -> dict:
        """What every scene starts from: ``DEFAULTS`` (subclasses add non-slider settings)."""
        return dict(self.DEFAULTS)

    def scene_settings(self, name: str) -> dict:
        """Every setting of the scene ``name``: ``{**scene_defaults(), **SCENES[name]}``."""
        if name not in self.SCENES:
            raise ValueError(
                f"{type(self).__name__} has no scene {name!r}; its scenes are {list(self.SCENES)}"
            )
        return {**self.scene_defaults(), **self.SCENES[name]}

    def scene(self, name: str) -> Explorer:
        """Set the named scene (see ``SCENES``): every control as the scene documents it."""
        self._apply_scene(self.scene_settings(name))
        self.current_scene = name
        return self

    def _apply_scene(self, settings: dict) -> None:
        self.set(**settings)

    def _scene_row(self) -> widgets.HBox:
        """One button per scene, made once; a click calls ``scene(name)``."""
        self._buttons = []
        for name in self.SCENES:
            button = widgets.Button(description=_(name), layout={"width": "auto"})
            button.add_class("course-scene-button")
            button.on_click(lambda _b, n=name: self.scene(n))
            self._buttons.append(button)
        label = widgets.HTML("<b>{}</b>".format(_("scenes:")))
        return widgets.HBox([label, *self._buttons], layout={"flex_flow": "row wrap"})

    # -- display: the widget view plus a static picture --------------------------------------
    def _repr_mimebundle_(self, include=None, exclude=None):
        """The widget view, a static ``text/html`` picture of the current state (plots, numbers,
        settings) for renderers without a kernel, and a one-line ``text/plain``."""
        data = dict(self.widget._repr_mimebundle_() or {})
        data["text/html"] = self.static_html()
        data["text/plain"] = self._plain()
        return data

    def _plain(self) -> str:
        scene = ""
        if self.current_scene:
            scene = _(", scene {name}").format(name=repr(_(self.current_scene)))
        return "<{cls}{scene}: {what}>".format(
            cls=type(self).__name__, scene=scene, what=_("run the notebook to move its controls")
        )

    def static_html(self) -> str:
        """A picture of the explorer as it is now, in plain HTML + SVG (no script).

        The widget tree is walked once: boxes become flex rows and columns, HTML widgets (plots,
        diagrams, numbers tables) are copied, controls show their description and value, buttons
        are left out. The root is ``div.course-explorer-static`` with ``data-explorer`` (the class)
        and ``data-scene`` (the scene set last, or empty).
        """
        scene = self.current_scene or ""
        title = type(self).__name__
        if scene:
            title += " — " + _("scene “{name}”").format(name=html.escape(_(scene)))
        body = "".join(_static(child) for child in self.widget.children)
        size = ' style="font-size: 150%"' if self.presentation else ""
        return (
            f'<div class="course-explorer-static" data-explorer="{type(self).__name__}" '
            f'data-scene="{html.escape(scene)}"{size}>'
            f'<div style="color:#555; font-size: 90%">{title} '
            + _("(a picture of the saved state; run the notebook to move the controls)")
            + "</div>"
            f"{body}</div>"
        )

    # -- helpers ----------------------------------------------------------------------------
    def _check(self, name, value) -> None:
        if name not in self.controls:
            raise ValueError(
                f"{type(self).__name__} has no control {name!r}; it has {sorted(self.controls)}"
            )
        control = self.controls[name]
        low, high = getattr(control, "min", None), getattr(control, "max", None)
        if low is not None and high is not None and isinstance(value, int | float):
            if not low <= value <= high:
                raise ValueError(f"{name}={value} is outside the slider's range [{low}, {high}]")
        options = getattr(control, "options", None)
        if options is not None and not isinstance(control, widgets.SelectionRangeSlider):
            labels = [o[0] if isinstance(o, tuple) else o for o in options]
            vals = [o[1] if isinstance(o, tuple) else o for o in options]
            if value not in vals:
                raise ValueError(f"{name}={value!r} is not one of {labels}")

    def _on_change(self, change) -> None:
        if self._muted:
            return
        old, new = change.get("old"), change.get("new")
        if isinstance(old, float) and isinstance(new, float):
            if abs(new - old) <= 1e-9 * max(1.0, abs(old)):
                # The browser's slider snaps its value onto min + k·step when it is drawn and
                # sends it back (0.1 -> 0.09999999999999999): nothing was moved, and reacting
                # (e.g. restarting a training) would undo what later cells did.
                return
        self.current_scene = None
        self._controls_changed()

    def _controls_changed(self) -> None:
        """Called once after controls moved (by a person or by ``set``); default: ``update()``."""
        self.update()

    def slider(self, name, value, low, high, step=0.1, description=None, fmt=".2f"):
        """Make a float :class:`~course_lib.widgets.slider.Slider` control called ``name``
        (registered in ``self.controls``)."""
        control = Slider(
            value=value,
            min=low,
            max=high,
            step=step,
            description=description if description is not None else name,
            readout_format=fmt,
        )
        self.controls[name] = control
        return control

    def int_slider(self, name, value, low, high, description=None):
        """Make an integer slider control called ``name`` (registered in ``self.controls``)."""
        control = IntSlider(value=value, min=low, max=high, description=description or name)
        self.controls[name] = control
        return control

    def gate_sliders(self, gates, titles, values, limit: float = 5.0) -> list[widgets.HBox]:
        """One row per gate k: its title, then sliders ``Wx_k``, ``Wh_k``, ``b_k`` in ±limit."""
        rows = []
        for k in gates:
            sliders = [
                self.slider(f"{n}_{k}", values[f"{n}_{k}"], -limit, limit, description=f"{n}_{k}")
                for n in ("Wx", "Wh", "b")
            ]
            head = widgets.HTML(f"<b>{_(titles[k])}</b>", layout={"width": "150px"})
            rows.append(widgets.HBox([head, *sliders]))
        return rows

    def figure(self) -> PlotView:
        """Make a :class:`PlotView` (an HTML widget showing SVG) that presentation mode scales."""
        view = PlotView()
        self.figures.append(view)
        return view


def parse_sequence(sequence, low: float, high: float, max_len: int) -> list[float]:
    """The input sequence of an explorer as a list of floats.

    ``sequence`` is a list/array of numbers or a text such as ``"1, 0.5; -1 2"`` (numbers
    separated by commas, semicolons or spaces; the minus sign "−" is read as "-"). ValueError,
    saying why, if it has no number or more than ``max_len``, is not numeric, or has a value
    that is not finite or is outside [low, high].
    """
    if isinstance(sequence, str):
        parts = [p for p in re.split(r"[,;\s]+", sequence.strip()) if p]
        try:
            values = [float(p.replace("−", "-")) for p in parts]
        except ValueError:
            raise ValueError(
                _("not a list of numbers such as '1, 0.5, -1': {text}").format(text=repr(sequence))
            ) from None
    else:
        try:
            values = [float(v) for v in np.asarray(sequence, dtype=float).ravel()]
        except (TypeError, ValueError):
            raise ValueError(
                _("not a list of numbers: {value}").format(value=repr(sequence))
            ) from None
    if not values:
        raise ValueError(
            _("the sequence is empty: type 1 to {n} numbers separated by commas").format(n=max_len)
        )
    if len(values) > max_len:
        raise ValueError(
            _("the sequence has {count} numbers; expected 1 to {n}").format(
                count=len(values), n=max_len
            )
        )
    for v in values:
        if not math.isfinite(v) or not low <= v <= high:
            raise ValueError(
                _("{value} is outside the input range [{low}, {high}]").format(
                    value=v, low=low, high=high
                )
            )
    return values


def _control_value(widget) -> str:
    value = widget.value
    if isinstance(widget, widgets.ToggleButtons | widgets.Dropdown):
        return str(widget.label)
    if isinstance(widget, Slider):
        try:
            return format(value, widget.readout_format)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _static(widget) -> str:
    """Static HTML of one widget of an explorer's tree (see ``Explorer.static_html``)."""
    if isinstance(widget, widgets.Button):
        return ""
    if isinstance(widget, widgets.Box):
        kids = widget.children
        if any(isinstance(k, widgets.Button) for k in kids) and all(
            isinstance(k, widgets.Button)
            or (isinstance(k, widgets.HTML) and "<svg" not in k.value and "<table" not in k.value)
            for k in kids
        ):
            return ""  # a row of buttons and their label: nothing to click on a static page
        inner = "".join(_static(child) for child in kids)
        if not inner:
            return ""
        direction = "row" if isinstance(widget, widgets.HBox) else "column"
        return (
            f'<div style="display:flex; flex-direction:{direction}; flex-wrap:wrap; '
            f'gap:4px 14px; align-items:flex-start">{inner}</div>'
        )
    if isinstance(widget, widgets.HTML):
        return f"<div>{widget.value}</div>" if widget.value else ""
    if isinstance(widget, widgets.ValueWidget | Slider):
        label = html.escape(str(getattr(widget, "description", "") or ""))
        value = html.escape(_control_value(widget))
        return (
            f'<div class="course-control" style="font-family:monospace">{label} = '
            f"<b>{value}</b></div>"
        )
    return ""
