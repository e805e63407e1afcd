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
time, with references computed in the grader's process by ``course_lib.cells``.

numpy only: no TensorFlow here or in the homework, so grading hw05 is fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from .. import cells
from .common import Assignment, FunctionPart, Verdict, decode, encode
from .diagnose import (
    CheckResult,
    aggregate,
    as_array,
    close,
    compare,
    diagnose_calls,
    first_match,
    fmt_shape,
    outcome_problem,
    run_check,
    shape_problem,
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

GATES = ("f", "i", "o", "g")
GATE_NAMES = {"f": "forget gate f", "i": "input gate i", "o": "output gate o", "g": "candidate g"}
#: Credit of each output of lstm_step (the states weigh twice a gate), in the order they are
#: computed, so that a message names a wrong gate before what follows from it.
LSTM_WEIGHTS = {"f": 1.0, "i": 1.0, "o": 1.0, "g": 1.0, "c_t": 2.0, "h_t": 2.0}
LSTM_LABELS = {**{k: f"gate {k}" for k in GATES}, "c_t": "c_t", "h_t": "h_t"}


# ------------------------------------------------------------------------------------------
# Part 1: lstm_step
# ------------------------------------------------------------------------------------------


def _lstm_call(rng: np.random.Generator, batch: int, n_in: int, n_h: int) -> dict:
    """One call of lstm_step: inputs and weights drawn with ``rng``, encoded as plain data."""
    params = {}
    for k in GATES:
        params[f"Wx_{k}"] = rng.normal(0.0, 0.7, size=(n_in, n_h))
        params[f"Wh_{k}"] = rng.normal(0.0, 0.7, size=(n_h, n_h))
        # |b| ≥ 0.4 so that a missing bias always shows
        params[f"b_{k}"] = rng.choice([-1.0, 1.0], size=n_h) * rng.uniform(0.4, 1.5, size=n_h)
    x = rng.normal(0.0, 1.0, size=(batch, n_in))
    h = rng.uniform(-0.9, 0.9, size=(batch, n_h))
    c = rng.normal(0.0, 1.5, size=(batch, n_h))
    return {"args": [encode(x), encode(h), encode(c), encode(params)], "kwargs": {}}


def _distinct_sizes(rng: np.random.Generator) -> tuple[int, int, int]:
    """(batch, n_in, n_h) between 2 and 6 with batch ≠ n_h, so a transposed answer shows."""
    while True:
        batch, n_in, n_h = (int(v) for v in rng.integers(2, 7, size=3))
        if batch != n_h:
            return batch, n_in, n_h


def draw_lstm_calls(rng: np.random.Generator) -> list[dict]:
    """Three calls with random sizes and values (the grader's inputs, drawn at grading time)."""
    return [_lstm_call(rng, *_distinct_sizes(rng)) for _ in range(3)]


def public_lstm_calls() -> list[dict]:
    """The public check's fixed inputs: (batch, n_in, n_h) = (2, 3, 4) and (3, 1, 2)."""
    rng = np.random.default_rng(5)
    return [_lstm_call(rng, 2, 3, 4), _lstm_call(rng, 3, 1, 2)]


def _gate_variants(k: str, x, h, c, p) -> dict[str, np.ndarray]:
    """Known mistakes in gate ``k``, each computed from the same inputs."""
    act, other = (cells.tanh, cells.sigmoid) if k == "g" else (cells.sigmoid, cells.tanh)
    right, wrong = ("tanh", "σ") if k == "g" else ("σ", "tanh")
    wx, wh, b = p[f"Wx_{k}"], p[f"Wh_{k}"], p[f"b_{k}"]
    name = GATE_NAMES[k]
    v: dict[str, np.ndarray | None] = {
        f"{name}: the bias b_{k} is missing": act(x @ wx + h @ wh),
        f"{name}: it uses {wrong} where it should use {right} (sigmoid and tanh swapped)": other(
            x @ wx + h @ wh + b
        ),
        f"{name}: the activation {right} is missing (the raw sum x_t Wx_{k} + h Wh_{k} + b_{k})": (
            x @ wx + h @ wh + b
        ),
        f"{name}: the input term x_t Wx_{k} is missing": act(h @ wh + b),
        f"{name}: the recurrent term h_(t-1) Wh_{k} is missing": act(x @ wx + b),
        f"{name}: the recurrent weights are transposed (h_(t-1) Wh_{k}.T instead of "
        f"h_(t-1) Wh_{k})": act(x @ wx + h @ wh.T + b),
        f"{name}: it uses c_(t-1) where it should use h_(t-1)": act(x @ wx + c @ wh + b),
    }
    if wx.shape[0] == wx.shape[1]:
        v[f"{name}: the input weights are transposed (x_t Wx_{k}.T)"] = act(x @ wx.T + h @ wh + b)
        v[f"{name}: Wx_{k} and Wh_{k} are swapped (x_t Wh_{k} + h_(t-1) Wx_{k})"] = act(
            x @ wh + h @ wx + b
        )
    for j in GATES:
        if j == k:
            continue
        pre_j = x @ p[f"Wx_{j}"] + h @ p[f"Wh_{j}"] + p[f"b_{j}"]
        v[
            f"{name}: gates['{k}'] holds the values of the {GATE_NAMES[j]} (its weights "
            f"Wx_{j}, Wh_{j}, b_{j}, or a mix-up of the dict's keys)"
        ] = act(pre_j)
        if j == "g" or k == "g":
            v[
                f"{name}: gates['{k}'] holds the values of the {GATE_NAMES[j]} "
                "(a mix-up of the dict's keys)"
            ] = (cells.tanh if j == "g" else cells.sigmoid)(pre_j)
    return v


def _c_variants(f, i, g, o, h, c) -> dict[str, np.ndarray]:
    return {
        "c_t: the forget and input gates are swapped (c_t = i ⊙ c_(t-1) + f ⊙ g)": i * c + f * g,
        "c_t uses h_(t-1) where it should use c_(t-1) (c_t = f ⊙ h_(t-1) + i ⊙ g)": f * h + i * g,
        "c_t: the input gate is missing (c_t = f ⊙ c_(t-1) + g)": f * c + g,
        "c_t: the candidate is missing (c_t = f ⊙ c_(t-1) + i)": f * c + i,
        "c_t: the forget gate is missing (c_t = c_(t-1) + i ⊙ g)": c + i * g,
        "c_t: f is what is KEPT, not what is forgotten (you wrote (1 − f) ⊙ c_(t-1))": (
            (1 - f) * c + i * g
        ),
        "c_t is squashed by tanh (c_t = tanh(f ⊙ c_(t-1) + i ⊙ g)); c is never squashed": np.tanh(
            f * c + i * g
        ),
        "c_t uses the output gate where the forget gate belongs (o ⊙ c_(t-1))": o * c + i * g,
        "c_t: f and i multiply the wrong terms' partners (f ⊙ g + i ⊙ c_(t-1))": f * g + i * c,
    }


def _h_variants(o, c_t, c_prev) -> dict[str, np.ndarray]:
    return {
        "h_t: the output gate is applied to c_t without tanh (h_t = o ⊙ c_t; it should be "
        "o ⊙ tanh(c_t))": o * c_t,
        "h_t: the cell output uses σ where it should use tanh (h_t = o ⊙ σ(c_t))": (
            o * cells.sigmoid(c_t)
        ),
        "h_t uses c_(t-1) where it should use the new c_t (h_t = o ⊙ tanh(c_(t-1)))": (
            o * np.tanh(c_prev)
        ),
        "h_t: the output gate is missing (h_t = tanh(c_t))": np.tanh(c_t),
        "h_t: o is inside the tanh (h_t = tanh(o ⊙ c_t))": np.tanh(o * c_t),
    }


def _read_lstm_answer(value) -> tuple[object, object, object, str | None]:
    """Split a decoded answer into (h, c, gates, problem with the structure or None)."""
    if isinstance(value, list) and len(value) == 3:
        return value[0], value[1], value[2], None
    if isinstance(value, list) and len(value) == 2:
        return (
            value[0],
            value[1],
            None,
            "lstm_step returned 2 values; expected 3: (h_t, c_t, gates) with gates a dict",
        )
    if isinstance(value, dict) and "unsupported" in value:
        what = value["unsupported"]
    elif isinstance(value, list):
        what = f"a tuple of {len(value)} values"
    elif isinstance(value, dict):
        what = "a dict"
    else:
        what = type(value).__name__
    problem = f"lstm_step returned {what}; expected a tuple (h_t, c_t, gates)"
    return None, None, None, problem


def diagnose_lstm_step(call: Mapping, outcome: Mapping) -> dict[str, tuple[bool, str]]:
    """What is right and wrong in one answer of ``lstm_step``, per output.

    ``call`` is plain data ``{"args": [x_t, h_prev, c_prev, params]}``, ``outcome`` the kernel's
    answer (see ``FunctionPart``). The reference is ``course_lib.cells.lstm_step`` on the same
    inputs; a wrong output is compared with the known mistakes computed from the same inputs
    (and from the student's own gates, so a wrong c_t that only follows from a wrong gate is
    said to follow). Returns ``{"h_t", "c_t", "f", "i", "o", "g"} -> (ok, message)``.
    """
    keys = list(LSTM_WEIGHTS)
    problem = outcome_problem(outcome, "lstm_step")
    if problem:
        return {k: (False, problem) for k in keys}
    x, h, c, p = (decode(a) for a in call["args"])
    h_ref, c_ref, g_ref = cells.lstm_step(x, h, c, p)
    refs = {"h_t": h_ref, "c_t": c_ref, **g_ref}
    h_got, c_got, gates_got, problem = _read_lstm_answer(decode(outcome["value"]))
    out: dict[str, tuple[bool, str]] = {}
    arrays: dict[str, np.ndarray | None] = {}

    # the gates dict
    if problem and gates_got is None and h_got is None:
        return {k: (False, problem) for k in keys}
    if gates_got is None:
        for k in GATES:
            out[k] = (False, problem)
            arrays[k] = None
    elif not isinstance(gates_got, dict) or "unsupported" in gates_got:
        what = gates_got.get("unsupported") if isinstance(gates_got, dict) else None
        what = what or type(gates_got).__name__
        for k in GATES:
            out[k] = (False, f"gates is a {what}; expected a dict with keys 'f', 'i', 'o', 'g'")
            arrays[k] = None
    else:
        for k in GATES:
            if k not in gates_got:
                have = ", ".join(repr(s) for s in sorted(gates_got)) or "no keys"
                out[k] = (
                    False,
                    f"gates has no key '{k}' ({GATE_NAMES[k]}); it has {have}. Expected the keys "
                    "'f', 'i', 'o', 'g' (the lecture's names; g is the candidate c̃)",
                )
                arrays[k] = None
                continue
            ok, msg, arr = compare(gates_got[k], refs[k], f"gates['{k}']")
            arrays[k] = arr
            if ok or arr is None or arr.shape != refs[k].shape:
                out[k] = (ok, "right" if ok else msg)
                continue
            found = first_match(arr, _gate_variants(k, x, h, c, p), refs[k])
            out[k] = (False, found or f"{GATE_NAMES[k]}: {msg}")
        f_arr, i_arr = arrays.get("f"), arrays.get("i")
        if close(f_arr, refs["i"]) and close(i_arr, refs["f"]):
            both = "the forget and input gates are swapped (gates['f'] holds i, gates['i'] holds f)"
            out["f"] = (False, both)
            out["i"] = (False, both)

    # (c, h) returned in the wrong order
    h_arr, _ = as_array(h_got, "h_t")
    c_arr, _ = as_array(c_got, "c_t")
    if close(h_arr, c_ref) and close(c_arr, h_ref) and not close(h_ref, c_ref):
        swapped = "you returned (c_t, h_t, gates); the contract is (h_t, c_t, gates)"
        out["h_t"] = (False, swapped)
        out["c_t"] = (False, swapped)
        return out

    # c_t
    gates_bad = [GATE_NAMES[k] for k in "fig" if not out[k][0]]
    mine = {k: arrays.get(k) for k in GATES}
    usable = all(mine[k] is not None and mine[k].shape == c_ref.shape for k in GATES)
    ok, msg, c_arr = compare(c_got, c_ref, "c_t")
    if ok:
        out["c_t"] = (True, "right")
    elif c_arr is None or c_arr.shape != c_ref.shape:
        out["c_t"] = (False, msg)
    else:
        found = None
        if usable and close(c_arr, mine["f"] * c + mine["i"] * mine["g"]):
            found = (
                "c_t = f ⊙ c_(t-1) + i ⊙ g is right for your gates, but your "
                + " and ".join(gates_bad)
                + (" is" if len(gates_bad) == 1 else " are")
                + " wrong: fix the gates first"
            )
        for source in ([refs] + ([mine] if usable else [])) if not found else []:
            cands = _c_variants(source["f"], source["i"], source["g"], source["o"], h, c)
            found = first_match(c_arr, cands, c_ref)
            if found:
                break
        out["c_t"] = (False, found or msg)

    # h_t
    ok, msg, h_arr = compare(h_got, h_ref, "h_t")
    if ok:
        out["h_t"] = (True, "right")
    elif h_arr is None or h_arr.shape != h_ref.shape:
        out["h_t"] = (False, msg)
    else:
        found = None
        o_mine = arrays.get("o")
        c_mine = c_arr if c_arr is not None and c_arr.shape == c_ref.shape else None
        o_usable = o_mine is not None and o_mine.shape == h_ref.shape
        if o_usable and c_mine is not None and close(h_arr, o_mine * np.tanh(c_mine)):
            wrong = [n for n, bad in (("o", not out["o"][0]), ("c_t", not out["c_t"][0])) if bad]
            found = (
                "h_t = o ⊙ tanh(c_t) is right for your "
                + " and ".join(wrong)
                + ", which "
                + ("is" if len(wrong) == 1 else "are")
                + " wrong: fix "
                + ("it" if len(wrong) == 1 else "them")
                + " first"
            )
        sources = [(refs["o"], c_ref)]
        if o_usable or c_mine is not None:
            o_s = o_mine if o_usable else refs["o"]
            sources.append((o_s, c_mine if c_mine is not None else c_ref))
        for o_s, c_s in sources if not found else []:
            found = first_match(h_arr, _h_variants(o_s, c_s, c), h_ref)
            if found:
                break
        out["h_t"] = (False, found or msg)
    return out


def lstm_step_verdicts(calls: list[dict], outcomes: list[dict]):
    """Per-output verdicts and the weighted verdict of ``lstm_step`` over several calls."""
    return aggregate(diagnose_calls(calls, outcomes, diagnose_lstm_step), LSTM_WEIGHTS, LSTM_LABELS)


def judge_lstm_step(calls: list[dict], outcomes: list[dict]) -> Verdict:
    """The grader's verdict: h_t and c_t count 2, each gate 1, averaged over the calls."""
    return lstm_step_verdicts(calls, outcomes)[1]


def check_lstm_step(lstm_step: Callable) -> CheckResult:
    """Public check: run your ``lstm_step`` on two fixed inputs and say what is right.

    Prints one line per output (each gate, c_t, h_t) naming the faulty term, or one line when
    nothing came back at all. The result is true when everything is right and shows nothing
    in a notebook. Advice only: the score comes from the autograder.
    """
    return run_check(
        "lstm_step", lstm_step, public_lstm_calls(), lambda c, o: lstm_step_verdicts(c, o)[0]
    )


# ------------------------------------------------------------------------------------------
# Part 2: init_lstm_params (the forget-gate bias)
# ------------------------------------------------------------------------------------------

INIT_CHECKS = {
    "shapes": "keys and shapes",
    "forget_bias": "forget bias b_f = 1",
    "other_biases": "other biases 0",
    "weights": "small random weights",
    "seed": "the seed decides the weights",
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
        return None, f"init_lstm_params returned a {what}; expected a dict of numpy arrays"
    expected = {}
    for k in GATES:
        expected[f"Wx_{k}"] = (n_in, n_h)
        expected[f"Wh_{k}"] = (n_h, n_h)
        expected[f"b_{k}"] = (n_h,)
    arrays = {}
    for key, shape in expected.items():
        if key not in value:
            have = ", ".join(sorted(value)[:14]) or "no keys"
            return None, f"params has no key '{key}' (shape {shape}); it has {have}"
        arr, problem = as_array(value[key], f"params['{key}']")
        if problem:
            return None, problem
        problem = shape_problem(arr, shape, f"params['{key}'] for n_in={n_in}, n_h={n_h}")
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
    res = {k: (True, "right") for k in INIT_CHECKS}
    read = []
    for call, outcome in zip(calls, outcomes, strict=False):
        n_in, n_h, seed = call["args"]
        problem = outcome_problem(outcome, "init_lstm_params")
        params = None
        if not problem:
            params, problem = _read_params(decode(outcome["value"]), n_in, n_h)
        if problem:
            later = "not checked (fix the keys and shapes first)"
            return {k: (False, problem if k == "shapes" else later) for k in INIT_CHECKS}
        read.append(params)
        if res["forget_bias"][0] and not np.allclose(params["b_f"], 1.0):
            if np.allclose(params["b_f"], 0.0):
                msg = "b_f is 0: the forget bias must start at 1 (unit_forget_bias)"
            else:
                msg = f"b_f is {np.round(params['b_f'], 3)}; every entry must be 1"
            res["forget_bias"] = (False, msg)
        for k in "iog":
            if res["other_biases"][0] and not np.allclose(params[f"b_{k}"], 0.0):
                res["other_biases"] = (
                    False,
                    f"b_{k} is {np.round(params[f'b_{k}'], 3)}; only the forget bias is 1, "
                    "the others start at 0",
                )
        for key in [f"{w}_{k}" for k in GATES for w in ("Wx", "Wh")]:
            w = params[key]
            if not res["weights"][0]:
                break
            if not np.all(np.isfinite(w)):
                res["weights"] = (False, f"params['{key}'] has NaN or infinite entries")
            elif w.size > 1 and np.ptp(w) == 0:
                res["weights"] = (
                    False,
                    f"every entry of params['{key}'] is {w.flat[0]:.3g}: the weights must be "
                    "random, or all units stay identical (no symmetry breaking)",
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
                    f"{w}_f, {w}_i, {w}_o and {w}_g are the same matrix: the four gates would "
                    "compute the same thing. Create the generator once, rng = "
                    "np.random.default_rng(seed), and draw each of the eight matrices from it "
                    "in turn (a new default_rng(seed) per matrix repeats the same numbers)",
                )
    weights = [p[k].ravel() for p in read for k in p if k.startswith("W")]
    rms = float(np.sqrt(np.mean(np.concatenate(weights) ** 2))) if weights else 0.0
    if res["weights"][0] and rms > MAX_INIT_RMS:
        res["weights"] = (
            False,
            f"the weights have a root mean square of {rms:.2f}, over the limit of "
            f"{MAX_INIT_RMS} (the same here and in the grader): draw them with a standard "
            "deviation of 0.5 or less, so that f ≈ σ(b_f) at the start",
        )
    if len(read) >= 3:
        same = all(np.array_equal(read[0][k], read[1][k]) for k in read[0])
        other = any(
            not np.array_equal(read[0][k], read[2][k]) for k in read[0] if k.startswith("W")
        )
        if not same:
            res["seed"] = (
                False,
                "two calls with the same seed gave different weights: draw them with "
                "np.random.default_rng(seed)",
            )
        elif not other and res["weights"][0]:
            res["seed"] = (False, "two different seeds gave the same weights: use the seed")
    return res


def _init_verdicts(calls, outcomes):
    try:
        per = diagnose_init_lstm_params(calls, outcomes)
    except Exception as exc:
        per = {k: (False, f"could not read the answer ({type(exc).__name__})") for k in INIT_CHECKS}
    return aggregate([per], {k: 1.0 for k in INIT_CHECKS}, INIT_CHECKS)


def judge_init_lstm_params(calls: list[dict], outcomes: list[dict]) -> Verdict:
    """The grader's verdict: one fifth per check of ``diagnose_init_lstm_params``."""
    return _init_verdicts(calls, outcomes)[1]


def check_init_lstm_params(init_lstm_params: Callable) -> CheckResult:
    """Public check of ``init_lstm_params(n_in, n_h, seed)`` (the same limits as the grader)."""
    return run_check(
        "init_lstm_params",
        init_lstm_params,
        public_init_calls(),
        lambda c, o: _init_verdicts(c, o)[0],
    )


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
    for _ in range(int(T)):
        h, c, _ = cells.lstm_step(zero, h, c, p)
    return float(c[0, 0])


def reference_half_life(b_f: float) -> float:
    """T½ with σ(b_f)^T½ = 1/2, i.e. T½ = −ln 2 / ln σ(b_f)."""
    return float(-np.log(2.0) / np.log(cells.sigmoid(float(b_f))))


def _number(value, name: str) -> tuple[float | None, str | None]:
    arr, problem = as_array(value, name)
    if problem:
        return None, problem.replace("a numpy array", "a number")
    if arr.ndim:
        what = "an array of one element" if arr.size == 1 else "an array"
        return None, (
            f"{name} is {what} of shape {fmt_shape(arr.shape)}; return one number, not an "
            "array (float(...) of your result), so that it prints and formats as a number"
        )
    return float(arr), None


def _memory_variants(b_f: float, T: int) -> dict[str, float]:
    s = float(cells.sigmoid(b_f))
    return {
        "you returned the fraction LOST, 1 − σ(b_f)^T; the question asks what is left": 1 - s**T,
        "(1 − σ(b_f))^T: f = σ(b_f) is the fraction KEPT each step, not the fraction forgotten": (
            (1 - s) ** T
        ),
        "σ(b_f) is what one step keeps; over T steps the factors multiply: σ(b_f)^T": s,
        "off by one step: σ(b_f)^(T−1); after T steps f has multiplied c T times": s ** (T - 1),
        "off by one step: σ(b_f)^(T+1); after T steps f has multiplied c T times": s ** (T + 1),
        "T·σ(b_f): the forget factors multiply, they do not add": T * s,
        "σ(T·b_f): the sigmoid is applied once per step, then the results multiply": float(
            cells.sigmoid(T * b_f)
        ),
        "b_f^T: the cell keeps f = σ(b_f), not b_f itself": float(b_f) ** T,
        "e^(−T·σ(b_f)) is not the product of the forget gates: σ(b_f)^T": float(np.exp(-T * s)),
    }


def _half_life_variants(b_f: float) -> dict[str, float]:
    s = float(cells.sigmoid(b_f))
    t = reference_half_life(b_f)
    return {
        "rounded up to whole steps; give the exact (fractional) number of steps": float(np.ceil(t)),
        "rounded to whole steps; give the exact (fractional) number of steps": float(np.round(t)),
        "rounded down to whole steps; give the exact (fractional) number of steps": float(
            np.floor(t)
        ),
        "−1 / ln σ(b_f) is when 1/e is left (the time constant), not one half": -1 / np.log(s),
        "used 1 − σ(b_f) as the fraction kept per step; the cell keeps f = σ(b_f)": float(
            -np.log(2) / np.log(1 - s)
        ),
        "mixed logarithm bases: use the same log above and below (ln 2 / −ln σ(b_f))": float(
            -np.log10(2) / np.log(s)
        ),
        "the sign is wrong: σ(b_f) < 1, so ln σ(b_f) < 0 and T½ = −ln 2 / ln σ(b_f) > 0": -t,
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
        return {"value": (True, "right")}
    cands = {k: np.asarray(v) for k, v in variants(*call["args"]).items()}
    found = []  # on some inputs two mistakes give the same number: name both
    while len(found) < 2:
        rest = {k: v for k, v in cands.items() if k not in found}
        name = first_match(np.asarray(got), rest, np.asarray(ref), atol=1e-300, rtol=1e-5)
        if name is None:
            break
        found.append(name)
    msg = f"{function}({describe(call)}) is {got:.4g}, expected {ref:.4g}"
    return {"value": (False, f"{msg}: {'; or '.join(found)}" if found else msg)}


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
    return [{"args": [_draw_b_f(rng), int(rng.integers(2, 41))], "kwargs": {}} for _ in range(4)]


def draw_half_life_calls(rng: np.random.Generator) -> list[dict]:
    """Four b_f drawn by ``_draw_b_f``."""
    return [{"args": [_draw_b_f(rng)], "kwargs": {}} for _ in range(4)]


def _number_verdicts(calls, outcomes, diagnose, label):
    return aggregate(diagnose_calls(calls, outcomes, diagnose), {"value": 1.0}, {"value": label})


def judge_memory_left(calls: list[dict], outcomes: list[dict]) -> Verdict:
    """The grader's verdict: the share of drawn (b_f, T) answered right."""
    return _number_verdicts(calls, outcomes, diagnose_memory_left, "memory_left")[1]


def judge_half_life(calls: list[dict], outcomes: list[dict]) -> Verdict:
    """The grader's verdict: the share of drawn b_f answered right."""
    return _number_verdicts(calls, outcomes, diagnose_half_life, "half_life")[1]


def check_memory_left(memory_left: Callable) -> CheckResult:
    """Public check of ``memory_left(b_f, T)`` on b_f = 2, T = 10 and b_f = 1, T = 20."""
    calls = [{"args": [2.0, 10], "kwargs": {}}, {"args": [1.0, 20], "kwargs": {}}]
    return run_check(
        "memory_left",
        memory_left,
        calls,
        lambda c, o: _number_verdicts(c, o, diagnose_memory_left, "memory_left")[0],
    )


def check_half_life(half_life: Callable) -> CheckResult:
    """Public check of ``half_life(b_f)`` on b_f = 1 and b_f = 3."""
    calls = [{"args": [1.0], "kwargs": {}}, {"args": [3.0], "kwargs": {}}]
    return run_check(
        "half_life",
        half_life,
        calls,
        lambda c, o: _number_verdicts(c, o, diagnose_half_life, "half_life")[0],
    )


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
