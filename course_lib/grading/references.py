"""The course's reference implementations of each assignment, and the sandbox's copy without them.

While a submission is graded, its kernel imports a private copy of ``course_lib`` (built here,
first on ``PYTHONPATH``; the course's own folder is hidden in the sandbox, see
:mod:`.sandbox`) in which every function listed for the assignment in :data:`REFERENCES` is
replaced by one that raises::

    RuntimeError: course_lib.cells.lstm_step, the course's reference, is not available while
    grading: write it yourself

so a student's function cannot compute its answer with the course's code, however it reaches
it (an alias, a thread, a code-object copy, the module's source exec'd again: the source in the
copy has no body either). The grader gives such a part zero with the message "calls the course's
reference implementation …". The in-kernel call recorder of :mod:`.probe` stays as a second
layer (it also catches course_lib functions that are not stubbed but not ``allowed``).

A name is ``module.function``, ``module.Class.method`` or ``module.*`` (every function and
method defined in that module: used for the assignment's own grading modules, whose public
checks and known-mistake variants hold the reference too). Not listed, on purpose: what the
notebooks' own cells use on the student's functions (``bptt.gradient_check``,
``numerical_gradient``, ``init_rnn_params``, ``sgd_step``, ``cells.run_sequence``,
``keras_bridge.params_to_keras``, ``learning.logic_gate``, ``cells.sigmoid``/``tanh``, the data
loaders of hw07) and ``course_lib.grading.common`` (the probe's encode/decode).
"""

from __future__ import annotations

import ast
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

#: The folder of the course's ``course_lib`` package.
PACKAGE = Path(__file__).resolve().parent.parent

#: Marker of the stubs' error message (the grader looks for it in a call's error).
UNAVAILABLE = "the course's reference, is not available while grading"

_HW05 = (
    "course_lib.cells.lstm_step",
    "course_lib.cells.lstm_peephole_step",
    "course_lib.cells.lstm_coupled_step",
    "course_lib.cells.init_params",
    "course_lib.gate_analysis.lstm_step_concatenated",
    "course_lib.gate_analysis.lstm_cell_pseudocode",
    "course_lib.gate_analysis.lstm_terms",
    "course_lib.gate_analysis.forget_products",
    "course_lib.gate_analysis._lstm_step_jacobian",
    "course_lib.gate_analysis.lstm_state_jacobians",
    "course_lib.grading.hw05_lstm.*",
    "course_lib.grading.hw05_lstm_step.*",
)

#: Assignment name -> the reference functions stubbed in its sandbox.
REFERENCES: dict[str, tuple[str, ...]] = {
    "hw01_perceptron": (
        "course_lib.cells.perceptron",
        "course_lib.cells.step",
        "course_lib.cells.dense",
        "course_lib.cells.mlp_forward",
        "course_lib.learning.perceptron_update",
        "course_lib.learning.perceptron_epoch",
        "course_lib.learning.perceptron_errors",
        "course_lib.learning.train_perceptron",
        "course_lib.grading.hw01_perceptron.*",
    ),
    "hw03_rnn": (
        "course_lib.cells.rnn_step",
        "course_lib.cells.dense",
        "course_lib.preprocessing.make_windows",
        "course_lib.bptt.forward",
        "course_lib.bptt._pre_and_post",
        "course_lib.bptt.mse_loss",
        "course_lib.bptt.bptt",
        "course_lib.regularization.rnn_forward_masked",
        "course_lib.attention.encoder_states",
        "course_lib.grading.hw03_rnn.*",
        "course_lib.grading.hw03_rnn_backward.*",
    ),
    "hw05_lstm": _HW05,
    "hw06_gru": (
        "course_lib.cells.gru_step",
        "course_lib.gate_analysis.gru_terms",
        "course_lib.gate_analysis.gru_swap_convention",
        "course_lib.gate_analysis.gru_classic_as_reset_after",
        "course_lib.grading.hw06_gru.*",
    ),
    # hw07's parts are a trained model, a table and a report, not functions: nothing to stub
    "hw07_stock_gru": (),
}


def for_assignment(name: str) -> tuple[str, ...]:
    """The references stubbed for assignment ``name`` (none for an unknown one)."""
    return REFERENCES.get(name, ())


def message(qualname: str) -> str:
    return f"{qualname}, {UNAVAILABLE}: write it yourself"


def _stub_body(node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str) -> None:
    doc = ast.get_docstring(node, clean=False)
    raise_ = ast.parse(f"raise RuntimeError({message(qualname)!r})").body
    node.body = ([ast.Expr(ast.Constant(doc))] if doc is not None else []) + raise_


def stub_source(source: str, module: str, names: Iterable[str]) -> tuple[str, set[str]]:
    """``source`` of ``module`` with the bodies of ``names`` (qualnames in it, or ``*``)
    replaced by a ``raise RuntimeError``; returns the new source and the names stubbed."""
    names = set(names)
    tree = ast.parse(source)
    done: set[str] = set()
    # with "*", functions that run while the module is imported are kept (else it would not import)
    at_import = _called_at_import(tree.body) if "*" in names else set()

    def visit(body, prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                qual = f"{prefix}{node.name}"
                if qual in names or ("*" in names and qual not in at_import):
                    _stub_body(node, f"{module}.{qual}")
                    done.add(qual)
            elif isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    return ast.unparse(tree) + "\n", done


def _called_at_import(body) -> set[str]:
    """Names of the functions that the module-level code of ``body`` calls (decorators too)."""
    called: set[str] = set()
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack += getattr(node, "decorator_list", [])
            stack += node.args.defaults + node.args.kw_defaults
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(node.func.id)
        stack += [n for n in ast.iter_child_nodes(node) if n is not None]
    return called


def _module_file(root: Path, module: str) -> Path:
    rel = Path(*module.split(".")[1:])
    for candidate in (root / rel.with_suffix(".py"), root / rel / "__init__.py"):
        if candidate.is_file():
            return candidate
    raise ValueError(f"references: no module {module} in {root}")


def build_course_copy(dest: Path, stubbed: Iterable[str]) -> Path:
    """Copy ``course_lib`` to ``dest/course_lib`` with the ``stubbed`` references raising.

    ``dest`` is created (readable by everyone: the sandbox's user imports it), files are
    read-only. Returns ``dest`` (the folder to put on ``PYTHONPATH``). A listed name that
    does not exist raises ``ValueError`` (a stale list would otherwise leave a hole).
    """
    dest = Path(dest)
    target = dest / "course_lib"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
    by_module: dict[str, set[str]] = {}
    for name in stubbed:
        parts = name.split(".")
        if parts[0] != "course_lib":
            raise ValueError(f"references: {name} is not in course_lib")
        if parts[-1] == "*":
            by_module.setdefault(".".join(parts[:-1]), set()).add("*")
            continue
        # the longest prefix that is a module file
        for k in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:k])
            try:
                _module_file(target, module)
            except ValueError:
                continue
            by_module.setdefault(module, set()).add(".".join(parts[k:]))
            break
        else:
            raise ValueError(f"references: no module for {name}")
    for module, names in sorted(by_module.items()):
        path = _module_file(target, module)
        new, done = stub_source(path.read_text(encoding="utf-8"), module, names)
        missing = sorted(names - done - {"*"})
        if missing:
            raise ValueError(f"references: {module} has no {', '.join(missing)}")
        path.write_text(new, encoding="utf-8")
    os.chmod(dest, 0o755)
    for dirpath, dirnames, filenames in os.walk(dest):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o444)
    return dest


def stubbed_names(error: str) -> list[str]:
    """The references named by the stubs' messages found in ``error`` (a call's error text)."""
    found = []
    for piece in str(error).split(UNAVAILABLE)[:-1]:
        name = piece.rstrip(", ").rsplit(" ", 1)[-1].rsplit(":", 1)[-1].strip()
        if name.startswith("course_lib.") and name not in found:
            found.append(name)
    return found
