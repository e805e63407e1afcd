"""hw06_gru: every common mistake gets the message naming it, from the public check and the grader.

Each wrong ``gru_step`` or ``to_keras_convention`` below is a small student attempt with one
mistake, run through the public check (output captured) and through the grader's ``judge`` on
calls drawn at random (outcomes built here by calling it and encoding its return value, as the
kernel would). The right implementation is the solution notebook's own code. The judge's
reference for the conversion is checked against a real ``keras.layers.GRU(reset_after=False)``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from course_lib import gate_analysis
from course_lib.cells import sigmoid
from course_lib.grading import common
from course_lib.grading import hw06_gru as hw
from course_lib.grading.assignments import get
from tests.grading_helpers import judge_fn, outcomes_for, solution_namespace

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / "hw06_gru.ipynb"


SOLUTION = solution_namespace(NOTEBOOK)


# ------------------------------------------------------------------------------------------
# gru_step: the lecture's equations by hand, and one small function per mistake
# ------------------------------------------------------------------------------------------


def _s(a):
    return 1.0 / (1.0 + np.exp(-a))


def _zr(x, h, p):
    z = _s(x @ p["Wx_z"] + h @ p["Wh_z"] + p["b_z"])
    r = _s(x @ p["Wx_r"] + h @ p["Wh_r"] + p["b_r"])
    return z, r


def right_by_hand(x, h, p):
    z, r = _zr(x, h, p)
    ht = np.tanh(x @ p["Wx_h"] + (r * h) @ p["Wh_h"] + p["b_h"])
    return (1 - z) * h + z * ht, {"z": z, "r": r, "h_tilde": ht}


def _out(z, r, ht, h):
    return (1 - z) * h + z * ht, {"z": z, "r": r, "h_tilde": ht}


def keras_convention(x, h, p):
    z, r = _zr(x, h, p)
    ht = np.tanh(x @ p["Wx_h"] + (r * h) @ p["Wh_h"] + p["b_h"])
    return z * h + (1 - z) * ht, {"z": z, "r": r, "h_tilde": ht}


def reset_after_product(x, h, p):
    z, r = _zr(x, h, p)
    return _out(z, r, np.tanh(x @ p["Wx_h"] + r * (h @ p["Wh_h"]) + p["b_h"]), h)


def reset_on_the_input(x, h, p):
    z, r = _zr(x, h, p)
    return _out(z, r, np.tanh(r * (x @ p["Wx_h"]) + h @ p["Wh_h"] + p["b_h"]), h)


def no_reset(x, h, p):
    z, r = _zr(x, h, p)
    return _out(z, r, np.tanh(x @ p["Wx_h"] + h @ p["Wh_h"] + p["b_h"]), h)


def update_gate_in_the_reset(x, h, p):
    z, r = _zr(x, h, p)
    return _out(z, r, np.tanh(x @ p["Wx_h"] + (z * h) @ p["Wh_h"] + p["b_h"]), h)


def missing_bias_z(x, h, p):
    _, r = _zr(x, h, p)
    z = _s(x @ p["Wx_z"] + h @ p["Wh_z"])
    return _out(z, r, np.tanh(x @ p["Wx_h"] + (r * h) @ p["Wh_h"] + p["b_h"]), h)


def missing_bias_candidate(x, h, p):
    z, r = _zr(x, h, p)
    return _out(z, r, np.tanh(x @ p["Wx_h"] + (r * h) @ p["Wh_h"]), h)


def tanh_on_reset(x, h, p):
    z, _ = _zr(x, h, p)
    r = np.tanh(x @ p["Wx_r"] + h @ p["Wh_r"] + p["b_r"])
    return _out(z, r, np.tanh(x @ p["Wx_h"] + (r * h) @ p["Wh_h"] + p["b_h"]), h)


def sigmoid_candidate(x, h, p):
    z, r = _zr(x, h, p)
    return _out(z, r, _s(x @ p["Wx_h"] + (r * h) @ p["Wh_h"] + p["b_h"]), h)


def recurrent_weights_transposed_r(x, h, p):
    z, _ = _zr(x, h, p)
    r = _s(x @ p["Wx_r"] + h @ p["Wh_r"].T + p["b_r"])
    return _out(z, r, np.tanh(x @ p["Wx_h"] + (r * h) @ p["Wh_h"] + p["b_h"]), h)


def update_and_reset_swapped(x, h, p):
    z, r = _zr(x, h, p)
    z, r = r, z
    return _out(z, r, np.tanh(x @ p["Wx_h"] + (r * h) @ p["Wh_h"] + p["b_h"]), h)


def gates_first(x, h, p):
    h_t, gates = right_by_hand(x, h, p)
    return gates, h_t


def only_the_state(x, h, p):
    return right_by_hand(x, h, p)[0]


def candidate_under_another_name(x, h, p):
    h_t, gates = right_by_hand(x, h, p)
    return h_t, {"z": gates["z"], "r": gates["r"], "h_candidate": gates["h_tilde"]}


def weights_on_the_left(x, h, p):  # W @ x: the shapes do not fit, numpy raises
    z = sigmoid(p["Wx_z"] @ x + p["Wh_z"] @ h + p["b_z"])
    return z, {"z": z}


def transposed_products(x, h, p):  # W.T @ x.T: runs, gives (n_h, batch)
    z = _s(p["Wx_z"].T @ x.T + p["Wh_z"].T @ h.T + p["b_z"][:, None])
    r = _s(p["Wx_r"].T @ x.T + p["Wh_r"].T @ h.T + p["b_r"][:, None])
    ht = np.tanh(p["Wx_h"].T @ x.T + p["Wh_h"].T @ (r * h.T) + p["b_h"][:, None])
    return (1 - z) * h.T + z * ht, {"z": z, "r": r, "h_tilde": ht}


def first_row_only(x, h, p):
    h_t, gates = right_by_hand(x, h, p)
    return h_t[:1], gates


ALL = set(hw.GRU_WEIGHTS)
GRU_MISTAKES = [
    (keras_convention, "z and 1 − z are swapped", {"h_t"}),
    (reset_after_product, "the reset is applied AFTER the product", {"h_tilde", "h_t"}),
    (reset_on_the_input, "the reset gate is applied to the wrong term", {"h_tilde", "h_t"}),
    (no_reset, "the reset gate is missing", {"h_tilde", "h_t"}),
    (
        update_gate_in_the_reset,
        "the update gate z where the reset gate r belongs",
        {"h_tilde", "h_t"},
    ),
    (missing_bias_z, "update gate z: the bias b_z is missing", {"z", "h_t"}),
    (missing_bias_candidate, "candidate h_tilde: the bias b_h is missing", {"h_tilde", "h_t"}),
    (tanh_on_reset, "reset gate r: it uses tanh where it should use σ", {"r", "h_tilde", "h_t"}),
    (sigmoid_candidate, "it uses σ where it should use tanh", {"h_tilde", "h_t"}),
    (
        recurrent_weights_transposed_r,
        "reset gate r: the recurrent weights are transposed",
        {"r", "h_tilde", "h_t"},
    ),
    (update_and_reset_swapped, "the update and reset gates are swapped", ALL),
    (gates_first, "you returned (gates, h_t)", ALL),
    (only_the_state, "returned only h_t", {"z", "r", "h_tilde"}),
    (candidate_under_another_name, "gates has no key 'h_tilde'", {"h_tilde"}),
    (weights_on_the_left, "Arrays are batch-first", ALL),
    (transposed_products, "transposed: arrays are batch-first", ALL),
    (first_row_only, "h_t has shape (1, ", {"h_t"}),
]
IDS = [m[0].__name__ for m in GRU_MISTAKES]


@pytest.mark.parametrize("fn, words, wrong", GRU_MISTAKES, ids=IDS)
def test_public_check_names_the_mistake(fn, words, wrong, capsys):
    assert not hw.check_gru_step(fn)
    out = capsys.readouterr().out
    assert words in out, out
    assert common.ADVICE in out
    if "✗ gru_step: " in out:  # no call gave a value: one line, not one per output
        assert wrong == set(hw.GRU_WEIGHTS), out
        assert not any(f"{hw.GRU_LABELS[k]}:" in out for k in wrong), out
        return
    for key in hw.GRU_WEIGHTS:
        label = hw.GRU_LABELS[key]
        line = next(row for row in out.splitlines() if row.strip()[2:].startswith(label + ":"))
        assert line.strip().startswith("✗" if key in wrong else "✓"), (key, line)


@pytest.mark.parametrize("fn, words, wrong", GRU_MISTAKES, ids=IDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_judge_names_the_mistake_and_gives_partial_credit(fn, words, wrong, seed):
    verdict = judge_fn(hw.judge_gru_step, hw.draw_gru_calls, fn, seed)
    assert words in verdict.message, verdict.message
    total = sum(hw.GRU_WEIGHTS.values())
    right = sum(w for k, w in hw.GRU_WEIGHTS.items() if k not in wrong)
    assert verdict.fraction == pytest.approx(right / total), verdict.message


def test_a_wrong_shape_says_got_and_expected():
    calls = hw.draw_gru_calls(np.random.default_rng(3))
    verdict = hw.judge_gru_step(calls, outcomes_for(first_row_only, calls))
    batch, n_h = common.decode(calls[0]["args"][1]).shape
    assert f"h_t has shape (1, {n_h}); expected ({batch}, {n_h})" in verdict.message


def test_the_solution_and_the_hand_written_equations_score_full_marks(capsys):
    gru_step = SOLUTION["gru_step"]
    assert hw.check_gru_step(gru_step)
    assert "all passed" in capsys.readouterr().out
    for seed in range(25):
        assert judge_fn(hw.judge_gru_step, hw.draw_gru_calls, gru_step, seed).fraction == 1.0
    assert judge_fn(hw.judge_gru_step, hw.draw_gru_calls, right_by_hand, 99).fraction == 1.0


def test_exception_missing_and_unreadable_answers_score_zero():
    calls = hw.draw_gru_calls(np.random.default_rng(0))
    n = len(calls)
    cases = {
        "missing": ([{"ok": False, "error": "missing"}] * n, "not defined in your notebook"),
        "error": ([{"ok": False, "error": "KeyError: 'Wx_z'"}] * n, "raised KeyError: 'Wx_z'"),
        "todo": ([{"ok": False, "error": "NotImplementedError: "}] * n, "not written yet"),
        "object": ([{"ok": True, "value": {"unsupported": "Tensor"}}] * n, "returned Tensor"),
        "too few": ([], "no answer"),
        "junk": ([{"ok": True, "value": [{"ndarray": "x"}, {"dict": 3}]}] * n, ""),
    }
    for name, (outcomes, words) in cases.items():
        verdict = hw.judge_gru_step(calls, outcomes)
        assert verdict.fraction == 0.0, name
        assert words in verdict.message, (name, verdict.message)


# ------------------------------------------------------------------------------------------
# to_keras_convention
# ------------------------------------------------------------------------------------------


def _negate(params, keys):
    return {k: (-v if k in keys else v.copy()) for k, v in params.items()}


Z = ("Wx_z", "Wh_z", "b_z")
CONVERSION_MISTAKES = [
    (lambda p: {k: v.copy() for k, v in p.items()}, "parameters unchanged"),
    (lambda p: _negate(p, ("Wx_z", "Wh_z")), "b_z not negated"),
    (lambda p: _negate(p, ("b_z",)), "Wx_z, Wh_z not negated"),
    (lambda p: {k: (1 - v if k in Z else v) for k, v in p.items()}, "1 − W does not give 1 − z"),
    (lambda p: _negate(p, ("Wx_r", "Wh_r", "b_r")), "you negated the reset gate r"),
    (lambda p: _negate(p, tuple(p)), "negated too"),
    (lambda p: {k: v for k, v in _negate(p, Z).items() if k != "b_h"}, "no key 'b_h'"),
    (lambda p: {**_negate(p, Z), "Wx_z": -p["Wx_z"].T}, "params['Wx_z'] has shape"),
    (lambda p: None, "returned a NoneType; expected a dict"),
]


def _not_square(seed):
    calls = hw.draw_conversion_calls(np.random.default_rng(seed))
    shapes = [common.decode(c["args"][0])["Wx_z"].shape for c in calls]
    return all(n_in != n_h for n_in, n_h in shapes)


#: a seed whose draws all have n_in ≠ n_h, so that a transposed Wx_z shows in its shape
NOT_SQUARE = next(seed for seed in range(100) if _not_square(seed))


@pytest.mark.parametrize("fn, words", CONVERSION_MISTAKES)
def test_conversion_mistakes_are_named(fn, words, capsys):
    assert not hw.check_to_keras_convention(fn)
    out = capsys.readouterr().out
    assert words in out, out
    verdict = judge_fn(hw.judge_to_keras_convention, hw.draw_conversion_calls, fn, NOT_SQUARE)
    assert words in verdict.message and verdict.fraction == 0.0, verdict.message


def test_conversion_solutions_score_full_marks(capsys):
    convert = SOLUTION["to_keras_convention"]
    assert hw.check_to_keras_convention(convert)
    for fn in (convert, gate_analysis.gru_swap_convention):
        for seed in range(10):
            verdict = judge_fn(hw.judge_to_keras_convention, hw.draw_conversion_calls, fn, seed)
            assert verdict.fraction == 1.0, verdict.message


def _convert_in_place(params):
    """Right values, but dict(params) shares the arrays: the caller's params change too."""
    new = dict(params)
    for k in Z:
        new[k] *= -1
    return new


def test_changing_the_params_in_place_is_caught_by_the_public_check(capsys):
    assert not hw.check_to_keras_convention(_convert_in_place)
    out = capsys.readouterr().out
    assert "you changed the params you were given: dict(params) copies the dict" in out, out
    # A mutation AND a wrong conversion: both are said.
    assert not hw.check_to_keras_convention(lambda p: dict(p, b_z=p["b_z"].__imul__(-1)))
    out = capsys.readouterr().out
    assert "you changed the params" in out and "Wx_z, Wh_z not negated" in out, out
    # The grader's kernel answers with returned values only, and these are right: the score
    # cannot see the mutation (the notebook's own cells would then show it).
    for seed in range(3):
        verdict = judge_fn(
            hw.judge_to_keras_convention, hw.draw_conversion_calls, _convert_in_place, seed
        )
        assert verdict.fraction == 1.0, verdict.message


def test_the_unchanged_params_message_asks_rather_than_tells(capsys):
    hw.check_to_keras_convention(lambda p: {k: v.copy() for k, v in p.items()})
    out = capsys.readouterr().out
    assert "what does σ(−a) = 1 − σ(a) suggest?" in out
    assert "negate the update gate" not in out and "Wx_z, Wh_z and b_z" not in out


def test_checks_print_one_line_when_nothing_is_written_and_show_no_value(capsys):
    def not_done(*args):
        raise NotImplementedError()

    checks = {
        "gru_step": (hw.check_gru_step, SOLUTION["gru_step"]),
        "to_keras_convention": (hw.check_to_keras_convention, SOLUTION["to_keras_convention"]),
    }
    for name, (check, right) in checks.items():
        result = check(not_done)
        out = capsys.readouterr().out
        assert out.count("✗") == 1 and f"✗ {name}: {name} is not written yet" in out, out
        assert out.startswith(f"{name}: something to fix"), out
        assert not result and result._ipython_display_() is None
        assert check(right) and capsys.readouterr().out.startswith(f"{name}: all passed")


def test_the_solution_does_not_change_its_input():
    params = common.decode(hw.public_conversion_calls()[0]["args"][0])
    before = {k: v.copy() for k, v in params.items()}
    SOLUTION["to_keras_convention"](params)
    assert all(np.array_equal(params[k], before[k]) for k in before)


def test_draws_are_random_and_the_judge_sequence_is_deterministic():
    sizes = set()
    for seed in range(10):
        for call in hw.draw_conversion_calls(np.random.default_rng(seed)):
            sizes.add(common.decode(call["args"][0])["Wx_z"].shape)
    assert len(sizes) > 8
    call = hw.draw_conversion_calls(np.random.default_rng(0))[0]
    assert np.array_equal(hw._sequence_for(call, 2), hw._sequence_for(call, 2))


@pytest.mark.slow
def test_the_judge_reference_is_what_a_real_keras_gru_computes():
    """The grader's numpy reference against keras.layers.GRU(reset_after=False), same weights."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from course_lib import keras_bridge

    for seed in (0, 1):
        call = hw.draw_conversion_calls(np.random.default_rng(seed))[0]
        params = common.decode(call["args"][0])
        n_in, n_h = params["Wx_z"].shape
        X = hw._sequence_for(call, n_in).astype("float32")
        converted = SOLUTION["to_keras_convention"](params)
        layer = keras.layers.GRU(n_h, reset_after=False, return_sequences=True)
        keras_bridge.params_to_keras(converted, layer)
        H_keras = np.asarray(layer(X))
        assert np.abs(H_keras - hw.run_lecture(params, X)).max() < 1e-5
        assert np.abs(H_keras - hw.run_keras_convention(converted, X)).max() < 1e-5
        # and the unconverted weights give another sequence in Keras
        keras_bridge.params_to_keras(params, layer)
        assert np.abs(np.asarray(layer(X)) - hw.run_lecture(params, X)).max() > 1e-2


# ------------------------------------------------------------------------------------------
# The assignment
# ------------------------------------------------------------------------------------------


def test_assignment_is_registered():
    a = get("hw06_gru")
    assert a is hw.ASSIGNMENT and a.notebook == "hw06_gru.ipynb"
    assert a.max_score == 10.0
    assert a.functions() == ("gru_step", "to_keras_convention")
    assert set(a.parts[0].allowed) == {"course_lib.cells.sigmoid", "course_lib.cells.tanh"}
    assert a.parts[1].allowed == ()
    for part in a.parts:
        calls = part.draw(np.random.default_rng(0))
        json.dumps(calls)
        missing = [{"ok": False, "error": "missing"}] * len(calls)
        assert part.score(calls, missing, None).fraction == 0
