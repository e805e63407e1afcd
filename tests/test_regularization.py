"""course_lib.regularization: inverted-dropout masks against keras.layers.Dropout, the masked RNN
against keras.layers.SimpleRNN(dropout=…, recurrent_dropout=…) with the mask read out of Keras by
a probe layer (identity weights), layer normalisation against keras.layers.LayerNormalization and
a hand computation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import cells
from course_lib import regularization as reg

keras = pytest.importorskip("keras")


def test_dropout_mask_values_and_rate():
    m = reg.dropout_mask((200, 100), 0.3, rng=0)
    assert set(np.unique(m)) == {0.0, 1 / 0.7}
    # 20,000 draws: the share of zeros is 0.3 ± 4 standard deviations
    assert abs((m == 0).mean() - 0.3) < 4 * math.sqrt(0.3 * 0.7 / 20_000)
    assert abs(m.mean() - 1.0) < 0.03  # inverted dropout keeps the mean
    assert np.all(reg.dropout_mask((3, 4), 0.0, rng=1) == 1.0)
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
        reg.dropout_mask((2,), 1.0)


def test_dropout_mask_matches_keras_dropout():
    x = np.ones((200, 100), dtype="float32")
    got = np.asarray(keras.layers.Dropout(0.3, seed=1)(x, training=True))
    assert np.allclose(np.unique(got), [0.0, 1 / 0.7])  # the same two values as ours
    assert abs((got == 0).mean() - 0.3) < 4 * math.sqrt(0.3 * 0.7 / 20_000)
    np.testing.assert_array_equal(keras.layers.Dropout(0.3)(x, training=False), x)


def _probe_masks(batch, n, *, dropout=0.0, recurrent_dropout=0.0, seed=7):
    """Read Keras' masks out of a linear SimpleRNN with identity weights.

    With Wx = I, Wh = I, b = 0 and inputs x_1 = 1, x_t = 0 afterwards:
    h_1 = m_x, h_2 = (h_1 * m_h), h_3 = (h_2 * m_h), … if the masks are the same at every step.
    """
    layer = keras.layers.SimpleRNN(
        n, activation="linear", return_sequences=True, dropout=dropout,
        recurrent_dropout=recurrent_dropout, seed=seed,
    )  # fmt: skip
    X = np.zeros((batch, 4, n), dtype="float32")
    X[:, 0] = 1.0
    layer.build(X.shape)
    layer.set_weights([np.eye(n), np.eye(n), np.zeros(n)])
    return np.asarray(layer(X, training=True))


def test_keras_uses_one_mask_per_sequence_for_all_steps():
    H = _probe_masks(64, 5, recurrent_dropout=0.5)
    m_h = H[:, 1]  # h_2 = h_1 * m_h with h_1 = 1
    assert set(np.unique(m_h)) == {0.0, 2.0}
    np.testing.assert_allclose(H[:, 2], m_h * m_h)  # the same mask again at step 3
    np.testing.assert_allclose(H[:, 3], m_h**3)
    H = _probe_masks(64, 5, dropout=0.5)
    m_x = H[:, 0]
    assert set(np.unique(m_x)) == {0.0, 2.0}
    np.testing.assert_allclose(H[:, 1], m_x)  # x_2 = 0: h_2 = h_1, nothing new enters


@pytest.mark.parametrize("which", ["dropout", "recurrent_dropout"])
def test_masked_rnn_matches_keras_simple_rnn(which):
    batch, time, n = 6, 5, 4
    kw = {which: 0.4}
    H = _probe_masks(batch, n, seed=11, **kw)
    mask = H[:, 0] if which == "dropout" else H[:, 1]
    # a layer with the same seed draws the same mask on its first call (checked: same shapes)
    params = cells.init_params("rnn", n, n, seed=3, scale=0.8)
    layer = keras.layers.SimpleRNN(n, return_sequences=True, seed=11, **kw)
    X = np.random.default_rng(0).normal(size=(batch, time, n)).astype("float32")
    layer.build(X.shape)
    layer.set_weights([params["Wx"], params["Wh"], params["b"]])
    got = np.asarray(layer(X, training=True))
    masks = {"m_x": mask} if which == "dropout" else {"m_h": mask}
    want = reg.rnn_forward_masked(X, params, **masks)
    np.testing.assert_allclose(got, want, atol=1e-5)
    # and without masks it is the plain recurrence
    np.testing.assert_allclose(
        np.asarray(layer(X, training=False)), reg.rnn_forward_masked(X, params), atol=1e-5
    )
    assert not np.allclose(got, reg.rnn_forward_masked(X, params), atol=1e-3)


def test_masks_helper_shapes_and_errors():
    m_x, m_h = reg.recurrent_dropout_masks(3, 2, 5, dropout=0.5, recurrent_dropout=0.0, rng=0)
    assert m_x.shape == (3, 2) and m_h.shape == (3, 5) and np.all(m_h == 1)
    with pytest.raises(ValueError, match="recurrent_dropout"):
        reg.recurrent_dropout_masks(1, 1, 1, recurrent_dropout=-0.1)
    params = cells.init_params("rnn", 2, 3, seed=0)
    with pytest.raises(ValueError, match="masks must have shapes"):
        reg.rnn_forward_masked(np.zeros((2, 4, 2)), params, m_x=np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(batch, time, n_in\)"):
        reg.rnn_forward_masked(np.zeros((4, 2)), params)


def test_layer_norm_by_hand_and_against_keras():
    a = np.array([[1.0, 2.0, 3.0, 6.0]])
    mu, var = 3.0, (4 + 1 + 0 + 9) / 4
    want = (a - mu) / math.sqrt(var + 1e-3)
    np.testing.assert_allclose(reg.layer_norm(a), want, rtol=1e-13)
    rng = np.random.default_rng(5)
    X = rng.normal(2.0, 3.0, size=(3, 7, 6)).astype("float32")
    gamma, beta = rng.normal(size=6), rng.normal(size=6)
    layer = keras.layers.LayerNormalization()
    layer.build(X.shape)
    layer.set_weights([gamma.astype("float32"), beta.astype("float32")])
    np.testing.assert_allclose(np.asarray(layer(X)), reg.layer_norm(X, gamma, beta), atol=1e-5)
    out = reg.layer_norm(X)
    np.testing.assert_allclose(out.mean(axis=-1), 0.0, atol=1e-6)
    np.testing.assert_allclose(out.std(axis=-1), 1.0, atol=1e-3)
