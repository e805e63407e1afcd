"""Plagiarism signals: solution code identical, up to comments, whitespace and names.

Flags for the instructor's gradebook, never penalties. For each cell of
``solutions/<name>.ipynb`` that holds a solution region (``### BEGIN SOLUTION``), the student's
cell with the same nbformat cell id (the exercise generator keeps ids; else the cell at the same
position) is normalised by :func:`normalise`: parsed with :mod:`ast`, so comments and whitespace
are gone; docstrings and bare string statements dropped; every identifier renamed canonically
in the order of first appearance (``v0``, ``v1`` …; attribute and keyword names kept). Two cells
whose normal forms are equal are the same code written with other names.

A cell is only compared when the student changed it substantially from the exercise (the
solution regions replaced by ``raise NotImplementedError()``): at least :data:`MIN_NODES` AST
nodes more than the exercise's cell.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
#: Cells whose normal form has fewer extra AST nodes than this (over the exercise) are tiny.
MIN_NODES = 12


class _Rename(ast.NodeTransformer):
    def __init__(self):
        self.names: dict[str, str] = {}

    def _new(self, name: str) -> str:
        if name not in self.names:
            self.names[name] = f"v{len(self.names)}"
        return self.names[name]

    def visit_Name(self, node):
        node.id = self._new(node.id)
        return node

    def visit_arg(self, node):
        node.arg = self._new(node.arg)
        node.annotation = None
        return node

    def _def(self, node):
        node.name = self._new(node.name)
        node.returns = None if hasattr(node, "returns") else None
        self._drop_docstring(node)
        self.generic_visit(node)
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _def

    def visit_alias(self, node):
        if node.asname:
            node.asname = self._new(node.asname)
        elif "." not in node.name:
            self._new(node.name)
        return node

    def visit_Global(self, node):
        node.names = [self._new(n) for n in node.names]
        return node

    visit_Nonlocal = visit_Global

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return None  # a bare string: a docstring or a comment in disguise
        self.generic_visit(node)
        return node

    @staticmethod
    def _drop_docstring(node):
        body = getattr(node, "body", None)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            if isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]


def _strip_magics(source: str) -> str:
    return "\n".join("" if re.match(r"\s*[%!]", line) else line for line in source.splitlines())


def normalise(source: str) -> tuple[str, int] | None:
    """(normal form, number of AST nodes) of a code cell; None if it does not parse."""
    try:
        tree = ast.parse(_strip_magics(source))
    except (SyntaxError, ValueError, RecursionError):
        return None
    _Rename._drop_docstring(tree)
    tree = _Rename().visit(tree)
    ast.fix_missing_locations(tree)
    dump = ast.dump(tree, annotate_fields=False, include_attributes=False)
    return dump, sum(1 for _ in ast.walk(tree))


def exercise_version(source: str) -> str:
    """The cell as the exercise shows it: each solution region replaced by the placeholder."""
    out, inside, indent = [], False, ""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            inside, indent = True, line[: len(line) - len(line.lstrip())]
            out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
        elif stripped == END:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def solution_cells(solution_nb: dict) -> list[dict]:
    """The solution notebook's cells that hold a region: id, position, normal forms."""
    cells = []
    for pos, cell in enumerate(solution_nb.get("cells", [])):
        src = _source(cell)
        if cell.get("cell_type") != "code" or BEGIN not in src:
            continue
        sol = normalise(src)
        ex = normalise(exercise_version(src))
        cells.append({"id": cell.get("id"), "position": pos, "solution": sol, "exercise": ex})
    return cells


def fingerprints(student_nb: dict, regions: list[dict]) -> dict[str, str]:
    """``{cell key: hash of the student's normal form}`` for the non-trivial solution cells.

    Also ``"@published:<key>"`` entries when the cell equals the published solution's.
    """
    cells = student_nb.get("cells", []) if isinstance(student_nb, dict) else []
    by_id = {c.get("id"): c for c in cells if isinstance(c, dict) and c.get("id")}
    out: dict[str, str] = {}
    for region in regions:
        cell = by_id.get(region["id"]) if region["id"] else None
        if cell is None and region["position"] < len(cells):
            cell = cells[region["position"]]
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        norm = normalise(_source(cell))
        if norm is None:
            continue
        base_nodes = region["exercise"][1] if region["exercise"] else 0
        if region["exercise"] and norm[0] == region["exercise"][0]:
            continue
        if norm[1] - base_nodes < MIN_NODES:
            continue
        key = str(region["id"] or f"cell {region['position']}")
        out[key] = hashlib.sha256(norm[0].encode()).hexdigest()
        if region["solution"] and norm[0] == region["solution"][0]:
            out["@published:" + key] = "1"
    return out


def flags(prints: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """Per student, the flags: identical to the published solution / to another student."""
    result: dict[str, list[str]] = {s: [] for s in prints}
    owners: dict[tuple[str, str], list[str]] = {}
    for student, fp in prints.items():
        published = sorted(k.removeprefix("@published:") for k in fp if k.startswith("@published:"))
        if published:
            result[student].append(
                f"identical to the published solution ({len(published)} cell(s): "
                f"{', '.join(published)})"
            )
        for key, digest in fp.items():
            if not key.startswith("@published:"):
                owners.setdefault((key, digest), []).append(student)
    for student, fp in prints.items():
        others: dict[str, list[str]] = {}
        for key, digest in fp.items():
            if key.startswith("@published:") or "@published:" + key in fp:
                continue
            for other in owners.get((key, digest), []):
                if other != student:
                    others.setdefault(other, []).append(key)
        for other, keys in sorted(others.items()):
            result[student].append(f"identical to {other} ({len(keys)} cell(s): {', '.join(keys)})")
    return result


def load_solution_regions(path: Path) -> list[dict]:
    """The solution cells of the published notebook at ``path`` ([] if it does not exist)."""
    try:
        return solution_cells(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return []
