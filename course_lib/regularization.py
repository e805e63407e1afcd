"""Regularising and stabilising recurrent networks: dropout masks and layer normalisation, in numpy.

**Dropout** (Srivastava et al. 2014), in its "inverted" form as Keras implements it: during
training each entry is kept with probability 1 − p and multiplied by 1/(1 − p), or set to 0:

    m_k ∈ {0, 1/(1 − p)},  P(m_k = 0) = p,       x̃ = m * x      (E[x̃] = x)

so nothing needs rescaling at test time, when no mask is applied.

**Dropout in a recurrent layer** (Gal & Ghahramani 2016, Keras' ``dropout`` and
``recurrent_dropout``): one mask per sequence, the *same at every time step*:

    h_t = tanh((x_t * m_x) Wx + (h_{t−1} * m_h) Wh + b)

``dropout=p`` draws ``m_x`` (drops input channels), ``recurrent_dropout=p`` draws ``m_h`` (drops
units of the state fed back). A mask redrawn at every step would, on the recurrent path, multiply
the memory by a new random 0 at almost every step and erase it.

**Layer normalisation** (Ba, Kiros & Hinton 2016): normalise each vector over its own features,

    μ = mean_k a_k,   σ² = mean_k (a_k − μ)²,   LN(a) = γ * (a − μ) / √(σ² + ε) + β

(γ, β learned per feature; ``keras.layers.LayerNormalization`` with ε = 0.001). Unlike batch
normalisation it needs no batch statistics, so it works the same at every time step and for a
single sequence.
"""

from __future__ import annotations

import numpy as np

from . import cells

__all__ = ["dropout_mask", "recurrent_dropout_masks", "rnn_forward_masked", "layer_norm"]


def _check_rate(rate: float, name: str = "rate") -> float:
    rate = float(rate)
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {rate}")
    return rate


def dropout_mask(shape, rate: float, rng=None) -> np.ndarray:
    """An inverted-dropout mask: each entry 0 with probability ``rate``, else 1/(1 − rate).

    ``rng`` is a ``numpy.random.Generator`` or a seed. Multiply the activations by it.
    """
    rate = _check_rate(rate)
    rng = np.random.default_rng(rng)
    keep = rng.random(shape) >= rate
    return keep / (1.0 - rate)


def recurrent_dropout_masks(
    batch: int, n_in: int, n_h: int, dropout: float = 0.0, recurrent_dropout: float = 0.0, rng=None
) -> tuple[np.ndarray, np.ndarray]:
    """The two masks of a recurrent layer for one batch: ``m_x`` (batch, n_in) on the inputs
    (Keras' ``dropout``) and ``m_h`` (batch, n_h) on the fed-back state (``recurrent_dropout``);
    one per sequence, reused at every time step."""
    rng = np.random.default_rng(rng)
    m_x = dropout_mask((batch, n_in), _check_rate(dropout, "dropout"), rng)
    m_h = dropout_mask((batch, n_h), _check_rate(recurrent_dropout, "recurrent_dropout"), rng)
    return m_x, m_h


def rnn_forward_masked(X, params, m_x=None, m_h=None, activation: str = "tanh") -> np.ndarray:
    """h_t = act((x_t * m_x) Wx + (h_{t−1} * m_h) Wh + b), h_0 = 0, the same masks at every t.

    ``X`` (batch, time, n_in); masks (batch, n_in) and (batch, n_h), ``None`` for no dropout.
    Returns the states (batch, time, n_h). Each step is ``cells.rnn_step``.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (batch, time, n_in); got {X.shape}")
    batch, time, n_in = X.shape
    n_h = np.asarray(params["Wh"]).shape[0]
    m_x = np.ones((batch, n_in)) if m_x is None else np.asarray(m_x, dtype=float)
    m_h = np.ones((batch, n_h)) if m_h is None else np.asarray(m_h, dtype=float)
    if m_x.shape != (batch, n_in) or m_h.shape != (batch, n_h):
        raise ValueError(
            f"masks must have shapes {(batch, n_in)} and {(batch, n_h)}; "
            f"got {m_x.shape} and {m_h.shape}"
        )
    h = np.zeros((batch, n_h))
    out = np.empty((batch, time, n_h))
    for t in range(time):
        h = cells.rnn_step(X[:, t] * m_x, h * m_h, params, activation=activation)
        out[:, t] = h
    return out


def layer_norm(a, gamma=None, beta=None, eps: float = 1e-3) -> np.ndarray:
    """LN(a) = γ * (a − μ) / √(σ² + ε) + β, μ and σ² the mean and (biased) variance of each
    vector over its last axis. ``gamma``/``beta`` default to 1 and 0 (Keras' initial values);
    ``eps`` defaults to Keras' 0.001."""
    a = np.asarray(a, dtype=float)
    mu = a.mean(axis=-1, keepdims=True)
    var = ((a - mu) ** 2).mean(axis=-1, keepdims=True)
    out = (a - mu) / np.sqrt(var + eps)
    if gamma is not None:
        out = out * np.asarray(gamma, dtype=float)
    if beta is not None:
        out = out + np.asarray(beta, dtype=float)
    return out
