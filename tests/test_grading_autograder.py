"""The autograder's machinery: inputs, results files, sandbox, probes, plagiarism, Gradescope.

Most tests grade a tiny assignment (``tests/grading_fixtures/toy.py``: ``scaled_sum(x, w) =
x @ w``, judged against ``x @ w`` computed in the test's process) on real notebooks run in real
sandboxed kernels; the hw05 tests grade the course's own solution and generated exercise.
Isolation tests need root (as in CI) and skip with the reason otherwise.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib.grading import (
    autograder,
    kernel,
    plagiarism,
    probe,
    references,
    sandbox,
    submissions,
)

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "grading_fixtures"))
import toy  # noqa: E402

IS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT, reason="sandbox users and namespaces need root")

GOOD = "def scaled_sum(x, w):\n    return x @ w"


def notebook(path: Path, *sources: str, ids: list[str] | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_markdown_cell("# Toy homework")]
    for k, src in enumerate(sources):
        cell = nbformat.v4.new_code_cell(src)
        if ids:
            cell.id = ids[k]
        nb.cells.append(cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def results(out: Path, student: str) -> dict:
    return json.loads((out / student / "results.json").read_text())


def gradebook(out: Path) -> dict[str, dict]:
    with open(out / "gradebook.csv") as f:
        return {r["student"]: r for r in csv.DictReader(f)}


TOY = dataclasses.replace(toy.ASSIGNMENT, cell_timeout=6.0, timeout=40.0)


# ------------------------------------------------------------------------------------------
# Unit tests, no kernel
# ------------------------------------------------------------------------------------------


def test_parse_answer_takes_the_last_nonce_line_and_caps_it():
    nonce = probe.new_nonce()
    fake = json.dumps({"tampered": False, "outcomes": [{"ok": True, "value": 1}]})
    real = json.dumps({"tampered": False, "outcomes": [{"ok": True, "value": 2, "seconds": 0.1}]})
    text = f"noise\n{nonce} {fake}\nmore\n{nonce} {real}\n"
    answer = probe.parse_answer(text, nonce, 1)
    assert answer["error"] is None and answer["outcomes"][0]["value"] == 2
    assert probe.parse_answer(f"{probe.new_nonce()} {real}\n", nonce, 1)["error"]
    assert "cap" in probe.parse_answer(f"{nonce} {real}\n", nonce, 1, cap=10)["error"]
    assert probe.parse_answer(f"{nonce} {real}\n", nonce, 2)["error"]  # wrong number of calls
    assert probe.parse_answer(f"{nonce} {{not json\n", nonce, 1)["error"]
    # a missing "tampered" counts as tampering; odd outcomes become failed calls
    odd = probe.parse_answer(f'{nonce} {{"outcomes": [7]}}\n', nonce, 1)
    assert odd["tampered"] and odd["outcomes"][0]["ok"] is False


def test_probe_source_is_plain_python_with_the_calls_as_literal():
    src = probe.probe_source("scaled_sum", [{"args": [1, 2]}], "GRADER-abc")
    compile(src, "probe", "exec")
    assert '[{"args": [1, 2]}]' in src and "GRADER-abc" in src
    with pytest.raises(ValueError):
        probe.probe_source("os.system('x')", [], "n")


def test_safe_names():
    assert submissions.safe_name("alice/hw05 (final)") == "alice_hw05_final"
    assert submissions.safe_name("../..") == "student"
    assert submissions.safe_name("Bob-2.v1") == "Bob-2.v1"


def test_normalise_ignores_names_comments_docstrings_not_code():
    a = "def f(x, w):\n    '''doc'''\n    # comment\n    total = x @ w\n    return total + 1\n"
    b = "def g(inp, weights):\n    s = inp @ weights  # other comment\n\n    return s + 1\n"
    c = "def f(x, w):\n    total = x @ w\n    return total - 1\n"
    assert plagiarism.normalise(a)[0] == plagiarism.normalise(b)[0]
    assert plagiarism.normalise(a)[0] != plagiarism.normalise(c)[0]
    assert plagiarism.normalise("def (") is None


# ------------------------------------------------------------------------------------------
# The sandbox itself
# ------------------------------------------------------------------------------------------


def _sandboxed():
    return kernel.run_sandboxed_factory(3, TOY, (), Path(os.environ.get("TMPDIR", "/tmp")))


@needs_root
def test_run_sandboxed_runs_as_another_uid_without_network_or_write_access(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    probe_file = ROOT / "course_lib" / "sandbox-write-test.txt"
    data = tmp_path / "input.txt"
    data.write_text("hello")
    code = f"""
import os, socket
print("uid", os.getuid(), os.getgid(), os.getgroups())
print("input", open("input.txt").read())
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2)
    print("net CONNECTED")
except OSError as e:
    print("net refused", e.errno)
try:
    open({str(probe_file)!r}, "w").write("x")
    print("write WROTE")
except OSError as e:
    print("write refused", e.errno)
try:
    os.kill({os.getpid()}, 15)
    print("signal SENT")
except OSError as e:
    print("signal refused", e.errno)
"""
    rc, out, err = _sandboxed()(["python", "-c", code], files={"input.txt": data}, timeout=60)
    assert rc == 0, err
    uid = sandbox.uid_for(3)
    assert uid >= sandbox.BASE_UID
    assert f"uid {uid} {uid} []" in out
    assert "input hello" in out
    assert "net refused" in out and "CONNECTED" not in out
    assert "write refused" in out and not probe_file.exists()
    assert "signal refused" in out
    with pytest.raises(TimeoutError):
        listener.accept()  # nothing ever reached the listening socket
    listener.close()


@needs_root
def test_run_sandboxed_limits_memory_and_time():
    big = "b = bytearray(6 * 2**30); print('ALLOCATED')"
    rc, out, err = _sandboxed()(["python", "-c", big], timeout=60)
    assert rc != 0 and "ALLOCATED" not in out and "MemoryError" in err
    rc, out, err = _sandboxed()(["python", "-c", "while True: pass"], timeout=2)
    assert rc == -9 and "stopped after 2 s" in err


@needs_root
@pytest.mark.slow
def test_tensorflow_imports_under_the_default_memory_limit():
    code = (
        "import os; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'\n"
        "import keras, numpy as np\n"
        "m = keras.Sequential([keras.Input((8, 1)), keras.layers.GRU(4), keras.layers.Dense(1)])\n"
        "print(float(m.predict(np.zeros((2, 8, 1)), verbose=0).sum()))\n"
    )
    rc, out, err = _sandboxed()(["python", "-c", code], timeout=300)
    assert rc == 0, err[-2000:]
    assert float(out.split()[-1]) == 0.0


# ------------------------------------------------------------------------------------------
# A class of real (and hostile) toy submissions, graded once, --jobs 2
# ------------------------------------------------------------------------------------------

SUBMISSIONS = {
    "good": ["import numpy as np", GOOD, "print(scaled_sum(np.ones((2, 2)), np.ones(2)))"],
    "crash_after": [GOOD, "1 / 0", "undefined_name"],
    "wrong": ["def scaled_sum(x, w):\n    return x @ w + 1.0"],
    "raises": ["def scaled_sum(x, w):\n    raise ValueError('not yet')"],
    "loop_after": [GOOD, "while True:\n    pass"],
    "stubborn_loop": [
        GOOD,
        "import time\nwhile True:\n    try:\n        time.sleep(100)\n"
        "    except KeyboardInterrupt:\n        pass",
    ],
    "kill_only": ["import os\nos._exit(1)"],
    "os_exit": [GOOD, "import os\nos._exit(0)"],
    "exit_call": [GOOD, "exit()"],
    "reference": [
        "from course_lib import cells\n"
        "def scaled_sum(x, w):\n    return cells.dense(x, w[:, None], 0.0)[:, 0]"
    ],
    "untracer": [
        "import sys\ndef scaled_sum(x, w):\n    sys.setprofile(None)\n    return x @ w",
    ],
    "equal_to_all": [
        "class Anything:\n    def __eq__(self, other):\n        return True\n"
        "def scaled_sum(x, w):\n    return Anything()"
    ],
    "flood": [GOOD, "for _ in range(300):\n    print('x' * 100_000)"],
    "huge_print": [GOOD, "print('x' * 50_000_000)"],
    "stored_outputs": ["def scaled_sum(x, w):\n    return None"],
    "isolation": None,  # written by the fixture (needs the port and paths)
}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    folder = base / "submissions"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port = listener.getsockname()[1]
    target = ROOT / "course_lib" / "written-by-a-student.txt"
    for name, sources in SUBMISSIONS.items():
        if name == "isolation":
            sources = [
                "import os, socket\n"
                "try:\n"
                f"    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
                "    NET = True\n"
                "except OSError:\n"
                "    NET = False\n"
                "try:\n"
                f"    open({str(target)!r}, 'w').write('x')\n"
                "    WROTE = True\n"
                "except OSError:\n"
                "    WROTE = False\n"
                "ROOT_USER = os.getuid() == 0",
                "def scaled_sum(x, w):\n    return None if NET or WROTE or ROOT_USER else x @ w",
            ]
        notebook(folder / f"{name}.ipynb", *sources)
    # stored outputs claiming success are ignored
    nb = nbformat.read(str(folder / "stored_outputs.ipynb"), as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="10 / 10\n")]
    nbformat.write(nb, str(folder / "stored_outputs.ipynb"))
    (folder / "garbage.ipynb").write_text("{not a notebook")
    # a student folder with no notebook at all
    (folder / "nobody").mkdir()
    (folder / "nobody" / "README.txt").write_text("forgot the notebook")
    out = base / "out"
    rows = autograder.grade([folder], TOY, out, jobs=2, seed=7, progress=False)
    connected = False
    listener.settimeout(0.2)
    try:
        listener.accept()
        connected = True
    except TimeoutError:
        pass
    listener.close()
    return {"out": out, "rows": rows, "connected": connected, "target": target}


@pytest.mark.slow
def test_results_json_is_written_for_everyone_in_gradescope_format(graded_class):
    out = graded_class["out"]
    students = {*SUBMISSIONS, "nobody", "garbage"}
    assert {p.name for p in out.iterdir() if p.is_dir()} == students
    for student in students:
        r = results(out, student)
        assert set(r) >= {"score", "tests", "execution_time", "output", "visibility"}
        (test,) = r["tests"]
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert test["name"] == "scaled_sum" and test["max_score"] == 2.0
        assert r["score"] == test["score"]
        assert r["extra_data"]["seed"] == 7
        assert (out / student / "feedback.md").read_text().startswith("# Toy assignment")
    book = gradebook(out)
    assert set(book) == students
    assert book["good"]["score"] == "2" and book["good"]["scaled_sum"] == "2"


@pytest.mark.slow
def test_scores_of_honest_broken_and_hostile_submissions(graded_class):
    out = graded_class["out"]
    score = {s: results(out, s)["score"] for s in SUBMISSIONS}
    message = {s: results(out, s)["tests"][0]["output"] for s in SUBMISSIONS}
    # later errors do not stop the function from being graded (allow_errors)
    assert score["good"] == score["crash_after"] == score["loop_after"] == score["flood"] == 2.0
    assert "ZeroDivisionError" in results(out, "crash_after")["output"]
    assert "time limit" in results(out, "loop_after")["output"]
    assert score["wrong"] == 0.0 and message["wrong"] == "0 of 3 calls right"
    assert score["raises"] == 0.0
    # exit() leaves ipykernel running; os._exit kills it: the notebook runs again without that
    # cell, and what the student wrote before it is graded
    assert score["exit_call"] == 2.0
    assert score["os_exit"] == 2.0 and "kernel died" in gradebook(out)["os_exit"]["flags"]
    assert "without cells [2]" in results(out, "os_exit")["output"]
    assert score["reference"] == 0.0
    assert (
        "reference implementation course_lib.cells.dense; write it yourself" in message["reference"]
    )
    assert score["untracer"] == 0.0 and "recorder" in message["untracer"]
    assert "tampered" in gradebook(out)["untracer"]["flags"]
    assert score["stubborn_loop"] == 2.0  # the cell that ignores interrupts is left out
    assert score["kill_only"] == 0.0
    assert score["equal_to_all"] == 0.0
    assert score["stored_outputs"] == 0.0
    garbage = results(out, "garbage")
    assert garbage["score"] == 0.0
    assert garbage["extra_data"]["status"].startswith("the notebook could not be read")
    nobody = results(out, "nobody")
    assert nobody["score"] == 0.0 and "no notebook" in nobody["extra_data"]["status"]


@pytest.mark.slow
def test_output_flood_is_capped_in_the_grader(graded_class):
    r = results(graded_class["out"], "flood")
    assert r["score"] == 2.0 and len(json.dumps(r)) < 50_000
    # one message over MAX_MESSAGE_BYTES never reaches the grader's memory: zmq cuts the
    # output channel, and the notebook runs again without that cell
    r = results(graded_class["out"], "huge_print")
    assert r["score"] == 2.0
    assert "its output was cut off" in r["output"] or "output was lost" in r["output"]
    assert "output flood" in gradebook(graded_class["out"])["huge_print"]["flags"]


@needs_root
@pytest.mark.slow
def test_notebook_runs_as_another_uid_without_network_or_write_access(graded_class):
    r = results(graded_class["out"], "isolation")
    assert "no network" in r["extra_data"]["isolation"]
    assert r["score"] == 2.0, r["tests"][0]["output"]  # the function only works when isolated
    assert not graded_class["connected"]
    assert not graded_class["target"].exists()


# ------------------------------------------------------------------------------------------
# Inputs: a single notebook, a git repository with branches; plagiarism
# ------------------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.mark.slow
def test_git_repository_one_branch_per_student_and_plagiarism(tmp_path):
    # the published solution, with a solution region and cell ids the exercise keeps
    ids = ["imports", "solution"]
    sol_src = (
        "def scaled_sum(x, w):\n    ### BEGIN SOLUTION\n    total = x @ w\n"
        "    result = total * 1.0\n    return result\n    ### END SOLUTION"
    )
    solutions_dir = tmp_path / "solutions"
    notebook(solutions_dir / "toy.ipynb", "import numpy as np", sol_src, ids=ids)
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    notebook(
        repo / "exercises" / "toy.ipynb",
        "import numpy as np",
        "raise NotImplementedError()",
        ids=ids,
    )
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "exercise")
    students = {
        # renamed copy of the published solution
        "ann": "def scaled_sum(a, b):\n    t = a @ b  # mine\n    r = t * 1.0\n    return r",
        # carol and dave: the same code, written differently
        "carol": "def scaled_sum(x, w):\n    out = (x @ w)\n    out = out + 0\n    return out",
        "dave": "def scaled_sum(q, v):\n    o = q @ v\n    o = o + 0\n    return o\n",
        "erin": "def scaled_sum(x, w):\n    import numpy\n    return numpy.einsum('ij,j->i', x, w)",
    }
    for student, code in students.items():
        _git(repo, "checkout", "-q", "-b", f"{student}/hw", "main")
        notebook(repo / "exercises" / "toy.ipynb", "import numpy as np", code, ids=ids)
        _git(repo, "commit", "-qam", "my homework")
    _git(repo, "checkout", "-q", "main")
    head = (repo / "exercises" / "toy.ipynb").read_bytes()
    out = tmp_path / "out"
    rows = autograder.grade(
        [repo], TOY, out, jobs=2, seed=1, progress=False, solutions_dir=solutions_dir
    )
    assert sorted(r["student"] for r in rows) == ["ann_hw", "carol_hw", "dave_hw", "erin_hw"]
    assert (repo / "exercises" / "toy.ipynb").read_bytes() == head  # nothing checked out
    book = gradebook(out)
    assert all(book[s]["score"] == "2" for s in book)
    assert "identical to the published solution" in book["ann_hw"]["flags"]
    assert "identical to dave_hw" in book["carol_hw"]["flags"]
    assert "identical to carol_hw" in book["dave_hw"]["flags"]
    assert book["erin_hw"]["flags"] == ""
    assert "graded exercises/toy.ipynb" in results(out, "ann_hw")["output"]


def test_single_notebook_path_and_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError):
        autograder.grade([tmp_path / "nope.ipynb"], TOY, tmp_path / "out", progress=False)
    path = notebook(tmp_path / "zoe.ipynb", GOOD)
    rows = autograder.grade([path], TOY, tmp_path / "out", seed=3, progress=False)
    assert [(r["student"], r["score"]) for r in rows] == [("zoe", 2.0)]


def test_without_isolation_the_kernel_still_runs_and_says_so(tmp_path):
    """The path of a machine without root: tcp transport, no uid change, recorded as such."""
    path = notebook(tmp_path / "una.ipynb", GOOD, "import os\nprint(os.getuid())")
    env = {**os.environ, "COURSE_GRADER_NO_SANDBOX": "1"}
    cmd = [sys.executable, "-m", "course_lib.grading.autograder", str(path), "--assignment"]
    cmd += ["hw05_lstm", "--out", str(tmp_path / "out"), "--quiet", "--seed", "1"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    res = results(tmp_path / "out", "una")
    assert "not isolated (disabled by COURSE_GRADER_NO_SANDBOX)" in res["output"]
    # a notebook without the assignment's functions: every part zero, with the reason
    assert res["score"] == 0.0
    assert all("not defined in the notebook" in t["output"] for t in res["tests"])


# ------------------------------------------------------------------------------------------
# The command line on the course's hw05: reference solution, generated exercise, extra checks
# ------------------------------------------------------------------------------------------

HW05_SOLUTION = ROOT / "solutions" / "hw05_lstm.ipynb"
HW05_EXERCISE = ROOT / "exercises" / "hw05_lstm.ipynb"
needs_hw05 = pytest.mark.skipif(
    not (HW05_SOLUTION.exists() and HW05_EXERCISE.exists()), reason="hw05 not written yet"
)

EXTRA = """
from course_lib.grading.common import Part, Verdict


class HasNotebook(Part):
    def score(self, calls, outcomes, ctx):
        ok = (ctx.submission_dir / "hw05_lstm.ipynb").exists()
        return Verdict(1.0 if ok else 0.0, "private check: notebook present")


PARTS = [HasNotebook(name="private_notebook_present", points=1.0, visibility="hidden")]
"""


@needs_hw05
@pytest.mark.slow
def test_cli_hw05_solution_full_marks_exercise_zero_with_extra_checks(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "reference.ipynb").write_bytes(HW05_SOLUTION.read_bytes())
    (folder / "empty.ipynb").write_bytes(HW05_EXERCISE.read_bytes())
    extra = tmp_path / "private"
    extra.mkdir()
    (extra / "checks.py").write_text(EXTRA)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "course_lib.grading.autograder", str(folder)]
    cmd += ["--assignment", "hw05_lstm", "--out", str(out), "--jobs", "2", "--quiet"]
    cmd += ["--extra-checks", str(extra), "--seed", "11"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    ref, empty = results(out, "reference"), results(out, "empty")
    from course_lib.grading import get

    hw05 = get("hw05_lstm")
    assert ref["score"] == hw05.max_score + 1.0, ref["tests"]
    assert all(t["score"] == t["max_score"] for t in ref["tests"])
    assert [t["name"] for t in ref["tests"]][-1] == "private_notebook_present"
    assert ref["tests"][-1]["visibility"] == "hidden"
    assert all(t["score"] == 0 for t in empty["tests"][:-1])
    book = gradebook(out)
    assert book["reference"]["private_notebook_present"] == "1"
    assert "identical to the published solution" in book["reference"]["flags"]
    assert "identical" not in book["empty"]["flags"]


CHEAP = ("hw01_perceptron", "hw03_rnn", "hw05_lstm", "hw06_gru")


@pytest.mark.slow
@pytest.mark.parametrize("name", [*CHEAP, pytest.param("hw07_stock_gru", id="hw07_stock_gru")])
def test_reference_solution_full_marks_generated_exercise_zero(name, tmp_path):
    from course_lib.grading import get

    solution, exercise = ROOT / "solutions" / f"{name}.ipynb", ROOT / "exercises" / f"{name}.ipynb"
    if not (solution.exists() and exercise.exists()):
        pytest.skip(f"{name}: solution or exercise not written yet")
    assignment = get(name)
    folder = tmp_path / "class"
    for student, nb in (("reference", solution), ("exercise", exercise)):
        (folder / student).mkdir(parents=True)
        (folder / student / nb.name).write_bytes(nb.read_bytes())
    for f in assignment.files:  # hw07: the saved model and report beside the solution
        if (solution.parent / f).exists():
            (folder / "reference" / f).write_bytes((solution.parent / f).read_bytes())
    out = tmp_path / "out"
    autograder.grade([folder], assignment, out, jobs=2, seed=5, progress=False)
    ref, empty = results(out, "reference"), results(out, "exercise")
    assert ref["score"] == assignment.max_score, ref["tests"]
    assert empty["score"] == 0.0, empty["tests"]
    assert "no network" in ref["extra_data"]["isolation"] or not IS_ROOT


def test_cli_usage_errors(tmp_path):
    run = [sys.executable, "-m", "course_lib.grading.autograder"]
    r = subprocess.run(run, capture_output=True, text=True)
    assert r.returncode == 2 and "--assignment" in r.stderr
    r = subprocess.run(
        [*run, str(tmp_path), "--assignment", "hw99", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "unknown assignment 'hw99'" in r.stderr


def test_extra_checks_must_define_parts(tmp_path):
    (tmp_path / "bad.py").write_text("PARTS = ['not a part']\n")
    with pytest.raises(ValueError, match="PARTS must be a list of Part"):
        autograder.load_extra_checks(tmp_path)
    (tmp_path / "bad.py").write_text(
        "from course_lib.grading.common import Part\nPARTS = [Part(name='p', points=1)]\n"
    )
    assert [p.name for p in autograder.load_extra_checks(tmp_path)] == ["p"]


@needs_hw05
@pytest.mark.slow
def test_gradescope_archive_grades_the_reference_solution(tmp_path):
    from course_lib.grading import gradescope

    archive = tmp_path / "hw05.zip"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "course_lib.grading.autograder",
            "--gradescope",
            "hw05_lstm",
            "--out",
            str(archive),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    root = tmp_path / "autograder"
    gradescope.extract(archive, root / "source")
    assert (root / "source" / "setup.sh").stat().st_mode & 0o111
    assert (root / "source" / "course_lib" / "grading" / "autograder.py").exists()
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "hw05_lstm.ipynb").write_bytes(HW05_SOLUTION.read_bytes())
    run = root / "run_autograder"
    run.write_bytes((root / "source" / "run_autograder").read_bytes())
    run.chmod(0o755)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    r = subprocess.run([str(run)], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    res = json.loads((root / "results" / "results.json").read_text())
    assert res["score"] == 10.0 and all(t["score"] == t["max_score"] for t in res["tests"])
    # the archive's own grader ran, not the checkout's
    assert "results.json" not in os.listdir(root / "source")


# ------------------------------------------------------------------------------------------
# The course's references are not available in the sandbox (references.py)
# ------------------------------------------------------------------------------------------

#: What the notebooks' own cells call on the student's functions: must keep working.
NOTEBOOK_USES = (
    "course_lib.bptt.gradient_check",
    "course_lib.bptt.numerical_gradient",
    "course_lib.bptt.init_rnn_params",
    "course_lib.bptt.sgd_step",
    "course_lib.cells.run_sequence",
    "course_lib.cells.sigmoid",
    "course_lib.cells.tanh",
    "course_lib.keras_bridge.params_to_keras",
    "course_lib.learning.logic_gate",
    "course_lib.stocks.load_goog",
    "course_lib.stocks.stock_windows",
    "course_lib.grading.common.encode",
    "course_lib.grading.common.decode",
)


def test_stub_source_replaces_bodies_keeps_what_runs_at_import():
    src = (
        "def make(k):\n    return lambda: k\n\n"
        "def ref(x):\n    '''y = 2x'''\n    return 2 * x\n\n"
        "class C:\n    def m(self):\n        return 1\n\n"
        "VALUE = make(3)\n"
    )
    new, done = references.stub_source(src, "course_lib.fake", ["ref", "C.m"])
    assert done == {"ref", "C.m"} and "2 * x" not in new and "y = 2x" in new
    ns: dict = {}
    exec(new, ns)
    with pytest.raises(RuntimeError, match=r"course_lib\.fake\.ref, the course's reference"):
        ns["ref"](1)
    with pytest.raises(RuntimeError, match=r"course_lib\.fake\.C\.m"):
        ns["C"]().m()
    new, done = references.stub_source(src, "course_lib.fake", ["*"])
    assert done == {"ref", "C.m"}  # make() runs while the module is imported: kept
    exec(new, ns := {})
    assert ns["VALUE"]() == 3
    err = "RuntimeError: " + references.message("course_lib.cells.lstm_step")
    assert references.stubbed_names(err) == ["course_lib.cells.lstm_step"]
    assert references.stubbed_names("ValueError: shapes") == []


CHECK_COPY = r"""
import ast, importlib, inspect, json, sys, textwrap
import numpy as np
stubbed, kept = json.loads(sys.argv[1]), json.loads(sys.argv[2])
import course_lib
report = {"file": course_lib.__file__, "raised": [], "bodies": []}
def resolve(name):
    parts = name.split(".")
    for k in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        for p in parts[k:]:
            obj = getattr(obj, p)
        return obj
for name in stubbed:
    fn = resolve(name)
    try:
        code = fn.__code__
        kwonly = code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount]
        fn(*[None] * code.co_argcount, **dict.fromkeys(kwonly))
    except RuntimeError as e:
        report["raised"].append(str(e))
    body = ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0].body
    report["bodies"].append([type(n).__name__ for n in body if not (
        isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))])
report["kept"] = [callable(resolve(n)) for n in kept]
from course_lib import bptt
try:
    report["init_rnn_params"] = len(bptt.init_rnn_params(n_in=2, n_h=3, n_out=1, seed=0))
except RuntimeError as e:
    report["init_rnn_params"] = str(e)
p = {"Wx": np.arange(6.0).reshape(2, 3), "b": np.ones(3)}
f = lambda q: float(np.sum(q["Wx"] ** 2))
grads = {"Wx": 2 * p["Wx"], "b": 0 * p["b"]}
report["gradient_check"] = bptt.gradient_check(f, p, grads)
print(json.dumps(report))
"""


@pytest.mark.parametrize("name", sorted(references.REFERENCES))
def test_course_copy_stubs_the_references_and_keeps_the_rest(name, tmp_path):
    from course_lib.grading import get

    assignment = get(name)
    listed = references.for_assignment(name)
    allowed = {a for p in assignment.parts for a in getattr(p, "allowed", ())}
    assert not {n for n in listed if n in allowed or n in NOTEBOOK_USES}
    copy = references.build_course_copy(tmp_path / "copy", listed)
    stubbed = [n for n in listed if not n.endswith("*")]
    if f"course_lib.grading.{name}.*" in listed:  # the wildcard: its public checks among others
        checks = [n for n in dir(_resolve(f"course_lib.grading.{name}")) if n.startswith("check_")]
        assert checks
        stubbed += [f"course_lib.grading.{name}.{n}" for n in checks]
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(copy), "HOME": str(tmp_path)}
    r = subprocess.run(
        [sys.executable, "-c", CHECK_COPY, json.dumps(stubbed), json.dumps(NOTEBOOK_USES)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads(r.stdout.splitlines()[-1])
    assert report["file"].startswith(str(copy))
    assert report["raised"] == [references.message(n) for n in stubbed]
    # nothing of the reference is left in the copy's source: its docstring and one raise
    assert report["bodies"] == [["Raise"]] * len(stubbed), report["bodies"]
    assert all(report["kept"]) and report["gradient_check"] < 1e-6
    if name == "hw03_rnn":  # its notebook builds its network with it
        assert report["init_rnn_params"] == 5


def _resolve(name: str):
    import importlib

    parts = name.split(".")
    for k in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        for p in parts[k:]:
            obj = getattr(obj, p)
        return obj
    raise ImportError(name)


def test_a_stale_reference_list_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="has no lstm_stepp"):
        references.build_course_copy(tmp_path / "c", ["course_lib.cells.lstm_stepp"])


@needs_root
def test_sandbox_hides_the_course_tree_and_imports_the_stubbed_copy(tmp_path):
    copy = references.build_course_copy(
        Path(__import__("tempfile").mkdtemp(prefix="grader-course-")),
        references.for_assignment("hw05_lstm"),
    )
    try:
        code = f"""
import os, json, course_lib, course_lib.cells as c
seen = {{"file": course_lib.__file__, "root": sorted(os.listdir({str(ROOT)!r}))}}
for rel in ("course_lib/cells.py", "solutions/hw05_lstm.ipynb", ".git", "tests"):
    seen[rel] = os.path.exists(os.path.join({str(ROOT)!r}, rel))
try:
    c.lstm_step(None, None, None, None)
except RuntimeError as e:
    seen["error"] = str(e)
seen["sigmoid"] = float(c.sigmoid(0.0))
print(json.dumps(seen))
"""
        run = kernel.run_sandboxed_factory(3, TOY, (), tmp_path, copy)
        rc, out, err = run(["python", "-c", code], timeout=120)
        assert rc == 0, err
        seen = json.loads(out.splitlines()[-1])
        assert seen["file"] == str(copy / "course_lib" / "__init__.py")
        assert not any(seen[k] for k in ("course_lib/cells.py", "solutions/hw05_lstm.ipynb"))
        assert not seen[".git"] and not seen["tests"]
        assert seen["root"] == [".venv"], seen["root"]  # only what Python needs
        assert seen["error"] == references.message("course_lib.cells.lstm_step")
        assert seen["sigmoid"] == 0.5
    finally:
        __import__("shutil").rmtree(copy, ignore_errors=True)


#: Ways to reach the reference from a student's lstm_step cell (each scored zero now).
HW05_CHEATS = {
    # a worker thread started before the probe (threading.setprofile never sees it)
    "thread": """
import queue, threading
import course_lib.cells as _c
_jobs, _done = queue.Queue(), queue.Queue()
def _worker():
    while True:
        args = _jobs.get()
        try:
            _done.put(("ok", _c.lstm_step(*args)))
        except Exception as e:
            _done.put(("error", e))
threading.Thread(target=_worker, daemon=True).start()
def lstm_step(x_t, h_prev, c_prev, params):
    _jobs.put((x_t, h_prev, c_prev, params))
    kind, value = _done.get(timeout=10)
    if kind == "error":
        raise value
    return value
""",
    # the reference's source exec'd under another module name
    "source_exec": """
import inspect
import course_lib.cells as _c
_ns = {"__name__": "mine"}
exec(compile(inspect.getsource(_c), "mine.py", "exec"), _ns)
lstm_step = _ns["lstm_step"]
""",
    # the course's files read from disk at run time (solution notebook, then cells.py)
    "from_disk": """
import json, os
_root = __ROOT__
def lstm_step(x_t, h_prev, c_prev, params):
    raise NotImplementedError()
try:
    with open(os.path.join(_root, "solutions", "hw05_lstm.ipynb")) as _f:
        for _cell in json.load(_f)["cells"]:
            _src = "".join(_cell["source"])
            if _src.startswith("def lstm_step"):
                exec(_src, globals())
except OSError:
    try:
        _ns = {"__name__": "mine"}
        exec(open(os.path.join(_root, "course_lib", "cells.py")).read(), _ns)
        lstm_step = _ns["lstm_step"]
    except OSError:
        pass
""",
}


@needs_hw05
@pytest.mark.slow
def test_hw05_students_who_call_the_reference_score_zero(tmp_path):
    from course_lib.grading import get

    hw05 = get("hw05_lstm")
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "reference.ipynb").write_bytes(HW05_SOLUTION.read_bytes())
    sol = nbformat.read(str(HW05_SOLUTION), as_version=4)
    k = next(i for i, c in enumerate(sol.cells) if c.source.lstrip().startswith("def lstm_step"))
    for name, src in HW05_CHEATS.items():
        nb = nbformat.from_dict(json.loads(json.dumps(sol)))
        nb.cells[k].source = src.replace("__ROOT__", repr(str(ROOT)))
        nbformat.write(nb, str(folder / f"{name}.ipynb"))
    out = tmp_path / "out"
    autograder.grade([folder], hw05, out, jobs=2, seed=4, progress=False)
    ref = results(out, "reference")
    assert ref["score"] == hw05.max_score, ref["tests"]
    lstm_points = next(p.points for p in hw05.parts if p.name == "lstm_step")
    for name in HW05_CHEATS:
        r = results(out, name)
        tests = {t["name"]: t for t in r["tests"]}
        assert tests["lstm_step"]["score"] == 0, (name, tests["lstm_step"])
        # the rest of the notebook (the solution's other parts) still ran and scored
        assert r["score"] == hw05.max_score - lstm_points, (name, r["tests"])
        if name != "from_disk" or not IS_ROOT:
            assert (
                "calls the course's reference implementation course_lib.cells.lstm_step"
                in (tests["lstm_step"]["output"])
            ), (name, tests["lstm_step"]["output"])
        else:  # nothing to read: the course tree is hidden, its own stub is what is left
            assert "NotImplementedError" in tests["lstm_step"]["output"] or (
                "not written yet" in tests["lstm_step"]["output"]
            ), tests["lstm_step"]["output"]


# ------------------------------------------------------------------------------------------
# Student names: no folder can take another's name, or the grader's files
# ------------------------------------------------------------------------------------------


def test_unique_names_exact_names_win_whatever_the_order():
    u = submissions.unique_names
    entries = [(" alice", "0"), ("alice", "1"), ("gradebook.csv", "2"), ("a b", "3")]
    entries += [("a:b", "4"), ("bob", "5"), ("bob", "6"), ("x y", "7")]
    names = u(entries)
    assert names[1] == "alice" and names[0].startswith("alice-") and len(names[0]) == 14
    assert names[2].startswith("gradebook.csv-")
    assert names[3] != names[4] and {names[3][:4], names[4][:4]} == {"a_b-"}
    assert names[5] == "bob" and names[6].startswith("bob-")
    assert names[7] == "x_y"  # sanitised but taken by nobody: kept
    assert len(set(names)) == len(names)
    # the same entries in reverse order: the exact ones keep their names, the tags are the same
    back = u(entries[::-1])[::-1]
    assert back[1] == "alice" and back[0] == names[0] and back[2] == names[2]
    # an exact name that looks like another's tag still wins over it
    tag = names[0]
    again = u([(" alice", "0"), (tag, "1"), ("alice", "2")])
    assert again[1] == tag and again[2] == "alice" and again[0] not in (tag, "alice")


def test_hijacking_names_and_reserved_names_in_a_real_batch(tmp_path):
    folder = tmp_path / "class"
    notebook(folder / "alice" / "toy.ipynb", GOOD)
    notebook(folder / " alice" / "toy.ipynb", "def scaled_sum(x, w):\n    return x @ w + 1")
    notebook(folder / "gradebook.csv" / "toy.ipynb", GOOD)
    out = tmp_path / "out"
    rows = autograder.grade([folder], TOY, out, jobs=2, seed=2, progress=False)
    assert len(rows) == 3
    book = gradebook(out)  # a file, written whatever the folders were called
    assert (out / "gradebook.csv").is_file() and len(book) == 3
    assert book["alice"]["score"] == "2"
    assert results(out, "alice")["extra_data"]["submitted_as"] == "alice"
    (hijacker,) = [s for s in book if s.startswith("alice-")]
    assert book[hijacker]["score"] == "0"
    assert results(out, hijacker)["extra_data"]["submitted_as"] == " alice"
    (named,) = [s for s in book if s.startswith("gradebook.csv-")]
    assert book[named]["score"] == "2"
    (out / "gradebook.csv").unlink()
    (out / "gradebook.csv").mkdir()  # something in the way: refused before anything is graded
    with pytest.raises(ValueError, match="not a file"):
        autograder.grade([folder], TOY, out, progress=False)


# ------------------------------------------------------------------------------------------
# Several graders at once: own uids, no kernel killed by another, no flaky start-up
# ------------------------------------------------------------------------------------------

HOLD_UIDS = """
import sys, time
from course_lib.grading import sandbox
print(sandbox.uid_for(0), sandbox.uid_for(1), flush=True)
sys.stdin.read()
"""


def test_two_graders_never_share_a_uid_whatever_their_temp_dir(tmp_path):
    procs = []
    for k in range(2):
        tmp = tmp_path / f"tmp{k}"
        tmp.mkdir()
        env = {**os.environ, "TMPDIR": str(tmp)}
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", HOLD_UIDS],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
                cwd=ROOT,
            )
        )
    try:
        held = [set(map(int, p.stdout.readline().split())) for p in procs]
    finally:
        for p in procs:
            p.communicate("", timeout=30)
    assert all(len(h) == 2 for h in held) and not held[0] & held[1], held
    assert not held[0] & {sandbox.uid_for(0)} and not held[1] & {sandbox.uid_for(0)}


@needs_root
def test_kill_uid_stops_a_fork_loop(tmp_path):
    uid = sandbox.uid_for(4)
    loop = (
        "import os, time\n"
        "while True:\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(60)\n"
        "            os._exit(0)\n"
        "    except OSError:\n"
        "        time.sleep(0.01)\n"
    )
    p = subprocess.Popen([sys.executable, "-c", loop], user=uid, group=uid, cwd=tmp_path)

    def alive() -> int:
        n = 0
        for e in os.listdir("/proc"):
            try:
                status = open(f"/proc/{e}/status").read() if e.isdigit() else ""
            except OSError:
                continue
            n += f"Uid:\t{uid}\t" in status and "State:\tZ" not in status
        return n

    __import__("time").sleep(0.5)
    assert alive() > 1
    sandbox.kill_uid(uid)
    p.wait(timeout=30)
    __import__("time").sleep(0.2)
    assert alive() == 0


@needs_hw05
@pytest.mark.slow
def test_concurrent_graders_grade_the_same_solution_without_failures(tmp_path):
    """Two `course.py grade --jobs 2` at once (four kernels, as two pytest-xdist workers on two
    cores would start): every copy of the reference scores full marks, no kernel had to be
    started again, and the two runs' kernels ran under different uids."""
    runs = []
    for k in range(2):
        subs = tmp_path / f"subs{k}"
        for n in range(3):
            (subs / f"copy{n}").mkdir(parents=True)
            (subs / f"copy{n}" / "hw05_lstm.ipynb").write_bytes(HW05_SOLUTION.read_bytes())
        cmd = [sys.executable, str(ROOT / "course.py"), "grade", str(subs), "--quiet"]
        cmd += ["--assignment", "hw05_lstm", "--out", str(tmp_path / f"out{k}"), "--jobs", "2"]
        runs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for p in runs:
        _, err = p.communicate(timeout=900)
        assert p.returncode == 0, err.decode()[-3000:]
    uids = []
    for k in range(2):
        got = [results(tmp_path / f"out{k}", f"copy{n}") for n in range(3)]
        assert [r["score"] for r in got] == [10.0] * 3, [r["output"] for r in got]
        assert not [r["output"] for r in got if "did not start" in r["output"]]
        assert not [r for r in got if "kernel died" in r["extra_data"]["flags"]]
        uids.append({r["extra_data"]["isolation"].split(",")[0] for r in got})
    if IS_ROOT:
        assert not uids[0] & uids[1], uids
