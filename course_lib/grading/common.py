"""What every assignment shares: plain data across the sandbox boundary, parts, verdicts.

The autograder runs a student's notebook in a sandboxed kernel, then asks that kernel to call the
student's functions on inputs the grader drew at grading time. Everything that crosses the
boundary is *plain data* (JSON: numbers, strings, lists, dicts with string keys); arrays travel as
``{"ndarray": nested list, "dtype": "float64"}``. Nothing the student's code returns is ever
unpickled or called in the grader's process: the kernel's answer is parsed as JSON (size-capped),
decoded with :func:`decode` into numpy arrays, and compared there with references computed in the
grader's own process.

An assignment is an :class:`Assignment`: a notebook name, the files a submission may carry, and
its :class:`Part` s. A :class:`FunctionPart` is graded by calling one named function of the
student's notebook; other parts (for example a saved Keras model) subclass :class:`Part` and read
what they need from the submission through the :class:`GradingContext`.

The public checks that students call in their notebook (``check_lstm_step(lstm_step)``) use the
same :class:`Verdict` and the same diagnosis functions as the grader, so a student's message and
the grader's feedback name the same faulty term. They are advice: the score comes from the
autograder, on inputs it draws itself.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..i18n import N_, _

__all__ = [
    "MAX_PLAIN_BYTES",
    "encode",
    "decode",
    "dumps_capped",
    "Verdict",
    "Part",
    "FunctionPart",
    "Assignment",
    "GradingContext",
    "ADVICE",
    "print_verdicts",
]

#: The largest JSON answer, in bytes, accepted from a student's kernel for one part.
MAX_PLAIN_BYTES = 2_000_000

ADVICE = N_(
    "These checks are advice for you: they run on a few fixed inputs. "
    "Your score comes from the autograder, which draws its own inputs."
)


# ------------------------------------------------------------------------------------------
# Plain data
# ------------------------------------------------------------------------------------------


def encode(value: Any, _depth: int = 0) -> Any:
    """Turn a value into plain data: arrays become ``{"ndarray": list, "dtype": str}``.

    Accepted: ``None``, ``bool``, ``int``, ``float`` (non-finite floats as the strings ``"nan"``,
    ``"inf"``, ``"-inf"`` inside an array's list are not needed: numpy's ``tolist`` gives floats,
    and JSON here allows NaN/Infinity), ``str``, lists/tuples, dicts with string keys, numpy
    arrays and scalars. Anything else becomes ``{"unsupported": "<type name>"}`` so that the
    grader can say what came back instead of guessing.
    """
    if _depth > 20:
        return {"unsupported": "nesting deeper than 20"}
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float) and type(value) in (int, float):
        return value
    if isinstance(value, np.generic):
        return encode(value.item(), _depth + 1)
    if type(value) is np.ndarray:
        if value.dtype.kind not in "biuf":
            return {"unsupported": f"ndarray of dtype {value.dtype}"}
        return {"ndarray": value.tolist(), "dtype": str(value.dtype), "shape": list(value.shape)}
    if type(value) in (list, tuple):
        return [encode(v, _depth + 1) for v in value]
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            return {"unsupported": "dict with keys that are not strings"}
        return {"dict": {k: encode(v, _depth + 1) for k, v in value.items()}}
    return {"unsupported": type(value).__name__}


def decode(data: Any) -> Any:
    """Inverse of :func:`encode`, on plain data only (never calls anything it received).

    ``{"ndarray": …}`` becomes a float64/int array of the recorded shape (a ragged or mistyped
    list becomes ``{"unsupported": …}``), ``{"dict": …}`` a dict, lists stay lists.
    """
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if isinstance(data, dict):
        if "ndarray" in data:
            try:
                arr = np.array(data["ndarray"], dtype=float)
                shape = tuple(int(s) for s in data.get("shape", arr.shape))
                if arr.shape != shape:
                    return {"unsupported": "array whose list does not match its shape"}
                return arr
            except (TypeError, ValueError):
                return {"unsupported": "array with non-numeric entries"}
        if "dict" in data and isinstance(data["dict"], dict):
            return {str(k): decode(v) for k, v in data["dict"].items()}
        if "unsupported" in data:
            return {"unsupported": str(data["unsupported"])[:200]}
    return {"unsupported": type(data).__name__}


def dumps_capped(data: Any, cap: int = MAX_PLAIN_BYTES) -> str:
    """``json.dumps`` that raises ``ValueError`` past ``cap`` bytes."""
    text = json.dumps(data, allow_nan=True)
    if len(text) > cap:
        raise ValueError(f"answer of {len(text):,} bytes is over the cap of {cap:,}")
    return text


# ------------------------------------------------------------------------------------------
# Verdicts and parts
# ------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    """The outcome of one part: a fraction of its points in [0, 1] and what to tell the student.

    ``message`` names the faulty term when something is wrong ("gate f: sigmoid and tanh are
    swapped"), or says what passed.
    """

    fraction: float
    message: str

    def __post_init__(self):
        f = float(self.fraction)
        if not math.isfinite(f):
            f = 0.0
        self.fraction = min(1.0, max(0.0, f))

    @property
    def passed(self) -> bool:
        return self.fraction >= 1.0


@dataclass
class GradingContext:
    """What a part's ``score`` may use besides the kernel's answers (grader side only).

    ``submission_dir``: a read-only view of the submitted files (the grader's own copy, never
    the sandbox's working folder). ``workdir``: the sandbox's working folder after the notebook
    ran (files the notebook wrote; untrusted). ``run_sandboxed(argv, files, timeout)``: run a
    command in the same kind of sandbox as the notebook (unprivileged user, no network, limits)
    and return ``(returncode, stdout, stderr)``; used to evaluate a student's saved model without
    loading it in the grader's process. ``rng``: the grader's random generator for this student.
    """

    submission_dir: Any
    workdir: Any
    run_sandboxed: Callable[..., tuple[int, str, str]]
    rng: np.random.Generator
    log: list[str] = field(default_factory=list)


@dataclass
class Part:
    """One graded part. Subclasses define how it is probed and scored.

    ``name`` shows in ``results.json`` and ``feedback.md``; ``points`` is its max score.
    """

    name: str
    points: float
    visibility: str = "visible"

    #: Python names of the student's notebook that this part calls (for plagiarism signals and
    #: for messages when they are missing).
    def functions(self) -> tuple[str, ...]:
        return ()

    def draw(self, rng: np.random.Generator) -> list[dict]:
        """The calls to make in the student's kernel, as plain data (see FunctionPart)."""
        return []

    def score(self, calls: list[dict], outcomes: list[dict], ctx: GradingContext) -> Verdict:
        raise NotImplementedError


@dataclass
class FunctionPart(Part):
    """A part graded by calling the student's function ``function`` on drawn inputs.

    ``draw_calls(rng)`` returns a list of calls, each ``{"args": [...], "kwargs": {...}}`` of
    *encoded* plain data (use :func:`encode` on numpy arrays and dicts). The grader sends them to
    the kernel, which decodes them, calls the function, and answers, per call, one *outcome*:

        {"ok": True, "value": <encoded return value>, "seconds": float,
         "course_lib_calls": [qualified names of course_lib functions it called]}
        {"ok": False, "error": "ExceptionType: message", "seconds": float, ...}
        {"ok": False, "error": "missing", ...}      the name is not defined in the notebook

    ``judge(calls, outcomes)`` runs in the grader's process on decoded plain data and returns a
    :class:`Verdict`; it computes its references itself (from the decoded calls). The autograder
    gives zero, with a message saying so, to a part whose function called a course_lib function
    not in ``allowed``; ``judge`` never sees such outcomes.
    """

    function: str = ""
    draw_calls: Callable[[np.random.Generator], list[dict]] | None = None
    judge: Callable[[list[dict], list[dict]], Verdict] | None = None
    #: course_lib functions the student's function may call ("course_lib.cells.sigmoid").
    allowed: tuple[str, ...] = ("course_lib.cells.sigmoid", "course_lib.cells.tanh")

    def functions(self) -> tuple[str, ...]:
        return (self.function,)

    def draw(self, rng: np.random.Generator) -> list[dict]:
        return self.draw_calls(rng) if self.draw_calls else []

    def score(self, calls: list[dict], outcomes: list[dict], ctx: GradingContext) -> Verdict:
        return self.judge(calls, outcomes)


@dataclass
class Assignment:
    """A homework: ``name`` (``hw05_lstm``), its notebook, parts and resource limits.

    ``files``: other files a submission may carry besides the notebook (``model.keras``,
    ``report.json``); ``cell_timeout`` and ``timeout`` in seconds; ``memory`` in bytes.
    """

    name: str
    title: str
    parts: Sequence[Part]
    files: tuple[str, ...] = ()
    cell_timeout: float = 60.0
    timeout: float = 300.0
    memory: int = 4 * 2**30

    @property
    def notebook(self) -> str:
        return f"{self.name}.ipynb"

    @property
    def max_score(self) -> float:
        return float(sum(p.points for p in self.parts))

    def functions(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for p in self.parts:
            for f in p.functions():
                seen[f] = None
        return tuple(seen)


# ------------------------------------------------------------------------------------------
# Public checks: printing
# ------------------------------------------------------------------------------------------


def print_verdicts(title: str, verdicts: Mapping[str, Verdict] | Sequence[tuple[str, Verdict]]):
    """Print the outcome of a public check: one line per sub-check, then the advice note.

    Returns True when all passed (so a notebook may ``assert`` on it in the solutions).
    """
    items = list(verdicts.items()) if isinstance(verdicts, Mapping) else list(verdicts)
    ok = all(v.passed for _unused, v in items)
    print((_("{title}: all passed") if ok else _("{title}: something to fix")).format(title=title))
    for name, v in items:
        mark = "✓" if v.passed else "✗"
        print(f"  {mark} {name}: {v.message}")
    print(f"  ({_(ADVICE)})")
    return ok
