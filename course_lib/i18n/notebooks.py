"""Notebooks of the pt-BR edition: which texts of a notebook are translated, and the Portuguese
notebook made from an English one and its catalogue (see ``catalogues`` for the files and the
command).

Translated: each paragraph of a markdown cell (a fenced block or a ``$$`` display block is never
split; paragraphs without prose are not entries), each comment of a code cell (a block of
consecutive comment lines is one entry; linter directives and nbgrader's solution markers are
not prose) and each string a reader sees: what ``print`` and ``display`` show, plot titles and
labels, widget descriptions, assertion and error messages, docstrings. Code, names and
equation symbols stay as they are.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import re
import subprocess
import sys
import textwrap
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog

from . import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
#: where the notebook catalogues live (one folder per language, gettext's layout)
NOTEBOOK_LOCALE = ROOT / "locale"
LANGUAGE = "pt-BR"
SUFFIX = ".pt-BR.ipynb"
#: the English notebooks that have a Portuguese edition: folder -> pattern of their names
#: (exercises/ is made from solutions/; the glossary is in both languages already)
SOURCE_FOLDERS = {"notebooks": "[0-9][0-9]_*.ipynb", "solutions": "hw[0-9][0-9]_*.ipynb"}

# -- notebooks: what is translated -----------------------------------------------------------------

#: calls whose string arguments are shown to the reader
_SHOWN_CALLS = {
    "print", "display", "Markdown", "HTML", "set_title", "set_xlabel", "set_ylabel", "suptitle",
    "title", "xlabel", "ylabel", "text", "annotate", "set_label", "legend", "warn",
}  # fmt: skip
#: keyword arguments whose strings are shown (plot labels, widget descriptions)
_SHOWN_KEYWORDS = {"label", "title", "xlabel", "ylabel", "description", "msg", "caption", "header"}
#: comments that are directives (linters, nbgrader's solution markers), not prose
_NOT_PROSE = re.compile(r"(noqa|type:|fmt:|!|#* *(BEGIN|END) (SOLUTION|HIDDEN TESTS|PROMPT))")
_WORD = re.compile(r"[A-Za-z]{2,}")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]+`|<[^>]+>|\\[a-zA-Z]+", re.DOTALL)


@dataclass
class Piece:
    """One translatable text of a cell: ``start``/``end`` index into the cell's source."""

    start: int
    end: int
    text: str
    kind: str  # "markdown", "comment" or "string"


_TEXT_IN_MATH = re.compile(r"\\(text|textit|textbf|emph)\{[^{}]*[A-Za-z]{2,}[^{}]*\}")


def has_words(text: str) -> bool:
    """Does ``text`` hold prose once maths, code spans and HTML tags are removed (words in an
    equation's ``\\text{...}`` count: they are labels, not symbols)?"""
    return bool(_WORD.search(_MATH.sub(" ", text)) or _TEXT_IN_MATH.search(text))


def markdown_pieces(source: str) -> list[Piece]:
    """The paragraphs of a markdown cell (blank-line separated; a fenced code block or a
    ``$$`` display block is never split), without those that hold no prose."""
    pieces, lines = [], source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start, fence = i, None
        while i < len(lines):
            stripped = lines[i].strip()
            if fence is None and i > start and not stripped:
                break
            if fence in (None, "```", "~~~") and stripped.startswith(("```", "~~~")):
                fence = None if fence else stripped[:3]
            elif fence == "$$":
                fence = None if stripped.endswith("$$") else "$$"
            elif fence is None and stripped.startswith("$$"):
                fence = None if len(stripped) > 2 and stripped.endswith("$$") else "$$"
            i += 1
        text = source[offsets[start] : offsets[i]]
        body = text.rstrip("\n")
        fenced_only = body.lstrip().startswith(("```", "~~~")) and body.rstrip().endswith(
            ("```", "~~~")
        )
        if has_words(body) and not fenced_only:
            pieces.append(Piece(offsets[start], offsets[start] + len(body), body, "markdown"))
    return pieces


def _line_offsets(source: str) -> list[int]:
    offsets = [0, 0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _comment_pieces(source: str) -> list[Piece]:
    offsets = _line_offsets(source)
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    pieces: list[Piece] = []
    previous_end_line = {}
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        text = token.string[1:].strip()
        if not has_words(text) or _NOT_PROSE.match(text):
            continue
        (row, col), (_, end_col) = token.start, token.end
        full_line = not token.line[:col].strip()
        start, end = offsets[row] + col, offsets[row] + end_col
        last = pieces[-1] if pieces else None
        if (
            full_line
            and last is not None
            and last.kind == "comment"
            and previous_end_line.get(id(last)) == (row - 1, col)
        ):
            last.end = end
            last.text += "\n" + text
            previous_end_line[id(last)] = (row, col)
            continue
        piece = Piece(start, end, text, "comment")
        pieces.append(piece)
        if full_line:
            previous_end_line[id(piece)] = (row, col)
    return pieces


def _shown_nodes(tree: ast.AST) -> list[ast.expr]:
    """String literals (plain or f-strings) whose text a reader sees."""
    shown: list[ast.expr] = []

    def add(node: ast.AST | None) -> None:
        if isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
        ):
            shown.append(node)

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _SHOWN_CALLS:
                for arg in node.args:
                    add(arg)
            for keyword in node.keywords:
                if keyword.arg in _SHOWN_KEYWORDS:
                    add(keyword.value)
        elif isinstance(node, ast.Assert):
            add(node.msg)
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            for arg in node.exc.args:
                add(arg)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            if node.body and isinstance(node.body[0], ast.Expr):
                add(node.body[0].value)
    return shown


def _string_pieces(source: str) -> list[Piece]:
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    offsets = _line_offsets(source)

    def char_offset(row: int, byte_col: int) -> int:
        return offsets[row] + len(lines[row - 1].encode()[:byte_col].decode())

    pieces = []
    for node in _shown_nodes(tree):
        start = char_offset(node.lineno, node.col_offset)
        end = char_offset(node.end_lineno, node.end_col_offset)
        literal = source[start:end]
        # one piece per literal: "a" f"b" (implicit concatenation) gives two
        for token in tokenize.generate_tokens(io.StringIO(literal).readline):
            if token.type == tokenize.STRING:
                piece = _literal_piece(token.string, start + _offset(literal, token.start))
                pieces += [piece] if piece else []
    return pieces


def _offset(text: str, position: tuple[int, int]) -> int:
    row, col = position
    return sum(len(line) for line in text.splitlines(keepends=True)[: row - 1]) + col


def _literal_piece(literal: str, start: int) -> Piece | None:
    """The text between the quotes of one string token, if it holds prose."""
    match = re.fullmatch(r"([rRfFuU]{0,2})(\'{3}|\"{3}|'|\")(.*)\2", literal, re.DOTALL)
    if match is None:
        return None
    prefix, quote, body = match.groups()
    if not has_words(re.sub(r"\{[^{}]*\}", " ", body) if "f" in prefix.lower() else body):
        return None
    body_start = start + len(prefix) + len(quote)
    return Piece(body_start, body_start + len(body), body, "string")


def code_pieces(source: str) -> list[Piece]:
    """The comments and displayed strings of a code cell, in source order."""
    return sorted(_comment_pieces(source) + _string_pieces(source), key=lambda p: p.start)


def cell_pieces(cell: dict) -> list[Piece]:
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    if cell["cell_type"] == "markdown":
        return markdown_pieces(source)
    if cell["cell_type"] == "code":
        return code_pieces(source)
    return []


# -- notebooks: catalogues and generated notebooks -----------------------------------------------


def source_notebooks(root: Path = ROOT) -> list[Path]:
    """The English lesson and homework notebooks, in order."""
    return [
        path
        for folder, pattern in SOURCE_FOLDERS.items()
        for path in sorted((root / folder).glob(pattern))
        if not path.name.endswith(SUFFIX)
    ]


def translated_path(source: Path) -> Path:
    return source.with_name(source.stem + SUFFIX)


def notebook_catalogue_path(source: Path, locale_root: Path = NOTEBOOK_LOCALE) -> Path:
    return locale_root / LANGUAGES[LANGUAGE] / "LC_MESSAGES" / f"{source.stem}.po"


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def notebook_template(notebook: dict, name: str) -> Catalog:
    """One entry per translatable text of ``notebook`` (named ``name`` in the locations)."""
    from .catalogues import new_catalogue  # the catalogue files' module imports this one

    catalogue = new_catalogue(Path(name).stem)
    for number, cell in enumerate(notebook["cells"], start=1):
        for piece in cell_pieces(cell):
            comment = {"markdown": "markdown", "comment": "code comment", "string": "string"}
            catalogue.add(
                piece.text,
                locations=[(name, None)],
                auto_comments=[f"cell {number}, {comment[piece.kind]}"],
            )
    return catalogue


def _translation(catalogue: Catalog, text: str) -> str:
    message = catalogue.get(text)
    if message is None or message.fuzzy or not message.string:
        return text
    return message.string


def _apply(source: str, pieces: Sequence[Piece], catalogue: Catalog) -> str:
    out, position = [], 0
    for piece in pieces:
        new = _translation(catalogue, piece.text)
        if piece.kind == "comment":
            indent = "\n" + _indent_of(source, piece.start) + "# "
            new = indent.join(new.split("\n"))
        out.append(source[position : piece.start])
        out.append(new if piece.kind != "comment" else _comment_prefix(source, piece) + new)
        position = piece.end
    out.append(source[position:])
    return "".join(out)


def _indent_of(source: str, index: int) -> str:
    line_start = source.rfind("\n", 0, index) + 1
    return " " * (index - line_start)


def _comment_prefix(source: str, piece: Piece) -> str:
    """``#`` and the spaces the English comment had before its text (its text is replaced)."""
    match = re.match(r"#\s*", source[piece.start : piece.end])
    return match.group(0) if match else "# "


def _rewrite_links(text: str, stems: Iterable[str]) -> str:
    names = "|".join(re.escape(s) for s in sorted(stems, key=len, reverse=True))
    if not names:
        return text
    return re.sub(rf"(?<![\w.-])({names})\.ipynb", rf"\1{SUFFIX}", text)


#: the line length of the project's ruff configuration
WIDTH = 100


def fit_comments(source: str, width: int = WIDTH) -> str:
    """Translated comments that make a line longer than ``width``: an end-of-line comment moves
    to its own line above the code, a whole-line comment is re-wrapped (same indent)."""
    lines = source.split("\n")
    comments = [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type == tokenize.COMMENT
    ]
    for token in reversed(comments):
        row, col = token.start
        line = lines[row - 1]
        if len(line) <= width:
            continue
        code = line[:col].rstrip()
        indent = " " * (len(line) - len(line.lstrip()))
        text = token.string.lstrip("#").strip()
        wrapped = textwrap.wrap(text, width - len(indent) - 2, break_on_hyphens=False) or [""]
        new = [f"{indent}# {part}" for part in wrapped]
        lines[row - 1 : row] = new + [code] if code else new
    return "\n".join(lines)


def format_code(notebook: dict) -> dict:
    """The notebook with its code cells formatted by ruff (the project's settings), as the
    English ones are; unchanged if ruff cannot be run."""
    ruff = Path(sys.executable).with_name("ruff")
    command = [str(ruff)] if ruff.exists() else [sys.executable, "-m", "ruff"]
    try:
        done = subprocess.run(
            [*command, "format", "--stdin-filename", str(ROOT / "notebooks" / "cell.ipynb"), "-"],
            input=json.dumps(notebook),
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return notebook
    formatted = json.loads(done.stdout)
    for cell, new in zip(notebook["cells"], formatted["cells"], strict=True):
        if cell["cell_type"] == "code":
            text = "".join(new["source"]) if isinstance(new["source"], list) else new["source"]
            cell["source"] = text
    return notebook


LANGUAGE_CELL = 'import course_lib\n\ncourse_lib.set_language("pt-BR")'


def translate_notebook(notebook: dict, catalogue: Catalog, source_name: str, stems=()) -> dict:
    """The Portuguese notebook: texts from ``catalogue``, outputs cleared, the language cell."""
    result = copy.deepcopy(notebook)
    for cell in result["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        pieces = cell_pieces(cell)
        source = _apply(source, pieces, catalogue)
        if cell["cell_type"] == "markdown":
            source = _rewrite_links(source, stems)
        elif pieces:
            source = fit_comments(source)
        cell["source"] = source
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            cell.get("metadata", {}).pop("execution", None)
        cell.pop("id", None)
    first_code = next(
        (i for i, c in enumerate(result["cells"]) if c["cell_type"] == "code"),
        len(result["cells"]),
    )
    language_cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"slideshow": {"slide_type": "skip"}, "tags": ["language"]},
        "outputs": [],
        "source": LANGUAGE_CELL,
    }
    result["cells"].insert(first_code, language_cell)
    for number, cell in enumerate(result["cells"]):
        cell["id"] = f"pt-br-{number:03d}"
    result["metadata"]["course_translation"] = {"language": LANGUAGE, "source": source_name}
    return format_code(result)


def cell_sources(notebook: dict) -> list[tuple[str, str]]:
    return [
        (c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
        for c in notebook["cells"]
    ]
