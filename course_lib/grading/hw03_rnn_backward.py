"""Homework 03, ``rnn_backward``: the known mistakes of backpropagation through time.

:func:`backward_variant` replays BPTT of the sequence → vector model with one known mistake
(``BACKWARD_MISTAKES``), so that the diagnosis in :mod:`.hw03_rnn` can name the mistake a
student's gradients equal; ``BACKWARD_MESSAGES`` say what each one is.
"""

from __future__ import annotations

import numpy as np

from ..i18n import N_

__all__ = [
    "BACKWARD_MESSAGES",
    "BACKWARD_MISTAKES",
    "BACKWARD_WEIGHTS",
    "GRAD_KEYS",
    "backward_variant",
]

GRAD_KEYS = ("Wx", "Wh", "b", "Wy", "by")

BACKWARD_MESSAGES = {
    "sign": (
        N_(
            "the sign is reversed: ∂L/∂ŷ = 2(ŷ − y)/N (prediction minus target); your gradient "
            "points uphill"
        )
    ),
    "no_recurrent": (
        N_(
            "the recurrent term is missing: δh_t = ∂L/∂ŷ_t Wyᵀ + δa_{t+1} Whᵀ; without "
            "δa_{t+1} Whᵀ the gradient is truncated to one step (only the last step contributes)"
        )
    ),
    "no_tanh_derivative": (
        N_("the tanh derivative is missing: δa_t = δh_t ⊙ (1 − h_t²), not δa_t = δh_t")
    ),
    "tanh_derivative_of_previous": (
        N_(
            "the tanh derivative uses the previous state: δa_t = δh_t ⊙ (1 − h_t²) with the state "
            "h_t this step computed, not 1 − h_{t−1}²"
        )
    ),
    "readout_every_step": (
        N_(
            "the read-out's term is added at every step: only the last state is read out, so "
            "only δh_T gets ∂L/∂ŷ Wyᵀ; earlier states get their gradient only through δa_{t+1} Whᵀ"
        )
    ),
    "tanh_derivative_of_a": (
        N_(
            "the tanh derivative is taken at the wrong place: tanh′(a_t) = 1 − tanh(a_t)² = "
            "1 − h_t², not 1 − a_t²"
        )
    ),
    "Wh_uses_h_t": N_("∂L/∂Wh = Σ_t h_{t−1}ᵀ δa_t uses the previous state h_{t−1}, not h_t"),
    "Wh_h0_missing": (
        N_(
            "the first step's term h_0ᵀ δa_1 is missing from ∂L/∂Wh: h_{t−1} at t = 1 is h0, "
            "not zero"
        )
    ),
    "h0_ignored": N_("the forward pass starts from zeros: it must start from the given h0"),
    "recurrent_not_transposed": (
        N_("the recurrent term goes back through Whᵀ: δh_{t−1} gets δa_t @ Wh.T, not δa_t @ Wh")
    ),
    "scale": (
        N_(
            "a constant multiple of the right gradient: check ∂L/∂ŷ = 2(ŷ − y)/N with N the "
            "number of entries of Y (a missing 2 gives half, a sum instead of the mean N times)"
        )
    ),
}
BACKWARD_MISTAKES = tuple(k for k in BACKWARD_MESSAGES if k != "scale")
BACKWARD_WEIGHTS = {"Wx": 0.25, "Wh": 0.25, "b": 0.2, "Wy": 0.15, "by": 0.15}


def backward_variant(X, Y, params, h0, mistake: str | None = None) -> dict[str, np.ndarray]:
    """BPTT of the sequence → vector model with one known mistake (grader-side diagnosis).

    ``mistake=None`` gives the right gradients (the tests check it against
    ``course_lib.bptt.bptt``); otherwise one of ``BACKWARD_MISTAKES``. The model::

        a_t = x_t Wx + h_{t−1} Wh + b,  h_t = tanh(a_t),  ŷ = h_T Wy + by,  L = mean((ŷ − y)²)
    """
    Wx, Wh, b, Wy, by = (np.asarray(params[k], dtype=float) for k in GRAD_KEYS)
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    h = np.zeros_like(np.asarray(h0, float)) if mistake == "h0_ignored" else np.asarray(h0, float)
    A, H, H_prev = [], [], []
    for t in range(X.shape[1]):
        H_prev.append(h)
        A.append(X[:, t] @ Wx + h @ Wh + b)
        h = np.tanh(A[-1])
        H.append(h)
    dY = 2.0 * (H[-1] @ Wy + by - Y) / Y.size
    g = {k: np.zeros_like(v) for k, v in zip(GRAD_KEYS, (Wx, Wh, b, Wy, by), strict=True)}
    g["Wy"], g["by"] = H[-1].T @ dY, dY.sum(axis=0)
    dh = dY @ Wy.T
    for t in range(X.shape[1] - 1, -1, -1):
        if mistake == "no_tanh_derivative":
            da = dh
        elif mistake == "tanh_derivative_of_a":
            da = dh * (1.0 - A[t] ** 2)
        elif mistake == "tanh_derivative_of_previous":
            da = dh * (1.0 - H_prev[t] ** 2)
        else:
            da = dh * (1.0 - H[t] ** 2)
        g["Wx"] += X[:, t].T @ da
        prev = H[t] if mistake == "Wh_uses_h_t" else H_prev[t]
        if mistake == "Wh_h0_missing" and t == 0:
            prev = np.zeros_like(prev)
        g["Wh"] += prev.T @ da
        g["b"] += da.sum(axis=0)
        if mistake == "no_recurrent":
            dh = np.zeros_like(dh)
        else:
            dh = da @ (Wh if mistake == "recurrent_not_transposed" else Wh.T)
        if mistake == "readout_every_step":
            dh = dh + dY @ Wy.T
    if mistake == "sign":
        g = {k: -v for k, v in g.items()}
    return g
