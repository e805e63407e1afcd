"""Backpropagation through time (BPTT) for a vanilla RNN, and what goes wrong with it.

The model is the Elman RNN of ``course_lib.cells`` with a linear read-out and a mean squared
error, batch-first as everywhere in the course::

    a_t = x_t Wx + h_{t−1} Wh + b          (batch, n_h)    pre-activation
    h_t = φ(a_t)                            φ = tanh
    ŷ_t = h_t Wy + by                       (batch, n_out)  read-out
    L   = mean((ŷ − y)²)                    over every element of the targets

``params`` is a dict with ``Wx (n_in, n_h)``, ``Wh (n_h, n_h)``, ``b (n_h,)``, ``Wy (n_h, n_out)``
and ``by (n_out,)``. Targets are either given at every step, ``Y (batch, time, n_out)``, or at the
last step only, ``Y (batch, n_out)``.

Going backwards, the gradient that reaches h_t is what the read-out sends plus what h_{t+1}
sends back through the recurrent weights::

    δh_t = ∂L/∂ŷ_t Wyᵀ + δa_{t+1} Whᵀ,     δa_t = δh_t ⊙ φ′(a_t)
    ∂L/∂Wx = Σ_t x_tᵀ δa_t,  ∂L/∂Wh = Σ_t h_{t−1}ᵀ δa_t,  ∂L/∂b = Σ_t δa_t

so the gradient from step T back to step T−k is a product of k Jacobians
∂h_t/∂h_{t−1} = diag(φ′(a_t)) Whᵀ: it vanishes or explodes with k (lesson 04).

Also here: the per-lag Jacobian norms ‖∂h_T/∂h_{T−k}‖, clipping by value and by global norm
(the same arithmetic as ``tf.clip_by_value`` / ``tf.clip_by_global_norm``), a finite-difference
gradient check and one-unit helpers for the explorers. numpy only: no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from . import cells
from .validation import check_int

__all__ = [
    "init_rnn_params",
    "forward",
    "mse_loss",
    "bptt",
    "sgd_step",
    "numerical_gradient",
    "gradient_check",
    "jacobian_norms",
    "init_recurrent",
    "random_rnn_jacobian_norms",
    "one_unit_states",
    "one_unit_grad_norms",
    "geometric_trend",
    "derivative_bound",
    "global_norm",
    "angle_between",
    "clip_by_value",
    "clip_by_global_norm",
    "DISPLAY_FLOOR",
]

#: Smallest number the course's log-scale plots show: values below it (true zeros, or
#: gradients that underflow) are drawn at this floor. For display only, never for computing.
#: (Not lower: matplotlib's log-axis ticks would then underflow.)
DISPLAY_FLOOR = 1e-200

_KEYS = ("Wx", "Wh", "b", "Wy", "by")


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def _check_model(params: Mapping, readout: bool = True) -> tuple[int, int, int]:
    """(n_in, n_h, n_out) of ``params``; ValueError naming a missing key or a wrong shape."""
    n_in, n_h = cells.input_and_hidden_sizes(params, "Wx", "bptt")
    shapes = {"Wx": (n_in, n_h), "Wh": (n_h, n_h), "b": (n_h,)}
    n_out = 0
    if readout:
        if "Wy" not in params:
            raise ValueError(
                f"bptt: params is missing key 'Wy' (expected an array of shape ({n_h}, n_out)); "
                f"it has {sorted(params)}"
            )
        wy = np.shape(params["Wy"])
        if len(wy) != 2:
            raise ValueError(f"bptt: params['Wy'] has shape {wy}; expected ({n_h}, n_out)")
        n_out = wy[1]
        shapes.update({"Wy": (n_h, n_out), "by": (n_out,)})
    cells.check_params(params, shapes, "bptt")
    return n_in, n_h, n_out


def _check_X(X, n_in: int) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 3 or X.shape[2] != n_in:
        raise ValueError(f"X has shape {X.shape}; expected (batch, time, {n_in})")
    if X.shape[1] < 1:
        raise ValueError(f"X has shape {X.shape}; expected at least one time step")
    return X


def _check_h0(h0, batch: int, n_h: int) -> np.ndarray:
    if h0 is None:
        return np.zeros((batch, n_h))
    h0 = np.asarray(h0, dtype=float)
    if h0.ndim == 1:
        h0 = np.broadcast_to(h0, (batch, h0.shape[0]))
    if h0.shape != (batch, n_h):
        raise ValueError(f"h0 has shape {h0.shape}; expected ({batch}, {n_h})")
    return h0


def _check_Y(Y, batch: int, time: int, n_out: int) -> tuple[np.ndarray, bool]:
    """Targets and whether they are given at every step."""
    Y = np.asarray(Y, dtype=float)
    if Y.shape == (batch, time, n_out):
        return Y, True
    if Y.shape == (batch, n_out):
        return Y, False
    raise ValueError(
        f"Y has shape {Y.shape}; expected ({batch}, {time}, {n_out}) (a target at every step) "
        f"or ({batch}, {n_out}) (a target at the last step)"
    )


# --------------------------------------------------------------------------------------------
# Forward, loss, backward, update
# --------------------------------------------------------------------------------------------


def init_rnn_params(n_in: int, n_h: int, n_out: int, seed: int | None = 0, scale: float = 0.5):
    """Random ``Wx, Wh, b`` (from ``cells.init_params("rnn")``) plus a read-out ``Wy, by``,
    all drawn from N(0, scale²)."""
    params = cells.init_params("rnn", n_in, n_h, seed=seed, scale=scale)
    rng = np.random.default_rng(None if seed is None else seed + 1)
    params["Wy"] = rng.normal(0.0, scale, size=(n_h, n_out))
    params["by"] = rng.normal(0.0, scale, size=(n_out,))
    return params


def _pre_and_post(X, h0, params, activation: str):
    """Pre-activations A and states H (batch, time, n_h), via ``cells.rnn_step``.

    ``rnn_step(…, activation="linear")`` gives a_t = x_t Wx + h_{t−1} Wh + b, then h_t = φ(a_t).
    """
    phi = cells.activation_functions(activation)[0]  # ValueError naming the known activations
    rnn_params = {"Wx": params["Wx"], "Wh": params["Wh"], "b": params["b"]}
    A, H = [], []
    h = h0
    for t in range(X.shape[1]):
        a = cells.rnn_step(X[:, t, :], h, rnn_params, activation="linear")
        h = phi(a)
        A.append(a)
        H.append(h)
    return np.stack(A, axis=1), np.stack(H, axis=1)


def forward(X, params, h0=None, activation: str = "tanh"):
    """Run the RNN and its read-out over ``X`` (batch, time, n_in).

    Returns ``(H, Y_hat)``: the hidden states h_1 … h_T (batch, time, n_h) and the read-outs
    ŷ_t = h_t Wy + by (batch, time, n_out). h₀ is ``h0`` or zeros.
    """
    n_in, n_h, _ = _check_model(params)
    X = _check_X(X, n_in)
    h0 = _check_h0(h0, X.shape[0], n_h)
    _, H = _pre_and_post(X, h0, params, activation)
    return H, H @ params["Wy"] + params["by"]


def mse_loss(Y_hat, Y) -> float:
    """Mean squared error over every element: L = mean((ŷ − y)²)."""
    Y_hat, Y = np.asarray(Y_hat, dtype=float), np.asarray(Y, dtype=float)
    if Y_hat.shape != Y.shape:
        raise ValueError(f"Y_hat has shape {Y_hat.shape} but Y has shape {Y.shape}")
    return float(np.mean((Y_hat - Y) ** 2))


def bptt(
    X,
    Y,
    params,
    h0=None,
    truncate: int | None = None,
    return_h0: bool = False,
    return_dh: bool = False,
    activation: str = "tanh",
):
    """Loss and gradients of the RNN with read-out, by backpropagation through time.

    ``X`` (batch, time, n_in); ``Y`` (batch, time, n_out) for a target at every step, or
    (batch, n_out) for a target at the last step only; ``params`` with ``Wx, Wh, b, Wy, by``;
    ``h0`` (batch, n_h) or None for zeros.

    Returns ``(loss, grads)`` with ``grads`` holding ∂L/∂Wx, ∂L/∂Wh, ∂L/∂b, ∂L/∂Wy, ∂L/∂by
    under the parameters' names, plus ``"h0"`` (∂L/∂h₀, batch × n_h) if ``return_h0`` and
    ``"dh"`` (∂L/∂h_t for every t, batch × time × n_h: the gradient that reaches each state
    through every path the truncation keeps) if ``return_dh``.

    Truncated BPTT, ``truncate=k``: the sequence is cut into chunks of k steps (steps 0…k−1,
    k…2k−1, …). The forward pass is unchanged: the hidden state is carried across a cut. The
    backward pass stops at each cut: h_{ck−1}, the state handed to chunk c, is treated as a
    constant there, so an error at step t only reaches the steps of its own chunk. What it
    cuts: every path from a loss at step t to a weight use or input at step s < (start of t's
    chunk), i.e. all the dependencies longer than the chunk. This is the gradient of
    ``tf.stop_gradient`` applied to the state at every cut; summed over chunks it is what
    chunk-by-chunk training accumulates before an update (which, in practice, updates the
    weights after each chunk instead). ``truncate=None`` (or ≥ time) is full BPTT.
    """
    n_in, n_h, n_out = _check_model(params)
    X = _check_X(X, n_in)
    batch, time, _ = X.shape
    h0 = _check_h0(h0, batch, n_h)
    Y, every_step = _check_Y(Y, batch, time, n_out)
    if truncate is not None:
        truncate = check_int(truncate, "truncate")
    d_phi = cells.activation_functions(activation)[1]  # ValueError naming the known activations

    A, H = _pre_and_post(X, h0, params, activation)
    Wy, by, Wh = params["Wy"], params["by"], params["Wh"]
    if every_step:
        Y_hat = H @ Wy + by
        loss = mse_loss(Y_hat, Y)
        dY = 2.0 * (Y_hat - Y) / Y.size  # ∂L/∂ŷ_t, (batch, time, n_out)
    else:
        y_hat = H[:, -1, :] @ Wy + by
        loss = mse_loss(y_hat, Y)
        dY = np.zeros((batch, time, n_out))
        dY[:, -1, :] = 2.0 * (y_hat - Y) / Y.size

    grads = {
        "Wx": np.zeros_like(params["Wx"], dtype=float),
        "Wh": np.zeros_like(Wh, dtype=float),
        "b": np.zeros(n_h),
        "Wy": np.einsum("btn,bto->no", H, dY),
        "by": dY.sum(axis=(0, 1)),
    }
    H_prev = np.concatenate([h0[:, None, :], H[:, :-1, :]], axis=1)
    dH = np.zeros((batch, time, n_h))
    carry = np.zeros((batch, n_h))  # δa_{t+1} Whᵀ: what h_{t+1} sends back to h_t
    for t in range(time - 1, -1, -1):
        dh = dY[:, t, :] @ Wy.T + carry
        dH[:, t, :] = dh
        da = dh * d_phi(A[:, t, :])
        grads["Wx"] += X[:, t, :].T @ da
        grads["Wh"] += H_prev[:, t, :].T @ da
        grads["b"] += da.sum(axis=0)
        carry = da @ Wh.T
        if truncate is not None and t > 0 and t % truncate == 0:
            carry = np.zeros_like(carry)  # the cut: h_{t−1} is a constant for chunk t // k
    if return_h0:
        grads["h0"] = carry
    if return_dh:
        grads["dh"] = dH
    return loss, grads


def sgd_step(params: Mapping, grads: Mapping, lr: float) -> dict:
    """One gradient-descent update, θ ← θ − lr · ∂L/∂θ, for every key of ``params``.

    Returns a new dict; ``params`` is left unchanged. Keys of ``grads`` that are not
    parameters (``"h0"``, ``"dh"``) are ignored; a parameter without a gradient is an error.
    """
    missing = [k for k in params if k not in grads]
    if missing:
        raise ValueError(f"grads is missing key(s) {missing}; it has {sorted(grads)}")
    out = {}
    for k, p in params.items():
        g = np.asarray(grads[k], dtype=float)
        if g.shape != np.shape(p):
            raise ValueError(f"grads[{k!r}] has shape {g.shape}; expected {np.shape(p)}")
        out[k] = np.asarray(p, dtype=float) - lr * g
    return out


# --------------------------------------------------------------------------------------------
# Gradient check
# --------------------------------------------------------------------------------------------


def numerical_gradient(f: Callable[[dict], float], params: Mapping, eps: float = 1e-6) -> dict:
    """Central differences: ∂f/∂θ_i ≈ (f(θ + ε e_i) − f(θ − ε e_i)) / (2ε), for every entry.

    ``f`` maps a params dict to a number; ``params`` is not modified (copies are perturbed).
    Costs two calls of ``f`` per number in ``params``.
    """
    if eps <= 0:
        raise ValueError(f"eps must be > 0, got {eps}")
    base = {k: np.array(v, dtype=float) for k, v in params.items()}
    out = {}
    for key, value in base.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            old = value[idx]
            value[idx] = old + eps
            up = float(f(base))
            value[idx] = old - eps
            down = float(f(base))
            value[idx] = old
            g[idx] = (up - down) / (2.0 * eps)
        out[key] = g
    return out


def gradient_check(
    f: Callable[[dict], float], params: Mapping, grads: Mapping, eps: float = 1e-6
) -> float:
    """Largest relative error between ``grads`` and ``numerical_gradient(f, params, eps)``.

    For each key, ‖g − g_num‖ / max(‖g‖ + ‖g_num‖, 1e-12); the check passes when this is small
    (≈ 1e-7 or less in float64 for a smooth f). Keys of ``grads`` not in ``params`` are ignored.
    """
    num = numerical_gradient(f, params, eps)
    worst = 0.0
    for key, g_num in num.items():
        if key not in grads:
            raise ValueError(f"grads is missing key {key!r}; it has {sorted(grads)}")
        g = np.asarray(grads[key], dtype=float)
        if g.shape != g_num.shape:
            raise ValueError(f"grads[{key!r}] has shape {g.shape}; expected {g_num.shape}")
        den = max(np.linalg.norm(g) + np.linalg.norm(g_num), 1e-12)
        worst = max(worst, float(np.linalg.norm(g - g_num) / den))
    return worst


# --------------------------------------------------------------------------------------------
# Jacobians over lags
# --------------------------------------------------------------------------------------------


def jacobian_norms(X, params, h0=None, activation: str = "tanh") -> np.ndarray:
    """Spectral norms ‖∂h_T/∂h_{T−k}‖₂ for k = 0 … T, on the sequence(s) ``X``.

    With J_t = ∂h_t/∂h_{t−1} = diag(φ′(a_t)) Whᵀ, the Jacobian over k steps is the product
    J_T J_{T−1} ⋯ J_{T−k+1} (the identity for k = 0). ``X`` is (batch, time, n_in), giving an
    array (batch, T + 1), or one sequence (time, n_in), giving (T + 1,). ``params`` needs
    ``Wx, Wh, b`` only (a read-out is ignored).

    The product is renormalised at every step and its size kept as a logarithm, so the result
    is exact where it fits in a float64 and inf or 0 (with no warning) where the true value
    over- or underflows.
    """
    n_in, n_h, _ = _check_model(params, readout=False)
    X = np.asarray(X, dtype=float)
    single = X.ndim == 2
    if single:
        X = X[None]
    X = _check_X(X, n_in)
    batch, time, _ = X.shape
    h0 = _check_h0(h0, batch, n_h)
    A, _ = _pre_and_post(X, h0, params, activation)
    dA = cells.derivative(activation, A)  # (batch, time, n_h)
    WhT = np.asarray(params["Wh"], dtype=float).T
    logs = np.full((batch, time + 1), -np.inf)
    logs[:, 0] = 0.0
    for n in range(batch):
        M = np.eye(n_h)
        log_size = 0.0
        for k in range(1, time + 1):
            t = time - k  # 0-based index of step T − k + 1
            M = M @ (dA[n, t, :, None] * WhT)
            size = np.linalg.norm(M, 2)
            if size == 0.0 or not np.isfinite(size):
                if not np.isfinite(size):
                    logs[n, k:] = np.inf
                break
            log_size += float(np.log(size))
            logs[n, k] = log_size
            M = M / size
    with np.errstate(over="ignore", under="ignore"):
        norms = np.exp(logs)
    return norms[0] if single else norms


def init_recurrent(n_h: int, kind: str = "gaussian", scale: float = 1.0, seed: int | None = 0):
    """A recurrent matrix Wh (n_h, n_h) for the initialisation experiments.

    - ``"gaussian"``: N(0, 1) entries rescaled so the spectral radius (largest |eigenvalue|)
      is ``scale``;
    - ``"orthogonal"``: ``scale`` · Q with Q orthogonal (QᵀQ = I, every singular value 1), the
      Q of a QR factorisation of a Gaussian matrix, signs fixed so the draw is uniform;
    - ``"identity"``: ``scale`` · I (the IRNN initialisation of Le et al. 2015, used with ReLU).
    """
    rng = np.random.default_rng(seed)
    if kind == "gaussian":
        G = rng.normal(0.0, 1.0, size=(n_h, n_h))
        return G * (scale / np.max(np.abs(np.linalg.eigvals(G))))
    if kind == "orthogonal":
        Q, R = np.linalg.qr(rng.normal(0.0, 1.0, size=(n_h, n_h)))
        return scale * Q * np.sign(np.diag(R))
    if kind == "identity":
        return scale * np.eye(n_h)
    raise ValueError(f"unknown kind {kind!r}; expected 'gaussian', 'orthogonal' or 'identity'")


def random_rnn_jacobian_norms(
    radii: Sequence[float],
    steps: int,
    n_h: int = 32,
    activation: str = "tanh",
    kind: str = "gaussian",
    input_scale: float = 1.0,
    seed: int | None = 0,
) -> np.ndarray:
    """‖∂h_T/∂h_{T−k}‖₂, k = 0 … steps, of a random RNN for each recurrent scale in ``radii``.

    For each r, Wh = ``init_recurrent(n_h, kind, r, seed)`` (spectral radius r for the
    Gaussian kind), Wx ~ N(0, 1) (one input), b = 0, h₀ = 0, and the input a fixed random
    sequence x_t ~ N(0, input_scale²). The same draws are used for every r, so only the scale
    changes. Returns an array (len(radii), steps + 1).
    """
    steps = check_int(steps, "steps")
    rng = np.random.default_rng(seed)
    Wx = rng.normal(0.0, 1.0, size=(1, n_h))
    X = rng.normal(0.0, input_scale, size=(1, steps, 1))
    out = np.zeros((len(radii), steps + 1))
    for i, r in enumerate(radii):
        params = {"Wx": Wx, "Wh": init_recurrent(n_h, kind, r, seed), "b": np.zeros(n_h)}
        out[i] = jacobian_norms(X, params, activation=activation)[0]
    return out


# --------------------------------------------------------------------------------------------
# One unit, so every number is visible
# --------------------------------------------------------------------------------------------


def _one_unit(w, u, b=0.0):
    return {
        "Wx": np.array([[float(u)]]),
        "Wh": np.array([[float(w)]]),
        "b": np.array([float(b)]),
    }


def _one_unit_inputs(x, steps: int) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        x = np.full(steps, float(x))
    if x.shape != (steps,):
        raise ValueError(f"x has shape {x.shape}; expected a number or ({steps},)")
    return x[None, :, None]


def one_unit_states(
    w: float,
    steps: int,
    activation: str = "tanh",
    u: float = 1.0,
    x=0.5,
    h0: float = 0.0,
    b: float = 0.0,
) -> np.ndarray:
    """States h_0 … h_T of the one-unit RNN h_t = φ(w·h_{t−1} + u·x_t + b), T = ``steps``.

    ``x`` is a number (the same input at every step) or a sequence of ``steps`` inputs.
    Returns an array of ``steps + 1`` numbers, starting with h_0. (``cells.rnn_step`` on 1 × 1
    weights Wx = u, Wh = w.)
    """
    steps = check_int(int(steps), "steps")
    X = _one_unit_inputs(x, steps)
    H, _ = cells.run_sequence(
        cells.rnn_step, X, np.array([[float(h0)]]), _one_unit(w, u, b), activation=activation
    )
    return np.concatenate([[float(h0)], H[0, :, 0]])


def one_unit_grad_norms(
    w: float,
    steps: int,
    activation: str = "tanh",
    u: float = 1.0,
    x=0.5,
    h0: float = 0.0,
    b: float = 0.0,
) -> np.ndarray:
    """|∂h_T/∂h_{T−k}| for k = 0 … T of the one-unit RNN h_t = φ(w·h_{t−1} + u·x_t + b).

    It is the product of k factors |w · φ′(a_t)|, one per step back (a_t = w·h_{t−1} + u·x_t + b),
    so it is at most (|w| · max φ′)^k: |w|^k for the linear unit, (|w|/4)^k for the sigmoid.
    Computed in log space by ``jacobian_norms``: inf or 0 where the true value does not fit a
    float64, never a warning. Returns ``steps + 1`` numbers (k = 0 gives 1).
    """
    steps = check_int(int(steps), "steps")
    X = _one_unit_inputs(x, steps)
    params = _one_unit(w, u, b)
    return jacobian_norms(X, params, h0=np.array([[float(h0)]]), activation=activation)[0]


def geometric_trend(w: float, steps: int, factor: float = 1.0) -> np.ndarray:
    """(|w|·factor)^k for k = 0 … steps: the straight line on a log scale that a one-unit
    gradient follows (factor 1: |w|^k, the linear unit) or stays under (factor = max φ′).
    inf or 0, without a warning, where the value does not fit a float64."""
    steps = int(steps)
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    base = abs(float(w)) * float(factor)
    k = np.arange(steps + 1, dtype=float)
    if base == 0.0:
        return (k == 0).astype(float)
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(k * np.log(base))


def derivative_bound(activation: str) -> float:
    """max φ′(a) over all a: 1/4 for the sigmoid (at a = 0), 1 for tanh (at a = 0), 1 for
    ReLU (a > 0) and the linear unit. Bounds how fast the gradient of one unit can shrink."""
    bounds = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "linear": 1.0}
    if activation not in bounds:
        raise ValueError(f"unknown activation {activation!r}; expected one of {sorted(bounds)}")
    return bounds[activation]


# --------------------------------------------------------------------------------------------
# Clipping
# --------------------------------------------------------------------------------------------


def _leaves(grads) -> tuple[list[np.ndarray], Callable]:
    """The arrays of a gradient dict / list / tuple / array, and a function to rebuild it."""
    if isinstance(grads, Mapping):
        keys = list(grads)
        arrays = [np.asarray(grads[k], dtype=float) for k in keys]
        return arrays, lambda new: dict(zip(keys, new, strict=True))
    if isinstance(grads, list | tuple):
        arrays = [np.asarray(g, dtype=float) for g in grads]
        kind = type(grads)
        return arrays, lambda new: kind(new)
    return [np.asarray(grads, dtype=float)], lambda new: new[0]


def global_norm(grads) -> float:
    """‖g‖ = sqrt(Σ over every array of Σ g²): the norm of all gradients as one vector."""
    arrays, _ = _leaves(grads)
    return float(np.sqrt(sum(float(np.sum(a * a)) for a in arrays)))


def angle_between(a, b) -> float:
    """Angle in degrees between two gradients (dicts, lists or arrays, flattened alike):
    arccos(a·b / (‖a‖‖b‖)), computed in a form accurate near 0° and 180°; 0 when either is
    zero (no direction to compare)."""
    left, _ = _leaves(a)
    right, _ = _leaves(b)
    u = np.concatenate([x.ravel() for x in left])
    v = np.concatenate([x.ravel() for x in right])
    if u.shape != v.shape:
        raise ValueError(f"a has {u.size} numbers but b has {v.size}")
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu == 0.0 or nv == 0.0:
        return 0.0
    # 2·atan2(‖û − v̂‖, ‖û + v̂‖): the same angle as arccos(û·v̂), accurate near 0° and 180°
    uh, vh = u / nu, v / nv
    return float(np.degrees(2.0 * np.arctan2(np.linalg.norm(uh - vh), np.linalg.norm(uh + vh))))


def clip_by_value(grads, clip_value: float):
    """Clip every component into [−clip_value, clip_value] (as ``tf.clip_by_value``).

    Works on a dict, list, tuple or array and returns the same kind. Each component is cut on
    its own, so a clipped gradient can point in a different direction.
    """
    c = float(clip_value)
    if not c > 0:
        raise ValueError(f"clip_value must be > 0, got {clip_value}")
    arrays, rebuild = _leaves(grads)
    return rebuild([np.clip(a, -c, c) for a in arrays])


def clip_by_global_norm(grads, clip_norm: float):
    """Rescale all gradients together so their global norm is at most ``clip_norm``.

        g ← g · clip_norm / max(‖g‖, clip_norm)      (as ``tf.clip_by_global_norm``)

    Returns ``(clipped, norm)`` with ``norm`` the global norm before clipping. The direction
    is kept; a gradient already shorter than ``clip_norm`` (or zero) is unchanged.
    """
    c = float(clip_norm)
    if not c > 0:
        raise ValueError(f"clip_norm must be > 0, got {clip_norm}")
    arrays, rebuild = _leaves(grads)
    norm = global_norm(arrays)
    scale = c / max(norm, c)
    return rebuild([a * scale for a in arrays]), norm
