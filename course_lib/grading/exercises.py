"""The exercise generator: ``exercises/<name>.ipynb`` from ``solutions/<name>.ipynb``.

A solution notebook marks the code a student writes with two whole comment lines, nbgrader's
markers::

    def lstm_step(x_t, h_prev, c_prev, params):
        ### BEGIN SOLUTION
        f = sigmoid(x_t @ params["Wx_f"] + h_prev @ params["Wh_f"] + params["b_f"])
        ...
        ### END SOLUTION

In the exercise, each region (the two marker lines and everything between them) becomes, at the
``BEGIN`` marker's indentation::

        # YOUR CODE HERE
        raise NotImplementedError()

Everything else is kept as it is: markdown, other code, cell ids, cell tags, notebook metadata.
What records one run of the solution is cleared, in every code cell: outputs, execution counts
and nbclient's timing record (cell metadata ``execution``); and the notebook's saved widget state
(metadata ``widgets``), which only describes the outputs that were cleared. The result is
byte-for-byte deterministic: written as ``nbformat.write`` writes (sorted keys, one-space indent,
non-ASCII characters kept as UTF-8), with a trailing newline.

Mistakes in the markers are errors (:class:`ExerciseError`, a :class:`ValueError`) that name the
notebook, the cell (its index among all cells, markdown included, counted from 0, and its id)
and the line (counted from 1 within the cell): ``BEGIN`` without ``END``, ``END`` without
``BEGIN``, nested regions, a marker inside a string (found with :mod:`tokenize`, triple-quoted
strings spanning lines included), a marker that is not a whole comment line
(``x = 1  ### BEGIN SOLUTION``, ``## BEGIN SOLUTION``: anything that would silently ship the
solution), a marker inside brackets, a marker in a markdown or raw cell, and a region whose
replacement would not be valid Python.

Command line (``python3 course.py exercises`` calls :func:`main`)::

    python -m course_lib.grading.exercises [--check] [--solutions DIR] [--exercises DIR]

writes every exercise whose bytes changed and removes ``exercises/*.ipynb`` whose solution no
longer exists. ``--check`` writes nothing and exits 1, listing what is stale, missing or extra.
"""

from __future__ import annotations

import argparse
import ast
import copy
import io
import json
import re
import sys
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = [
    "BEGIN",
    "END",
    "ExerciseError",
    "make_exercise",
    "solution_regions",
    "exercise_bytes",
    "plan",
    "main",
]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
PLACEHOLDER = ("# YOUR CODE HERE", "raise NotImplementedError()")

#: Any text that looks like a marker. A line holding it must be exactly a marker, or it is an
#: error: a misspelt marker (``## BEGIN SOLUTION``) would otherwise ship the solution.
_MARKER_LIKE = re.compile(r"\b(BEGIN|END)\s+SOLUTION\b")

#: Cell metadata that records one execution of the solution (nbclient's timing).
_RUN_RECORD_CELL_METADATA = ("execution",)
#: Notebook metadata that records the outputs of one execution (saved widget state).
_RUN_RECORD_NOTEBOOK_METADATA = ("widgets",)

_PROJECT = Path(__file__).resolve().parents[2]


class ExerciseError(ValueError):
    """A solution notebook whose markers cannot be turned into an exercise."""


@dataclass(frozen=True)
class _Region:
    begin: int  # 0-based line index of the BEGIN marker
    end: int  # 0-based line index of the END marker
    indent: str


def _where(name: str, index: int, cell, line: int | None = None) -> str:
    cell_id = cell.get("id")
    where = f"{name}: cell {index}" + (f" (id {cell_id!r})" if cell_id else " (no id)")
    return where + (f", line {line}" if line is not None else "")


def _mask_magics(lines: list[str]) -> str:
    """The cell's source with IPython-only lines (``%magic``, ``!shell``) blanked out.

    Line numbers are kept, so that tokenize's positions are the cell's own.
    """
    out = []
    for line in lines:
        body = line.lstrip()
        if body.startswith(("%", "!")):
            ending = line[len(line.rstrip("\r\n")) :]
            out.append(line[: len(line) - len(body)] + "#" + ending)
        else:
            out.append(line)
    return "".join(out)


def _lexical_map(source: str) -> tuple[list[tuple[tuple[int, int], tuple[int, int]]], dict]:
    """String spans ``((row, col), (row, col))`` and the bracket depth at each comment's row.

    Raises :class:`tokenize.TokenError` or :class:`SyntaxError` when the source does not tokenize.
    """
    strings = []
    fstring_starts = []
    depth = 0
    comment_depth = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        name = tokenize.tok_name[tok.type]
        if tok.type == tokenize.STRING:
            strings.append((tok.start, tok.end))
        elif name == "FSTRING_START":  # Python >= 3.12 splits f-strings into tokens
            fstring_starts.append(tok.start)
        elif name == "FSTRING_END" and fstring_starts:
            strings.append((fstring_starts.pop(), tok.end))
        elif tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif tok.type == tokenize.COMMENT:
            comment_depth[tok.start[0]] = (tok.start[1], depth)
    return strings, comment_depth


def _in_string(strings, row: int, col: int) -> bool:
    return any(start <= (row, col) < end for start, end in strings)


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _cell_regions(name: str, index: int, cell) -> list[_Region]:
    """The solution regions of one cell, checked; raises :class:`ExerciseError`."""
    source = _source(cell)
    lines = source.splitlines(keepends=True)
    suspects = [i for i, line in enumerate(lines) if _MARKER_LIKE.search(line)]
    if not suspects:
        return []
    if cell.get("cell_type") != "code":
        i = suspects[0]
        raise ExerciseError(
            f"{_where(name, index, cell, i + 1)}: solution marker in a {cell.get('cell_type')} "
            f"cell ({lines[i].strip()!r}); markers belong in code cells only"
        )
    try:
        try:
            strings, comments = _lexical_map(source)
        except (tokenize.TokenError, SyntaxError):  # IPython syntax? Try without it.
            strings, comments = _lexical_map(_mask_magics(lines))
    except (tokenize.TokenError, SyntaxError) as exc:
        raise ExerciseError(
            f"{_where(name, index, cell, suspects[0] + 1)}: this cell holds a solution marker "
            f"but is not valid Python, so its markers cannot be checked ({exc})"
        ) from None

    regions = []
    open_at = None  # (line index, indent) of the open BEGIN
    for i in suspects:
        line = lines[i]
        row = i + 1
        match = _MARKER_LIKE.search(line)
        stripped = line.strip()
        if _in_string(strings, row, match.start()):
            raise ExerciseError(
                f"{_where(name, index, cell, row)}: solution marker inside a string "
                f"({stripped!r}); markers must be whole comment lines, never in strings"
            )
        if stripped not in (BEGIN, END) or row not in comments:
            raise ExerciseError(
                f"{_where(name, index, cell, row)}: {stripped!r} is not a solution marker; "
                f"a marker is a whole comment line, exactly {BEGIN!r} or {END!r}"
            )
        col, depth = comments[row]
        if depth:
            raise ExerciseError(
                f"{_where(name, index, cell, row)}: solution marker inside brackets; the "
                "exercise's `raise NotImplementedError()` would not be valid Python there"
            )
        if stripped == BEGIN:
            if open_at is not None:
                raise ExerciseError(
                    f"{_where(name, index, cell, row)}: nested {BEGIN!r}: the region opened "
                    f"at line {open_at[0] + 1} is not closed yet (regions never nest)"
                )
            open_at = (i, line[:col])
        else:
            if open_at is None:
                raise ExerciseError(
                    f"{_where(name, index, cell, row)}: {END!r} without a {BEGIN!r} before "
                    "it in this cell"
                )
            regions.append(_Region(open_at[0], i, open_at[1]))
            open_at = None
    if open_at is not None:
        raise ExerciseError(
            f"{_where(name, index, cell, open_at[0] + 1)}: {BEGIN!r} without an {END!r} "
            "after it in this cell"
        )
    if regions and _parses(_mask_magics(lines)):
        exercise = _replace(lines, regions).splitlines(keepends=True)
        if not _parses(_mask_magics(exercise)):
            raise ExerciseError(
                f"{_where(name, index, cell, regions[0].begin + 1)}: the exercise of this "
                "cell would not be valid Python (is a marker indented less than the code it "
                "encloses?)"
            )
    return regions


def _replace(lines: list[str], regions: list[_Region]) -> str:
    out = []
    last = 0
    for region in regions:
        out.extend(lines[last : region.begin])
        begin_line, end_line = lines[region.begin], lines[region.end]
        first_ending = begin_line[len(begin_line.rstrip("\r\n")) :]  # never empty
        last_ending = end_line[len(end_line.rstrip("\r\n")) :]  # empty on a cell's last line
        out.append(f"{region.indent}{PLACEHOLDER[0]}{first_ending}")
        out.append(f"{region.indent}{PLACEHOLDER[1]}{last_ending}")
        last = region.end + 1
    out.extend(lines[last:])
    return "".join(out)


def _check_ids(nb, name: str) -> None:
    """Cells of nbformat >= 4.5 need unique ids, else nbformat would invent random ones."""
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) < (4, 5):
        return
    seen = {}
    for index, cell in enumerate(nb.get("cells", [])):
        cell_id = cell.get("id")
        if not cell_id:
            raise ExerciseError(
                f"{_where(name, index, cell)}: the cell has no id; save the solution with "
                "Jupyter or nbconvert (nbformat 4.5 gives every cell an id)"
            )
        if cell_id in seen:
            raise ExerciseError(
                f"{_where(name, index, cell)}: the same id as cell {seen[cell_id]}; cell ids "
                "must be unique"
            )
        seen[cell_id] = index


def _regions_of(nb, name: str) -> list[list[_Region]]:
    _check_ids(nb, name)
    errors = []
    per_cell = []
    for index, cell in enumerate(nb.get("cells", [])):
        try:
            per_cell.append(_cell_regions(name, index, cell))
        except ExerciseError as exc:
            errors.append(str(exc))
            per_cell.append([])
    if errors:
        raise ExerciseError("\n".join(errors))
    return per_cell


def solution_regions(nb, name: str = "<notebook>") -> list[tuple[str | None, str]]:
    """Every solution region of ``nb``: ``(cell id, the code between the markers)``, in order.

    Several regions of one cell give several entries with the same id. Raises
    :class:`ExerciseError` (a ``ValueError``) on marker mistakes, as :func:`make_exercise`.
    """
    found = []
    for cell, regions in zip(nb.get("cells", []), _regions_of(nb, name), strict=True):
        lines = _source(cell).splitlines(keepends=True)
        for region in regions:
            found.append((cell.get("id"), "".join(lines[region.begin + 1 : region.end])))
    return found


def make_exercise(nb, name: str = "<notebook>"):
    """The exercise of the solution notebook ``nb`` (a new notebook; ``nb`` is not changed).

    ``name`` is the notebook's name in error messages. Raises :class:`ExerciseError` (a
    ``ValueError``) naming the notebook, cell and line of a marker mistake.
    """
    per_cell = _regions_of(nb, name)
    out = nbformat.from_dict(copy.deepcopy(nb))
    for key in _RUN_RECORD_NOTEBOOK_METADATA:
        out.get("metadata", {}).pop(key, None)
    for cell, regions in zip(out.cells, per_cell, strict=True):
        if cell.get("cell_type") != "code":
            continue
        cell["outputs"] = []
        cell["execution_count"] = None
        for key in _RUN_RECORD_CELL_METADATA:
            cell.get("metadata", {}).pop(key, None)
        if regions:
            cell["source"] = _replace(_source(cell).splitlines(keepends=True), regions)
    return out


def _read(path: Path):
    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExerciseError(f"{path.name}: not a notebook (invalid JSON: {exc})") from None
    _check_ids(raw, path.name)  # before nbformat, which would invent random ids
    return nbformat.reads(text, as_version=4)


def exercise_bytes(solution: str | Path) -> bytes:
    """The bytes of the exercise generated from the solution notebook file ``solution``."""
    path = Path(solution)
    exercise = make_exercise(_read(path), name=path.name)
    text = nbformat.writes(exercise)
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")


def plan(solutions: str | Path, exercises: str | Path) -> dict:
    """What bringing ``exercises`` up to date with ``solutions`` takes, writing nothing.

    Returns ``{"write": {Path: bytes}, "remove": [Path], "current": [Path]}``: exercises that are
    missing or differ, exercises without a solution, exercises already up to date. Raises
    :class:`ExerciseError` with every marker mistake of every solution.
    """
    solutions, exercises = Path(solutions), Path(exercises)
    if not solutions.is_dir():
        raise ExerciseError(f"no solutions folder at {solutions}; pass --solutions DIR")
    write, current, errors = {}, [], []
    names = sorted(p.name for p in solutions.glob("*.ipynb"))
    for name in names:
        try:
            data = exercise_bytes(solutions / name)
        except ExerciseError as exc:
            errors.append(str(exc))
            continue
        target = exercises / name
        if target.is_file() and target.read_bytes() == data:
            current.append(target)
        else:
            write[target] = data
    if errors:
        raise ExerciseError("\n".join(errors))
    remove = sorted(p for p in exercises.glob("*.ipynb") if p.name not in names)
    return {"write": write, "remove": remove, "current": current}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate (or ``--check``) the exercises. Returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python3 course.py exercises",
        description="Generate exercises/<name>.ipynb from solutions/<name>.ipynb: solution "
        "regions become `# YOUR CODE HERE` + `raise NotImplementedError()`, outputs cleared.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 listing the exercises that are stale, missing or extra",
    )
    parser.add_argument("--solutions", type=Path, default=_PROJECT / "solutions", metavar="DIR")
    parser.add_argument("--exercises", type=Path, default=_PROJECT / "exercises", metavar="DIR")
    args = parser.parse_args(argv)
    try:
        todo = plan(args.solutions, args.exercises)
    except ExerciseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.check:
        stale = [f"{p}: {'stale' if p.exists() else 'missing'}" for p in sorted(todo["write"])] + [
            f"{p}: no solution {p.name} in {args.solutions}" for p in todo["remove"]
        ]
        if stale:
            print("exercises are not up to date with solutions", file=sys.stderr)
            for line in stale:
                print(f"  {line}", file=sys.stderr)
            print("run: python3 course.py exercises", file=sys.stderr)
            return 1
        print(f"{len(todo['current'])} exercises up to date")
        return 0
    if todo["write"]:
        args.exercises.mkdir(parents=True, exist_ok=True)
    for path, data in sorted(todo["write"].items()):
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        print(f"wrote {path}")
    for path in todo["remove"]:
        path.unlink()
        print(f"removed {path} (its solution no longer exists)")
    print(
        f"{len(todo['write'])} written, {len(todo['remove'])} removed, "
        f"{len(todo['current'])} unchanged"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
