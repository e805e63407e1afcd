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

This module grades one submission and the batch, and is the command line; running the notebook
and the probes in the sandboxed kernel is :mod:`.kernel`, the files written are :mod:`.reports`.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import importlib.util
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

from . import plagiarism, references, sandbox, submissions
from .common import Assignment, FunctionPart, GradingContext, Part, Verdict
from .kernel import (  # noqa: F401 - MAX_*, PROBE_MIN_SECONDS: the limits, named here too
    MAX_MESSAGE_BYTES,
    MAX_OUTPUT_CHARS,
    PROBE_MIN_SECONDS,
    Run,
    execute,
    run_sandboxed_factory,
)
from .reports import feedback, write_gradebook, write_results  # noqa: F401 - feedback

ROOT = Path(sandbox.COURSE_ROOT)
#: Largest notebook file accepted.
MAX_NOTEBOOK_BYTES = 50 * 2**20


# ------------------------------------------------------------------------------------------
# One submission
# ------------------------------------------------------------------------------------------


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
                asyncio.run(execute(nb, workdir, assignment, probes, slot, hide, run, course_copy))
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
                run_sandboxed=run_sandboxed_factory(slot, assignment, hide, private, course_copy),
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
