"""hw03_rnn's checks and grader, tried with right and deliberately wrong students.

Each wrong implementation below makes one common mistake; it must get the message naming that
mistake both from the public check and from the grader's ``judge`` on calls drawn with several
seeds. The right implementations are written here by hand from the lessons' equations, and the
right gradients are also checked against central finite differences of the hand-written loss,
so a full score confirms the grader's references (``course_lib.data.make_windows``,
``course_lib.cells.rnn_step``, ``course_lib.bptt``) independently. Outcomes are built as the
autograder's kernel builds them: the function is called on the decoded call, its value encoded
to plain data and sent through JSON.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from course_lib import bptt
from course_lib.grading import assignments
from course_lib.grading.common import decode, encode
from course_lib.grading.hw03_rnn import (
    ASSIGNMENT,
    BACKWARD_MISTAKES,
    GRAD_KEYS,
    backward_variant,
    check_make_supervised,
    check_rnn_backward,
    check_rnn_loss,
    check_rnn_step,
)
from tests.grading_helpers import outcomes_for

SEEDS = (0, 1, 2)
PARTS = {p.name: p for p in ASSIGNMENT.parts}


def judge(part_name, fn, seed):
    part = PARTS[part_name]
    calls = json.loads(json.dumps(part.draw(np.random.default_rng(seed))))
    return part.judge(calls, outcomes_for(fn, calls))


# ------------------------------------------------------------------------------------------
# Part 1: the table
# ------------------------------------------------------------------------------------------


def make_supervised(series, n):
    X = np.zeros((len(series) - n, n))
    Y = np.zeros(len(series) - n)
    for i in range(len(series) - n):
        for j in range(n):
            X[i, j] = series[i + j]
        Y[i] = series[i + n]
    return X, Y


def ms_one_short(series, n):
    X, Y = make_supervised(series, n)
    return X[:-1], Y[:-1]


def ms_one_long(series, n):  # every window of a sliding view, the last one untrimmed
    X = np.lib.stride_tricks.sliding_window_view(np.asarray(series, float), n)
    return X, np.asarray(series[n:], float)


def ms_includes_target(series, n):
    return np.array([series[i : i + n + 1] for i in range(len(series) - n)]), series[n:]


def ms_shifted(series, n):
    return np.array([series[i + 1 : i + n + 1] for i in range(len(series) - n)]), series[n:]


def ms_reversed(series, n):
    X, Y = make_supervised(series, n)
    return X[:, ::-1], Y


def ms_three_d(series, n):
    X, Y = make_supervised(series, n)
    return X[:, :, None], Y


def ms_last_of_window(series, n):
    X, _ = make_supervised(series, n)
    return X, series[n - 1 : -1]


def ms_column(series, n):
    X, Y = make_supervised(series, n)
    return X, Y[:, None]


# ------------------------------------------------------------------------------------------
# Part 2: one step
# ------------------------------------------------------------------------------------------


def rnn_step(x_t, h_prev, params):
    a = x_t @ params["Wx"] + h_prev @ params["Wh"] + params["b"]
    return (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))


def step_no_bias(x_t, h_prev, p):
    return np.tanh(x_t @ p["Wx"] + h_prev @ p["Wh"])


def step_sigmoid(x_t, h_prev, p):
    return 1.0 / (1.0 + np.exp(-(x_t @ p["Wx"] + h_prev @ p["Wh"] + p["b"])))


def step_no_tanh(x_t, h_prev, p):
    return x_t @ p["Wx"] + h_prev @ p["Wh"] + p["b"]


def step_Wh_transposed(x_t, h_prev, p):
    return np.tanh(x_t @ p["Wx"] + h_prev @ p["Wh"].T + p["b"])


def step_swapped(x_t, h_prev, p):
    return np.tanh(x_t @ p["Wh"] + h_prev @ p["Wx"] + p["b"])


def step_no_recurrence(x_t, h_prev, p):
    return np.tanh(x_t @ p["Wx"] + p["b"])


def step_transposed_output(x_t, h_prev, p):
    return rnn_step(x_t, h_prev, p).T


def step_column_form(x_t, h_prev, p):  # W x instead of x W: fails unless everything is square
    return np.tanh((p["Wx"] @ x_t.T).T + h_prev @ p["Wh"] + p["b"])


# ------------------------------------------------------------------------------------------
# Parts 3 and 4: loss and BPTT, written out by hand
# ------------------------------------------------------------------------------------------


def _states(X, params, h0, step=rnn_step):
    H = [h0]
    for t in range(X.shape[1]):
        H.append(step(X[:, t, :], H[-1], params))
    return H


def rnn_loss(X, Y, params, h0):
    y_hat = _states(X, params, h0)[-1] @ params["Wy"] + params["by"]
    return float(np.mean((y_hat - Y) ** 2))


def loss_as_array(X, Y, params, h0):  # np.mean(..., axis=0) with n_out = 1: shape (1,)
    y_hat = _states(X, params, h0)[-1] @ params["Wy"] + params["by"]
    return np.mean((y_hat - Y) ** 2, axis=0)[:1]


def loss_sum(X, Y, params, h0):
    y_hat = _states(X, params, h0)[-1] @ params["Wy"] + params["by"]
    return float(np.sum((y_hat - Y) ** 2))


def loss_zero_state(X, Y, params, h0):
    return rnn_loss(X, Y, params, np.zeros_like(h0))


def loss_no_by(X, Y, params, h0):
    return float(np.mean((_states(X, params, h0)[-1] @ params["Wy"] - Y) ** 2))


def _backward(
    X,
    Y,
    params,
    h0,
    recurrent=True,
    derivative=True,
    factor=2.0,
    sign=1.0,
    state_lag=0,
    readout_every_step=False,
    x_index=lambda t, T: t - 1,
):
    H = _states(X, params, h0)
    T = X.shape[1]
    d_y = sign * factor * (H[T] @ params["Wy"] + params["by"] - Y) / Y.size
    g = {"Wy": H[T].T @ d_y, "by": d_y.sum(axis=0)}
    g.update({k: np.zeros_like(params[k]) for k in ("Wx", "Wh", "b")})
    d_h = d_y @ params["Wy"].T
    for t in range(T, 0, -1):
        d_a = d_h * (1.0 - H[t - state_lag] ** 2) if derivative else d_h
        g["Wx"] += X[:, x_index(t, T), :].T @ d_a
        g["Wh"] += H[t - 1].T @ d_a
        g["b"] += d_a.sum(axis=0)
        d_h = d_a @ params["Wh"].T if recurrent else np.zeros_like(d_h)
        if readout_every_step:
            d_h = d_h + d_y @ params["Wy"].T
    return g


def rnn_backward(X, Y, params, h0):
    return _backward(X, Y, params, h0)


def back_no_recurrent(X, Y, params, h0):
    return _backward(X, Y, params, h0, recurrent=False)


def back_no_derivative(X, Y, params, h0):
    return _backward(X, Y, params, h0, derivative=False)


def back_tanh_of_previous_state(X, Y, params, h0):  # 1 − h_{t−1}² instead of 1 − h_t²
    return _backward(X, Y, params, h0, state_lag=1)


def back_readout_every_step(X, Y, params, h0):  # δh_t gets ∂L/∂ŷ Wyᵀ at every step
    return _backward(X, Y, params, h0, readout_every_step=True)


def back_always_last_input(X, Y, params, h0):  # ∂L/∂Wx with x_T at every step: no known name
    return _backward(X, Y, params, h0, x_index=lambda t, T: T - 1)


def back_sign(X, Y, params, h0):
    return _backward(X, Y, params, h0, sign=-1.0)


def back_no_two(X, Y, params, h0):
    return _backward(X, Y, params, h0, factor=1.0)


def _Wh_with_h_t(X, Y, params, h0):
    """∂L/∂Wh with h_t where h_{t−1} belongs (the rest right)."""
    H = _states(X, params, h0)
    T = X.shape[1]
    d_y = 2.0 * (H[T] @ params["Wy"] + params["by"] - Y) / Y.size
    d_h, gWh = d_y @ params["Wy"].T, np.zeros_like(params["Wh"])
    for t in range(T, 0, -1):
        d_a = d_h * (1.0 - H[t] ** 2)
        gWh += H[t].T @ d_a
        d_h = d_a @ params["Wh"].T
    return gWh


def back_only_Wh_wrong(X, Y, params, h0):
    return {**rnn_backward(X, Y, params, h0), "Wh": _Wh_with_h_t(X, Y, params, h0)}


def back_db_not_summed(X, Y, params, h0):
    g = rnn_backward(X, Y, params, h0)
    return {**g, "b": np.tile(g["b"] / X.shape[0], (X.shape[0], 1))}


def back_missing_key(X, Y, params, h0):
    g = rnn_backward(X, Y, params, h0)
    del g["by"]
    return g


def raises(*args):
    raise ZeroDivisionError("division by zero")


MISTAKES = [
    ("make_supervised", ms_one_short, "one window short", 0.0),
    ("make_supervised", ms_one_long, "X has one row too many", 0.5),
    ("make_supervised", ms_includes_target, "not the target itself", 0.5),
    ("make_supervised", ms_shifted, "the window includes the target", 0.5),
    ("make_supervised", ms_reversed, "reverse order", 0.5),
    ("make_supervised", ms_three_d, "feature axis", 0.5),
    ("make_supervised", ms_last_of_window, "last value of its own window", 0.5),
    ("make_supervised", ms_column, "not a column", 0.5),
    ("rnn_step", step_no_bias, "the bias b is missing", 0.5),
    ("rnn_step", step_sigmoid, "sigmoid used where the simple RNN uses tanh", 0.5),
    ("rnn_step", step_no_tanh, "tanh is missing", 0.25),
    ("rnn_step", step_Wh_transposed, "Wh is used transposed", 0.5),
    ("rnn_step", step_swapped, "weights are swapped", 0.0),
    ("rnn_step", step_no_recurrence, "recurrent term h_{t−1} Wh is missing", 0.0),
    ("rnn_step", step_transposed_output, "transposed", 0.0),
    ("rnn_loss", loss_as_array, "L is an array of shape (1,); return one number", 0.0),
    ("rnn_loss", loss_sum, "not their sum", 0.0),
    ("rnn_loss", loss_zero_state, "starts from zeros", 0.0),
    ("rnn_loss", loss_no_by, "bias is missing", 0.0),
    ("rnn_backward", back_no_recurrent, "the recurrent term is missing", 0.3),
    ("rnn_backward", back_no_derivative, "the tanh derivative is missing", 0.3),
    ("rnn_backward", back_tanh_of_previous_state, "not 1 − h_{t−1}²", 0.3),
    ("rnn_backward", back_readout_every_step, "the read-out's term is added at every step", 0.3),
    ("rnn_backward", back_always_last_input, "the mistake is in the backward loop", 0.75),
    ("rnn_backward", back_sign, "the sign is reversed", 0.0),
    ("rnn_backward", back_no_two, "a missing 2 gives half", 0.0),
    ("rnn_backward", back_only_Wh_wrong, "uses the previous state h_{t−1}, not h_t", 0.75),
    ("rnn_backward", back_db_not_summed, "grads['b'] has shape (", 0.8),
    ("rnn_backward", back_missing_key, "grads has no key 'by'", 0.85),
]
CHECKS = {
    "make_supervised": check_make_supervised,
    "rnn_step": check_rnn_step,
    "rnn_loss": check_rnn_loss,
    "rnn_backward": check_rnn_backward,
}
RIGHT = {
    "make_supervised": make_supervised,
    "rnn_step": rnn_step,
    "rnn_loss": rnn_loss,
    "rnn_backward": rnn_backward,
}


def _id(case):
    return case[1].__name__


@pytest.mark.parametrize("case", MISTAKES, ids=[_id(c) for c in MISTAKES])
def test_public_check_names_the_mistake(case, capsys):
    part, fn, words, _ = case
    CHECKS[part](fn)
    out = capsys.readouterr().out
    assert "something to fix" in out and words in out, out
    assert "advice" in out


@pytest.mark.parametrize("case", MISTAKES, ids=[_id(c) for c in MISTAKES])
@pytest.mark.parametrize("seed", SEEDS)
def test_judge_names_the_mistake_on_drawn_calls(case, seed):
    part, fn, words, fraction = case
    verdict = judge(part, fn, seed)
    assert words in verdict.message, verdict.message
    assert verdict.fraction == pytest.approx(fraction), verdict


def test_the_wrong_gradient_is_named_by_parameter():
    verdict = judge("rnn_backward", back_only_Wh_wrong, 0)
    assert verdict.message.startswith("Wh: wrong on"), verdict.message
    assert not any(f"{k}: wrong" in verdict.message for k in GRAD_KEYS if k != "Wh")


def test_a_step_that_only_fits_square_weights_raises_and_says_why():
    verdict = judge("rnn_step", step_column_form, 0)
    assert verdict.fraction < 1.0
    assert "raised ValueError" in verdict.message and "batch-first" in verdict.message


def test_wrong_shapes_say_got_and_expected():
    verdict = judge("rnn_step", step_transposed_output, 1)
    assert "h_t has shape (" in verdict.message and "; expected (" in verdict.message
    verdict = judge("rnn_backward", back_db_not_summed, 1)
    assert "grads['b'] has shape (" in verdict.message and "; expected (" in verdict.message
    assert "sum over the batch too" in verdict.message


def test_answers_hard_coded_for_the_public_check_fail_the_grader(capsys):
    calls = PARTS["rnn_step"].draw(np.random.default_rng(302))  # the public check's inputs
    table = {json.dumps(c["args"]): rnn_step(*map(decode, c["args"])) for c in calls}

    def memorised(x_t, h_prev, params):
        key = json.dumps([encode(x_t), encode(h_prev), encode(params)])
        return table.get(key, np.zeros((x_t.shape[0], params["Wh"].shape[0])))

    check_rnn_step(memorised)
    assert "rnn_step: all passed" in capsys.readouterr().out
    assert judge("rnn_step", memorised, 7).fraction == 0.0


def test_hand_written_gradients_match_finite_differences_and_the_grader_variants():
    """The test's own BPTT against central differences of its own loss; then the grader's
    ``backward_variant`` without a mistake against it and against course_lib.bptt."""
    for seed in SEEDS:
        X, Y, params, h0 = map(
            decode, PARTS["rnn_backward"].draw(np.random.default_rng(seed))[0]["args"]
        )
        grads = rnn_backward(X, Y, params, h0)
        eps = 1e-6
        for key in GRAD_KEYS:
            num = np.zeros_like(params[key])
            for idx in np.ndindex(num.shape):
                up = {k: v.copy() for k, v in params.items()}
                down = {k: v.copy() for k, v in params.items()}
                up[key][idx] += eps
                down[key][idx] -= eps
                num[idx] = (rnn_loss(X, Y, up, h0) - rnn_loss(X, Y, down, h0)) / (2 * eps)
            np.testing.assert_allclose(grads[key], num, rtol=1e-5, atol=1e-8)
            np.testing.assert_allclose(backward_variant(X, Y, params, h0)[key], grads[key])
            np.testing.assert_allclose(bptt.bptt(X, Y, params, h0)[1][key], grads[key])


def test_every_backward_mistake_is_told_apart_from_the_right_gradient():
    X, Y, params, h0 = map(decode, PARTS["rnn_backward"].draw(np.random.default_rng(0))[0]["args"])
    right = rnn_backward(X, Y, params, h0)
    for mistake in BACKWARD_MISTAKES:
        wrong = backward_variant(X, Y, params, h0, mistake)
        assert any(not np.allclose(wrong[k], right[k]) for k in GRAD_KEYS), mistake

        def student(*args, m=mistake):
            return backward_variant(*args, mistake=m)

        verdict = judge("rnn_backward", student, 1)
        assert verdict.fraction < 1.0, mistake


def test_draws_are_random_in_size():
    shapes = {
        tuple(decode(c["args"][0]).shape)
        for s in range(4)
        for c in PARTS["rnn_backward"].draw(np.random.default_rng(s))
    }
    assert len(shapes) > 4
    lengths = {
        (len(decode(c["args"][0])), c["args"][1])
        for s in range(4)
        for c in PARTS["make_supervised"].draw(np.random.default_rng(s))
    }
    assert len(lengths) > 4


def test_registered_and_limited_to_plain_helpers():
    assert assignments.get("hw03_rnn") is ASSIGNMENT
    assert ASSIGNMENT.functions() == ("make_supervised", "rnn_step", "rnn_loss", "rnn_backward")
    for part in ASSIGNMENT.parts:
        assert set(part.allowed) <= {"course_lib.cells.tanh", "course_lib.cells.sigmoid"}


# ------------------------------------------------------------------------------------------
# The real homework notebook
# ------------------------------------------------------------------------------------------


def _notebook_functions(replace=()):
    """The solution notebook's import and function cells, run here (one edit per pair)."""
    from pathlib import Path

    import nbformat

    path = Path(__file__).resolve().parents[1] / "solutions" / "hw03_rnn.ipynb"
    namespace: dict = {}
    for cell in nbformat.read(path, 4).cells:
        if cell.cell_type == "code" and (cell.source.startswith(("import", "def "))):
            source = cell.source
            for old, new in replace:
                source = source.replace(old, new)
            exec(compile(source, str(path), "exec"), namespace)
    return namespace


def test_the_solution_notebook_scores_full_marks_and_one_wrong_term_is_named():
    right = _notebook_functions()
    for part in ASSIGNMENT.parts:
        assert judge(part.name, right[part.function], 11).fraction == 1.0, part.name
    wrong = _notebook_functions([("d_a = d_h * (1.0 - H[t] ** 2)", "d_a = d_h")])
    verdict = judge("rnn_backward", wrong["rnn_backward"], 11)
    assert verdict.fraction == pytest.approx(0.3), verdict
    assert "the tanh derivative is missing" in verdict.message
    assert judge("rnn_step", wrong["rnn_step"], 11).fraction == 1.0


def test_checks_print_one_line_when_nothing_is_written_and_show_no_value(capsys):
    def not_done(*args):
        raise NotImplementedError()

    for part, check in CHECKS.items():
        result = check(not_done)
        out = capsys.readouterr().out
        assert out.count("✗") == 1 and f"✗ {part}: {part} is not written yet" in out, out
        assert not result and result._ipython_display_() is None
        assert check(RIGHT[part]) and "all passed" in capsys.readouterr().out
