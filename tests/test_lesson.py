"""Tests of course_lib.lesson.setup_keras: quiet start-up, seeds, deterministic ops.

TensorFlow's start-up lines are written by its C++ core to file descriptor 2 when it is imported,
so each check runs in a fresh Python process (or a fresh Jupyter kernel, as the lessons do).
The control run (plain import) shows that the lines do appear without the helper, so the quiet
checks can fail.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course_lib import lesson

ROOT = Path(__file__).resolve().parents[1]
NOISE_MARKS = ("I0000", "E0000", "W0000", "absl::InitializeLog", "cuInit", "cuda drivers")
VERSION_LINE = re.compile(r"^TensorFlow \S+ \| Keras \S+ \| seed \d+ \| deterministic ops$")

pytestmark = pytest.mark.slow


def run_python(code: str, **env_changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


@pytest.fixture(scope="module")
def plain_import_stderr() -> str:
    """stderr of a plain TensorFlow import with TF_CPP_MIN_LOG_LEVEL=3 (the old lesson cells)."""
    out = run_python(
        "import keras, tensorflow as tf; tf.constant(1.0) + 1.0", TF_CPP_MIN_LOG_LEVEL="3"
    )
    return out.stderr


def test_plain_import_is_noisy_and_the_lines_are_recognised(plain_import_stderr):
    # the problem the helper solves: even at level 3 the I0000 lines come through
    assert any(mark in plain_import_stderr for mark in NOISE_MARKS), plain_import_stderr
    noise, other = lesson.split_startup_noise(plain_import_stderr)
    assert noise and other == [], other


def test_unknown_lines_are_not_noise():
    text = (
        "I0000 00:00:1795385045.274858   15377 port.cc:153] oneDNN custom operations are on.\n"
        "Traceback (most recent call last):\n"
        "ImportError: libfoo.so: cannot open shared object file\n"
    )
    noise, other = lesson.split_startup_noise(text)
    assert len(noise) == 1 and other[-1].startswith("ImportError")


def test_setup_keras_is_quiet_seeds_and_sets_determinism():
    out = run_python(
        """
        import json, os, random
        import numpy as np
        from course_lib import lesson
        from course_lib.lesson import setup_keras

        setup_keras(seed=3)
        import keras
        from tensorflow.python.framework import config

        def draws():
            layer = keras.layers.Dense(2)
            layer.build((None, 3))
            return [random.random(), float(np.random.rand()), layer.kernel.numpy().tolist()]

        first = draws()
        setup_keras(seed=3)
        again = draws()
        setup_keras(seed=4)
        other = draws()
        print(json.dumps({
            "same": first == again, "differs": first[2] != other[2],
            "determinism": config.is_op_determinism_enabled(),
            "state": lesson.state,
            "level": os.environ["TF_CPP_MIN_LOG_LEVEL"],
        }))
        """
    )
    lines = out.stdout.strip().splitlines()
    assert not any(mark in out.stderr for mark in NOISE_MARKS), out.stderr
    assert len(lines) == 4 and all(VERSION_LINE.match(line) for line in lines[:3]), lines
    assert "seed 3" in lines[0] and "seed 4" in lines[2]
    got = json.loads(lines[3])
    state = got.pop("state")
    assert got == {"same": True, "differs": True, "determinism": True, "level": "3"}
    assert state["seed"] == 4 and state["deterministic"] is True
    assert lines[2] == f"TensorFlow {state['tensorflow']} | Keras {state['keras']} | seed 4 | " + (
        "deterministic ops"
    )


def test_other_output_on_fd2_still_shows():
    # a C-level write to descriptor 2 that is not start-up noise is passed on
    out = run_python(
        """
        import os
        from course_lib import lesson

        with lesson._capture_fd2() as got:
            os.write(2, b"I0000 00:00:1.5   1 port.cc:153] noise\\nsomething went wrong\\n")
        noise, other = lesson.split_startup_noise(got[0])
        print(len(noise), other)
        """
    )
    assert out.stdout.strip() == "1 ['something went wrong']"
    assert out.stderr == ""


def test_no_startup_lines_in_a_jupyter_kernel(tmp_path):
    # what the lessons store: run the set-up cell in a real kernel and look at its outputs
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from course_lib.lesson import setup_keras\n\nsetup_keras(seed=0)\nimport keras"
        ),
        nbformat.v4.new_code_cell(
            "print(tuple(keras.layers.LSTM(2)(keras.ops.zeros((1, 3, 1))).shape))"
        ),
    ]
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    for cell in nb.cells:  # only stdout streams (a long line may come in several pieces)
        kinds = {(o.output_type, o.get("name")) for o in cell.outputs}
        assert kinds == {("stream", "stdout")}, cell.outputs
    setup, first_op = ("".join(o.text for o in cell.outputs) for cell in nb.cells)
    assert VERSION_LINE.match(setup.strip()), setup
    assert first_op == "(1, 2)\n"


# --------------------------------------------------------------------------------------------
# the stored lessons (static checks of the committed notebooks)
# --------------------------------------------------------------------------------------------
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def code_cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_no_stored_output_shows_tensorflow_start_up_lines(path):
    for k, cell in enumerate(code_cells(path)):
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            found = [mark for mark in NOISE_MARKS if mark in text]
            assert not found, f"{path.name}, code cell {k}: stored output shows {found}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_ignored_cell_is_followed_by_an_assert(path):
    cells = code_cells(path)
    bare = []
    for k, cell in enumerate(cells):
        if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            after = source(cells[k + 1]) if k + 1 < len(cells) else ""
            if not re.search(r"^\s*assert\b", after, re.M):
                bare.append(f"code cell {k}: {source(cell)[:120]!r}")
    assert not bare, f"{path.name}: ignored cells not followed by an assert:\n" + "\n".join(bare)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lessons_with_keras_use_the_set_up_helper(path):
    code = "\n".join(source(c) for c in code_cells(path))
    if re.search(r"^\s*import (keras|tensorflow)", code, re.M):
        first_import = re.search(r"^\s*(import|from) (keras|tensorflow)\b", code, re.M).start()
        setup = code.find("setup_keras(")
        assert 0 <= setup < first_import, f"{path.name}: call setup_keras() before importing Keras"
        assert "TF_CPP_MIN_LOG_LEVEL" not in code and "enable_op_determinism" not in code


def test_lesson_07_never_reads_course_data_dir():
    # CI runs lesson 07 in a kernel without COURSE_DATA_DIR (notebooks/conftest.py); the lesson
    # itself names its file, so its stored outputs are what a fresh clone computes
    path = ROOT / "notebooks" / "07_bitcoin_lstm.ipynb"
    code = "\n".join(source(c) for c in code_cells(path))
    assert "COURSE_DATA_DIR" not in code and "os.environ" not in code
    calls = re.findall(r"load_bitcoin\(([^)]*)\)", code)
    assert calls and all(arg.strip() for arg in calls), calls  # never the search order
    assert "DATA_FILE = SHIPPED_DAILY" in code
    conftest = (ROOT / "notebooks" / "conftest.py").read_text()
    assert '"07_bitcoin_lstm.ipynb"' in conftest and 'os.environ.pop("COURSE_DATA_DIR"' in conftest
