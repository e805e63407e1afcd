"""The pt-BR edition: complete catalogues, current Portuguese notebooks, and the machinery that
keeps them in step with the English (a changed English text turns its entry fuzzy)."""

from __future__ import annotations

import ast
import json

import pytest
from babel.messages.pofile import read_po

import course_lib
from course_lib import i18n
from course_lib.i18n import catalogues, glossary
from course_lib.i18n import notebooks as nbs


@pytest.fixture(scope="module")
def plan():
    return catalogues.plan()


def _problems(plan, *words):
    return [str(p) for p in plan.problems if any(w in p.what for w in words)]


# -- the committed edition -----------------------------------------------------------------------


def test_no_catalogue_has_a_missing_fuzzy_or_broken_entry(plan):
    found = _problems(plan, "missing translation", "fuzzy", "placeholders differ")
    assert not found, f"{len(found)} entries to translate:\n" + "\n".join(found[:40])


def test_every_english_text_has_its_entry(plan):
    # a catalogue that a refresh would change lacks an English text (or still holds a removed one)
    found = _problems(plan, "catalogue needs a refresh")
    assert not found, "run python3 course.py translate:\n" + "\n".join(found)


def test_portuguese_notebooks_are_generated_from_the_current_catalogues_and_executed(plan):
    found = _problems(plan, "stale", "not generated", "not executed", "cell ")
    assert not found, "run python3 course.py translate:\n" + "\n".join(found)


def test_every_lesson_and_homework_has_its_portuguese_edition():
    sources = nbs.source_notebooks()
    names = {p.name for p in sources}
    assert {"05_lstm.ipynb", "08_beyond.ipynb", "hw07_stock_gru.ipynb"} <= names
    for source in sources:
        assert nbs.translated_path(source).exists(), source.name
        assert nbs.notebook_catalogue_path(source).exists(), source.name


@pytest.mark.parametrize("source", nbs.source_notebooks(), ids=lambda p: p.stem)
def test_portuguese_notebook_sets_the_language_before_its_first_code(source):
    cells = json.loads(nbs.translated_path(source).read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert "".join(code[0]["source"]) == nbs.LANGUAGE_CELL
    assert all("set_language" not in "".join(c["source"]) for c in code[1:])


def test_glossary_is_current_and_every_term_is_in_its_lesson_in_both_languages():
    assert glossary.notebook_is_current(), "run python3 course.py translate"
    terms = glossary.read_glossary()
    assert len(terms) >= 40 and len({t.en.casefold() for t in terms}) == len(terms)
    assert not glossary.term_problems(terms)


@pytest.mark.parametrize(
    "source", nbs.source_notebooks(), ids=lambda p: p.stem
)  # both editions link to the glossary
def test_every_notebook_links_to_the_glossary(source):
    for path in (source, nbs.translated_path(source)):
        first = json.loads(path.read_text(encoding="utf-8"))["cells"][0]
        assert "glossary.ipynb)" in "".join(first["source"]), path.name


# -- the machinery -------------------------------------------------------------------------------


def _notebook(*cells):
    def cell(kind, source):
        extra = {"outputs": [], "execution_count": 3} if kind == "code" else {}
        return {"cell_type": kind, "metadata": {}, "source": source, **extra}

    return {"cells": [cell(k, s) for k, s in cells], "metadata": {}, "nbformat": 4}


LESSON = _notebook(
    (
        "markdown",
        "# Lesson 99 — Gates\n\nThe forget gate $f_t$ keeps memory.\n\n$$c_t = f_t c_{t-1}$$",
    ),
    (
        "markdown",
        "```python\nx = 1  # code in prose\n```\n\nSee [hw99](../exercises/hw99_x.ipynb).",
    ),
    (
        "code",
        "import numpy as np\n\n"
        "# the forget gate keeps\n# most of the memory\n"
        'table = {"close": 1.0}  # a key, not prose\n'
        "print(f\"kept {table['close']:.2f} of the memory\")\n"
        "### BEGIN SOLUTION\n"
        'assert table, "the table is empty"\n',
    ),
)


def _entries(notebook):
    return [m.id for m in nbs.notebook_template(notebook, "99_gates.ipynb") if m.id]


def test_entries_are_paragraphs_comments_and_shown_strings_only():
    entries = _entries(LESSON)
    assert entries == [
        "# Lesson 99 — Gates",
        "The forget gate $f_t$ keeps memory.",
        "See [hw99](../exercises/hw99_x.ipynb).",
        "the forget gate keeps\nmost of the memory",
        "a key, not prose",
        "kept {table['close']:.2f} of the memory",
        "the table is empty",
    ]  # not: the display maths, the fenced code, the dict key, nbgrader's marker


def _translated(notebook, translations, stems=("hw99_x",)):
    template = nbs.notebook_template(notebook, "99_gates.ipynb")
    for message in template:
        if message.id in translations:
            message.string = translations[message.id]
    return nbs.translate_notebook(notebook, template, "notebooks/99_gates.ipynb", stems)


PORTUGUESE = {
    "The forget gate $f_t$ keeps memory.": "O portão de esquecimento $f_t$ guarda a memória.",
    "See [hw99](../exercises/hw99_x.ipynb).": "Veja o [hw99](../exercises/hw99_x.ipynb).",
    "the forget gate keeps\nmost of the memory": "o portão de esquecimento\nguarda\nquase tudo",
    "kept {table['close']:.2f} of the memory": "guardou {table['close']:.2f} da memória",
}


def test_the_portuguese_notebook_replaces_texts_in_place_and_keeps_the_code():
    result = _translated(LESSON, PORTUGUESE)
    cells = [c["source"] for c in result["cells"]]
    assert cells[0].startswith("# Lesson 99 — Gates\n\nO portão de esquecimento $f_t$")
    assert cells[0].endswith("$$c_t = f_t c_{t-1}$$")  # the equation is untouched
    assert "Veja o [hw99](../exercises/hw99_x.pt-BR.ipynb)." in cells[1]  # link to the pt edition
    assert cells[2] == nbs.LANGUAGE_CELL
    code = cells[3]
    assert "# o portão de esquecimento\n# guarda\n# quase tudo\n" in code
    assert "print(f\"guardou {table['close']:.2f} da memória\")" in code
    assert 'table = {"close": 1.0}  # a key, not prose' in code  # untranslated stays English
    assert "### BEGIN SOLUTION" in code
    ast.parse(code)
    assert result["cells"][3]["outputs"] == [] and result["cells"][3]["execution_count"] is None


def test_a_changed_english_text_turns_its_entry_fuzzy_and_the_notebook_shows_the_english():
    old = nbs.notebook_template(LESSON, "99_gates.ipynb")
    for message in old:
        if message.id:
            message.string = PORTUGUESE.get(message.id, message.id)
    changed = json.loads(json.dumps(LESSON))
    changed["cells"][0]["source"] = changed["cells"][0]["source"].replace(
        "keeps memory", "keeps the memory"
    )
    new = catalogues.merged(nbs.notebook_template(changed, "99_gates.ipynb"), old)
    entry = new.get("The forget gate $f_t$ keeps the memory.")
    assert entry.fuzzy and entry.string == PORTUGUESE["The forget gate $f_t$ keeps memory."]
    problems = catalogues.entry_problems(new, "99_gates.po")
    assert [p.what for p in problems] == [
        "fuzzy (English changed) 'The forget gate $f_t$ keeps the memory.'"
    ]
    result = nbs.translate_notebook(changed, new, "99_gates.ipynb")
    assert "The forget gate $f_t$ keeps the memory." in result["cells"][0]["source"]


def test_missing_entries_and_lost_placeholders_are_reported():
    catalogue = nbs.notebook_template(LESSON, "99_gates.ipynb")
    for message in catalogue:
        if message.id:
            message.string = message.id
    catalogue.get("kept {table['close']:.2f} of the memory").string = "guardou da memória"
    catalogue.get("a key, not prose").string = ""
    whats = sorted(p.what for p in catalogues.entry_problems(catalogue, "x.po"))
    assert whats == [
        "missing translation of 'a key, not prose'",
        "placeholders differ in \"kept {table['close']:.2f} of the memory\"",
    ]


def test_refreshing_an_unchanged_catalogue_changes_no_byte(tmp_path):
    path = nbs.notebook_catalogue_path(nbs.source_notebooks()[0])
    first = catalogues.read_catalogue(path)
    again = catalogues.merged(
        nbs.notebook_template(nbs.read_notebook(nbs.source_notebooks()[0]), "01_perceptron.ipynb"),
        first,
    )
    assert catalogues.catalogue_bytes(again) == path.read_bytes()


@pytest.mark.parametrize("source", nbs.source_notebooks(), ids=lambda p: p.stem)
def test_an_empty_catalogue_gives_back_the_english_notebook(source):
    english = nbs.read_notebook(source)
    result = nbs.translate_notebook(english, catalogues.new_catalogue("x"), source.name)
    cells = [c for c in nbs.cell_sources(result) if c[1] != nbs.LANGUAGE_CELL]
    assert cells == nbs.cell_sources(english)


# -- set_language --------------------------------------------------------------------------------


def test_set_language_accepts_the_usual_spellings_and_rejects_others():
    try:
        assert [i18n.normalise_language(x) for x in ("pt_BR", "pt-br", "PT", "en")] == [
            "pt-BR",
            "pt-BR",
            "pt-BR",
            "en",
        ]
        with pytest.raises(ValueError, match="unknown language 'fr'.*'pt-BR'"):
            course_lib.set_language("fr")
        assert course_lib.get_language() == "en"
    finally:
        course_lib.set_language("en")


def test_library_texts_come_from_the_package_catalogues(portuguese):
    with i18n.catalogue_files("pt-BR")[0].open("rb") as handle:
        catalogue = read_po(handle)
    message = next(m for m in catalogue if m.id and m.string and not m.fuzzy)
    assert i18n._(message.id) == message.string
    assert i18n._("a text no catalogue has") == "a text no catalogue has"
    course_lib.set_language("en")
    assert i18n._(message.id) == message.id


def test_words_in_an_equations_text_labels_are_translated_its_symbols_kept():
    block = r"$$f_t = \sigma(z_f) \qquad \text{forget gate}$$"
    notebook = _notebook(("markdown", "$$c_t = f_t c_{t-1}$$"), ("markdown", block))
    assert _entries(notebook) == [block]  # the bare equation is not an entry
    catalogue = nbs.notebook_template(notebook, "99_gates.ipynb")
    catalogue.get(block).string = r"$$f_t = \sigma(z_f) \qquad \text{portão de esquecimento}$$"
    assert catalogues.entry_problems(catalogue, "x.po") == []
    catalogue.get(block).string = r"$$f_t = \sigma(z_{f}) \qquad \text{portão de esquecimento}$$"
    assert [p.what[:19] for p in catalogues.entry_problems(catalogue, "x.po")] == [
        "placeholders differ"
    ]
