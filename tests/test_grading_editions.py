"""Grading the Portuguese edition: a student may work in ``<hw>.pt-BR.ipynb``; the grader finds
it (the edition the student changed, when a clone holds both) and scores it like the English."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from course_lib.grading import autograder, get
from course_lib.grading.submissions import _pick_notebook, editions, from_branch, from_folder

ROOT = Path(__file__).resolve().parents[1]


def test_editions_of_an_assignment_notebook():
    assert editions("hw05_lstm.ipynb") == ("hw05_lstm.ipynb", "hw05_lstm.pt-BR.ipynb")
    assert editions("hw05_lstm.pt-BR.ipynb") == ("hw05_lstm.ipynb", "hw05_lstm.pt-BR.ipynb")


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        ({"exercises/hw.pt-BR.ipynb"}, "exercises/hw.pt-BR.ipynb"),
        ({"exercises/hw.ipynb"}, "exercises/hw.ipynb"),
        (set(), "exercises/hw.ipynb"),  # nothing done: the English (it scores zero either way)
    ],
)
def test_of_two_editions_the_changed_one_is_graded(changed, expected):
    paths = ["README.md", "exercises/hw.ipynb", "exercises/hw.pt-BR.ipynb", "notebooks/01.ipynb"]
    assert _pick_notebook(paths, "hw.ipynb", lambda p: p not in changed) == expected


def test_a_lone_portuguese_edition_is_found_anywhere():
    assert _pick_notebook(["work/hw.pt-BR.ipynb", "a.ipynb"], "hw.ipynb") == "work/hw.pt-BR.ipynb"


def _notebook(path: Path, code: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cell = {"cell_type": "code", "metadata": {}, "source": code, "outputs": [], "id": "c1"}
    cell["execution_count"] = None
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb), encoding="utf-8")


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def test_a_branch_that_changed_only_the_portuguese_edition_is_graded_on_it(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _notebook(repo / "exercises" / "hw.ipynb", "raise NotImplementedError()")
    _notebook(repo / "exercises" / "hw.pt-BR.ipynb", "raise NotImplementedError()  # pt")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "course")
    _git(repo, "checkout", "-q", "-b", "bia", "main")
    _notebook(repo / "exercises" / "hw.pt-BR.ipynb", "def f():\n    return 1")
    _git(repo, "commit", "-qam", "meu trabalho")
    sub = from_branch(repo, "bia", "refs/heads/bia", "hw.ipynb", (), tmp_path / "out")
    assert sub.problem is None
    assert "return 1" in (sub.folder / "hw.ipynb").read_text(encoding="utf-8")
    assert "graded exercises/hw.pt-BR.ipynb" in sub.notes


def test_a_folder_with_the_course_english_exercise_untouched_is_graded_on_the_portuguese(tmp_path):
    english = ROOT / "exercises" / "hw01_perceptron.ipynb"
    student = tmp_path / "caio"
    (student / "exercises").mkdir(parents=True)
    (student / "exercises" / english.name).write_bytes(english.read_bytes())
    _notebook(student / "exercises" / "hw01_perceptron.pt-BR.ipynb", "x = 1")
    sub = from_folder(student, "caio", "hw01_perceptron.ipynb", (), tmp_path / "out")
    assert "graded exercises/hw01_perceptron.pt-BR.ipynb" in sub.notes
    assert "x = 1" in (sub.folder / "hw01_perceptron.ipynb").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["hw01_perceptron"])  # the cheapest; the others as in English
def test_the_portuguese_reference_solution_full_marks_its_exercise_zero(name, tmp_path):
    solution = ROOT / "solutions" / f"{name}.pt-BR.ipynb"
    exercise = ROOT / "exercises" / f"{name}.pt-BR.ipynb"
    assignment = get(name)
    folder = tmp_path / "class"
    for student, nb in (("referencia", solution), ("exercicio", exercise)):
        (folder / student).mkdir(parents=True)
        (folder / student / nb.name).write_bytes(nb.read_bytes())
    out = tmp_path / "out"
    autograder.grade([folder], assignment, out, jobs=2, seed=7, progress=False)

    def results(student):
        return json.loads((out / student / "results.json").read_text(encoding="utf-8"))

    reference, empty = results("referencia"), results("exercicio")
    assert reference["score"] == assignment.max_score, reference["tests"]
    assert empty["score"] == 0.0, empty["tests"]
