"""course_lib.grading.diagnose: the one way public checks call, print and return.

The helpers here are shared by every homework's public checks: ``call_locally`` (which also
records arguments changed in place), ``run_check`` (one line when nothing came back, else one
per output) and ``CheckResult`` (true when all passed, shown as nothing in a notebook). The
notebook side is checked on a real kernel: a cell ending with a check stores only the printed
lines, no ``execute_result``.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.grading.common import ADVICE, Verdict, encode
from course_lib.grading.diagnose import (
    CheckResult,
    call_locally,
    changed_in_place,
    run_check,
    shape_problem,
)


def _call(*args):
    return {"args": [encode(a) for a in args], "kwargs": {}}


def test_call_locally_records_arguments_changed_in_place():
    def negate_in_place(p, w):
        p["a"] *= -1
        return p

    def negate_copy(p, w):
        return {k: -v for k, v in p.items()}

    def append(p, w):
        w.append(3.0)
        return w

    call = _call({"a": np.ones(2), "b": np.zeros(1)}, [1.0, 2.0])
    assert call_locally(negate_in_place, call)["changed_args"] == [0]
    assert "changed_args" not in call_locally(negate_copy, call)
    assert call_locally(append, call)["changed_args"] == [1]
    # the check's own data is never changed: the function got copies
    assert call["args"][0]["dict"]["a"]["ndarray"] == [1.0, 1.0]


def test_changed_in_place_compares_values_shapes_and_nan():
    plain = [encode(np.array([1.0, np.nan])), 2.0, encode({"w": np.eye(2)})]
    assert changed_in_place(plain, [np.array([1.0, np.nan]), 2.0, {"w": np.eye(2)}]) == []
    after = [np.array([1.0, 0.0]), 2.0, {"w": np.eye(2)[:1]}]
    assert changed_in_place(plain, after) == [0, 2]


def test_check_result_is_a_truth_value_that_displays_nothing():
    ok, bad = CheckResult(True), CheckResult(False)
    assert ok and not bad and all([ok, ok]) and not all([ok, bad])
    assert repr(bad) == "CheckResult(passed=False)"
    assert ok._ipython_display_() is None


def test_run_check_one_line_when_no_call_gave_a_value(capsys):
    def not_done(x):
        raise NotImplementedError()

    def verdicts_of(calls, outcomes):  # would print one line per output
        return {name: Verdict(0.0, "wrong") for name in ("a", "b", "c")}

    result = run_check("f", not_done, [_call(1.0), _call(2.0)], verdicts_of)
    out = capsys.readouterr().out
    assert not result
    assert out.splitlines()[:2] == [
        "f: something to fix",
        "  ✗ f: f is not written yet (it raises NotImplementedError)",
    ]
    assert out.count("✗") == 1 and ADVICE in out

    def raises_once(x):
        if x > 1.5:
            raise ValueError("too big")
        return x

    run_check("f", raises_once, [_call(1.0), _call(2.0)], verdicts_of)
    assert capsys.readouterr().out.count("✗") == 3  # one call answered: per-output lines

    assert not run_check("f", 42, [_call(1.0)], verdicts_of)
    assert "expected a function, got int" in capsys.readouterr().out


def test_a_one_element_array_where_a_number_belongs_is_named_as_such():
    msg = shape_problem(np.zeros(1), (), "b_new")
    assert msg.startswith("b_new has shape (1,); expected ()")
    assert "return the number itself, b_new[0] or float(...)" in msg
    assert "reshapes" not in msg
    assert "b_new[0, 0]" in shape_problem(np.zeros((1, 1)), (), "b_new")
    assert "reshapes" in shape_problem(np.zeros(6), (2, 3), "X")


@pytest.mark.parametrize("name", ["hw05_lstm", "hw06_gru"])
def test_a_check_cell_stores_no_true_or_false_on_a_real_kernel(name, tmp_path):
    """Executed like a notebook: the check's cell output is its printed lines only."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    check, fn = {
        "hw05_lstm": ("check_memory_left", "lambda b_f, T: 0.5"),
        "hw06_gru": ("check_to_keras_convention", "lambda p: dict(p)"),
    }[name]
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"from course_lib.grading.{name} import {check}"),
        nbformat.v4.new_code_cell(f"{check}({fn})"),
    ]
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute(cwd=str(tmp_path))
    outputs = nb.cells[1].outputs
    assert [o["output_type"] for o in outputs] == ["stream"], outputs
    assert "something to fix" in outputs[0]["text"]
    assert "True" not in outputs[0]["text"] and "False" not in outputs[0]["text"]
