"""Importing a numpy-only module of course_lib never imports TensorFlow or Keras.

Students run the maths lessons on laptops where importing TensorFlow takes seconds (or where it
is not installed); each module is imported in a fresh interpreter, so an import made by an
earlier test cannot hide one made by the module itself.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

NUMPY_ONLY = [
    "course_lib.cells",
    "course_lib.bptt",
    "course_lib.gate_analysis",
    "course_lib.tasks",
    "course_lib.evaluation",
    "course_lib.validation",
    "course_lib.preprocessing",
    "course_lib.data",
    "course_lib.stocks",
    "course_lib.text",
    "course_lib.learning",
    "course_lib.attention",
    "course_lib.regularization",
    "course_lib.keras_bridge",  # imports Keras inside the functions that need it
    "course_lib.lesson",  # the same
    "course_lib.widgets.diagrams",
    "course_lib.widgets.lstm",
    "course_lib.widgets.gru",
    "course_lib.widgets.rnn",
    "course_lib.widgets.gradients",
    "course_lib.grading.hw01_perceptron",
    "course_lib.grading.hw03_rnn",
    "course_lib.grading.hw05_lstm",
    "course_lib.grading.hw06_gru",
    "course_lib.grading.autograder",  # the grader evaluates a Keras model in the sandbox only
]


def _heavy_imports(module: str) -> list[str]:
    """Which of TensorFlow and Keras are in ``sys.modules`` after importing ``module`` alone."""
    code = (
        f"import sys, {module}\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", NUMPY_ONLY)
def test_importing_does_not_import_tensorflow_or_keras(module):
    assert _heavy_imports(module) == [], f"importing {module} imports TensorFlow or Keras"


def test_the_check_sees_an_import_of_keras():
    # the check above can fail: importing Keras itself is seen
    assert "keras" in _heavy_imports("keras")
