"""The course glossary, English <-> Brazilian Portuguese: ``notebooks/glossary.ipynb``.

Made by ``python3 course.py translate`` from ``locale/glossary.csv`` (columns ``en``, ``pt_BR``,
``lesson``: the notebook where the term is introduced) and never edited by hand. Every lesson and
homework of both editions links to it from its opening cell; a test checks that each English term
is in the English text of its lesson and each Portuguese term in the Portuguese edition.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .notebooks import ROOT, SUFFIX

GLOSSARY_CSV = ROOT / "locale" / "glossary.csv"
GLOSSARY_NOTEBOOK = ROOT / "notebooks" / "glossary.ipynb"


@dataclass(frozen=True)
class Term:
    en: str
    pt: str
    lesson: str  # stem of the notebook that introduces it: "05_lstm", "hw01_perceptron"


def read_glossary(path: Path = GLOSSARY_CSV) -> list[Term]:
    """The terms of ``path``; raises ``ValueError`` naming the line of a malformed row."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    terms = []
    for number, row in enumerate(rows, start=2):
        values = [(row.get(k) or "").strip() for k in ("en", "pt_BR", "lesson")]
        if not all(values):
            raise ValueError(f"{path.name}, line {number}: needs en, pt_BR and lesson: {row}")
        terms.append(Term(*values))
    return terms


def _lesson_links(stem: str) -> str:
    if stem.startswith("hw"):
        folder, label_pt, label_en = "../exercises/", "Trabalho", "Homework"
        number = stem[2:4]
    else:
        folder, label_pt, label_en = "", "Aula", "Lesson"
        number = stem[:2]
    portuguese = f"[{label_pt} {number}]({folder}{stem}{SUFFIX})"
    return f"{portuguese} · [{label_en} {number}]({folder}{stem}.ipynb)"


def _table(terms: list[Term], first: str) -> str:
    if first == "pt":
        head = "| Português | English | onde / where |\n|---|---|---|\n"
        rows = sorted(terms, key=lambda t: t.pt.casefold())
        lines = [f"| **{t.pt}** | {t.en} | {_lesson_links(t.lesson)} |" for t in rows]
    else:
        head = "| English | Português | where / onde |\n|---|---|---|\n"
        rows = sorted(terms, key=lambda t: t.en.casefold())
        lines = [f"| **{t.en}** | {t.pt} | {_lesson_links(t.lesson)} |" for t in rows]
    return head + "\n".join(lines)


def _markdown(source: str, slide: str = "slide") -> dict:
    return {
        "cell_type": "markdown",
        "metadata": {"slideshow": {"slide_type": slide}},
        "source": source,
    }


def glossary_notebook(terms: list[Term]) -> dict:
    """The glossary as a notebook of markdown cells: Portuguese -> English, then the reverse."""
    intro = (
        "# Glossário · Glossary\n\n"
        "Os termos do curso em português e em inglês, com a aula ou o trabalho onde cada um "
        "aparece pela primeira vez. Os símbolos das equações são os mesmos nas duas edições.\n\n"
        "The course's terms in Portuguese and English, with the lesson or homework where each is "
        "introduced. Equation symbols are the same in both editions.\n\n"
        "*Edição em português:* comece pela [Aula 01](01_perceptron.pt-BR.ipynb). "
        "*English edition:* start with [Lesson 01](01_perceptron.ipynb)."
    )
    cells = [
        _markdown(intro),
        _markdown("## Português → English\n\n" + _table(terms, "pt")),
        _markdown("## English → Português\n\n" + _table(terms, "en")),
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "course_translation": {"generated_from": "locale/glossary.csv"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def glossary_text(terms: list[Term]) -> str:
    """The notebook file's text, as ``nbformat`` writes it (ids are stable: ``glossary-N``)."""
    import nbformat

    notebook = nbformat.from_dict(glossary_notebook(terms))
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"glossary-{number}"
    return nbformat.writes(notebook) + "\n"


def notebook_is_current(path: Path = GLOSSARY_NOTEBOOK, csv_path: Path = GLOSSARY_CSV) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == glossary_text(
        read_glossary(csv_path)
    )


def write_glossary(path: Path = GLOSSARY_NOTEBOOK, csv_path: Path = GLOSSARY_CSV) -> bool:
    """Write the glossary notebook if it changed; return whether it was written."""
    if notebook_is_current(path, csv_path):
        return False
    path.write_text(glossary_text(read_glossary(csv_path)), encoding="utf-8")
    return True


def term_problems(terms: list[Term], root: Path = ROOT) -> list[str]:
    """Terms missing from their lesson: the English term from the English notebook, the
    Portuguese term from its Portuguese edition (case-insensitive, anywhere in the text, any
    line break counting as a space)."""
    problems = []
    for term in terms:
        folder = "solutions" if term.lesson.startswith("hw") else "notebooks"
        for language, suffix, word in (("en", ".ipynb", term.en), ("pt", SUFFIX, term.pt)):
            path = root / folder / (term.lesson + suffix)
            if not path.exists():
                problems.append(f"{term.en}: {path.relative_to(root)} does not exist")
                continue
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            text = " ".join("".join(c["source"]) for c in cells).casefold()
            text = re.sub(r"\s+", " ", text)  # a term may be broken across two lines
            if word.casefold() not in text:
                problems.append(f"{word!r} ({language}) is not in {path.relative_to(root)}")
    return problems
