"""The autograder's kernel: a sandboxed ipykernel that runs a notebook, then the probes.

:func:`execute` runs a submission's cells in a fresh kernel started through the sandbox
launcher (:mod:`.sandbox`), with a per-cell and a per-submission time limit and the outputs
size-capped in the grader's memory; then one probe cell per function part
(:mod:`.probe`) whose answer comes back as capped JSON into :class:`Run`. A kernel that dies,
or whose output channel is lost, is started again without the cell to blame (at most twice).
:func:`run_sandboxed_factory` runs any other command in the same kind of sandbox (used by parts
that evaluate a saved model). :mod:`.autograder` drives these per submission.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from . import probe, sandbox, submissions
from .common import MAX_PLAIN_BYTES, Assignment

#: Output kept per submission in the grader's memory (all cells together), in characters.
MAX_OUTPUT_CHARS = 1_000_000
#: Largest single message accepted from a kernel (zmq drops the connection past it).
MAX_MESSAGE_BYTES = 32 * 2**20
#: Time each probe gets even when the submission's time limit has passed, in seconds.
PROBE_MIN_SECONDS = 10.0
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


@dataclasses.dataclass
class Run:
    """What executing one notebook produced (grader side, plain data only)."""

    errors: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    flags: list[str] = dataclasses.field(default_factory=list)
    answers: dict[str, dict] = dataclasses.field(default_factory=dict)
    kernel_alive: bool = False
    isolation: str = ""


def stdout_of(cell) -> str:
    return "".join(
        o.get("text", "")
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )


async def execute(
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
                    answer = probe.parse_answer(stdout_of(cell), nonce, len(calls))
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
            if token in stdout_of(cell):
                return "ok"
            if time.monotonic() - started >= cell_timeout["value"] - 0.05:
                return "busy"
            await asyncio.sleep(0.5)
        return "lost"
    finally:
        client.iopub_timeout = iopub_timeout


def run_sandboxed_factory(slot: int, assignment: Assignment, hide, private: Path, course_copy=None):
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
                proc = subprocess.Popen(
                    cmd,
                    stdout=fo,
                    stderr=fe,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
                try:
                    code = proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
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
