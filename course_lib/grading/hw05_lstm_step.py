"""Homework 05, part 1: the inputs, known mistakes and diagnosis of ``lstm_step``.

``lstm_step(x_t, h_prev, c_prev, params) -> (h_t, c_t, gates)`` has the contract of
:func:`course_lib.cells.lstm_step`:

    f   = σ(x_t Wx_f + h_{t−1} Wh_f + b_f)       i = σ(x_t Wx_i + h_{t−1} Wh_i + b_i)
    o   = σ(x_t Wx_o + h_{t−1} Wh_o + b_o)       g = tanh(x_t Wx_g + h_{t−1} Wh_g + b_g)
    c_t = f ⊙ c_{t−1} + i ⊙ g                    h_t = o ⊙ tanh(c_t)

:func:`diagnose_lstm_step` works on plain data (a decoded call and the kernel's outcome); the
public check and the grader's verdict built on it are in :mod:`.hw05_lstm`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import cells
from ..i18n import N_, _, ngettext
from .common import decode, encode
from .diagnose import as_array, close, compare, first_match, outcome_problem, returned_what

__all__ = [
    "GATES",
    "GATE_NAMES",
    "LSTM_LABELS",
    "LSTM_WEIGHTS",
    "diagnose_lstm_step",
    "draw_lstm_calls",
    "public_lstm_calls",
]

GATES = ("f", "i", "o", "g")
GATE_NAMES = {
    "f": N_("forget gate f"),
    "i": N_("input gate i"),
    "o": N_("output gate o"),
    "g": N_("candidate g"),
}
#: Credit of each output of lstm_step (the states weigh twice a gate), in the order they are
#: computed, so that a message names a wrong gate before what follows from it.
LSTM_WEIGHTS = {"f": 1.0, "i": 1.0, "o": 1.0, "g": 1.0, "c_t": 2.0, "h_t": 2.0}
LSTM_LABELS = {
    "f": N_("gate f"),
    "i": N_("gate i"),
    "o": N_("gate o"),
    "g": N_("gate g"),
    "c_t": "c_t",
    "h_t": "h_t",
}


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
    return [_lstm_call(rng, *_distinct_sizes(rng)) for _unused in range(3)]


def public_lstm_calls() -> list[dict]:
    """The public check's fixed inputs: (batch, n_in, n_h) = (2, 3, 4) and (3, 1, 2)."""
    rng = np.random.default_rng(5)
    return [_lstm_call(rng, 2, 3, 4), _lstm_call(rng, 3, 1, 2)]


def _gate_variants(k: str, x, h, c, p) -> dict[str, np.ndarray]:
    """Known mistakes in gate ``k``, each computed from the same inputs."""
    act, other = (cells.tanh, cells.sigmoid) if k == "g" else (cells.sigmoid, cells.tanh)
    right, wrong = ("tanh", "σ") if k == "g" else ("σ", "tanh")
    wx, wh, b = p[f"Wx_{k}"], p[f"Wh_{k}"], p[f"b_{k}"]
    name = _(GATE_NAMES[k])
    v: dict[str, np.ndarray | None] = {
        _("{name}: the bias b_{k} is missing").format(name=name, k=k): act(x @ wx + h @ wh),
        _("{name}: it uses {wrong} where it should use {right} (sigmoid and tanh swapped)").format(
            name=name, wrong=wrong, right=right
        ): other(x @ wx + h @ wh + b),
        _(
            "{name}: the activation {right} is missing (the raw sum x_t Wx_{k} + h Wh_{k} + b_{k})"
        ).format(name=name, right=right, k=k): (x @ wx + h @ wh + b),
        _("{name}: the input term x_t Wx_{k} is missing").format(name=name, k=k): act(h @ wh + b),
        _("{name}: the recurrent term h_(t-1) Wh_{k} is missing").format(name=name, k=k): act(
            x @ wx + b
        ),
        _(
            "{name}: the recurrent weights are transposed (h_(t-1) Wh_{k}.T instead "
            "of h_(t-1) Wh_{k})"
        ).format(name=name, k=k): act(x @ wx + h @ wh.T + b),
        _("{name}: it uses c_(t-1) where it should use h_(t-1)").format(name=name): act(
            x @ wx + c @ wh + b
        ),
    }
    if wx.shape[0] == wx.shape[1]:
        transposed = _("{name}: the input weights are transposed (x_t Wx_{k}.T)")
        v[transposed.format(name=name, k=k)] = act(x @ wx.T + h @ wh + b)
        swapped = _("{name}: Wx_{k} and Wh_{k} are swapped (x_t Wh_{k} + h_(t-1) Wx_{k})")
        v[swapped.format(name=name, k=k)] = act(x @ wh + h @ wx + b)
    for j in GATES:
        if j == k:
            continue
        pre_j = x @ p[f"Wx_{j}"] + h @ p[f"Wh_{j}"] + p[f"b_{j}"]
        holds = _(
            "{name}: gates['{k}'] holds the values of the {other} (its weights "
            "Wx_{j}, Wh_{j}, b_{j}, or a mix-up of the dict's keys)"
        )
        v[holds.format(name=name, k=k, other=_(GATE_NAMES[j]), j=j)] = act(pre_j)
        if j == "g" or k == "g":
            mixed = _(
                "{name}: gates['{k}'] holds the values of the {other} (a mix-up of the dict's keys)"
            )
            v[mixed.format(name=name, k=k, other=_(GATE_NAMES[j]))] = (
                cells.tanh if j == "g" else cells.sigmoid
            )(pre_j)
    return v


def _c_variants(f, i, g, o, h, c) -> dict[str, np.ndarray]:
    return {
        _("c_t: the forget and input gates are swapped (c_t = i ⊙ c_(t-1) + f ⊙ g)"): i * c + f * g,
        _("c_t uses h_(t-1) where it should use c_(t-1) (c_t = f ⊙ h_(t-1) + i ⊙ g)"): f * h
        + i * g,
        _("c_t: the input gate is missing (c_t = f ⊙ c_(t-1) + g)"): f * c + g,
        _("c_t: the candidate is missing (c_t = f ⊙ c_(t-1) + i)"): f * c + i,
        _("c_t: the forget gate is missing (c_t = c_(t-1) + i ⊙ g)"): c + i * g,
        _("c_t: f is what is KEPT, not what is forgotten (you wrote (1 − f) ⊙ c_(t-1))"): (
            (1 - f) * c + i * g
        ),
        _(
            "c_t is squashed by tanh (c_t = tanh(f ⊙ c_(t-1) + i ⊙ g)); c is never squashed"
        ): np.tanh(f * c + i * g),
        _("c_t uses the output gate where the forget gate belongs (o ⊙ c_(t-1))"): o * c + i * g,
        _("c_t: f and i multiply the wrong terms' partners (f ⊙ g + i ⊙ c_(t-1))"): f * g + i * c,
    }


def _h_variants(o, c_t, c_prev) -> dict[str, np.ndarray]:
    return {
        _(
            "h_t: the output gate is applied to c_t without tanh (h_t = o ⊙ c_t; it should be "
            "o ⊙ tanh(c_t))"
        ): o * c_t,
        _("h_t: the cell output uses σ where it should use tanh (h_t = o ⊙ σ(c_t))"): (
            o * cells.sigmoid(c_t)
        ),
        _("h_t uses c_(t-1) where it should use the new c_t (h_t = o ⊙ tanh(c_(t-1)))"): (
            o * np.tanh(c_prev)
        ),
        _("h_t: the output gate is missing (h_t = tanh(c_t))"): np.tanh(c_t),
        _("h_t: o is inside the tanh (h_t = tanh(o ⊙ c_t))"): np.tanh(o * c_t),
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
            _("lstm_step returned 2 values; expected 3: (h_t, c_t, gates) with gates a dict"),
        )
    what = returned_what(value)
    problem = _("lstm_step returned {what}; expected a tuple (h_t, c_t, gates)").format(what=what)
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
            out[k] = (
                False,
                _("gates is a {what}; expected a dict with keys 'f', 'i', 'o', 'g'").format(
                    what=what
                ),
            )
            arrays[k] = None
    else:
        for k in GATES:
            if k not in gates_got:
                have = ", ".join(repr(s) for s in sorted(gates_got)) or _("no keys")
                out[k] = (
                    False,
                    _(
                        "gates has no key '{k}' ({gate}); it has {have}. Expected the keys "
                        "'f', 'i', 'o', 'g' (the lecture's names; g is the candidate c̃)"
                    ).format(k=k, gate=_(GATE_NAMES[k]), have=have),
                )
                arrays[k] = None
                continue
            ok, msg, arr = compare(gates_got[k], refs[k], f"gates['{k}']")
            arrays[k] = arr
            if ok or arr is None or arr.shape != refs[k].shape:
                out[k] = (ok, _("right") if ok else msg)
                continue
            found = first_match(arr, _gate_variants(k, x, h, c, p), refs[k])
            out[k] = (False, found or f"{_(GATE_NAMES[k])}: {msg}")
        f_arr, i_arr = arrays.get("f"), arrays.get("i")
        if close(f_arr, refs["i"]) and close(i_arr, refs["f"]):
            both = _(
                "the forget and input gates are swapped (gates['f'] holds i, gates['i'] holds f)"
            )
            out["f"] = (False, both)
            out["i"] = (False, both)

    # (c, h) returned in the wrong order
    h_arr, _unused = as_array(h_got, "h_t")
    c_arr, _unused = as_array(c_got, "c_t")
    if close(h_arr, c_ref) and close(c_arr, h_ref) and not close(h_ref, c_ref):
        swapped = _("you returned (c_t, h_t, gates); the contract is (h_t, c_t, gates)")
        out["h_t"] = (False, swapped)
        out["c_t"] = (False, swapped)
        return out

    # c_t
    gates_bad = [_(GATE_NAMES[k]) for k in "fig" if not out[k][0]]
    mine = {k: arrays.get(k) for k in GATES}
    usable = all(mine[k] is not None and mine[k].shape == c_ref.shape for k in GATES)
    ok, msg, c_arr = compare(c_got, c_ref, "c_t")
    if ok:
        out["c_t"] = (True, _("right"))
    elif c_arr is None or c_arr.shape != c_ref.shape:
        out["c_t"] = (False, msg)
    else:
        found = None
        if usable and close(c_arr, mine["f"] * c + mine["i"] * mine["g"]):
            found = ngettext(
                "c_t = f ⊙ c_(t-1) + i ⊙ g is right for your gates, but your {gates} is wrong: "
                "fix the gates first",
                "c_t = f ⊙ c_(t-1) + i ⊙ g is right for your gates, but your {gates} are wrong: "
                "fix the gates first",
                len(gates_bad),
            ).format(gates=_(" and ").join(gates_bad))
        for source in ([refs] + ([mine] if usable else [])) if not found else []:
            cands = _c_variants(source["f"], source["i"], source["g"], source["o"], h, c)
            found = first_match(c_arr, cands, c_ref)
            if found:
                break
        out["c_t"] = (False, found or msg)

    # h_t
    ok, msg, h_arr = compare(h_got, h_ref, "h_t")
    if ok:
        out["h_t"] = (True, _("right"))
    elif h_arr is None or h_arr.shape != h_ref.shape:
        out["h_t"] = (False, msg)
    else:
        found = None
        o_mine = arrays.get("o")
        c_mine = c_arr if c_arr is not None and c_arr.shape == c_ref.shape else None
        o_usable = o_mine is not None and o_mine.shape == h_ref.shape
        if o_usable and c_mine is not None and close(h_arr, o_mine * np.tanh(c_mine)):
            wrong = [n for n, bad in (("o", not out["o"][0]), ("c_t", not out["c_t"][0])) if bad]
            found = ngettext(
                "h_t = o ⊙ tanh(c_t) is right for your {wrong}, which is wrong: fix it first",
                "h_t = o ⊙ tanh(c_t) is right for your {wrong}, which are wrong: fix them first",
                len(wrong),
            ).format(wrong=_(" and ").join(wrong))
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
