"""The gettext catalogues of the pt-BR edition, and the Portuguese notebooks made from them.

    python3 course.py translate            refresh every catalogue, regenerate and execute the
                                           Portuguese notebooks whose text changed
    python3 course.py translate --check    change nothing; exit 1 if an entry is missing or
                                           fuzzy, or a Portuguese notebook is stale
    python3 course.py translate --no-execute   regenerate without running the notebooks
    python3 course.py translate --rerun    also execute the Portuguese notebooks that are current
                                           (after the library's own texts changed)

English is the source. Each lesson and homework notebook has one catalogue,
``locale/pt_BR/LC_MESSAGES/<notebook>.po``: one entry per paragraph of a markdown cell, per
comment (a block of consecutive comment lines is one entry) and per displayed string of a code
cell (what ``print`` shows, plot titles and labels, widget descriptions, assertion and error
messages, docstrings). ``msgid`` is the English text, ``msgstr`` the Portuguese. When an English
text changes, refreshing the catalogue keeps the old translation but marks the entry fuzzy (Babel's
``Catalog.update``), so it cannot silently stay stale; a translator edits the ``msgstr`` and removes
the ``fuzzy`` flag. The library's own texts (explorer labels, check messages) live in the
catalogues of the package, ``course_lib/i18n/locale/pt_BR/LC_MESSAGES/{course_lib,widgets,
grading}.po``, extracted from ``_()`` and ``N_()`` calls.

The Portuguese notebook ``<notebook>.pt-BR.ipynb`` is written beside the English one: the same
cells with the translated texts, links to other notebooks of the course pointing at their
Portuguese editions, and one first code cell ``course_lib.set_language("pt-BR")``. It is never
edited by hand.
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import io
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po, write_po

from . import LANGUAGES, LOCALE_DIR, glossary
from .notebooks import (
    LANGUAGE,
    ROOT,
    cell_sources,
    notebook_catalogue_path,
    notebook_template,
    read_notebook,
    source_notebooks,
    translate_notebook,
    translated_path,
)

PACKAGE = ROOT / "course_lib"
#: a fixed date in every header, so that refreshing an unchanged catalogue changes no byte
_DATE = _dt.datetime(2026, 12, 1, tzinfo=_dt.UTC)
_HEADER = "Recurrent networks, gate by gate: Brazilian Portuguese edition."
#: the library's catalogues: domain -> the package folders whose ``_()`` texts it holds
LIBRARY_DOMAINS = {"widgets": ("widgets",), "grading": ("grading",), "course_lib": ("",)}
_NOT_LIBRARY = ("i18n", "site_assets", "datasets", "widgets", "grading")

# -- the catalogue files ---------------------------------------------------------------------------


def new_catalogue(domain: str) -> Catalog:
    return Catalog(
        locale=LANGUAGES[LANGUAGE],
        domain=domain,
        header_comment=f"# {_HEADER}\n# Catalogue {domain!r}: see course_lib/i18n/catalogues.py.",
        project="course_lib",
        version="0.1",
        creation_date=_DATE,
        revision_date=_DATE,
        language_team="Portuguese (Brazil)",
        last_translator="course maintainers",
        charset="utf-8",
        msgid_bugs_address="the course's issue tracker",
        fuzzy=False,
    )


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=LANGUAGES[LANGUAGE])


def catalogue_bytes(catalogue: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer, catalogue, width=100, sort_output=False, include_lineno=False, ignore_obsolete=True
    )
    return buffer.getvalue()


def merged(template: Catalog, existing: Catalog | None) -> Catalog:
    """``template``'s entries with the translations of ``existing``: an entry whose English text
    changed keeps its old translation flagged fuzzy; entries no longer in the English go."""
    if existing is None:
        return template
    existing.update(template, update_creation_date=False)
    existing.creation_date = _DATE
    existing.revision_date = _DATE
    existing.fuzzy = False
    return existing


@dataclass
class Problem:
    """One reason a catalogue or a generated notebook is not ready."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def entry_problems(catalogue: Catalog, where: str) -> list[Problem]:
    """Missing (empty) and fuzzy entries, and translations whose ``{placeholders}`` differ."""
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        string = message.string or ""
        strings = [string] if isinstance(string, str) else list(string)
        short = msgid.replace("\n", " ")[:70]
        if not all(s.strip() for s in strings):
            problems.append(Problem(where, f"missing translation of {short!r}"))
        elif message.fuzzy:
            problems.append(Problem(where, f"fuzzy (English changed) {short!r}"))
        elif _placeholders(msgid) != _placeholders(strings[0]):
            problems.append(Problem(where, f"placeholders differ in {short!r}"))
    return problems


def _placeholders(text: str) -> list[str]:
    """Every top-level ``{...}`` group (format fields, f-string expressions, LaTeX arguments):
    a translation keeps them all, character for character, except the words of
    ``\\text{...}`` (and ``\\textit``, ``\\textbf``, ``\\emph``)."""
    text = re.sub(r"\\(text|textit|textbf|emph)\{[^{}]*\}", r"\\\1{}", text)
    groups, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "{":
            depth, start = depth + 1, (i if depth == 0 else start)
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                groups.append(text[start : i + 1])
    return sorted(g for g in groups if g not in ("{}", "{{}}"))


# -- the library ---------------------------------------------------------------------------------


def library_files(domain: str) -> list[Path]:
    """The package's Python files whose marked texts belong to ``domain``."""
    if domain == "course_lib":
        return sorted(
            p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] not in _NOT_LIBRARY
        )
    return sorted((PACKAGE / LIBRARY_DOMAINS[domain][0]).rglob("*.py"))


def library_template(domain: str) -> Catalog:
    """Every ``_()``/``N_()``/``ngettext()`` text of ``domain``'s files, as a catalogue."""
    catalogue = new_catalogue(domain)
    for path in library_files(domain):
        where = path.relative_to(ROOT).as_posix()
        for _line, message, comments, _context in extract_from_file(
            "python", str(path), keywords=DEFAULT_KEYWORDS, strip_comment_tags=True
        ):
            catalogue.add(message, locations=[(where, None)], auto_comments=comments)
    return catalogue


def library_catalogue_path(domain: str) -> Path:
    return LOCALE_DIR / LANGUAGES[LANGUAGE] / "LC_MESSAGES" / f"{domain}.po"


# -- the command ---------------------------------------------------------------------------------


@dataclass
class Plan:
    """What refreshing would change: catalogues whose bytes change, notebooks to regenerate."""

    catalogues: dict[Path, bytes]
    notebooks: dict[Path, dict]
    problems: list[Problem]


def plan(root: Path = ROOT, only: Sequence[str] | None = None, library: bool = True) -> Plan:
    """Compute, without writing anything, every catalogue and Portuguese notebook as they should
    be, and what is not ready. ``only``: just the notebooks whose name contains one of these;
    ``library``: include the library's catalogues."""
    catalogues: dict[Path, bytes] = {}
    problems: list[Problem] = []
    for domain in LIBRARY_DOMAINS if library else ():
        path = library_catalogue_path(domain)
        catalogue = merged(library_template(domain), _maybe_read(path))
        catalogues[path] = catalogue_bytes(catalogue)
        problems += entry_problems(catalogue, path.relative_to(ROOT).as_posix())
    notebooks: dict[Path, dict] = {}
    sources = source_notebooks(root)
    stems = [s.stem for s in sources]
    for source in sources:
        if only is not None and not _selected(source.stem, only, stems):
            continue
        name = source.relative_to(root).as_posix()
        english = read_notebook(source)
        path = notebook_catalogue_path(source, root / "locale")
        catalogue = merged(notebook_template(english, source.name), _maybe_read(path))
        catalogues[path] = catalogue_bytes(catalogue)
        problems += entry_problems(catalogue, path.relative_to(root).as_posix())
        wanted = translate_notebook(english, catalogue, name, stems)
        target = translated_path(source)
        notebooks[target] = wanted
        for number, (kind, text) in enumerate(cell_sources(wanted)):
            if kind == "code":
                try:
                    ast.parse(text)
                except SyntaxError as error:
                    problems.append(
                        Problem(path.relative_to(root).as_posix(), f"cell {number}: {error}")
                    )
        if not target.exists():
            problems.append(Problem(target.relative_to(root).as_posix(), "not generated"))
        elif cell_sources(read_notebook(target)) != cell_sources(wanted):
            problems.append(Problem(target.relative_to(root).as_posix(), "stale: regenerate it"))
        else:
            if _never_executed(read_notebook(target)):
                problems.append(Problem(target.relative_to(root).as_posix(), "not executed"))
    for path, data in catalogues.items():
        if not path.exists() or path.read_bytes() != data:
            problems.append(Problem(path.relative_to(root).as_posix(), "catalogue needs a refresh"))
    if library and only is None:
        where = glossary.GLOSSARY_NOTEBOOK.relative_to(ROOT).as_posix()
        if not glossary.notebook_is_current():
            problems.append(Problem(where, "stale: regenerate it"))
        terms = glossary.read_glossary()
        problems += [Problem("locale/glossary.csv", what) for what in glossary.term_problems(terms)]
    return Plan(catalogues, notebooks, problems)


def _selected(stem: str, only: Sequence[str], stems: Sequence[str]) -> bool:
    """``--only``: a full name (``05_lstm``) selects that notebook alone, a part of a name
    (``hw0``) every notebook whose name has it."""
    return any(stem == part or (part not in stems and part in stem) for part in only)


def _maybe_read(path: Path) -> Catalog | None:
    return read_catalogue(path) if path.exists() else None


def _never_executed(notebook: dict) -> bool:
    codes = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    return bool(codes) and all(c.get("execution_count") is None for c in codes)


#: lessons that compute what a student's fresh clone computes: their kernel runs without
#: COURSE_DATA_DIR (the same set as notebooks/conftest.py's, for nbval)
WITHOUT_DATA_DIR = {"07_bitcoin_lstm"}


def execute(path: Path, timeout: int = 1200) -> None:
    """Run ``path`` from a clean kernel in its own folder and save it with its outputs."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    env = dict(os.environ)  # the kernel's own environment: other runs are not affected
    if path.name.split(".")[0] in WITHOUT_DATA_DIR:
        env.pop("COURSE_DATA_DIR", None)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": path.parent}},
    )
    client.execute(env=env)
    nbformat.write(notebook, path)


def write_notebook(path: Path, notebook: dict) -> None:
    import nbformat

    nbformat.write(nbformat.from_dict(notebook), path)


def refresh(
    execute_notebooks: bool = True,
    only: Sequence[str] | None = None,
    library: bool = True,
    root: Path = ROOT,
    rerun: bool = False,
    jobs: int = 2,
) -> Plan:
    """Write the catalogues and the stale Portuguese notebooks (executing them; with ``rerun``,
    execute every selected notebook, e.g. after the library's own texts changed)."""
    from tqdm.auto import tqdm

    result = plan(root, only, library)
    for path, data in result.catalogues.items():
        if not path.exists() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            print(f"wrote {path.relative_to(root)}")
    if library and only is None and glossary.write_glossary():
        print(f"wrote {glossary.GLOSSARY_NOTEBOOK.relative_to(root)}")
    todo = []
    for path, wanted in result.notebooks.items():
        current = read_notebook(path) if path.exists() else None
        if current is None or cell_sources(current) != cell_sources(wanted):
            write_notebook(path, wanted)
            print(f"generated {path.relative_to(root)}")
            todo.append(path)
        elif rerun or _never_executed(current):
            todo.append(path)
    if execute_notebooks and todo:
        from concurrent.futures import ThreadPoolExecutor, as_completed

        # each notebook runs in its own kernel process: threads only wait for them
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            running = {pool.submit(execute, path): path for path in todo}
            bar = tqdm(total=len(todo), desc="executing the Portuguese notebooks", unit="notebook")
            for done in as_completed(running):
                done.result()  # a failing notebook stops the command with its error
                tqdm.write(f"executed {running[done].relative_to(root)}")
                bar.update()
            bar.close()
    return plan(root, only, library)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course.py translate", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; report problems")
    parser.add_argument("--no-execute", action="store_true", help="regenerate, do not run")
    parser.add_argument("--library", action="store_true", help="only the library's catalogues")
    parser.add_argument(
        "--rerun", action="store_true", help="execute every selected notebook, even if current"
    )
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    parser.add_argument(
        "--only", nargs="+", default=(), help="only these notebooks (full names or parts of names)"
    )
    args = parser.parse_args(argv)
    only = args.only or None
    if args.library:
        only = []
    library = args.library or not args.only
    if args.check:
        result = plan(ROOT, only, library)
    else:
        result = refresh(not args.no_execute, only, library, rerun=args.rerun, jobs=args.jobs)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.problems:
        print(f"{len(result.problems)} problem(s) in the pt-BR edition", file=sys.stderr)
        return 1
    print("the pt-BR edition is complete and up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
