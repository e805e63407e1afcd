"""hw05_lstm: every common mistake gets the message naming it, from the public check and the grader.

Each wrong implementation below is a small, honest student attempt with one mistake. It is run
through the public check (``check_lstm_step``, output captured) and through the grader's ``judge``
on calls drawn at random, with outcomes built here by calling it and encoding its return value
as the kernel would. The right implementation is the solution notebook's own code, executed
from its cells. References are checked against equations written out by hand.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_lib.cells import sigmoid
from course_lib.grading import common
from course_lib.grading import hw05_lstm as hw
from course_lib.grading.assignments import get
from tests.grading_helpers import judge_fn, outcomes_for, solution_namespace

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / "hw05_lstm.ipynb"


SOLUTION = solution_namespace(NOTEBOOK, lambda source: source.startswith("def "))


# ------------------------------------------------------------------------------------------
# lstm_step: a hand-written step with switches, and one small function per mistake
# ------------------------------------------------------------------------------------------


def _pre(x, h, p, k, bias=True):
    return x @ p[f"Wx_{k}"] + h @ p[f"Wh_{k}"] + (p[f"b_{k}"] if bias else 0.0)


def _finish(f, i, o, g, c_prev):
    c = f * c_prev + i * g
    return o * np.tanh(c), c, {"f": f, "i": i, "o": o, "g": g}


def _gates(x, h, p):
    return (
        sigmoid(_pre(x, h, p, "f")),
        sigmoid(_pre(x, h, p, "i")),
        sigmoid(_pre(x, h, p, "o")),
        np.tanh(_pre(x, h, p, "g")),
    )


def right_by_hand(x, h, c, p):
    f = 1 / (1 + np.exp(-(x @ p["Wx_f"] + h @ p["Wh_f"] + p["b_f"])))
    i = 1 / (1 + np.exp(-(x @ p["Wx_i"] + h @ p["Wh_i"] + p["b_i"])))
    o = 1 / (1 + np.exp(-(x @ p["Wx_o"] + h @ p["Wh_o"] + p["b_o"])))
    g = np.tanh(x @ p["Wx_g"] + h @ p["Wh_g"] + p["b_g"])
    c_t = f * c + i * g
    return o * np.tanh(c_t), c_t, {"f": f, "i": i, "o": o, "g": g}


def missing_bias_f(x, h, c, p):
    f, i, o, g = _gates(x, h, p)
    f = sigmoid(_pre(x, h, p, "f", bias=False))
    return _finish(f, i, o, g, c)


def missing_bias_g(x, h, c, p):
    f, i, o, _ = _gates(x, h, p)
    return _finish(f, i, o, np.tanh(_pre(x, h, p, "g", bias=False)), c)


def tanh_on_input_gate(x, h, c, p):
    f, _, o, g = _gates(x, h, p)
    return _finish(f, np.tanh(_pre(x, h, p, "i")), o, g, c)


def sigmoid_on_candidate(x, h, c, p):
    f, i, o, _ = _gates(x, h, p)
    return _finish(f, i, o, sigmoid(_pre(x, h, p, "g")), c)


def sigmoid_on_cell_output(x, h, c, p):
    f, i, o, g = _gates(x, h, p)
    c_t = f * c + i * g
    return o * sigmoid(c_t), c_t, {"f": f, "i": i, "o": o, "g": g}


def cell_uses_h(x, h, c, p):
    f, i, o, g = _gates(x, h, p)
    c_t = f * h + i * g
    return o * np.tanh(c_t), c_t, {"f": f, "i": i, "o": o, "g": g}


def forget_input_swapped_in_c(x, h, c, p):
    f, i, o, g = _gates(x, h, p)
    c_t = i * c + f * g
    return o * np.tanh(c_t), c_t, {"f": f, "i": i, "o": o, "g": g}


def forget_input_swapped_weights(x, h, c, p):
    f, i, o, g = _gates(x, h, p)
    return _finish(i, f, o, g, c)


def output_without_tanh(x, h, c, p):
    f, i, o, g = _gates(x, h, p)
    c_t = f * c + i * g
    return o * c_t, c_t, {"f": f, "i": i, "o": o, "g": g}


def h_uses_old_cell(x, h, c, p):
    f, i, o, g = _gates(x, h, p)
    c_t = f * c + i * g
    return o * np.tanh(c), c_t, {"f": f, "i": i, "o": o, "g": g}


def output_gate_with_forget_weights(x, h, c, p):
    f, i, _, g = _gates(x, h, p)
    return _finish(f, i, sigmoid(_pre(x, h, p, "f")), g, c)


def recurrent_weights_transposed(x, h, c, p):
    f, i, o, _ = _gates(x, h, p)
    g = np.tanh(x @ p["Wx_g"] + h @ p["Wh_g"].T + p["b_g"])
    return _finish(f, i, o, g, c)


def gates_without_candidate(x, h, c, p):
    h_t, c_t, gates = right_by_hand(x, h, c, p)
    del gates["g"]
    return h_t, c_t, gates


def gates_with_long_names(x, h, c, p):
    h_t, c_t, gates = right_by_hand(x, h, c, p)
    names = {"f": "forget", "i": "input", "o": "output", "g": "candidate"}
    return h_t, c_t, {names[k]: v for k, v in gates.items()}


def no_gates_returned(x, h, c, p):
    h_t, c_t, _ = right_by_hand(x, h, c, p)
    return h_t, c_t


def cell_and_hidden_swapped(x, h, c, p):
    h_t, c_t, gates = right_by_hand(x, h, c, p)
    return c_t, h_t, gates


def weights_on_the_left(x, h, c, p):  # W @ x: the shapes do not fit, numpy raises
    f = sigmoid(p["Wx_f"] @ x + p["Wh_f"] @ h + p["b_f"])
    return f, f, {"f": f}


def transposed_products(x, h, c, p):  # W.T @ x.T: runs, gives (n_h, batch)
    def pre(k):
        return p[f"Wx_{k}"].T @ x.T + p[f"Wh_{k}"].T @ h.T + p[f"b_{k}"][:, None]

    f, i, o, g = sigmoid(pre("f")), sigmoid(pre("i")), sigmoid(pre("o")), np.tanh(pre("g"))
    c_t = f * c.T + i * g
    return o * np.tanh(c_t), c_t, {"f": f, "i": i, "o": o, "g": g}


def first_row_only(x, h, c, p):  # loses the batch: only the first sequence
    h_t, c_t, gates = right_by_hand(x, h, c, p)
    return h_t[:1], c_t, gates


#: (wrong implementation, words its message must contain, outputs that must be marked wrong)
LSTM_MISTAKES = [
    (missing_bias_f, "forget gate f: the bias b_f is missing", {"f", "c_t", "h_t"}),
    (missing_bias_g, "candidate g: the bias b_g is missing", {"g", "c_t", "h_t"}),
    (tanh_on_input_gate, "input gate i: it uses tanh where it should use σ", {"i", "c_t", "h_t"}),
    (sigmoid_on_candidate, "candidate g: it uses σ where it should use tanh", {"g", "c_t", "h_t"}),
    (sigmoid_on_cell_output, "the cell output uses σ where it should use tanh", {"h_t"}),
    (cell_uses_h, "c_t uses h_(t-1) where it should use c_(t-1)", {"c_t", "h_t"}),
    (forget_input_swapped_in_c, "the forget and input gates are swapped", {"c_t", "h_t"}),
    (
        forget_input_swapped_weights,
        "the forget and input gates are swapped",
        {"f", "i", "c_t", "h_t"},
    ),
    (output_without_tanh, "the output gate is applied to c_t without tanh", {"h_t"}),
    (h_uses_old_cell, "h_t uses c_(t-1) where it should use the new c_t", {"h_t"}),
    (
        output_gate_with_forget_weights,
        "gates['o'] holds the values of the forget gate",
        {"o", "h_t"},
    ),
    (recurrent_weights_transposed, "the recurrent weights are transposed", {"g", "c_t", "h_t"}),
    (gates_without_candidate, "gates has no key 'g'", {"g"}),
    (gates_with_long_names, "gates has no key 'f'", {"f", "i", "o", "g"}),
    (no_gates_returned, "expected 3: (h_t, c_t, gates)", {"f", "i", "o", "g"}),
    (cell_and_hidden_swapped, "you returned (c_t, h_t, gates)", {"h_t", "c_t"}),
    (weights_on_the_left, "Arrays are batch-first", set(hw.LSTM_WEIGHTS)),
    (transposed_products, "transposed: arrays are batch-first", set(hw.LSTM_WEIGHTS)),
    (first_row_only, "h_t has shape (1, ", {"h_t"}),
]


@pytest.mark.parametrize(
    "fn, words, wrong", LSTM_MISTAKES, ids=[m[0].__name__ for m in LSTM_MISTAKES]
)
def test_public_check_names_the_mistake(fn, words, wrong, capsys):
    assert not hw.check_lstm_step(fn)
    out = capsys.readouterr().out
    assert words in out, out
    assert common.ADVICE in out
    if "✗ lstm_step: " in out:  # no call gave a value: one line, not one per output
        assert wrong == set(hw.LSTM_WEIGHTS), out
        assert not any(f"{hw.LSTM_LABELS[k]}:" in out for k in wrong), out
        return
    for key in hw.LSTM_WEIGHTS:
        label = hw.LSTM_LABELS[key]
        line = next(row for row in out.splitlines() if row.strip()[2:].startswith(label + ":"))
        assert line.strip().startswith("✗" if key in wrong else "✓"), (key, line)


@pytest.mark.parametrize(
    "fn, words, wrong", LSTM_MISTAKES, ids=[m[0].__name__ for m in LSTM_MISTAKES]
)
@pytest.mark.parametrize("seed", [0, 1])
def test_judge_names_the_mistake_and_gives_partial_credit(fn, words, wrong, seed):
    verdict = judge_fn(hw.judge_lstm_step, hw.draw_lstm_calls, fn, seed)
    assert words in verdict.message, verdict.message
    total = sum(hw.LSTM_WEIGHTS.values())
    right = sum(w for k, w in hw.LSTM_WEIGHTS.items() if k not in wrong)
    assert verdict.fraction == pytest.approx(right / total), verdict.message


def test_a_wrong_shape_says_got_and_expected():
    calls = hw.draw_lstm_calls(np.random.default_rng(3))
    verdict = hw.judge_lstm_step(calls, outcomes_for(first_row_only, calls))
    batch, n_h = common.decode(calls[0]["args"][1]).shape
    assert f"h_t has shape (1, {n_h}); expected ({batch}, {n_h})" in verdict.message


def test_the_solution_scores_full_marks_on_many_draws(capsys):
    lstm_step = SOLUTION["lstm_step"]
    assert hw.check_lstm_step(lstm_step)
    assert "all passed" in capsys.readouterr().out
    for seed in range(25):
        verdict = judge_fn(hw.judge_lstm_step, hw.draw_lstm_calls, lstm_step, seed)
        assert verdict.fraction == 1.0, verdict.message


def test_hand_written_equations_and_float32_score_full_marks():
    def float32(x, h, c, p):
        p32 = {k: v.astype(np.float32) for k, v in p.items()}
        return right_by_hand(x.astype(np.float32), h.astype(np.float32), c.astype(np.float32), p32)

    for fn in (right_by_hand, float32):
        assert judge_fn(hw.judge_lstm_step, hw.draw_lstm_calls, fn, 7).fraction == 1.0


def test_exception_missing_and_unreadable_answers_score_zero():
    calls = hw.draw_lstm_calls(np.random.default_rng(0))
    n = len(calls)
    cases = {
        "missing": ([{"ok": False, "error": "missing"}] * n, "not defined in your notebook"),
        "error": ([{"ok": False, "error": "KeyError: 'Wx_f'"}] * n, "raised KeyError: 'Wx_f'"),
        "todo": ([{"ok": False, "error": "NotImplementedError: "}] * n, "not written yet"),
        "object": ([{"ok": True, "value": {"unsupported": "Tensor"}}] * n, "returned Tensor"),
        "string": ([{"ok": True, "value": "h"}] * n, "expected a tuple (h_t, c_t, gates)"),
        "no value": ([{"ok": True}] * n, "no value returned"),
        "too few": ([], "no answer"),
        "junk": ([{"ok": True, "value": [{"ndarray": "x"}, {"dict": 3}, [1, [2]]]}] * n, ""),
    }
    for name, (outcomes, words) in cases.items():
        verdict = hw.judge_lstm_step(calls, outcomes)
        assert verdict.fraction == 0.0, name
        assert words in verdict.message, (name, verdict.message)


def test_hard_coded_public_answers_score_nothing():
    public = hw.public_lstm_calls()
    answers = [right_by_hand(*(common.decode(a) for a in call["args"])) for call in public]

    def hard_coded(x, h, c, p):
        for call, answer in zip(public, answers, strict=True):
            if np.array_equal(x, common.decode(call["args"][0])):
                return answer
        return answers[0]

    assert hw.check_lstm_step(hard_coded)  # fools the advice...
    assert judge_fn(hw.judge_lstm_step, hw.draw_lstm_calls, hard_coded, 0).fraction == 0.0


def test_draws_are_random_in_size_and_value():
    shapes = set()
    for seed in range(12):
        for call in hw.draw_lstm_calls(np.random.default_rng(seed)):
            x, h, _, _ = (common.decode(a) for a in call["args"])
            assert h.shape[0] != h.shape[1]  # batch ≠ n_h: a transposed answer shows in its shape
            shapes.add((x.shape, h.shape))
    assert len(shapes) > 10
    a = hw.draw_lstm_calls(np.random.default_rng(1))[0]["args"][0]
    b = hw.draw_lstm_calls(np.random.default_rng(2))[0]["args"][0]
    assert a != b


# ------------------------------------------------------------------------------------------
# init_lstm_params
# ------------------------------------------------------------------------------------------


def _init(n_in, n_h, seed, *, b_f=1.0, others=0.0, scale=0.3, rng_seed="seed", wx_shape=None):
    rng = np.random.default_rng(seed if rng_seed == "seed" else rng_seed)
    p = {}
    for k in "fiog":
        p[f"Wx_{k}"] = rng.normal(0, scale, size=wx_shape or (n_in, n_h))
        p[f"Wh_{k}"] = rng.normal(0, scale, size=(n_h, n_h))
        p[f"b_{k}"] = np.full(n_h, b_f if k == "f" else others)
    return p


def _init_rng_per_matrix(n_in, n_h, seed=0):
    """A new default_rng(seed) for every matrix: the four gates get the same weights."""
    p = {}
    for k in "fiog":
        p[f"Wx_{k}"] = np.random.default_rng(seed).normal(0, 0.3, size=(n_in, n_h))
        p[f"Wh_{k}"] = np.random.default_rng(seed).normal(0, 0.3, size=(n_h, n_h))
        p[f"b_{k}"] = np.full(n_h, 1.0 if k == "f" else 0.0)
    return p


def _init_scalar_forget_bias(n_in, n_h, seed=0):
    return {**_init(n_in, n_h, seed), "b_f": 1.0}


INIT_MISTAKES = [
    (_init_rng_per_matrix, "Create the generator once", "weights"),
    (lambda n_in, n_h, seed=0: _init(n_in, n_h, seed, b_f=0.0), "b_f is 0", "forget_bias"),
    (lambda n_in, n_h, seed=0: _init(n_in, n_h, seed, others=1.0), "b_i is", "other_biases"),
    (lambda n_in, n_h, seed=0: _init(n_in, n_h, seed, scale=0.0), "must be random", "weights"),
    (
        lambda n_in, n_h, seed=0: _init(n_in, n_h, seed, scale=2.0),
        "over the limit of 0.75",
        "weights",
    ),
    (
        lambda n_in, n_h, seed=0: _init(n_in, n_h, seed, rng_seed=None),
        "same seed gave different weights",
        "seed",
    ),
    (
        lambda n_in, n_h, seed=0: _init(n_in, n_h, seed, rng_seed=0),
        "different seeds gave the same weights",
        "seed",
    ),
    (
        lambda n_in, n_h, seed=0: _init(n_in, n_h, seed, wx_shape=(n_h, n_in)),
        "params['Wx_f'] for n_in=",
        "shapes",
    ),
    (
        lambda n_in, n_h, seed=0: {k: v for k, v in _init(n_in, n_h, seed).items() if k != "b_o"},
        "params has no key 'b_o'",
        "shapes",
    ),
]


def test_a_shape_mistake_is_said_once_and_the_rest_not_checked(capsys):
    assert not hw.check_init_lstm_params(_init_scalar_forget_bias)
    out = capsys.readouterr().out
    assert out.count("params['b_f']") == 1, out
    assert "✗ keys and shapes: params['b_f']" in out and "has shape ()" in out, out
    assert out.count("not checked (fix the keys and shapes first)") == 4, out
    verdict = judge_fn(hw.judge_init_lstm_params, hw.draw_init_calls, _init_scalar_forget_bias, 0)
    assert verdict.fraction == 0.0 and verdict.message.count("params['b_f']") == 1


def test_checks_print_one_line_when_nothing_is_written_and_show_no_value(capsys):
    def not_done(*args):
        raise NotImplementedError()

    checks = {
        "lstm_step": (hw.check_lstm_step, SOLUTION["lstm_step"]),
        "init_lstm_params": (hw.check_init_lstm_params, SOLUTION["init_lstm_params"]),
        "memory_left": (hw.check_memory_left, SOLUTION["memory_left"]),
        "half_life": (hw.check_half_life, SOLUTION["half_life"]),
    }
    for name, (check, right) in checks.items():
        result = check(not_done)
        out = capsys.readouterr().out
        assert out.count("✗") == 1 and f"✗ {name}: {name} is not written yet" in out, out
        assert out.startswith(f"{name}: something to fix"), out  # the title, without check_
        assert not result and result._ipython_display_() is None
        assert check(right) and capsys.readouterr().out.startswith(f"{name}: all passed")


@pytest.mark.parametrize("fn, words, check", INIT_MISTAKES)
def test_init_mistakes_are_named(fn, words, check, capsys):
    assert not hw.check_init_lstm_params(fn)
    assert words in capsys.readouterr().out
    verdict = judge_fn(hw.judge_init_lstm_params, hw.draw_init_calls, fn, 4)
    assert words in verdict.message and verdict.fraction < 1.0
    if check != "shapes":  # one check of five fails, the rest pass
        assert verdict.fraction == pytest.approx(0.8)
    else:
        assert verdict.fraction == 0.0


def test_init_weight_scale_is_judged_robustly():
    """σ ≤ 0.5 (the notebook's advice) always passes, σ = 1 (rng.normal's default) always fails."""
    for seed in range(60):
        small = judge_fn(
            hw.judge_init_lstm_params,
            hw.draw_init_calls,
            lambda n_in, n_h, seed=0: _init(n_in, n_h, seed, scale=0.5),
            seed,
        )
        assert small.fraction == 1.0, small.message
        large = judge_fn(
            hw.judge_init_lstm_params,
            hw.draw_init_calls,
            lambda n_in, n_h, seed=0: _init(n_in, n_h, seed, scale=1.0),
            seed,
        )
        assert "over the limit of 0.75" in large.message


def test_init_solution_is_keras_like_and_full_marks(capsys):
    init = SOLUTION["init_lstm_params"]
    assert hw.check_init_lstm_params(init)
    for seed in range(100):
        verdict = judge_fn(hw.judge_init_lstm_params, hw.draw_init_calls, init, seed)
        assert verdict.fraction == 1.0, verdict.message
    # the biases are what a fresh keras.layers.LSTM(unit_forget_bias=True) has (lesson 05 prints
    # them from Keras): b_f = 1, the others 0
    p = init(3, 5, seed=0)
    assert np.all(p["b_f"] == 1.0) and all(np.all(p[f"b_{k}"] == 0.0) for k in "iog")


# ------------------------------------------------------------------------------------------
# memory_left and half_life
# ------------------------------------------------------------------------------------------


def test_references_against_the_hand_formula_and_the_simulation():
    for b_f, T in ((1.0, 10), (3.0, 20), (-0.5, 7), (0.0, 1)):
        by_hand = (1.0 / (1.0 + math.exp(-b_f))) ** T
        assert hw.simulated_memory(b_f, T) == pytest.approx(by_hand, rel=1e-12)
    for b_f in (0.0, 1.0, 3.0, -0.7):
        t = hw.reference_half_life(b_f)
        assert (1.0 / (1.0 + math.exp(-b_f))) ** t == pytest.approx(0.5, rel=1e-12)
        lo, hi = math.floor(t), math.ceil(t)  # the simulated cell brackets one half
        assert hw.simulated_memory(b_f, lo) >= 0.5 - 1e-12 >= hw.simulated_memory(b_f, hi) - 2e-12
    assert hw.reference_half_life(0.0) == pytest.approx(1.0)


def _s(b):
    return 1.0 / (1.0 + math.exp(-b))


MEMORY_MISTAKES = [
    (lambda b, T: 1 - _s(b) ** T, "the fraction LOST"),
    (lambda b, T: (1 - _s(b)) ** T, "f = σ(b_f) is the fraction KEPT"),
    (lambda b, T: _s(b), "over T steps the factors multiply"),
    (lambda b, T: _s(b) ** (T - 1), "off by one step"),
    (lambda b, T: T * _s(b), "they do not add"),
    (lambda b, T: _s(T * b), "the sigmoid is applied once per step"),
    (lambda b, T: b**T, "not b_f itself"),
    (lambda b, T: [_s(b) ** T, 0.0], "return one number, not an array"),
    (lambda b, T: np.full((1, 1), _s(b) ** T), "an array of one element of shape (1, 1)"),
]


@pytest.mark.parametrize("fn, words", MEMORY_MISTAKES)
def test_memory_left_mistakes_are_named(fn, words, capsys):
    assert not hw.check_memory_left(fn)
    assert words in capsys.readouterr().out
    verdict = judge_fn(hw.judge_memory_left, hw.draw_memory_calls, fn, 2)
    assert words in verdict.message and verdict.fraction == 0.0


HALF_LIFE_MISTAKES = [
    (lambda b: math.ceil(-math.log(2) / math.log(_s(b))), "rounded up"),
    (lambda b: -1 / math.log(_s(b)), "the time constant"),
    (lambda b: -math.log(2) / math.log(1 - _s(b)), "used 1 − σ(b_f)"),
    (lambda b: math.log(2) / math.log(_s(b)), "the sign is wrong"),
    (lambda b: -math.log10(2) / math.log(_s(b)), "mixed logarithm bases"),
]


@pytest.mark.parametrize("fn, words", HALF_LIFE_MISTAKES)
def test_half_life_mistakes_are_named(fn, words, capsys):
    assert not hw.check_half_life(fn)
    assert words in capsys.readouterr().out
    verdict = judge_fn(hw.judge_half_life, hw.draw_half_life_calls, fn, 5)
    assert words in verdict.message and verdict.fraction < 1.0


def test_number_solutions_score_full_marks(capsys):
    assert hw.check_memory_left(SOLUTION["memory_left"])
    assert hw.check_half_life(SOLUTION["half_life"])
    for seed in range(5):
        for judge, draw, fn in (
            (hw.judge_memory_left, hw.draw_memory_calls, SOLUTION["memory_left"]),
            (hw.judge_half_life, hw.draw_half_life_calls, SOLUTION["half_life"]),
        ):
            assert judge_fn(judge, draw, fn, seed).fraction == 1.0
    # numpy scalars and 0-d arrays are numbers too
    verdict = judge_fn(
        hw.judge_memory_left, hw.draw_memory_calls, lambda b, T: np.array(_s(b) ** T)
    )
    assert verdict.fraction == 1.0


# ------------------------------------------------------------------------------------------
# The assignment as a whole
# ------------------------------------------------------------------------------------------


def test_assignment_is_registered_and_allows_only_sigmoid_and_tanh():
    a = get("hw05_lstm")
    assert a is hw.ASSIGNMENT and a.notebook == "hw05_lstm.ipynb"
    assert a.max_score == 10.0
    assert a.functions() == ("lstm_step", "init_lstm_params", "memory_left", "half_life")
    for part in a.parts:
        assert set(part.allowed) <= {"course_lib.cells.sigmoid", "course_lib.cells.tanh"}
        calls = part.draw(np.random.default_rng(0))
        json.dumps(calls)
        assert (
            part.score(calls, [{"ok": False, "error": "missing"}] * len(calls), None).fraction == 0
        )


def test_hw05_needs_no_tensorflow():
    code = (
        "import sys, course_lib.grading.hw05_lstm as m; "
        "m.check_lstm_step(lambda *a: None); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=ROOT)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for words in ("import tensorflow", "import keras", "from keras", "from tensorflow"):
        assert words not in sources


# ------------------------------------------------------------------------------------------
# The generic comparison helpers (course_lib.grading.diagnose) on their own
# ------------------------------------------------------------------------------------------


def test_diagnose_helpers_say_what_differs():
    from course_lib.grading import diagnose as d

    expected = np.arange(6.0).reshape(2, 3)
    ok, msg, _ = d.compare(expected.T, expected, "h_t")
    assert not ok and "h_t has shape (3, 2); expected (2, 3)" in msg and "transposed" in msg
    ok, msg, _ = d.compare(expected[0], expected, "h_t")
    assert "h_t has shape (3,); expected (2, 3)" in msg and "batch dimension is missing" in msg
    wrong = expected.copy()
    wrong[1, 2] = 9.0
    ok, msg, arr = d.compare(wrong, expected, "c_t")
    assert not ok and msg == "c_t: 1 of 6 entries differ; e.g. c_t[1, 2] is 9, expected 5"
    assert d.compare(np.array([[np.nan, 1, 2], [3, 4, 5]]), expected, "g")[1] == (
        "g has 1 NaN or infinite entry of 6"
    )
    assert d.compare(expected.astype(np.float32) + 1e-7, expected, "f")[0]
    assert "is None" in d.compare(None, expected, "h_t")[1]
    assert "is a Tensor" in d.compare({"unsupported": "Tensor"}, expected, "h_t")[1]
    # a candidate that coincides with the reference is never named as the mistake
    cands = {"same as right": expected.copy(), "plus one": expected + 1}
    assert d.first_match(expected + 1, cands, expected) == "plus one"
    assert d.first_match(expected, cands, expected) is None
