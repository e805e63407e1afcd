"""AttentionExplorer: its numbers against attention written out by hand (dot products, softmax,
weighted sum over the encoder states computed with math.tanh), its controls and scenes, what the
plots draw, presentation mode, and that an event replaces widget values, not widgets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib.widgets.attention import DEFAULT_ENCODER, DEFAULT_SEQUENCE, AttentionExplorer


def _states_by_hand(xs, p):
    h, out = [0.0, 0.0], []
    for x in xs:
        h = [
            math.tanh(x * p["Wx"][0][k] + h[0] * p["Wh"][0][k] + h[1] * p["Wh"][1][k] + p["b"][k])
            for k in range(2)
        ]
        out.append(h)
    return out


def _attend_by_hand(q, keys, s):
    scores = [s * (q[0] * k[0] + q[1] * k[1]) for k in keys]
    e = [math.exp(v) for v in scores]
    w = [v / sum(e) for v in e]
    ctx = [sum(w[j] * keys[j][m] for j in range(len(keys))) for m in range(2)]
    return scores, w, ctx


@pytest.fixture(scope="module")
def ex():
    return AttentionExplorer()


def test_keys_are_the_encoder_states(ex):
    want = _states_by_hand(DEFAULT_SEQUENCE, {k: v.tolist() for k, v in DEFAULT_ENCODER.items()})
    np.testing.assert_allclose(ex.values["keys"], want, rtol=1e-13)
    assert sorted(ex.controls) == ["mode", "q1", "q2", "query_pos", "scale"]


@pytest.mark.parametrize("pos,s", [(1, 1.0), (4, 3.0), (8, 0.5), (6, 10.0)])
def test_state_query_follows_the_equations(ex, pos, s):
    v = ex.set(mode="state", query_pos=pos, scale=s).values
    keys = v["keys"]
    scores, w, ctx = _attend_by_hand(keys[pos - 1], keys, s)
    assert v["query"] == pytest.approx(keys[pos - 1], abs=1e-15)
    assert v["scores"] == pytest.approx(scores, abs=1e-12)
    assert v["weights"] == pytest.approx(w, abs=1e-12)
    assert v["context"] == pytest.approx(ctx, abs=1e-12)
    assert v["argmax"] == 1 + int(np.argmax(w))
    assert all(type(x) is float for x in v["weights"] + v["context"])


def test_free_query_and_the_scale_limits(ex):
    v = ex.set(mode="free", q1=-2.5, q2=1.5, scale=2.0).values
    scores, w, ctx = _attend_by_hand([-2.5, 1.5], v["keys"], 2.0)
    assert v["weights"] == pytest.approx(w, abs=1e-12)
    v = ex.set(scale=0.0).values  # s = 0: equal weights, context = mean of the states
    assert v["weights"] == pytest.approx([1 / 8] * 8, abs=1e-15)
    assert v["context"] == pytest.approx(np.mean(v["keys"], axis=0).tolist(), abs=1e-12)
    v = ex.set(scale=10.0, q1=3.0, q2=3.0).values  # sharp: nearly all weight on the best key
    best = int(np.argmax([k[0] + k[1] for k in v["keys"]]))
    assert v["argmax"] == best + 1 and max(v["weights"]) > 0.95


def test_plots_draw_the_values(ex):
    v = ex.set(mode="state", query_pos=3, scale=4.0).values
    _, heights = ex.bars.series("weights")
    assert list(heights) == pytest.approx(v["weights"])
    x, y = ex.plane.series("keys")
    np.testing.assert_allclose(np.column_stack([x, y]), v["keys"])
    x0, y0, x1, y1 = np.ravel(ex.plane.series("query")[0])
    assert (x0, y0) == (0.0, 0.0) and [x1, y1] == pytest.approx(v["query"])
    assert ex.plane.series("context")[0][0] == pytest.approx(v["context"][0])
    assert "score → α₃" in ex.numbers.value and f"{v['weights'][2]:.3f}" in ex.numbers.value
    assert "weights αⱼ of h₃" in ex.bars.widget.value


def test_scenes(ex):
    ex.scene("equal weights (s = 0)")
    assert ex.values["weights"] == pytest.approx([1 / 8] * 8)
    ex.scene("sharp (s = 8)")
    assert max(ex.values["weights"]) > max(ex.scene("last state looks back").values["weights"])
    with pytest.raises(ValueError, match="unknown scene"):
        ex.scene("nope")
    ex._buttons[0].click()  # the buttons run the same scenes
    assert ex.values["scale"] == 0.0


def test_events_update_in_place_and_presentation(ex):
    children = ex.widget.children
    renders = ex.bars.renders
    ex.set(scale=1.3)
    ex.controls["query_pos"].value = 2  # as a person would move it
    assert ex.values["query_pos"] == 2 and ex.bars.renders == renders + 2
    assert ex.widget.children is children or ex.widget.children == children
    ex.presentation = True
    assert 'data-font-scale="1.6"' in ex.plane.widget.value
    assert "course-presentation" in ex.widget._dom_classes
    ex.presentation = False
    assert 'data-font-scale="1"' in ex.plane.widget.value


def test_bad_settings():
    ex = AttentionExplorer(sequence=[0.5, -0.5, 1.0])
    assert ex.controls["query_pos"].max == 3 and ex.values["query_pos"] == 3
    with pytest.raises(ValueError, match="outside the slider's range"):
        ex.set(scale=11.0)
    with pytest.raises(ValueError, match="no control"):
        ex.set(temperature=1.0)
    with pytest.raises(ValueError, match="2 to 16"):
        AttentionExplorer(sequence=[1.0])
    with pytest.raises(ValueError, match="two units"):
        AttentionExplorer(params={"Wx": np.ones((1, 3)), "Wh": np.ones((3, 3)), "b": np.ones(3)})
