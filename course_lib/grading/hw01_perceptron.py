"""Homework 01, the perceptron: public checks and grading (after lesson 01).

The student writes, in ``solutions/hw01_perceptron.ipynb`` / ``exercises/hw01_perceptron.ipynb``:

- ``predict(w, b, X)``: o = step(X·w + b), one 0/1 per row of ``X`` (n, n_in); step(0) = 1,
  as in ``course_lib.cells.step``;
- ``perceptron_update(w, b, x, t, lr)``: one application of the rule
  Δw = η (t − o) x, Δb = η (t − o); returns ``(w_new, b_new, o)`` with ``o`` the output before
  the update (the contract of ``course_lib.learning.perceptron_update``);
- ``train(X, t, lr, epochs)``: from w = 0, b = 0, one pass over the examples in order per epoch,
  updating after each; ``errors[k]`` = examples misclassified after epoch k + 1; stops after
  the first epoch with zero errors; returns ``(w, b, errors)`` (as
  ``course_lib.learning.train_perceptron``);
- ``xor_errors(lr, epochs)``: the list ``errors`` of ``train`` on XOR, which never reaches 0.

Every check draws its inputs with dyadic numbers (multiples of 1/8) and learning rates that are
powers of two, so that every sum is exact in floating point and a weighted sum of exactly 0 (the
tie where ``>=`` and ``>`` differ) really is 0. The references are ``course_lib.learning`` and
``course_lib.cells``; the known mistakes are computed from the same inputs and named when the
student's answer equals one of them.

The aggregation (outcomes of several calls, one verdict per output of the function, partial
credit for a near miss that one named mistake explains on every call) is :mod:`.findings`,
shared with ``hw03_rnn``.
"""

from __future__ import annotations

import numpy as np

from .. import cells, learning
from ..i18n import N_, _
from .common import Assignment, FunctionPart, Verdict, encode
from .diagnose import CheckResult, as_array, close, fmt_shape
from .findings import Finding, analyse_output, combine, judge_outputs, run_public_check

__all__ = [
    "ASSIGNMENT",
    "check_predict",
    "check_perceptron_update",
    "check_train",
    "check_xor_errors",
    "predict_verdicts",
    "update_verdicts",
    "train_verdicts",
    "xor_verdicts",
    "judge_outputs",
    "Finding",
]


def _shape(a) -> str:
    return fmt_shape(np.shape(a))


def _dyadic(rng, size, low: int = -8, high: int = 8, scale: int = 4):
    """Random multiples of 1/scale in [low/scale, high/scale]: exact in floating point."""
    return rng.integers(low, high + 1, size=size) / scale


# ------------------------------------------------------------------------------------------
# predict
# ------------------------------------------------------------------------------------------

PREDICT_MESSAGES = {
    "strict": (
        N_(
            "wrong only where x·w + b is exactly 0: the lesson's step answers 1 there "
            "(step(s) = 1 if s >= 0), so compare with >= 0, not > 0"
        )
    ),
    "no_bias": N_("the bias is missing: the weighted sum is x·w + b"),
    "minus_bias": N_("the bias is subtracted: the weighted sum is x·w + b (b = −θ), not x·w − b"),
    "sign": N_("the outputs are −1/1; the perceptron answers 0 (silent) or 1 (fires)"),
    "no_step": N_("no step: you returned the weighted sum x·w + b itself; apply the step to it"),
    "inverted": N_("the step is upside down: the neuron fires (1) when x·w + b >= 0, else 0"),
}
PREDICT_WEIGHTS = {"o": 1.0}
PREDICT_CREDITS = {"strict": 0.5, "no_bias": 0.25, "minus_bias": 0.25, "sign": 0.25}


def predict_mistakes(w, b, X) -> dict[str, np.ndarray]:
    """The known wrong versions of step(X·w + b) on these inputs."""
    s = X @ w + b
    return {
        "strict": (s > 0).astype(float),
        "no_bias": (X @ w >= 0).astype(float),
        "minus_bias": (X @ w - b >= 0).astype(float),
        "sign": np.where(s >= 0, 1.0, -1.0),
        "no_step": s,
        "inverted": (s < 0).astype(float),
    }


def _draw_predict(rng) -> list[dict]:
    calls = []
    for k in range(6):
        n_in, n = int(rng.integers(2, 6)), int(rng.integers(4, 10))
        w = _dyadic(rng, n_in)
        while not np.any(w):
            w = _dyadic(rng, n_in)
        X = _dyadic(rng, (n, n_in), -4, 4, 2)
        b = float(_dyadic(rng, None, 1, 8))  # never 0: a missing bias must show
        b = b if rng.random() < 0.5 else -b
        if k % 2 == 0:  # a tie: one row sums to exactly 0 (b chosen for it)
            X[-1] = _dyadic(rng, n_in, -4, 4, 2)
            b = -float(X[-1] @ w)
            if b == 0.0:
                X[-1, int(np.argmax(np.abs(w)))] += 1.0
                b = -float(X[-1] @ w)
        else:  # no tie anywhere
            s = X @ w + b
            X[s == 0] += 0.5 * np.sign(w)
        calls.append({"args": [encode(w), b, encode(X)], "kwargs": {}})
    return calls


def _analyse_predict(w, b, X, value):
    w, X = np.asarray(w, float), np.asarray(X, float)
    ref = cells.perceptron(X, w, b)
    return {"o": analyse_output(value, ref, predict_mistakes(w, b, X), "predict(w, b, X)")}


def _describe_predict(w, b, X):
    return f"w {_shape(w)}, b = {b}, X {_shape(X)}"


def predict_verdicts(calls, outcomes):
    """Verdicts of ``predict`` on these calls (used by the public check and by judge)."""
    return judge_outputs(
        calls,
        outcomes,
        "predict",
        _analyse_predict,
        PREDICT_WEIGHTS,
        PREDICT_MESSAGES,
        PREDICT_CREDITS,
        _describe_predict,
    )


def check_predict(predict) -> CheckResult:
    """Public check of ``predict(w, b, X)``: prints what passed and what to fix (advice)."""
    return run_public_check("predict", predict, _draw_predict, predict_verdicts, seed=101)


# ------------------------------------------------------------------------------------------
# perceptron_update
# ------------------------------------------------------------------------------------------

UPDATE_MESSAGES = {
    "sign": (
        N_(
            "the update has the wrong sign: the error is t − o (target minus output), so "
            "Δw = η (t − o) x raises the weights when the neuron fell short"
        )
    ),
    "no_lr": N_("the learning rate is not applied: Δw = η (t − o) x, Δb = η (t − o)"),
    "prediction": N_("the update uses the output o instead of the error t − o"),
    "target": N_("the update uses the target t instead of the error t − o"),
    "strict": (
        N_(
            "wrong only where x·w + b is exactly 0: there the step answers 1 (>= 0, as in "
            "lesson 01), so o = 1"
        )
    ),
    "no_x": N_("Δw is not multiplied by the input: Δw = η (t − o) x"),
    "not_updated": N_("the bias is not updated: b ← b + η (t − o)"),
    "after": N_("o must be the output before the update (the one the rule corrects), not after"),
    "sum": N_("o is the weighted sum x·w + b itself; it must be step(x·w + b), 0 or 1"),
}
UPDATE_WEIGHTS = {"w": 0.45, "b": 0.35, "o": 0.2}


def update_mistakes(w, b, x, t, lr) -> dict[str, dict[str, np.ndarray]]:
    """Known wrong (w, b, o) of one perceptron update, per output."""
    s = float(x @ w + b)
    o = float(s >= 0)
    o_strict = float(s > 0)
    err, err_strict = t - o, t - o_strict
    w_new, b_new = w + lr * err * x, b + lr * err
    o_after = float(x @ w_new + b_new >= 0)
    return {
        "w": {  # "strict" first: at a tie it coincides with "target" (t = 0 or 1 alike)
            "strict": w + lr * err_strict * x,
            "sign": w - lr * err * x,
            "no_lr": w + err * x,
            "prediction": w + lr * o * x,
            "target": w + lr * t * x,
            "no_x": w + lr * err,
        },
        "b": {
            "strict": np.asarray(b + lr * err_strict),
            "not_updated": np.asarray(b),
            "sign": np.asarray(b - lr * err),
            "no_lr": np.asarray(b + err),
            "prediction": np.asarray(b + lr * o),
            "target": np.asarray(b + lr * t),
        },
        "o": {"strict": np.asarray(o_strict), "after": np.asarray(o_after), "sum": np.asarray(s)},
    }


def _draw_update(rng) -> list[dict]:
    # (sum's sign, target): fell short, overshot, right (both ways), and ties at exactly 0
    cases = [(-1, 1), (1, 0), (-1, 0), (1, 1), (0, 0), (0, 1), (-1, 1), (1, 0)]
    calls = []
    for sign, t in cases:
        n_in = int(rng.integers(2, 6))
        w = _dyadic(rng, n_in)
        x = _dyadic(rng, n_in, -4, 4, 2)
        while not np.any(x):
            x = _dyadic(rng, n_in, -4, 4, 2)
        s = sign * float(_dyadic(rng, None, 1, 8))
        b = s - float(x @ w)
        lr = float(rng.choice([0.5, 0.25, 0.125]))
        calls.append({"args": [encode(w), b, encode(x), t, lr], "kwargs": {}})
    return calls


def _analyse_update(w, b, x, t, lr, value):
    w, x = np.asarray(w, float), np.asarray(x, float)
    w_ref, b_ref, o_ref = learning.perceptron_update(w, b, x, t, lr)
    mistakes = update_mistakes(w, b, x, float(t), lr)
    if not isinstance(value, list) or len(value) not in (2, 3):
        got = (
            _("a list of {n}").format(n=len(value))
            if isinstance(value, list)
            else type(value).__name__
        )
        msg = _("perceptron_update must return (w_new, b_new, o); got {got}").format(got=got)
        return {k: Finding(False, msg) for k in UPDATE_WEIGHTS}
    out = {
        "w": analyse_output(value[0], w_ref, mistakes["w"], "w_new"),
        "b": analyse_output(value[1], b_ref, mistakes["b"], "b_new"),
    }
    if len(value) == 2:
        out["o"] = Finding(False, _("only (w_new, b_new) came back; return (w_new, b_new, o)"))
    else:
        out["o"] = analyse_output(value[2], o_ref, mistakes["o"], "o")
    return out


def _describe_update(w, b, x, t, lr):
    return f"w {_shape(w)}, x {_shape(x)}, t = {t}, lr = {lr}"


UPDATE_IN_PLACE = N_(
    "you changed the caller's w in place (w += … or w[...] = …), so the w you were given "
    "changed too: return a new array, w + lr * (t - o) * x"
)


def update_verdicts(calls, outcomes):
    """Verdicts of ``perceptron_update`` per output (w_new, b_new, o).

    An outcome recording that ``w`` (argument 0) was changed in place, which only the public
    check's ``call_locally`` can see (the grader's kernel sends back returned values), marks
    w_new wrong with ``UPDATE_IN_PLACE``.
    """
    verdicts = judge_outputs(
        calls,
        outcomes,
        "perceptron_update",
        _analyse_update,
        UPDATE_WEIGHTS,
        UPDATE_MESSAGES,
        {"strict": 0.5},
        _describe_update,
    )
    if not any(0 in o.get("changed_args", ()) for o in outcomes if isinstance(o, dict)):
        return verdicts
    out = []
    for k, v in verdicts:
        if k == "w":
            in_place = _(UPDATE_IN_PLACE)
            text = (
                in_place
                if v.passed
                else _("{in_place}; and {message}").format(in_place=in_place, message=v.message)
            )
            v = Verdict(0.0, text)
        out.append((k, v))
    return out


def check_perceptron_update(perceptron_update) -> CheckResult:
    """Public check of ``perceptron_update(w, b, x, t, lr)`` (advice; see ADVICE)."""
    return run_public_check(
        "perceptron_update", perceptron_update, _draw_update, update_verdicts, seed=102
    )


# ------------------------------------------------------------------------------------------
# train
# ------------------------------------------------------------------------------------------

TRAIN_MESSAGES = {
    "no_early_stop": (
        N_(
            "training must stop after the first epoch with zero errors (the list then ends with "
            "its first 0), as learning.train_perceptron does"
        )
    ),
    "updates": (
        N_(
            "errors[k] must count the examples misclassified after epoch k + 1 (with the weights "
            "at the end of the epoch), not the updates made during it"
        )
    ),
    "before": (
        N_(
            "errors[k] is counted with the weights before the epoch; count after it (with the "
            "weights at the end of epoch k + 1)"
        )
    ),
    "batch": (
        N_(
            "the weights change once per epoch (summed updates); the perceptron rule updates "
            "after each example, in order"
        )
    ),
}


TRAIN_WEIGHTS = {"errors": 0.5, "w": 0.25, "b": 0.25}
#: The replayed loop mistakes; two variants of one mistake share its message (and its name).
TRAIN_VARIANTS = (*TRAIN_MESSAGES, "updates_late")
TRAIN_ALIASES = {"updates_late": "updates"}


def _named(finding: Finding) -> Finding:
    """The finding with each variant's mistake named by its message's key (no duplicates)."""
    names = tuple(dict.fromkeys(TRAIN_ALIASES.get(m, m) for m in finding.mistakes))
    return Finding(finding.ok, finding.message, names, finding.wrong_shape)


def train_variant(X, t, lr, epochs, mistake: str | None = None):
    """``learning.train_perceptron`` replayed with one known mistake (grader-side diagnosis).

    ``mistake``: None (the rule as in the lesson), ``"no_early_stop"``, ``"updates"``
    (count updates during the epoch), ``"updates_late"`` (count updates and stop after the
    first epoch without one, an epoch after the right stop; named as ``"updates"``),
    ``"before"`` (count errors before the epoch), ``"batch"``
    (sum the updates of an epoch and apply them at its end).
    """
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _unused in range(epochs):
        before = learning.perceptron_errors(w, b, X, t)
        if mistake == "batch":
            o = cells.perceptron(X, w, b)
            w, b = w + lr * (t - o) @ X, b + lr * float(np.sum(t - o))
            updates = int(np.sum(o != t))
        else:
            w, b, updates = learning.perceptron_epoch(w, b, X, t, lr)
        after = learning.perceptron_errors(w, b, X, t)
        counted = {"updates": updates, "updates_late": updates, "before": before}
        errors.append(counted.get(mistake, after))
        if mistake == "updates_late":  # counts updates and stops when an epoch made none
            if updates == 0:
                break
        elif after == 0 and mistake != "no_early_stop":
            break
    return w, b, errors


def _draw_train(rng) -> list[dict]:
    calls = []
    for k in range(4):
        n, n_in = int(rng.integers(4, 9)), int(rng.integers(2, 4))
        X = _dyadic(rng, (n, n_in), -4, 4, 2)
        if k % 2 == 0:  # separable: labels from a random line (no point on it)
            v, c = _dyadic(rng, n_in), float(_dyadic(rng, None))
            s = X @ v + c
            X[s == 0] += 0.5
            t = (X @ v + c > 0).astype(float)
            if t.min() == t.max():
                t[0] = 1.0 - t[0]
        else:  # random labels, usually not separable
            t = rng.integers(0, 2, size=n).astype(float)
        lr = float(rng.choice([0.5, 0.25, 0.125]))
        epochs = int(rng.integers(4, 13))
        calls.append({"args": [encode(X), encode(t), lr, epochs], "kwargs": {}})
    return calls


def _analyse_train(X, t, lr, epochs, value):
    X, t = np.asarray(X, float), np.asarray(t, float)
    w_ref, b_ref, e_ref = learning.train_perceptron(X, t, lr, epochs)
    variants = {m: train_variant(X, t, lr, epochs, m) for m in TRAIN_VARIANTS}
    if not isinstance(value, list) or len(value) != 3:
        got = (
            _("a list of {n}").format(n=len(value))
            if isinstance(value, list)
            else type(value).__name__
        )
        msg = _("train must return (w, b, errors); got {got}").format(got=got)
        return {k: Finding(False, msg) for k in ("errors", "w", "b")}
    found = {
        "errors": analyse_output(
            value[2],
            np.asarray(e_ref, float),
            {m: np.asarray(v[2], float) for m, v in variants.items()},
            "errors",
        ),
        "w": analyse_output(value[0], w_ref, {m: v[0] for m, v in variants.items()}, "w"),
        "b": analyse_output(
            value[1], np.asarray(b_ref), {m: np.asarray(v[1]) for m, v in variants.items()}, "b"
        ),
    }
    return {k: _named(f) for k, f in found.items()}


def _describe_train(X, t, lr, epochs):
    return f"X {_shape(X)}, lr = {lr}, epochs = {epochs}"


def train_verdicts(calls, outcomes):
    """Verdicts of ``train`` per output (errors, w, b)."""
    verdicts = judge_outputs(
        calls,
        outcomes,
        "train",
        _analyse_train,
        TRAIN_WEIGHTS,
        TRAIN_MESSAGES,
        {"no_early_stop": 0.5},
        _describe_train,
    )
    hint = _(" (if predict and perceptron_update pass their checks, look at the loop)")
    known = tuple(_(m) for m in TRAIN_MESSAGES.values())
    out = []
    for k, v in verdicts:  # a wrong result that no known loop mistake explains
        if k in TRAIN_WEIGHTS and not v.passed and not any(m in v.message for m in known):
            v = Verdict(v.fraction, v.message + hint)
        out.append((k, v))
    return out


def check_train(train) -> CheckResult:
    """Public check of ``train(X, t, lr, epochs)`` (advice; see ADVICE)."""
    return run_public_check("train", train, _draw_train, train_verdicts, seed=103)


# ------------------------------------------------------------------------------------------
# xor_errors
# ------------------------------------------------------------------------------------------


XOR_WEIGHTS = {"errors": 1.0}
XOR_TRAIN_HINT = N_(" (xor_errors uses your train: if check_train fails, fix that first)")


def _draw_xor(rng) -> list[dict]:
    return [
        {
            "args": [float(rng.choice([1.0, 0.5, 0.25, 0.125])), int(rng.integers(5, 41))],
            "kwargs": {},
        }
        for _unused in range(3)
    ]


def _analyse_xor(lr, epochs, value):
    X, t = learning.logic_gate("XOR")
    ref = np.asarray(learning.train_perceptron(X, t, lr, epochs)[2], float)
    if (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], np.ndarray)
        and isinstance(value[2], list)
    ):
        return {
            "errors": Finding(
                False,
                _(
                    "xor_errors must return the list of error counts only; you returned 3 items: "
                    "did you return train's whole (w, b, errors)? Take its third element"
                ),
            )
        }
    arr, problem = as_array(value, "xor_errors")
    if problem:
        return {"errors": Finding(False, problem)}
    if arr.ndim == 1 and arr.size and np.any(arr == 0):
        return {
            "errors": Finding(
                False,
                _(
                    "the error count reaches 0 on XOR, which no line can separate: the perceptron "
                    "can never classify all four points"
                )
                + _(XOR_TRAIN_HINT),
            )
        }
    if arr.shape != ref.shape:
        return {
            "errors": Finding(
                False,
                _(
                    "{epochs} epochs asked, {size} error counts returned: XOR never reaches "
                    "0 errors, so training runs every epoch and returns one count per epoch"
                ).format(epochs=epochs, size=arr.size),
            )
        }
    if close(arr, ref):
        return {"errors": Finding(True, _("right"))}
    found = analyse_output(arr, ref, {}, "xor_errors")
    return {"errors": Finding(False, found.message + _(XOR_TRAIN_HINT))}


def xor_verdicts(calls, outcomes):
    """Verdicts of ``xor_errors``: one count per epoch, never 0, as the lesson's rule gives."""
    return judge_outputs(
        calls,
        outcomes,
        "xor_errors",
        _analyse_xor,
        XOR_WEIGHTS,
        {},
        {},
        lambda lr, epochs: f"lr = {lr}, epochs = {epochs}",
    )


def check_xor_errors(xor_errors) -> CheckResult:
    """Public check of ``xor_errors(lr, epochs)`` (advice; see ADVICE)."""
    return run_public_check("xor_errors", xor_errors, _draw_xor, xor_verdicts, seed=104)


# ------------------------------------------------------------------------------------------
# The assignment
# ------------------------------------------------------------------------------------------


def _judge(detail, weights):
    return lambda calls, outcomes: combine(detail(calls, outcomes), weights)


ASSIGNMENT = Assignment(
    name="hw01_perceptron",
    title="Homework 01: the perceptron",
    parts=[
        FunctionPart(
            "predict",
            2.0,
            function="predict",
            draw_calls=_draw_predict,
            judge=_judge(predict_verdicts, PREDICT_WEIGHTS),
            allowed=(),
        ),
        FunctionPart(
            "perceptron_update",
            3.0,
            function="perceptron_update",
            draw_calls=_draw_update,
            judge=_judge(update_verdicts, UPDATE_WEIGHTS),
            allowed=(),
        ),
        FunctionPart(
            "train",
            2.0,
            function="train",
            draw_calls=_draw_train,
            judge=_judge(train_verdicts, TRAIN_WEIGHTS),
            allowed=(),
        ),
        FunctionPart(
            "xor_errors",
            1.0,
            function="xor_errors",
            draw_calls=_draw_xor,
            judge=_judge(xor_verdicts, XOR_WEIGHTS),
            allowed=("course_lib.learning.logic_gate",),
        ),
    ],
    cell_timeout=30.0,
    timeout=120.0,
)
