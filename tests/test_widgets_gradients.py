"""VanishingGradientExplorer and ClippingExplorer: numbers against independent plain-Python
references (a derivative chain written out here, the clipping formulas), controls, in-place
figures, presentation mode and every slider extreme."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

from course_lib import bptt
from course_lib.widgets.gradients import ClippingExplorer, VanishingGradientExplorer

_ACT = {
    "linear": (lambda a: a, lambda a: 1.0),
    "tanh": (math.tanh, lambda a: 1.0 - math.tanh(a) ** 2),
    "sigmoid": (
        lambda a: 1.0 / (1.0 + math.exp(-a)),
        lambda a: math.exp(-a) / (1.0 + math.exp(-a)) ** 2,
    ),
    "relu": (lambda a: max(a, 0.0), lambda a: 1.0 if a > 0 else 0.0),
}


def _expected_grads(w, steps, activation, u=1.0, x=0.1):
    """|∂h_T/∂h_{T−k}| = Π over the last k steps of |w·φ′(a_t)|, by a plain loop."""
    phi, dphi = _ACT[activation]
    h, pre = 0.0, []
    for _ in range(steps):
        a = w * h + u * x
        pre.append(a)
        h = phi(a)
    out, prod = [1.0], 1.0
    for a in reversed(pre):
        prod *= abs(w * dphi(a))
        out.append(prod)
    return out


# --------------------------------------------------------------------------------------------
# VanishingGradientExplorer
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["linear", "tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("w", [-1.2, 0.5, 0.95, 1.6])
def test_grad_norms_equal_a_plain_derivative_chain(activation, w):
    e = VanishingGradientExplorer().set(w=w, steps=25, activation=activation)
    v = e.values
    assert len(v["grad_norms"]) == 26
    np.testing.assert_allclose(
        v["grad_norms"], _expected_grads(w, 25, activation), rtol=1e-12, atol=1e-300
    )
    np.testing.assert_allclose(v["trend"], [abs(w) ** k for k in range(26)], rtol=1e-12)
    top = {"sigmoid": 0.25}.get(activation, 1.0)
    np.testing.assert_allclose(v["bound"], [(abs(w) * top) ** k for k in range(26)], rtol=1e-12)
    assert all(g <= b * (1 + 1e-12) for g, b in zip(v["grad_norms"], v["bound"], strict=True))
    assert isinstance(v["grad_norms"], list) and all(type(g) is float for g in v["grad_norms"])
    assert v["steps"] == 25 and type(v["steps"]) is int and v["activation"] == activation


def test_linear_unit_is_exactly_the_power_law():
    v = VanishingGradientExplorer().set(w=0.8, steps=40, activation="linear").values
    assert v["grad_norms"] == pytest.approx([0.8**k for k in range(41)], rel=1e-12)


def test_relu_explodes_the_activations_not_just_the_gradient():
    v = VanishingGradientExplorer().set(w=1.5, steps=40, activation="relu").values
    assert v["h"][-1] > 1e5  # h_t ≈ 0.1·(1.5^t − 1)/0.5 grows without bound
    assert v["grad_norms"][-1] == pytest.approx(1.5**40, rel=1e-12)
    t = VanishingGradientExplorer().set(w=1.5, steps=40, activation="tanh").values
    assert max(abs(h) for h in t["h"]) < 1.0 and t["grad_norms"][-1] < 1.0  # tanh saturates


def test_table_shows_scientific_numbers():
    e = VanishingGradientExplorer().set(w=0.5, steps=10, activation="linear")
    assert f'data-name="grad_T">{0.5**10:.3e}<' in e._table.value
    assert 'data-name="activation">linear<' in e._table.value


def test_vanishing_controls_are_checked():
    e = VanishingGradientExplorer()
    with pytest.raises(ValueError, match="not one of"):
        e.set(activation="softplus")
    with pytest.raises(ValueError, match="outside the slider's range"):
        e.set(steps=61)
    with pytest.raises(ValueError, match="outside the slider's range"):
        e.set(w=-3.05)


def test_vanishing_every_extreme_is_finite_and_silent():
    e = VanishingGradientExplorer()
    ws = (-3.0, -0.05, 0.0, 0.05, 1.0, 3.0)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for act, w, steps in itertools.product(_ACT, ws, (1, 60)):
            v = e.set(w=w, steps=steps, activation=act).values
            for key in ("grad_norms", "trend", "bound", "h"):
                assert all(math.isfinite(x) for x in v[key]), (act, w, steps, key)
            assert all(g >= 0.0 for g in v["grad_norms"])
            expect = _expected_grads(w, steps, act)
            np.testing.assert_allclose(v["grad_norms"], expect, rtol=1e-10, atol=1e-300)


def test_vanishing_plot_in_place_and_log_floor():
    e = VanishingGradientExplorer()
    image, renders = e.view.widget, e.view.renders
    e.set(w=0.0, steps=10, activation="tanh")  # exact zeros: drawn at the display floor
    assert e.view.widget is image and e.view.renders == renders + 1
    assert e.values["grad_norms"][1:] == [0.0] * 10
    ax = e.view.plot.axes_list[0]
    k, y = e.view.series("grad")
    assert k == [float(i) for i in range(11)]
    assert y[0] == 1.0 and all(v == ax.ylim[0] for v in y[1:])  # the zeros, on the bottom edge
    assert ax.ylog and ax.ylim[0] >= bptt.DISPLAY_FLOOR and ax.ylim[0] > 0
    assert "10⁰" in image.value  # log ticks are powers of ten
    e.controls["steps"].value = 12
    assert e.view.renders == renders + 2 and len(e.view.series("grad")[0]) == 13
    e.set(w=1.5, activation="linear")  # no zeros: the drawn curve is the gradient itself
    assert e.view.series("grad")[1] == pytest.approx([1.5**k for k in range(13)], rel=1e-12)
    assert e.view.series("h", axes=1)[1] == e.values["h"]


def test_vanishing_presentation_mode():
    e = VanishingGradientExplorer()
    width = e.view.plot.width
    assert f'width="{width}"' in e.view.widget.value
    e.presentation = True
    assert "course-presentation" in e.widget._dom_classes
    assert f'width="{round(width * 1.6)}"' in e.view.widget.value
    e.presentation = False
    assert "course-presentation" not in e.widget._dom_classes
    assert f'width="{width}"' in e.view.widget.value


# --------------------------------------------------------------------------------------------
# ClippingExplorer
# --------------------------------------------------------------------------------------------


def _expected_clips(gx, gy, c):
    by_value = (min(max(gx, -c), c), min(max(gy, -c), c))
    norm = math.hypot(gx, gy)
    s = 1.0 if norm <= c else c / norm
    return by_value, (gx * s, gy * s), norm


@pytest.mark.parametrize(
    "gx,gy,c", [(3.0, 1.0, 2.0), (-4.5, 0.3, 1.0), (0.5, -0.2, 2.0), (5.0, -5.0, 0.1)]
)
def test_clipping_values(gx, gy, c):
    v = ClippingExplorer().set(gx=gx, gy=gy, threshold=c).values
    by_value, by_norm, norm = _expected_clips(gx, gy, c)
    assert v["by_value"] == pytest.approx(by_value, rel=1e-14)
    assert v["by_norm"] == pytest.approx(by_norm, rel=1e-14)
    assert isinstance(v["by_value"], tuple) and isinstance(v["by_norm"], tuple)
    assert all(type(x) is float for x in v["by_value"] + v["by_norm"])
    assert v["norm"] == pytest.approx(norm, rel=1e-14)
    assert math.hypot(*v["by_norm"]) <= c * (1 + 1e-12)
    assert v["angle_by_norm"] == pytest.approx(0.0, abs=1e-6)  # clipping by norm keeps direction
    turned = math.degrees(
        abs(math.atan2(by_value[1], by_value[0]) - math.atan2(gy, gx)) % (2 * math.pi)
    )
    assert v["angle_by_value"] == pytest.approx(min(turned, 360 - turned), abs=1e-9)


def test_clipping_by_value_turns_the_gradient():
    v = ClippingExplorer().set(gx=4.0, gy=1.0, threshold=1.0).values
    assert v["by_value"] == (1.0, 1.0)
    assert v["angle_by_value"] == pytest.approx(45.0 - math.degrees(math.atan2(1.0, 4.0)))


def test_clipping_every_extreme_is_finite_and_silent():
    e = ClippingExplorer()
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for gx, gy, c in itertools.product((-5.0, 0.0, 5.0), (-5.0, 0.0, 5.0), (0.1, 5.0)):
            v = e.set(gx=gx, gy=gy, threshold=c).values
            by_value, by_norm, norm = _expected_clips(gx, gy, c)
            assert v["by_value"] == pytest.approx(by_value, abs=1e-15)
            assert v["by_norm"] == pytest.approx(by_norm, abs=1e-15)
            assert all(math.isfinite(x) for x in v["by_value"] + v["by_norm"])
            assert math.isfinite(v["angle_by_value"]) and math.isfinite(v["angle_by_norm"])
    v = e.set(gx=0.0, gy=0.0, threshold=1.0).values
    assert v["by_norm"] == (0.0, 0.0) and v["norm"] == 0.0


def test_clipping_plot_in_place_and_presentation():
    e = ClippingExplorer()
    image, renders = e.view.widget, e.view.renders
    e.set(gx=-2.0, gy=4.0, threshold=1.5)
    assert e.view.widget is image and e.view.renders == renders + 1
    assert e.view.series("circle") == ([0.0, 0.0, 1.5],)
    assert e.view.series("square") == ([-1.5, -1.5, 3.0, 3.0],)
    assert e.view.series("g") == ([0.0, 0.0, -2.0, 4.0],)
    by_value, by_norm, _ = _expected_clips(-2.0, 4.0, 1.5)
    assert e.view.series("by_value")[0][2:] == pytest.approx(by_value, rel=1e-14)
    assert e.view.series("by_norm")[0][2:] == pytest.approx(by_norm, rel=1e-14)
    assert 'data-name="by_value_x">-1.500<' in e._table.value
    e.presentation = True
    assert "course-presentation" in e.widget._dom_classes and e.view.font_scale == 1.6
    e.presentation = False
    assert e.view.font_scale == 1.0
    with pytest.raises(ValueError, match="outside the slider's range"):
        e.set(threshold=0.0)
