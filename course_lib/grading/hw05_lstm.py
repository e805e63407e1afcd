"""Homework 05: one LSTM step, and what the forget-gate bias does to memory.

The student writes, in ``solutions/hw05_lstm.ipynb`` (``exercises/`` for the student):

1. ``lstm_step(x_t, h_prev, c_prev, params) -> (h_t, c_t, gates)``, the contract of
   :func:`course_lib.cells.lstm_step`:

       f   = σ(x_t Wx_f + h_{t−1} Wh_f + b_f)       i = σ(x_t Wx_i + h_{t−1} Wh_i + b_i)
       o   = σ(x_t Wx_o + h_{t−1} Wh_o + b_o)       g = tanh(x_t Wx_g + h_{t−1} Wh_g + b_g)
       c_t = f ⊙ c_{t−1} + i ⊙ g                    h_t = o ⊙ tanh(c_t)

2. ``init_lstm_params(n_in, n_h, seed)``: small random weights, biases 0 except the forget
   gate's, b_f = 1 (Keras' ``unit_forget_bias=True``);
3. ``memory_left(b_f, T)``: the fraction of c₀ left after T steps with zero inputs and zero
   weights, σ(b_f)^T (each step keeps f = σ(b_f) of the cell and writes i·tanh(0) = 0);
4. ``half_life(b_f)``: the number of steps after which half of c₀ is left,
   T½ = ln 2 / (−ln σ(b_f)) = ln 2 / ln(1 + e^(−b_f)).

The diagnosis functions (``diagnose_lstm_step`` …) work on plain data (decoded calls and
outcomes). The public checks (``check_lstm_step(lstm_step)`` …) call the student's function
on fixed inputs in the notebook, turn its answer into plain data exactly as the grader's kernel
does, and run the same diagnosis; the grader's ``judge`` runs it on inputs drawn at grading
time, with references computed in the grader's process by ``course_lib.cells``. Each part's
check and judge come from one :class:`.diagnose.Diagnosis`; the inputs, known mistakes and
diagnosis of ``lstm_step`` are in :mod:`.hw05_lstm_step`.

numpy only: no TensorFlow here or in the homework, so grading hw05 is fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .. import cells
from ..i18n import N_, _
from .common import Assignment, FunctionPart, decode
from .diagnose import (
    CheckResult,
    Diagnosis,
    as_array,
    close,
    first_match,
    fmt_shape,
    outcome_problem,
    shape_problem,
)
from .hw05_lstm_step import (
    GATES,
    LSTM_LABELS,
    LSTM_WEIGHTS,
    diagnose_lstm_step,
    draw_lstm_calls,
    public_lstm_calls,
)

__all__ = [
    "ASSIGNMENT",
    "check_lstm_step",
    "check_init_lstm_params",
    "check_memory_left",
    "check_half_life",
    "diagnose_lstm_step",
    "diagnose_init_lstm_params",
    "diagnose_memory_left",
    "diagnose_half_life",
    "draw_lstm_calls",
    "judge_lstm_step",
]

# ------------------------------------------------------------------------------------------
# Part 1: lstm_step (its inputs, known mistakes and diagnosis: hw05_lstm_step)
# ------------------------------------------------------------------------------------------

LSTM_STEP = Diagnosis("lstm_step", diagnose_lstm_step, LSTM_WEIGHTS, LSTM_LABELS)
#: The grader's verdict: h_t and c_t count 2, each gate 1, averaged over the calls.
judge_lstm_step = LSTM_STEP.judge


def check_lstm_step(lstm_step: Callable) -> CheckResult:
    """Public check: run your ``lstm_step`` on two fixed inputs and say what is right.

    Prints one line per output (each gate, c_t, h_t) naming the faulty term, or one line when
    nothing came back at all. The result is true when everything is right and shows nothing
    in a notebook. Advice only: the score comes from the autograder.
    """
    return LSTM_STEP.check(lstm_step, public_lstm_calls())


# ------------------------------------------------------------------------------------------
# Part 2: init_lstm_params (the forget-gate bias)
# ------------------------------------------------------------------------------------------

INIT_CHECKS = {
    "shapes": N_("keys and shapes"),
    "forget_bias": N_("forget bias b_f = 1"),
    "other_biases": N_("other biases 0"),
    "weights": N_("small random weights"),
    "seed": N_("the seed decides the weights"),
}
#: Largest root mean square of all initial weights of all calls (pooled: at least 96 numbers in
#: the drawn calls, so a standard deviation of 0.5 always passes and one of 1 always fails), so
#: that f ≈ σ(b_f) at first.
MAX_INIT_RMS = 0.75


def draw_init_calls(rng: np.random.Generator) -> list[dict]:
    """Four calls: sizes drawn at random; calls 0 and 1 share a seed, call 2 has another."""
    n_in, n_h = (int(v) for v in rng.integers(2, 9, size=2))
    s1, s2 = (int(v) for v in rng.choice(10_000, size=2, replace=False))
    n_in2, n_h2 = (int(v) for v in rng.integers(1, 9, size=2))
    s3 = int(rng.integers(10_000))
    return [
        {"args": [n_in, n_h, s1], "kwargs": {}},
        {"args": [n_in, n_h, s1], "kwargs": {}},
        {"args": [n_in, n_h, s2], "kwargs": {}},
        {"args": [n_in2, n_h2, s3], "kwargs": {}},
    ]


def public_init_calls() -> list[dict]:
    """Fixed sizes (3, 4) with seeds 0, 0, 1, and (1, 2) with seed 7."""
    return [
        {"args": [3, 4, 0], "kwargs": {}},
        {"args": [3, 4, 0], "kwargs": {}},
        {"args": [3, 4, 1], "kwargs": {}},
        {"args": [1, 2, 7], "kwargs": {}},
    ]


def _read_params(value, n_in: int, n_h: int) -> tuple[dict | None, str | None]:
    if not isinstance(value, dict) or "unsupported" in value:
        what = value.get("unsupported") if isinstance(value, dict) else type(value).__name__
        return None, _(
            "init_lstm_params returned a {what}; expected a dict of numpy arrays"
        ).format(what=what)
    expected = {}
    for k in GATES:
        expected[f"Wx_{k}"] = (n_in, n_h)
        expected[f"Wh_{k}"] = (n_h, n_h)
        expected[f"b_{k}"] = (n_h,)
    arrays = {}
    for key, shape in expected.items():
        if key not in value:
            have = ", ".join(sorted(value)[:14]) or _("no keys")
            return None, _("params has no key '{key}' (shape {shape}); it has {have}").format(
                key=key, shape=shape, have=have
            )
        arr, problem = as_array(value[key], f"params['{key}']")
        if problem:
            return None, problem
        problem = shape_problem(
            arr,
            shape,
            _("params['{key}'] for n_in={n_in}, n_h={n_h}").format(key=key, n_in=n_in, n_h=n_h),
        )
        if problem:
            return None, problem
        arrays[key] = arr
    return arrays, None


def diagnose_init_lstm_params(calls: list[dict], outcomes: list[dict]) -> dict[str, tuple]:
    """Check ``init_lstm_params`` over calls drawn by ``draw_init_calls`` (or the public ones).

    Every call: the twelve keys with their shapes (a shape problem is said once, under
    "shapes"); b_f all 1 and b_i, b_o, b_g all 0 (what ``keras.layers.LSTM(
    unit_forget_bias=True)`` does); weights finite and not all equal, the four gates'
    matrices not all the same; all weights of all calls together of root mean square at most
    ``MAX_INIT_RMS`` (the public check's limit too). Across calls: the same seed gives the
    same weights, another seed other weights.
    Returns ``{check -> (ok, message)}``.
    """
    res = {k: (True, _("right")) for k in INIT_CHECKS}
    read = []
    for call, outcome in zip(calls, outcomes, strict=False):
        n_in, n_h, seed = call["args"]
        problem = outcome_problem(outcome, "init_lstm_params")
        params = None
        if not problem:
            params, problem = _read_params(decode(outcome["value"]), n_in, n_h)
        if problem:
            later = _("not checked (fix the keys and shapes first)")
            return {k: (False, problem if k == "shapes" else later) for k in INIT_CHECKS}
        read.append(params)
        if res["forget_bias"][0] and not np.allclose(params["b_f"], 1.0):
            if np.allclose(params["b_f"], 0.0):
                msg = _("b_f is 0: the forget bias must start at 1 (unit_forget_bias)")
            else:
                msg = _("b_f is {b_f}; every entry must be 1").format(
                    b_f=np.round(params["b_f"], 3)
                )
            res["forget_bias"] = (False, msg)
        for k in "iog":
            if res["other_biases"][0] and not np.allclose(params[f"b_{k}"], 0.0):
                res["other_biases"] = (
                    False,
                    _("b_{k} is {value}; only the forget bias is 1, the others start at 0").format(
                        k=k, value=np.round(params[f"b_{k}"], 3)
                    ),
                )
        for key in [f"{w}_{k}" for k in GATES for w in ("Wx", "Wh")]:
            w = params[key]
            if not res["weights"][0]:
                break
            if not np.all(np.isfinite(w)):
                res["weights"] = (
                    False,
                    _("params['{key}'] has NaN or infinite entries").format(key=key),
                )
            elif w.size > 1 and np.ptp(w) == 0:
                res["weights"] = (
                    False,
                    _(
                        "every entry of params['{key}'] is {value:.3g}: the weights must be "
                        "random, or all units stay identical (no symmetry breaking)"
                    ).format(key=key, value=w.flat[0]),
                )
        for w in ("Wx", "Wh"):
            mats = [params[f"{w}_{k}"] for k in GATES]
            if (
                res["weights"][0]
                and mats[0].size > 1
                and all(np.array_equal(mats[0], m) for m in mats[1:])
            ):
                res["weights"] = (
                    False,
                    _(
                        "{w}_f, {w}_i, {w}_o and {w}_g are the same matrix: the four gates would "
                        "compute the same thing. Create the generator once, rng = "
                        "np.random.default_rng(seed), and draw each of the eight matrices from "
                        "it in turn (a new default_rng(seed) per matrix repeats the same numbers)"
                    ).format(w=w),
                )
    weights = [p[k].ravel() for p in read for k in p if k.startswith("W")]
    rms = float(np.sqrt(np.mean(np.concatenate(weights) ** 2))) if weights else 0.0
    if res["weights"][0] and rms > MAX_INIT_RMS:
        res["weights"] = (
            False,
            _(
                "the weights have a root mean square of {rms:.2f}, over the limit of "
                "{limit} (the same here and in the grader): draw them with a "
                "standard deviation of 0.5 or less, so that f ≈ σ(b_f) at the start"
            ).format(rms=rms, limit=MAX_INIT_RMS),
        )
    if len(read) >= 3:
        same = all(np.array_equal(read[0][k], read[1][k]) for k in read[0])
        other = any(
            not np.array_equal(read[0][k], read[2][k]) for k in read[0] if k.startswith("W")
        )
        if not same:
            res["seed"] = (
                False,
                _(
                    "two calls with the same seed gave different weights: draw them with "
                    "np.random.default_rng(seed)"
                ),
            )
        elif not other and res["weights"][0]:
            res["seed"] = (False, _("two different seeds gave the same weights: use the seed"))
    return res


INIT_LSTM_PARAMS = Diagnosis(
    "init_lstm_params",
    diagnose_init_lstm_params,
    {k: 1.0 for k in INIT_CHECKS},
    INIT_CHECKS,
    per_call=False,
)
#: The grader's verdict: one fifth per check of ``diagnose_init_lstm_params``.
judge_init_lstm_params = INIT_LSTM_PARAMS.judge


def check_init_lstm_params(init_lstm_params: Callable) -> CheckResult:
    """Public check of ``init_lstm_params(n_in, n_h, seed)`` (the same limits as the grader)."""
    return INIT_LSTM_PARAMS.check(init_lstm_params, public_init_calls())


# ------------------------------------------------------------------------------------------
# Part 3: how long the cell remembers
# ------------------------------------------------------------------------------------------


def simulated_memory(b_f: float, T: int) -> float:
    """c_T / c_0 of a one-unit LSTM run T steps by ``cells.lstm_step`` (the grader's reference).

    All weights 0, biases 0 except b_f, inputs 0, h_0 = 0, c_0 = 1: each step keeps
    f = σ(b_f) of the cell and writes i · tanh(0) = 0.
    """
    zero = np.zeros((1, 1))
    p = {f"{w}_{k}": zero.copy() for k in GATES for w in ("Wx", "Wh")}
    p.update({f"b_{k}": np.zeros(1) for k in GATES})
    p["b_f"] = np.array([float(b_f)])
    h, c = np.zeros((1, 1)), np.ones((1, 1))
    for _unused in range(int(T)):
        h, c, _unused = cells.lstm_step(zero, h, c, p)
    return float(c[0, 0])


def reference_half_life(b_f: float) -> float:
    """T½ with σ(b_f)^T½ = 1/2, i.e. T½ = −ln 2 / ln σ(b_f)."""
    return float(-np.log(2.0) / np.log(cells.sigmoid(float(b_f))))


def _number(value, name: str) -> tuple[float | None, str | None]:
    arr, problem = as_array(value, name, expected=_("a number"))
    if problem:
        return None, problem
    if arr.ndim:
        what = _("an array of one element") if arr.size == 1 else _("an array")
        return None, (
            _(
                "{name} is {what} of shape {shape}; return one number, not an array "
                "(float(...) of your result), so that it prints and formats as a number"
            ).format(name=name, what=what, shape=fmt_shape(arr.shape))
        )
    return float(arr), None


def _memory_variants(b_f: float, T: int) -> dict[str, float]:
    s = float(cells.sigmoid(b_f))
    return {
        _("you returned the fraction LOST, 1 − σ(b_f)^T; the question asks what is left"): 1 - s**T,
        _(
            "(1 − σ(b_f))^T: f = σ(b_f) is the fraction KEPT each step, not the fraction forgotten"
        ): ((1 - s) ** T),
        _("σ(b_f) is what one step keeps; over T steps the factors multiply: σ(b_f)^T"): s,
        _("off by one step: σ(b_f)^(T−1); after T steps f has multiplied c T times"): s ** (T - 1),
        _("off by one step: σ(b_f)^(T+1); after T steps f has multiplied c T times"): s ** (T + 1),
        _("T·σ(b_f): the forget factors multiply, they do not add"): T * s,
        _("σ(T·b_f): the sigmoid is applied once per step, then the results multiply"): float(
            cells.sigmoid(T * b_f)
        ),
        _("b_f^T: the cell keeps f = σ(b_f), not b_f itself"): float(b_f) ** T,
        _("e^(−T·σ(b_f)) is not the product of the forget gates: σ(b_f)^T"): float(np.exp(-T * s)),
    }


def _half_life_variants(b_f: float) -> dict[str, float]:
    s = float(cells.sigmoid(b_f))
    t = reference_half_life(b_f)
    return {
        _("rounded up to whole steps; give the exact (fractional) number of steps"): float(
            np.ceil(t)
        ),
        _("rounded to whole steps; give the exact (fractional) number of steps"): float(
            np.round(t)
        ),
        _("rounded down to whole steps; give the exact (fractional) number of steps"): float(
            np.floor(t)
        ),
        _("−1 / ln σ(b_f) is when 1/e is left (the time constant), not one half"): -1 / np.log(s),
        _("used 1 − σ(b_f) as the fraction kept per step; the cell keeps f = σ(b_f)"): float(
            -np.log(2) / np.log(1 - s)
        ),
        _("mixed logarithm bases: use the same log above and below (ln 2 / −ln σ(b_f))"): float(
            -np.log10(2) / np.log(s)
        ),
        _("the sign is wrong: σ(b_f) < 1, so ln σ(b_f) < 0 and T½ = −ln 2 / ln σ(b_f) > 0"): -t,
    }


def _diagnose_number(call, outcome, function, reference, variants, describe):
    problem = outcome_problem(outcome, function)
    if problem:
        return {"value": (False, problem)}
    got, problem = _number(decode(outcome["value"]), f"{function}({describe(call)})")
    if problem:
        return {"value": (False, problem)}
    ref = reference(*call["args"])
    if close(got, ref, atol=1e-300, rtol=1e-5):
        return {"value": (True, _("right"))}
    cands = {k: np.asarray(v) for k, v in variants(*call["args"]).items()}
    found = []  # on some inputs two mistakes give the same number: name both
    while len(found) < 2:
        rest = {k: v for k, v in cands.items() if k not in found}
        name = first_match(np.asarray(got), rest, np.asarray(ref), atol=1e-300, rtol=1e-5)
        if name is None:
            break
        found.append(name)
    msg = _("{function}({inputs}) is {got:.4g}, expected {ref:.4g}").format(
        function=function, inputs=describe(call), got=got, ref=ref
    )
    return {"value": (False, f"{msg}: {_('; or ').join(found)}" if found else msg)}


def diagnose_memory_left(call: Mapping, outcome: Mapping) -> dict[str, tuple[bool, str]]:
    """One answer of ``memory_left(b_f, T)`` against ``simulated_memory`` and known mistakes."""
    return _diagnose_number(
        call,
        outcome,
        "memory_left",
        simulated_memory,
        _memory_variants,
        lambda c: f"b_f={c['args'][0]:.3g}, T={c['args'][1]}",
    )


def diagnose_half_life(call: Mapping, outcome: Mapping) -> dict[str, tuple[bool, str]]:
    """One answer of ``half_life(b_f)`` against ``reference_half_life`` and known mistakes."""
    return _diagnose_number(
        call,
        outcome,
        "half_life",
        reference_half_life,
        _half_life_variants,
        lambda c: f"b_f={c['args'][0]:.3g}",
    )


def _draw_b_f(rng: np.random.Generator) -> float:
    """A forget bias in [0.3, 4] (seven times in ten) or in [−1, −0.3], never near 0."""
    if rng.random() < 0.3:
        return round(float(rng.uniform(-1.0, -0.3)), 3)
    return round(float(rng.uniform(0.3, 4.0)), 3)


def draw_memory_calls(rng: np.random.Generator) -> list[dict]:
    """Four (b_f, T) with b_f drawn by ``_draw_b_f`` and T between 2 and 40."""
    return [
        {"args": [_draw_b_f(rng), int(rng.integers(2, 41))], "kwargs": {}} for _unused in range(4)
    ]


def draw_half_life_calls(rng: np.random.Generator) -> list[dict]:
    """Four b_f drawn by ``_draw_b_f``."""
    return [{"args": [_draw_b_f(rng)], "kwargs": {}} for _unused in range(4)]


MEMORY_LEFT = Diagnosis(
    "memory_left", diagnose_memory_left, {"value": 1.0}, {"value": "memory_left"}
)
HALF_LIFE = Diagnosis("half_life", diagnose_half_life, {"value": 1.0}, {"value": "half_life"})
#: The grader's verdicts: the share of drawn (b_f, T), and of drawn b_f, answered right.
judge_memory_left = MEMORY_LEFT.judge
judge_half_life = HALF_LIFE.judge


def check_memory_left(memory_left: Callable) -> CheckResult:
    """Public check of ``memory_left(b_f, T)`` on b_f = 2, T = 10 and b_f = 1, T = 20."""
    calls = [{"args": [2.0, 10], "kwargs": {}}, {"args": [1.0, 20], "kwargs": {}}]
    return MEMORY_LEFT.check(memory_left, calls)


def check_half_life(half_life: Callable) -> CheckResult:
    """Public check of ``half_life(b_f)`` on b_f = 1 and b_f = 3."""
    calls = [{"args": [1.0], "kwargs": {}}, {"args": [3.0], "kwargs": {}}]
    return HALF_LIFE.check(half_life, calls)


# ------------------------------------------------------------------------------------------
# The assignment
# ------------------------------------------------------------------------------------------

_SIG_TANH = ("course_lib.cells.sigmoid", "course_lib.cells.tanh")

ASSIGNMENT = Assignment(
    name="hw05_lstm",
    title="Homework 05: one LSTM step, and the forget-gate bias",
    parts=[
        FunctionPart(
            name="lstm_step",
            points=6.0,
            function="lstm_step",
            draw_calls=draw_lstm_calls,
            judge=judge_lstm_step,
            allowed=_SIG_TANH,
        ),
        FunctionPart(
            name="init_lstm_params",
            points=2.0,
            function="init_lstm_params",
            draw_calls=draw_init_calls,
            judge=judge_init_lstm_params,
            allowed=(),
        ),
        FunctionPart(
            name="memory_left",
            points=1.0,
            function="memory_left",
            draw_calls=draw_memory_calls,
            judge=judge_memory_left,
            allowed=_SIG_TANH,
        ),
        FunctionPart(
            name="half_life",
            points=1.0,
            function="half_life",
            draw_calls=draw_half_life_calls,
            judge=judge_half_life,
            allowed=_SIG_TANH,
        ),
    ],
    cell_timeout=60.0,
    timeout=180.0,
)
