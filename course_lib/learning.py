"""Learning rules of lessons 01 and 02: the perceptron rule and a small numpy MLP with backprop.

The perceptron (Rosenblatt 1958) learns with

    o  = step(x·w + b)
    Δw = η (t − o) x,    Δb = η (t − o)

"if it fell short (t = 1, o = 0), raise the weights; if it overshot (t = 0, o = 1), lower them".
Without the step the same neuron is a **linear unit** for regression (Widrow and Hoff's ADALINE,
1960): y = x·w + b, trained by the delta rule Δw = η (t − y) x, which is gradient descent on the
squared error and ends at the least-squares line.
The MLP is trained by gradient descent on the mean squared error, its gradients computed by
backpropagation (and checked against finite differences in the tests).
"""

from __future__ import annotations

import numpy as np

from . import cells

__all__ = [
    "LOGIC_GATES",
    "logic_gate",
    "point_cloud",
    "perceptron_update",
    "perceptron_epoch",
    "perceptron_errors",
    "train_perceptron",
    "linear_unit",
    "linear_unit_loss",
    "linear_unit_gradients",
    "delta_rule_update",
    "train_linear_unit",
    "init_mlp",
    "mlp_forward_cache",
    "mlp_loss",
    "mlp_backward",
    "mlp_gradients",
    "train_mlp",
    "mlp_gradient_check",
    "hidden_unit_curves",
    "fit_hidden_units",
]

_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])

#: Truth tables of the logic gates, targets for the inputs (0,0), (0,1), (1,0), (1,1).
LOGIC_GATES = {
    "AND": np.array([0.0, 0.0, 0.0, 1.0]),
    "OR": np.array([0.0, 1.0, 1.0, 1.0]),
    "XOR": np.array([0.0, 1.0, 1.0, 0.0]),
    "NAND": np.array([1.0, 1.0, 1.0, 0.0]),
}


def logic_gate(name: str):
    """Inputs ``X`` (4, 2) and targets ``t`` (4,) of a logic gate: AND, OR, XOR or NAND."""
    key = str(name).upper()
    if key not in LOGIC_GATES:
        raise ValueError(f"unknown logic gate {name!r}; expected one of {sorted(LOGIC_GATES)}")
    return _INPUTS.copy(), LOGIC_GATES[key].copy()


def point_cloud(n: int = 40, separable: bool = True, seed: int = 0):
    """Two 2-D Gaussian clouds of ``n`` points each, labelled 0 and 1.

    ``separable=True`` puts them far apart (a line separates them); ``False`` lets them overlap,
    so no line classifies every point. Returns ``X`` (2n, 2) and ``t`` (2n,).
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    spread = 0.12 if separable else 0.3
    a = rng.normal([0.25, 0.3], spread, size=(n, 2))
    b = rng.normal([0.75, 0.7], spread, size=(n, 2))
    if separable:  # make sure: push stray points back to their side of x + y = 1
        a[a.sum(axis=1) > 0.9] -= 0.3
        b[b.sum(axis=1) < 1.1] += 0.3
    return np.vstack([a, b]), np.concatenate([np.zeros(n), np.ones(n)])


def _check_xt(X, t):
    X = np.asarray(X, dtype=float)
    t = np.asarray(t, dtype=float)
    if X.ndim != 2 or t.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, n_in) and t (n,); got {X.shape} and {t.shape}")
    return X, t


def perceptron_update(w, b, x, t, lr):
    """One application of the perceptron rule to one example.

    o = step(x·w + b);  w ← w + η (t − o) x;  b ← b + η (t − o).
    Returns ``(w, b, o)`` with the output ``o`` computed before the update.
    """
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    o = float(cells.perceptron(x, w, b)[0])
    delta = lr * (float(t) - o)
    return w + delta * x, float(b) + delta, o


def perceptron_epoch(w, b, X, t, lr):
    """One pass over the examples in order, updating after each. Returns ``(w, b, updates)``,
    ``updates`` the number of examples that changed the weights."""
    X, t = _check_xt(X, t)
    updates = 0
    for x_n, t_n in zip(X, t, strict=True):
        w, b, o = perceptron_update(w, b, x_n, t_n, lr)
        updates += int(o != t_n)
    return w, b, updates


def perceptron_errors(w, b, X, t) -> int:
    """How many examples the perceptron (w, b) misclassifies."""
    X, t = _check_xt(X, t)
    return int(np.sum(cells.perceptron(X, w, b) != t))


def train_perceptron(X, t, lr: float = 0.1, epochs: int = 20, w0=None, b0: float = 0.0):
    """Train by the perceptron rule; stops early at zero errors.

    Returns ``(w, b, errors)`` where ``errors[k]`` is the number misclassified after epoch k+1.
    By the convergence theorem the errors reach 0 in finitely many epochs when a line separates
    the classes (AND, OR); for XOR they never do.
    """
    X, t = _check_xt(X, t)
    w = np.zeros(X.shape[1]) if w0 is None else np.asarray(w0, dtype=float)
    b = float(b0)
    errors = []
    for _ in range(epochs):
        w, b, _ = perceptron_epoch(w, b, X, t, lr)
        errors.append(perceptron_errors(w, b, X, t))
        if errors[-1] == 0:
            break
    return w, b, errors


# --------------------------------------------------------------------------------------------
# Linear unit (the perceptron without its step): regression by the delta rule
# --------------------------------------------------------------------------------------------


def _check_wb(w, b, X):
    w = np.asarray(w, dtype=float)
    if w.shape != (X.shape[1],):
        raise ValueError(f"w has shape {w.shape}; expected ({X.shape[1]},) for X of {X.shape}")
    return w, float(b)


def linear_unit(X, w, b) -> np.ndarray:
    """The perceptron without its step: y = X w + b, a real number per row. ``X`` (n, n_in)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X has shape {X.shape}; expected (n, n_in)")
    w, b = _check_wb(w, b, X)
    return X @ w + b


def linear_unit_loss(w, b, X, t) -> float:
    """Mean squared error L = (1/N) Σ_n (x_n·w + b − t_n)²."""
    X, t = _check_xt(X, t)
    return float(np.mean((linear_unit(X, w, b) - t) ** 2))


def linear_unit_gradients(w, b, X, t):
    """``(loss, dL/dw, dL/db)`` of the MSE: ∂L/∂w = (2/N) Xᵀ(y − t), ∂L/∂b = (2/N) Σ (y − t).

    Setting both to zero gives the normal equations of least squares,
    [X 1]ᵀ[X 1] [w; b] = [X 1]ᵀ t.
    """
    X, t = _check_xt(X, t)
    err = linear_unit(X, w, b) - t
    n = X.shape[0]
    return float(np.mean(err**2)), 2.0 / n * (X.T @ err), 2.0 / n * float(err.sum())


def delta_rule_update(w, b, x, t, lr):
    """The delta rule (Widrow–Hoff, least mean squares) on one example.

    y = x·w + b;  w ← w + η (t − y) x;  b ← b + η (t − y): the perceptron rule with the real
    output y in place of step(·), and the step −η ∂E/∂w of E = ½ (t − y)².
    Returns ``(w, b, y)`` with the output ``y`` computed before the update.
    """
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    if w.shape != x.shape or w.ndim != 1:
        raise ValueError(f"x and w must be 1-D of the same length; got {x.shape} and {w.shape}")
    y = float(x @ w + b)
    delta = lr * (float(t) - y)
    return w + delta * x, float(b) + delta, y


def train_linear_unit(
    X, t, lr: float = 0.01, epochs: int = 100, online: bool = True, w0=None, b0: float = 0.0
):
    """Fit y = x·w + b to real-valued targets by gradient descent.

    ``online=True``: the delta rule, one update per example in order (``delta_rule_update``);
    with a small η it ends close to the least-squares solution (within a distance that shrinks
    with η). ``online=False``: full-batch gradient descent on the MSE, w ← w − η ∂L/∂w
    (``linear_unit_gradients``), which converges to the least-squares solution itself for
    η < 1/λ_max of (2/N) [X 1]ᵀ[X 1]. Returns ``(w, b, losses)``, ``losses[k]`` the MSE after
    epoch k+1.
    """
    X, t = _check_xt(X, t)
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    w = np.zeros(X.shape[1]) if w0 is None else np.asarray(w0, dtype=float).copy()
    w, b = _check_wb(w, b0, X)
    losses = []
    for _ in range(epochs):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported below
            if online:
                for x_n, t_n in zip(X, t, strict=True):
                    w, b, _ = delta_rule_update(w, b, x_n, t_n, lr)
            else:
                _, dw, db = linear_unit_gradients(w, b, X, t)
                w, b = w - lr * dw, b - lr * db
            losses.append(linear_unit_loss(w, b, X, t))
        if not np.isfinite(losses[-1]):
            raise FloatingPointError(
                f"the loss became {losses[-1]} at epoch {len(losses)}: lr={lr} is too large "
                "for inputs of this size (scale the inputs or lower lr)"
            )
    return w, b, losses


# --------------------------------------------------------------------------------------------
# MLP
# --------------------------------------------------------------------------------------------


def init_mlp(sizes, activations, seed: int = 0, scale: float = 1.0):
    """Layers of an MLP with ``sizes = [n_in, n_hidden…, n_out]``.

    ``activations`` names one activation per layer (see ``cells.ACTIVATIONS``). Weights are
    drawn from N(0, scale²/n_in) with ``numpy.random.default_rng(seed)``, biases are zero.
    """
    if len(activations) != len(sizes) - 1:
        raise ValueError(f"need {len(sizes) - 1} activations for sizes {sizes}, got {activations}")
    rng = np.random.default_rng(seed)
    layers = []
    for n_in, n_out, act in zip(sizes[:-1], sizes[1:], activations, strict=True):
        cells.derivative(act, 0.0)  # raises on an unknown name
        W = rng.normal(0.0, scale / np.sqrt(n_in), size=(n_in, n_out))
        layers.append({"W": W, "b": np.zeros(n_out), "activation": act})
    return layers


def mlp_forward_cache(X, layers):
    """Forward pass keeping what backprop needs: ``(output, cache)``.

    z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾,  a⁽ˡ⁾ = φ(z⁽ˡ⁾);  ``cache`` holds every a and z.
    """
    a = np.asarray(X, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"X has shape {a.shape}; expected (batch, n_in)")
    acts, zs = [a], []
    for n, layer in enumerate(layers):
        for key in ("W", "b"):
            if key not in layer:
                raise ValueError(f"layer {n} is missing key {key!r}")
        if a.shape[1] != layer["W"].shape[0]:
            raise ValueError(
                f"layer {n} expects {layer['W'].shape[0]} inputs, got an input of shape {a.shape}"
            )
        z = a @ layer["W"] + layer["b"]
        phi, _ = cells.activation_functions(layer.get("activation", "linear"))
        a = phi(z)  # as cells.mlp_forward
        zs.append(z)
        acts.append(a)
    return a, {"a": acts, "z": zs}


def mlp_loss(layers, X, Y) -> float:
    """Mean squared error L = mean((ŷ − y)²) over every example and output."""
    out, _ = mlp_forward_cache(X, layers)
    Y = np.asarray(Y, dtype=float).reshape(out.shape)
    return float(np.mean((out - Y) ** 2))


def mlp_backward(layers, cache, Y):
    """Backpropagation of the MSE through the layers.

    δ⁽ᴸ⁾ = 2(ŷ − y)/N ⊙ φ′(z⁽ᴸ⁾),  ∂L/∂W⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ δ⁽ˡ⁾,  ∂L/∂b⁽ˡ⁾ = Σ δ⁽ˡ⁾,
    δ⁽ˡ⁻¹⁾ = (δ⁽ˡ⁾ W⁽ˡ⁾ᵀ) ⊙ φ′(z⁽ˡ⁻¹⁾).   N is the number of elements of ŷ.
    Returns a list of ``{"W": dW, "b": db}``, one per layer.
    """
    out = cache["a"][-1]
    Y = np.asarray(Y, dtype=float).reshape(out.shape)
    grads = [None] * len(layers)
    delta_a = 2.0 * (out - Y) / out.size
    for n in range(len(layers) - 1, -1, -1):
        delta = delta_a * cells.derivative(layers[n].get("activation", "linear"), cache["z"][n])
        grads[n] = {"W": cache["a"][n].T @ delta, "b": delta.sum(axis=0)}
        delta_a = delta @ layers[n]["W"].T
    return grads


def mlp_gradients(layers, X, Y):
    """``(loss, grads)`` of the MSE for the batch (X, Y): forward then backward."""
    out, cache = mlp_forward_cache(X, layers)
    Y = np.asarray(Y, dtype=float).reshape(out.shape)
    return float(np.mean((out - Y) ** 2)), mlp_backward(layers, cache, Y)


def train_mlp(layers, X, Y, lr: float = 0.5, epochs: int = 1000):
    """Full-batch gradient descent W ← W − η ∂L/∂W; returns ``(layers, losses)`` (a new copy)."""
    layers = [{**layer, "W": layer["W"].copy(), "b": layer["b"].copy()} for layer in layers]
    losses = []
    for _ in range(epochs):
        loss, grads = mlp_gradients(layers, X, Y)
        losses.append(loss)
        for layer, grad in zip(layers, grads, strict=True):
            layer["W"] -= lr * grad["W"]
            layer["b"] -= lr * grad["b"]
    return layers, losses


def mlp_gradient_check(layers, X, Y, eps: float = 1e-6) -> float:
    """Largest relative error between backprop's gradients and central finite differences.

    The layers are flattened into a dict ``{"W1", "b1", "W2", …}`` and handed to
    ``course_lib.bptt.gradient_check``; a correct backprop gives about 1e-8 or less.
    """
    from .bptt import gradient_check

    flat = {f"{k}{n + 1}": layer[k] for n, layer in enumerate(layers) for k in ("W", "b")}

    def loss(p):
        rebuilt = [
            {**layer, "W": p[f"W{n + 1}"], "b": p[f"b{n + 1}"]} for n, layer in enumerate(layers)
        ]
        return mlp_loss(rebuilt, X, Y)

    _, grads = mlp_gradients(layers, X, Y)
    flat_grads = {f"{k}{n + 1}": g[k] for n, g in enumerate(grads) for k in ("W", "b")}
    return gradient_check(loss, flat, flat_grads, eps)


def hidden_unit_curves(x, w, b, v, c: float = 0.0, activation: str = "sigmoid"):
    """One hidden layer on a 1-D input, unit by unit: a curve as a sum of bumps.

    Unit j contributes v_j φ(w_j x + b_j); the network's output is
    ŷ(x) = c + Σ_j v_j φ(w_j x + b_j).
    ``x`` (n,), ``w``, ``b``, ``v`` (units,). Returns ``(contributions (units, n), output (n,))``.
    """
    x = np.asarray(x, dtype=float).ravel()
    w, b, v = (np.asarray(a, dtype=float).ravel() for a in (w, b, v))
    if not w.shape == b.shape == v.shape:
        raise ValueError(f"w, b, v must have the same length; got {w.shape}, {b.shape}, {v.shape}")
    layers = [
        {"W": w[None, :], "b": b, "activation": activation},
    ]
    _, cache = mlp_forward_cache(x[:, None], layers)
    contributions = (cache["a"][1] * v).T
    return contributions, c + contributions.sum(axis=0)


def fit_hidden_units(
    x, target, w, b, v, epochs: int = 5000, lr: float = 0.2, bias_reset_every: int = 100
):
    """Fit ŷ(x) = Σ_j v_j σ(w_j x + b_j) to ``target`` by full-batch gradient descent on the MSE.

    The network trained is the 1-H-1 MLP with sigmoid hidden units and a linear output *with* a
    bias c: ŷ(x) = c + Σ_j v_j σ(w_j x + b_j), L = mean((ŷ − t)²). Starting from c = 0 and the
    given w, b, v, it runs ``epochs // bias_reset_every`` rounds; each round is
    ``bias_reset_every`` steps of ``train_mlp`` (θ ← θ − η ∂L/∂θ for θ = w, b, v, c) and ends by
    setting c back to 0. The bias lets each round move the curve's level freely; zeroing it
    after each round leaves a network without an output bias (the explorer's ŷ), whose w, b, v
    have adapted to that. Epochs beyond a whole number of rounds are not run.

    ``x``, ``target`` (n,); ``w``, ``b``, ``v`` (units,). Returns the new ``(w, b, v)`` (copies).
    """
    x = np.asarray(x, dtype=float).ravel()
    target = np.asarray(target, dtype=float).ravel()
    w, b, v = (np.asarray(a, dtype=float).ravel() for a in (w, b, v))
    if not w.shape == b.shape == v.shape:
        raise ValueError(f"w, b, v must have the same length; got {w.shape}, {b.shape}, {v.shape}")
    if target.shape != x.shape:
        raise ValueError(f"target has shape {target.shape}; expected {x.shape} like x")
    if bias_reset_every < 1 or epochs < 0:
        raise ValueError(
            f"need epochs >= 0 and bias_reset_every >= 1; got {epochs} and {bias_reset_every}"
        )
    layers = [
        {"W": w[None, :].copy(), "b": b.copy(), "activation": "sigmoid"},
        {"W": v[:, None].copy(), "b": np.zeros(1), "activation": "linear"},
    ]
    for _ in range(epochs // bias_reset_every):
        layers, _ = train_mlp(layers, x[:, None], target[:, None], lr, bias_reset_every)
        layers[1]["b"][:] = 0.0
    return layers[0]["W"][0].copy(), layers[0]["b"].copy(), layers[1]["W"][:, 0].copy()
