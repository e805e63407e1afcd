"""Dot-product attention over the states of a recurrent encoder, in numpy.

An RNN encoder reads ``x_1 … x_T`` and leaves its hidden states ``h_1 … h_T`` (rows of ``H``,
shape ``(T, d)``, or ``(batch, T, d)``). Attention lets a *query* ``q`` (for example the last
state ``h_T``, or a decoder's state) look at **all** of them at once:

    score_j   = s · (q · k_j)                    (one number per key; s = 1, or 1/√d "scaled")
    α_j       = exp(score_j) / Σ_l exp(score_l)  (softmax: weights ≥ 0 that sum to 1)
    context   = Σ_j α_j v_j                      (a weighted average of the values)

Here keys and values are the encoder states themselves (``k_j = v_j = h_j``), as in Luong et al.
(2015) and ``keras.layers.Attention([query, value])``. With several queries (rows of ``Q``) the
same three lines are matrix products: ``A = softmax(s · Q Kᵀ)`` row by row, ``C = A V``.

Why it matters for gradients: the context is a direct function of every ``h_j``; the gradient
from the output to step ``j`` passes through one weight ``α_j``, not through the ``T − j``
Jacobians of the recurrence (lesson 04).
"""

from __future__ import annotations

import math

import numpy as np

from . import cells

__all__ = [
    "softmax",
    "attention_scores",
    "dot_product_attention",
    "scaled_dot_product_attention",
    "self_attention",
    "causal_mask",
    "encoder_states",
    "path_lengths",
    "memory_numbers",
]


def softmax(scores, axis: int = -1) -> np.ndarray:
    """softmax(s)_j = exp(s_j − max s) / Σ_l exp(s_l − max s) along ``axis``.

    Subtracting the maximum changes nothing mathematically (it cancels) and keeps ``exp`` from
    overflowing. Entries equal to ``-inf`` get weight 0 (that is how a mask is applied).
    """
    s = np.asarray(scores, dtype=float)
    top = np.max(s, axis=axis, keepdims=True)
    if not np.all(np.isfinite(top)):
        raise ValueError("every row of scores needs at least one finite entry (all masked?)")
    e = np.exp(s - top)
    return e / e.sum(axis=axis, keepdims=True)


def _as_3d(a, name: str) -> tuple[np.ndarray, bool]:
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        return a[None, None, :], True
    if a.ndim == 2:
        return a[None], True
    if a.ndim == 3:
        return a, False
    raise ValueError(f"{name} must have shape (d,), (T, d) or (batch, T, d); got shape {a.shape}")


def _scale(scale, d: int) -> float:
    if scale is None:
        return 1.0
    if scale == "sqrt":
        return 1.0 / math.sqrt(d)
    scale = float(scale)
    if not math.isfinite(scale):
        raise ValueError(f"scale must be a finite number, None or 'sqrt'; got {scale}")
    return scale


def attention_scores(queries, keys, scale=None) -> np.ndarray:
    """score_ij = s · (q_i · k_j): one row per query, one column per key.

    ``queries`` ``(Tq, d)`` or ``(batch, Tq, d)``, ``keys`` ``(Tv, d)`` or ``(batch, Tv, d)``
    (a single query ``(d,)`` is accepted too). ``scale`` s: ``None`` (s = 1, plain dot
    product), ``"sqrt"`` (s = 1/√d, Vaswani et al. 2017) or a number. Returns ``(Tq, Tv)`` or
    ``(batch, Tq, Tv)``.
    """
    Q, squeeze_q = _as_3d(queries, "queries")
    K, squeeze_k = _as_3d(keys, "keys")
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(
            f"queries and keys must have the same length d; got {Q.shape[-1]} and {K.shape[-1]}"
        )
    s = _scale(scale, Q.shape[-1]) * np.einsum("bqd,bkd->bqk", Q, K)
    return s[0] if (squeeze_q and squeeze_k) else s


def causal_mask(tq: int, tv: int | None = None) -> np.ndarray:
    """Boolean ``(tq, tv)``: True where query i may look at key j, i.e. j ≤ i (no peeking
    ahead; ``keras.layers.Attention(use_causal_mask=True)``)."""
    tv = tq if tv is None else tv
    return np.tril(np.ones((tq, tv), dtype=bool))


def dot_product_attention(queries, keys, values=None, scale=None, mask=None):
    """Dot-product attention: ``A = softmax(s · Q Kᵀ)`` row by row, ``context = A V``.

    ``values`` defaults to ``keys`` (the encoder states serve as both). ``mask`` (boolean,
    broadcastable to the scores' shape ``(…, Tq, Tv)``): False entries get score −∞, so weight
    0. Returns ``(context, weights)``: ``context`` has the queries' shape with ``d_v`` columns,
    ``weights`` the scores' shape; each row of ``weights`` is ≥ 0 and sums to 1.
    """
    values = keys if values is None else values
    Q, sq = _as_3d(queries, "queries")
    K, sk = _as_3d(keys, "keys")
    V, sv = _as_3d(values, "values")
    if K.shape[:2] != V.shape[:2]:
        raise ValueError(
            f"keys and values need one row per position each; got shapes {K.shape} and {V.shape}"
        )
    scores = attention_scores(Q, K, scale)
    if mask is not None:
        scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
    weights = softmax(scores, axis=-1)
    context = weights @ V
    if sq and sk and sv:
        context, weights = context[0], weights[0]
        if np.asarray(queries).ndim == 1:
            context, weights = context[0], weights[0]
    return context, weights


def scaled_dot_product_attention(queries, keys, values=None, mask=None):
    """``dot_product_attention`` with s = 1/√d: softmax(Q Kᵀ / √d) V (the transformer's form).

    Dividing by √d keeps the scores' spread about the same whatever the length d of the
    vectors (a dot product of d random ±1 entries has standard deviation √d), so the softmax
    does not saturate into a one-hot choice just because d is large.
    """
    return dot_product_attention(queries, keys, values, scale="sqrt", mask=mask)


def self_attention(H, scale=None, causal: bool = False):
    """Every state attends to every state: queries = keys = values = ``H`` ``(T, d)``.

    Returns ``(context, weights)`` with ``weights`` ``(T, T)``: row i is where position i
    looks. ``causal=True`` lets position i see only positions j ≤ i.
    """
    H = np.asarray(H, dtype=float)
    mask = causal_mask(H.shape[-2]) if causal else None
    return dot_product_attention(H, H, H, scale=scale, mask=mask)


def encoder_states(X, params, activation: str = "tanh") -> np.ndarray:
    """The hidden states of a simple RNN encoder, h_t = tanh(x_t Wx + h_{t−1} Wh + b), h_0 = 0.

    ``X`` ``(time, n_in)`` or ``(batch, time, n_in)``; ``params`` as ``cells.rnn_step`` takes
    them. Returns ``H`` with the same leading shape and ``n_h`` columns (``cells.run_sequence``).
    """
    X = np.asarray(X, dtype=float)
    single = X.ndim == 2
    H, _ = cells.run_sequence(
        cells.rnn_step, X[None] if single else X, None, params, activation=activation
    )
    return H[0] if single else H


def path_lengths(T: int) -> dict:
    """How many steps the gradient from an output at step T travels back to each step j = 1 … T.

    ``"rnn"``: T − j Jacobians ∂h_t/∂h_{t−1} (the product that vanishes, lesson 04), plus the
    step into h_j; ``"attention"``: 1 (through α_j), the same for every j. Returns two lists of
    length T.
    """
    if T < 1:
        raise ValueError(f"T must be >= 1, got {T}")
    return {"rnn": [T - j for j in range(1, T + 1)], "attention": [1] * T}


def memory_numbers(T: int, d: int) -> dict:
    """How many numbers a model must hold to process step T of a stream, with state size d.

    ``"rnn"``: d (the state h_T; the past is summarised in it, whatever T is);
    ``"attention"``: T·d (every key/value h_1 … h_T kept, so a new query can look at them);
    ``"self_attention_scores"``: T² (every position scoring every position, as a transformer
    layer does over a window of T steps).
    """
    if T < 1 or d < 1:
        raise ValueError(f"T and d must be >= 1, got T={T}, d={d}")
    return {"rnn": d, "attention": T * d, "self_attention_scores": T * T}
