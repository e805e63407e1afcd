"""course_lib.cells against independent references: closed forms written out here, finite
differences, pure-Python loops of the equations, TensorFlow ops, and the Keras layers (Dense,
SimpleRNN, LSTM, GRU) with weights packed by hand in this file (not through keras_bridge)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from course_lib import cells


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator per test: no test's draws depend on which tests ran before it."""
    return np.random.default_rng(20240601)


def _keras():
    return pytest.importorskip("keras")


def _sig(a: float) -> float:
    """Scalar logistic, only used where |a| is small enough for math.exp."""
    return 1.0 / (1.0 + math.exp(-a))


# --------------------------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------------------------

EXTREME = np.array([-1e4, -5000.0, -1000.0, -746.0, -745.0, -700.0, -40.0, -1e-300, 0.0])
EXTREME = np.concatenate([EXTREME, -EXTREME[::-1]])


def test_sigmoid_has_no_overflow_for_huge_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            s = cells.sigmoid(EXTREME)
            d = cells.derivative("sigmoid", EXTREME)
            scalars = [float(cells.sigmoid(x)) for x in (-1e4, 1e4, -800.0, 800.0)]
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(d))
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(np.diff(s) >= 0)  # monotone
    assert s[0] == 0.0 and s[-1] == 1.0
    assert scalars[0] == 0.0 and scalars[1] == 1.0
    assert 0.0 < scalars[2] < 1e-300 or scalars[2] == 0.0
    assert scalars[3] == 1.0
    np.testing.assert_array_equal(d[[0, -1]], [0.0, 0.0])


def test_sigmoid_closed_forms(rng):
    assert float(cells.sigmoid(0.0)) == 0.5
    xs = np.concatenate([np.linspace(-30, 30, 121), rng.normal(scale=8, size=50)])
    ref = np.array([1.0 / (1.0 + math.exp(-x)) for x in xs])  # safe for |x| <= ~700
    np.testing.assert_allclose(cells.sigmoid(xs), ref, rtol=1e-14, atol=0)
    # σ(x) + σ(−x) = 1 and σ(x) = (1 + tanh(x/2)) / 2, over a wide range
    wide = np.linspace(-60, 60, 241)
    np.testing.assert_allclose(cells.sigmoid(wide) + cells.sigmoid(-wide), 1.0, atol=1e-15)
    np.testing.assert_allclose(cells.sigmoid(wide), (1 + np.tanh(wide / 2)) / 2, atol=1e-15)
    # far left tail: σ(x) = e^x / (1 + e^x) ≈ e^x (1 − e^x), relative accuracy kept
    tail = np.array([-50.0, -200.0, -700.0, -740.0])
    ref_tail = np.array([math.exp(x) * (1 - math.exp(x)) for x in tail])
    np.testing.assert_allclose(cells.sigmoid(tail), ref_tail, rtol=1e-12)
    # shapes are kept, lists and scalars accepted
    assert cells.sigmoid(np.zeros((2, 3, 4))).shape == (2, 3, 4)
    np.testing.assert_allclose(cells.sigmoid([0.0, math.log(3.0)]), [0.5, 0.75], rtol=1e-15)


def test_other_activations_closed_forms():
    xs = np.array([-3.0, -0.5, 0.0, 0.25, 2.0])
    np.testing.assert_allclose(
        cells.tanh(xs), [(math.exp(2 * x) - 1) / (math.exp(2 * x) + 1) for x in xs], rtol=1e-14
    )
    np.testing.assert_array_equal(cells.relu(xs), [0.0, 0.0, 0.0, 0.25, 2.0])
    np.testing.assert_array_equal(cells.step(xs), [0.0, 0.0, 1.0, 1.0, 1.0])  # step(0) = 1
    np.testing.assert_array_equal(cells.linear(xs), xs)
    assert set(cells.ACTIVATIONS) == {"step", "sigmoid", "tanh", "relu", "linear"}
    for name, (phi, _) in cells.ACTIVATIONS.items():
        assert phi is getattr(cells, name)


# points away from the kinks of relu and step (at 0)
FD_POINTS = np.array([-4.0, -1.3, -0.2, 0.15, 0.7, 2.6, 5.0])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "step", "linear"])
def test_derivatives_match_central_differences(name):
    phi = cells.ACTIVATIONS[name][0]
    eps = 1e-6
    fd = np.array([(float(phi(x + eps)) - float(phi(x - eps))) / (2 * eps) for x in FD_POINTS])
    np.testing.assert_allclose(cells.derivative(name, FD_POINTS), fd, atol=1e-8)
    assert cells.ACTIVATIONS[name][1] is not None


def test_derivative_closed_forms_and_bounds():
    grid = np.linspace(-6, 6, 1201)  # contains 0
    ds = cells.derivative("sigmoid", grid)
    assert ds.max() == 0.25 and grid[ds.argmax()] == 0.0
    dt = cells.derivative("tanh", grid)
    assert dt.max() == 1.0
    np.testing.assert_allclose(dt, 1 / np.cosh(grid) ** 2, rtol=0, atol=1e-14)
    np.testing.assert_allclose(ds, np.exp(-grid) / (1 + np.exp(-grid)) ** 2, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(cells.derivative("relu", [-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(cells.derivative("step", [-1.0, 3.0]), [0.0, 0.0])
    np.testing.assert_array_equal(cells.derivative("linear", [-1.0, 3.0]), [1.0, 1.0])
    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        cells.derivative("softsign", 0.0)


# --------------------------------------------------------------------------------------------
# Perceptron, dense, MLP
# --------------------------------------------------------------------------------------------


def test_perceptron_hand_computed():
    x = np.array([[1.0, 2.0], [0.0, 0.0], [-1.0, 1.0], [0.5, 0.5]])
    # net = 0.5 x1 − x2 + 0.25: −1.25, 0.25, −1.25, 0.0 (exactly 0: step(0) = 1)
    out = cells.perceptron(x, [0.5, -1.0], 0.25)
    np.testing.assert_array_equal(out, [0.0, 1.0, 0.0, 1.0])
    np.testing.assert_array_equal(cells.perceptron([0.5, 0.5], [1.0, 1.0], -1.0), [1.0])
    # AND with w = (1, 1), b = −1.5, by hand
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    np.testing.assert_array_equal(cells.perceptron(X, [1.0, 1.0], -1.5), [0, 0, 0, 1])
    with pytest.raises(ValueError, match=r"expected \(n_in,\)"):
        cells.perceptron(X, np.ones((2, 1)), 0.0)
    with pytest.raises(ValueError, match=r"expected \(batch, 2\)"):
        cells.perceptron(np.ones((4, 3)), [1.0, 1.0], 0.0)


def test_dense_hand_computed():
    x = np.array([[1.0, -2.0, 0.5]])
    W = np.array([[0.2, -1.0], [0.5, 0.0], [-0.4, 2.0]])
    b = np.array([0.1, -0.3])
    # z = (0.2 − 1.0 − 0.2 + 0.1, −1.0 + 0 + 1.0 − 0.3) = (−0.9, −0.3)
    np.testing.assert_allclose(cells.dense(x, W, b), [[-0.9, -0.3]], atol=1e-15)
    np.testing.assert_allclose(cells.dense(x, W, b, "relu"), [[0.0, 0.0]])
    np.testing.assert_allclose(
        cells.dense(x, W, b, "sigmoid"), [[_sig(-0.9), _sig(-0.3)]], rtol=1e-14
    )
    np.testing.assert_allclose(
        cells.dense(x, W, b, "tanh"), [[math.tanh(-0.9), math.tanh(-0.3)]], rtol=1e-14
    )


def test_dense_bad_input_names_the_shape():
    W = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"b has shape \(3,\); expected \(2,\)"):
        cells.dense(np.zeros((1, 3)), W, np.zeros(3))
    with pytest.raises(ValueError, match=r"x has shape \(4, 2\); expected \(batch, 3\)"):
        cells.dense(np.zeros((4, 2)), W, np.zeros(2))
    with pytest.raises(ValueError, match=r"expected \(n_in, n_out\)"):
        cells.dense(np.zeros((1, 3)), np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="unknown activation"):
        cells.dense(np.zeros((1, 3)), W, np.zeros(2), "swish")


@pytest.mark.parametrize("activation", ["linear", "sigmoid", "tanh", "relu"])
def test_dense_matches_keras_dense(activation):
    keras = _keras()
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 3))
    W, b = rng.normal(size=(3, 4)), rng.normal(size=4)
    layer = keras.layers.Dense(4, activation=activation, dtype="float64")
    layer.build((None, 3))
    layer.set_weights([W, b])
    np.testing.assert_allclose(cells.dense(x, W, b, activation), np.asarray(layer(x)), atol=1e-13)


def test_mlp_forward_xor_by_hand():
    # the classic XOR net: h1 = OR, h2 = AND, out = h1 AND NOT h2
    layers = [
        {
            "W": np.array([[1.0, 1.0], [1.0, 1.0]]),
            "b": np.array([-0.5, -1.5]),
            "activation": "step",
        },
        {"W": np.array([[1.0], [-1.0]]), "b": np.array([-0.5]), "activation": "step"},
    ]
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    np.testing.assert_array_equal(cells.mlp_forward(X, layers), [[0], [1], [1], [0]])
    # a 1-1-1 sigmoid/linear chain, by hand: 2·σ(3·0.5 − 1) − 1
    chain = [
        {"W": np.array([[3.0]]), "b": np.array([-1.0]), "activation": "sigmoid"},
        {"W": np.array([[2.0]]), "b": np.array([-1.0])},  # activation defaults to linear
    ]
    np.testing.assert_allclose(cells.mlp_forward([[0.5]], chain), [[2 * _sig(0.5) - 1]])
    with pytest.raises(ValueError, match="layer 1 is missing key 'b'"):
        cells.mlp_forward(X, [layers[0], {"W": np.ones((2, 1))}])


def test_mlp_forward_matches_keras_sequential():
    keras = _keras()
    rng = np.random.default_rng(4)
    sizes, acts = [3, 5, 4, 2], ["tanh", "relu", "sigmoid"]
    layers = [
        {"W": rng.normal(size=(a, b)), "b": rng.normal(size=b), "activation": act}
        for a, b, act in zip(sizes[:-1], sizes[1:], acts, strict=True)
    ]
    dense_layers = [
        keras.layers.Dense(n, activation=a, dtype="float64")
        for n, a in zip(sizes[1:], acts, strict=True)
    ]
    model = keras.Sequential([keras.Input((3,), dtype="float64"), *dense_layers])
    model.set_weights([arr for layer in layers for arr in (layer["W"], layer["b"])])
    x = rng.normal(size=(6, 3))
    np.testing.assert_allclose(cells.mlp_forward(x, layers), np.asarray(model(x)), atol=1e-13)


# --------------------------------------------------------------------------------------------
# References written out here
# --------------------------------------------------------------------------------------------


def _loop_lstm_step(x, h, c, p, peephole=False, coupled=False):
    """The LSTM equations element by element in plain Python (math.exp / math.tanh)."""
    batch, n_in = x.shape
    n_h = h.shape[1]

    def pre(k, bi, j):
        s = p[f"b_{k}"][j]
        s += sum(x[bi, m] * p[f"Wx_{k}"][m, j] for m in range(n_in))
        s += sum(h[bi, m] * p[f"Wh_{k}"][m, j] for m in range(n_h))
        return s

    out = {k: np.zeros((batch, n_h)) for k in ("h", "c", "f", "i", "o", "g")}
    for bi in range(batch):
        for j in range(n_h):
            cp = c[bi, j]
            f = _sig(pre("f", bi, j) + (p["P_f"][j] * cp if peephole else 0.0))
            if coupled:
                i = 1.0 - f
            else:
                i = _sig(pre("i", bi, j) + (p["P_i"][j] * cp if peephole else 0.0))
            g = math.tanh(pre("g", bi, j))
            c_new = f * cp + i * g
            o = _sig(pre("o", bi, j) + (p["P_o"][j] * c_new if peephole else 0.0))
            for k, v in zip("hcfiog", (o * math.tanh(c_new), c_new, f, i, o, g), strict=True):
                out[k][bi, j] = v
    return out


def _tf_lstm(X, h0, c0, p):
    """Textbook LSTM in TensorFlow ops, gates from W·[h_{t−1}, x_t] + b (weights stacked)."""
    tf = pytest.importorskip("tensorflow")
    W = {k: tf.constant(np.vstack([p[f"Wh_{k}"], p[f"Wx_{k}"]])) for k in "fiog"}
    b = {k: tf.constant(p[f"b_{k}"]) for k in "fiog"}
    h, c = tf.constant(h0), tf.constant(c0)
    hs, cs = [], []
    for t in range(X.shape[1]):
        hx = tf.concat([h, tf.constant(X[:, t, :])], axis=1)
        f = tf.sigmoid(hx @ W["f"] + b["f"])
        i = tf.sigmoid(hx @ W["i"] + b["i"])
        g = tf.tanh(hx @ W["g"] + b["g"])
        o = tf.sigmoid(hx @ W["o"] + b["o"])
        c = f * c + i * g
        h = o * tf.tanh(c)
        hs.append(h.numpy())
        cs.append(c.numpy())
    return np.stack(hs, axis=1), np.stack(cs, axis=1)


def _keras_run(layer, X, state):
    """A Keras recurrent layer's outputs on X from the given initial state (list)."""
    return np.asarray(layer(X, initial_state=state))


# --------------------------------------------------------------------------------------------
# Vanilla RNN
# --------------------------------------------------------------------------------------------


def test_rnn_step_hand_computed_one_unit():
    p = {"Wx": np.array([[0.8, -0.3]]), "Wh": np.array([[0.5, 0.1], [-0.2, 0.9]]), "b": [0.1, 0.0]}
    p = {k: np.asarray(v, dtype=float) for k, v in p.items()}
    h = cells.rnn_step([[2.0]], [[0.5, -1.0]], p)
    # unit 0: 0.8·2 + 0.5·0.5 + (−0.2)(−1) + 0.1 = 2.15; unit 1: −0.6 + 0.05 − 0.9 = −1.45
    np.testing.assert_allclose(h, [[math.tanh(2.15), math.tanh(-1.45)]], rtol=1e-14)
    np.testing.assert_allclose(
        cells.rnn_step([[2.0]], [[0.5, -1.0]], p, activation="relu"), [[2.15, 0.0]], atol=1e-15
    )


@pytest.mark.parametrize("batch,time,n_in,n_h", [(1, 1, 1, 1), (3, 7, 2, 5)])
def test_rnn_matches_keras_simple_rnn(batch, time, n_in, n_h):
    keras = _keras()
    rng = np.random.default_rng(batch * 100 + n_h)
    p = cells.init_params("rnn", n_in, n_h, seed=int(rng.integers(1000)), scale=0.7)
    X = rng.normal(size=(batch, time, n_in))
    h0 = rng.normal(scale=0.5, size=(batch, n_h))
    layer = keras.layers.SimpleRNN(n_h, return_sequences=True, dtype="float64")
    layer.build((None, None, n_in))
    layer.set_weights([p["Wx"], p["Wh"], p["b"]])
    ref = _keras_run(layer, X, [h0])
    H, per_step = cells.run_sequence(cells.rnn_step, X, h0, p)
    np.testing.assert_allclose(H, ref, atol=1e-12)
    assert per_step == {}
    np.testing.assert_allclose(cells.rnn_step(X[:, 0], h0, p), ref[:, 0], atol=1e-12)


def test_rnn_step_bad_input():
    p = cells.init_params("rnn", 3, 4)
    with pytest.raises(ValueError, match=r"x_t has shape \(2, 2\); expected \(batch, 3\)"):
        cells.rnn_step(np.zeros((2, 2)), np.zeros((2, 4)), p)
    with pytest.raises(ValueError, match=r"h_prev has shape \(2, 3\); expected \(batch, 4\)"):
        cells.rnn_step(np.zeros((2, 3)), np.zeros((2, 3)), p)
    with pytest.raises(ValueError, match="missing key 'b'"):
        cells.rnn_step(np.zeros((2, 3)), np.zeros((2, 4)), {k: p[k] for k in ("Wx", "Wh")})
    with pytest.raises(ValueError, match="missing key 'Wx'"):
        cells.rnn_step(np.zeros((2, 3)), np.zeros((2, 4)), {k: p[k] for k in ("Wh", "b")})
    bad = {**p, "Wh": np.zeros((4, 3))}
    with pytest.raises(ValueError, match=r"params\['Wh'\] has shape \(4, 3\); expected \(4, 4\)"):
        cells.rnn_step(np.zeros((2, 3)), np.zeros((2, 4)), bad)
    with pytest.raises(ValueError, match=r"params\['b'\] has shape \(1, 4\); expected \(4,\)"):
        cells.rnn_step(np.zeros((2, 3)), np.zeros((2, 4)), {**p, "b": np.zeros((1, 4))})


# --------------------------------------------------------------------------------------------
# LSTM and its variants
# --------------------------------------------------------------------------------------------


def test_lstm_step_against_plain_python_loop(rng):
    p = cells.init_params("lstm", 3, 2, seed=5, scale=0.8)
    x, h, c = rng.normal(size=(2, 3)), rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    h_t, c_t, gates = cells.lstm_step(x, h, c, p)
    ref = _loop_lstm_step(x, h, c, p)
    np.testing.assert_allclose(h_t, ref["h"], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(c_t, ref["c"], rtol=1e-13, atol=1e-15)
    assert set(gates) == {"f", "i", "o", "g"}
    for k in "fiog":
        np.testing.assert_allclose(gates[k], ref[k], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("batch,time,n_in,n_h", [(1, 1, 1, 1), (4, 9, 3, 6)])
def test_lstm_sequence_against_tensorflow_textbook_lstm(batch, time, n_in, n_h):
    rng = np.random.default_rng(time)
    p = cells.init_params("lstm", n_in, n_h, seed=time, scale=0.7)
    X = rng.normal(size=(batch, time, n_in))
    h0, c0 = rng.normal(size=(batch, n_h)), rng.normal(size=(batch, n_h))
    H_ref, C_ref = _tf_lstm(X, h0, c0, p)
    H, per_step = cells.run_sequence(cells.lstm_step, X, (h0, c0), p)
    np.testing.assert_allclose(H, H_ref, atol=1e-12)
    np.testing.assert_allclose(per_step["c"], C_ref, atol=1e-12)


def test_lstm_matches_keras_lstm_packed_by_hand():
    keras = _keras()
    rng = np.random.default_rng(8)
    n_in, n_h = 2, 3
    p = cells.init_params("lstm", n_in, n_h, seed=8, scale=0.6)
    order = "ifgo"  # Keras: i, f, c (our g), o
    layer = keras.layers.LSTM(n_h, return_sequences=True, dtype="float64")
    layer.build((None, None, n_in))
    layer.set_weights(
        [
            np.hstack([p[f"Wx_{k}"] for k in order]),
            np.hstack([p[f"Wh_{k}"] for k in order]),
            np.concatenate([p[f"b_{k}"] for k in order]),
        ]
    )
    X = rng.normal(size=(3, 6, n_in))
    h0, c0 = rng.normal(size=(3, n_h)), rng.normal(size=(3, n_h))
    H, _ = cells.run_sequence(cells.lstm_step, X, (h0, c0), p)
    np.testing.assert_allclose(H, _keras_run(layer, X, [h0, c0]), atol=1e-12)


def test_lstm_step_bad_input():
    p = cells.init_params("lstm", 2, 3)
    x, h, c = np.zeros((1, 2)), np.zeros((1, 3)), np.zeros((1, 3))
    with pytest.raises(ValueError, match="missing key 'Wh_o'"):
        cells.lstm_step(x, h, c, {k: v for k, v in p.items() if k != "Wh_o"})
    with pytest.raises(ValueError, match="missing key 'Wx_f'"):
        cells.lstm_step(x, h, c, {k: v for k, v in p.items() if k != "Wx_f"})
    with pytest.raises(ValueError, match=r"params\['b_g'\] has shape \(2,\); expected \(3,\)"):
        cells.lstm_step(x, h, c, {**p, "b_g": np.zeros(2)})
    with pytest.raises(ValueError, match=r"c_prev has shape \(1, 2\); expected \(batch, 3\)"):
        cells.lstm_step(x, h, np.zeros((1, 2)), p)
    with pytest.raises(ValueError, match=r"x_t has shape \(1, 5\); expected \(batch, 2\)"):
        cells.lstm_step(np.zeros((1, 5)), h, c, p)
    with pytest.raises(ValueError, match="lstm_step: params"):
        cells.lstm_step(x, h, c, [1, 2, 3])


def test_peephole_with_zero_peepholes_is_the_lstm(rng):
    p = cells.init_params("lstm_peephole", 3, 4, seed=2)
    for k in ("P_f", "P_i", "P_o"):
        p[k] = np.zeros(4)
    X = rng.normal(size=(2, 5, 3))
    state0 = (rng.normal(size=(2, 4)), rng.normal(size=(2, 4)))
    H_p, g_p = cells.run_sequence(cells.lstm_peephole_step, X, state0, p)
    H, g = cells.run_sequence(cells.lstm_step, X, state0, p)
    np.testing.assert_allclose(H_p, H, atol=1e-15)
    for k in "fiogc":
        np.testing.assert_allclose(g_p[k], g[k], atol=1e-15)


def test_peephole_against_plain_python_loop(rng):
    p = cells.init_params("lstm_peephole", 2, 3, seed=6, scale=0.9)
    p["P_f"] = np.array([1.5, -2.0, 0.7])
    p["P_i"] = np.array([-1.0, 0.4, 2.5])
    p["P_o"] = np.array([2.0, -1.5, 3.0])
    x, h, c = rng.normal(size=(2, 2)), rng.normal(size=(2, 3)), 2 * rng.normal(size=(2, 3))
    h_t, c_t, gates = cells.lstm_peephole_step(x, h, c, p)
    ref = _loop_lstm_step(x, h, c, p, peephole=True)
    np.testing.assert_allclose(h_t, ref["h"], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(c_t, ref["c"], rtol=1e-13, atol=1e-15)
    for k in "fiog":
        np.testing.assert_allclose(gates[k], ref[k], rtol=1e-13, atol=1e-15)
    # the output gate peeks at c_t, not at c_{t−1}: the two differ here
    pre_o = x @ p["Wx_o"] + h @ p["Wh_o"] + p["b_o"]
    wrong = 1 / (1 + np.exp(-(pre_o + p["P_o"] * c)))
    assert np.max(np.abs(gates["o"] - wrong)) > 1e-3
    with pytest.raises(ValueError, match="missing key 'P_o'"):
        cells.lstm_peephole_step(x, h, c, {k: v for k, v in p.items() if k != "P_o"})


def test_coupled_gates_hand_computed(rng):
    p = cells.init_params("lstm_coupled", 2, 3, seed=7, scale=0.9)
    assert not any(k.endswith("_i") for k in p)
    x, h, c = rng.normal(size=(4, 2)), rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    h_t, c_t, gates = cells.lstm_coupled_step(x, h, c, p)
    ref = _loop_lstm_step(x, h, c, p, coupled=True)
    np.testing.assert_allclose(gates["i"], 1.0 - gates["f"], atol=0)
    f = 1 / (1 + np.exp(-(x @ p["Wx_f"] + h @ p["Wh_f"] + p["b_f"])))
    g = np.tanh(x @ p["Wx_g"] + h @ p["Wh_g"] + p["b_g"])
    np.testing.assert_allclose(c_t, f * c + (1 - f) * g, rtol=1e-13)
    np.testing.assert_allclose(c_t, ref["c"], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(h_t, ref["h"], rtol=1e-13, atol=1e-15)
    # input-gate weights, if present, are ignored
    with_i = {**p, "Wx_i": np.ones((2, 3)), "Wh_i": np.ones((3, 3)), "b_i": np.ones(3)}
    np.testing.assert_array_equal(cells.lstm_coupled_step(x, h, c, with_i)[0], h_t)
    with pytest.raises(ValueError, match="missing key 'b_g'"):
        cells.lstm_coupled_step(x, h, c, {k: v for k, v in p.items() if k != "b_g"})


# --------------------------------------------------------------------------------------------
# GRU
# --------------------------------------------------------------------------------------------

ONE_UNIT_GRU = {
    "Wx_z": [[0.4]], "Wh_z": [[-0.3]], "b_z": [0.1], "bh_z": [0.2],
    "Wx_r": [[-0.6]], "Wh_r": [[0.8]], "b_r": [0.05], "bh_r": [-0.1],
    "Wx_h": [[1.2]], "Wh_h": [[-0.7]], "b_h": [0.3], "bh_h": [0.25],
}  # fmt: skip
ONE_UNIT_GRU = {k: np.asarray(v, dtype=float) for k, v in ONE_UNIT_GRU.items()}


def test_gru_one_unit_hand_computed():
    p, x, h = ONE_UNIT_GRU, 1.0, 0.5
    # reset_after=True: the recurrent biases bh_* are added, r multiplies (h Wh_h + bh_h)
    z = _sig(0.4 * 1.0 - 0.3 * 0.5 + 0.1 + 0.2)
    r = _sig(-0.6 * 1.0 + 0.8 * 0.5 + 0.05 - 0.1)
    ht = math.tanh(1.2 * 1.0 + 0.3 + r * (-0.7 * 0.5 + 0.25))
    h_t, gates = cells.gru_step([[x]], [[h]], p, reset_after=True)
    np.testing.assert_allclose(h_t, [[z * h + (1 - z) * ht]], rtol=1e-14)
    np.testing.assert_allclose([gates["z"][0, 0], gates["r"][0, 0]], [z, r], rtol=1e-14)
    np.testing.assert_allclose(gates["h_tilde"], [[ht]], rtol=1e-14)
    h_lec, _ = cells.gru_step([[x]], [[h]], p, reset_after=True, convention="lecture")
    np.testing.assert_allclose(h_lec, [[(1 - z) * h + z * ht]], rtol=1e-14)
    # reset_after=False: no bh_*, r multiplies h before the product
    z = _sig(0.4 * 1.0 - 0.3 * 0.5 + 0.1)
    r = _sig(-0.6 * 1.0 + 0.8 * 0.5 + 0.05)
    ht = math.tanh(1.2 * 1.0 + (r * 0.5) * -0.7 + 0.3)
    classic = {k: v for k, v in p.items() if not k.startswith("bh_")}
    h_t, gates = cells.gru_step([[x]], [[h]], classic, reset_after=False)
    np.testing.assert_allclose(h_t, [[z * h + (1 - z) * ht]], rtol=1e-14)
    np.testing.assert_allclose(gates["h_tilde"], [[ht]], rtol=1e-14)
    h_lec, _ = cells.gru_step([[x]], [[h]], classic, reset_after=False, convention="lecture")
    np.testing.assert_allclose(h_lec, [[(1 - z) * h + z * ht]], rtol=1e-14)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_matches_keras_gru_packed_by_hand(reset_after):
    keras = _keras()
    rng = np.random.default_rng(11 + reset_after)
    n_in, n_h, batch, time = 3, 4, 2, 7
    p = cells.init_params("gru" if reset_after else "gru_classic", n_in, n_h, seed=3, scale=0.7)
    order = "zrh"
    bias = np.concatenate([p[f"b_{k}"] for k in order])
    if reset_after:
        bias = np.stack([bias, np.concatenate([p[f"bh_{k}"] for k in order])])
    layer = keras.layers.GRU(n_h, return_sequences=True, reset_after=reset_after, dtype="float64")
    layer.build((None, None, n_in))
    layer.set_weights(
        [
            np.hstack([p[f"Wx_{k}"] for k in order]),
            np.hstack([p[f"Wh_{k}"] for k in order]),
            bias,
        ]
    )
    X = rng.normal(size=(batch, time, n_in))
    h0 = rng.normal(size=(batch, n_h))
    H, per_step = cells.run_sequence(cells.gru_step, X, h0, p, reset_after=reset_after)
    np.testing.assert_allclose(H, _keras_run(layer, X, [h0]), atol=1e-12)
    assert set(per_step) == {"z", "r", "h_tilde"}


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_lecture_convention_is_keras_with_z_negated(reset_after, rng):
    p = cells.init_params("gru" if reset_after else "gru_classic", 3, 5, seed=21, scale=0.8)
    q = dict(p)
    for k in ("Wx_z", "Wh_z", "b_z", "bh_z"):
        if k in q:
            q[k] = -p[k]
    X = rng.normal(size=(3, 6, 3))
    h0 = rng.normal(size=(3, 5))
    H_lec, g_lec = cells.run_sequence(
        cells.gru_step, X, h0, p, reset_after=reset_after, convention="lecture"
    )
    H_ker, g_ker = cells.run_sequence(
        cells.gru_step, X, h0, q, reset_after=reset_after, convention="keras"
    )
    np.testing.assert_allclose(H_lec, H_ker, atol=1e-14)
    np.testing.assert_allclose(g_lec["z"], 1 - g_ker["z"], atol=1e-14)  # σ(−a) = 1 − σ(a)
    # and without negation they differ (the test could fail)
    H_same, _ = cells.run_sequence(
        cells.gru_step, X, h0, p, reset_after=reset_after, convention="keras"
    )
    assert np.max(np.abs(H_same - H_lec)) > 1e-3


def test_gru_step_bad_input():
    p = cells.init_params("gru", 2, 3)
    x, h = np.zeros((1, 2)), np.zeros((1, 3))
    classic = {k: v for k, v in p.items() if not k.startswith("bh_")}
    with pytest.raises(ValueError, match="missing key 'bh_z'"):
        cells.gru_step(x, h, classic, reset_after=True)
    cells.gru_step(x, h, classic, reset_after=False)  # fine without bh_*
    with pytest.raises(ValueError, match="missing key 'bh_h'"):
        cells.gru_step(x, h, {k: v for k, v in p.items() if k != "bh_h"})
    with pytest.raises(ValueError, match=r"params\['Wh_r'\] has shape \(3, 2\); expected \(3, 3\)"):
        cells.gru_step(x, h, {**p, "Wh_r": np.zeros((3, 2))})
    with pytest.raises(ValueError, match=r"h_prev has shape \(1, 4\); expected \(batch, 3\)"):
        cells.gru_step(x, np.zeros((1, 4)), p)
    with pytest.raises(ValueError, match="convention must be 'keras' or 'lecture'"):
        cells.gru_step(x, h, p, convention="cho")


# --------------------------------------------------------------------------------------------
# run_sequence
# --------------------------------------------------------------------------------------------

KINDS = [
    ("rnn", cells.rnn_step, {}, set()),
    ("lstm", cells.lstm_step, {}, {"f", "i", "o", "g", "c"}),
    ("lstm_peephole", cells.lstm_peephole_step, {}, {"f", "i", "o", "g", "c"}),
    ("lstm_coupled", cells.lstm_coupled_step, {}, {"f", "i", "o", "g", "c"}),
    ("gru", cells.gru_step, {}, {"z", "r", "h_tilde"}),
    ("gru_classic", cells.gru_step, {"reset_after": False}, {"z", "r", "h_tilde"}),
]


@pytest.mark.parametrize("kind,step,kw,keys", KINDS, ids=[k[0] for k in KINDS])
def test_run_sequence_shapes_zero_state_and_manual_loop(kind, step, kw, keys, rng):
    batch, time, n_in, n_h = 3, 5, 2, 4
    p = cells.init_params(kind, n_in, n_h, seed=1)
    X = rng.normal(size=(batch, time, n_in))
    H, per_step = cells.run_sequence(step, X, None, p, **kw)
    assert H.shape == (batch, time, n_h)
    assert set(per_step) == keys
    for v in per_step.values():
        assert v.shape == (batch, time, n_h)
    # the default state is zeros, and the steps chain one after another
    two_states = kind.startswith("lstm")
    zeros = np.zeros((batch, n_h))
    state = (zeros, zeros.copy()) if two_states else (zeros,)
    for t in range(time):
        out = step(X[:, t], *state, p, **kw)
        if kind == "rnn":
            state, gates = (out,), {}
        else:
            *state, gates = out
        np.testing.assert_array_equal(H[:, t], state[0])
        if two_states:
            np.testing.assert_array_equal(per_step["c"][:, t], state[1])
        for k, v in gates.items():
            np.testing.assert_array_equal(per_step[k][:, t], v)
    explicit = (zeros, zeros) if two_states else zeros
    np.testing.assert_array_equal(cells.run_sequence(step, X, explicit, p, **kw)[0], H)


def test_run_sequence_lstm_tuple_state(rng):
    p = cells.init_params("lstm", 2, 3, seed=4)
    X = rng.normal(size=(2, 4, 2))
    h0, c0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    H, per_step = cells.run_sequence(cells.lstm_step, X, (h0, c0), p)
    H_list, _ = cells.run_sequence(cells.lstm_step, X, [h0, c0], p)
    np.testing.assert_array_equal(H, H_list)
    h1, c1, _ = cells.lstm_step(X[:, 0], h0, c0, p)
    np.testing.assert_array_equal(H[:, 0], h1)
    np.testing.assert_array_equal(per_step["c"][:, 0], c1)
    # the initial state matters (a non-zero c0 changes the output)
    assert np.max(np.abs(H - cells.run_sequence(cells.lstm_step, X, None, p)[0])) > 1e-3
    with pytest.raises(ValueError, match=r"state0 must be a tuple \(h0, c0\)"):
        cells.run_sequence(cells.lstm_step, X, h0, p)


def test_run_sequence_bad_input_and_empty_time():
    p = cells.init_params("rnn", 2, 3)
    with pytest.raises(ValueError, match=r"X has shape \(4, 2\); expected \(batch, time, n_in\)"):
        cells.run_sequence(cells.rnn_step, np.zeros((4, 2)), None, p)
    with pytest.raises(ValueError, match=r"expected \(batch, time, n_in\)"):
        cells.run_sequence(cells.rnn_step, np.zeros((1, 4, 2, 1)), None, p)
    with pytest.raises(ValueError, match=r"x_t has shape \(1, 5\); expected \(batch, 2\)"):
        cells.run_sequence(cells.rnn_step, np.zeros((1, 4, 5)), None, p)
    with pytest.raises(ValueError, match="cannot tell the hidden size"):
        cells.run_sequence(cells.rnn_step, np.zeros((1, 4, 2)), None, {"Wx": p["Wx"]})
    H, per_step = cells.run_sequence(cells.rnn_step, np.zeros((2, 0, 2)), None, p)
    assert H.shape == (2, 0, 3) and per_step == {}


# --------------------------------------------------------------------------------------------
# init_params, param_count
# --------------------------------------------------------------------------------------------


def test_init_params_shapes_and_seed():
    p = cells.init_params("lstm_peephole", 3, 5, seed=9)
    assert p["Wx_f"].shape == (3, 5) and p["Wh_o"].shape == (5, 5) and p["P_i"].shape == (5,)
    q = cells.init_params("lstm_peephole", 3, 5, seed=9)
    assert all(np.array_equal(p[k], q[k]) for k in p)
    assert not np.array_equal(p["Wx_f"], cells.init_params("lstm_peephole", 3, 5, seed=10)["Wx_f"])
    big = cells.init_params("rnn", 50, 60, seed=0, scale=0.5)["Wh"]
    assert abs(big.std() - 0.5) < 0.02 and abs(big.mean()) < 0.02
    with pytest.raises(ValueError, match="unknown kind 'lstmx'"):
        cells.init_params("lstmx", 1, 1)
    with pytest.raises(ValueError, match="unknown kind"):
        cells.param_count("lstm_peephole", 1, 1)


SIZES = [(1, 1), (3, 8), (7, 2)]


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru", "gru_classic"])
def test_param_count_matches_keras(kind):
    keras = _keras()
    for n_in, n_h in SIZES:
        if kind == "rnn":
            layer = keras.layers.SimpleRNN(n_h)
        elif kind == "lstm":
            layer = keras.layers.LSTM(n_h)
        else:
            layer = keras.layers.GRU(n_h, reset_after=kind == "gru")
        layer.build((None, None, n_in))
        assert cells.param_count(kind, n_in, n_h) == layer.count_params(), (kind, n_in, n_h)
        # and the numpy parameters of that kind hold exactly that many numbers
        total = sum(a.size for a in cells.init_params(kind, n_in, n_h).values())
        assert total == layer.count_params()
