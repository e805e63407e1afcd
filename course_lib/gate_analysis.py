"""What lessons 05 (LSTM) and 06 (GRU) compute beyond the forward equations.

- The LSTM in the lectures' other two notations: ``concatenate_params`` and
  ``lstm_step_concatenated`` (one matrix per gate acting on [h_{t−1}, x_t]) and
  ``lstm_cell_pseudocode`` (the slide's LSTMCell pseudocode, corrected: combine → forget →
  candidate → input → update cell → output), to be shown equal to ``cells.lstm_step``.
- ``lstm_terms`` / ``gru_terms``: one step with every intermediate a cell diagram shows
  (f ⊙ c_{t−1}, i ⊙ g, tanh c_t; r ⊙ h_{t−1}, (1 − z) ⊙ h_{t−1}, z ⊙ h̃), from ``course_lib.cells``.
- The constant error carousel: ``forget_products`` (∂c_T/∂c_{T−k} along the cell path alone,
  the product of the forget gates) and ``lstm_state_jacobians`` (the same derivatives through
  every path, also through h and the gates), to set beside the RNN's Jacobian product.
- Reading a trained model's gates (``gate_heatmap``, ``gate_profile``, ``memory_units``,
  ``recall_gate_summary``) from what ``keras_bridge.gate_activations`` returns.
- The GRU family: ``gru_swap_convention`` (lecture ↔ Keras: z ↔ 1 − z) and
  ``gru_classic_as_reset_after`` (the classic form written in Keras' ``reset_after`` form).

numpy only: no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from . import cells

__all__ = [
    "concatenate_params",
    "lstm_step_concatenated",
    "lstm_cell_pseudocode",
    "lstm_terms",
    "gru_terms",
    "forget_products",
    "lstm_state_jacobians",
    "spectral_norms",
    "gate_heatmap",
    "gate_profile",
    "class_means",
    "memory_units",
    "recall_gate_summary",
    "gru_swap_convention",
    "gru_classic_as_reset_after",
]


# --------------------------------------------------------------------------------------------
# The LSTM in the lectures' other notations
# --------------------------------------------------------------------------------------------


def concatenate_params(params: Mapping, gates: str = "fiog") -> dict[str, np.ndarray]:
    """Stack each gate's ``Wh_k`` over ``Wx_k`` into one matrix ``W_k`` (n_h + n_in, n_h).

    Then [h_{t−1}, x_t] · W_k = h_{t−1} Wh_k + x_t Wx_k: the concatenated notation
    W_k·[h_{t−1}, x_t] + b_k of the lectures (written for row vectors, as in Keras). Returns
    ``{"W_f", "b_f", …}`` for the ``gates`` given.
    """
    out = {}
    for k in gates:
        for key in (f"Wh_{k}", f"Wx_{k}", f"b_{k}"):
            if key not in params:
                raise ValueError(f"params is missing key {key!r}; it has {sorted(params)}")
        out[f"W_{k}"] = np.vstack([np.asarray(params[f"Wh_{k}"]), np.asarray(params[f"Wx_{k}"])])
        out[f"b_{k}"] = np.asarray(params[f"b_{k}"], dtype=float)
    return out


def lstm_step_concatenated(x_t, h_prev, c_prev, W: Mapping):
    """One LSTM step in the concatenated notation, with ``W`` from ``concatenate_params``.

        v   = [h_{t−1}, x_t]
        f   = σ(v W_f + b_f),   i = σ(v W_i + b_i),   o = σ(v W_o + b_o)
        c̃   = tanh(v W_g + b_g)
        c_t = f ⊙ c_{t−1} + i ⊙ c̃,   h_t = o ⊙ tanh(c_t)

    Returns ``(h_t, c_t)``.
    """
    v = np.concatenate([np.asarray(h_prev, dtype=float), np.asarray(x_t, dtype=float)], axis=-1)
    f = cells.sigmoid(v @ W["W_f"] + W["b_f"])
    i = cells.sigmoid(v @ W["W_i"] + W["b_i"])
    o = cells.sigmoid(v @ W["W_o"] + W["b_o"])
    g = cells.tanh(v @ W["W_g"] + W["b_g"])
    c_t = f * np.asarray(c_prev, dtype=float) + i * g
    return o * cells.tanh(c_t), c_t


def lstm_cell_pseudocode(prev_ct, prev_ht, x_t, W: Mapping):
    """The lecture's ``LSTMCELL`` pseudocode, corrected and runnable; ``W`` from
    ``concatenate_params``.

    Corrected: the slide's cell update leaves out the input gate (``prev_ct * ft + candidate``)
    and it returns a ``yt`` it never computes; here ``ct = prev_ct * ft + candidate * it`` and
    ``(ht, ct)`` are returned. Each "layer" is a dense layer (``cells.dense``) on the combined
    vector; the slide's third argument ``input`` is called ``x_t`` (``input`` is a Python builtin).
    """
    combine = np.concatenate([prev_ht, x_t], axis=-1)  # 1. combine h_{t−1} and x_t
    ft = cells.dense(combine, W["W_f"], W["b_f"], "sigmoid")  # 2. forget layer
    candidate = cells.dense(combine, W["W_g"], W["b_g"], "tanh")  # 3. candidate layer
    it = cells.dense(combine, W["W_i"], W["b_i"], "sigmoid")  # 4. input layer
    ct = prev_ct * ft + candidate * it  # 5. update the cell state (the slide forgets "* it")
    ot = cells.dense(combine, W["W_o"], W["b_o"], "sigmoid")  # 6. output layer
    ht = ot * cells.tanh(ct)
    return ht, ct


# --------------------------------------------------------------------------------------------
# One step with its intermediate terms (what a cell diagram shows on its arrows)
# --------------------------------------------------------------------------------------------


def lstm_terms(x_t, h_prev, c_prev, params, step: Callable = cells.lstm_step) -> dict:
    """One LSTM step and the terms of its cell update, each (batch, n_h).

        kept    = f ⊙ c_{t−1}        what survives of the old cell
        written = i ⊙ g              what the input gate lets in of the candidate
        c_t     = kept + written
        tanh_c  = tanh(c_t)          the cell squashed to (−1, 1) before the output gate
        h_t     = o ⊙ tanh_c

    ``step`` is ``cells.lstm_step`` (default), ``cells.lstm_peephole_step`` or
    ``cells.lstm_coupled_step``. Returns ``{"f", "i", "o", "g", "c", "h", "kept", "written",
    "tanh_c"}``.
    """
    c_prev = np.asarray(c_prev, dtype=float)
    h_t, c_t, gates = step(x_t, h_prev, c_prev, params)
    return {
        **gates,
        "c": c_t,
        "h": h_t,
        "kept": gates["f"] * c_prev,
        "written": gates["i"] * gates["g"],
        "tanh_c": cells.tanh(c_t),
    }


def gru_terms(x_t, h_prev, params, *, reset_after: bool, convention: str) -> dict:
    """One GRU step and the terms of its update, each (batch, n_h).

    ``reset_after`` and ``convention`` are required (as in ``cells.gru_step``, whose defaults are
    Keras' form). With the lecture's convention h_t = (1 − z) ⊙ h_{t−1} + z ⊙ h̃, so

        keep_weight = 1 − z,  kept = (1 − z) ⊙ h_{t−1},  written = z ⊙ h̃

    and with Keras' convention (h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃) ``keep_weight = z``.
    ``r_h`` is what the reset gate lets through of the old state: r ⊙ h_{t−1} (classic form,
    ``reset_after=False``) or r ⊙ (h_{t−1} Wh_h + bh_h) (``reset_after=True``).
    Returns ``{"z", "r", "h_tilde", "h", "keep_weight", "kept", "written", "r_h"}``.
    """
    h_prev = np.asarray(h_prev, dtype=float)
    h_t, gates = cells.gru_step(x_t, h_prev, params, reset_after=reset_after, convention=convention)
    z, r, h_tilde = gates["z"], gates["r"], gates["h_tilde"]
    keep = 1.0 - z if convention == "lecture" else z
    if reset_after:
        r_h = r * (h_prev @ params["Wh_h"] + params["bh_h"])
    else:
        r_h = r * h_prev
    return {
        "z": z,
        "r": r,
        "h_tilde": h_tilde,
        "h": h_t,
        "keep_weight": keep,
        "kept": keep * h_prev,
        "written": (1.0 - keep) * h_tilde,
        "r_h": r_h,
    }


# --------------------------------------------------------------------------------------------
# The constant error carousel
# --------------------------------------------------------------------------------------------


def forget_products(f) -> np.ndarray:
    """∂c_T/∂c_{T−k} along the cell path alone, for every lag k = 0 … T.

    Along c_t = f_t ⊙ c_{t−1} + (terms that do not contain c_{t−1} directly) the derivative
    of one step is diag(f_t), so from step T back to step T − k

        ∂c_T/∂c_{T−k} |cell path = f_T ⊙ f_{T−1} ⊙ … ⊙ f_{T−k+1}     (1 for k = 0)

    ``f`` holds the forget gates (batch, T, n_h) (or (T, n_h), or (T,) for one unit).
    Returns the products indexed by lag, shape (batch, T + 1, n_h) (resp. (T + 1, n_h),
    (T + 1,)). With f = 1 the error is carried unchanged: the constant error carousel.
    """
    f = np.asarray(f, dtype=float)
    ndim = f.ndim
    if ndim == 1:
        f3 = f[None, :, None]
    elif ndim == 2:
        f3 = f[None]
    elif ndim == 3:
        f3 = f
    else:
        raise ValueError(
            f"f has shape {f.shape}; expected (batch, time, n_h), (time, n_h) or (time,)"
        )
    batch, _, n_h = f3.shape
    backwards = f3[:, ::-1, :]  # f_T, f_{T−1}, …
    prods = np.concatenate([np.ones((batch, 1, n_h)), np.cumprod(backwards, axis=1)], axis=1)
    if ndim == 1:
        return prods[0, :, 0]
    if ndim == 2:
        return prods[0]
    return prods


def _lstm_step_jacobian(x_t, h_prev, c_prev, params):
    """∂(h_t, c_t)/∂(h_{t−1}, c_{t−1}) of one LSTM step: four blocks (batch, n_h, n_h).

    Rows are outputs, columns inputs: J[b, a, m] = ∂out[b, a]/∂in[b, m]. With pre-activations
    a_k = x W_x_k + h W_h_k + b_k, ∂a_k/∂h_{t−1} = W_h_k^T, and

        ∂c_t/∂c_{t−1} = diag(f)
        ∂c_t/∂h_{t−1} = diag(c_{t−1} f(1−f)) Wh_f^T + diag(g i(1−i)) Wh_i^T + diag(i (1−g²)) Wh_g^T
        ∂h_t/∂c_{t−1} = diag(o (1 − tanh² c_t)) diag(f)
        ∂h_t/∂h_{t−1} = diag(tanh c_t · o(1−o)) Wh_o^T + diag(o (1 − tanh² c_t)) ∂c_t/∂h_{t−1}
    """
    t = lstm_terms(x_t, h_prev, c_prev, params)
    f, i, o, g, tc = t["f"], t["i"], t["o"], t["g"], t["tanh_c"]
    c_prev = np.asarray(c_prev, dtype=float)

    def rows(v, W):  # diag(v) W^T, batched: (batch, n_h, n_h)
        return v[:, :, None] * W.T[None, :, :]

    dc_dh = (
        rows(c_prev * f * (1 - f), params["Wh_f"])
        + rows(g * i * (1 - i), params["Wh_i"])
        + rows(i * (1 - g * g), params["Wh_g"])
    )
    n_h = f.shape[1]
    eye = np.eye(n_h)[None]
    dc_dc = f[:, :, None] * eye
    d_tanh = o * (1 - tc * tc)
    dh_dc = d_tanh[:, :, None] * dc_dc
    dh_dh = rows(tc * o * (1 - o), params["Wh_o"]) + d_tanh[:, :, None] * dc_dh
    return dh_dh, dh_dc, dc_dh, dc_dc, t


def lstm_state_jacobians(X, params, state0=None) -> dict[str, np.ndarray]:
    """∂(state at T)/∂(state at T − k) of an LSTM for k = 0 … T, through every path.

    Unlike ``forget_products`` this keeps the paths through h_{t−1} and the gates, so it is
    the exact derivative that backprop through time multiplies. The one-step Jacobians (see
    ``_lstm_step_jacobian``) are chained: J(T ← T−k) = J_T · J_{T−1} ⋯ J_{T−k+1}.

    ``X`` (batch, T, n_in), ``params`` as for ``cells.lstm_step``, ``state0`` = (h₀, c₀) or None
    (zeros). Returns the blocks ``"c_c"`` (∂c_T/∂c_{T−k}), ``"c_h"`` (∂c_T/∂h_{T−k}),
    ``"h_c"``, ``"h_h"``, each (batch, T + 1, n_h, n_h), and the per-step forget gates ``"f"``
    (batch, T, n_h). When every ``Wh_*`` is zero the gates do not see the past and ``"c_c"`` is
    diag(forget_products(f)).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 3:
        raise ValueError(f"X has shape {X.shape}; expected (batch, time, n_in)")
    batch, T, _ = X.shape
    n_h = int(np.shape(params["Wh_f"])[0]) if "Wh_f" in params else None
    if n_h is None:
        raise ValueError(f"params is missing key 'Wh_f'; it has {sorted(params)}")
    if state0 is None:
        h, c = np.zeros((batch, n_h)), np.zeros((batch, n_h))
    else:
        h, c = (np.asarray(s, dtype=float) for s in state0)
    steps, fs = [], []
    for t in range(T):
        dh_dh, dh_dc, dc_dh, dc_dc, terms = _lstm_step_jacobian(X[:, t, :], h, c, params)
        top = np.concatenate([dh_dh, dh_dc], axis=2)
        bottom = np.concatenate([dc_dh, dc_dc], axis=2)
        steps.append(np.concatenate([top, bottom], axis=1))  # (batch, 2n, 2n), order (h, c)
        fs.append(terms["f"])
        h, c = terms["h"], terms["c"]
    out = np.empty((batch, T + 1, 2 * n_h, 2 * n_h))
    acc = np.broadcast_to(np.eye(2 * n_h), (batch, 2 * n_h, 2 * n_h)).copy()
    out[:, 0] = acc
    for k in range(1, T + 1):
        acc = acc @ steps[T - k]
        out[:, k] = acc
    n = n_h
    return {
        "h_h": out[:, :, :n, :n],
        "h_c": out[:, :, :n, n:],
        "c_h": out[:, :, n:, :n],
        "c_c": out[:, :, n:, n:],
        "f": np.stack(fs, axis=1) if fs else np.zeros((batch, 0, n_h)),
    }


def spectral_norms(J) -> np.ndarray:
    """Spectral norm ‖J‖₂ (largest singular value) of each matrix in a stack (…, n, m)."""
    J = np.asarray(J, dtype=float)
    if J.ndim < 2:
        raise ValueError(f"J has shape {J.shape}; expected (..., n, m)")
    return np.linalg.norm(J, ord=2, axis=(-2, -1))


# --------------------------------------------------------------------------------------------
# Reading the gates of a trained model
# --------------------------------------------------------------------------------------------


def _gate(acts: Mapping, name: str) -> np.ndarray:
    if name not in acts:
        raise ValueError(f"no gate {name!r}; the activations have {sorted(acts)}")
    a = np.asarray(acts[name], dtype=float)
    if a.ndim != 3:
        raise ValueError(f"acts[{name!r}] has shape {a.shape}; expected (batch, time, units)")
    return a


def gate_heatmap(acts: Mapping, name: str, units=None) -> np.ndarray:
    """Mean of one gate over the batch, as a (units, time) array ready for ``imshow``.

    ``acts`` is what ``keras_bridge.gate_activations`` returns (arrays (batch, time, units));
    ``units`` optionally selects and orders the rows (e.g. ``memory_units(...)``).
    """
    a = _gate(acts, name).mean(axis=0).T
    return a if units is None else a[np.asarray(units, dtype=int)]


def gate_profile(acts: Mapping, name: str, units=None) -> np.ndarray:
    """Mean of one gate over the batch and the chosen units (default all), per step: (time,)."""
    return gate_heatmap(acts, name, units).mean(axis=0)


def class_means(acts: Mapping, name: str, y) -> dict[int, np.ndarray]:
    """Mean of ``acts[name]`` over the sequences of each class: {class: (time, units)}."""
    a = _gate(acts, name)
    y = np.asarray(y)
    if y.shape[0] != a.shape[0]:
        raise ValueError(f"y has {y.shape[0]} labels but acts[{name!r}] has {a.shape[0]} sequences")
    return {int(k): a[y == k].mean(axis=0) for k in np.unique(y)}


def memory_units(acts: Mapping, y, step: int, top: int | None = None) -> np.ndarray:
    """The units whose cell state at ``step`` best tells the classes ``y`` apart, best first.

    Score of a unit: the share of the variance of c[:, step, unit] explained by the class
    (between-class variance / total variance, η² of a one-way ANOVA, in [0, 1]). A unit that
    stores the symbol scores near 1; a unit that ignores it near 0. Returns unit indices sorted
    by decreasing score (the first ``top`` if given).
    """
    scores = _class_share(_gate(acts, "c")[:, step, :], y)
    order = np.argsort(-scores, kind="stable")
    return order if top is None else order[:top]


def _class_share(values, y) -> np.ndarray:
    """η² = Σ_k n_k (mean_k − mean)² / Σ (v − mean)², per column of ``values`` (n, units)."""
    values = np.asarray(values, dtype=float)
    y = np.asarray(y)
    if values.shape[0] != y.shape[0]:
        raise ValueError(f"values have {values.shape[0]} rows but y has {y.shape[0]}")
    mean = values.mean(axis=0)
    total = ((values - mean) ** 2).sum(axis=0)
    between = np.zeros_like(mean)
    for k in np.unique(y):
        sel = values[y == k]
        between += len(sel) * (sel.mean(axis=0) - mean) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, between / np.where(total > 0, total, 1.0), 0.0)
    return share


def recall_gate_summary(acts: Mapping, lag: int, units=None) -> dict[str, float]:
    """Mean gate values at the three phases of ``tasks.delayed_recall`` (steps 0 … lag).

    - ``i_symbol``: input gate at step 0, when the symbol arrives;
    - ``i_distraction``, ``f_distraction``: input and forget gates over the noise steps
      1 … lag − 1;
    - ``i_cue``, ``f_cue``: at the last step, when the cue asks for the answer.

    Means over the batch and the chosen ``units`` (default all). Needs lag ≥ 2.
    """
    f, i = _gate(acts, "f"), _gate(acts, "i")
    if f.shape[1] != lag + 1:
        raise ValueError(f"the activations have {f.shape[1]} steps; lag={lag} needs {lag + 1}")
    if lag < 2:
        raise ValueError("lag must be >= 2 to have distraction steps")
    if units is not None:
        units = np.asarray(units, dtype=int)
        f, i = f[:, :, units], i[:, :, units]
    return {
        "i_symbol": float(i[:, 0].mean()),
        "i_distraction": float(i[:, 1:lag].mean()),
        "f_distraction": float(f[:, 1:lag].mean()),
        "i_cue": float(i[:, lag].mean()),
        "f_cue": float(f[:, lag].mean()),
    }


# --------------------------------------------------------------------------------------------
# The GRU family
# --------------------------------------------------------------------------------------------


def gru_swap_convention(params: Mapping) -> dict[str, np.ndarray]:
    """Parameters that make the other update convention compute the same GRU.

    σ(−a) = 1 − σ(a), so negating the update gate's weights and biases (``Wx_z``, ``Wh_z``,
    ``b_z`` and ``bh_z`` if present) turns z into 1 − z: a lecture-convention GRU
    (h_t = (1 − z) h_{t−1} + z h̃) with ``params`` equals a Keras-convention GRU
    (h_t = z h_{t−1} + (1 − z) h̃) with the returned parameters, and back.
    """
    out = {k: np.array(v, dtype=float, copy=True) for k, v in params.items()}
    for key in ("Wx_z", "Wh_z", "b_z", "bh_z"):
        if key in out:
            out[key] = -out[key]
    if "Wx_z" not in out:
        raise ValueError(f"params is missing key 'Wx_z'; it has {sorted(params)}")
    return out


def gru_classic_as_reset_after(params: Mapping) -> dict[str, np.ndarray]:
    """Classic-form GRU parameters (reset before the product) in Keras' ``reset_after`` form.

    Classic: h̃ = tanh(x Wx_h + (r ⊙ h) Wh_h + b_h); reset_after: h̃ = tanh(x Wx_h + b_h +
    r ⊙ (h Wh_h + bh_h)). With bh_h = 0 the two agree exactly when Wh_h is diagonal
    ((r ⊙ h) D = r ⊙ (h D)), e.g. for one unit; the recurrent biases bh_z, bh_r are set to 0.
    For a non-diagonal Wh_h no such conversion exists (the forms are different members of
    the family) and this raises ``ValueError``.
    """
    if "Wh_h" not in params:
        raise ValueError(f"params is missing key 'Wh_h'; it has {sorted(params)}")
    W = np.asarray(params["Wh_h"], dtype=float)
    if np.any(W - np.diag(np.diag(W)) != 0):
        raise ValueError(
            "Wh_h is not diagonal: (r ⊙ h) Wh_h ≠ r ⊙ (h Wh_h), the classic GRU has no exact "
            "reset_after twin"
        )
    n_h = W.shape[0]
    out = {k: np.array(v, dtype=float, copy=True) for k, v in params.items()}
    for k in ("z", "r", "h"):
        out[f"bh_{k}"] = np.zeros(n_h)
    return out
