"""course_lib.bptt against independent references: tf.GradientTape / tape.jacobian in float64,
finite differences written out here, tf.clip_by_value / tf.clip_by_global_norm, closed forms."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from course_lib import bptt, cells

try:  # the independent reference of the gradient tests; the numpy-only tests run without it
    import tensorflow as tf
except ImportError:
    tf = None

needs_tf = pytest.mark.skipif(tf is None, reason="TensorFlow (the reference) is not installed")


def _tf_activation(name: str):
    return {"tanh": tf.tanh, "sigmoid": tf.sigmoid, "linear": tf.identity}[name]


SHAPES = [  # batch, time, n_in, n_h, n_out
    (1, 1, 1, 1, 1),
    (2, 5, 3, 4, 2),
    (3, 12, 2, 6, 1),
    (4, 7, 1, 3, 3),
]


def _data(batch, time, n_in, n_h, n_out, seed=0):
    rng = np.random.default_rng(seed)
    params = bptt.init_rnn_params(n_in, n_h, n_out, seed=seed, scale=0.6)
    X = rng.normal(size=(batch, time, n_in))
    Y_seq = rng.normal(size=(batch, time, n_out))
    Y_last = rng.normal(size=(batch, n_out))
    h0 = rng.normal(scale=0.5, size=(batch, n_h))
    return params, X, Y_seq, Y_last, h0


def _tf_reference(X, Y, params, h0, truncate=None, activation="tanh"):
    """The same model written in tf ops; returns loss, grads (incl. h0) and dL/dh_t."""
    time, activation = X.shape[1], _tf_activation(activation)
    v = {k: tf.Variable(np.asarray(p, dtype=np.float64)) for k, p in params.items()}
    h0_var = tf.Variable(np.asarray(h0, dtype=np.float64))
    zeros = [tf.Variable(np.zeros(h0.shape)) for _ in range(time)]  # h_t + 0: reads dL/dh_t
    Xt = tf.constant(X, dtype=tf.float64)
    with tf.GradientTape() as tape:
        h = h0_var
        outs = []
        for t in range(time):
            if truncate is not None and t > 0 and t % truncate == 0:
                h = tf.stop_gradient(h)
            h = activation(tf.matmul(Xt[:, t, :], v["Wx"]) + tf.matmul(h, v["Wh"]) + v["b"])
            h = h + zeros[t]
            outs.append(tf.matmul(h, v["Wy"]) + v["by"])
        if Y.ndim == 3:
            y_hat = tf.stack(outs, axis=1)
        else:
            y_hat = outs[-1]
        loss = tf.reduce_mean(tf.square(y_hat - tf.constant(Y, dtype=tf.float64)))
    keys = list(v)
    g = tape.gradient(loss, [v[k] for k in keys] + [h0_var] + zeros, unconnected_gradients="zero")
    grads = {k: gi.numpy() for k, gi in zip(keys, g[: len(keys)], strict=True)}
    grads["h0"] = g[len(keys)].numpy()
    dh = np.stack([gi.numpy() for gi in g[len(keys) + 1 :]], axis=1)
    return float(loss.numpy()), grads, dh


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("target", ["every_step", "last_step"])
@needs_tf
def test_bptt_equals_gradient_tape(shape, target):
    params, X, Y_seq, Y_last, h0 = _data(*shape)
    Y = Y_seq if target == "every_step" else Y_last
    loss, grads = bptt.bptt(X, Y, params, h0=h0, return_h0=True, return_dh=True)
    ref_loss, ref, ref_dh = _tf_reference(X, Y, params, h0)
    assert loss == pytest.approx(ref_loss, rel=1e-12, abs=1e-14)
    for k in ("Wx", "Wh", "b", "Wy", "by", "h0"):
        np.testing.assert_allclose(grads[k], ref[k], rtol=1e-10, atol=1e-12, err_msg=k)
        assert grads[k].shape == ref[k].shape
    np.testing.assert_allclose(grads["dh"], ref_dh, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("truncate", [1, 2, 3, 5, 100])
@pytest.mark.parametrize("target", ["every_step", "last_step"])
@needs_tf
def test_truncated_bptt_equals_stop_gradient(truncate, target):
    params, X, Y_seq, Y_last, h0 = _data(3, 12, 2, 6, 2, seed=3)
    Y = Y_seq if target == "every_step" else Y_last
    loss, grads = bptt.bptt(X, Y, params, h0=h0, truncate=truncate, return_h0=True, return_dh=True)
    ref_loss, ref, ref_dh = _tf_reference(X, Y, params, h0, truncate=truncate)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for k in ("Wx", "Wh", "b", "Wy", "by", "h0"):
        np.testing.assert_allclose(grads[k], ref[k], rtol=1e-10, atol=1e-12, err_msg=k)
    np.testing.assert_allclose(grads["dh"], ref_dh, rtol=1e-10, atol=1e-12)


def test_truncation_cuts_only_the_long_paths():
    params, X, _, Y_last, h0 = _data(2, 9, 2, 3, 1, seed=5)
    _, full = bptt.bptt(X, Y_last, params, h0=h0, return_dh=True)
    _, cut = bptt.bptt(X, Y_last, params, h0=h0, truncate=3, return_dh=True)
    # A last-step target: inside the last chunk (steps 6, 7, 8) nothing changes, before it the
    # gradient is gone; the read-out gradient does not depend on the recurrence at all.
    np.testing.assert_allclose(cut["dh"][:, 6:], full["dh"][:, 6:], rtol=1e-13)
    assert np.all(cut["dh"][:, :6] == 0.0)
    assert np.abs(full["dh"][:, :6]).max() > 1e-4
    np.testing.assert_allclose(cut["Wy"], full["Wy"], rtol=1e-13)
    assert not np.allclose(cut["Wh"], full["Wh"])
    _, same = bptt.bptt(X, Y_last, params, h0=h0, truncate=9)
    np.testing.assert_allclose(same["Wh"], full["Wh"], rtol=1e-13)


@pytest.mark.parametrize("activation", ["sigmoid", "linear"])
@needs_tf
def test_bptt_other_activations_equal_gradient_tape(activation):
    params, X, Y_seq, _, h0 = _data(2, 6, 2, 3, 2, seed=7)
    _, grads = bptt.bptt(X, Y_seq, params, h0=h0, activation=activation)
    _, ref, _ = _tf_reference(X, Y_seq, params, h0, activation=activation)
    for k in ("Wx", "Wh", "b", "Wy", "by"):
        np.testing.assert_allclose(grads[k], ref[k], rtol=1e-10, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("shape", SHAPES[1:])
@pytest.mark.parametrize("target", ["every_step", "last_step"])
def test_gradient_check_passes_for_bptt(shape, target):
    params, X, Y_seq, Y_last, h0 = _data(*shape, seed=11)
    Y = Y_seq if target == "every_step" else Y_last
    _, grads = bptt.bptt(X, Y, params, h0=h0)

    def f(p):
        return bptt.bptt(X, Y, p, h0=h0)[0]

    assert bptt.gradient_check(f, params, grads, eps=1e-6) < 1e-6


def test_gradient_check_catches_a_wrong_gradient():
    params, X, Y_seq, _, _ = _data(2, 5, 3, 4, 2)
    _, grads = bptt.bptt(X, Y_seq, params)
    wrong = dict(grads)
    wrong["Wh"] = grads["Wh"] * 1.01

    def f(p):
        return bptt.bptt(X, Y_seq, p)[0]

    assert bptt.gradient_check(f, params, wrong) > 1e-3


def test_numerical_gradient_closed_form():
    params = {"a": np.array([[1.0, -2.0], [0.5, 3.0]]), "c": np.array([0.3])}

    def f(p):
        return float(np.sum(p["a"] ** 3) + np.sin(p["c"][0]))

    num = bptt.numerical_gradient(f, params, eps=1e-5)
    np.testing.assert_allclose(num["a"], 3 * params["a"] ** 2, rtol=1e-8)
    np.testing.assert_allclose(num["c"], [math.cos(0.3)], rtol=1e-8)
    assert params["a"][0, 0] == 1.0  # not modified


@needs_tf
def test_forward_matches_tf_and_the_keras_layer():
    params, X, _, _, h0 = _data(2, 6, 3, 4, 2)
    H, Y_hat = bptt.forward(X, params, h0=h0)
    assert H.shape == (2, 6, 4) and Y_hat.shape == (2, 6, 2)
    import keras

    layer = keras.layers.SimpleRNN(4, return_sequences=True, dtype="float64")
    layer.build((None, None, 3))
    layer.cell.kernel.assign(params["Wx"])
    layer.cell.recurrent_kernel.assign(params["Wh"])
    layer.cell.bias.assign(params["b"])
    ref = np.asarray(layer(X, initial_state=[h0]))
    np.testing.assert_allclose(H, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Y_hat, ref @ params["Wy"] + params["by"], rtol=1e-12)


def test_sgd_step_is_a_descent_step():
    params, X, Y_seq, _, _ = _data(2, 5, 3, 4, 2)
    loss, grads = bptt.bptt(X, Y_seq, params)
    new = bptt.sgd_step(params, grads, lr=0.1)
    np.testing.assert_allclose(new["Wh"], params["Wh"] - 0.1 * grads["Wh"])
    assert bptt.bptt(X, Y_seq, new)[0] < loss
    assert params["Wh"] is not new["Wh"]
    with pytest.raises(ValueError, match="'by'"):
        bptt.sgd_step(params, {k: v for k, v in grads.items() if k != "by"}, 0.1)


# --------------------------------------------------------------------------------------------
# Jacobian norms
# --------------------------------------------------------------------------------------------


def _tf_jacobian_norms(X, params, h0, activation="tanh"):
    """‖∂h_T/∂h_{T−k}‖₂ by tape.jacobian and the largest singular value, one sequence."""
    time = X.shape[1]
    Wx, Wh, b = (tf.constant(params[k], dtype=tf.float64) for k in ("Wx", "Wh", "b"))
    Xt = tf.constant(X, dtype=tf.float64)

    def run(h, start, stop):
        for t in range(start, stop):
            h = _tf_activation(activation)(tf.matmul(Xt[:, t, :], Wx) + tf.matmul(h, Wh) + b)
        return h

    h0 = tf.constant(h0, dtype=tf.float64)
    out = []
    for k in range(time + 1):
        h_start = tf.Variable(run(h0, 0, time - k))
        with tf.GradientTape() as tape:
            h_T = run(h_start, time - k, time)
        J = tape.jacobian(h_T, h_start)  # (1, n_h, 1, n_h)
        n_h = h_T.shape[1]
        J = tf.reshape(J, (n_h, n_h))
        out.append(float(tf.reduce_max(tf.linalg.svd(J, compute_uv=False)).numpy()))
    return np.array(out)


@pytest.mark.parametrize(
    "n_h,time,activation", [(3, 6, "tanh"), (5, 10, "tanh"), (4, 7, "sigmoid")]
)
@needs_tf
@pytest.mark.slow  # seconds per case: one tape.jacobian per lag
def test_jacobian_norms_equal_tape_jacobian(n_h, time, activation):
    rng = np.random.default_rng(n_h)
    params = cells.init_params("rnn", 2, n_h, seed=n_h, scale=0.9)
    X = rng.normal(size=(3, time, 2))  # a batch: each sequence has its own Jacobians
    h0 = rng.normal(scale=0.3, size=(3, n_h))
    got = bptt.jacobian_norms(X, params, h0=h0, activation=activation)
    assert got.shape == (3, time + 1)
    for n in range(3):
        ref = _tf_jacobian_norms(X[n : n + 1], params, h0[n : n + 1], activation=activation)
        np.testing.assert_allclose(got[n], ref, rtol=1e-10, err_msg=f"sequence {n}")
    single = bptt.jacobian_norms(X[0], params, h0=h0[:1], activation=activation)
    assert single.shape == (time + 1,)
    np.testing.assert_allclose(single, got[0], rtol=1e-14)


@pytest.mark.parametrize("w", [-1.7, -0.5, 0.0, 0.3, 1.0, 2.5])
def test_one_unit_linear_closed_form(w):
    got = bptt.one_unit_grad_norms(w, 30, "linear", u=0.7, x=0.5)
    expect = np.array([abs(w) ** k for k in range(31)])
    np.testing.assert_allclose(got, expect, rtol=1e-12, atol=0)
    # the same through the general function on a 1 × 1 RNN
    params = {"Wx": np.array([[0.7]]), "Wh": np.array([[w]]), "b": np.zeros(1)}
    np.testing.assert_allclose(
        bptt.jacobian_norms(np.ones((30, 1)), params, activation="linear"), expect, rtol=1e-12
    )


def _python_one_unit(w, steps, activation, u, x, h0, b=0.0):
    phi = {
        "tanh": math.tanh,
        "sigmoid": lambda a: 1.0 / (1.0 + math.exp(-a)),
        "relu": lambda a: max(0.0, a),
        "linear": lambda a: a,
    }[activation]
    hs = [h0]
    for _ in range(steps):
        hs.append(phi(w * hs[-1] + u * x + b))
    return hs


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
@pytest.mark.parametrize("w", [-2.0, -0.6, 0.8, 1.5])
def test_one_unit_grad_norms_finite_differences(activation, w):
    steps, u, x, h0, b, eps = 12, 1.0, 0.5, 0.1, -0.2, 1e-7
    got = bptt.one_unit_grad_norms(w, steps, activation, u=u, x=x, h0=h0, b=b)
    states = bptt.one_unit_states(w, steps, activation, u=u, x=x, h0=h0, b=b)
    ref = _python_one_unit(w, steps, activation, u, x, h0, b)
    np.testing.assert_allclose(states, ref, rtol=1e-14)
    for k in range(steps + 1):
        start = states[steps - k]
        up = _python_one_unit(w, k, activation, u, x, start + eps, b)[-1]
        down = _python_one_unit(w, k, activation, u, x, start - eps, b)[-1]
        fd = abs(up - down) / (2 * eps)
        assert got[k] == pytest.approx(fd, rel=1e-5, abs=1e-9), (k, got[k], fd)


def test_geometric_trend_closed_form():
    for w, factor in [(0.9, 1.0), (-2.5, 1.0), (3.0, 0.25), (0.0, 1.0)]:
        expect = [1.0]
        for _ in range(40):
            expect.append(expect[-1] * abs(w) * factor)
        np.testing.assert_allclose(bptt.geometric_trend(w, 40, factor), expect, rtol=1e-12)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        big = bptt.geometric_trend(10.0, 400)
        small = bptt.geometric_trend(0.1, 400)
    assert math.isinf(big[-1]) and big[300] == pytest.approx(1e300, rel=1e-9)
    assert small[-1] == 0.0 and small[300] == pytest.approx(1e-300, rel=1e-9)


def test_one_unit_sequence_input_and_derivative_bounds():
    x = np.linspace(-1, 1, 8)
    got = bptt.one_unit_grad_norms(1.2, 8, "sigmoid", x=x)
    assert np.all(got[1:] <= (1.2 * 0.25) ** np.arange(1, 9) * (1 + 1e-12))
    grid = np.linspace(-20, 20, 400001)
    for name in ("sigmoid", "tanh", "relu", "linear"):
        assert bptt.derivative_bound(name) == pytest.approx(
            cells.derivative(name, grid).max(), rel=1e-9
        )
    with pytest.raises(ValueError, match="x has shape"):
        bptt.one_unit_grad_norms(1.0, 8, "tanh", x=[1.0, 2.0])


def test_jacobian_norms_never_warn_and_saturate_to_inf_or_zero():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        huge = bptt.one_unit_grad_norms(50.0, 400, "tanh", x=0.0)  # a_t = 0: tanh′ = 1
        tiny = bptt.one_unit_grad_norms(0.01, 400, "linear")
        dead = bptt.one_unit_grad_norms(-3.0, 50, "relu")
    assert huge[1] == pytest.approx(50.0) and math.isinf(huge[-1])  # 50^400 > 1e308
    assert tiny[1] == pytest.approx(0.01) and tiny[-1] == 0.0  # 0.01^400 < 1e-323
    assert np.all(np.isfinite(dead)) and dead[-1] == 0.0


def test_init_recurrent():
    G = bptt.init_recurrent(16, "gaussian", 1.3, seed=2)
    assert np.max(np.abs(np.linalg.eigvals(G))) == pytest.approx(1.3, rel=1e-10)
    Q = bptt.init_recurrent(16, "orthogonal", 0.9, seed=2)
    np.testing.assert_allclose(Q.T @ Q, 0.81 * np.eye(16), atol=1e-12)
    np.testing.assert_array_equal(bptt.init_recurrent(4, "identity", 2.0), 2.0 * np.eye(4))
    with pytest.raises(ValueError, match="orthogonal"):
        bptt.init_recurrent(4, "uniform")


def test_random_rnn_sweep_follows_the_radius():
    radii = [0.5, 1.0, 1.5]
    lin = bptt.random_rnn_jacobian_norms(radii, 80, n_h=16, activation="linear", seed=1)
    assert lin.shape == (3, 81)
    # Gelfand: ‖Wᵏ‖^(1/k) → spectral radius
    for r, row in zip(radii, lin, strict=True):
        assert row[80] ** (1 / 80) == pytest.approx(r, rel=0.1)
    # orthogonal, linear: every singular value of (r Qᵀ)ᵏ is rᵏ, so the norm is exactly rᵏ
    orth = bptt.random_rnn_jacobian_norms(radii, 20, n_h=8, activation="linear", kind="orthogonal")
    for r, row in zip(radii, orth, strict=True):
        np.testing.assert_allclose(row, r ** np.arange(21), rtol=1e-10)
    # tanh can only shrink it: tanh′ ≤ 1
    th = bptt.random_rnn_jacobian_norms([0.5], 40, n_h=16, activation="tanh", seed=1)
    assert np.all(th[0] <= lin[0, :41] * (1 + 1e-9))
    assert th[0, -1] < 1e-8


# --------------------------------------------------------------------------------------------
# Clipping
# --------------------------------------------------------------------------------------------

GRAD_NAMES = ["big", "small", "zero"]


def _grads(name: str) -> dict:
    """Fresh gradient arrays for each test (a clip that wrote into them could not leak)."""
    return {
        "big": {"Wx": np.array([[3.0, -4.0], [0.5, 0.1]]), "b": np.array([12.0, -0.2])},
        "small": {"Wx": np.array([[0.03, -0.04]]), "b": np.array([0.01])},
        "zero": {"Wx": np.zeros((2, 2)), "b": np.zeros(2)},
    }[name]


@pytest.mark.parametrize("name", GRAD_NAMES)
@pytest.mark.parametrize("threshold", [0.5, 1.0, 100.0])
@needs_tf
def test_clip_by_value_equals_tf(name, threshold):
    g = _grads(name)
    got = bptt.clip_by_value(g, threshold)
    assert isinstance(got, dict) and list(got) == list(g)
    for k in g:
        ref = tf.clip_by_value(tf.constant(g[k]), -threshold, threshold).numpy()
        np.testing.assert_array_equal(got[k], ref)


@pytest.mark.parametrize("name", GRAD_NAMES)
@pytest.mark.parametrize("threshold", [0.5, 1.0, 100.0])
@needs_tf
def test_clip_by_global_norm_equals_tf(name, threshold):
    g = _grads(name)
    got, norm = bptt.clip_by_global_norm(g, threshold)
    ref, ref_norm = tf.clip_by_global_norm([tf.constant(v) for v in g.values()], threshold)
    assert norm == pytest.approx(float(ref_norm.numpy()), rel=1e-14, abs=0)
    for k, r in zip(g, ref, strict=True):
        np.testing.assert_allclose(got[k], r.numpy(), rtol=1e-14, atol=0)
    if name == "small" or name == "zero" or threshold == 100.0:  # no clip: unchanged
        for k in g:
            np.testing.assert_array_equal(got[k], g[k])


def test_angle_between_closed_forms():
    assert bptt.angle_between(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == pytest.approx(90.0)
    assert bptt.angle_between([1.0, 1.0], [2.0, 2.0]) == pytest.approx(0.0, abs=1e-12)
    assert bptt.angle_between(np.array([1.0, 0.0]), np.array([-3.0, 0.0])) == pytest.approx(180.0)
    assert bptt.angle_between(np.array([1.0, 0.0]), np.array([1.0, 1.0])) == pytest.approx(45.0)
    assert bptt.angle_between(np.zeros(2), np.array([1.0, 0.0])) == 0.0
    a = {"Wx": np.array([[3.0, 0.2]]), "b": np.array([-0.1])}
    assert bptt.angle_between(a, bptt.clip_by_global_norm(a, 0.5)[0]) == pytest.approx(0, abs=1e-9)
    assert bptt.angle_between(a, bptt.clip_by_value(a, 0.5)) > 10.0
    with pytest.raises(ValueError, match="numbers"):
        bptt.angle_between(np.ones(2), np.ones(3))


def test_clipping_keeps_the_container_and_the_direction():
    arr = np.array([3.0, 4.0])
    clipped, norm = bptt.clip_by_global_norm(arr, 1.0)
    assert norm == 5.0
    np.testing.assert_allclose(clipped, [0.6, 0.8])
    np.testing.assert_array_equal(bptt.clip_by_value(arr, 1.0), [1.0, 1.0])  # direction lost
    lst, _ = bptt.clip_by_global_norm([np.array([3.0]), np.array([4.0])], 2.5)
    assert isinstance(lst, list)
    np.testing.assert_allclose(np.concatenate(lst), [1.5, 2.0])
    assert isinstance(bptt.clip_by_value((np.ones(2),), 0.5), tuple)
    assert bptt.global_norm({"a": np.array([1.0, 2.0]), "b": np.array([[2.0]])}) == 3.0
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError, match="> 0"):
            bptt.clip_by_value(arr, bad)
        with pytest.raises(ValueError, match="> 0"):
            bptt.clip_by_global_norm(arr, bad)


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


def test_bad_input_names_the_expected_shape_or_key():
    params, X, Y_seq, _, _ = _data(2, 5, 3, 4, 2)
    with pytest.raises(ValueError, match=r"X has shape \(5, 3\); expected \(batch, time, 3\)"):
        bptt.bptt(X[0], Y_seq, params)
    with pytest.raises(ValueError, match=r"expected \(batch, time, 3\)"):
        bptt.bptt(X[:, :, :2], Y_seq, params)
    with pytest.raises(ValueError, match=r"Y has shape \(2, 5, 3\); expected \(2, 5, 2\)"):
        bptt.bptt(X, np.zeros((2, 5, 3)), params)
    for key in ("Wx", "Wh", "b", "Wy", "by"):
        broken = {k: v for k, v in params.items() if k != key}
        with pytest.raises(ValueError, match=f"missing key '{key}'"):
            bptt.bptt(X, Y_seq, broken)
    with pytest.raises(ValueError, match=r"params\['Wh'\] has shape \(4, 3\); expected \(4, 4\)"):
        bptt.bptt(X, Y_seq, {**params, "Wh": np.zeros((4, 3))})
    with pytest.raises(ValueError, match=r"params\['by'\] has shape \(3,\); expected \(2,\)"):
        bptt.bptt(X, Y_seq, {**params, "by": np.zeros(3)})
    with pytest.raises(ValueError, match=r"h0 has shape \(2, 5\); expected \(2, 4\)"):
        bptt.bptt(X, Y_seq, params, h0=np.zeros((2, 5)))
    with pytest.raises(ValueError, match="truncate"):
        bptt.bptt(X, Y_seq, params, truncate=0)
    with pytest.raises(ValueError, match="unknown activation"):
        bptt.bptt(X, Y_seq, params, activation="softsign")
    with pytest.raises(ValueError, match="missing key 'Wh'"):
        bptt.jacobian_norms(X, {"Wx": params["Wx"], "b": params["b"]})
