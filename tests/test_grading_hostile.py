"""Hostile submissions against the autograder (issue 8, §4, "Tests").

One batch, graded once with ``--jobs 2`` by the real command (``course.py grade``): the
reference solution, the empty exercise, two honest submissions written here independently
(one right, one with a missing output-gate bias), each placed several times between the
attacks, and every attack of :mod:`tests.hostile.attacks`. The tests then read what the
grader wrote:

- each attack scores no more than the empty exercise (in total and on ``lstm_step``);
- the controls score what a control batch (graded alone, without attacks) gives them: full
  marks for the solution and the right honest one, zero for the exercise, the same partial
  credit and message for the wrong one;
- the output folder, the course tree and the system are as they should be afterwards: every
  student has a results.json, the gradebook has exactly the batch's students, nothing says
  "hacked", nothing changes after the grader returned, no process an attack started is still
  alive, no payload ran as root.

Run with ``pytest tests/test_grading_hostile.py -m slow`` (several minutes: some attacks hang
until the grader's time limits stop them).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

import nbformat
import pytest

from course_lib.grading import hw05_lstm
from course_lib.grading.exercises import make_exercise
from tests.hostile import attacks as H

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "hw05_lstm.ipynb"
ASSIGNMENT = hw05_lstm.ASSIGNMENT
MAX = ASSIGNMENT.max_score

pytestmark = pytest.mark.slow

#: An LSTM step written here from the lecture's equations, numpy only (no course_lib).
HONEST_RIGHT = """
import numpy as np


def lstm_step(x_t, h_prev, c_prev, params):
    def gate(k):
        return x_t @ params["Wx_" + k] + h_prev @ params["Wh_" + k] + params["b_" + k]

    f = 1 / (1 + np.exp(-gate("f")))
    i = 1 / (1 + np.exp(-gate("i")))
    o = 1 / (1 + np.exp(-gate("o")))
    g = np.tanh(gate("g"))
    c_t = f * c_prev + i * g
    return o * np.tanh(c_t), c_t, {"f": f, "i": i, "o": o, "g": g}
"""
#: The same with one wrong term: the output gate's bias b_o is missing.
HONEST_WRONG = HONEST_RIGHT.replace(
    'o = 1 / (1 + np.exp(-gate("o")))',
    'o = 1 / (1 + np.exp(-(x_t @ params["Wx_o"] + h_prev @ params["Wh_o"])))',
)
assert HONEST_WRONG != HONEST_RIGHT

CONTROLS = ("solution", "exercise", "honest_right", "honest_wrong")

#: Where the controls sit among the attacks (the grader takes folders in sorted order).
CONTROL_SLOTS = (0, 17, 34, 51, 99)
GRADE_TIMEOUT = 1800
#: Limits for this batch, tighter than hw05's own (the attacks that hang cost a whole limit each;
#: the honest notebook runs in a few seconds).
CELL_TIMEOUT, NOTEBOOK_TIMEOUT = 20, 60
LIMITS = ["--cell-timeout", str(CELL_TIMEOUT), "--timeout", str(NOTEBOOK_TIMEOUT)]


def _honest(exercise, source: str):
    nb = copy.deepcopy(exercise)
    k = H._find_def(nb, "lstm_step")
    nb.cells[k].source = source
    # the other three parts as the solution writes them (their code is not under attack)
    sol = nbformat.read(SOLUTION, as_version=4)
    for name in ("init_lstm_params", "memory_left", "half_life"):
        nb.cells[H._find_def(nb, name)].source = sol.cells[H._find_def(sol, name)].source
    return nb


def _control_notebooks(exercise, solution, token: str) -> dict:
    nbs = {
        "solution": copy.deepcopy(solution),
        "exercise": copy.deepcopy(exercise),
        "honest_right": _honest(exercise, HONEST_RIGHT),
        "honest_wrong": _honest(exercise, HONEST_WRONG),
    }
    for nb in nbs.values():  # the token that persist_home's payload looks for
        nb.cells.append(nbformat.v4.new_markdown_cell(f"batch {token}"))
    return nbs


def _grade(submissions: Path, out: Path, jobs: int = 2) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(ROOT / "course.py"), "grade", str(submissions)]
    cmd += ["--assignment", ASSIGNMENT.name, "--out", str(out), "--jobs", str(jobs), "--quiet"]
    cmd += LIMITS
    return subprocess.run(cmd, capture_output=True, text=True, timeout=GRADE_TIMEOUT, cwd=ROOT)


def _snapshot(folder: Path) -> dict[str, str]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _token_pids(token: str) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if token.encode() in f.read():
                    pids.append(int(entry))
        except OSError:
            pass
    return pids


def _results(out: Path, student: str) -> dict:
    return json.loads((out / student / "results.json").read_text())


def _part(results: dict, name: str) -> dict:
    return next(t for t in results["tests"] if t["name"] == name)


def _by_folder(out: Path) -> dict[str, dict]:
    """Every results.json in ``out``, by the folder it was submitted as."""
    found = {}
    for rj in out.glob("*/results.json"):
        data = json.loads(rj.read_text())
        found[data["extra_data"].get("submitted_as", data["extra_data"]["student"])] = data
    return found


def _evidence(results: dict) -> dict:
    text = json.dumps(results)
    m = re.search(r"EVIDENCE<<(.*?)>>", text)
    if not m:
        return {}
    try:
        return json.loads(json.loads(f'"{m.group(1)}"'))
    except ValueError:
        return {"raw": m.group(1)[:200]}


class Batch:
    """The graded batch: folders, names, the grader's run, what was seen afterwards."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.token = "hostile" + secrets.token_hex(6)
        self.subs = tmp / "submissions"
        self.out = tmp / "out"
        self.canary = tmp / "canary"  # root-only: a payload running as root leaves a file here
        self.names: dict[str, str] = {}  # attack or control label -> folder name
        self.students: dict[str, str] = {}  # label -> student name the grader should use


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if not SOLUTION.exists():
        pytest.fail(f"{SOLUTION.relative_to(ROOT)} is missing: the attacks are built from it")
    tmp = Path(tempfile.mkdtemp(prefix="hostile-batch-"))
    os.chmod(tmp, 0o755)  # an instructor's folder: readable by others, as most are
    b = Batch(tmp)
    b.subs.mkdir()
    b.canary.mkdir(mode=0o700)
    solution = nbformat.read(SOLUTION, as_version=4)
    exercise = make_exercise(copy.deepcopy(solution), SOLUTION.name)
    controls = _control_notebooks(exercise, solution, b.token)
    base = H.Base(
        exercise=exercise,
        solution=solution,
        values={
            "__OUT__": repr(str(b.out)),
            "__ROOT__": repr(str(ROOT)),
            "__TOKEN__": b.token,
            "__CANARY__": repr(str(b.canary)),
        },
    )
    # the folders: controls at CONTROL_SLOTS, attacks in between, in sorted order
    order: list[tuple[str, object]] = []
    attacks = list(H.ATTACKS)
    for k in range(max(len(attacks), CONTROL_SLOTS[-1]) + 1):
        if k in CONTROL_SLOTS:
            order += [(f"{k:02d}z_{c}", c) for c in CONTROLS]
        if k < len(attacks):
            order.append((f"{k:02d}_{attacks[k].name}", attacks[k]))
    honest = next(name for name, what in order if what == "honest_wrong")
    for name, what in order:
        if isinstance(what, str):
            b.names[f"{name}"] = name
            b.students[name] = name
            H.write_submission(str(b.subs / name), controls[what])
            continue
        attack = what
        folder = (attack.folder or name).replace("{HONEST}", honest)
        content = H.build_notebook(attack, base)
        if isinstance(content, tuple):
            content = (content[0], content[1].replace("{HONEST}", honest))
        files = {k: base.fill(v, attack.name) for k, v in attack.files.items()}
        H.write_submission(str(b.subs / folder), content, files)
        b.names[attack.name] = folder
    # the control batch: the same controls graded alone, for the scores they should get
    ctrl_subs, ctrl_out = tmp / "control-submissions", tmp / "control-out"
    for c in CONTROLS:
        H.write_submission(str(ctrl_subs / c), controls[c])
    started = time.monotonic()
    b.control = _grade(ctrl_subs, ctrl_out)
    b.control_out = ctrl_out
    b.control_seconds = time.monotonic() - started
    started = time.monotonic()
    try:
        b.run = _grade(b.subs, b.out)
    except subprocess.TimeoutExpired as e:
        b.run = subprocess.CompletedProcess(e.cmd, "timeout", e.stdout or "", e.stderr or "")
    b.seconds = time.monotonic() - started
    b.snapshot = _snapshot(b.out) if b.out.exists() else {}
    time.sleep(8.0)  # time for a survivor to write after the grader returned
    b.snapshot_later = _snapshot(b.out) if b.out.exists() else {}
    b.survivors = _token_pids(b.token)
    b.results = _by_folder(b.out) if b.out.exists() else {}
    b.tree_canaries = [p for p in ROOT.rglob(f"hostile-{b.token}*")]
    b.root_ran = sorted(os.listdir(b.canary))
    b.gradebook_text = (
        (b.out / "gradebook.csv").read_text() if (b.out / "gradebook.csv").is_file() else None
    )
    _write_report(b)
    yield b
    for pid in b.survivors + _token_pids(b.token):  # processes this test's attacks started
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for p in b.tree_canaries:
        p.unlink(missing_ok=True)
    shutil.rmtree(tmp, ignore_errors=True)


def _write_report(b: Batch) -> None:
    """A table of every attack's outcome, kept beside the batch for the instructor's eyes."""
    lines = [f"grade: rc={b.run.returncode} in {b.seconds:.0f} s; survivors={b.survivors}"]
    for a in H.ATTACKS:
        try:
            r = b.results[b.names[a.name]]
            lstm = _part(r, "lstm_step")
            lines.append(
                f"{a.name:24s} score={r['score']:<5g} lstm={lstm['score']:<4g} "
                f"t={r['execution_time']:<6g} status={r['extra_data']['status'][:40]!r} "
                f"flags={r['extra_data']['flags']} ev={_evidence(r)} "
                f"msg={lstm['output'][:90]!r}"
            )
        except (KeyError, StopIteration) as e:
            lines.append(f"{a.name:24s} no results ({type(e).__name__})")
    text = "\n".join(lines) + "\n"
    Path(tempfile.gettempdir(), "hostile-report.txt").write_text(text)
    print(text)


# ------------------------------------------------------------------------------------------
# The attacks are real: they would pass the public checks a student sees
# ------------------------------------------------------------------------------------------


def _run_checks(source: str) -> tuple[bool, str]:
    ns: dict = {}
    exec(compile(source, "<hardcoded>", "exec"), ns)
    buf = io.StringIO()
    with redirect_stdout(buf):
        ok = all(
            [
                hw05_lstm.check_lstm_step(ns["lstm_step"]),
                hw05_lstm.check_init_lstm_params(ns["init_lstm_params"]),
                hw05_lstm.check_memory_left(ns["memory_left"]),
                hw05_lstm.check_half_life(ns["half_life"]),
            ]
        )
    return ok, buf.getvalue()


def test_hardcoded_answers_pass_the_public_checks():
    ok, printed = _run_checks(H.public_answers_source())
    assert ok, printed


def test_stored_outputs_show_passing_checks():
    solution = nbformat.read(SOLUTION, as_version=4)
    exercise = make_exercise(copy.deepcopy(solution), SOLUTION.name)
    nb = H._stored_outputs(H.Base(exercise, solution, {}))
    shown = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert shown.count("all passed") == 4
    assert "NotImplementedError" in nb.cells[H._find_def(nb, "lstm_step")].source


def test_honest_sources_are_right_and_wrong_in_process():
    """The honest controls do what they claim, checked here against the public check."""
    ns: dict = {}
    exec(HONEST_RIGHT, ns)
    with redirect_stdout(io.StringIO()):
        assert hw05_lstm.check_lstm_step(ns["lstm_step"])
    exec(HONEST_WRONG, ns)
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert not hw05_lstm.check_lstm_step(ns["lstm_step"])
    assert "b_o" in buf.getvalue() or "bias" in buf.getvalue()


# ------------------------------------------------------------------------------------------
# The batch
# ------------------------------------------------------------------------------------------


def test_grader_finished_the_batch(batch):
    assert batch.run.returncode == 0, (batch.run.stdout[-2000:], batch.run.stderr[-3000:])
    assert batch.gradebook_text is not None, "no gradebook.csv"


def test_control_batch_scores(batch):
    assert batch.control.returncode == 0, batch.control.stderr[-3000:]
    got = {c: _results(batch.control_out, c)["score"] for c in CONTROLS}
    assert got["solution"] == MAX
    assert got["honest_right"] == MAX
    assert got["exercise"] == 0
    assert 0 < got["honest_wrong"] < MAX
    msg = _part(_results(batch.control_out, "honest_wrong"), "lstm_step")["output"]
    assert "gate o" in msg and "bias" in msg, msg


def _control_params():
    for control in CONTROLS:
        for slot in CONTROL_SLOTS:
            yield pytest.param(control, slot, id=f"{control}-{slot}")


@pytest.mark.parametrize(("control", "slot"), list(_control_params()))
def test_controls_graded_normally_among_attacks(batch, control, slot):
    name = f"{slot:02d}z_{control}"
    want = _results(batch.control_out, control)
    path = batch.out / name / "results.json"
    assert path.is_file(), f"{name}: no results.json"
    got = json.loads(path.read_text())
    assert got["extra_data"]["student"] == name
    assert got["score"] == want["score"], (name, got["output"], got["tests"])
    for part in ASSIGNMENT.parts:
        g, w = _part(got, part.name), _part(want, part.name)
        assert g["score"] == w["score"], (name, part.name, g["output"])
    if control == "honest_wrong":
        assert _part(got, "lstm_step")["output"] == _part(want, "lstm_step")["output"]


def _exercise_score(batch) -> tuple[float, float]:
    r = _results(batch.control_out, "exercise")
    return r["score"], _part(r, "lstm_step")["score"]


@pytest.mark.parametrize("attack", H.ATTACKS, ids=lambda a: a.name)
def test_attack_scores_no_more_than_the_exercise(batch, attack):
    total0, lstm0 = _exercise_score(batch)
    folder = batch.names[attack.name]
    assert folder in batch.results, f"{attack.name}: no results.json submitted as {folder!r}"
    r = batch.results[folder]
    student = r["extra_data"]["student"]
    assert (batch.out / student / "results.json").is_file()
    what = f"{attack.name} ({attack.what}): {r['output'][:600]} {r['tests']}"
    assert r["score"] <= total0, what
    assert _part(r, "lstm_step")["score"] <= lstm0, what
    # never more than the limit of one submission (plus kernel start and shut-down)
    assert r["execution_time"] <= NOTEBOOK_TIMEOUT + 60, what


def test_gradebook_lists_exactly_the_batch(batch):
    from course_lib.grading.submissions import safe_name

    rows = list(csv.DictReader(io.StringIO(batch.gradebook_text or "")))
    got = {r["student"]: r for r in rows}
    # every folder is a student, under its safe name (made unique when two collide)
    assert len(rows) == len(os.listdir(batch.subs)), sorted(got)
    for name in os.listdir(batch.out):
        if (batch.out / name).is_dir():
            assert name in got, f"{name} has a folder in the output but no gradebook row"
    for folder in batch.names.values():
        assert batch.results[folder]["extra_data"]["student"] in got, folder
    # an exact name is the student's own, whatever other folders are called
    for folder in batch.names.values():
        if safe_name(folder) == folder and folder != "gradebook.csv":
            assert batch.results[folder]["extra_data"]["student"] == folder
    for r in rows:
        res = _results(batch.out, r["student"])
        assert float(r["score"]) == res["score"], r


def test_outputs_hold_nothing_an_attack_wrote(batch):
    for rel in batch.snapshot:
        text = (batch.out / rel).read_text(errors="replace")
        assert "hacked" not in text and batch.token not in text, rel
    assert not (batch.out / "zz_fake_student").exists()


def test_nothing_changes_after_the_grader_returned(batch):
    assert batch.snapshot_later == batch.snapshot


def test_no_process_of_an_attack_survives(batch):
    described = []
    for pid in batch.survivors:
        try:
            with open(f"/proc/{pid}/status") as f:
                uid = next(line for line in f if line.startswith("Uid:"))
            described.append((pid, uid.split()[1]))
        except (OSError, StopIteration):
            described.append((pid, "?"))
    assert not batch.survivors, f"still running after the batch: (pid, uid) {described}"


def test_course_tree_untouched(batch):
    assert not batch.tree_canaries, batch.tree_canaries


def test_no_payload_ran_as_root(batch):
    assert not batch.root_ran, batch.root_ran


def test_sandbox_was_in_force(batch):
    """The isolation the grader reports for a submission that ran (root machine)."""
    if os.geteuid() != 0:
        pytest.skip("not root: the grader cannot drop privileges here")
    r = _results(batch.out, f"{CONTROL_SLOTS[0]:02d}z_solution")
    assert "no network" in r["extra_data"]["isolation"], r["extra_data"]["isolation"]


def test_two_batches_at_once(tmp_path):
    """Two grader runs on the same machine at the same time: both grade normally."""
    solution = nbformat.read(SOLUTION, as_version=4)
    exercise = make_exercise(copy.deepcopy(solution), SOLUTION.name)
    controls = _control_notebooks(exercise, solution, "none")
    runs = []
    for k in range(2):
        subs = tmp_path / f"subs{k}"
        for c in ("solution", "honest_right"):
            for n in range(3):
                H.write_submission(str(subs / f"{c}{n}"), controls[c])
        cmd = [sys.executable, str(ROOT / "course.py"), "grade", str(subs), "--quiet"]
        cmd += ["--assignment", ASSIGNMENT.name, "--out", str(tmp_path / f"out{k}"), "--jobs", "2"]
        cmd += LIMITS
        runs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for p in runs:
        p.communicate(timeout=600)
    for k in range(2):
        out = tmp_path / f"out{k}"
        got = {s.name: _results(out, s.name)["score"] for s in (tmp_path / f"subs{k}").iterdir()}
        assert set(got.values()) == {MAX}, (k, got)


#: What an attack reported about the sandbox (its evidence), and what the sandbox must allow.
SANDBOX_LIMITS = {
    "network": lambda ev: ev["net"] == "none",
    "course_tree": lambda ev: ev["tree_created"] == 0 and ev["tree_writable"] == 0,
    "read_grader": lambda ev: ev["proc_read"] == "{}" and ev["uid"] != 0,
    "signal_grader": lambda ev: ev["signals_sent"] == 0,
    "steal_others": lambda ev: ev["stolen"] is False,
    "memory_hog": lambda ev: ev["gb"] <= ASSIGNMENT.memory / 2**30,
    "fork_many": lambda ev: 0 < ev["children"] < 400,
}


@pytest.mark.parametrize("name", sorted(SANDBOX_LIMITS))
def test_sandbox_stopped_what_the_attack_tried(batch, name):
    """The attack ran (its evidence came back) and the sandbox refused what it tried."""
    r = batch.results[batch.names[name]]
    ev = _evidence(r)
    assert ev, f"{name}: no evidence came back (did the attack run?): {r['output'][:500]}"
    assert SANDBOX_LIMITS[name](ev), (name, ev)
