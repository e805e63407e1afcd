"""course_lib.attention: dot-product attention against closed forms (two keys, equal keys, the
limits of the scale), a plain-Python loop, keras.layers.Attention (dot score, with and without
its scale, causal mask) and keras.ops.dot_product_attention (the scaled form)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import attention, cells

keras = pytest.importorskip("keras")


def _loop_attention(q, K, V, s):
    """One query, written out with math: scores, softmax, weighted sum."""
    scores = [s * sum(a * b for a, b in zip(q, k, strict=True)) for k in K]
    top = max(scores)
    e = [math.exp(v - top) for v in scores]
    w = [v / sum(e) for v in e]
    ctx = [sum(w[j] * V[j][m] for j in range(len(V))) for m in range(len(V[0]))]
    return ctx, w


def test_softmax_closed_forms():
    s = np.array([[0.3, -1.2], [5.0, 5.0]])
    p = attention.softmax(s)
    # two entries: the first weight is the sigmoid of the difference
    assert p[0, 0] == pytest.approx(1 / (1 + math.exp(-(0.3 + 1.2))), abs=1e-15)
    np.testing.assert_allclose(p[1], [0.5, 0.5])
    np.testing.assert_allclose(attention.softmax(s + 1000.0), p)  # shift-invariant, no overflow
    assert attention.softmax(np.array([1.0, -np.inf]))[1] == 0.0
    with pytest.raises(ValueError, match="masked"):
        attention.softmax(np.array([-np.inf, -np.inf]))


def test_two_keys_closed_form():
    q = np.array([0.5, -1.0, 2.0])
    K = np.array([[1.0, 0.0, 0.5], [-0.5, 1.0, 1.0]])
    V = np.array([[1.0, 2.0], [-3.0, 4.0]])
    for s in (None, 0.7, "sqrt"):
        factor = {None: 1.0, 0.7: 0.7, "sqrt": 1 / math.sqrt(3)}[s]
        w1 = 1 / (1 + math.exp(-factor * (q @ K[0] - q @ K[1])))
        ctx, w = attention.dot_product_attention(q, K, V, scale=s)
        assert w.shape == (2,) and ctx.shape == (2,)
        np.testing.assert_allclose(w, [w1, 1 - w1], rtol=1e-13)
        np.testing.assert_allclose(ctx, w1 * V[0] + (1 - w1) * V[1], rtol=1e-13)


def test_equal_keys_and_the_limits_of_the_scale():
    rng = np.random.default_rng(3)
    K = np.tile(rng.normal(size=(1, 4)), (6, 1))
    ctx, w = attention.dot_product_attention(rng.normal(size=4), K)
    np.testing.assert_allclose(w, np.full(6, 1 / 6))  # equal keys: equal weights
    np.testing.assert_allclose(ctx, K[0])
    K = rng.normal(size=(6, 4))
    q = rng.normal(size=4)
    ctx, w = attention.dot_product_attention(q, K, scale=0.0)  # s = 0: the plain average
    np.testing.assert_allclose(ctx, K.mean(axis=0))
    _, w = attention.dot_product_attention(q, K, scale=200.0)  # s → ∞: the best key only
    assert np.argmax(w) == np.argmax(K @ q) and w.max() > 0.999


def test_against_a_plain_python_loop():
    rng = np.random.default_rng(0)
    Q, K, V = rng.normal(size=(3, 5)), rng.normal(size=(7, 5)), rng.normal(size=(7, 2))
    ctx, w = attention.dot_product_attention(Q, K, V, scale=0.6)
    assert ctx.shape == (3, 2) and w.shape == (3, 7)
    for i in range(3):
        c_loop, w_loop = _loop_attention(Q[i], K.tolist(), V.tolist(), 0.6)
        np.testing.assert_allclose(w[i], w_loop, rtol=1e-12)
        np.testing.assert_allclose(ctx[i], c_loop, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("use_scale", [False, True])
@pytest.mark.parametrize("causal", [False, True])
def test_against_keras_attention(use_scale, causal):
    rng = np.random.default_rng(1)
    Q = rng.normal(size=(4, 5, 3)).astype("float32")
    V = rng.normal(size=(4, 5, 3)).astype("float32")
    K = rng.normal(size=(4, 5, 3)).astype("float32")
    layer = keras.layers.Attention(use_scale=use_scale, score_mode="dot")
    layer.build([Q.shape, V.shape, K.shape])
    s = None
    if use_scale:  # Keras' scale is a learned number; give it the transformer's 1/√d
        layer.scale.assign(1 / math.sqrt(3))
        s = "sqrt"
    out, scores = layer([Q, V, K], return_attention_scores=True, use_causal_mask=causal)
    mask = attention.causal_mask(5) if causal else None
    ctx, w = attention.dot_product_attention(Q, K, V, scale=s, mask=mask)
    np.testing.assert_allclose(np.asarray(scores), w, atol=1e-6)
    np.testing.assert_allclose(np.asarray(out), ctx, atol=1e-5)
    if causal:
        assert np.all(w[:, np.triu_indices(5, 1)[0], np.triu_indices(5, 1)[1]] == 0)


def test_scaled_form_against_keras_ops():
    rng = np.random.default_rng(2)
    Q, K, V = (rng.normal(size=(2, 6, 8)).astype("float32") for _ in range(3))
    # keras.ops wants (batch, time, heads, d) and divides by √d by default
    want = keras.ops.dot_product_attention(Q[:, :, None], K[:, :, None], V[:, :, None])
    ctx, _ = attention.scaled_dot_product_attention(Q, K, V)
    np.testing.assert_allclose(np.asarray(want)[:, :, 0], ctx, atol=1e-5)


def test_self_attention_rows_and_causality():
    H = np.random.default_rng(4).normal(size=(5, 2))
    ctx, w = attention.self_attention(H, causal=True)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    assert w[0, 0] == 1.0 and np.all(np.triu(w, 1) == 0)  # position 1 sees only itself
    np.testing.assert_allclose(ctx[0], H[0])


def test_encoder_states_follow_the_recurrence_by_hand():
    params = cells.init_params("rnn", 1, 2, seed=5)
    x = [0.5, -1.0, 2.0]
    H = attention.encoder_states(np.array(x)[:, None], params)
    h = np.zeros(2)
    for t, xt in enumerate(x):
        h = np.array(
            [
                math.tanh(
                    xt * params["Wx"][0, k]
                    + sum(h[m] * params["Wh"][m, k] for m in range(2))
                    + params["b"][k]
                )
                for k in range(2)
            ]
        )
        np.testing.assert_allclose(H[t], h, rtol=1e-13)
    assert attention.encoder_states(np.array(x)[None, :, None], params).shape == (1, 3, 2)


def test_path_lengths_and_errors():
    p = attention.path_lengths(4)
    assert p == {"rnn": [3, 2, 1, 0], "attention": [1, 1, 1, 1]}
    with pytest.raises(ValueError, match="T must be"):
        attention.path_lengths(0)
    with pytest.raises(ValueError, match="same length d"):
        attention.attention_scores(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="one row per position"):
        attention.dot_product_attention(np.ones(3), np.ones((4, 3)), np.ones((5, 3)))
    with pytest.raises(ValueError, match="shape"):
        attention.attention_scores(np.ones((1, 1, 1, 3)), np.ones((2, 3)))


def test_memory_numbers():
    assert attention.memory_numbers(1000, 16) == {
        "rnn": 16,
        "attention": 16_000,
        "self_attention_scores": 1_000_000,
    }
    with pytest.raises(ValueError, match="must be >= 1"):
        attention.memory_numbers(0, 3)
