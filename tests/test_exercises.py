"""The exercise generator (course_lib.grading.exercises) and the committed exercises/.

Small notebooks built here check the transformation against hand-written expected sources; the
committed exercises/ is checked against a fresh generation from solutions/ (stale → fail), and
each exercise is executed to check that it stops exactly where the student has work to do.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from course_lib.grading import exercises as gen

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
SOLUTION_NAMES = sorted(p.name for p in SOLUTIONS.glob("*.ipynb"))
EXERCISE_NAMES = sorted(p.name for p in EXERCISES.glob("*.ipynb"))


# ------------------------------------------------------------------------------------------
# Small notebooks built here
# ------------------------------------------------------------------------------------------


def _executed(cell, count, text="out\n"):
    """Give a code cell what a run leaves: outputs, a count, nbclient's timing metadata."""
    cell.execution_count = count
    cell.outputs = [
        new_output("stream", name="stdout", text=text),
        new_output("execute_result", data={"text/plain": "3"}, execution_count=count),
    ]
    cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00.000000Z"}
    return cell


def _solution():
    cells = [
        new_markdown_cell("# Homework 0\n\nWrite `f` — prose with non-ASCII: σ, ĥ, é."),
        _executed(new_code_cell("import math\n\nBASE = 2"), 1),
        _executed(
            new_code_cell(
                "def f(x):\n"
                '    """Return x squared plus one."""\n'
                "    ### BEGIN SOLUTION\n"
                "    y = x**2\n"
                "    return y + 1\n"
                "    ### END SOLUTION\n"
            ),
            2,
        ),
        _executed(
            new_code_cell(
                "class Cell:\n"
                "    def step(self, x):\n"
                "        if x > 0:\n"
                "            ### BEGIN SOLUTION\n"
                "            return x\n"
                "            ### END SOLUTION\n"
                "        return 0\n"
                "\n"
                "\n"
                "### BEGIN SOLUTION\n"
                "Z = 3\n"
                "### END SOLUTION\n"
                "W = Z + 1"
            ),
            3,
        ),
        _executed(new_code_cell("check(f)  # public check, stays as it is"), 4),
        new_raw_cell("raw text"),
    ]
    cells[2].metadata["tags"] = ["student"]
    cells[4].metadata["tags"] = ["nbval-ignore-output"]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "py"}
    nb.metadata["custom"] = {"course": "rnn"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


EXPECTED_F = (
    "def f(x):\n"
    '    """Return x squared plus one."""\n'
    "    # YOUR CODE HERE\n"
    "    raise NotImplementedError()\n"
)
EXPECTED_CELL = (
    "class Cell:\n"
    "    def step(self, x):\n"
    "        if x > 0:\n"
    "            # YOUR CODE HERE\n"
    "            raise NotImplementedError()\n"
    "        return 0\n"
    "\n"
    "\n"
    "# YOUR CODE HERE\n"
    "raise NotImplementedError()\n"
    "W = Z + 1"
)


def test_region_becomes_placeholder_at_the_markers_indentation():
    ex = gen.make_exercise(_solution())
    assert ex.cells[2].source == EXPECTED_F


def test_several_regions_in_one_cell_each_at_its_own_indentation():
    ex = gen.make_exercise(_solution())
    assert ex.cells[3].source == EXPECTED_CELL


def test_everything_outside_the_regions_is_kept_cell_by_cell():
    sol = _solution()
    before = json.dumps(sol, sort_keys=True)
    ex = gen.make_exercise(sol)
    assert json.dumps(sol, sort_keys=True) == before, "make_exercise changed its input"
    assert len(ex.cells) == len(sol.cells)
    for s, e in zip(sol.cells, ex.cells, strict=True):
        assert e.id == s.id and e.cell_type == s.cell_type
        if s.cell_type != "code":
            assert e == s  # markdown and raw cells: identical, every key
            continue
        meta = {k: v for k, v in s.metadata.items() if k != "execution"}
        assert e.metadata == meta
        assert set(e) == set(s)
    assert [c.source for c in ex.cells[:2]] == [c.source for c in sol.cells[:2]]
    assert ex.cells[4].source == sol.cells[4].source == "check(f)  # public check, stays as it is"
    assert ex.cells[2].metadata["tags"] == ["student"]
    assert ex.cells[4].metadata["tags"] == ["nbval-ignore-output"]
    assert ex.metadata["kernelspec"] == sol.metadata["kernelspec"]
    assert ex.metadata["custom"] == {"course": "rnn"}
    assert (ex.nbformat, ex.nbformat_minor) == (sol.nbformat, sol.nbformat_minor)


def test_outputs_counts_timing_and_widget_state_are_cleared():
    ex = gen.make_exercise(_solution())
    for cell in ex.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert "execution" not in cell.metadata
    assert "widgets" not in ex.metadata


def test_no_marker_no_change_but_outputs():
    nb = new_notebook(cells=[_executed(new_code_cell("x = 1  # BEGINNER SOLUTIONS aside"), 1)])
    ex = gen.make_exercise(nb)
    assert ex.cells[0].source == nb.cells[0].source
    assert gen.solution_regions(nb) == []


def test_solution_regions_lists_cell_id_and_code_between_markers():
    sol = _solution()
    assert gen.solution_regions(sol) == [
        (sol.cells[2].id, "    y = x**2\n    return y + 1\n"),
        (sol.cells[3].id, "            return x\n"),
        (sol.cells[3].id, "Z = 3\n"),
    ]


def test_crlf_and_final_line_without_newline():
    nb = new_notebook(
        cells=[new_code_cell("a = 1\r\n### BEGIN SOLUTION\r\nb = 2\r\n### END SOLUTION")]
    )
    assert gen.make_exercise(nb).cells[0].source == (
        "a = 1\r\n# YOUR CODE HERE\r\nraise NotImplementedError()"
    )


def test_ipython_magics_beside_markers_are_tolerated():
    src = "%matplotlib inline\n!echo hi\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION\n"
    nb = new_notebook(cells=[new_code_cell(src)])
    assert gen.make_exercise(nb).cells[0].source == (
        "%matplotlib inline\n!echo hi\n# YOUR CODE HERE\nraise NotImplementedError()\n"
    )


def _write(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_bytes_are_deterministic_and_in_nbformats_own_layout(tmp_path):
    sol = _write(tmp_path / "solutions" / "hw00.ipynb", _solution())
    first = gen.exercise_bytes(sol)
    assert gen.exercise_bytes(sol) == first
    text = first.decode("utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "σ, ĥ, é" in text, "non-ASCII text must stay UTF-8, as nbformat writes it"
    assert '\n "cells": [\n  {\n' in text, "one-space indentation, as nbformat writes"
    # Opening and saving with nbformat (what Jupyter does) does not change a byte.
    written, again = tmp_path / "ex.ipynb", tmp_path / "again.ipynb"
    written.write_bytes(first)
    nbformat.write(nbformat.read(written, 4), again)
    assert again.read_bytes() == first
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_bytes_do_not_depend_on_the_process(tmp_path):
    _write(tmp_path / "solutions" / "hw00.ipynb", _solution())
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"ex{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        cmd = [sys.executable, "-m", "course_lib.grading.exercises"]
        cmd += ["--solutions", str(tmp_path / "solutions"), "--exercises", str(out)]
        result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        outputs.append((out / "hw00.ipynb").read_bytes())
    assert outputs[0] == outputs[1]


def test_command_writes_removes_stale_and_check_reports(tmp_path, capsys):
    sol_dir, ex_dir = tmp_path / "solutions", tmp_path / "exercises"
    _write(sol_dir / "hw00.ipynb", _solution())
    _write(sol_dir / "hw02.ipynb", _solution())
    _write(ex_dir / "hw99_gone.ipynb", new_notebook())
    (ex_dir / "notes.txt").write_text("a student's own file")
    args = ["--solutions", str(sol_dir), "--exercises", str(ex_dir)]

    assert gen.main(["--check", *args]) == 1
    err = capsys.readouterr().err
    assert "hw00.ipynb: missing" in err and "hw02.ipynb: missing" in err
    assert "hw99_gone.ipynb: no solution" in err
    assert sorted(p.name for p in ex_dir.iterdir()) == ["hw99_gone.ipynb", "notes.txt"]

    assert gen.main(args) == 0
    assert sorted(p.name for p in ex_dir.iterdir()) == ["hw00.ipynb", "hw02.ipynb", "notes.txt"]
    written = (ex_dir / "hw00.ipynb").read_bytes()
    assert nbformat.reads(written.decode(), 4).cells[2].source == EXPECTED_F
    assert gen.main(["--check", *args]) == 0

    # A changed solution makes its exercise stale; --check names it and writes nothing.
    changed = _solution()
    changed.cells[0].source += "\nOne more sentence."
    _write(sol_dir / "hw02.ipynb", changed)
    capsys.readouterr()
    assert gen.main(["--check", *args]) == 1
    err = capsys.readouterr().err
    assert "hw02.ipynb: stale" in err and "hw00.ipynb" not in err
    assert (ex_dir / "hw00.ipynb").read_bytes() == written
    mtime = (ex_dir / "hw00.ipynb").stat().st_mtime_ns
    assert gen.main(args) == 0
    assert (ex_dir / "hw00.ipynb").stat().st_mtime_ns == mtime, "unchanged files are not rewritten"
    assert gen.main(["--check", *args]) == 0


# ------------------------------------------------------------------------------------------
# Marker mistakes: each names notebook, cell (index and id) and line
# ------------------------------------------------------------------------------------------

ERRORS = {
    "begin without end": ("x = 1\n### BEGIN SOLUTION\ny = 2\n", 2, "without an"),
    "end without begin": ("x = 1\ny = 2\n### END SOLUTION\n", 3, "without a"),
    "nested": (
        "### BEGIN SOLUTION\na = 1\n    ### BEGIN SOLUTION\nb = 2\n### END SOLUTION\n"
        "### END SOLUTION\n",
        3,
        "nested",
    ),
    "in a one-line string": ('x = 1\nprint("### BEGIN SOLUTION")\n', 2, "inside a string"),
    "in a triple-quoted string": (
        'def f():\n    """Doc.\n\n    ### BEGIN SOLUTION\n    """\n',
        4,
        "inside a string",
    ),
    "end in a triple-quoted string": (
        '### BEGIN SOLUTION\ns = """\n### END SOLUTION\n"""\n### END SOLUTION\n',
        3,
        "inside a string",
    ),
    "in an f-string": ('x = 1\ny = f"{x} ### END SOLUTION"\n', 2, "inside a string"),
    "after code": ("x = 1\ny = 2  ### BEGIN SOLUTION\nz = 3\n### END SOLUTION\n", 2, "not a"),
    "misspelt": ("x = 1\n## BEGIN SOLUTION\nz = 3\n## END SOLUTION\n", 2, "not a"),
    "inside brackets": (
        "f(\n    1,\n    ### BEGIN SOLUTION\n    2,\n    ### END SOLUTION\n)",
        3,
        "brackets",
    ),
    "less indented than its code": (
        "def f():\n### BEGIN SOLUTION\n    return 1\n### END SOLUTION\n",
        2,
        "not be valid Python",
    ),
}


def _with_bad_cell(source: str):
    nb = _solution()
    nb.cells.insert(3, new_code_cell(source))
    return nb


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_marker_mistake_names_notebook_cell_and_line(case):
    source, line, words = ERRORS[case]
    nb = _with_bad_cell(source)
    cell_id = nb.cells[3].id
    for fn in (gen.make_exercise, gen.solution_regions):
        with pytest.raises(ValueError) as info:
            fn(nb, name="hw00_case.ipynb")
        message = str(info.value)
        assert message.startswith(f"hw00_case.ipynb: cell 3 (id {cell_id!r}), line {line}:")
        assert words in message
        assert message.count("\n") == 0, "one mistake, one message"


@pytest.mark.parametrize("make", [new_markdown_cell, new_raw_cell])
def test_marker_in_a_markdown_or_raw_cell_is_an_error(make):
    nb = _solution()
    nb.cells.insert(1, make("Intro\n\n### BEGIN SOLUTION\nsecret\n### END SOLUTION\n"))
    with pytest.raises(gen.ExerciseError) as info:
        gen.make_exercise(nb, name="hw00.ipynb")
    assert str(info.value).startswith(f"hw00.ipynb: cell 1 (id {nb.cells[1].id!r}), line 3:")
    assert nb.cells[1].cell_type in str(info.value)


def test_every_mistake_of_a_notebook_is_reported():
    nb = _with_bad_cell("### END SOLUTION\n")
    nb.cells.append(new_code_cell("x = 1\n### BEGIN SOLUTION\n"))
    with pytest.raises(gen.ExerciseError) as info:
        gen.make_exercise(nb, name="hw00.ipynb")
    lines = str(info.value).splitlines()
    assert [line.split(":")[1] for line in lines] == [
        f" cell 3 (id {nb.cells[3].id!r}), line 1",
        f" cell {len(nb.cells) - 1} (id {nb.cells[-1].id!r}), line 2",
    ]


def test_command_reports_mistakes_exits_1_and_writes_nothing(tmp_path, capsys):
    sol_dir, ex_dir = tmp_path / "solutions", tmp_path / "exercises"
    _write(sol_dir / "hw00.ipynb", _solution())
    _write(sol_dir / "hw01_bad.ipynb", _with_bad_cell('s = "### BEGIN SOLUTION"\n'))
    args = ["--solutions", str(sol_dir), "--exercises", str(ex_dir)]
    assert gen.main(args) == 1
    err = capsys.readouterr().err
    assert re.search(r"hw01_bad\.ipynb: cell 3 \(id '[^']+'\), line 1: solution marker inside", err)
    assert not ex_dir.exists(), "nothing is written while a solution has a mistake"
    assert gen.main(["--check", *args]) == 1


def test_cells_without_ids_in_a_v4_5_notebook_are_an_error(tmp_path):
    path = _write(tmp_path / "hw00.ipynb", _solution())
    raw = json.loads(path.read_text())
    del raw["cells"][2]["id"]
    path.write_text(json.dumps(raw))
    with pytest.raises(gen.ExerciseError, match=r"hw00\.ipynb: cell 2 \(no id\): .*no id"):
        gen.exercise_bytes(path)


# ------------------------------------------------------------------------------------------
# The committed exercises/
# ------------------------------------------------------------------------------------------


def test_pytest_does_not_collect_exercises():
    """Exercises fail by design (NotImplementedError): nbval must never collect them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    for entry in config["testpaths"]:
        path = (ROOT / entry).resolve()
        assert path != EXERCISES and path not in EXERCISES.parents, entry


def test_exercises_folder_matches_solutions_folder():
    assert EXERCISE_NAMES == SOLUTION_NAMES, (
        "exercises/ is stale (run `python3 course.py exercises`): "
        f"missing {sorted(set(SOLUTION_NAMES) - set(EXERCISE_NAMES))}, "
        f"without solution {sorted(set(EXERCISE_NAMES) - set(SOLUTION_NAMES))}"
    )


@pytest.mark.parametrize("name", SOLUTION_NAMES)
def test_committed_exercise_is_what_the_generator_writes(name, tmp_path):
    assert gen.main(["--solutions", str(SOLUTIONS), "--exercises", str(tmp_path)]) == 0
    committed = EXERCISES / name
    assert committed.is_file(), f"exercises/{name} is missing: run `python3 course.py exercises`"
    assert (tmp_path / name).read_bytes() == committed.read_bytes(), (
        f"exercises/{name} is stale: run `python3 course.py exercises`"
    )


def test_committed_exercises_hold_no_solution_code():
    for name in SOLUTION_NAMES:
        solution = nbformat.read(SOLUTIONS / name, 4)
        exercise = nbformat.read(EXERCISES / name, 4)
        regions = gen.solution_regions(solution, name)
        assert regions, f"solutions/{name} has no solution region"
        by_id = {cell.id: cell for cell in exercise.cells}
        for cell_id, code in regions:
            assert cell_id in by_id, f"exercises/{name} has no cell {cell_id!r}: stale?"
            assert "raise NotImplementedError()" in by_id[cell_id].source
            body = [line for line in code.splitlines() if line.strip()]
            assert not (body and all(line in by_id[cell_id].source for line in body)), (
                f"exercises/{name}, cell {cell_id!r} still holds its solution"
            )
        text = (EXERCISES / name).read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text


_CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def _run_to_first_student_part(solution_path: Path, exercise_path: Path) -> float:
    """Run All on an exercise; assert it stops with NotImplementedError in a student cell.

    A student cell is one that held a solution region in the solution; the error's innermost
    notebook frame must be that cell's ``raise NotImplementedError()`` line (a function's body
    raises from its own cell even when a later cell calls it). Before it, nothing fails but the
    cells tagged ``raises-exception`` that fail the same way in the solution. Executed from the
    exercise's folder, as a student runs it, which it must leave as it found it. Returns seconds.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    name, folder = exercise_path.name, exercise_path.parent
    solution = nbformat.read(solution_path, 4)
    student_ids = {cell_id for cell_id, _ in gen.solution_regions(solution, name)}
    solution_errors = {c.id: [o.ename for o in _errors(c)] for c in solution.cells}
    nb = nbformat.read(exercise_path, 4)
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    start = time.perf_counter()
    try:
        client.execute()
        stopped = None
    except CellExecutionError as exc:
        stopped = exc
    seconds = time.perf_counter() - start
    written = sorted(set(folder.rglob("*")) - {folder / p for p in before}, reverse=True)
    for path in written:  # leave the folder clean, then fail
        path.rmdir() if path.is_dir() else path.unlink()
    assert not written, f"running {name} wrote {[str(p.relative_to(folder)) for p in written]}"
    assert stopped is not None, f"{name} ran to the end without NotImplementedError"

    by_count = {c.execution_count: c for c in nb.cells if c.get("execution_count")}
    for index, cell in enumerate(nb.cells):
        errors = _errors(cell)
        if not errors:
            continue
        if "raises-exception" in cell.metadata.get("tags", []):
            assert [o.ename for o in errors] == solution_errors.get(cell.id), (
                f"{name}, cell {index}: {errors[0].ename} where the solution gives "
                f"{solution_errors.get(cell.id)}"
            )
            continue
        error = errors[0]
        assert error.ename == "NotImplementedError", (
            f"{name}, cell {index} failed with {error.ename}: {error.evalue}"
        )
        frames = _CELL_FRAME.findall(_ANSI.sub("", "\n".join(error.traceback)))
        assert frames, error.traceback
        count, line = (int(x) for x in frames[-1])
        raiser = by_count[count]
        assert raiser.id in student_ids, (
            f"{name}: NotImplementedError raised from cell {nb.cells.index(raiser)} "
            f"(id {raiser.id!r}), which held no solution region"
        )
        assert raiser.source.splitlines()[line - 1].strip() == "raise NotImplementedError()"
        later = nb.cells[index + 1 :]
        assert not any(c.get("execution_count") for c in later), "execution went on"
        return seconds
    raise AssertionError(f"{name}: {stopped.ename} outside the notebook's cells")


def _tiny(*sources: str, deliberate: dict | None = None):
    """A solution notebook; ``deliberate`` maps a cell index to the error its stored run shows."""
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "py"}
    for index, ename in (deliberate or {}).items():
        nb.cells[index].metadata["tags"] = ["raises-exception"]
        nb.cells[index].outputs = [new_output("error", ename=ename, evalue="", traceback=[])]
    return nb


STUDENT_DEF = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n"
RUN_CASES = {
    "good": (_tiny("x = 1", STUDENT_DEF, "print(f(x))", "y = 2"), None),
    "good after a deliberate error": (
        _tiny("1 / 0", STUDENT_DEF, "f(1)", deliberate={0: "ZeroDivisionError"}),
        None,
    ),
    "error before": (_tiny("import no_such_module_xyz", STUDENT_DEF, "f(1)"), "ModuleNotFound"),
    "runs to the end": (_tiny(STUDENT_DEF, "x = 1"), "ran to the end"),
    "deliberate error changed": (
        _tiny("1 / 0", STUDENT_DEF, "f(1)", deliberate={0: "ValueError"}),
        "ZeroDivisionError where the solution gives",
    ),
    "writes into its folder": (
        _tiny("import pathlib\n\npathlib.Path('out.txt').write_text('x')", STUDENT_DEF, "f(1)"),
        r"wrote \['out.txt'\]",
    ),
    "raised elsewhere": (
        _tiny(STUDENT_DEF, "raise NotImplementedError('not a student cell')"),
        "held no solution region",
    ),
}


@pytest.mark.parametrize("case", sorted(RUN_CASES))
def test_the_execution_check_itself_on_tiny_notebooks(case, tmp_path):
    """The check used on exercises/ accepts a good exercise and names each wrong one."""
    nb, failure = RUN_CASES[case]
    solution = _write(tmp_path / "solutions" / "hw00.ipynb", nb)
    exercise = tmp_path / "exercises" / "hw00.ipynb"
    exercise.parent.mkdir()
    exercise.write_bytes(gen.exercise_bytes(solution))
    if failure is None:
        _run_to_first_student_part(solution, exercise)
    else:
        with pytest.raises(AssertionError, match=failure):
            _run_to_first_student_part(solution, exercise)


# The Portuguese exercises are not run again: their code is the English exercises' code with
# other strings and comments (checked below), generated the same way from the same kind of
# solution, so running the English one tests what running both would.
ENGLISH_EXERCISES = [n for n in EXERCISE_NAMES if not n.endswith(".pt-BR.ipynb")]
PORTUGUESE_EXERCISES = [n for n in EXERCISE_NAMES if n.endswith(".pt-BR.ipynb")]


def _code_shape(source: str) -> str:
    """A code cell's syntax tree with every string emptied (comments are not in the tree)."""
    import ast

    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
        elif isinstance(node, ast.JoinedStr):
            node.values = [v for v in node.values if isinstance(v, ast.FormattedValue)]
    return ast.dump(tree)


def _code_shapes(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [_code_shape("".join(c["source"])) for c in cells if c["cell_type"] == "code"]


def test_every_exercise_has_its_portuguese_edition():
    assert PORTUGUESE_EXERCISES == [n.replace(".ipynb", ".pt-BR.ipynb") for n in ENGLISH_EXERCISES]


@pytest.mark.parametrize("name", PORTUGUESE_EXERCISES)
def test_portuguese_exercise_is_the_english_code_with_other_words(name):
    english = _code_shapes(EXERCISES / name.replace(".pt-BR.ipynb", ".ipynb"))
    portuguese = _code_shapes(EXERCISES / name)
    language = _code_shape('import course_lib\n\ncourse_lib.set_language("pt-BR")')
    assert portuguese[0] == language, "the Portuguese exercise starts by setting the language"
    assert portuguese[1:] == english


@pytest.mark.slow
@pytest.mark.parametrize("name", ENGLISH_EXERCISES)
def test_exercise_runs_until_the_first_student_part(name):
    """Run All on exercises/<name> stops with NotImplementedError raised in a student cell."""
    if not (SOLUTIONS / name).is_file():
        pytest.fail(f"exercises/{name} has no solution: run `python3 course.py exercises`")
    seconds = _run_to_first_student_part(SOLUTIONS / name, EXERCISES / name)
    print(f"{name}: ran to its first student part in {seconds:.1f} s")
