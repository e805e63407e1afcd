"""Forward equations of the course's neurons and cells, in numpy.

Everything here is batch-first: one time step ``x_t`` has shape ``(batch, n_in)``, a sequence
``(batch, time, n_in)``, a hidden state ``(batch, n_h)``. Weights multiply from the right, as in
Keras: ``x_t @ Wx`` with ``Wx`` of shape ``(n_in, n_h)``.

Names follow the lectures' equations: LSTM gates ``f, i, o, g`` (``g`` is the candidate c̃), GRU
gates ``z, r, h_tilde``; weights ``Wx_*``, ``Wh_*`` and biases ``b_*``. ``params`` is always a
plain dict of numpy arrays (see DESIGN.md, "Contract of course_lib.cells").

This module imports numpy only: no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

__all__ = [
    "sigmoid",
    "tanh",
    "relu",
    "step",
    "linear",
    "derivative",
    "activation_functions",
    "check_params",
    "input_and_hidden_sizes",
    "gate_shapes",
    "ACTIVATIONS",
    "perceptron",
    "dense",
    "mlp_forward",
    "rnn_step",
    "lstm_step",
    "lstm_peephole_step",
    "lstm_coupled_step",
    "gru_step",
    "run_sequence",
    "init_params",
    "param_count",
]


# --------------------------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------------------------


def sigmoid(x):
    """Logistic function σ(x) = 1 / (1 + e^(−x)), computed without overflow.

    For x ≥ 0 it uses 1 / (1 + e^(−x)); for x < 0 the equal form e^x / (1 + e^x), so ``exp`` only
    ever sees a non-positive argument: no overflow warning even for |x| = 1e4.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(under="ignore"):  # e^(−|x|) rounding to 0 for |x| > 745 is the right answer
        e = np.exp(-np.abs(x))  # in [0, 1], never overflows
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(x):
    """Hyperbolic tangent tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)), in (−1, 1)."""
    return np.tanh(np.asarray(x, dtype=float))


def relu(x):
    """Rectified linear unit ReLU(x) = max(0, x)."""
    return np.maximum(0.0, np.asarray(x, dtype=float))


def step(x):
    """Heaviside step of the perceptron: 1 if x ≥ 0, else 0."""
    return (np.asarray(x, dtype=float) >= 0).astype(float)


def linear(x):
    """Identity activation φ(x) = x."""
    return np.asarray(x, dtype=float)


def _d_sigmoid(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def _d_tanh(x):
    t = tanh(x)
    return 1.0 - t * t


def _d_relu(x):
    return (np.asarray(x, dtype=float) > 0).astype(float)


def _d_step(x):
    return np.zeros_like(np.asarray(x, dtype=float))


def _d_linear(x):
    return np.ones_like(np.asarray(x, dtype=float))


#: name -> (function, derivative). σ′ = σ(1 − σ) ≤ 1/4, tanh′ = 1 − tanh² ≤ 1,
#: ReLU′ = 1 for x > 0 else 0, step′ = 0 wherever it is defined, linear′ = 1.
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "step": (step, _d_step),
    "sigmoid": (sigmoid, _d_sigmoid),
    "tanh": (tanh, _d_tanh),
    "relu": (relu, _d_relu),
    "linear": (linear, _d_linear),
}


def activation_functions(name: str) -> tuple[Callable, Callable]:
    """The pair ``(φ, φ′)`` of the activation called ``name``; ``ValueError`` listing the known
    names (the keys of ``ACTIVATIONS``) for any other name."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}"
        ) from None


def derivative(name: str, x):
    """Derivative φ′(x) of the activation called ``name`` (see ``ACTIVATIONS``)."""
    return activation_functions(name)[1](x)


# --------------------------------------------------------------------------------------------
# Checks shared by every step function
# --------------------------------------------------------------------------------------------


def _as_2d(a, name: str, width: int | None = None) -> np.ndarray:
    """``a`` as a float array of shape (batch, width); a 1-D vector is read as a batch of one."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or (width is not None and a.shape[1] != width):
        want = f"(batch, {width})" if width is not None else "(batch, n)"
        raise ValueError(f"{name} has shape {a.shape}; expected {want}")
    return a


def check_params(params: Mapping, shapes: Mapping[str, tuple], where: str) -> None:
    """Check that ``params[key]`` exists with shape ``shapes[key]`` for every key of ``shapes``.

    Raises ``ValueError`` starting with ``where`` (the caller's name) and naming the first
    missing key (with the keys ``params`` has) or the first wrong shape (got and expected).
    """
    if not isinstance(params, Mapping):
        raise ValueError(f"{where}: params must be a dict of numpy arrays, got {type(params)}")
    for key, shape in shapes.items():
        if key not in params:
            raise ValueError(
                f"{where}: params is missing key {key!r} (expected an array of shape {shape}); "
                f"it has {sorted(params)}"
            )
        got = np.shape(params[key])
        if got != tuple(shape):
            raise ValueError(f"{where}: params[{key!r}] has shape {got}; expected {tuple(shape)}")


def input_and_hidden_sizes(params: Mapping, wx_key: str, where: str) -> tuple[int, int]:
    """``(n_in, n_h)``, the shape of the input weights ``params[wx_key]``.

    Raises ``ValueError`` starting with ``where`` if ``params`` is not a dict holding
    ``wx_key`` or if that array is not 2-D.
    """
    if not isinstance(params, Mapping) or wx_key not in params:
        have = sorted(params) if isinstance(params, Mapping) else type(params)
        raise ValueError(
            f"{where}: params is missing key {wx_key!r} (expected shape (n_in, n_h)); has {have}"
        )
    shape = np.shape(params[wx_key])
    if len(shape) != 2:
        raise ValueError(f"{where}: params[{wx_key!r}] has shape {shape}; expected (n_in, n_h)")
    return shape


def gate_shapes(gates: str, n_in: int, n_h: int, extra: tuple[str, ...] = ()) -> dict:
    """Expected shapes of a gated cell's params, for ``check_params``.

    For each gate letter ``k`` of ``gates`` (e.g. ``"fiog"``): ``Wx_k (n_in, n_h)``,
    ``Wh_k (n_h, n_h)``, ``b_k (n_h,)``; each key of ``extra`` (peepholes ``P_*``, the recurrent
    biases ``bh_*``) is a vector ``(n_h,)``.

    >>> gate_shapes("z", 2, 3)
    {'Wx_z': (2, 3), 'Wh_z': (3, 3), 'b_z': (3,)}
    """
    shapes = {}
    for k in gates:
        shapes[f"Wx_{k}"] = (n_in, n_h)
        shapes[f"Wh_{k}"] = (n_h, n_h)
        shapes[f"b_{k}"] = (n_h,)
    for key in extra:
        shapes[key] = (n_h,)
    return shapes


# --------------------------------------------------------------------------------------------
# Perceptron and dense layers
# --------------------------------------------------------------------------------------------


def perceptron(x, w, b):
    """Rosenblatt's perceptron: o = step(x·w + b).

    ``x`` (batch, n_in) or (n_in,), ``w`` (n_in,), ``b`` a number. Returns 0/1 of shape (batch,).
    Sums within 1e-9 of zero count as exactly zero (and so answer 1): with η = 0.1 the weights
    are sums of tenths, and float rounding (0.1 + 0.1 − 0.2 ≠ 0 in binary) must not decide the
    answer that the same calculation by hand gives.
    """
    w = np.asarray(w, dtype=float)
    if w.ndim != 1:
        raise ValueError(f"w has shape {w.shape}; expected (n_in,)")
    x = _as_2d(x, "x", w.shape[0])
    s = x @ w + float(b)
    return step(np.where(np.abs(s) < 1e-9, 0.0, s))


def dense(x, W, b, activation: str = "linear"):
    """One fully connected layer: a = φ(x W + b), ``x`` (batch, n_in), ``W`` (n_in, n_out)."""
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ValueError(f"W has shape {W.shape}; expected (n_in, n_out)")
    x = _as_2d(x, "x", W.shape[0])
    b = np.asarray(b, dtype=float)
    if b.shape != (W.shape[1],):
        raise ValueError(f"b has shape {b.shape}; expected ({W.shape[1]},)")
    return activation_functions(activation)[0](x @ W + b)


def mlp_forward(x, layers):
    """Forward pass of a multilayer perceptron.

    ``layers`` is a list of dicts ``{"W": (n_in, n_out), "b": (n_out,), "activation": name}``;
    a⁽⁰⁾ = x and a⁽ˡ⁾ = φˡ(a⁽ˡ⁻¹⁾ Wˡ + bˡ). Returns the last activation, (batch, n_out).
    """
    a = np.asarray(x, dtype=float)
    for n, layer in enumerate(layers):
        for key in ("W", "b"):
            if key not in layer:
                raise ValueError(f"layer {n} is missing key {key!r}")
        a = dense(a, layer["W"], layer["b"], layer.get("activation", "linear"))
    return a


# --------------------------------------------------------------------------------------------
# Recurrent cells
# --------------------------------------------------------------------------------------------


def rnn_step(x_t, h_prev, params, activation: str = "tanh"):
    """One step of a vanilla (Elman) RNN.

        h_t = φ(x_t Wx + h_{t−1} Wh + b),   φ = tanh by default

    ``params``: ``Wx`` (n_in, n_h), ``Wh`` (n_h, n_h), ``b`` (n_h,). Returns h_t (batch, n_h).
    """
    n_in, n_h = input_and_hidden_sizes(params, "Wx", "rnn_step")
    check_params(params, {"Wx": (n_in, n_h), "Wh": (n_h, n_h), "b": (n_h,)}, "rnn_step")
    x_t = _as_2d(x_t, "x_t", n_in)
    h_prev = _as_2d(h_prev, "h_prev", n_h)
    act = activation_functions(activation)[0]
    return act(x_t @ params["Wx"] + h_prev @ params["Wh"] + params["b"])


rnn_step.n_states = 1


def _gate(x_t, h_prev, params, k):
    return x_t @ params[f"Wx_{k}"] + h_prev @ params[f"Wh_{k}"] + params[f"b_{k}"]


def lstm_step(x_t, h_prev, c_prev, params):
    """One step of the LSTM (Hochreiter & Schmidhuber 1997, with a forget gate).

        f   = σ(x_t Wx_f + h_{t−1} Wh_f + b_f)      forget gate: what of c_{t−1} to keep
        i   = σ(x_t Wx_i + h_{t−1} Wh_i + b_i)      input gate: how much of g to write
        g   = tanh(x_t Wx_g + h_{t−1} Wh_g + b_g)   candidate c̃: the new values
        o   = σ(x_t Wx_o + h_{t−1} Wh_o + b_o)      output gate: what of the cell to show
        c_t = f ⊙ c_{t−1} + i ⊙ g                   long-term state
        h_t = o ⊙ tanh(c_t)                         short-term state (the output)

    Returns ``(h_t, c_t, gates)`` with ``gates = {"f", "i", "o", "g"}``, each (batch, n_h).
    """
    n_in, n_h = input_and_hidden_sizes(params, "Wx_f", "lstm_step")
    check_params(params, gate_shapes("fiog", n_in, n_h), "lstm_step")
    x_t = _as_2d(x_t, "x_t", n_in)
    h_prev = _as_2d(h_prev, "h_prev", n_h)
    c_prev = _as_2d(c_prev, "c_prev", n_h)
    f = sigmoid(_gate(x_t, h_prev, params, "f"))
    i = sigmoid(_gate(x_t, h_prev, params, "i"))
    o = sigmoid(_gate(x_t, h_prev, params, "o"))
    g = tanh(_gate(x_t, h_prev, params, "g"))
    c_t = f * c_prev + i * g
    h_t = o * tanh(c_t)
    return h_t, c_t, {"f": f, "i": i, "o": o, "g": g}


lstm_step.n_states = 2


def lstm_peephole_step(x_t, h_prev, c_prev, params):
    """LSTM with peephole connections (Gers & Schmidhuber 2000): the gates also see the cell.

        f   = σ(x_t Wx_f + h_{t−1} Wh_f + P_f ⊙ c_{t−1} + b_f)
        i   = σ(x_t Wx_i + h_{t−1} Wh_i + P_i ⊙ c_{t−1} + b_i)
        g   = tanh(x_t Wx_g + h_{t−1} Wh_g + b_g)
        c_t = f ⊙ c_{t−1} + i ⊙ g
        o   = σ(x_t Wx_o + h_{t−1} Wh_o + P_o ⊙ c_t + b_o)     (the output gate peeks at c_t)
        h_t = o ⊙ tanh(c_t)

    ``params`` as for ``lstm_step`` plus ``P_f, P_i, P_o`` of shape (n_h,).
    """
    n_in, n_h = input_and_hidden_sizes(params, "Wx_f", "lstm_peephole_step")
    shapes = gate_shapes("fiog", n_in, n_h, extra=("P_f", "P_i", "P_o"))
    check_params(params, shapes, "lstm_peephole_step")
    x_t = _as_2d(x_t, "x_t", n_in)
    h_prev = _as_2d(h_prev, "h_prev", n_h)
    c_prev = _as_2d(c_prev, "c_prev", n_h)
    f = sigmoid(_gate(x_t, h_prev, params, "f") + params["P_f"] * c_prev)
    i = sigmoid(_gate(x_t, h_prev, params, "i") + params["P_i"] * c_prev)
    g = tanh(_gate(x_t, h_prev, params, "g"))
    c_t = f * c_prev + i * g
    o = sigmoid(_gate(x_t, h_prev, params, "o") + params["P_o"] * c_t)
    h_t = o * tanh(c_t)
    return h_t, c_t, {"f": f, "i": i, "o": o, "g": g}


lstm_peephole_step.n_states = 2


def lstm_coupled_step(x_t, h_prev, c_prev, params):
    """LSTM with coupled forget and input gates: what is forgotten is what gets written.

        f   = σ(x_t Wx_f + h_{t−1} Wh_f + b_f)
        i   = 1 − f                                 (no input-gate weights)
        g   = tanh(x_t Wx_g + h_{t−1} Wh_g + b_g)
        o   = σ(x_t Wx_o + h_{t−1} Wh_o + b_o)
        c_t = f ⊙ c_{t−1} + (1 − f) ⊙ g
        h_t = o ⊙ tanh(c_t)

    ``params`` needs the ``f``, ``o`` and ``g`` weights only (``*_i`` keys are ignored).
    """
    n_in, n_h = input_and_hidden_sizes(params, "Wx_f", "lstm_coupled_step")
    check_params(params, gate_shapes("fog", n_in, n_h), "lstm_coupled_step")
    x_t = _as_2d(x_t, "x_t", n_in)
    h_prev = _as_2d(h_prev, "h_prev", n_h)
    c_prev = _as_2d(c_prev, "c_prev", n_h)
    f = sigmoid(_gate(x_t, h_prev, params, "f"))
    i = 1.0 - f
    o = sigmoid(_gate(x_t, h_prev, params, "o"))
    g = tanh(_gate(x_t, h_prev, params, "g"))
    c_t = f * c_prev + i * g
    h_t = o * tanh(c_t)
    return h_t, c_t, {"f": f, "i": i, "o": o, "g": g}


lstm_coupled_step.n_states = 2


def gru_step(x_t, h_prev, params, reset_after: bool = True, convention: str = "keras"):
    """One step of the GRU (Cho et al. 2014).

        z  = σ(x_t Wx_z + h_{t−1} Wh_z + b_z [+ bh_z])     update gate
        r  = σ(x_t Wx_r + h_{t−1} Wh_r + b_r [+ bh_r])     reset gate
        reset_after=False (the classic form, reset before the product):
            h̃ = tanh(x_t Wx_h + (r ⊙ h_{t−1}) Wh_h + b_h)
        reset_after=True (Keras' default, reset after the product, extra recurrent biases bh_*):
            h̃ = tanh(x_t Wx_h + b_h + r ⊙ (h_{t−1} Wh_h + bh_h))
        convention="keras":   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃    (z = 1 keeps the old state)
        convention="lecture": h_t = (1 − z) ⊙ h_{t−1} + z ⊙ h̃    (z = 1 takes the candidate)

    The two conventions are the same family: swapping z for 1 − z (negating the z weights and
    bias) turns one into the other. ``reset_after=True`` needs ``bh_z, bh_r, bh_h`` (n_h,).
    Returns ``(h_t, gates)`` with ``gates = {"z", "r", "h_tilde"}``, each (batch, n_h).
    """
    if convention not in ("keras", "lecture"):
        raise ValueError(f"convention must be 'keras' or 'lecture', got {convention!r}")
    n_in, n_h = input_and_hidden_sizes(params, "Wx_z", "gru_step")
    extra = ("bh_z", "bh_r", "bh_h") if reset_after else ()
    check_params(params, gate_shapes("zrh", n_in, n_h, extra=extra), "gru_step")
    x_t = _as_2d(x_t, "x_t", n_in)
    h_prev = _as_2d(h_prev, "h_prev", n_h)
    p = params
    if reset_after:
        z = sigmoid(_gate(x_t, h_prev, p, "z") + p["bh_z"])
        r = sigmoid(_gate(x_t, h_prev, p, "r") + p["bh_r"])
        h_tilde = tanh(x_t @ p["Wx_h"] + p["b_h"] + r * (h_prev @ p["Wh_h"] + p["bh_h"]))
    else:
        z = sigmoid(_gate(x_t, h_prev, p, "z"))
        r = sigmoid(_gate(x_t, h_prev, p, "r"))
        h_tilde = tanh(x_t @ p["Wx_h"] + (r * h_prev) @ p["Wh_h"] + p["b_h"])
    if convention == "keras":
        h_t = z * h_prev + (1.0 - z) * h_tilde
    else:
        h_t = (1.0 - z) * h_prev + z * h_tilde
    return h_t, {"z": z, "r": r, "h_tilde": h_tilde}


gru_step.n_states = 1


def _hidden_size(params: Mapping) -> int:
    for key in ("Wh", "Wh_f", "Wh_z"):
        if key in params:
            return int(np.shape(params[key])[0])
    raise ValueError(
        f"cannot tell the hidden size: params has none of Wh, Wh_f, Wh_z ({sorted(params)})"
    )


def run_sequence(step: Callable, X, state0, params, **kw):
    """Run a step function over a whole sequence ``X`` of shape (batch, time, n_in).

    ``step`` is one of this module's step functions; ``state0`` is h₀ (batch, n_h) for the RNN
    and GRU, ``(h₀, c₀)`` for the LSTMs, or ``None`` for zeros. Extra keywords go to ``step``.

    Returns ``(H, per_step)``: ``H`` the stacked hidden states (batch, time, n_h) and
    ``per_step`` a dict of the gates stacked the same way (``f, i, o, g`` or ``z, r, h_tilde``;
    empty for the RNN); for the LSTMs it also holds the cell states under ``"c"``.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 3:
        raise ValueError(f"X has shape {X.shape}; expected (batch, time, n_in)")
    batch, time, _ = X.shape
    n_states = getattr(step, "n_states", 1)
    n_h = _hidden_size(params)
    if state0 is None:
        state = tuple(np.zeros((batch, n_h)) for _ in range(n_states))
    elif n_states == 1:
        state = (state0,)
    else:
        if not isinstance(state0, tuple | list) or len(state0) != n_states:
            raise ValueError(f"state0 must be a tuple (h0, c0) for {step.__name__}")
        state = tuple(state0)
    hs, per_step = [], {}
    for t in range(time):
        out = step(X[:, t, :], *state, params, **kw)
        if isinstance(out, np.ndarray):
            state, gates = (out,), {}
        else:
            *state, gates = out
            state = tuple(state)
        hs.append(state[0])
        if n_states == 2:
            gates = {**gates, "c": state[1]}
        for k, v in gates.items():
            per_step.setdefault(k, []).append(v)
    H = np.stack(hs, axis=1) if hs else np.zeros((batch, 0, n_h))
    return H, {k: np.stack(v, axis=1) for k, v in per_step.items()}


def init_params(kind: str, n_in: int, n_h: int, seed: int | None = 0, scale: float = 0.5):
    """Random parameters of the shapes ``kind`` needs, for demos and tests.

    ``kind`` is one of ``"rnn"``, ``"lstm"``, ``"lstm_peephole"``, ``"lstm_coupled"``,
    ``"gru"`` (reset_after form, with ``bh_*``) or ``"gru_classic"``. Entries are drawn from
    N(0, scale²) with ``numpy.random.default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    if kind == "rnn":
        shapes = {"Wx": (n_in, n_h), "Wh": (n_h, n_h), "b": (n_h,)}
    elif kind == "lstm":
        shapes = gate_shapes("fiog", n_in, n_h)
    elif kind == "lstm_peephole":
        shapes = gate_shapes("fiog", n_in, n_h, extra=("P_f", "P_i", "P_o"))
    elif kind == "lstm_coupled":
        shapes = gate_shapes("fog", n_in, n_h)
    elif kind == "gru":
        shapes = gate_shapes("zrh", n_in, n_h, extra=("bh_z", "bh_r", "bh_h"))
    elif kind == "gru_classic":
        shapes = gate_shapes("zrh", n_in, n_h)
    else:
        raise ValueError(
            f"unknown kind {kind!r}; expected rnn, lstm, lstm_peephole, lstm_coupled, gru, "
            "gru_classic"
        )
    return {k: rng.normal(0.0, scale, size=s) for k, s in shapes.items()}


def param_count(kind: str, n_in: int, n_h: int) -> int:
    """Number of trainable numbers in one recurrent layer (as Keras counts them).

    - ``"rnn"``:  n_h·(n_in + n_h) + n_h                      (Wx, Wh, b)
    - ``"lstm"``: 4·(n_h·(n_in + n_h) + n_h)                  (four gates f, i, o, g)
    - ``"gru"``:  3·(n_h·(n_in + n_h) + 2·n_h)                (z, r, h; reset_after adds bh_*)
    - ``"gru_classic"``: 3·(n_h·(n_in + n_h) + n_h)
    """
    one = n_h * (n_in + n_h) + n_h
    counts = {"rnn": one, "lstm": 4 * one, "gru": 3 * (one + n_h), "gru_classic": 3 * one}
    if kind not in counts:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(counts)}")
    return counts[kind]
