"""Explorers of lessons 01-02, headless: PerceptronTrainer against a plain-Python perceptron rule,
ActivationExplorer against closed forms, HiddenUnitsExplorer's MSE recomputed here; controls,
errors, plots updated in place (SVG in the same HTML widget, drawing what the numbers say),
presentation mode."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

from course_lib import learning
from course_lib.widgets.mlp import TARGETS, ActivationExplorer, HiddenUnitsExplorer
from course_lib.widgets.perceptron import DATASETS, PerceptronTrainer

INPUTS = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
TRUTH = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0], "NAND": [1, 1, 1, 0]}


def _step(a: float) -> int:
    # a sum within 1e-9 of 0 is 0, as the same calculation by hand gives (0.1 + 0.1 - 0.2)
    return 1 if a >= -1e-9 else 0


def _count_errors(w1, w2, b, X, t) -> int:
    return sum(int(_step(w1 * x[0] + w2 * x[1] + b) != int(tt)) for x, tt in zip(X, t, strict=True))


def _rule(w, b, x, target, lr):
    """The perceptron rule for one example, in plain Python."""
    o = _step(w[0] * x[0] + w[1] * x[1] + b)
    d = lr * (target - o)
    return [w[0] + d * x[0], w[1] + d * x[1]], b + d


def _hand_epochs(X, t, lr, epochs, w=(0.0, 0.0), b=0.0):
    w, b = list(w), float(b)
    for _ in range(epochs):
        for x, target in zip(X, t, strict=True):
            w, b = _rule(w, b, x, float(target), lr)
    return w, b


def _svg_size(svg: str) -> tuple[float, float]:
    m = re.match(r'<svg [^>]*width="([\d.]+)" height="([\d.]+)"', svg)
    assert m, svg[:200]
    return float(m.group(1)), float(m.group(2))


def _wb(trainer):
    v = trainer.values
    return [v["w1"], v["w2"]], v["b"]


# --------------------------------------------------------------------------------------------
# PerceptronTrainer
# --------------------------------------------------------------------------------------------


def test_set_restarts_training():
    trainer = PerceptronTrainer(gate="OR", lr=0.5)
    trainer.epoch()
    trainer.step()
    v = trainer.values
    assert (v["epochs"], v["updates"]) == (1, 5) and (v["w1"], v["w2"], v["b"]) != (0, 0, 0)
    trainer.set(gate="AND", lr=0.1)
    v = trainer.values
    assert (v["gate"], v["lr"]) == ("AND", 0.1)
    assert (v["w1"], v["w2"], v["b"]) == (0.0, 0.0, 0.0)
    assert (v["epochs"], v["updates"], v["history"]) == (0, 0, [])
    # w = 0, b = 0 says 1 everywhere (step(0) = 1): AND has 3 errors
    assert v["errors"] == 3 == _count_errors(0, 0, 0, INPUTS, TRUTH["AND"])
    trainer.epoch()
    trainer.set(lr=0.2)  # changing η alone also restarts
    assert trainer.values["epochs"] == 0 and trainer.values["w1"] == 0.0


@pytest.mark.parametrize("gate,lr", [("AND", 0.1), ("XOR", 0.3)])
def test_errors_are_an_independent_recount(gate, lr):
    trainer = PerceptronTrainer(gate=gate, lr=lr)
    X, t = INPUTS, TRUTH[gate]
    for k in range(1, 4):
        trainer.epoch()
        w, b = _wb(trainer)
        v = trainer.values
        assert v["errors"] == _count_errors(w[0], w[1], b, X, t)
        assert v["history"][-1] == v["errors"] and len(v["history"]) == k == v["epochs"]
        w_ref, b_ref = _hand_epochs(X, t, lr, k)
        np.testing.assert_allclose(w + [b], w_ref + [b_ref], atol=1e-12)


def test_and_reaches_zero_errors_and_xor_never_does():
    trainer = PerceptronTrainer(gate="AND", lr=0.1)
    for _ in range(6):
        trainer.epoch()
        if trainer.values["errors"] == 0:
            break
    assert trainer.values["errors"] == 0
    w, b = _wb(trainer)
    assert _count_errors(w[0], w[1], b, INPUTS, TRUTH["AND"]) == 0
    trainer.set(gate="XOR")
    for _ in range(30):
        trainer.epoch()
    history = trainer.values["history"]
    assert len(history) == 30 and min(history) >= 1
    w, b = _wb(trainer)
    assert _count_errors(w[0], w[1], b, INPUTS, TRUTH["XOR"]) >= 1


def test_one_epoch_on_a_point_cloud_equals_the_hand_loop():
    trainer = PerceptronTrainer(gate="cloud", lr=0.37)
    X, t = learning.point_cloud(20, separable=True, seed=0)
    np.testing.assert_array_equal(trainer.X, X)
    trainer.epoch()
    w, b = _wb(trainer)
    w_ref, b_ref = _hand_epochs(X.tolist(), t.tolist(), 0.37, 1)
    np.testing.assert_allclose(w, w_ref, rtol=1e-13, atol=1e-15)
    assert b == pytest.approx(b_ref, rel=1e-13, abs=1e-15)
    assert trainer.values["updates"] == 40
    assert trainer.values["errors"] == _count_errors(w[0], w[1], b, X, t)


def test_step_wraps_around_and_counts_epochs():
    trainer = PerceptronTrainer(gate="OR", lr=0.25)
    X, t = INPUTS, TRUTH["OR"]
    w_ref, b_ref = [0.0, 0.0], 0.0
    for n in range(6):
        trainer.step()
        w_ref, b_ref = _rule(w_ref, b_ref, X[n % 4], t[n % 4], 0.25)
        w, b = _wb(trainer)
        np.testing.assert_allclose(w + [b], w_ref + [b_ref], atol=1e-12)
        v = trainer.values
        assert v["updates"] == n + 1 and v["epochs"] == (n + 1) // 4
        assert len(v["history"]) == v["epochs"]
    w1, b1 = _hand_epochs(X, t, 0.25, 1)
    assert trainer.values["history"] == [_count_errors(w1[0], w1[1], b1, X, t)]
    # epoch() finishes the open pass (examples 2 and 3 of the second epoch)
    trainer.epoch()
    v = trainer.values
    assert (v["updates"], v["epochs"]) == (8, 2)
    w_ref, b_ref = _hand_epochs(X, t, 0.25, 2)
    np.testing.assert_allclose([v["w1"], v["w2"], v["b"]], w_ref + [b_ref], atol=1e-12)


def test_buttons_and_restart():
    trainer = PerceptronTrainer(gate="NAND", lr=0.5)
    trainer.buttons["epoch"].click()
    trainer.buttons["step"].click()
    assert (trainer.values["epochs"], trainer.values["updates"]) == (1, 5)
    trainer.buttons["restart"].click()
    v = trainer.values
    assert (v["epochs"], v["updates"], v["w1"], v["w2"], v["b"]) == (0, 0, 0.0, 0.0, 0.0)
    assert v["gate"] == "NAND" and v["lr"] == 0.5


def test_invalid_controls_raise_and_change_nothing():
    trainer = PerceptronTrainer(gate="AND", lr=0.1)
    trainer.step()
    before = trainer.values
    with pytest.raises(ValueError, match="'XNOR' is not one of"):
        trainer.set(gate="XNOR")
    with pytest.raises(ValueError, match=r"lr=0.0 is outside the slider's range \[0.01, 1.0\]"):
        trainer.set(lr=0.0)
    with pytest.raises(ValueError, match="outside the slider's range"):
        trainer.set(lr=1.5)
    with pytest.raises(ValueError, match="outside the slider's range"):
        trainer.set(gate="OR", lr=2.0)  # nothing moves when one value is bad
    with pytest.raises(ValueError, match="has no control 'eta'"):
        trainer.set(eta=0.1)
    assert trainer.values == before
    assert set(DATASETS) >= set(TRUTH)


def test_plot_is_updated_in_place_and_draws_the_numbers():
    trainer = PerceptronTrainer(gate="AND", lr=0.1)
    image = trainer.view.widget
    renders, svg = trainer.view.renders, image.value
    assert renders >= 1 and svg.startswith("<svg") and "AND: 3 of 4 misclassified" in svg
    trainer.epoch()
    trainer.epoch()
    assert trainer.view.widget is image and image.value != svg
    assert trainer.view.renders == renders + 2
    w, b = _wb(trainer)
    assert w != [0.0, 0.0]
    # the drawn boundary lies on w·x + b = 0, the shaded region is where w·x + b >= 0
    xs, ys = trainer.view.series("line")
    for x, y in zip(xs, ys, strict=True):
        assert w[0] * x + w[1] * y + b == pytest.approx(0.0, abs=1e-9)
    xs, ys = trainer.view.series("region")
    assert len(xs) >= 3
    assert all(w[0] * x + w[1] * y + b >= -1e-9 for x, y in zip(xs, ys, strict=True))
    # the markers are the truth table's points, by target; the error curve is the history
    for target in (0, 1):
        drawn = sorted(zip(*trainer.view.series(f"target{target}"), strict=True))
        want = sorted(p for p, tt in zip(INPUTS, TRUTH["AND"], strict=True) if tt == target)
        assert drawn == want
    assert trainer.view.series("errors", axes=1) == ([1.0, 2.0], trainer.values["history"])
    trainer.set(gate="OR")
    assert trainer.view.widget is image and trainer.view.renders == renders + 3
    assert f'data-name="errors">{trainer.values["errors"]}<' in trainer.numbers.value


def test_presentation_mode_toggles_the_css_class_and_enlarges_the_plot():
    trainer = PerceptronTrainer()
    assert "course-presentation" not in trainer.widget._dom_classes
    width, height = _svg_size(trainer.view.widget.value)
    trainer.presentation = True
    assert trainer.presentation and "course-presentation" in trainer.widget._dom_classes
    big = _svg_size(trainer.view.widget.value)
    assert big == pytest.approx((width * trainer.presentation_scale, height * 1.6), abs=0.5)
    trainer.presentation = False
    assert "course-presentation" not in trainer.widget._dom_classes
    assert _svg_size(trainer.view.widget.value) == (width, height)
    shown = PerceptronTrainer(presentation=True)
    assert "course-presentation" in shown.widget._dom_classes
    assert _svg_size(shown.view.widget.value) == big


# --------------------------------------------------------------------------------------------
# ActivationExplorer
# --------------------------------------------------------------------------------------------


def _closed_form(name, x):
    if name == "step":
        return (1.0 if x >= 0 else 0.0), 0.0
    if name == "sigmoid":
        return 1 / (1 + math.exp(-x)), math.exp(-x) / (1 + math.exp(-x)) ** 2
    if name == "tanh":
        return math.tanh(x), 1 / math.cosh(x) ** 2
    if name == "relu":
        return max(0.0, x), (1.0 if x > 0 else 0.0)
    return x, 1.0


MAX_SLOPE = {"step": 0.0, "sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "linear": 1.0}


def test_activation_explorer_against_closed_forms():
    explorer = ActivationExplorer()
    assert explorer.values["activation"] == "sigmoid" and explorer.values["phi"] == 0.5
    for name in ("step", "sigmoid", "tanh", "relu", "linear"):
        xs = (-6.0, 0.0, 0.7, 6.0) if name in ("step", "relu") else (-6.0, 0.7, 6.0)
        for x in xs:
            v = explorer.set(activation=name, x=x).values
            phi, dphi = _closed_form(name, x)
            assert v["activation"] == name and v["x"] == x
            assert v["phi"] == pytest.approx(phi, rel=1e-13, abs=1e-15), (name, x)
            assert v["dphi"] == pytest.approx(dphi, rel=1e-9, abs=1e-15), (name, x)
            assert v["max_dphi"] == pytest.approx(MAX_SLOPE[name], abs=1e-15), name
    with pytest.raises(ValueError, match="outside the slider's range"):
        explorer.set(x=6.5)
    with pytest.raises(ValueError, match="'elu' is not one of"):
        explorer.set(activation="elu")


def test_activation_explorer_draws_every_activation_at_the_slider_ends():
    explorer = ActivationExplorer(activation="tanh", x=-1.0, presentation=True)
    v = explorer.values
    assert v["phi"] == pytest.approx(math.tanh(-1.0), rel=1e-14)
    assert v["max_dphi"] == 1.0
    assert "course-presentation" in explorer.widget._dom_classes
    image, renders = explorer.view.widget, explorer.view.renders
    names = ("step", "sigmoid", "tanh", "relu", "linear")
    for k, name in enumerate(names):
        x = 6.0 if k % 2 else -6.0
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            v = explorer.set(activation=name, x=x).values
        assert v["phi"] == pytest.approx(_closed_form(name, x)[0], rel=1e-13, abs=1e-15)
        assert f'data-name="phi">{v["phi"]:.3f}<' in explorer.numbers.value
        # the dots sit at (x, φ(x)) and (x, φ′(x)); the curves are φ and φ′ on the grid
        assert explorer.view.series("phi_dot") == ([x], [v["phi"]])
        assert explorer.view.series("dphi_dot", axes=1) == ([x], [v["dphi"]])
        gx, gy = explorer.view.series("phi")
        assert gx[0] == -6.0 and gx[-1] == 6.0
        for xx, yy in list(zip(gx, gy, strict=True))[::40]:
            assert yy == pytest.approx(_closed_form(name, xx)[0], rel=1e-12, abs=1e-15)
    assert explorer.view.widget is image and explorer.view.renders == renders + len(names)


# --------------------------------------------------------------------------------------------
# HiddenUnitsExplorer
# --------------------------------------------------------------------------------------------

X_GRID = np.linspace(0.0, 1.0, 201)
TARGET_FORMS = {
    "bump": lambda x: math.exp(-((x - 0.5) ** 2) / 0.02),
    "sine": lambda x: math.sin(2 * math.pi * x),
    "step up and down": lambda x: 1.0 if 0.3 < x < 0.7 else 0.0,
}


def _mse(values, units):
    total = 0.0
    target = TARGET_FORMS[values["target"]]
    for x in X_GRID:
        y = 0.0
        for j in range(1, units + 1):
            a = values[f"w{j}"] * x + values[f"b{j}"]  # |a| <= 100: math.exp is safe
            y += values[f"v{j}"] / (1 + math.exp(-a))
        total += (y - target(float(x))) ** 2
    return total / len(X_GRID)


def test_hidden_units_mse_recomputed_from_the_sliders():
    explorer = HiddenUnitsExplorer(units=3, target="sine")
    v = explorer.values
    assert v["mse"] == pytest.approx(_mse(v, 3), rel=1e-12)
    assert len(v["output"]) == 201
    explorer.set(w1=10.0, b1=-3.0, v1=2.5, w2=-7.5, target="bump")
    v = explorer.values
    assert (v["w1"], v["b1"], v["v1"], v["w2"], v["target"]) == (10.0, -3.0, 2.5, -7.5, "bump")
    assert v["mse"] == pytest.approx(_mse(v, 3), rel=1e-12)
    out0 = sum(v[f"v{j}"] / (1 + math.exp(-v[f"b{j}"])) for j in (1, 2, 3))  # ŷ(0)
    assert v["output"][0] == pytest.approx(out0, rel=1e-12)
    with pytest.raises(ValueError, match="units must be 1 … 8"):
        HiddenUnitsExplorer(units=9)
    with pytest.raises(ValueError, match="has no control 'w4'"):
        explorer.set(w4=1.0)


def test_hidden_units_sliders_at_their_extremes():
    explorer = HiddenUnitsExplorer(units=2)
    lo = {k: c.min for k, c in explorer.controls.items() if k != "target"}
    hi = {k: c.max for k, c in explorer.controls.items() if k != "target"}
    mixed = {k: (hi[k] if k[0] == "w" else lo[k]) for k in lo}
    alternating = {k: (hi[k] if int(k[1:]) % 2 else lo[k]) for k in lo}
    settings = [
        (lo, "bump"),
        (hi, "sine"),
        (mixed, "step up and down"),
        (alternating, "bump"),
    ]
    for sliders, target in settings:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                v = explorer.set(target=target, **sliders).values
        assert np.all(np.isfinite(v["output"])) and math.isfinite(v["mse"])
        assert v["mse"] == pytest.approx(_mse(v, 2), rel=1e-12)
        for j, row in enumerate(v["contributions"], start=1):  # unit j's v_j·σ(w_j x + b_j)
            want = [v[f"v{j}"] / (1 + math.exp(-(v[f"w{j}"] * x + v[f"b{j}"]))) for x in X_GRID]
            np.testing.assert_allclose(row, want, rtol=1e-12, atol=1e-300)
    assert lo["w1"] == -50.0 and hi["v2"] == 3.0  # the ranges the docstring promises


def test_fit_lowers_the_bump_mse_below_0_01():
    explorer = HiddenUnitsExplorer()  # 4 units, "bump", the default sliders
    assert set(TARGETS) == set(TARGET_FORMS)
    start = explorer.values["mse"]
    image = explorer.view.widget
    explorer.fit()
    v = explorer.values
    assert v["mse"] < 0.01 < start
    assert v["mse"] == pytest.approx(_mse(v, 4), rel=1e-12)
    for name, control in explorer.controls.items():
        if name != "target":
            assert control.min <= v[name] <= control.max
    assert explorer.view.widget is image
    # the red curve is the sum ŷ the MSE was computed from; one dashed curve per unit
    assert explorer.view.series("sum")[1] == pytest.approx(v["output"], rel=1e-15)
    assert [explorer.view.series(f"unit{j}")[1] for j in (1, 2, 3, 4)] == v["contributions"]


def test_a_slider_snapped_by_the_browser_does_not_restart_training():
    # JupyterLab's slider draws 0.1 as min + 9·step = 0.01 + 9·0.01 = 0.09999999999999999 and
    # sends that back; the trainer must keep what it learned (a real move still restarts it)
    trainer = PerceptronTrainer(gate="OR", lr=0.1)
    trainer.epoch()
    trainer.epoch()
    trainer.controls["lr"].value = 0.01 + 9 * 0.01
    assert trainer.values["epochs"] == 2
    trainer.controls["lr"].value = 0.2
    assert trainer.values["epochs"] == 0
