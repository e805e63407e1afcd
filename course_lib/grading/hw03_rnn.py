"""Homework 03, the recurrent network: public checks and grading (after lessons 03 and 04).

The student writes, in ``solutions/hw03_rnn.ipynb`` / ``exercises/hw03_rnn.ipynb``:

- ``make_supervised(series, n)``: the table X1 … Xn → Y of lesson 03 from a 1-D series,
  ``X[i] = series[i : i + n]`` and ``Y[i] = series[i + n]``; ``X`` (len − n, n), ``Y`` (len − n,)
  (``course_lib.data.make_windows(series, n)`` without its feature axis);
- ``rnn_step(x_t, h_prev, params)``: h_t = tanh(x_t Wx + h_{t−1} Wh + b), batch-first, ``params``
  with ``Wx (n_in, n_h)``, ``Wh (n_h, n_h)``, ``b (n_h,)`` (``course_lib.cells.rnn_step``);
- ``rnn_loss(X, Y, params, h0)``: the RNN read over ``X`` (batch, time, n_in) from ``h0``, read
  out at the last step, ŷ = h_T Wy + by, and L = mean((ŷ − y)²) over every entry of
  ``Y`` (batch, n_out): sequence → vector, the table of part 1 fed to an RNN;
- ``rnn_backward(X, Y, params, h0)``: the gradients of that loss by backpropagation through
  time, a dict with the parameters' names ``Wx, Wh, b, Wy, by`` (``course_lib.bptt.bptt(X, Y,
  params, h0)[1]`` with a target at the last step only).

The references are ``course_lib.data.make_windows``, ``course_lib.cells.rnn_step`` and
``course_lib.bptt``; the known mistakes are computed from the same inputs (``backward_variant``
replays BPTT with one mistake) and named when the student's answer equals one of them. The
aggregation over calls is shared with ``hw01_perceptron``.
"""

from __future__ import annotations

import numpy as np

from .. import bptt, cells, data
from ..i18n import N_, _
from .common import Assignment, FunctionPart, Verdict, encode
from .diagnose import CheckResult, as_array, close, compare, fmt_shape
from .findings import Finding, analyse_output, combine, judge_outputs, run_public_check
from .hw03_rnn_backward import (
    BACKWARD_MESSAGES,
    BACKWARD_MISTAKES,
    BACKWARD_WEIGHTS,
    GRAD_KEYS,
    backward_variant,
)

__all__ = [
    "ASSIGNMENT",
    "check_make_supervised",
    "check_rnn_step",
    "check_rnn_loss",
    "check_rnn_backward",
    "supervised_verdicts",
    "step_verdicts",
    "loss_verdicts",
    "backward_verdicts",
    "backward_variant",
    "GRAD_KEYS",
]


def _shape(a) -> str:
    return fmt_shape(np.shape(a))


# ------------------------------------------------------------------------------------------
# make_supervised
# ------------------------------------------------------------------------------------------

SUPERVISED_MESSAGES = {
    "one_short": (
        N_(
            "one window short: the last row, series[len − n − 1 : len − 1] → series[len − 1], is "
            "missing (there are len − n windows: range(len(series) - n))"
        )
    ),
    "includes_target": (
        N_(
            "each row of X must hold the n values X1 … Xn before the target, not the target "
            "itself: X[i] = series[i : i + n], Y[i] = series[i + n]"
        )
    ),
    "shifted": (
        N_(
            "the window includes the target: X's last column equals Y. X[i] = series[i : i + n] "
            "ends just before Y[i] = series[i + n]"
        )
    ),
    "reversed": (
        N_(
            "the columns are in reverse order: X1 is the oldest value of the window and Xn the "
            "newest, X[i] = series[i : i + n]"
        )
    ),
    "one_long": (
        N_(
            "X has one row too many: the last window has no value after it to predict, so there "
            "are len − n rows, not len − n + 1 (trim the last window of a sliding view)"
        )
    ),
    "transposed": N_("X is transposed: one row per window, shape (len − n, n)"),
    "three_d": (
        N_(
            "X has the feature axis of data.make_windows, (len − n, n, 1); this table is 2-D, "
            "(len − n, n)"
        )
    ),
    "last_of_window": (
        N_(
            "off by one: Y[i] is the last value of its own window; the target is the value after "
            "it, Y[i] = series[i + n]"
        )
    ),
    "two_ahead": (
        N_("off by one: Y[i] is two steps after the window; it is the next value, series[i + n]")
    ),
    "column": N_("Y should be 1-D, shape (len − n,), not a column (len − n, 1)"),
}
SUPERVISED_WEIGHTS = {"X": 0.5, "Y": 0.5}


def supervised_mistakes(series, n) -> dict[str, dict[str, np.ndarray]]:
    """Known wrong tables X, Y from ``series`` and window ``n`` (shapes may differ)."""
    s = np.asarray(series, dtype=float)
    rows = len(s) - n
    X = np.array([s[i : i + n] for i in range(rows)])
    Y = s[n:]
    return {
        "X": {
            "one_short": X[:-1],
            "one_long": np.array([s[i : i + n] for i in range(rows + 1)]),
            "includes_target": np.array([s[i : i + n + 1] for i in range(rows)]),
            "shifted": np.array([s[i + 1 : i + n + 1] for i in range(rows)]),
            "reversed": X[:, ::-1],
            "transposed": X.T,
            "three_d": X[:, :, None],
        },
        "Y": {
            "last_of_window": s[n - 1 : -1],
            "one_short": Y[:-1],
            "two_ahead": s[n + 1 :],
            "column": Y[:, None],
        },
    }


def _draw_supervised(rng) -> list[dict]:
    calls = []
    for _unused in range(3):
        length = int(rng.integers(8, 26))
        n = int(rng.integers(2, 6))
        series = np.round(np.cumsum(rng.normal(size=length)), 3) + np.arange(length) * 1e-3
        calls.append({"args": [encode(series), n], "kwargs": {}})
    return calls


def _analyse_supervised(series, n, value):
    series = np.asarray(series, dtype=float)
    X_ref, Y_ref = data.make_windows(series, n)
    mistakes = supervised_mistakes(series, n)
    if not isinstance(value, list) or len(value) != 2:
        got = (
            _("a list of {n}").format(n=len(value))
            if isinstance(value, list)
            else type(value).__name__
        )
        return {
            k: Finding(False, _("make_supervised must return (X, Y); got {got}").format(got=got))
            for k in "XY"
        }
    return {
        "X": analyse_output(value[0], X_ref[:, :, 0], mistakes["X"], "X"),
        "Y": analyse_output(value[1], Y_ref, mistakes["Y"], "Y"),
    }


def supervised_verdicts(calls, outcomes):
    """Verdicts of ``make_supervised`` per output (X, Y)."""
    return judge_outputs(
        calls,
        outcomes,
        "make_supervised",
        _analyse_supervised,
        SUPERVISED_WEIGHTS,
        SUPERVISED_MESSAGES,
        {},
        lambda series, n: f"series {_shape(series)}, n = {n}",
    )


def check_make_supervised(make_supervised) -> CheckResult:
    """Public check of ``make_supervised(series, n)`` (advice; see ADVICE)."""
    return run_public_check(
        "make_supervised", make_supervised, _draw_supervised, supervised_verdicts, seed=301
    )


# ------------------------------------------------------------------------------------------
# rnn_step
# ------------------------------------------------------------------------------------------

STEP_MESSAGES = {
    "no_bias": N_("the bias b is missing: h_t = tanh(x_t Wx + h_{t−1} Wh + b)"),
    "sigmoid": N_(
        "sigmoid used where the simple RNN uses tanh: h_t = tanh(x_t Wx + h_{t−1} Wh + b)"
    ),
    "relu": N_("ReLU used where the simple RNN uses tanh"),
    "no_activation": N_("tanh is missing: you returned the pre-activation x_t Wx + h_{t−1} Wh + b"),
    "Wh_transposed": (
        N_(
            "Wh is used transposed: in the row (batch-first) convention the recurrent term is "
            "h_prev @ Wh, not h_prev @ Wh.T (the lesson's W_hᵀ h is the column form)"
        )
    ),
    "Wx_transposed": N_(
        "Wx is used transposed: the input term is x_t @ Wx, Wx of shape (n_in, n_h)"
    ),
    "swapped": (
        N_("the input and recurrent weights are swapped: x_t goes with Wx and h_{t−1} with Wh")
    ),
    "no_recurrence": N_(
        "the recurrent term h_{t−1} Wh is missing: without it the RNN has no memory"
    ),
    "no_input": N_("the input term x_t Wx is missing"),
    "output_transposed": N_("h_t is transposed: one row per sequence, shape (batch, n_h)"),
}
STEP_CREDITS = {
    "no_bias": 0.5,
    "sigmoid": 0.5,
    "relu": 0.5,
    "Wh_transposed": 0.5,
    "Wx_transposed": 0.5,
    "swapped": 0.5,
    "no_activation": 0.25,
}
STEP_WEIGHTS = {"h_t": 1.0}


def step_mistakes(x_t, h_prev, params) -> dict[str, np.ndarray | None]:
    """Known wrong h_t on these inputs (None where the shapes do not allow the mistake)."""
    Wx, Wh, b = (np.asarray(params[k], dtype=float) for k in ("Wx", "Wh", "b"))
    xw, hw = x_t @ Wx, h_prev @ Wh
    a = xw + hw + b
    square = Wx.shape[0] == Wx.shape[1]
    return {
        "no_bias": np.tanh(xw + hw),
        "sigmoid": cells.sigmoid(a),
        "relu": cells.relu(a),
        "no_activation": a,
        "Wh_transposed": np.tanh(xw + h_prev @ Wh.T + b),
        "Wx_transposed": np.tanh(x_t @ Wx.T + hw + b) if square else None,
        "swapped": np.tanh(x_t @ Wh + h_prev @ Wx + b) if square else None,
        "no_recurrence": np.tanh(xw + b),
        "no_input": np.tanh(hw + b),
        "output_transposed": np.tanh(a).T,
    }


def _draw_step(rng) -> list[dict]:
    calls = []
    for k in range(4):
        batch, n_h = int(rng.integers(1, 4)), int(rng.integers(2, 5))
        n_in = n_h if k % 2 == 0 else int(rng.choice([m for m in range(1, 5) if m != n_h]))
        params = {
            "Wx": rng.normal(0.0, 0.8, size=(n_in, n_h)),
            "Wh": rng.normal(0.0, 0.8, size=(n_h, n_h)),
            "b": rng.normal(0.0, 0.8, size=n_h),
        }
        x_t = rng.normal(size=(batch, n_in))
        h_prev = rng.uniform(-0.9, 0.9, size=(batch, n_h))
        calls.append({"args": [encode(x_t), encode(h_prev), encode(params)], "kwargs": {}})
    return calls


def _analyse_step(x_t, h_prev, params, value):
    x_t, h_prev = np.asarray(x_t, float), np.asarray(h_prev, float)
    ref = cells.rnn_step(x_t, h_prev, params)
    return {"h_t": analyse_output(value, ref, step_mistakes(x_t, h_prev, params), "h_t")}


def _describe_step(x_t, h_prev, params):
    return (
        f"x_t {_shape(x_t)}, h_prev {_shape(h_prev)}, Wx {_shape(params['Wx'])}, "
        f"Wh {_shape(params['Wh'])}, b {_shape(params['b'])}"
    )


def step_verdicts(calls, outcomes):
    """Verdict of ``rnn_step`` (its one output h_t)."""
    return judge_outputs(
        calls,
        outcomes,
        "rnn_step",
        _analyse_step,
        STEP_WEIGHTS,
        STEP_MESSAGES,
        STEP_CREDITS,
        _describe_step,
    )


def check_rnn_step(rnn_step) -> CheckResult:
    """Public check of ``rnn_step(x_t, h_prev, params)`` (advice; see ADVICE)."""
    return run_public_check("rnn_step", rnn_step, _draw_step, step_verdicts, seed=302)


# ------------------------------------------------------------------------------------------
# The sequence → vector model: loss and backward pass
# ------------------------------------------------------------------------------------------

# (GRAD_KEYS and the known mistakes of BPTT with their messages: hw03_rnn_backward)


def _draw_model(rng, calls: int = 3) -> list[dict]:
    out = []
    for _unused in range(calls):
        batch, time = int(rng.integers(1, 4)), int(rng.integers(3, 7))
        n_in, n_h, n_out = int(rng.integers(1, 4)), int(rng.integers(2, 5)), int(rng.integers(1, 3))
        params = {
            "Wx": rng.normal(0.0, 0.7, size=(n_in, n_h)),
            "Wh": rng.normal(0.0, 0.7, size=(n_h, n_h)),
            "b": rng.normal(0.0, 0.5, size=n_h),
            "Wy": rng.normal(0.0, 0.7, size=(n_h, n_out)),
            "by": rng.normal(0.0, 0.5, size=n_out),
        }
        X = rng.normal(size=(batch, time, n_in))
        Y = rng.normal(size=(batch, n_out))
        h0 = rng.uniform(-0.8, 0.8, size=(batch, n_h))
        out.append({"args": [encode(X), encode(Y), encode(params), encode(h0)], "kwargs": {}})
    return out


def _describe_model(X, Y, params, h0):
    return f"X {_shape(X)}, Y {_shape(Y)}, Wx {_shape(params['Wx'])}, h0 {_shape(h0)}"


LOSS_MESSAGES = {
    "sum": N_("the loss is the mean of the squared errors over every entry of Y, not their sum"),
    "rmse": N_("no square root: L = mean((ŷ − y)²), not its root"),
    "no_square": N_("the errors must be squared: L = mean((ŷ − y)²)"),
    "h0_ignored": N_("the forward pass starts from zeros: it must start from the given h0"),
    "no_by": N_("the read-out's bias is missing: ŷ = h_T Wy + by"),
    "first_step": N_("the read-out uses h_1; it uses the last state: ŷ = h_T Wy + by"),
}
LOSS_WEIGHTS = {"L": 1.0}


def loss_mistakes(X, Y, params, h0) -> dict[str, np.ndarray]:
    """Known wrong losses on these inputs."""
    H, Y_hat = bptt.forward(X, params, h0)
    H0, Y_hat0 = bptt.forward(X, params, np.zeros_like(h0))
    err = Y_hat[:, -1] - Y
    return {
        "sum": np.asarray(np.sum(err**2)),
        "rmse": np.asarray(np.sqrt(np.mean(err**2))),
        "no_square": np.asarray(np.mean(err)),
        "h0_ignored": np.asarray(np.mean((Y_hat0[:, -1] - Y) ** 2)),
        "no_by": np.asarray(np.mean((H[:, -1] @ params["Wy"] - Y) ** 2)),
        "first_step": np.asarray(np.mean((Y_hat[:, 0] - Y) ** 2)),
    }


def reference_loss(X, Y, params, h0) -> float:
    """L = mean((h_T Wy + by − y)²), from ``course_lib.bptt.forward`` and ``mse_loss``."""
    return bptt.mse_loss(bptt.forward(X, params, h0)[1][:, -1, :], Y)


def _analyse_loss(X, Y, params, h0, value):
    X, Y, h0 = (np.asarray(a, float) for a in (X, Y, h0))
    ref = np.asarray(reference_loss(X, Y, params, h0))
    arr, problem = as_array(value, "L")
    if problem:
        return {"L": Finding(False, problem)}
    if arr.size == 1 and arr.shape != ():  # crashes bptt.gradient_check, formats badly
        return {
            "L": Finding(
                False,
                _(
                    "L is an array of shape {shape}; return one number, "
                    "float(np.mean(...)), not an array"
                ).format(shape=fmt_shape(arr.shape)),
            )
        }
    return {"L": analyse_output(arr, ref, loss_mistakes(X, Y, params, h0), "L")}


def loss_verdicts(calls, outcomes):
    """Verdict of ``rnn_loss`` (one number)."""
    return judge_outputs(
        calls, outcomes, "rnn_loss", _analyse_loss, LOSS_WEIGHTS, LOSS_MESSAGES, {}, _describe_model
    )


def check_rnn_loss(rnn_loss) -> CheckResult:
    """Public check of ``rnn_loss(X, Y, params, h0)`` (advice; see ADVICE)."""
    return run_public_check("rnn_loss", rnn_loss, _draw_model, loss_verdicts, seed=303)


def _scale_of(arr, ref) -> float | None:
    """c when ``arr`` = c · ``ref`` for one constant c (not 1), else None."""
    if arr is None or np.shape(arr) != np.shape(ref):
        return None
    den = float(np.sum(ref * ref))
    if den < 1e-20:
        return None
    c = float(np.sum(arr * ref)) / den
    if abs(c - 1.0) < 1e-3 or abs(c) < 1e-6 or not close(arr, c * ref):
        return None
    return c


def _analyse_backward(X, Y, params, h0, value):
    X, Y, h0 = (np.asarray(a, float) for a in (X, Y, h0))
    _unused, ref = bptt.bptt(X, Y, params, h0)
    variants = {m: backward_variant(X, Y, params, h0, m) for m in BACKWARD_MISTAKES}
    if not isinstance(value, dict) or "unsupported" in value:
        got = value.get("unsupported", "dict") if isinstance(value, dict) else type(value).__name__
        msg = _("rnn_backward must return a dict of gradients with keys {keys}; got {got}").format(
            keys=list(GRAD_KEYS), got=got
        )
        return {k: Finding(False, msg) for k in GRAD_KEYS}
    out = {}
    for key in GRAD_KEYS:
        name = f"grads[{key!r}]"
        if key in value:
            got = value[key]
        elif f"d{key}" in value:
            got = value[f"d{key}"]
        else:
            out[key] = Finding(
                False,
                _(
                    "grads has no key {key!r} (keys: {keys}); use the parameters' names, "
                    "grads[{key!r}] = ∂L/∂{key}, as course_lib.bptt.bptt does"
                ).format(key=key, keys=sorted(value)),
            )
            continue
        finding = analyse_output(got, ref[key], {m: v[key] for m, v in variants.items()}, name)
        if not finding.ok and not finding.mistakes:
            _unused, _unused, arr = compare(got, ref[key], name)
            if _scale_of(arr, ref[key]) is not None:
                finding = Finding(False, finding.message, ("scale",))
            elif arr is not None and arr.ndim == 2 and arr.shape[1:] == ref[key].shape:
                finding = Finding(
                    False, finding.message + _(" (sum over the batch too, not only over time)")
                )
        out[key] = finding
    return out


LOOP_HINT = N_(
    " (Wy and by are right, so the forward pass and the read-out are fine: the mistake is in "
    "the backward loop. Check which state each δa_t uses and that only δh_T gets the "
    "read-out's term)"
)


def backward_verdicts(calls, outcomes):
    """Verdicts of ``rnn_backward``, one per gradient (Wx, Wh, b, Wy, by).

    When Wy and by are right but a loop gradient (Wx, Wh, b) is wrong for no known reason,
    its message points to the backward loop (``LOOP_HINT``).
    """
    verdicts = judge_outputs(
        calls,
        outcomes,
        "rnn_backward",
        _analyse_backward,
        BACKWARD_WEIGHTS,
        BACKWARD_MESSAGES,
        {},
        _describe_model,
    )
    by_key = dict(verdicts)
    if not all(k in by_key and by_key[k].passed for k in ("Wy", "by")):
        return verdicts
    known = tuple(_(m) for m in BACKWARD_MESSAGES.values())
    out = []
    for k, v in verdicts:
        if k in ("Wx", "Wh", "b") and not v.passed and not any(m in v.message for m in known):
            v = Verdict(v.fraction, v.message + _(LOOP_HINT))
        out.append((k, v))
    return out


def check_rnn_backward(rnn_backward) -> CheckResult:
    """Public check of ``rnn_backward(X, Y, params, h0)`` (advice; see ADVICE)."""
    return run_public_check("rnn_backward", rnn_backward, _draw_model, backward_verdicts, seed=304)


# ------------------------------------------------------------------------------------------
# The assignment
# ------------------------------------------------------------------------------------------


def _judge(detail, weights):
    return lambda calls, outcomes: combine(detail(calls, outcomes), weights)


_TANH = ("course_lib.cells.tanh", "course_lib.cells.sigmoid")

ASSIGNMENT = Assignment(
    name="hw03_rnn",
    title="Homework 03: the recurrent network",
    parts=[
        FunctionPart(
            "make_supervised",
            2.0,
            function="make_supervised",
            draw_calls=_draw_supervised,
            judge=_judge(supervised_verdicts, SUPERVISED_WEIGHTS),
            allowed=(),
        ),
        FunctionPart(
            "rnn_step",
            2.0,
            function="rnn_step",
            draw_calls=_draw_step,
            judge=_judge(step_verdicts, STEP_WEIGHTS),
            allowed=_TANH,
        ),
        FunctionPart(
            "rnn_loss",
            1.0,
            function="rnn_loss",
            draw_calls=_draw_model,
            judge=_judge(loss_verdicts, LOSS_WEIGHTS),
            allowed=_TANH,
        ),
        FunctionPart(
            "rnn_backward",
            4.0,
            function="rnn_backward",
            draw_calls=_draw_model,
            judge=_judge(backward_verdicts, BACKWARD_WEIGHTS),
            allowed=_TANH,
        ),
    ],
    cell_timeout=30.0,
    timeout=120.0,
)
