"""hw01_perceptron's checks and grader, tried with right and deliberately wrong students.

Each wrong implementation below makes one common mistake; it must get the message naming that
mistake both from the public check (printed in the notebook) and from the grader's ``judge`` on
calls drawn with several seeds. The right implementations are written here by hand from the
lesson's equations (not taken from course_lib), so that a full score also confirms the grader's
references. Outcomes are built as the autograder's kernel builds them: the function is called
on the decoded call, its value encoded to plain data and sent through JSON.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from course_lib import learning
from course_lib.grading import assignments
from course_lib.grading.common import decode, encode
from course_lib.grading.hw01_perceptron import (
    ASSIGNMENT,
    check_perceptron_update,
    check_predict,
    check_train,
    check_xor_errors,
    train_variant,
)
from tests.grading_helpers import outcomes_for

SEEDS = (0, 1, 2)
PARTS = {p.name: p for p in ASSIGNMENT.parts}


def judge(part_name, fn, seed):
    part = PARTS[part_name]
    calls = json.loads(json.dumps(part.draw(np.random.default_rng(seed))))
    return part.judge(calls, outcomes_for(fn, calls))


# ------------------------------------------------------------------------------------------
# Students: right, and one mistake each
# ------------------------------------------------------------------------------------------


def predict(w, b, X):
    """The step of lesson 01 written out: 1 where the weighted sum is >= 0, else 0."""
    sums = [sum(wj * xj for wj, xj in zip(w, x, strict=True)) + b for x in X]
    return np.array([1.0 if s >= 0 else 0.0 for s in sums])


def predict_strict(w, b, X):
    return (X @ w + b > 0).astype(float)


def predict_no_bias(w, b, X):
    return (X @ w >= 0).astype(float)


def predict_minus_bias(w, b, X):
    return (X @ w - b >= 0).astype(float)


def predict_sign(w, b, X):
    return np.where(X @ w + b >= 0, 1.0, -1.0)


def predict_no_step(w, b, X):
    return X @ w + b


def predict_column(w, b, X):
    return (X @ w + b >= 0).astype(float)[:, None]


def _update(w, b, x, t, lr, rule):
    o = predict(w, b, x[None])[0]
    dw, db = rule(o, t, lr, x)
    return w + dw, b + db, o


def update(w, b, x, t, lr):
    return _update(w, b, x, t, lr, lambda o, t, lr, x: (lr * (t - o) * x, lr * (t - o)))


def update_sign(w, b, x, t, lr):
    return _update(w, b, x, t, lr, lambda o, t, lr, x: (lr * (o - t) * x, lr * (o - t)))


def update_no_bias(w, b, x, t, lr):
    return _update(w, b, x, t, lr, lambda o, t, lr, x: (lr * (t - o) * x, 0.0))


def update_no_lr(w, b, x, t, lr):
    return _update(w, b, x, t, lr, lambda o, t, lr, x: ((t - o) * x, t - o))


def update_prediction(w, b, x, t, lr):
    return _update(w, b, x, t, lr, lambda o, t, lr, x: (lr * o * x, lr * o))


def update_strict(w, b, x, t, lr):
    o = predict_strict(w, b, x[None])[0]
    return w + lr * (t - o) * x, b + lr * (t - o), o


def update_o_after(w, b, x, t, lr):
    w_new, b_new, _ = update(w, b, x, t, lr)
    return w_new, b_new, predict(w_new, b_new, x[None])[0]


def update_two_values(w, b, x, t, lr):
    return update(w, b, x, t, lr)[:2]


def update_o_array(w, b, x, t, lr):  # o = predict(w, b, x[None]): an array of shape (1,)
    o = predict(w, b, x[None])
    return w + lr * (t - o) * x, b + lr * (t - o), o


def update_in_place(w, b, x, t, lr):  # right values, but the caller's w changes
    o = predict(w, b, x[None])[0]
    w += lr * (t - o) * x
    return w, b + lr * (t - o), o


def train(X, t, lr, epochs):
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        for x_n, t_n in zip(X, t, strict=True):
            w, b, _ = update(w, b, x_n, t_n, lr)
        errors.append(int(np.sum(predict(w, b, X) != t)))
        if errors[-1] == 0:
            break
    return w, b, errors


def train_no_early_stop(X, t, lr, epochs):
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        for x_n, t_n in zip(X, t, strict=True):
            w, b, _ = update(w, b, x_n, t_n, lr)
        errors.append(int(np.sum(predict(w, b, X) != t)))
    return w, b, errors


def train_counts_updates(X, t, lr, epochs):
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        wrong = 0
        for x_n, t_n in zip(X, t, strict=True):
            w, b, o = update(w, b, x_n, t_n, lr)
            wrong += int(o != t_n)
        errors.append(wrong)
        if int(np.sum(predict(w, b, X) != t)) == 0:
            break
    return w, b, errors


def train_counts_updates_stops_on_them(X, t, lr, epochs):
    """Counts the updates of each epoch and stops after the first epoch without one."""
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        wrong = 0
        for x_n, t_n in zip(X, t, strict=True):
            w, b, o = update(w, b, x_n, t_n, lr)
            wrong += int(o != t_n)
        errors.append(wrong)
        if errors[-1] == 0:
            break
    return w, b, errors


def train_batch(X, t, lr, epochs):
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        o = predict(w, b, X)
        w, b = w + lr * (t - o) @ X, b + lr * float(np.sum(t - o))
        errors.append(int(np.sum(predict(w, b, X) != t)))
        if errors[-1] == 0:
            break
    return w, b, errors


def xor_errors(lr, epochs):
    X, t = learning.logic_gate("XOR")
    return train(X, t, lr, epochs)[2]


def xor_whole_train(lr, epochs):
    X, t = learning.logic_gate("XOR")
    return train(X, t, lr, epochs)


def xor_with_wrong_train(lr, epochs):
    X, t = learning.logic_gate("XOR")
    return train_counts_updates(X, t, lr, epochs)[2]


def xor_reaches_zero(lr, epochs):
    return [2] * (epochs - 1) + [0]


def xor_too_short(lr, epochs):
    return xor_errors(lr, epochs)[:3]


def raises(*args):
    raise ZeroDivisionError("division by zero")


# (part, wrong function, words its message must contain, expected fraction of the part)
MISTAKES = [
    ("predict", predict_strict, "compare with >= 0, not > 0", 0.5),
    ("predict", predict_no_bias, "the bias is missing", 0.25),
    ("predict", predict_minus_bias, "the bias is subtracted", 0.25),
    ("predict", predict_sign, "outputs are −1/1", 0.25),
    ("predict", predict_no_step, "no step", 0.0),
    ("predict", predict_column, "has shape (", 0.0),
    ("perceptron_update", update_sign, "wrong sign", 0.2),
    ("perceptron_update", update_no_bias, "bias is not updated", 0.65),
    ("perceptron_update", update_no_lr, "learning rate is not applied", 0.2),
    ("perceptron_update", update_prediction, "uses the output o instead of the error", 0.2),
    ("perceptron_update", update_strict, "exactly 0", 0.5),
    ("perceptron_update", update_o_after, "output before the update", 0.8),
    ("perceptron_update", update_two_values, "return (w_new, b_new, o)", 0.8),
    ("train", train_no_early_stop, "stop after the first epoch with zero errors", 0.75),
    ("train", train_counts_updates, "not the updates made during it", 0.5),
    ("perceptron_update", update_o_array, "an array of one element where one number", 0.45),
    ("train", train_counts_updates_stops_on_them, "not the updates made during it", 0.5),
    ("train", train_batch, "updates after each example", 0.0),
    ("xor_errors", xor_whole_train, "did you return train's whole (w, b, errors)?", 0.0),
    ("xor_errors", xor_with_wrong_train, "(xor_errors uses your train: if check_train", 0.0),
    ("xor_errors", xor_reaches_zero, "reaches 0 on XOR", 0.0),
    ("xor_errors", xor_too_short, "returns one count per epoch", 0.0),
]
CHECKS = {
    "predict": check_predict,
    "perceptron_update": check_perceptron_update,
    "train": check_train,
    "xor_errors": check_xor_errors,
}
RIGHT = {
    "predict": predict,
    "perceptron_update": update,
    "train": train,
    "xor_errors": xor_errors,
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


def test_one_mistake_in_the_loop_reads_as_one_mistake(capsys):
    """Counting updates (and stopping on them) is one mistake, not "and on another call"."""
    for seed in SEEDS:
        verdict = judge("train", train_counts_updates_stops_on_them, seed)
        assert "and on another call" not in verdict.message, verdict.message
    check_train(train_counts_updates_stops_on_them)
    assert "and on another call" not in capsys.readouterr().out


def test_a_one_element_array_for_a_number_says_so(capsys):
    check_perceptron_update(update_o_array)
    out = capsys.readouterr().out
    assert "b_new has shape (1,); expected ()" in out, out
    assert "check your reshapes" not in out
    assert "return the number itself" in out


def test_changing_w_in_place_is_caught_by_the_public_check_only(capsys):
    """The public check sees the caller's w after the call; the grader sees returned values."""
    result = check_perceptron_update(update_in_place)
    out = capsys.readouterr().out
    assert not result and "you changed the caller's w in place" in out, out
    assert "✓ b:" in out and "✓ o:" in out
    for seed in SEEDS:  # the values returned are right: the score cannot tell
        assert judge("perceptron_update", update_in_place, seed).fraction == 1.0


def test_checks_print_one_line_when_nothing_is_written_and_show_no_value(capsys):
    def not_done(*args):
        raise NotImplementedError()

    for part, check in CHECKS.items():
        result = check(not_done)
        out = capsys.readouterr().out
        assert out.count("✗") == 1 and f"✗ {part}: {part} is not written yet" in out, out
        assert not result and result._ipython_display_() is None
        assert check(RIGHT[part]) and "all passed" in capsys.readouterr().out


def test_missing_outcomes_count_as_wrong_calls():
    calls = PARTS["predict"].draw(np.random.default_rng(0))
    outcomes = outcomes_for(predict, calls)[:2]
    verdict = PARTS["predict"].judge(calls, outcomes)
    assert verdict.fraction == 0.0 and "no answer for this call" in verdict.message


def test_wrong_shape_says_got_and_expected():
    verdict = judge("predict", predict_column, 0)
    assert "has shape (" in verdict.message and "; expected (" in verdict.message
    assert ", 1); expected (" in verdict.message


def test_unsupported_answers_are_reported_not_trusted():
    calls = PARTS["predict"].draw(np.random.default_rng(0))
    outcomes = [{"ok": True, "value": {"unsupported": "EverythingEqual"}}] * len(calls)
    verdict = PARTS["predict"].judge(calls, outcomes)
    assert verdict.fraction == 0.0 and "EverythingEqual" in verdict.message


def test_answers_hard_coded_for_the_public_check_fail_the_grader(capsys):
    """A lookup table of the public check's answers passes the check but not the grader."""
    calls = PARTS["predict"].draw(np.random.default_rng(101))  # the public check's inputs
    table = {json.dumps(c["args"]): predict(*map(decode, c["args"])) for c in calls}

    def memorised(w, b, X):
        key = json.dumps([encode(w), b, encode(X)])
        return table.get(key, np.zeros(len(X)))

    check_predict(memorised)
    assert "predict: all passed" in capsys.readouterr().out
    assert judge("predict", memorised, 7).fraction == 0.0


def test_draws_are_random_in_size_and_include_exact_ties():
    shapes = set()
    ties = 0
    for seed in range(5):
        for call in PARTS["predict"].draw(np.random.default_rng(seed)):
            w, b, X = (decode(a) for a in call["args"])
            shapes.add(X.shape)
            ties += int(np.any(X @ w + b == 0.0))
    assert len(shapes) > 5 and ties >= 10
    sizes = {
        len(decode(c["args"][0]))
        for s in range(5)
        for c in PARTS["perceptron_update"].draw(np.random.default_rng(s))
    }
    assert len(sizes) > 1


def test_train_variant_without_mistake_is_the_lesson_rule():
    rng = np.random.default_rng(3)
    for _ in range(5):
        X = rng.integers(-4, 5, size=(6, 2)) / 2
        t = rng.integers(0, 2, size=6).astype(float)
        w, b, errors = train_variant(X, t, 0.25, 10)
        w_ref, b_ref, e_ref = learning.train_perceptron(X, t, 0.25, 10)
        assert errors == e_ref and np.array_equal(w, w_ref) and b == b_ref


def test_xor_never_reaches_zero_and_and_or_do():
    for lr in (1.0, 0.25):
        errors = xor_errors(lr, 50)
        assert len(errors) == 50 and min(errors) >= 1
    for gate in ("AND", "OR"):
        assert train(*learning.logic_gate(gate), 0.25, 20)[2][-1] == 0


def test_registered_and_limited_to_plain_helpers():
    assert assignments.get("hw01_perceptron") is ASSIGNMENT
    assert ASSIGNMENT.functions() == ("predict", "perceptron_update", "train", "xor_errors")
    for part in ASSIGNMENT.parts:
        assert not any("perceptron" in a or "train" in a for a in part.allowed)


# ------------------------------------------------------------------------------------------
# The real homework notebook
# ------------------------------------------------------------------------------------------


def _notebook_functions(replace=()):
    """The solution notebook's import and function cells, run here (one edit per pair)."""
    from pathlib import Path

    import nbformat

    path = Path(__file__).resolve().parents[1] / "solutions" / "hw01_perceptron.ipynb"
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
    wrong = _notebook_functions([("error = t - o", "error = o - t")])
    verdict = judge("perceptron_update", wrong["perceptron_update"], 11)
    assert verdict.fraction == pytest.approx(0.2) and "wrong sign" in verdict.message
    assert judge("predict", wrong["predict"], 11).fraction == 1.0
