"""Print the course's speed figures: import time of course_lib, and each lesson's run time.

    python benchmarks/run.py                 import times and every lesson in notebooks/
    python benchmarks/run.py --lessons 01 05 only the lessons whose names start with these
    python benchmarks/run.py --no-lessons    import times only

Targets (printed beside the figures, never asserted): ``import course_lib`` and
``import course_lib.cells`` under 0.3 s without importing TensorFlow; lessons 01–06 under 60 s
and lesson 07 under 90 s on a 2-core CPU. Each lesson is executed from a clean kernel into a
temporary copy (the committed notebook is not touched), with ``COURSE_DATA_DIR`` as set in the
environment. Data loading is measured by ``benchmarks/bench_data.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORT_TARGET = 0.3
LESSON_TARGETS = {"07": 90.0}
DEFAULT_LESSON_TARGET = 60.0


def import_time(module: str, repeats: int = 5) -> tuple[float, bool]:
    """Median wall time of ``import module`` in a fresh interpreter, and whether TF got imported.

    The clock starts inside the fresh interpreter, so its own start-up is not counted.
    """
    code = (
        f"import sys, time; t = time.perf_counter(); import {module}; "
        "print(time.perf_counter() - t, 'tensorflow' in sys.modules)"
    )
    times, tf_loaded = [], False
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.split()
        times.append(float(out[0]))
        tf_loaded |= out[1] == "True"
    return statistics.median(times), tf_loaded


def lesson_time(path: Path) -> float:
    """Seconds to execute ``path`` from a clean kernel (nbconvert), in a temporary copy."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "jupyter",
                "nbconvert",
                "--to",
                "notebook",
                "--execute",
                "--inplace",
                "--ExecutePreprocessor.timeout=900",
                str(copy),
            ],
            cwd=path.parent,  # lessons run from notebooks/, as in JupyterLab
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lessons", nargs="*", help="prefixes of the lessons to time")
    parser.add_argument("--no-lessons", action="store_true", help="import times only")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    print(f"{'import':<28}{'median s':>10}{'target s':>10}  TensorFlow imported?")
    for module in ("course_lib", "course_lib.cells"):
        seconds, tf_loaded = import_time(module)
        print(f"{module:<28}{seconds:>10.3f}{IMPORT_TARGET:>10.1f}  {'YES' if tf_loaded else 'no'}")

    if args.no_lessons:
        return 0
    lessons = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if args.lessons:
        lessons = [p for p in lessons if any(p.name.startswith(x) for x in args.lessons)]
    source = os.environ.get("COURSE_DATA_DIR", "(unset: lesson 07 uses data/ or the default)")
    print(f"\nlessons (COURSE_DATA_DIR={source})")
    print(f"{'lesson':<28}{'seconds':>10}{'target s':>10}")
    for path in lessons:
        target = LESSON_TARGETS.get(path.name[:2], DEFAULT_LESSON_TARGET)
        try:
            seconds = lesson_time(path)
        except subprocess.CalledProcessError as exc:
            print(f"{path.stem:<28}{'FAILED':>10}{target:>10.0f}  {exc.stderr.decode()[-300:]}")
            continue
        print(f"{path.stem:<28}{seconds:>10.1f}{target:>10.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
