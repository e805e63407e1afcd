"""Tests of course_lib.gate_analysis against independent references: hand formulas with
``math``, explicit loops, ``tf.GradientTape`` in float64 and Keras' own GRU layers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import cells
from course_lib import gate_analysis as ga


def _sig(a):
    return 1.0 / (1.0 + math.exp(-a))


def _one_unit(**w):
    return {k: np.array([[v]]) if k.startswith("W") else np.array([float(v)]) for k, v in w.items()}


LSTM_W = dict(
    Wx_f=0.7, Wh_f=-0.3, b_f=1.0, Wx_i=1.2, Wh_i=0.4, b_i=-0.2,
    Wx_o=-0.5, Wh_o=0.9, b_o=0.1, Wx_g=1.5, Wh_g=-0.8, b_g=0.3,
)  # fmt: skip
GRU_W = dict(
    Wx_z=0.8, Wh_z=-0.6, b_z=0.2, Wx_r=-1.1, Wh_r=0.5, b_r=0.4, Wx_h=1.3, Wh_h=0.9, b_h=-0.1
)


# --------------------------------------------------------------------------------------------
# The three notations
# --------------------------------------------------------------------------------------------


def test_three_notations_are_the_same_lstm():
    p = cells.init_params("lstm", 3, 4, seed=2)
    rng = np.random.default_rng(4)
    x, h, c = rng.normal(size=(5, 3)), rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    h_ref, c_ref, _ = cells.lstm_step(x, h, c, p)
    W = ga.concatenate_params(p)
    assert W["W_f"].shape == (4 + 3, 4)
    np.testing.assert_array_equal(W["W_i"][:4], p["Wh_i"])  # h rows first, then x rows
    np.testing.assert_array_equal(W["W_i"][4:], p["Wx_i"])
    for h_new, c_new in (
        ga.lstm_step_concatenated(x, h, c, W),
        ga.lstm_cell_pseudocode(c, h, x, W),
    ):
        np.testing.assert_allclose(h_new, h_ref, atol=1e-12)
        np.testing.assert_allclose(c_new, c_ref, atol=1e-12)


def test_concatenated_one_unit_by_hand():
    w = LSTM_W
    W = ga.concatenate_params(_one_unit(**w))
    np.testing.assert_array_equal(W["W_f"], [[w["Wh_f"]], [w["Wx_f"]]])
    x, h, c = 0.5, 0.25, -1.0
    f = _sig(w["Wh_f"] * h + w["Wx_f"] * x + w["b_f"])
    i = _sig(w["Wh_i"] * h + w["Wx_i"] * x + w["b_i"])
    o = _sig(w["Wh_o"] * h + w["Wx_o"] * x + w["b_o"])
    g = math.tanh(w["Wh_g"] * h + w["Wx_g"] * x + w["b_g"])
    h_new, c_new = ga.lstm_cell_pseudocode(np.array([[c]]), np.array([[h]]), np.array([[x]]), W)
    assert c_new[0, 0] == pytest.approx(f * c + i * g, abs=1e-12)
    assert h_new[0, 0] == pytest.approx(o * math.tanh(f * c + i * g), abs=1e-12)
    with pytest.raises(ValueError, match="Wh_o"):
        ga.concatenate_params({k: v for k, v in _one_unit(**w).items() if k != "Wh_o"})


# --------------------------------------------------------------------------------------------
# lstm_terms / gru_terms
# --------------------------------------------------------------------------------------------


def test_lstm_terms_match_a_hand_computation():
    x, h, c = 0.8, -0.4, 1.7
    w = LSTM_W
    f = _sig(w["Wx_f"] * x + w["Wh_f"] * h + w["b_f"])
    i = _sig(w["Wx_i"] * x + w["Wh_i"] * h + w["b_i"])
    o = _sig(w["Wx_o"] * x + w["Wh_o"] * h + w["b_o"])
    g = math.tanh(w["Wx_g"] * x + w["Wh_g"] * h + w["b_g"])
    c_new = f * c + i * g
    h_new = o * math.tanh(c_new)
    t = ga.lstm_terms([[x]], [[h]], [[c]], _one_unit(**w))
    expected = dict(f=f, i=i, o=o, g=g, c=c_new, h=h_new, kept=f * c, written=i * g)
    expected["tanh_c"] = math.tanh(c_new)
    assert set(t) == set(expected)
    for k, v in expected.items():
        assert t[k].shape == (1, 1)
        assert t[k][0, 0] == pytest.approx(v, abs=1e-12), k


@pytest.mark.parametrize(
    "step", [cells.lstm_step, cells.lstm_peephole_step, cells.lstm_coupled_step]
)
def test_lstm_terms_add_up_for_every_variant(step):
    rng = np.random.default_rng(3)
    kind = {"lstm_step": "lstm", "lstm_peephole_step": "lstm_peephole"}.get(
        step.__name__, "lstm_coupled"
    )
    p = cells.init_params(kind, 3, 4, seed=1)
    x, h, c = rng.normal(size=(5, 3)), rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    t = ga.lstm_terms(x, h, c, p, step=step)
    np.testing.assert_allclose(t["kept"] + t["written"], t["c"], atol=1e-12)
    np.testing.assert_allclose(t["o"] * np.tanh(t["c"]), t["h"], atol=1e-12)
    if step is cells.lstm_coupled_step:  # what is forgotten is what gets written
        np.testing.assert_allclose(t["kept"] + (1 - t["f"]) * t["g"], t["c"], atol=1e-12)


@pytest.mark.parametrize("convention", ["lecture", "keras"])
def test_gru_terms_match_a_hand_computation(convention):
    x, h = -0.7, 0.6
    w = GRU_W
    z = _sig(w["Wx_z"] * x + w["Wh_z"] * h + w["b_z"])
    r = _sig(w["Wx_r"] * x + w["Wh_r"] * h + w["b_r"])
    ht = math.tanh(w["Wx_h"] * x + w["Wh_h"] * (r * h) + w["b_h"])
    keep = 1 - z if convention == "lecture" else z
    expected = dict(
        z=z, r=r, h_tilde=ht, h=keep * h + (1 - keep) * ht, keep_weight=keep,
        kept=keep * h, written=(1 - keep) * ht, r_h=r * h,
    )  # fmt: skip
    t = ga.gru_terms([[x]], [[h]], _one_unit(**w), reset_after=False, convention=convention)
    assert set(t) == set(expected)
    for k, v in expected.items():
        assert t[k][0, 0] == pytest.approx(v, abs=1e-12), k


def test_gru_terms_reset_after_uses_the_recurrent_product():
    p = cells.init_params("gru", 2, 3, seed=4)
    rng = np.random.default_rng(0)
    x, h = rng.normal(size=(4, 2)), rng.normal(size=(4, 3))
    t = ga.gru_terms(x, h, p, reset_after=True, convention="keras")

    def sig(a):
        return 1.0 / (1.0 + np.exp(-a))

    # Keras' reset_after GRU written out: the reset gate multiplies the recurrent product
    z = sig(x @ p["Wx_z"] + p["b_z"] + h @ p["Wh_z"] + p["bh_z"])
    r = sig(x @ p["Wx_r"] + p["b_r"] + h @ p["Wh_r"] + p["bh_r"])
    r_h = r * (h @ p["Wh_h"] + p["bh_h"])
    h_tilde = np.tanh(x @ p["Wx_h"] + p["b_h"] + r_h)
    expected = dict(
        z=z, r=r, r_h=r_h, h_tilde=h_tilde, keep_weight=z, kept=z * h,
        written=(1 - z) * h_tilde, h=z * h + (1 - z) * h_tilde,
    )  # fmt: skip
    for k, v in expected.items():
        np.testing.assert_allclose(t[k], v, atol=1e-12, err_msg=k)


# --------------------------------------------------------------------------------------------
# The constant error carousel
# --------------------------------------------------------------------------------------------


def test_forget_products_closed_form_for_a_constant_gate():
    prods = ga.forget_products(np.full(12, 0.9))
    np.testing.assert_allclose(prods, 0.9 ** np.arange(13), rtol=1e-12)
    assert ga.forget_products(np.ones(50))[-1] == 1.0  # the carousel: nothing lost


def test_forget_products_equal_an_explicit_loop():
    rng = np.random.default_rng(7)
    f = rng.uniform(0.2, 1.0, size=(3, 6, 2))
    prods = ga.forget_products(f)
    assert prods.shape == (3, 7, 2)
    for b in range(3):
        for u in range(2):
            for k in range(7):
                p = 1.0
                for s in range(6 - k, 6):  # steps T−k+1 … T (0-based T−k … T−1)
                    p *= f[b, s, u]
                assert prods[b, k, u] == pytest.approx(p, rel=1e-12)
    np.testing.assert_allclose(ga.forget_products(f[0]), prods[0])


def test_forget_products_rejects_bad_shapes():
    with pytest.raises(ValueError, match="expected"):
        ga.forget_products(np.ones((1, 2, 3, 4)))


def _tf_lstm_state_jacobian(X, params, h0, c0, k):
    """∂(h_T, c_T)/∂(h_{T−k}, c_{T−k}) with tf.GradientTape in float64, batch of one."""
    import tensorflow as tf

    P = {key: tf.constant(v, dtype=tf.float64) for key, v in params.items()}
    X = tf.constant(X, dtype=tf.float64)

    def step(x, h, c):
        def a(g):
            return x @ P[f"Wx_{g}"] + h @ P[f"Wh_{g}"] + P[f"b_{g}"]

        f, i, o = tf.sigmoid(a("f")), tf.sigmoid(a("i")), tf.sigmoid(a("o"))
        c = f * c + i * tf.tanh(a("g"))
        return o * tf.tanh(c), c

    T = X.shape[1]
    h, c = tf.constant(h0, tf.float64), tf.constant(c0, tf.float64)
    for t in range(T - k):
        h, c = step(X[:, t], h, c)
    hs, cs = tf.Variable(h), tf.Variable(c)
    with tf.GradientTape(persistent=True) as tape:
        h, c = hs * 1.0, cs * 1.0
        for t in range(T - k, T):
            h, c = step(X[:, t], h, c)
    out = {}
    for name, y in (("h", h), ("c", c)):
        for wrt_name, wrt in (("h", hs), ("c", cs)):
            jac = tape.jacobian(y, wrt, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            out[f"{name}_{wrt_name}"] = jac.numpy()[0, :, 0, :]
    return out


@pytest.mark.slow
def test_lstm_state_jacobians_equal_gradient_tape():
    pytest.importorskip("tensorflow")
    rng = np.random.default_rng(11)
    p = cells.init_params("lstm", 2, 3, seed=5, scale=0.8)
    X = rng.normal(size=(2, 6, 2))
    h0, c0 = rng.normal(size=(2, 3)) * 0.5, rng.normal(size=(2, 3))
    J = ga.lstm_state_jacobians(X, p, (h0, c0))
    assert J["c_c"].shape == (2, 7, 3, 3)
    for b in range(2):
        for k in (0, 1, 3, 6):
            ref = _tf_lstm_state_jacobian(X[b : b + 1], p, h0[b : b + 1], c0[b : b + 1], k)
            for key in ("h_h", "h_c", "c_h", "c_c"):
                np.testing.assert_allclose(
                    J[key][b, k], ref[key], atol=1e-10, err_msg=f"{key} k={k}"
                )


def test_lstm_state_jacobians_reduce_to_forget_products_without_recurrent_weights():
    p = cells.init_params("lstm", 2, 3, seed=2)
    for key in ("Wh_f", "Wh_i", "Wh_o", "Wh_g"):
        p[key] = np.zeros((3, 3))
    X = np.random.default_rng(1).normal(size=(2, 8, 2))
    J = ga.lstm_state_jacobians(X, p)
    _, per_step = cells.run_sequence(cells.lstm_step, X, None, p)
    prods = ga.forget_products(per_step["f"])
    for b in range(2):
        for k in range(9):
            np.testing.assert_allclose(J["c_c"][b, k], np.diag(prods[b, k]), atol=1e-14)
    np.testing.assert_allclose(J["f"], per_step["f"])
    np.testing.assert_allclose(J["c_h"][:, 1:], 0.0)  # h never reaches c when Wh = 0


def test_lstm_state_jacobians_finite_differences():
    rng = np.random.default_rng(2)
    p = cells.init_params("lstm", 1, 2, seed=8, scale=1.0)
    X = rng.normal(size=(1, 4, 1))
    h0, c0 = rng.normal(size=(1, 2)) * 0.3, rng.normal(size=(1, 2))
    J = ga.lstm_state_jacobians(X, p, (h0, c0))
    eps = 1e-6

    def c_T(c_start):
        _, per = cells.run_sequence(cells.lstm_step, X, (h0, c_start), p)
        return per["c"][0, -1]

    num = np.zeros((2, 2))
    for m in range(2):
        d = np.zeros((1, 2))
        d[0, m] = eps
        num[:, m] = (c_T(c0 + d) - c_T(c0 - d)) / (2 * eps)
    np.testing.assert_allclose(J["c_c"][0, 4], num, atol=1e-8)


def test_spectral_norms_equal_largest_singular_value():
    A = np.random.default_rng(0).normal(size=(4, 3, 5))
    ref = [np.linalg.svd(a, compute_uv=False)[0] for a in A]
    np.testing.assert_allclose(ga.spectral_norms(A), ref, rtol=1e-12)
    with pytest.raises(ValueError):
        ga.spectral_norms(np.ones(3))


def test_lstm_state_jacobians_bad_input():
    p = cells.init_params("lstm", 1, 1)
    with pytest.raises(ValueError, match="expected"):
        ga.lstm_state_jacobians(np.ones((3, 1)), p)
    with pytest.raises(ValueError, match="Wh_f"):
        ga.lstm_state_jacobians(np.ones((1, 3, 1)), {"Wx": np.ones((1, 1))})


# --------------------------------------------------------------------------------------------
# Reading gates
# --------------------------------------------------------------------------------------------


def _fake_acts():
    # batch 2, time 5 (lag 4), units 3; values chosen so every phase has a known mean
    f = np.zeros((2, 5, 3))
    i = np.zeros((2, 5, 3))
    i[:, 0] = [0.9, 0.8, 0.1]  # step 0: symbol
    i[:, 1:4] = [0.1, 0.2, 0.3]  # distraction
    i[:, 4] = 0.5  # cue
    f[:, 1:4] = np.array([[0.95, 0.9, 0.2], [0.97, 0.9, 0.4]])[:, None, :]
    f[:, 4] = 0.6
    c = np.zeros((2, 5, 3))
    return {"f": f, "i": i, "c": c}


def test_gate_heatmap_and_profile():
    acts = _fake_acts()
    H = ga.gate_heatmap(acts, "f")
    assert H.shape == (3, 5)
    np.testing.assert_allclose(H[:, 2], [0.96, 0.9, 0.3])
    np.testing.assert_allclose(ga.gate_heatmap(acts, "i", units=[2, 0])[:, 0], [0.1, 0.9])
    np.testing.assert_allclose(ga.gate_profile(acts, "i")[0], 0.6)
    with pytest.raises(ValueError, match="no gate 'z'"):
        ga.gate_heatmap(acts, "z")


def test_class_means():
    f = np.arange(2 * 4 * 3 * 1, dtype=float).reshape(4, 3, 2)[..., :1]  # (batch 4, time 3, 1)
    y = np.array([1, 0, 1, 0])
    m = ga.class_means({"f": f}, "f", y)
    assert sorted(m) == [0, 1]
    np.testing.assert_allclose(m[1], (f[0] + f[2]) / 2)
    np.testing.assert_allclose(m[0], (f[1] + f[3]) / 2)
    with pytest.raises(ValueError, match="labels"):
        ga.class_means({"f": f}, "f", y[:3])


def test_recall_gate_summary_phases():
    s = ga.recall_gate_summary(_fake_acts(), lag=4)
    assert s["i_symbol"] == pytest.approx(0.6)
    assert s["i_distraction"] == pytest.approx(0.2)
    assert s["f_distraction"] == pytest.approx((0.96 + 0.9 + 0.3) / 3)
    assert s["i_cue"] == pytest.approx(0.5) and s["f_cue"] == pytest.approx(0.6)
    s01 = ga.recall_gate_summary(_fake_acts(), lag=4, units=[0, 1])
    assert s01["f_distraction"] == pytest.approx((0.96 + 0.9) / 2)
    with pytest.raises(ValueError, match="lag=5 needs 6"):
        ga.recall_gate_summary(_fake_acts(), lag=5)


def test_memory_units_ranks_by_class_share():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 20)
    c = np.zeros((60, 3, 3))
    c[:, 1, 0] = rng.normal(size=60)  # ignores the class
    c[:, 1, 1] = y + 0.01 * rng.normal(size=60)  # stores it almost perfectly
    c[:, 1, 2] = y + 1.0 * rng.normal(size=60)  # stores it badly
    order = ga.memory_units({"c": c}, y, step=1)
    assert list(order) == [1, 2, 0]
    assert list(ga.memory_units({"c": c}, y, step=1, top=1)) == [1]
    # η² closed form: a column equal to the class explains all; a balanced split explains none
    share = ga._class_share(
        np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), [0, 0, 1, 1]
    )
    np.testing.assert_allclose(share, [1.0, 0.0])


# --------------------------------------------------------------------------------------------
# The GRU family
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reset_after", [False, True])
def test_gru_swap_convention_is_the_same_gru(reset_after):
    p = cells.init_params("gru" if reset_after else "gru_classic", 2, 3, seed=6)
    X = np.random.default_rng(3).normal(size=(4, 7, 2))
    H_lecture, _ = cells.run_sequence(
        cells.gru_step, X, None, p, reset_after=reset_after, convention="lecture"
    )
    q = ga.gru_swap_convention(p)
    H_keras, _ = cells.run_sequence(cells.gru_step, X, None, q, reset_after=reset_after)
    np.testing.assert_allclose(H_lecture, H_keras, atol=1e-12)
    np.testing.assert_allclose(q["Wx_z"], -p["Wx_z"])
    np.testing.assert_allclose(q["Wx_h"], p["Wx_h"])  # only z changes
    back = ga.gru_swap_convention(q)
    for k in p:
        np.testing.assert_array_equal(back[k], p[k])
    with pytest.raises(ValueError, match="Wx_z"):
        ga.gru_swap_convention({"Wx_h": np.ones((1, 1))})


def test_gru_classic_as_reset_after():
    for n_h, diagonal in ((1, False), (3, True)):
        p = cells.init_params("gru_classic", 2, n_h, seed=9)
        if diagonal:
            p["Wh_h"] = np.diag([0.5, -1.0, 2.0])
        q = ga.gru_classic_as_reset_after(p)
        X = np.random.default_rng(1).normal(size=(3, 5, 2))
        H1, _ = cells.run_sequence(cells.gru_step, X, None, p, reset_after=False)
        H2, _ = cells.run_sequence(cells.gru_step, X, None, q, reset_after=True)
        np.testing.assert_allclose(H1, H2, atol=1e-12)
    p = cells.init_params("gru_classic", 2, 3, seed=9)
    with pytest.raises(ValueError, match="not diagonal"):
        ga.gru_classic_as_reset_after(p)


def test_lecture_gru_equals_keras_gru_layer_after_swap():
    keras = pytest.importorskip("keras")
    from course_lib import keras_bridge

    p = cells.init_params("gru_classic", 2, 3, seed=12)
    X = np.random.default_rng(5).normal(size=(2, 6, 2)).astype("float32")
    H_lecture, _ = cells.run_sequence(
        cells.gru_step, X, None, p, reset_after=False, convention="lecture"
    )
    layer = keras.layers.GRU(3, reset_after=False, return_sequences=True)
    keras_bridge.params_to_keras(ga.gru_swap_convention(p), layer)
    np.testing.assert_allclose(np.asarray(layer(X)), H_lecture, atol=1e-5)
    # and the classic form written as reset_after runs in Keras' default GRU (one unit)
    p1 = cells.init_params("gru_classic", 2, 1, seed=13)
    layer1 = keras.layers.GRU(1, reset_after=True, return_sequences=True)
    keras_bridge.params_to_keras(ga.gru_classic_as_reset_after(p1), layer1)
    H1, _ = cells.run_sequence(cells.gru_step, X, None, p1, reset_after=False)
    np.testing.assert_allclose(np.asarray(layer1(X)), H1, atol=1e-5)


def test_gru_terms_needs_reset_after_and_convention_by_keyword():
    p = cells.init_params("gru", 1, 1, seed=0)
    with pytest.raises(TypeError):
        ga.gru_terms([[1.0]], [[0.5]], p)  # no default: cells.gru_step's are Keras', not these
    with pytest.raises(TypeError):
        ga.gru_terms([[1.0]], [[0.5]], p, False, "lecture")
