"""course_lib.keras_bridge: numpy cells and Keras layers agree to 1e-5 on the same weights, in both
directions of the bridge, for SimpleRNN, LSTM, GRU(reset_after=True) and GRU(reset_after=False);
gate activations read out of Keras models; errors for what the bridge cannot handle."""

from __future__ import annotations

import itertools
import zlib

import numpy as np
import pytest

from course_lib import cells, keras_bridge

keras = pytest.importorskip("keras")

KINDS = ("rnn", "lstm", "gru", "gru_classic")

# the shape grid of the issue: (batch, time, n_in, units)
GRID = list(itertools.product((1, 5), (1, 17), (1, 3), (1, 8)))
# a diagonal for the other kinds: every value of every axis appears at least once
DIAGONAL = [(1, 1, 1, 1), (5, 17, 3, 8), (1, 17, 3, 1), (5, 1, 1, 8)]
CASES = [("lstm", s) for s in GRID] + [
    (kind, s) for kind in ("rnn", "gru", "gru_classic") for s in DIAGONAL
]


def _new_layer(kind, units, **kw):
    if kind == "rnn":
        return keras.layers.SimpleRNN(units, return_sequences=True, **kw)
    if kind == "lstm":
        return keras.layers.LSTM(units, return_sequences=True, **kw)
    return keras.layers.GRU(units, return_sequences=True, reset_after=kind == "gru", **kw)


def _numpy_run(kind, X, params):
    step = {"rnn": cells.rnn_step, "lstm": cells.lstm_step}.get(kind, cells.gru_step)
    kw = {"reset_after": kind == "gru"} if kind.startswith("gru") else {}
    return cells.run_sequence(step, X, None, params, **kw)[0]


def _case_id(case):
    kind, (b, t, n_in, u) = case
    return f"{kind}-b{b}-t{t}-in{n_in}-u{u}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_keras_and_numpy_agree_both_ways_on_random_weights(case):
    kind, (batch, time, n_in, units) = case
    seed = zlib.crc32(_case_id(case).encode())
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, time, n_in)).astype("float32")

    # direction 1: random Keras weights (biases included) -> params_from_keras -> numpy
    layer = _new_layer(kind, units)
    layer.build((None, None, n_in))
    random_weights = [rng.uniform(-0.8, 0.8, size=w.shape).astype("float32") for w in layer.weights]
    layer.set_weights(random_weights)
    bias = np.asarray(layer.cell.bias)
    assert np.all(bias != 0)  # the biases really are random, not Keras' zeros / unit forget bias
    params = keras_bridge.params_from_keras(layer)
    assert set(params) == set(cells.init_params(kind, n_in, units))
    expected = np.asarray(layer(X))
    assert expected.shape == (batch, time, units)
    np.testing.assert_allclose(_numpy_run(kind, X, params), expected, atol=1e-5, rtol=0)
    step, kw = keras_bridge.step_for(layer)
    H, _ = cells.run_sequence(step, X, None, params, **kw)
    np.testing.assert_allclose(H, expected, atol=1e-5, rtol=0)

    # direction 2: random numpy params -> params_to_keras into a fresh (unbuilt) layer -> Keras
    p = cells.init_params(kind, n_in, units, seed=seed % 1000 + 1, scale=0.6)
    fresh = _new_layer(kind, units)
    keras_bridge.params_to_keras(p, fresh)
    np.testing.assert_allclose(np.asarray(fresh(X)), _numpy_run(kind, X, p), atol=1e-5, rtol=0)
    # and the round trip returns the same numbers (to float32)
    back = keras_bridge.params_from_keras(fresh)
    assert set(back) == set(p)
    for k in p:
        np.testing.assert_allclose(back[k], p[k], atol=1e-7, rtol=1e-6, err_msg=k)


def test_packing_order_is_i_f_c_o_for_lstm_and_z_r_h_for_gru():
    """LSTM gates are packed i, f, c, o in Keras; GRU z, r, h; check it on the layer's columns."""
    n_in, n = 2, 3
    lstm = _new_layer("lstm", n)
    p = cells.init_params("lstm", n_in, n, seed=4)
    keras_bridge.params_to_keras(p, lstm)
    kernel = np.asarray(lstm.cell.kernel)
    for j, k in enumerate("ifgo"):
        np.testing.assert_allclose(kernel[:, j * n : (j + 1) * n], p[f"Wx_{k}"], rtol=1e-6)
    gru = _new_layer("gru", n)
    q = cells.init_params("gru", n_in, n, seed=5)
    keras_bridge.params_to_keras(q, gru)
    bias = np.asarray(gru.cell.bias)
    assert bias.shape == (2, 3 * n)
    np.testing.assert_allclose(bias[0, n : 2 * n], q["b_r"], rtol=1e-6)
    np.testing.assert_allclose(bias[1, 2 * n :], q["bh_h"], rtol=1e-6)


def test_layer_kind_and_step_for():
    assert keras_bridge.layer_kind(keras.layers.SimpleRNN(2)) == "rnn"
    assert keras_bridge.layer_kind(keras.layers.LSTM(2)) == "lstm"
    assert keras_bridge.layer_kind(keras.layers.GRU(2)) == "gru"
    assert keras_bridge.layer_kind(keras.layers.GRU(2, reset_after=False)) == "gru_classic"
    assert keras_bridge.step_for(keras.layers.LSTM(2)) == (cells.lstm_step, {})
    assert keras_bridge.step_for(keras.layers.GRU(2, reset_after=False)) == (
        cells.gru_step,
        {"reset_after": False},
    )
    with pytest.raises(ValueError, match="Dense"):
        keras_bridge.layer_kind(keras.layers.Dense(2))


def test_use_bias_false_reads_zero_biases():
    layer = keras.layers.GRU(3, use_bias=False, return_sequences=True)
    layer.build((None, None, 2))
    params = keras_bridge.params_from_keras(layer)
    for k in ("b_z", "b_r", "b_h", "bh_z", "bh_r", "bh_h"):
        np.testing.assert_array_equal(params[k], np.zeros(3))
    X = np.random.default_rng(0).normal(size=(2, 4, 2)).astype("float32")
    np.testing.assert_allclose(_numpy_run("gru", X, params), np.asarray(layer(X)), atol=1e-5)
    p = cells.init_params("gru", 2, 3)
    with pytest.raises(ValueError, match="use_bias=False"):
        keras_bridge.params_to_keras(p, layer)


def test_params_to_keras_errors():
    p = cells.init_params("lstm", 2, 3)
    with pytest.raises(ValueError, match="3 units.*units=4"):
        keras_bridge.params_to_keras(p, keras.layers.LSTM(4))
    with pytest.raises(ValueError, match="missing key 'Wh_o'"):
        keras_bridge.params_to_keras(
            {k: v for k, v in p.items() if k != "Wh_o"}, keras.layers.LSTM(3)
        )
    with pytest.raises(ValueError, match="missing key 'Wx_f'"):
        keras_bridge.params_to_keras(
            {k: v for k, v in p.items() if k != "Wx_f"}, keras.layers.LSTM(3)
        )
    with pytest.raises(ValueError, match="missing key 'bh_r'"):
        q = cells.init_params("gru", 2, 3)
        keras_bridge.params_to_keras(
            {k: v for k, v in q.items() if k != "bh_r"}, keras.layers.GRU(3)
        )
    built = keras.layers.LSTM(3)
    built.build((None, None, 5))
    with pytest.raises(ValueError, match="n_in=2.*built for 5"):
        keras_bridge.params_to_keras(p, built)
    with pytest.raises(ValueError, match=r"params\['b_i'\] has shape \(4,\); expected \(3,\)"):
        keras_bridge.params_to_keras({**p, "b_i": np.zeros(4)}, keras.layers.LSTM(3))
    with pytest.raises(ValueError, match="no weights yet"):
        keras_bridge.params_from_keras(keras.layers.LSTM(3))


def test_activations_the_cells_do_not_have_are_refused():
    relu = keras.layers.SimpleRNN(3, activation="relu")
    relu.build((None, None, 2))
    with pytest.raises(ValueError, match="'relu'"):
        keras_bridge.params_from_keras(relu)
    with pytest.raises(ValueError, match="'relu'"):
        keras_bridge.params_to_keras(cells.init_params("rnn", 2, 3), relu)
    with pytest.raises(ValueError, match="'relu'"):
        keras_bridge.params_to_keras(
            cells.init_params("lstm", 2, 3), keras.layers.LSTM(3, activation="relu")
        )
    with pytest.raises(ValueError, match="recurrent_activation='sigmoid'.*hard_sigmoid"):
        keras_bridge.layer_kind(keras.layers.GRU(3, recurrent_activation="hard_sigmoid"))


# --------------------------------------------------------------------------------------------
# gate_activations
# --------------------------------------------------------------------------------------------


def _sub_model_output(model, layer, X):
    sub = keras.Model(inputs=model.inputs, outputs=layer.output)
    return np.asarray(sub.predict(X, verbose=0))


def test_gate_activations_of_a_sequential_lstm_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((6, 2)),
            keras.layers.LSTM(4, return_sequences=True, name="lstm"),
            keras.layers.Dense(1),
        ]
    )
    lstm = model.get_layer("lstm")
    rng = np.random.default_rng(1)
    lstm.set_weights([rng.uniform(-1, 1, size=w.shape) for w in lstm.get_weights()])
    X = rng.normal(size=(3, 6, 2)).astype("float32")
    acts = keras_bridge.gate_activations(model, X)
    assert set(acts) == {"f", "i", "o", "g", "c", "h"}
    for v in acts.values():
        assert v.shape == (3, 6, 4)
    np.testing.assert_allclose(acts["h"], _sub_model_output(model, lstm, X), atol=1e-5)
    for k in "fio":
        assert np.all((acts[k] >= 0) & (acts[k] <= 1)), k
    assert np.all(np.abs(acts["g"]) <= 1)
    np.testing.assert_allclose(acts["h"], acts["o"] * np.tanh(acts["c"]), atol=1e-12)
    # by layer, by name, and the layer alone give the same
    by_name = keras_bridge.gate_activations(model, X, layer="lstm")
    np.testing.assert_array_equal(by_name["f"], acts["f"])
    alone = keras_bridge.gate_activations(lstm, X)
    np.testing.assert_array_equal(alone["c"], acts["c"])


def test_gate_activations_when_the_recurrent_layer_is_not_first():
    keras.utils.set_random_seed(1)
    inp = keras.Input((5, 3))
    x = keras.layers.Dense(4, activation="tanh", name="pre")(inp)
    x = keras.layers.GRU(2, name="gru")(x)  # return_sequences=False: last h only
    model = keras.Model(inp, keras.layers.Dense(1)(x))
    gru = model.get_layer("gru")
    rng = np.random.default_rng(2)
    gru.set_weights([rng.uniform(-1, 1, size=w.shape) for w in gru.get_weights()])
    X = rng.normal(size=(4, 5, 3)).astype("float32")
    acts = keras_bridge.gate_activations(model, X)
    assert set(acts) == {"z", "r", "h_tilde", "h"}
    assert acts["h"].shape == (4, 5, 2)
    np.testing.assert_allclose(acts["h"][:, -1], _sub_model_output(model, gru, X), atol=1e-5)
    for k in "zr":
        assert np.all((acts[k] >= 0) & (acts[k] <= 1)), k


def test_gate_activations_without_a_recurrent_layer():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="no SimpleRNN, LSTM or GRU"):
        keras_bridge.gate_activations(model, np.zeros((1, 3)))
