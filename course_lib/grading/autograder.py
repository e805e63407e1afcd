"""The autograder: run each student's notebook in a sandbox, probe its functions, score.

Usage (also ``python -m course_lib.grading.autograder``; stable, other tools rely on it)::

    python3 course.py grade PATH... --assignment NAME --out DIR
                            [--jobs N] [--extra-checks DIR] [--seed S] [--quiet]
                            [--cell-timeout SECONDS] [--timeout SECONDS]
    python3 course.py grade --gradescope NAME [--out FILE.zip]

``--one-student``: each PATH folder is one student's submission (Gradescope's layout; the
student is the folder's name). ``--solutions DIR``: where the published solutions are (for the
plagiarism signals; default ``solutions/`` of the course). ``--quiet``: no progress bar.
Environment: ``COURSE_GRADER_NO_SANDBOX=1`` turns the isolation off (as without root);
``COURSE_GRADER_KERNEL_LOG=FILE`` appends the kernels' stderr to FILE (debugging).
``PATH``: a notebook (the student is its file stem), a folder of submissions (one notebook or
one folder per student; the student is the entry's name), or a git repository with one branch
per student (the student is the branch; branches are read with ``git show``, never checked
out). Exit status 0 when every submission was graded (whatever the scores), 2 on a usage error.

Files written:

- ``DIR/<student>/results.json``, Gradescope's format: ``score``, ``execution_time`` (s),
  ``output`` (isolation in force, seed, notes), ``visibility``, ``tests`` (one per part: ``name``,
  ``score``, ``max_score``, ``output``, ``visibility``), and ``extra_data`` (``student``,
  ``assignment``, ``seed``, ``isolation``, ``status``: ``graded`` or the reason nothing could be
  graded, ``flags``). Always written, even when the notebook crashes, times out, kills its
  kernel or is missing (score 0 and the reason).
- ``DIR/<student>/feedback.md``: per part score and message, cells that raised, notes.
- ``DIR/gradebook.csv``: ``student, score, max_score, <one column per part>, status, flags``
  (flags: plagiarism signals, tampering, time-outs; signals for the instructor, not penalties).

How a submission is graded (see README, "Grading"): its notebook and declared files are copied
into a fresh folder; stored outputs are cleared; the notebook runs in a fresh kernel started
through :mod:`course_lib.grading.sandbox` (own uid, no network, memory/process/file limits when
the grader is root) with ``allow_errors``, a per-cell and a per-submission time limit, and its
outputs size-capped in the grader's memory. Then one probe cell per function part
(:mod:`course_lib.grading.probe`) calls the student's function on inputs drawn now from a
generator seeded per student; the answers come back as capped JSON, parts that called course_lib
code outside ``FunctionPart.allowed`` score zero, the others are judged in this process. The
kernel is shut down, every process of the sandbox uid killed, the folder removed.

The kernel imports a copy of ``course_lib`` built once per batch (:mod:`.references`) in which
the assignment's reference implementations raise; the course's tree is hidden in the sandbox.
A part whose function raised that error scores zero ("calls the course's reference
implementation ..."). Student names come from :func:`.submissions.unique_names` (exact names
win, none is ``gradebook.csv``); ``DIR/gradebook.csv`` is written last, through a temporary
file, and a non-file in its place is refused before grading.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import hashlib
import importlib.util
import json
import os
import queue
import shutil
import stat
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from . import plagiarism, probe, references, sandbox, submissions
from .common import MAX_PLAIN_BYTES, Assignment, FunctionPart, GradingContext, Part, Verdict

ROOT = Path(sandbox.COURSE_ROOT)
#: Output kept per submission in the grader's memory (all cells together), in characters.
MAX_OUTPUT_CHARS = 1_000_000
#: Largest single message accepted from a kernel (zmq drops the connection past it).
MAX_MESSAGE_BYTES = 32 * 2**20
#: Time each probe gets even when the submission's time limit has passed, in seconds.
PROBE_MIN_SECONDS = 10.0
#: Largest notebook file accepted.
MAX_NOTEBOOK_BYTES = 50 * 2**20
_KERNEL_LOG = (
    open(os.environ["COURSE_GRADER_KERNEL_LOG"], "ab")
    if os.environ.get("COURSE_GRADER_KERNEL_LOG")
    else None
)


# ------------------------------------------------------------------------------------------
# The kernel: a jupyter_client manager whose kernel command goes through the sandbox launcher
# ------------------------------------------------------------------------------------------


def _kernel_classes():
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    class SandboxKernelManager(AsyncKernelManager):
        """Starts ``ipykernel`` through the sandbox launcher (see :mod:`.sandbox`)."""

        sandbox_prefix: list[str] = []

        def client(self, **kwargs):
            # messages over MAX_MESSAGE_BYTES never reach the grader's memory: zmq drops the
            # connection instead (and reconnects), so the cell's output is lost, not the grader
            import zmq
            import zmq.asyncio

            ctx = zmq.asyncio.Context()
            ctx.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
            kwargs.setdefault("context", ctx)
            return super().client(**kwargs)

        def format_kernel_cmd(self, extra_arguments=None):
            prefix = [a for a in self.sandbox_prefix]
            # the launcher copies the connection file into the sandbox for the kernel's user
            prefix[-1:-1] = ["--connection-file", os.path.realpath(self.connection_file)]
            return [
                *prefix,
                "python",
                "-m",
                "ipykernel_launcher",
                "-f",
                "{connection_file}",
                *(extra_arguments or []),
            ]

    class CappedClient(NotebookClient):
        """A NotebookClient that keeps at most ``budget`` characters of outputs in memory."""

        budget = MAX_OUTPUT_CHARS
        dropped = False
        idle_seen = False

        def process_message(self, msg, cell, cell_index):
            content = msg.get("content", {})
            if msg.get("msg_type") == "status" and content.get("execution_state") == "idle":
                self.idle_seen = True
            return super().process_message(msg, cell, cell_index)

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            size = len(str(content.get("text", ""))) + sum(
                len(str(v)) for v in content.get("data", {}).values()
            )
            size += sum(len(str(t)) for t in content.get("traceback", []) or [])
            if size > self.budget:
                if not self.dropped:
                    self.dropped = True
                    outs.append(
                        {"output_type": "stream", "name": "stderr", "text": "[output truncated]\n"}
                    )
                return None
            self.budget -= size
            return super().output(outs, msg, display_id, cell_index)

    return SandboxKernelManager, CappedClient


# ------------------------------------------------------------------------------------------
# One submission
# ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    """What executing one notebook produced (grader side, plain data only)."""

    errors: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    flags: list[str] = dataclasses.field(default_factory=list)
    answers: dict[str, dict] = dataclasses.field(default_factory=dict)
    kernel_alive: bool = False
    isolation: str = ""


def _student_seed(seed: int, student: str) -> np.random.Generator:
    salt = int.from_bytes(hashlib.sha256(student.encode()).digest()[:8], "big")
    return np.random.default_rng(np.random.SeedSequence([seed, salt]))


def _read_notebook(path: Path):
    import nbformat

    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"the notebook is {path.stat().st_size:,} bytes (over the limit)")
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def _stdout_of(cell) -> str:
    return "".join(
        o.get("text", "")
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )


async def _execute(
    nb, workdir: Path, assignment: Assignment, probes, slot: int, hide, run: Run, course_copy=None
):
    """Run the notebook's cells, then the probes, in a sandboxed kernel.

    If the kernel dies (an ``os._exit``, a crash, a time-out whose interrupt kills it) or its
    output channel is lost (a message over :data:`MAX_MESSAGE_BYTES`), a fresh kernel runs the
    notebook again without that cell (and without the cells that timed out), at most twice,
    so that what can be graded is graded.
    """
    deadline = time.monotonic() + assignment.timeout
    skip: set[int] = set()
    for attempt in range(3):
        try:
            died_at = await _attempt(
                nb,
                workdir,
                assignment,
                probes,
                slot,
                hide,
                run,
                deadline,
                skip,
                attempt,
                course_copy,
            )
        except RuntimeError as e:  # the kernel did not start (died before kernel_info)
            if attempt == 2:
                raise
            run.notes.append(f"the kernel did not start ({e}); started again")
            sandbox.kill_uid(sandbox.uid_for(slot))
            continue
        if died_at is None:
            return
        skip.add(died_at)
        if time.monotonic() > deadline - 5:
            return
        run.notes.append(f"the notebook ran again in a fresh kernel, without cells {sorted(skip)}")
        run.answers.clear()
        sandbox.kill_uid(sandbox.uid_for(slot))


async def _attempt(
    nb, workdir, assignment, probes, slot, hide, run, deadline, skip, attempt, course_copy=None
):
    """One kernel's run: the cells (except ``skip``), then the probes. Returns the index of
    the cell during which the kernel died (it adds cells that timed out to ``skip``), or None."""
    import subprocess

    import nbformat
    from jupyter_core.utils import ensure_async
    from nbclient.exceptions import DeadKernelError

    SandboxKernelManager, CappedClient = _kernel_classes()
    isolated, how = sandbox.isolation_available()
    uid = sandbox.uid_for(slot)
    if isolated and how.startswith("uid "):  # the check's uid -> this kernel's
        how = f"uid {uid}," + how.split(",", 1)[-1]
    run.isolation = how if isolated else f"not isolated ({how})"
    # nothing of an earlier sandbox of this uid may live on (it would count against the new
    # kernel's process limit, or kill it while it starts)
    sandbox.kill_uid(uid)
    km = SandboxKernelManager(
        transport="ipc" if isolated else "tcp",
        ip=str(workdir / f".kernel{attempt}") if isolated else "127.0.0.1",
    )
    km.sandbox_prefix = sandbox.launcher_argv(
        str(workdir),
        slot,
        memory=assignment.memory,
        hide=hide,
        isolate=isolated,
        course_copy=course_copy,
    )
    cell_timeout = {"value": assignment.cell_timeout}
    nb = nbformat.from_dict(nb)  # a fresh copy per attempt
    client = CappedClient(
        nb,
        km=km,
        timeout=int(assignment.cell_timeout),
        timeout_func=lambda cell: max(1, int(cell_timeout["value"])),
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeoutError", "evalue": "time limit", "traceback": []},
        kernel_name="python3",
        startup_timeout=120,
        iopub_timeout=5,
        record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    died_at = None
    timed_out: list[int] = []
    try:
        async with client.async_setup_kernel(
            cwd=str(workdir), stdout=subprocess.DEVNULL, stderr=_KERNEL_LOG or subprocess.DEVNULL
        ):
            run.kernel_alive = True
            msg_id = await ensure_async(client.kc.kernel_info())
            await client.async_wait_for_reply(msg_id)
            stopped = None
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or index in skip:
                    continue
                left = deadline - time.monotonic()
                if left <= 1:
                    stopped = index
                    break
                cell_timeout["value"] = min(assignment.cell_timeout, left)
                started = time.monotonic()
                client.idle_seen = False
                try:
                    await client.async_execute_cell(cell, index)
                except DeadKernelError:
                    run.kernel_alive = False
                    died_at = index
                    run.errors.append(f"cell {index}: the kernel died (exit, crash or memory)")
                    run.flags.append("kernel died")
                    break
                seconds = time.monotonic() - started
                if not client.idle_seen and seconds < cell_timeout["value"] - 0.05:
                    # its output went over MAX_MESSAGE_BYTES: zmq dropped the output channel
                    run.kernel_alive = False
                    died_at = index
                    run.errors.append(
                        f"cell {index}: printed more than {MAX_MESSAGE_BYTES // 2**20} MiB at "
                        "once; its output was cut off"
                    )
                    run.flags.append("output flood")
                    break
                if seconds >= cell_timeout["value"] - 0.05:
                    skip.add(index)
                    timed_out.append(index)
                    run.errors.append(f"cell {index}: stopped after {seconds:.0f} s (time limit)")
                    run.flags.append("cell timed out")
                    continue
                for out in cell.get("outputs", []):
                    if out.get("output_type") == "error":
                        ename = out.get("ename", "")
                        evalue = str(out.get("evalue", ""))[:300]
                        run.errors.append(f"cell {index}: {ename}: {evalue}")
            if stopped is not None:
                run.errors.append(
                    f"the notebook's time limit ({assignment.timeout:.0f} s) was reached: "
                    f"cells from {stopped} on did not run"
                )
                run.flags.append("submission timed out")
            state = await _resync(client, nb, cell_timeout) if run.kernel_alive else "dead"
            if run.kernel_alive and probes and state != "ok":
                # the kernel is still busy with a cell that ignored the interrupt, or its
                # output channel is lost (a flood zmq cut off): run again without the cell
                # to blame, the last that timed out or else the last that ran
                ran = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and i not in skip]
                blame = timed_out[-1] if timed_out else (ran[-1] if ran else None)
                if state == "lost":
                    run.errors.append(f"the kernel's output was lost after cell {blame}")
                    run.flags.append("output flood")
                else:
                    run.errors.append(f"the kernel was still busy with cell {blame}")
                if attempt < 2 and blame is not None:
                    died_at = blame
                probes = []
            if run.kernel_alive and probes:
                for part, calls in probes:
                    nonce = probe.new_nonce()
                    cell = nbformat.v4.new_code_cell(
                        probe.probe_source(part.function, calls, nonce)
                    )
                    # the submission's time limit bounds the probes too, but each probe
                    # gets a little time even after it (a slow honest notebook is still graded)
                    limit = min(
                        assignment.cell_timeout,
                        max(PROBE_MIN_SECONDS, deadline - time.monotonic()),
                    )
                    cell_timeout["value"] = limit
                    client.budget = 4 * MAX_PLAIN_BYTES
                    client.dropped = False
                    nb.cells.append(cell)
                    started = time.monotonic()
                    try:
                        await client.async_execute_cell(cell, len(nb.cells) - 1)
                    except DeadKernelError:
                        run.kernel_alive = False
                        run.answers[part.name] = {"error": "the kernel died while it was called"}
                        break
                    answer = probe.parse_answer(_stdout_of(cell), nonce, len(calls))
                    if time.monotonic() - started >= limit - 0.05:
                        answer = {"error": f"no answer within {limit:.0f} s"}
                        if timed_out and attempt == 0:
                            # still busy with a cell that ignored the interrupt: run again
                            died_at = timed_out[-1]
                            break
                    run.answers[part.name] = answer
                    cell.outputs = []
    finally:
        try:
            if await km.is_alive():
                await km.shutdown_kernel(now=True)
        except Exception:
            pass
        sandbox.kill_uid(sandbox.uid_for(slot))
        try:
            await km.cleanup_resources()
        except Exception:
            pass
        if client.kc is not None:
            client.kc.stop_channels()
            client.kc.context.destroy(linger=0)
        import atexit

        atexit.unregister(client._cleanup_kernel)
    return died_at


async def _resync(client, nb, cell_timeout) -> str:
    """Check that the kernel answers and that its output reaches us, before the probes.

    After a message over :data:`MAX_MESSAGE_BYTES` zmq drops the output connection, which
    need not recover (the kernel may keep re-sending what is queued). A few cells that print a
    token tell: ``"ok"``, ``"lost"`` (replies come, output does not), ``"busy"`` (no reply in
    5 s: still running a cell that ignored the interrupt) or ``"dead"``.
    """
    import nbformat
    from nbclient.exceptions import DeadKernelError

    cell_timeout["value"] = 5.0
    iopub_timeout, client.iopub_timeout = client.iopub_timeout, 2
    try:
        for _ in range(3):
            token = probe.new_nonce()
            cell = nbformat.v4.new_code_cell(f"print({token!r})")
            client.budget = 10_000
            client.dropped = False
            nb.cells.append(cell)
            started = time.monotonic()
            try:
                await client.async_execute_cell(cell, len(nb.cells) - 1)
            except DeadKernelError:
                return "dead"
            if token in _stdout_of(cell):
                return "ok"
            if time.monotonic() - started >= cell_timeout["value"] - 0.05:
                return "busy"
            await asyncio.sleep(0.5)
        return "lost"
    finally:
        client.iopub_timeout = iopub_timeout


def _run_sandboxed_factory(
    slot: int, assignment: Assignment, hide, private: Path, course_copy=None
):
    def run_sandboxed(argv, files=None, timeout=120):
        """Run ``argv`` in a fresh sandbox folder holding copies of ``files`` (name -> path)."""
        isolated, _ = sandbox.isolation_available()
        work = Path(tempfile.mkdtemp(prefix="sandbox-run-"))
        out_dir = Path(tempfile.mkdtemp(prefix="run-", dir=private))
        try:
            for name, path in (files or {}).items():
                name = submissions.safe_name(Path(name).name)
                shutil.copyfile(path, work / name)
            argv = list(argv)
            cmd = (
                sandbox.launcher_argv(
                    str(work),
                    slot,
                    memory=assignment.memory,
                    hide=hide,
                    isolate=isolated,
                    course_copy=course_copy,
                )
                + argv
            )
            with open(out_dir / "out", "wb") as fo, open(out_dir / "err", "wb") as fe:
                proc = __import__("subprocess").Popen(
                    cmd,
                    stdout=fo,
                    stderr=fe,
                    stdin=__import__("subprocess").DEVNULL,
                    start_new_session=True,
                )
                try:
                    code = proc.wait(timeout=timeout)
                except __import__("subprocess").TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    code = -9
            sandbox.kill_uid(sandbox.uid_for(slot))
            cap = MAX_PLAIN_BYTES

            def read(p):
                with open(p, "rb") as f:
                    return f.read(cap).decode(errors="replace")

            err = read(out_dir / "err")
            lines = err.split("\n", 1)
            if lines and lines[0].startswith("sandbox isolation:"):
                err = lines[1] if len(lines) > 1 else ""
            if code == -9:
                err += f"\n[stopped after {timeout} s]"
            return code, read(out_dir / "out"), err
        finally:
            sandbox.kill_uid(sandbox.uid_for(slot))
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(out_dir, ignore_errors=True)

    return run_sandboxed


def _judge(part: Part, calls, answer, ctx) -> Verdict:
    if isinstance(part, FunctionPart):
        if answer is None:
            return Verdict(0.0, f"{part.function} could not be called: the notebook did not run")
        if answer.get("error"):
            return Verdict(0.0, f"{part.function} could not be called: {answer['error']}")
        outcomes = answer["outcomes"]
        if answer.get("tampered"):
            return Verdict(
                0.0,
                f"{part.function}: the grader's call recorder was removed or replaced while it "
                "ran (sys.setprofile); not graded",
            )
        if outcomes and all(o.get("error") == "missing" for o in outcomes):
            return Verdict(0.0, f"{part.function} is not defined in the notebook")
        stubbed = [n for o in outcomes for n in references.stubbed_names(o.get("error", ""))]
        if stubbed:
            return Verdict(
                0.0,
                f"{part.function} calls the course's reference implementation "
                f"{', '.join(sorted(set(stubbed)))} (not available while grading); "
                "write it yourself",
            )
        used = sorted({c for o in outcomes for c in o.get("course_lib_calls", [])})
        bad = [c for c in used if c not in part.allowed]
        public = [c for c in bad if not c.rsplit(".", 1)[-1].startswith("_")]
        bad = public or bad
        if bad:
            return Verdict(
                0.0,
                f"{part.function} calls the course's reference implementation {', '.join(bad)}; "
                "write it yourself",
            )
        return part.score(calls, outcomes, ctx)
    return part.score(calls, [], ctx)


class _Unreadable(Exception):
    """The submitted notebook cannot be read: a status, not a grader error."""


def grade_submission(
    sub: submissions.Submission,
    assignment: Assignment,
    seed: int,
    out: Path,
    slot: int,
    hide: tuple[str, ...],
    private: Path,
    regions: list[dict],
    course_copy: Path | None = None,
) -> dict:
    """Grade one submission; write its results.json and feedback.md; return a summary."""
    started = time.monotonic()
    rng = _student_seed(seed, sub.student)
    run = Run()
    verdicts: dict[str, Verdict] = {}
    status = "graded"
    fingerprint: dict[str, str] = {}
    workdir = None
    try:
        if sub.problem or sub.folder is None:
            status = sub.problem or "nothing to grade"
        else:
            try:
                nb = _read_notebook(sub.folder / assignment.notebook)
            except Exception as e:  # not JSON, not a notebook, too large
                raise _Unreadable(f"the notebook could not be read: {str(e)[:300]}") from None
            fingerprint = plagiarism.fingerprints(nb, regions) if regions else {}
            calls = {p.name: p.draw(rng) for p in assignment.parts}
            probes = [
                (p, calls[p.name])
                for p in assignment.parts
                if isinstance(p, FunctionPart) and p.function
            ]
            workdir = Path(tempfile.mkdtemp(prefix="grade-"))
            for f in sub.folder.iterdir():
                if f.name != assignment.notebook and f.is_file() and not f.is_symlink():
                    shutil.copyfile(f, workdir / f.name)
            import nbformat

            nbformat.write(nb, str(workdir / assignment.notebook))
            try:
                asyncio.run(_execute(nb, workdir, assignment, probes, slot, hide, run, course_copy))
            except Exception as e:
                run.errors.append(f"the notebook could not be run: {type(e).__name__}: {e}")
                status = "graded (the notebook could not be run to the end)"
            # nothing of the student's runs any more: what is left in its folder besides
            # regular files and folders (links, fifos, sockets) is removed before parts read it
            for dirpath, dirnames, filenames in os.walk(workdir):
                for name in dirnames + filenames:
                    p = os.path.join(dirpath, name)
                    mode = os.lstat(p).st_mode
                    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                        os.unlink(p)
            ctx = GradingContext(
                submission_dir=sub.folder,
                workdir=workdir,
                run_sandboxed=_run_sandboxed_factory(slot, assignment, hide, private, course_copy),
                rng=rng,
            )
            for part in assignment.parts:
                try:
                    verdicts[part.name] = _judge(
                        part, calls[part.name], run.answers.get(part.name), ctx
                    )
                except Exception as e:
                    verdicts[part.name] = Verdict(
                        0.0, f"could not be judged: {type(e).__name__}: {str(e)[:300]}"
                    )
            run.notes += ctx.log
            if any(
                v.message.startswith(f"{getattr(p, 'function', '')}: the grader's call recorder")
                for p in assignment.parts
                if (v := verdicts.get(p.name))
            ):
                run.flags.append("tampered with the grader's call recorder")
    except _Unreadable as e:
        status = str(e)
    except Exception as e:  # the grader itself failed on this submission: say so, go on
        status = f"grader error: {type(e).__name__}: {e}"
        run.errors.append(traceback.format_exc(limit=3)[-1500:])
    finally:
        if workdir is not None:
            sandbox.kill_uid(sandbox.uid_for(slot))
            shutil.rmtree(workdir, ignore_errors=True)
    if status != "graded" and not verdicts:
        verdicts = {p.name: Verdict(0.0, f"not graded: {status}") for p in assignment.parts}
    elapsed = time.monotonic() - started
    result = write_results(sub, assignment, verdicts, run, status, seed, elapsed, out)
    result["fingerprint"] = fingerprint
    return result


# ------------------------------------------------------------------------------------------
# Files written
# ------------------------------------------------------------------------------------------


def write_results(sub, assignment, verdicts, run, status, seed, elapsed, out: Path) -> dict:
    tests = []
    total = 0.0
    for part in assignment.parts:
        v = verdicts.get(part.name) or Verdict(0.0, "not graded")
        score = round(v.fraction * part.points, 4)
        total += score
        tests.append(
            {
                "name": part.name,
                "score": score,
                "max_score": float(part.points),
                "output": v.message,
                "visibility": part.visibility,
            }
        )
    lines = [
        f"{assignment.title}: {total:g} / {assignment.max_score:g}",
        f"isolation: {run.isolation or 'none (the notebook did not run)'}",
        f"seed: {seed}",
    ]
    if status != "graded":
        lines.append(f"status: {status}")
    lines += [f"error: {e}" for e in run.errors[:50]]
    lines += [f"note: {n}" for n in sub.notes + run.notes]
    results = {
        "score": round(total, 4),
        "execution_time": round(elapsed, 2),
        "output": "\n".join(lines),
        "visibility": "visible",
        "tests": tests,
        "extra_data": {
            "student": sub.student,
            "submitted_as": sub.submitted_as or sub.student,
            "assignment": assignment.name,
            "seed": seed,
            "isolation": run.isolation,
            "status": status,
            "flags": sorted(set(run.flags)),
        },
    }
    folder = out / sub.student
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / ".results.json.tmp"
    tmp.write_text(json.dumps(results, indent=2), encoding="utf-8")
    os.replace(tmp, folder / "results.json")
    (folder / "feedback.md").write_text(feedback(sub, assignment, results, run), encoding="utf-8")
    return {
        "student": sub.student,
        "score": results["score"],
        "max_score": assignment.max_score,
        "parts": {t["name"]: t["score"] for t in tests},
        "status": status,
        "flags": list(results["extra_data"]["flags"]),
        "seconds": elapsed,
    }


def feedback(sub, assignment, results, run) -> str:
    md = [
        f"# {assignment.title}",
        "",
        f"Student: **{sub.student}**. Score: **{results['score']:g} / {assignment.max_score:g}**.",
        "",
        "| part | score | max |",
        "|---|---|---|",
    ]
    md += [f"| {t['name']} | {t['score']:g} | {t['max_score']:g} |" for t in results["tests"]]
    md += ["", "## Messages", ""]
    for t in results["tests"]:
        md.append(f"- **{t['name']}** ({t['score']:g}/{t['max_score']:g}): {t['output']}")
    status = results["extra_data"]["status"]
    if status != "graded":
        md += ["", f"**Not graded normally:** {status}"]
    if run.errors:
        md += ["", "## Errors while the notebook ran", ""]
        md += [f"- {e}" for e in run.errors[:50]]
    notes = sub.notes + run.notes
    if notes:
        md += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    md += [
        "",
        f"_Isolation: {run.isolation or 'the notebook did not run'}. "
        f"Inputs drawn with seed {results['extra_data']['seed']}._",
        "",
    ]
    return "\n".join(md)


def write_gradebook(out: Path, assignment: Assignment, rows: list[dict]) -> Path:
    """``out/gradebook.csv`` (written to a temporary name, then renamed into place). No student
    folder can be called ``gradebook.csv`` (:data:`.submissions.RESERVED`)."""
    path = out / "gradebook.csv"
    tmp = out / "gradebook.csv.tmp"
    names = [p.name for p in assignment.parts]
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "score", "max_score", *names, "status", "flags"])
        for r in sorted(rows, key=lambda r: r["student"]):
            w.writerow(
                [
                    r["student"],
                    f"{r['score']:g}",
                    f"{r['max_score']:g}",
                    *(f"{r['parts'].get(n, 0):g}" for n in names),
                    r["status"],
                    "; ".join(r["flags"]),
                ]
            )
    os.replace(tmp, path)
    return path


# ------------------------------------------------------------------------------------------
# The batch
# ------------------------------------------------------------------------------------------


def load_extra_checks(folder: Path) -> list[Part]:
    """The ``PARTS`` of every ``*.py`` in ``folder`` (private checks, imported here)."""
    parts: list[Part] = []
    files = sorted(Path(folder).glob("*.py"))
    if not files:
        raise ValueError(f"--extra-checks {folder}: no .py file there")
    for k, path in enumerate(files):
        spec = importlib.util.spec_from_file_location(f"_extra_checks_{k}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found = getattr(module, "PARTS", None)
        if not isinstance(found, list | tuple) or not all(isinstance(p, Part) for p in found):
            raise ValueError(f"{path}: PARTS must be a list of Part objects")
        parts += list(found)
    return parts


def grade(
    paths,
    assignment: Assignment,
    out: Path,
    jobs: int = 1,
    seed: int | None = None,
    progress: bool = True,
    solutions_dir: Path | None = None,
    one_student: bool = False,
) -> list[dict]:
    """Grade every submission under ``paths`` into ``out``; return one summary row each."""
    from tqdm.auto import tqdm

    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for name in submissions.RESERVED:
        if (out / name).exists() and not (out / name).is_file():
            raise ValueError(f"{out / name} exists and is not a file: the gradebook goes there")
    if seed is None:
        seed = int.from_bytes(os.urandom(8), "big") >> 1
    private = Path(tempfile.mkdtemp(prefix="grader-"))  # mode 0700: the sandbox cannot read it
    solutions = solutions_dir or ROOT / "solutions"
    regions = plagiarism.load_solution_regions(solutions / assignment.notebook)
    hide = tuple(str(Path(p).resolve()) for p in [out, private, solutions, *paths])
    # the course_lib the kernels import: the assignment's references raise (read-only, shared
    # by the batch's sandboxes; the course's own folder is hidden from them)
    course_copy = Path(tempfile.mkdtemp(prefix="grader-course-"))
    try:
        references.build_course_copy(course_copy, references.for_assignment(assignment.name))
        subs = submissions.collect(
            paths, assignment.notebook, assignment.files, private, one_student=one_student
        )
        sandbox.isolation_available()  # measured once, before the workers start
        slots: queue.Queue[int] = queue.Queue()
        for k in range(max(1, jobs)):
            slots.put(k)

        def work(sub):
            slot = slots.get()
            try:
                return grade_submission(
                    sub, assignment, seed, out, slot, hide, private, regions, course_copy
                )
            except BaseException as e:  # never lose a student: write a zero with the reason
                run = Run(errors=[f"grader error: {type(e).__name__}: {e}"])
                status = f"grader error: {type(e).__name__}"
                verdicts = {p.name: Verdict(0.0, status) for p in assignment.parts}
                row = write_results(sub, assignment, verdicts, run, status, seed, 0.0, out)
                row["fingerprint"] = {}
                return row
            finally:
                slots.put(slot)

        rows: list[dict] = []
        bar = tqdm(
            total=len(subs), desc=f"grading {assignment.name}", unit="student", disable=not progress
        )
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(work, s) for s in subs]
            for fut in as_completed(futures):
                row = fut.result()
                rows.append(row)
                bar.set_postfix_str(f"{row['student']}: {row['score']:g}/{row['max_score']:g}")
                bar.update()
        bar.close()
        signals = plagiarism.flags({r["student"]: r.pop("fingerprint", {}) for r in rows})
        for r in rows:
            r["flags"] = r["flags"] + signals.get(r["student"], [])
        write_gradebook(out, assignment, rows)
        return rows
    finally:
        shutil.rmtree(private, ignore_errors=True)
        shutil.rmtree(course_copy, ignore_errors=True)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="course.py grade",
        description="Grade homework submissions in a sandbox (see README, 'Grading').",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="notebook, folder or git repository")
    p.add_argument("--assignment", help="the assignment's name, e.g. hw05_lstm")
    p.add_argument("--out", help="output folder (or, with --gradescope, the zip file)")
    p.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    p.add_argument("--extra-checks", help="folder of private checks (*.py defining PARTS)")
    p.add_argument("--seed", type=int, default=None, help="seed of the drawn inputs")
    p.add_argument("--gradescope", metavar="NAME", help="write Gradescope's autograder zip")
    p.add_argument(
        "--one-student",
        action="store_true",
        help="each PATH folder is one student's submission (as on Gradescope)",
    )
    p.add_argument("--solutions", help="folder of the published solutions (plagiarism signals)")
    p.add_argument(
        "--cell-timeout",
        type=float,
        default=None,
        help="seconds per cell and per probe (default: the assignment's)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds for a whole notebook (default: the assignment's)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    from .assignments import NAMES, get

    args = parser().parse_args(argv)
    try:
        if args.gradescope:
            from .gradescope import write_archive

            name = args.gradescope
            get(name)  # a clear error for an unknown name
            target = Path(args.out or f"{name}-gradescope.zip")
            write_archive(name, target)
            print(f"wrote {target}")
            return 0
        if not args.paths or not args.assignment or not args.out:
            parser().print_usage(sys.stderr)
            print(
                "grade: give PATH..., --assignment NAME and --out DIR "
                f"(assignments: {', '.join(NAMES)})",
                file=sys.stderr,
            )
            return 2
        assignment = get(args.assignment)
        if args.extra_checks:
            extra = load_extra_checks(Path(args.extra_checks))
            assignment = dataclasses.replace(assignment, parts=[*assignment.parts, *extra])
        if args.jobs < 1:
            raise ValueError("--jobs must be at least 1")
        limits = {}
        for name in ("cell_timeout", "timeout"):
            value = getattr(args, name)
            if value is not None:
                if not value > 0:
                    raise ValueError(f"--{name.replace('_', '-')} must be a positive number")
                limits[name] = float(value)
        if limits:
            assignment = dataclasses.replace(assignment, **limits)
        rows = grade(
            args.paths,
            assignment,
            Path(args.out),
            jobs=args.jobs,
            seed=args.seed,
            progress=not args.quiet,
            solutions_dir=Path(args.solutions) if args.solutions else None,
            one_student=args.one_student,
        )
    except (ValueError, FileNotFoundError) as e:
        print(f"grade: {e}", file=sys.stderr)
        return 2
    out = Path(args.out)
    print(
        f"graded {len(rows)} submission(s) of {assignment.name}; gradebook: {out / 'gradebook.csv'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
