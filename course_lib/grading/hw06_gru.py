"""Homework 06: the GRU in the lecture's convention, and the conversion to Keras' convention.

The student writes, in ``solutions/hw06_gru.ipynb`` (``exercises/`` for the student):

1. ``gru_step(x_t, h_prev, params) -> (h_t, gates)`` in the LECTURE's convention, with the
   reset gate applied BEFORE the product (``cells.gru_step(reset_after=False,
   convention="lecture")``):

       z   = σ(x_t Wx_z + h_{t−1} Wh_z + b_z)                update gate
       r   = σ(x_t Wx_r + h_{t−1} Wh_r + b_r)                reset gate
       h̃   = tanh(x_t Wx_h + (r ⊙ h_{t−1}) Wh_h + b_h)       candidate
       h_t = (1 − z) ⊙ h_{t−1} + z ⊙ h̃

   ``gates = {"z", "r", "h_tilde"}``, everything batch-first (batch, n_h).

2. ``to_keras_convention(params)``: parameters for which Keras' convention,
   h_t = z' ⊙ h_{t−1} + (1 − z') ⊙ h̃ (``keras.layers.GRU(reset_after=False)``), computes the
   same sequence. Since σ(−a) = 1 − σ(a), negating the update gate's Wx_z, Wh_z and b_z turns
   z into z' = 1 − z; r and h̃ are unchanged.

The diagnosis works on plain data and is shared (one :class:`.diagnose.Diagnosis` per part) by
the public checks (``check_gru_step``, ``check_to_keras_convention``) and the grader's judges.
For the conversion, the judge runs the returned parameters (plain numbers) through
``cells.gru_step(reset_after=False, convention="keras")`` over a sequence and compares with the
lecture-convention reference on the original parameters; ``tests/test_grading_hw06_gru.py``
checks that reference against a real ``keras.layers.GRU(reset_after=False)``.
The grader imports no TensorFlow.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping

import numpy as np

from .. import cells
from ..i18n import N_, _, ngettext
from .common import Assignment, FunctionPart, decode, encode
from .diagnose import (
    CheckResult,
    Diagnosis,
    as_array,
    close,
    compare,
    first_match,
    outcome_problem,
    returned_what,
    shape_problem,
)

__all__ = [
    "ASSIGNMENT",
    "check_gru_step",
    "check_to_keras_convention",
    "diagnose_gru_step",
    "diagnose_to_keras_convention",
    "draw_gru_calls",
    "draw_conversion_calls",
    "judge_gru_step",
    "judge_to_keras_convention",
]

GATES = ("z", "r", "h")  # the parameter groups: update gate, reset gate, candidate
OUTPUTS = ("z", "r", "h_tilde")
NAMES = {"z": N_("update gate z"), "r": N_("reset gate r"), "h_tilde": N_("candidate h_tilde")}
#: Credit of each output of gru_step (the new state weighs twice a gate), in the order they are
#: computed, so that a message names a wrong gate before what follows from it.
GRU_WEIGHTS = {"z": 1.0, "r": 1.0, "h_tilde": 1.0, "h_t": 2.0}
GRU_LABELS = {
    "z": N_("gate z"),
    "r": N_("gate r"),
    "h_tilde": N_("candidate h_tilde"),
    "h_t": "h_t",
}


def _reference(x, h, p):
    return cells.gru_step(x, h, p, reset_after=False, convention="lecture")


# ------------------------------------------------------------------------------------------
# Drawing inputs
# ------------------------------------------------------------------------------------------


def _gru_params(rng: np.random.Generator, n_in: int, n_h: int) -> dict[str, np.ndarray]:
    p = {}
    for k in GATES:
        p[f"Wx_{k}"] = rng.normal(0.0, 0.7, size=(n_in, n_h))
        p[f"Wh_{k}"] = rng.normal(0.0, 0.7, size=(n_h, n_h))
        # |b| ≥ 0.4 so that a missing bias always shows
        p[f"b_{k}"] = rng.choice([-1.0, 1.0], size=n_h) * rng.uniform(0.4, 1.5, size=n_h)
    return p


def _sizes(rng: np.random.Generator) -> tuple[int, int, int]:
    """(batch, n_in, n_h) between 2 and 6 with batch ≠ n_h, so a transposed answer shows."""
    while True:
        batch, n_in, n_h = (int(v) for v in rng.integers(2, 7, size=3))
        if batch != n_h:
            return batch, n_in, n_h


def _gru_call(rng: np.random.Generator, batch: int, n_in: int, n_h: int) -> dict:
    p = _gru_params(rng, n_in, n_h)
    x = rng.normal(0.0, 1.0, size=(batch, n_in))
    h = rng.uniform(-0.9, 0.9, size=(batch, n_h))
    return {"args": [encode(x), encode(h), encode(p)], "kwargs": {}}


def draw_gru_calls(rng: np.random.Generator) -> list[dict]:
    """Three calls of ``gru_step`` with random sizes and values (drawn at grading time)."""
    return [_gru_call(rng, *_sizes(rng)) for _unused in range(3)]


def public_gru_calls() -> list[dict]:
    """The public check's fixed inputs: (batch, n_in, n_h) = (2, 3, 4) and (3, 1, 2)."""
    rng = np.random.default_rng(6)
    return [_gru_call(rng, 2, 3, 4), _gru_call(rng, 3, 1, 2)]


# ------------------------------------------------------------------------------------------
# Part 1: gru_step
# ------------------------------------------------------------------------------------------


def _gate_variants(k: str, x, h, p) -> dict[str, np.ndarray]:
    """Known mistakes in gate ``k`` (z or r), computed from the same inputs."""
    other = "r" if k == "z" else "z"
    wx, wh, b = p[f"Wx_{k}"], p[f"Wh_{k}"], p[f"b_{k}"]
    name = _(NAMES[k])
    v = {
        _("{name}: the bias b_{k} is missing").format(name=name, k=k): cells.sigmoid(
            x @ wx + h @ wh
        ),
        _("{name}: it uses tanh where it should use σ (sigmoid and tanh swapped)").format(
            name=name
        ): np.tanh(x @ wx + h @ wh + b),
        _("{name}: the activation σ is missing (the raw sum x_t Wx_{k} + h Wh_{k} + b_{k})").format(
            name=name, k=k
        ): (x @ wx + h @ wh + b),
        _("{name}: the input term x_t Wx_{k} is missing").format(name=name, k=k): cells.sigmoid(
            h @ wh + b
        ),
        _("{name}: the recurrent term h_(t-1) Wh_{k} is missing").format(
            name=name, k=k
        ): cells.sigmoid(x @ wx + b),
        _("{name}: the recurrent weights are transposed (h_(t-1) Wh_{k}.T)").format(
            name=name, k=k
        ): cells.sigmoid(x @ wx + h @ wh.T + b),
        _(
            "{name}: gates['{k}'] holds the {other} (its weights, or the dict's keys mixed up)"
        ).format(name=name, k=k, other=_(NAMES[other])): cells.sigmoid(
            x @ p[f"Wx_{other}"] + h @ p[f"Wh_{other}"] + p[f"b_{other}"]
        ),
        _("{name}: it is computed with the candidate's weights Wx_h, Wh_h, b_h").format(
            name=name
        ): cells.sigmoid(x @ p["Wx_h"] + h @ p["Wh_h"] + p["b_h"]),
    }
    if wx.shape[0] == wx.shape[1]:
        v[f"{name}: the input weights are transposed (x_t Wx_{k}.T)"] = cells.sigmoid(
            x @ wx.T + h @ wh + b
        )
    return v


def _candidate_variants(x, h, p, r, z) -> dict[str, np.ndarray]:
    wx, wh, b = p["Wx_h"], p["Wh_h"], p["b_h"]
    name = _("candidate h_tilde")
    xw = x @ wx
    return {
        _(
            "{name}: the reset is applied AFTER the product, r ⊙ (h_(t-1) Wh_h) "
            "(Keras' reset_after=True); the lecture resets BEFORE it: (r ⊙ h_(t-1)) "
            "Wh_h"
        ).format(name=name): np.tanh(xw + r * (h @ wh) + b),
        _(
            "{name}: the reset gate is applied to the wrong term (r ⊙ x_t Wx_h); it "
            "belongs on h_(t-1): (r ⊙ h_(t-1)) Wh_h"
        ).format(name=name): np.tanh(r * xw + h @ wh + b),
        _("{name}: the reset gate multiplies the whole sum; it belongs on h_(t-1) only").format(
            name=name
        ): np.tanh(r * (xw + h @ wh + b)),
        _("{name}: the reset gate is missing (h_(t-1) Wh_h without r)").format(name=name): np.tanh(
            xw + h @ wh + b
        ),
        _("{name}: it uses the update gate z where the reset gate r belongs").format(
            name=name
        ): np.tanh(xw + (z * h) @ wh + b),
        _("{name}: (1 − r) ⊙ h_(t-1); the lecture's candidate sees r ⊙ h_(t-1)").format(
            name=name
        ): np.tanh(xw + ((1 - r) * h) @ wh + b),
        _("{name}: the bias b_h is missing").format(name=name): np.tanh(xw + (r * h) @ wh),
        _("{name}: it uses σ where it should use tanh (sigmoid and tanh swapped)").format(
            name=name
        ): cells.sigmoid(xw + (r * h) @ wh + b),
        _("{name}: the activation tanh is missing").format(name=name): xw + (r * h) @ wh + b,
        _("{name}: the input term x_t Wx_h is missing").format(name=name): np.tanh(
            (r * h) @ wh + b
        ),
        _("{name}: the recurrent weights are transposed ((r ⊙ h_(t-1)) Wh_h.T)").format(
            name=name
        ): np.tanh(xw + (r * h) @ wh.T + b),
    }


def _h_variants(z, r, h_tilde, h) -> dict[str, np.ndarray]:
    return {
        _(
            "h_t: z and 1 − z are swapped: you wrote Keras' convention z ⊙ h_(t-1) + (1 − z) ⊙ h̃; "
            "the lecture's is h_t = (1 − z) ⊙ h_(t-1) + z ⊙ h̃"
        ): z * h + (1 - z) * h_tilde,
        _("h_t: the update gate is missing (h_t = h̃)"): h_tilde,
        _("h_t: the kept part (1 − z) ⊙ h_(t-1) is missing (h_t = z ⊙ h̃)"): z * h_tilde,
        _("h_t: z is missing on the candidate (h_t = (1 − z) ⊙ h_(t-1) + h̃)"): (1 - z) * h
        + h_tilde,
        _("h_t: it uses the reset gate r where the update gate z belongs"): (1 - r) * h
        + r * h_tilde,
        _("h_t: the old state is kept with z, not 1 − z (z ⊙ h_(t-1) + z ⊙ h̃)"): z * h
        + z * h_tilde,
        _("h_t is squashed by tanh; the update is a plain weighted average"): np.tanh(
            (1 - z) * h + z * h_tilde
        ),
    }


def _read_gru_answer(value) -> tuple[object, object, str | None]:
    """Split a decoded answer into (h, gates, problem with the structure or None)."""
    if isinstance(value, list) and len(value) == 2:
        if isinstance(value[0], dict) and not isinstance(value[1], dict):
            return None, None, _("you returned (gates, h_t); the contract is (h_t, gates)")
        return value[0], value[1], None
    if isinstance(value, np.ndarray):
        return value, None, _("gru_step returned only h_t; expected (h_t, gates) with gates a dict")
    what = returned_what(value)
    return (
        None,
        None,
        _("gru_step returned {what}; expected a tuple (h_t, gates)").format(what=what),
    )


def diagnose_gru_step(call: Mapping, outcome: Mapping) -> dict[str, tuple[bool, str]]:
    """What is right and wrong in one answer of ``gru_step``, per output.

    The reference is ``cells.gru_step(reset_after=False, convention="lecture")`` on the call's
    inputs; a wrong output is compared with known mistakes computed from the same inputs, with
    the right gates and with the student's own (a wrong h_t that only follows from a wrong gate
    is said to follow). Returns ``{"h_t", "z", "r", "h_tilde"} -> (ok, message)``.
    """
    problem = outcome_problem(outcome, "gru_step")
    if problem:
        return {k: (False, problem) for k in GRU_WEIGHTS}
    x, h, p = (decode(a) for a in call["args"])
    h_ref, g_ref = _reference(x, h, p)
    h_got, gates_got, problem = _read_gru_answer(decode(outcome["value"]))
    if h_got is None:
        return {k: (False, problem) for k in GRU_WEIGHTS}
    out: dict[str, tuple[bool, str]] = {}
    mine: dict[str, np.ndarray | None] = dict.fromkeys(OUTPUTS)
    if problem and gates_got is None:
        for k in OUTPUTS:
            out[k] = (False, problem)
    elif not isinstance(gates_got, dict) or "unsupported" in gates_got:
        what = gates_got.get("unsupported") if isinstance(gates_got, dict) else None
        what = what or type(gates_got).__name__
        for k in OUTPUTS:
            out[k] = (
                False,
                _("gates is a {what}; expected a dict with keys 'z', 'r', 'h_tilde'").format(
                    what=what
                ),
            )
    else:
        for k in OUTPUTS:
            if k not in gates_got:
                have = ", ".join(repr(s) for s in sorted(gates_got)) or _("no keys")
                out[k] = (
                    False,
                    _(
                        "gates has no key '{k}' ({gate}); it has {have}. Expected the keys 'z', "
                        "'r', 'h_tilde' (the lecture's names)"
                    ).format(k=k, gate=_(NAMES[k]), have=have),
                )
                continue
            ok, msg, arr = compare(gates_got[k], g_ref[k], f"gates['{k}']")
            mine[k] = arr if arr is not None and arr.shape == g_ref[k].shape else None
            if ok or mine[k] is None:
                out[k] = (ok, _("right") if ok else msg)
        for k in ("z", "r"):
            if k not in out:
                found = first_match(mine[k], _gate_variants(k, x, h, p), g_ref[k])
                out[k] = (False, found or f"{_(NAMES[k])}: " + compare(mine[k], g_ref[k], k)[1])
        if close(mine["z"], g_ref["r"]) and close(mine["r"], g_ref["z"]):
            both = _("the update and reset gates are swapped (gates['z'] holds r, gates['r'] z)")
            out["z"] = out["r"] = (False, both)
        if "h_tilde" not in out:
            arr = mine["h_tilde"]
            found = None
            sources = [(g_ref["r"], g_ref["z"])]
            if mine["r"] is not None:
                sources.append((mine["r"], mine["z"] if mine["z"] is not None else g_ref["z"]))
                wx, wh, b = p["Wx_h"], p["Wh_h"], p["b_h"]
                if not out["r"][0] and close(arr, np.tanh(x @ wx + (mine["r"] * h) @ wh + b)):
                    found = _(
                        "candidate h_tilde = tanh(x_t Wx_h + (r ⊙ h_(t-1)) Wh_h + b_h) is right "
                        "for your r, but your reset gate r is wrong: fix it first"
                    )
            for r_s, z_s in sources if not found else []:
                found = first_match(arr, _candidate_variants(x, h, p, r_s, z_s), g_ref["h_tilde"])
                if found:
                    break
            if not found:
                problem = compare(arr, g_ref["h_tilde"], "h_tilde")[1]
                found = _("candidate h_tilde: {problem}").format(problem=problem)
            out["h_tilde"] = (False, found)

    # h_t
    ok, msg, arr = compare(h_got, h_ref, "h_t")
    if ok:
        out["h_t"] = (True, _("right"))
    elif arr is None or arr.shape != h_ref.shape:
        out["h_t"] = (False, msg)
    else:
        found = None
        z_m, t_m = mine["z"], mine["h_tilde"]
        if z_m is not None and t_m is not None and close(arr, (1 - z_m) * h + z_m * t_m):
            wrong = [_(NAMES[k]) for k in ("z", "h_tilde") if not out[k][0]]
            found = ngettext(
                "h_t = (1 − z) ⊙ h_(t-1) + z ⊙ h̃ is right for your gates, but your {wrong} is "
                "wrong: fix it first",
                "h_t = (1 − z) ⊙ h_(t-1) + z ⊙ h̃ is right for your gates, but your {wrong} are "
                "wrong: fix them first",
                len(wrong),
            ).format(wrong=_(" and ").join(wrong))
        sources = [(g_ref["z"], g_ref["r"], g_ref["h_tilde"])]
        if z_m is not None or t_m is not None:
            sources.append(
                (
                    z_m if z_m is not None else g_ref["z"],
                    mine["r"] if mine["r"] is not None else g_ref["r"],
                    t_m if t_m is not None else g_ref["h_tilde"],
                )
            )
        for z_s, r_s, t_s in sources if not found else []:
            found = first_match(arr, _h_variants(z_s, r_s, t_s, h), h_ref)
            if found:
                break
        out["h_t"] = (False, found or msg)
    return out


GRU_STEP = Diagnosis("gru_step", diagnose_gru_step, GRU_WEIGHTS, GRU_LABELS)
#: The grader's verdict: h_t counts 2, z, r and h_tilde 1 each, averaged over the calls.
judge_gru_step = GRU_STEP.judge


def check_gru_step(gru_step: Callable) -> CheckResult:
    """Public check: run your ``gru_step`` on two fixed inputs and say what is right.

    One line per output (z, r, h_tilde, h_t), naming the faulty term; one line when nothing
    came back at all. Advice only: the score comes from the autograder. The result is true
    when everything passed and shows nothing in a notebook.
    """
    return GRU_STEP.check(gru_step, public_gru_calls())


# ------------------------------------------------------------------------------------------
# Part 2: to_keras_convention
# ------------------------------------------------------------------------------------------


def draw_conversion_calls(rng: np.random.Generator) -> list[dict]:
    """Three sets of lecture-convention parameters with random sizes (n_in, n_h from 1 to 6)."""
    calls = []
    for _unused in range(3):
        n_in, n_h = (int(v) for v in rng.integers(1, 7, size=2))
        calls.append({"args": [encode(_gru_params(rng, n_in, n_h))], "kwargs": {}})
    return calls


def public_conversion_calls() -> list[dict]:
    """The public check's fixed parameters: n_in = 2, n_h = 3."""
    return [{"args": [encode(_gru_params(np.random.default_rng(7), 2, 3))], "kwargs": {}}]


def _sequence_for(call: Mapping, n_in: int) -> np.ndarray:
    """The sequence (batch 3, 8 steps) the judge runs, drawn from a seed derived from the call.

    Deterministic (the same call always gets the same sequence), so the judge needs nothing
    from the call but its parameters; the student's function never sees it.
    """
    seed = zlib.crc32(json.dumps(call["args"], sort_keys=True).encode())
    return np.random.default_rng(seed).normal(0.0, 1.0, size=(3, 8, n_in))


def run_lecture(params: Mapping, X: np.ndarray) -> np.ndarray:
    """h_1 … h_T of the lecture-convention GRU (reset before the product), (batch, T, n_h)."""
    H, _unused = cells.run_sequence(
        cells.gru_step, X, None, params, reset_after=False, convention="lecture"
    )
    return H


def run_keras_convention(params: Mapping, X: np.ndarray) -> np.ndarray:
    """h_1 … h_T of Keras' GRU(reset_after=False) equations, (batch, T, n_h)."""
    H, _unused = cells.run_sequence(
        cells.gru_step, X, None, params, reset_after=False, convention="keras"
    )
    return H


def _key_status(got: np.ndarray, original: np.ndarray) -> str:
    if close(got, original):
        return "same"
    if close(got, -original):
        return "negated"
    if close(got, 1.0 - original):
        return "one minus"
    if original.ndim == 2 and got.shape == original.shape and close(got, original.T):
        return "transposed"
    return "other"


def _conversion_message(status: Mapping[str, str]) -> str:
    z_keys = ("Wx_z", "Wh_z", "b_z")
    others = [k for k in status if k not in z_keys]
    if all(s == "same" for s in status.values()):
        return _(
            "you returned the parameters unchanged: Keras' z means 'keep the old state', the "
            "lecture's z 'take the candidate', so Keras' z must be the lecture's 1 − z. Which "
            "gate's parameters does that touch, and what does σ(−a) = 1 − σ(a) suggest?"
        )
    if any(status[k] == "one minus" for k in z_keys):
        return _(
            "1 − W does not give 1 − z: σ(1 − a) ≠ 1 − σ(a). Negate instead: σ(−a) = 1 − σ(a), "
            "so use −Wx_z, −Wh_z, −b_z"
        )
    if all(status[k] == "negated" for k in ("Wx_r", "Wh_r", "b_r")) and all(
        status[k] == "same" for k in z_keys
    ):
        return _("you negated the reset gate r; the conventions differ in the update gate z")
    parts = []
    not_negated = [k for k in z_keys if status[k] != "negated"]
    if not_negated:
        parts.append(
            _(
                "{keys} not negated: the whole pre-activation of z must change "
                "sign (weights and bias), σ(−a) = 1 − σ(a)"
            ).format(keys=", ".join(not_negated))
        )
    changed = [k for k in others if status[k] != "same"]
    if changed:
        if all(status[k] == "negated" for k in changed) and not not_negated:
            parts.append(
                _(
                    "{keys} negated too: only the update gate z changes; r and the "
                    "candidate's weights stay as they are"
                ).format(keys=", ".join(changed))
            )
        else:
            parts.append(
                _(
                    "{keys} changed: only the update gate z changes; r and the "
                    "candidate's weights stay as they are"
                ).format(keys=", ".join(changed))
            )
    return "; ".join(parts) or _("the converted parameters do not compute the same sequence")


#: Said when the conversion changed the params it was given (public check: see ``call_locally``).
MUTATED_MESSAGE = N_(
    "you changed the params you were given: dict(params) copies the dict but not the arrays, "
    "so new[k] *= -1 also changes params[k]; build new arrays (-params[k], params[k].copy())"
)


def diagnose_to_keras_convention(call: Mapping, outcome: Mapping) -> dict[str, tuple[bool, str]]:
    """Does Keras' GRU(reset_after=False) with the returned parameters compute the lecture's h?

    Both sequences are computed here by ``cells.gru_step``: the returned parameters with
    ``convention="keras"``, the call's own parameters with ``convention="lecture"``, on the
    sequence ``_sequence_for(call)``. When they differ, each returned entry is compared with the
    original (same, negated, 1 − p, transposed) to say which term is wrong. An outcome that
    records the params as changed in place (``"changed_args"``, set by the public check's
    ``call_locally``; the grader's kernel does not report it) is wrong even when the sequence
    is right. Returns ``{"sequence": (ok, message)}``.
    """
    problem = outcome_problem(outcome, "to_keras_convention")
    if problem:
        return {"sequence": (False, problem)}
    (params,) = (decode(a) for a in call["args"])
    n_in, n_h = params["Wx_z"].shape
    got = decode(outcome["value"])
    if not isinstance(got, dict) or "unsupported" in got:
        what = got.get("unsupported") if isinstance(got, dict) else type(got).__name__
        return {
            "sequence": (
                False,
                _("to_keras_convention returned a {what}; expected a dict").format(what=what),
            )
        }
    converted = {}
    for key, original in params.items():
        if key not in got:
            have = ", ".join(sorted(got)[:12]) or _("no keys")
            return {
                "sequence": (
                    False,
                    _("the converted params have no key '{key}'; they have {have}").format(
                        key=key, have=have
                    ),
                )
            }
        arr, problem = as_array(got[key], f"params['{key}']")
        if problem:
            return {"sequence": (False, problem)}
        problem = shape_problem(arr, original.shape, f"params['{key}']")
        if problem:
            return {"sequence": (False, problem)}
        converted[key] = arr
    X = _sequence_for(call, n_in)
    reference = run_lecture(params, X)
    with np.errstate(all="ignore"):
        H = run_keras_convention(converted, X)
    mutated = _(MUTATED_MESSAGE) if 0 in outcome.get("changed_args", ()) else None
    if close(H, reference):
        return {"sequence": (mutated is None, mutated or _("right"))}
    status = {k: _key_status(converted[k], params[k]) for k in params}
    message = _conversion_message(status)
    return {
        "sequence": (
            False,
            _("{mutated}; and {message}").format(mutated=mutated, message=message)
            if mutated
            else message,
        )
    }


#: The grader's verdict: the share of drawn parameter sets converted right. No partial credit
#: inside a call: converted parameters either compute the lecture's sequence or they do not
#: (the message says which entries are wrong).
TO_KERAS_CONVENTION = Diagnosis(
    "to_keras_convention",
    diagnose_to_keras_convention,
    {"sequence": 1.0},
    {"sequence": N_("same h_1 … h_T in Keras' convention")},
)
judge_to_keras_convention = TO_KERAS_CONVENTION.judge


def check_to_keras_convention(to_keras_convention: Callable) -> CheckResult:
    """Public check of ``to_keras_convention(params)`` on fixed parameters (n_in 2, n_h 3).

    Besides the sequence, it checks that the params given were left unchanged: the grader's
    kernel sends back returned values only, so changing the input in place is caught here.
    """
    return TO_KERAS_CONVENTION.check(to_keras_convention, public_conversion_calls())


# ------------------------------------------------------------------------------------------
# The assignment
# ------------------------------------------------------------------------------------------

ASSIGNMENT = Assignment(
    name="hw06_gru",
    title="Homework 06: the GRU in the lecture's convention, and in Keras'",
    parts=[
        FunctionPart(
            name="gru_step",
            points=6.0,
            function="gru_step",
            draw_calls=draw_gru_calls,
            judge=judge_gru_step,
            allowed=("course_lib.cells.sigmoid", "course_lib.cells.tanh"),
        ),
        FunctionPart(
            name="to_keras_convention",
            points=4.0,
            function="to_keras_convention",
            draw_calls=draw_conversion_calls,
            judge=judge_to_keras_convention,
            allowed=(),
        ),
    ],
    cell_timeout=120.0,
    timeout=300.0,
)
