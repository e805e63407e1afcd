"""Gradescope's autograder archive: ``python3 course.py grade --gradescope NAME``.

The zip holds, at its root (Gradescope unpacks it into ``/autograder/source``):

- ``setup.sh``: run once when the image is built; makes ``/autograder/venv`` and installs the
  course into it (``pip install -r requirements.txt``, which ends with ``-e .``);
- ``run_autograder``: run per submission, as root; grades ``/autograder/submission`` (one
  student's files, the notebook found as in a folder submission) with the course's own grader
  (``--one-student``) and copies the student's ``results.json`` to
  ``/autograder/results/results.json``. If the grader itself fails, it still writes a
  results.json with score 0 and the reason;
- the course's grader: the ``course_lib`` package, ``requirements.txt``, ``pyproject.toml``,
  ``README.md``, and ``solutions/<NAME>.ipynb`` (for the plagiarism signals).

The root ``/autograder`` can be moved with the environment variable ``AUTOGRADER_ROOT`` and
the interpreter with ``AUTOGRADER_PYTHON`` (a test runs ``run_autograder`` on a copy of
Gradescope's layout in a temporary folder).
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from .sandbox import COURSE_ROOT

ROOT = Path(COURSE_ROOT)

SETUP_SH = """#!/usr/bin/env bash
# Gradescope: install the course's grader once, when the autograder image is built.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source"
if ! command -v python3 >/dev/null || ! python3 -c 'import sys; assert sys.version_info >= (3, 11)'
then
    apt-get update && apt-get install -y python3 python3-venv python3-pip git
fi
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --upgrade pip
"$ROOT/venv/bin/python" -m pip install -r requirements.txt
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope: grade /autograder/submission into /autograder/results/results.json (as root).
set -u
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
PYTHON="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
WORK="$(mktemp -d)"
mkdir -p "$ROOT/results"
cd "$SOURCE"
PYTHONPATH="$SOURCE" "$PYTHON" -m course_lib.grading.autograder "$ROOT/submission" \\
    --one-student --assignment {name} --out "$WORK/out" --quiet --solutions "$SOURCE/solutions"
status=$?
found="$(ls "$WORK"/out/*/results.json 2>/dev/null | head -n 1)"
if [ -n "$found" ]; then
    cp "$found" "$ROOT/results/results.json"
else
    cat > "$ROOT/results/results.json" <<EOF
{{"score": 0, "output": "The grader could not grade this submission (exit status $status).",
 "tests": []}}
EOF
fi
rm -rf "$WORK"
exit 0
"""


def _course_files(name: str):
    """(path in the zip, path on disk) of the course's grader."""
    for base in ("course_lib",):
        for dirpath, dirnames, filenames in os.walk(ROOT / base):
            dirnames[:] = sorted(
                d for d in dirnames if d != "__pycache__" and not d.startswith(".")
            )
            for f in sorted(filenames):
                if f.endswith((".pyc", ".pyo")):
                    continue
                disk = Path(dirpath) / f
                yield disk.relative_to(ROOT).as_posix(), disk
    for f in ("requirements.txt", "pyproject.toml", "README.md"):
        if (ROOT / f).exists():
            yield f, ROOT / f
    solution = ROOT / "solutions" / f"{name}.ipynb"
    if solution.exists():
        yield f"solutions/{name}.ipynb", solution


def _add(zf: zipfile.ZipFile, arcname: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def write_archive(name: str, target: Path) -> Path:
    """Write the autograder zip for assignment ``name`` to ``target`` (deterministic bytes)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w") as zf:
        _add(zf, "setup.sh", SETUP_SH.encode(), executable=True)
        _add(zf, "run_autograder", RUN_AUTOGRADER.format(name=name).encode(), executable=True)
        for arcname, disk in _course_files(name):
            _add(zf, arcname, disk.read_bytes())
    return target


def extract(archive: Path, dest: Path) -> None:
    """Unpack like Gradescope does, keeping the executable bits."""
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            path = zf.extract(info, dest)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(path, mode)
