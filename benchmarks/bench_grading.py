"""How long grading takes: one hw05 submission, one hw07 submission, a class of 30 hw05.

    .venv/bin/python benchmarks/bench_grading.py [--class-size 30] [--jobs 2] [--skip-hw07]

Grades copies of the course's reference solutions (and, in the class, the generated exercise
for every other student) with the real autograder, sandbox included, and prints the wall-clock
times beside the targets of the course (20 s, 3 min, 5 min on 2 cores). Writes only to the
system temp dir.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course_lib.grading import autograder, get, sandbox  # noqa: E402

TARGETS = {"hw05": 20.0, "hw07": 180.0, "class": 300.0}


def _time_grading(paths, name: str, out: Path, jobs: int = 1) -> tuple[float, list[dict]]:
    started = time.perf_counter()
    rows = autograder.grade(paths, get(name), out, jobs=jobs, seed=0, progress=True)
    return time.perf_counter() - started, rows


def _report(label: str, seconds: float, target: float, rows: list[dict]) -> None:
    scores = ", ".join(f"{r['student']} {r['score']:g}/{r['max_score']:g}" for r in rows[:3])
    more = f" … ({len(rows)} students)" if len(rows) > 3 else ""
    verdict = "ok" if seconds <= target else "OVER TARGET"
    print(f"{label:<34} {seconds:7.1f} s   target {target:5.0f} s   {verdict}   {scores}{more}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--class-size", type=int, default=30)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--skip-hw07", action="store_true")
    args = p.parse_args(argv)
    isolated, how = sandbox.isolation_available()
    print(f"isolation: {how if isolated else 'none: ' + how}")
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        solution = ROOT / "solutions" / "hw05_lstm.ipynb"
        exercise = ROOT / "exercises" / "hw05_lstm.ipynb"
        one = work / "one" / "student.ipynb"
        one.parent.mkdir()
        shutil.copyfile(solution, one)
        seconds, rows = _time_grading([one], "hw05_lstm", work / "out-one")
        _report("one hw05 submission", seconds, TARGETS["hw05"], rows)

        hw07 = ROOT / "solutions" / "hw07_stock_gru.ipynb"
        if not args.skip_hw07 and hw07.exists():
            folder = work / "hw07" / "student"
            folder.mkdir(parents=True)
            for f in [hw07, *(hw07.parent / n for n in get("hw07_stock_gru").files)]:
                if f.exists():
                    shutil.copyfile(f, folder / f.name)
            seconds, rows = _time_grading([folder.parent], "hw07_stock_gru", work / "out-07")
            _report("one hw07 submission", seconds, TARGETS["hw07"], rows)
        elif not args.skip_hw07:
            print("one hw07 submission: skipped (solutions/hw07_stock_gru.ipynb not written yet)")

        klass = work / "class"
        klass.mkdir()
        for k in range(args.class_size):
            shutil.copyfile(solution if k % 2 == 0 else exercise, klass / f"s{k:02d}.ipynb")
        seconds, rows = _time_grading([klass], "hw05_lstm", work / "out-class", jobs=args.jobs)
        _report(
            f"class of {args.class_size} hw05, --jobs {args.jobs}", seconds, TARGETS["class"], rows
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
