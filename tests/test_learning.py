"""course_lib.learning: the perceptron rule against hand computations and its convergence theorem
(AND, OR, separable clouds) and its failure on XOR; MLP backprop against central differences
written out here and tf.GradientTape; the XOR network of lesson 02; hidden-unit curves."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import cells, learning

INPUTS = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
TRUTH = {
    "AND": [0, 0, 0, 1],
    "OR": [0, 1, 1, 1],
    "XOR": [0, 1, 1, 0],
    "NAND": [1, 1, 1, 0],
}


def _step(a: float) -> int:
    # a sum within 1e-9 of 0 is 0, as the same calculation by hand gives (0.1 + 0.1 - 0.2)
    return 1 if a >= -1e-9 else 0


def _count_errors(w, b, X, t) -> int:
    """Misclassified points of the perceptron (w, b), counted in plain Python."""
    return sum(
        int(_step(w[0] * x[0] + w[1] * x[1] + b) != int(target))
        for x, target in zip(X, t, strict=True)
    )


def _hand_epoch(w, b, X, t, lr):
    """One pass of the perceptron rule in plain Python."""
    w = [float(w[0]), float(w[1])]
    b = float(b)
    for x, target in zip(X, t, strict=True):
        o = _step(w[0] * x[0] + w[1] * x[1] + b)
        d = lr * (float(target) - o)
        w = [w[0] + d * x[0], w[1] + d * x[1]]
        b = b + d
    return w, b


# --------------------------------------------------------------------------------------------
# Perceptron
# --------------------------------------------------------------------------------------------


def test_logic_gates_are_the_truth_tables():
    for name, targets in TRUTH.items():
        X, t = learning.logic_gate(name.lower())
        np.testing.assert_array_equal(X, INPUTS)
        np.testing.assert_array_equal(t, targets)
    X, t = learning.logic_gate("AND")
    X[0, 0] = 9.0
    t[0] = 9.0
    assert learning.logic_gate("AND")[0][0, 0] == 0.0 and learning.LOGIC_GATES["AND"][0] == 0.0
    with pytest.raises(ValueError, match="unknown logic gate 'XNOR'"):
        learning.logic_gate("XNOR")


def test_perceptron_update_by_hand():
    # net = 0.2 − 0.4 + 0.1 = −0.1 < 0: o = 0, t = 1 → raise everything by η x
    w, b, o = learning.perceptron_update([0.2, -0.4], 0.1, [1.0, 1.0], 1, lr=0.5)
    assert o == 0.0
    np.testing.assert_allclose(w, [0.7, 0.1])
    assert b == pytest.approx(0.6)
    # net = 0.2·2 + 0.1 = 0.5 ≥ 0: o = 1, t = 0 → lower by η x
    w, b, o = learning.perceptron_update([0.2, -0.4], 0.1, [2.0, 0.0], 0, lr=0.25)
    assert o == 1.0
    np.testing.assert_allclose(w, [-0.3, -0.4])
    assert b == pytest.approx(-0.15)
    # right answer (net exactly 0 gives 1): nothing moves
    w, b, o = learning.perceptron_update([1.0, 1.0], -2.0, [1.0, 1.0], 1, lr=0.7)
    assert o == 1.0 and list(w) == [1.0, 1.0] and b == -2.0


@pytest.mark.parametrize("lr", [0.05, 0.1, 0.3, 1.0])
def test_perceptron_epoch_equals_the_hand_loop(lr):
    rng = np.random.default_rng(int(lr * 100))
    X = rng.normal(size=(10, 2))
    t = (rng.random(10) > 0.5).astype(float)
    w0, b0 = rng.normal(size=2), float(rng.normal())
    w, b, updates = learning.perceptron_epoch(w0, b0, X, t, lr)
    w_ref, b_ref = _hand_epoch(w0, b0, X, t, lr)
    np.testing.assert_allclose(w, w_ref, rtol=1e-14, atol=1e-15)
    assert b == pytest.approx(b_ref, rel=1e-14, abs=1e-15)
    # updates = the examples that changed the weights, recounted by hand
    wh, bh, changed = [w0[0], w0[1]], b0, 0
    for x, target in zip(X, t, strict=True):
        new, bn = _hand_epoch(wh, bh, [x], [target], lr)
        changed += int(new != wh or bn != bh)
        wh, bh = new, bn
    assert updates == changed


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
@pytest.mark.parametrize("lr", [0.01, 0.1, 0.5, 1.0])
def test_perceptron_converges_on_separable_gates(gate, lr):
    X, t = learning.logic_gate(gate)
    w, b, errors = learning.train_perceptron(X, t, lr=lr, epochs=200)
    assert errors[-1] == 0 and len(errors) < 200
    assert all(e > 0 for e in errors[:-1])  # stops at the first epoch with zero errors
    assert _count_errors(w, b, INPUTS, TRUTH[gate]) == 0
    # the error history is the independent recount, epoch by epoch
    wh, bh = [0.0, 0.0], 0.0
    for e in errors:
        wh, bh = _hand_epoch(wh, bh, INPUTS, TRUTH[gate], lr)
        assert _count_errors(wh, bh, INPUTS, TRUTH[gate]) == e
    np.testing.assert_allclose(w, wh, atol=1e-12)


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.5, 1.0])
def test_perceptron_never_learns_xor(lr):
    X, t = learning.logic_gate("XOR")
    w, b, errors = learning.train_perceptron(X, t, lr=lr, epochs=200)
    assert len(errors) == 200 and min(errors) >= 1
    assert _count_errors(w, b, INPUTS, TRUTH["XOR"]) == errors[-1] >= 1


def test_perceptron_on_point_clouds():
    X, t = learning.point_cloud(40, separable=True, seed=3)
    assert X.shape == (80, 2) and t.shape == (80,) and t.sum() == 40
    w, b, errors = learning.train_perceptron(X, t, lr=0.1, epochs=500)
    assert errors[-1] == 0
    assert _count_errors(w, b, X, t) == 0
    Xo, to = learning.point_cloud(40, separable=False, seed=0)
    _, _, errors = learning.train_perceptron(Xo, to, lr=0.1, epochs=100)
    assert min(errors) > 0
    with pytest.raises(ValueError, match="n must be at least 1"):
        learning.point_cloud(0)


def test_perceptron_bad_shapes():
    X, t = learning.logic_gate("AND")
    with pytest.raises(ValueError, match=r"X must be \(n, n_in\) and t \(n,\)"):
        learning.train_perceptron(X, t[:3])
    with pytest.raises(ValueError, match=r"got \(4,\) and \(4,\)"):
        learning.perceptron_errors([1.0, 1.0], 0.0, X[:, 0], t)
    with pytest.raises(ValueError, match=r"expected \(batch, 2\)"):
        learning.perceptron_update([1.0, 1.0], 0.0, [1.0, 1.0, 1.0], 1, 0.1)


# --------------------------------------------------------------------------------------------
# MLP
# --------------------------------------------------------------------------------------------


def _central_differences(layers, X, Y, eps=1e-6):
    """∂L/∂θ by (L(θ + ε) − L(θ − ε)) / 2ε, one number at a time, with the forward pass
    written here (not course_lib's)."""

    def loss(ls):
        a = np.asarray(X, dtype=float)
        for layer in ls:
            a = cells.ACTIVATIONS[layer["activation"]][0](a @ layer["W"] + layer["b"])
        return float(np.mean((a - Y) ** 2))

    grads = []
    for n, layer in enumerate(layers):
        g = {}
        for key in ("W", "b"):
            arr = layer[key]
            out = np.zeros_like(arr)
            for idx in np.ndindex(arr.shape):
                vals = []
                for sign in (1, -1):
                    bumped = arr.copy()
                    bumped[idx] += sign * eps
                    trial = [dict(lay) for lay in layers]
                    trial[n] = {**layer, key: bumped}
                    vals.append(loss(trial))
                out[idx] = (vals[0] - vals[1]) / (2 * eps)
            g[key] = out
        grads.append(g)
    return grads


@pytest.mark.parametrize(
    "acts", [("sigmoid", "sigmoid"), ("tanh", "linear"), ("relu", "tanh"), ("linear", "sigmoid")]
)
def test_backprop_matches_central_differences(acts):
    rng = np.random.default_rng(len("".join(acts)))
    layers = learning.init_mlp([3, 4, 2], list(acts), seed=2)
    for layer in layers:  # non-zero biases, so their gradients are tested too
        layer["b"] = rng.normal(scale=0.3, size=layer["b"].shape)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    loss, grads = learning.mlp_gradients(layers, X, Y)
    out = cells.mlp_forward(X, layers)
    assert loss == pytest.approx(float(np.mean((out - Y) ** 2)), rel=1e-14)
    num = _central_differences(layers, X, Y)
    for g, r in zip(grads, num, strict=True):
        for key in ("W", "b"):
            np.testing.assert_allclose(g[key], r[key], rtol=1e-6, atol=1e-9)
    assert learning.mlp_gradient_check(layers, X, Y) < 1e-6


def test_backprop_matches_gradient_tape_three_layers():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(7)
    layers = learning.init_mlp([2, 5, 3, 1], ["tanh", "sigmoid", "linear"], seed=5)
    for layer in layers:
        layer["b"] = rng.normal(scale=0.3, size=layer["b"].shape)
    X, Y = rng.normal(size=(8, 2)), rng.normal(size=(8, 1))
    variables = [(tf.Variable(lay["W"]), tf.Variable(lay["b"])) for lay in layers]
    fns = [tf.tanh, tf.sigmoid, tf.identity]
    with tf.GradientTape() as tape:
        a = tf.constant(X)
        for (W, b), fn in zip(variables, fns, strict=True):
            a = fn(a @ W + b)
        loss = tf.reduce_mean((a - Y) ** 2)
    tape_grads = tape.gradient(loss, variables)
    ours_loss, ours = learning.mlp_gradients(layers, X, Y)
    assert ours_loss == pytest.approx(float(loss), rel=1e-12)
    for g, (gW, gb) in zip(ours, tape_grads, strict=True):
        np.testing.assert_allclose(g["W"], gW.numpy(), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(g["b"], gb.numpy(), rtol=1e-10, atol=1e-14)


def test_gradient_check_notices_a_wrong_backprop(monkeypatch):
    layers = learning.init_mlp([2, 3, 1], ["tanh", "sigmoid"], seed=1)
    X, Y = np.random.default_rng(0).normal(size=(5, 2)), np.ones((5, 1))
    assert learning.mlp_gradient_check(layers, X, Y) < 1e-6
    right = learning.mlp_backward

    def doubled(*args):
        return [{k: 2 * v for k, v in g.items()} for g in right(*args)]

    monkeypatch.setattr(learning, "mlp_backward", doubled)
    assert learning.mlp_gradient_check(layers, X, Y) > 0.1


def test_init_mlp_and_train_mlp():
    layers = learning.init_mlp([400, 300, 1], ["tanh", "linear"], seed=0, scale=2.0)
    assert layers[0]["W"].shape == (400, 300) and layers[1]["b"].shape == (1,)
    assert abs(layers[0]["W"].std() - 2.0 / math.sqrt(400)) < 0.003
    assert np.all(layers[0]["b"] == 0)
    with pytest.raises(ValueError, match="need 2 activations"):
        learning.init_mlp([2, 3, 1], ["tanh"])
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        learning.init_mlp([2, 3, 1], ["tanh", "gelu"])
    small = learning.init_mlp([1, 3, 1], ["tanh", "linear"], seed=0)
    x = np.linspace(-1, 1, 20)[:, None]
    trained, losses = learning.train_mlp(small, x, x**2, lr=0.1, epochs=300)
    assert len(losses) == 300 and losses[-1] < 0.5 * losses[0]
    assert trained[0]["W"] is not small[0]["W"]
    np.testing.assert_array_equal(
        small[0]["W"], learning.init_mlp([1, 3, 1], ["tanh", "linear"])[0]["W"]
    )
    # one step is W − η ∂L/∂W
    one, _ = learning.train_mlp(small, x, x**2, lr=0.1, epochs=1)
    _, g = learning.mlp_gradients(small, x, x**2)
    np.testing.assert_allclose(one[1]["W"], small[1]["W"] - 0.1 * g[1]["W"], rtol=1e-14)


def test_xor_network_of_lesson_02():
    X, t = learning.logic_gate("XOR")
    net = learning.init_mlp([2, 2, 1], ["tanh", "sigmoid"], seed=0)
    net, losses = learning.train_mlp(net, X, t[:, None], lr=2.0, epochs=2000)
    out = cells.mlp_forward(X, net).ravel()
    assert np.all((out > 0.5) == (t == 1)), out
    assert losses[-1] < 0.05 < losses[0]


def test_mlp_bad_shapes():
    layers = learning.init_mlp([3, 2, 1], ["tanh", "linear"])
    with pytest.raises(ValueError, match=r"X has shape \(3,\); expected \(batch, n_in\)"):
        learning.mlp_forward_cache(np.zeros(3), layers)
    with pytest.raises(
        ValueError, match=r"layer 0 expects 3 inputs, got an input of shape \(4, 2\)"
    ):
        learning.mlp_gradients(layers, np.zeros((4, 2)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"shape \(4, ?1\)"):  # Y does not fit the output
        learning.mlp_loss(layers, np.zeros((4, 3)), np.zeros((5, 1)))


def test_layers_without_activation_are_linear_as_in_cells_mlp_forward():
    rng = np.random.default_rng(12)
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    layer = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}  # no "activation" key
    np.testing.assert_allclose(
        learning.mlp_forward_cache(X, [layer])[0], cells.mlp_forward(X, [layer])
    )
    # linear least squares, by hand: L = mean((XW + b − Y)²), ∂L/∂W = 2 Xᵀ(XW + b − Y) / N
    residual = X @ layer["W"] + layer["b"] - Y
    loss, (g,) = learning.mlp_gradients([layer], X, Y)
    assert loss == pytest.approx(float(np.mean(residual**2)), rel=1e-14)
    np.testing.assert_allclose(g["W"], 2 * X.T @ residual / residual.size, rtol=1e-13)
    np.testing.assert_allclose(g["b"], 2 * residual.sum(axis=0) / residual.size, rtol=1e-13)
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        learning.mlp_loss([{**layer, "activation": "gelu"}], X, Y)
    with pytest.raises(ValueError, match="layer 0 is missing key 'b'"):
        learning.mlp_gradients([{"W": layer["W"]}], X, Y)


# --------------------------------------------------------------------------------------------
# Hidden units
# --------------------------------------------------------------------------------------------


def test_hidden_unit_curves_one_unit_closed_form():
    x = np.linspace(-1, 2, 13)
    contrib, out = learning.hidden_unit_curves(x, [4.0], [-2.0], [1.5], c=0.25)
    ref = [1.5 / (1 + math.exp(-(4.0 * xi - 2.0))) for xi in x]
    assert contrib.shape == (1, 13) and out.shape == (13,)
    np.testing.assert_allclose(contrib[0], ref, rtol=1e-14)
    np.testing.assert_allclose(out, np.array(ref) + 0.25, rtol=1e-14)
    _, out_tanh = learning.hidden_unit_curves(x, [4.0], [-2.0], [1.5], activation="tanh")
    np.testing.assert_allclose(out_tanh, [1.5 * math.tanh(4 * xi - 2) for xi in x], rtol=1e-14)


def test_hidden_unit_curves_two_units_make_a_bump():
    x = np.linspace(0, 1, 101)
    w, b, v = [40.0, 40.0], [-12.0, -28.0], [1.0, -1.0]  # steps at 0.3 and 0.7
    contrib, out = learning.hidden_unit_curves(x, w, b, v)
    np.testing.assert_allclose(out, contrib.sum(axis=0), rtol=1e-14)
    ref = [1 / (1 + math.exp(-(40 * xi - 12))) - 1 / (1 + math.exp(-(40 * xi - 28))) for xi in x]
    np.testing.assert_allclose(out, ref, atol=1e-14)
    assert out[50] > 0.95 and out[0] < 0.01 and out[-1] < 0.01
    with pytest.raises(ValueError, match="same length"):
        learning.hidden_unit_curves(x, [1.0, 2.0], [0.0], [1.0, 1.0])


def _hand_grads(x, t, w, b, v, c):
    """MSE of ŷ = c + Σ_j v_j σ(w_j x + b_j) and its gradients, written out with scalar loops."""
    n = len(x)
    loss, gw, gb, gv, gc = 0.0, [0.0] * len(w), [0.0] * len(w), [0.0] * len(w), 0.0
    for xi, ti in zip(x, t, strict=True):
        h = [1 / (1 + math.exp(-(wj * xi + bj))) for wj, bj in zip(w, b, strict=True)]
        err = c + sum(vj * hj for vj, hj in zip(v, h, strict=True)) - ti
        loss += err**2 / n
        gc += 2 * err / n
        for j, hj in enumerate(h):
            gv[j] += 2 * err / n * hj
            gw[j] += 2 * err / n * v[j] * hj * (1 - hj) * xi
            gb[j] += 2 * err / n * v[j] * hj * (1 - hj)
    return loss, gw, gb, gv, gc


def _hand_fit(x, t, w, b, v, epochs, lr, every):
    """Gradient descent with an output bias c, c set back to 0 after every ``every`` steps."""
    w, b, v, c = list(w), list(b), list(v), 0.0
    for _ in range(epochs // every):
        for _ in range(every):
            _, gw, gb, gv, gc = _hand_grads(x, t, w, b, v, c)
            w = [p - lr * g for p, g in zip(w, gw, strict=True)]
            b = [p - lr * g for p, g in zip(b, gb, strict=True)]
            v = [p - lr * g for p, g in zip(v, gv, strict=True)]
            c -= lr * gc
        c = 0.0
    return w, b, v


FIT_X = [0.0, 0.15, 0.3, 0.5, 0.7, 0.85, 1.0]
FIT_T = [0.1, 0.4, 0.9, 1.2, 0.8, 0.3, 0.2]
FIT_START = ([5.0, -3.0, 8.0], [-1.0, 1.5, -6.0], [0.5, -0.4, 0.3])


def test_hand_gradients_of_the_fit_match_central_differences():
    # the reference below is only as good as these written-out gradients
    w, b, v = FIT_START
    _, gw, gb, gv, gc = _hand_grads(FIT_X, FIT_T, w, b, v, 0.2)
    eps = 1e-6
    for name, grad in (("w", gw), ("b", gb), ("v", gv)):
        for j in range(3):
            up = {"w": list(w), "b": list(b), "v": list(v)}
            down = {"w": list(w), "b": list(b), "v": list(v)}
            up[name][j] += eps
            down[name][j] -= eps
            fd = (_hand_grads(FIT_X, FIT_T, **up, c=0.2)[0]
                  - _hand_grads(FIT_X, FIT_T, **down, c=0.2)[0]) / (2 * eps)  # fmt: skip
            assert grad[j] == pytest.approx(fd, rel=1e-6, abs=1e-9)
    fd_c = (_hand_grads(FIT_X, FIT_T, w, b, v, 0.2 + eps)[0]
            - _hand_grads(FIT_X, FIT_T, w, b, v, 0.2 - eps)[0]) / (2 * eps)  # fmt: skip
    assert gc == pytest.approx(fd_c, rel=1e-6)


def test_fit_hidden_units_equals_the_hand_loop_with_the_bias_reset():
    w, b, v = FIT_START
    got = learning.fit_hidden_units(FIT_X, FIT_T, w, b, v, epochs=120, lr=0.3, bias_reset_every=40)
    want = _hand_fit(FIT_X, FIT_T, w, b, v, 120, 0.3, 40)
    for g, r in zip(got, want, strict=True):
        assert g.shape == (3,)
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-12)
    # the reset matters: one round of 120 steps (c kept all along) ends elsewhere
    once = _hand_fit(FIT_X, FIT_T, w, b, v, 120, 0.3, 120)
    assert not np.allclose(got[2], once[2], rtol=1e-3)
    # epochs beyond whole rounds are not run; 0 epochs returns the start; inputs are not changed
    short = learning.fit_hidden_units(
        FIT_X, FIT_T, w, b, v, epochs=159, lr=0.3, bias_reset_every=40
    )
    for g, r in zip(short, got, strict=True):
        np.testing.assert_array_equal(g, r)
    start = [np.array(a) for a in FIT_START]
    none = learning.fit_hidden_units(FIT_X, FIT_T, *start, epochs=0)
    for g, a, r in zip(none, start, FIT_START, strict=True):
        np.testing.assert_array_equal(g, r)
        assert g is not a
        np.testing.assert_array_equal(a, r)


def test_fit_hidden_units_lowers_the_error_of_the_network_without_bias():
    w, b, v = FIT_START
    before = _hand_grads(FIT_X, FIT_T, w, b, v, 0.0)[0]
    after = _hand_grads(FIT_X, FIT_T, *learning.fit_hidden_units(FIT_X, FIT_T, w, b, v), 0.0)[0]
    assert after < 0.5 * before


def test_fit_hidden_units_bad_arguments():
    w, b, v = FIT_START
    with pytest.raises(ValueError, match="same length"):
        learning.fit_hidden_units(FIT_X, FIT_T, w, b[:2], v)
    with pytest.raises(ValueError, match="target has shape"):
        learning.fit_hidden_units(FIT_X, FIT_T[:3], w, b, v)
    with pytest.raises(ValueError, match="bias_reset_every >= 1"):
        learning.fit_hidden_units(FIT_X, FIT_T, w, b, v, bias_reset_every=0)


# --------------------------------------------------------------------------------------------
# Linear unit: regression by the delta rule, against least squares
# --------------------------------------------------------------------------------------------


def _regression_data(n=40, n_in=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_in))
    t = X @ rng.normal(size=n_in) + 0.7 + rng.normal(scale=0.3, size=n)  # not an exact fit
    return X, t


def _lstsq(X, t):
    coef = np.linalg.lstsq(np.c_[X, np.ones(len(X))], t, rcond=None)[0]
    return coef[:-1], coef[-1]


def test_delta_rule_update_by_hand():
    # y = 0.5·2 − 1·1 + 0.25 = 0.25; t − y = 0.75; η (t − y) = 0.075
    w, b, y = learning.delta_rule_update([0.5, -1.0], 0.25, [2.0, 1.0], 1.0, lr=0.1)
    assert y == pytest.approx(0.25)
    np.testing.assert_allclose(w, [0.5 + 0.15, -1.0 + 0.075])
    assert b == pytest.approx(0.325)
    # a right answer moves nothing
    w, b, y = learning.delta_rule_update([1.0, 1.0], 0.0, [1.0, 2.0], 3.0, lr=0.5)
    assert y == 3.0 and list(w) == [1.0, 1.0] and b == 0.0
    with pytest.raises(ValueError, match="same length"):
        learning.delta_rule_update([1.0, 1.0], 0.0, [1.0, 2.0, 3.0], 3.0, lr=0.5)


def test_delta_rule_is_the_step_down_the_squared_error_of_one_example():
    # E = ½ (t − y)²: the update equals −η dE/dθ by central differences
    w0, b0, x, t, lr, eps = np.array([0.3, -0.2]), 0.1, np.array([1.5, -0.5]), 2.0, 0.05, 1e-6

    def e(w, b):
        return 0.5 * (t - (x[0] * w[0] + x[1] * w[1] + b)) ** 2

    dw = [(e(w0 + eps * d, b0) - e(w0 - eps * d, b0)) / (2 * eps) for d in np.eye(2)]
    db = (e(w0, b0 + eps) - e(w0, b0 - eps)) / (2 * eps)
    w, b, _ = learning.delta_rule_update(w0, b0, x, t, lr)
    np.testing.assert_allclose(w - w0, -lr * np.array(dw), rtol=1e-7)
    assert b - b0 == pytest.approx(-lr * db, rel=1e-7)


def test_linear_unit_gradients_match_central_differences_and_vanish_at_least_squares():
    X, t = _regression_data()
    w, b = np.array([0.2, -0.1, 0.4]), -0.3
    loss, dw, db = learning.linear_unit_gradients(w, b, X, t)
    assert loss == pytest.approx(float(np.mean((X @ w + b - t) ** 2)), rel=1e-14)
    eps = 1e-6

    def mse(w_, b_):  # written out here, not course_lib's
        return sum(
            (sum(xi * wi for xi, wi in zip(row, w_, strict=True)) + b_ - ti) ** 2
            for row, ti in zip(X, t, strict=True)
        ) / len(t)

    num_w = [(mse(w + eps * d, b) - mse(w - eps * d, b)) / (2 * eps) for d in np.eye(3)]
    num_b = (mse(w, b + eps) - mse(w, b - eps)) / (2 * eps)
    np.testing.assert_allclose(dw, num_w, rtol=1e-6)
    assert db == pytest.approx(num_b, rel=1e-6)
    w_ls, b_ls = _lstsq(X, t)  # the normal equations hold at the least-squares solution
    _, dw_ls, db_ls = learning.linear_unit_gradients(w_ls, b_ls, X, t)
    np.testing.assert_allclose(dw_ls, 0.0, atol=1e-12)
    assert abs(db_ls) < 1e-12


def test_full_batch_gradient_descent_reaches_least_squares():
    X, t = _regression_data()
    w, b, losses = learning.train_linear_unit(X, t, lr=0.1, epochs=2000, online=False)
    w_ls, b_ls = _lstsq(X, t)
    np.testing.assert_allclose(w, w_ls, atol=1e-9)
    assert b == pytest.approx(b_ls, abs=1e-9)
    assert losses[-1] == pytest.approx(float(np.mean((X @ w_ls + b_ls - t) ** 2)), rel=1e-9)
    assert all(b_ <= a_ + 1e-15 for a_, b_ in zip(losses, losses[1:], strict=False))


def test_online_delta_rule_ends_near_least_squares_closer_for_smaller_lr():
    X, t = _regression_data()
    w_ls, b_ls = _lstsq(X, t)
    gaps = []
    for lr in (0.02, 0.002):
        w, b, _ = learning.train_linear_unit(X, t, lr=lr, epochs=3000, online=True)
        gaps.append(np.linalg.norm(np.r_[w - w_ls, b - b_ls]))
    assert gaps[0] < 0.05 and gaps[1] < gaps[0] / 5, gaps


def test_online_epoch_equals_a_hand_loop():
    X, t = _regression_data(n=5, n_in=2, seed=3)
    w, b = [0.0, 0.0], 0.0
    for x, target in zip(X.tolist(), t.tolist(), strict=True):
        y = w[0] * x[0] + w[1] * x[1] + b
        d = 0.1 * (target - y)
        w, b = [w[0] + d * x[0], w[1] + d * x[1]], b + d
    w_c, b_c, losses = learning.train_linear_unit(X, t, lr=0.1, epochs=1)
    np.testing.assert_allclose(w_c, w, rtol=1e-13)
    assert b_c == pytest.approx(b, rel=1e-13) and len(losses) == 1


def test_linear_unit_is_a_one_layer_linear_mlp():
    # train_mlp on [n_in, 1] with a linear output makes exactly the full-batch steps
    X, t = _regression_data(seed=4)
    w0 = np.array([0.1, 0.2, -0.3])
    net = [{"W": w0[:, None].copy(), "b": np.array([0.05]), "activation": "linear"}]
    net, mlp_losses = learning.train_mlp(net, X, t[:, None], lr=0.05, epochs=50)
    w, b, losses = learning.train_linear_unit(
        X, t, lr=0.05, epochs=50, online=False, w0=w0, b0=0.05
    )
    np.testing.assert_allclose(net[0]["W"][:, 0], w, rtol=1e-12)
    assert net[0]["b"][0] == pytest.approx(b, rel=1e-12)
    np.testing.assert_allclose(mlp_losses[1:], losses[:-1], rtol=1e-12)  # loss before vs after


def test_linear_unit_errors():
    X, t = _regression_data(n=4, n_in=2)
    with pytest.raises(ValueError, match="expected \\(2,\\)"):
        learning.linear_unit(X, [1.0, 2.0, 3.0], 0.0)
    with pytest.raises(ValueError, match="X must be"):
        learning.train_linear_unit(X, t[:3])
    with pytest.raises(FloatingPointError, match="lr=50"):
        learning.train_linear_unit(X * 100, t, lr=50.0, epochs=200, online=False)


def test_mlp_with_a_linear_output_fits_a_curve_a_line_cannot():
    # regression with the MLP: tanh hidden layer, linear output, MSE; beats least squares on a
    # curved target (the target is a parabola: a line's best MSE is its residual variance)
    x = np.linspace(-1, 1, 41)
    y = x**2
    w_ls, b_ls = _lstsq(x[:, None], y)
    line_mse = float(np.mean((x * w_ls[0] + b_ls - y) ** 2))
    assert line_mse == pytest.approx(np.var(y), rel=1e-9)  # symmetric: the best line is flat
    net = learning.init_mlp([1, 4, 1], ["tanh", "linear"], seed=0, scale=2.0)
    assert learning.mlp_gradient_check(net, x[:, None], y[:, None]) < 1e-7
    net, losses = learning.train_mlp(net, x[:, None], y[:, None], lr=0.1, epochs=3000)
    assert losses[-1] < line_mse / 10
