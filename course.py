#!/usr/bin/env python3
"""Set the course up and run it: ``python3 course.py lab`` or ``python3 course.py test``.

Both create the virtual environment ``.venv`` beside this file on first use and install
``requirements.txt`` into it (again whenever that file changes). Standard library only, so it
runs with any Python 3.11+ before anything is installed.

    python3 course.py lab             open the course in JupyterLab
    python3 course.py test [ARGS…]    run every test (unit tests, notebooks with nbval, browser
                                      tests); ARGS go to pytest, e.g. -x or tests/test_cells.py
    python3 course.py exercises       write exercises/ from solutions/ (the homework)
    python3 course.py grade PATH... --assignment NAME --out DIR [--jobs N]
                                      [--extra-checks DIR] [--seed S]
                                      grade submissions (README, "Grading")
    python3 course.py grade --gradescope NAME [--out FILE.zip]
                                      write Gradescope's autograder archive
    python3 course.py site [--out DIR] [--with-solutions]
                                      build the offline course site (default _site/): lessons
                                      with their explorers, slides, homework (README, "Course site")
    python3 course.py translate [--check] [--no-execute] [--only NAME…]
                                      refresh the pt-BR catalogues (locale/), regenerate and
                                      execute the Portuguese notebooks (README, "Português")
    python3 course.py setup           only create/update the environment
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements.txt"
STAMP = VENV / ".requirements.sha256"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def setup() -> Path:
    """Create ``.venv`` if needed and install the requirements if they changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before any venv exists
        sys.exit(f"The course needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    python = venv_python()
    if not python.exists():
        print(f"Creating the virtual environment in {VENV.name}/ …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("Installing requirements.txt (first time: a few minutes, TensorFlow is large) …")
        subprocess.run(
            [str(python), "-m", "pip", "install", "--upgrade", "pip"], cwd=ROOT, check=True
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "-r", str(REQUIREMENTS)], cwd=ROOT, check=True
        )
        STAMP.write_text(wanted)
    return python


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    if command not in ("lab", "test", "setup", "exercises", "grade", "site", "translate"):
        print(__doc__)
        return 2
    python = setup()
    if command == "setup":
        return 0
    if command == "lab":
        return subprocess.call(
            [str(python), "-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}", *args],
            cwd=ROOT,
        )
    if command == "exercises":
        return subprocess.call([str(python), "-m", "course_lib.grading.exercises", *args], cwd=ROOT)
    if command == "translate":
        return subprocess.call([str(python), "-m", "course_lib.i18n.catalogues", *args], cwd=ROOT)
    if command == "site":
        # --out stays relative to where the command was typed
        return subprocess.call([str(python), "-m", "course_lib.site", *args])
    if command == "grade":
        # paths stay relative to where the command was typed
        return subprocess.call([str(python), "-m", "course_lib.grading.autograder", *args])
    return subprocess.call([str(python), "-m", "pytest", *args], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
