"""Comparing a student's arrays with references, and saying plainly what differs.

Generic helpers shared by the assignments' diagnosis functions. They work on *plain data*
(what :func:`course_lib.grading.common.decode` returns), so the public checks and the grader's
``judge`` can call the same code on the same kind of values:

- :func:`as_array` turns a decoded value into a float array, or says what came back instead;
- :func:`shape_problem` and :func:`compare` give "got … / expected …" messages (shape, values,
  NaN/inf), with a hint when an array is the expected one transposed;
- :func:`close` and :func:`first_match` test a value against a reference and against a
  catalogue of known mistakes computed from the same inputs;
- :func:`outcome_problem` reads a kernel outcome (``{"ok": …}``) and says why there is no value;
- :func:`call_locally` builds such an outcome by calling a function in this process (public
  checks only: the grader never calls student code in its own process), and records which
  arguments the function changed in place (``"changed_args"``);
- :func:`run_check` is the one way every public check runs and prints: one line when the
  function gave no value at all (not written yet, raised on every input), else one line per
  output; it returns a :class:`CheckResult` (true when all passed) that shows nothing in a
  notebook, so a check cell's output is only what the check printed;
- :class:`Diagnosis` makes, from one diagnosis function with the weights and labels of its
  outputs, both the grader's verdict (``judge``) and the public check (``check``).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..i18n import _, ngettext
from .common import decode, encode

__all__ = [
    "ATOL",
    "RTOL",
    "as_array",
    "shape_problem",
    "close",
    "compare",
    "describe_difference",
    "first_match",
    "outcome_problem",
    "returned_what",
    "call_locally",
    "fmt_shape",
    "aggregate",
    "diagnose_calls",
    "Diagnosis",
    "changed_in_place",
    "CheckResult",
    "run_check",
]

#: Absolute and relative tolerance: float32 arithmetic passes, a wrong term (≥ 1e-3) does not.
ATOL = 1e-5
RTOL = 1e-4


def fmt_shape(shape) -> str:
    """``(2, 3)`` as the string ``(2, 3)``, ``()`` for a scalar."""
    shape = tuple(int(s) for s in shape)
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(s) for s in shape) + ")"


def as_array(
    value: Any, name: str, expected: str | None = None
) -> tuple[np.ndarray | None, str | None]:
    """``(array, None)`` for a numeric array (or list of numbers), else ``(None, message)``.

    ``value`` is decoded plain data: an ndarray, a number, a list, a dict (an ``{"unsupported":
    type}`` marker for objects that could not travel), a string or None. ``expected`` is what
    the message says was expected (default "a numpy array").
    """
    expected = expected or _("a numpy array")
    if isinstance(value, np.ndarray):
        return value.astype(float), None
    if isinstance(value, bool):
        return None, _("{name} is a bool ({value}); expected {expected}").format(
            name=name, value=value, expected=expected
        )
    if isinstance(value, int | float):
        return np.asarray(float(value)), None
    if value is None:
        return None, _("{name} is None; expected {expected} (did you forget a return?)").format(
            name=name, expected=expected
        )
    if isinstance(value, dict):
        if "unsupported" in value and len(value) == 1:
            return None, _("{name} is a {type}; expected {expected}").format(
                name=name, type=value["unsupported"], expected=expected
            )
        return None, _("{name} is a dict (keys {keys}); expected an array").format(
            name=name, keys=sorted(map(str, value))[:6]
        )
    if isinstance(value, str):
        return None, _("{name} is a string ({value!r}); expected {expected}").format(
            name=name, value=value[:40], expected=expected
        )
    if isinstance(value, list):
        try:
            arr = np.array(value, dtype=float)
        except (TypeError, ValueError):
            return None, _(
                "{name} is a list that is not a numeric array; expected {expected}"
            ).format(name=name, expected=expected)
        return arr, None
    return None, _("{name} is a {type}; expected {expected}").format(
        name=name, type=type(value).__name__, expected=expected
    )


def returned_what(value: Any) -> str:
    """What a decoded answer that is not the expected tuple is, in words ("a tuple of 2 values",
    "a dict", the name of its type)."""
    if isinstance(value, dict) and "unsupported" in value:
        return str(value["unsupported"])
    if isinstance(value, list):
        return _("a tuple of {n} values").format(n=len(value))
    if isinstance(value, dict):
        return _("a dict")
    return type(value).__name__


def shape_problem(got: np.ndarray, expected_shape: Sequence[int], name: str) -> str | None:
    """None when ``got`` has ``expected_shape``, else a got/expected message with a hint."""
    expected_shape = tuple(int(s) for s in expected_shape)
    if got.shape == expected_shape:
        return None
    msg = _("{name} has shape {got}; expected {expected}").format(
        name=name, got=fmt_shape(got.shape), expected=fmt_shape(expected_shape)
    )
    if expected_shape == () and got.size == 1:
        msg += _(
            " (an array of one element where one number belongs: return the number "
            "itself, {name}[{zeros}] or float(...))"
        ).format(name=name, zeros=", ".join("0" * got.ndim))
    elif len(expected_shape) == 2 and got.shape == expected_shape[::-1]:
        msg += _(" (transposed: arrays are batch-first, so compute x_t @ W, not W @ x)")
    elif got.size == int(np.prod(expected_shape)):
        msg += _(" (the right number of entries in the wrong layout: check your reshapes)")
    elif len(expected_shape) == 2 and got.ndim == 1 and got.shape[0] == expected_shape[1]:
        msg += _(" (the batch dimension is missing: keep one row per sequence)")
    return msg


def close(got, expected, atol: float = ATOL, rtol: float = RTOL) -> bool:
    """Same shape and equal within tolerance (NaN never equals anything)."""
    if got is None or expected is None:
        return False
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.all(np.abs(got - expected) <= atol + rtol * np.abs(expected)))


def describe_difference(
    got: np.ndarray, expected: np.ndarray, name: str, atol: float = ATOL, rtol: float = RTOL
) -> str:
    """Which entries of ``got`` differ from ``expected`` (same shape), in one sentence."""
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(got - expected)
        bad = ~(diff <= atol + rtol * np.abs(expected))
    n_bad, n = int(bad.sum()), got.size
    if not np.all(np.isfinite(got)):
        n_nan = int((~np.isfinite(got)).sum())
        return ngettext(
            "{name} has {n_nan} NaN or infinite entry of {n}",
            "{name} has {n_nan} NaN or infinite entries of {n}",
            n_nan,
        ).format(name=name, n_nan=n_nan, n=n)
    where = np.unravel_index(int(np.argmax(np.where(bad, diff, -1.0))), got.shape)
    idx = "[" + ", ".join(str(int(k)) for k in where) + "]"
    return _(
        "{name}: {n_bad} of {n} entries differ; e.g. {name}{idx} is {got:.4g}, "
        "expected {expected:.4g}"
    ).format(name=name, n_bad=n_bad, n=n, idx=idx, got=got[where], expected=expected[where])


def compare(
    value: Any, expected: np.ndarray, name: str, atol: float = ATOL, rtol: float = RTOL
) -> tuple[bool, str, np.ndarray | None]:
    """Compare a decoded value with a reference: ``(ok, message, array or None)``.

    The message says what is wrong: not an array, the shape (got/expected), NaN, or which
    entries differ. The array is returned when it could be read (for further diagnosis).
    """
    arr, problem = as_array(value, name)
    if problem:
        return False, problem, None
    problem = shape_problem(arr, expected.shape, name)
    if problem:
        return False, problem, arr
    if close(arr, expected, atol, rtol):
        return True, _("{name} is right").format(name=name), arr
    return False, describe_difference(arr, expected, name, atol, rtol), arr


def first_match(
    got: np.ndarray | None,
    candidates: Mapping[str, np.ndarray | None],
    reference: np.ndarray | None = None,
    atol: float = ATOL,
    rtol: float = RTOL,
) -> str | None:
    """The name of the first candidate that ``got`` equals, else None.

    Candidates that coincide with ``reference`` on these inputs are skipped: they cannot be
    told apart from the right answer, so they must not be named as the mistake.
    """
    if got is None:
        return None
    for name, cand in candidates.items():
        if cand is None:
            continue
        if reference is not None and close(cand, reference, atol, rtol):
            continue
        if close(got, cand, atol, rtol):
            return name
    return None


def outcome_problem(outcome: Any, function: str) -> str | None:
    """None when the kernel's outcome carries a value, else why not, in words."""
    if not isinstance(outcome, dict):
        return _("no answer from {function} (the grader received {type})").format(
            function=function, type=type(outcome).__name__
        )
    if outcome.get("ok") is True and "value" in outcome:
        return None
    error = str(outcome.get("error", _("no value returned")))[:300]
    if error == "missing":
        return _(
            "{function} is not defined in your notebook (keep the function's name "
            "and run every cell from top to bottom)"
        ).format(function=function)
    if error.startswith("NotImplementedError"):
        return _("{function} is not written yet (it raises NotImplementedError)").format(
            function=function
        )
    hint = ""
    if "matmul" in error or "shapes" in error or "broadcast" in error:
        hint = _(
            " Arrays are batch-first: x_t is (batch, n_in) and Wx_* is (n_in, n_h), so the "
            "product is x_t @ Wx_*."
        )
    return _("{function} raised {error}.{hint}").format(function=function, error=error, hint=hint)


def call_locally(fn: Callable, call: Mapping) -> dict:
    """Call ``fn`` on a call of plain data and answer like the grader's kernel does.

    Public checks only. The arguments are decoded (fresh copies: the check's own data is never
    changed by the student's function), the result is encoded back to plain data, so the
    diagnosis sees exactly what the grader would see.

    Also records, under ``"changed_args"``, the positions of the arguments that the function
    changed in place (only when there are some): a rule such as "return a new dict, do not
    change the one you are given" can be checked here, where the arguments are visible after
    the call. (The grader's kernel answers with returned values only; a conversion that also
    mutates its input is caught by this public check, not by the score.)
    """
    args = [decode(copy.deepcopy(a)) for a in call.get("args", [])]
    kwargs = {k: decode(copy.deepcopy(v)) for k, v in call.get("kwargs", {}).items()}
    start = time.perf_counter()
    try:
        value = fn(*args, **kwargs)
    except Exception as exc:  # the student's error becomes a message, never a traceback
        return {
            "ok": False,
            "error": f"{type(exc).__name__}: {exc}",
            "seconds": time.perf_counter() - start,
        }
    outcome = {"ok": True, "value": encode(value), "seconds": time.perf_counter() - start}
    changed = changed_in_place(call.get("args", []), args)
    if changed:
        outcome["changed_args"] = changed
    return outcome


def _same_plain(a: Any, b: Any) -> bool:
    """Equality of two plain-data values (arrays compared entry by entry, NaN equal to NaN)."""
    a, b = decode(a), decode(b)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape:
            return False
        return bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_plain(encode(a[k]), encode(b[k])) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(
            _same_plain(encode(x), encode(y)) for x, y in zip(a, b, strict=True)
        )
    return a == b


def changed_in_place(plain_args: Sequence[Any], args_after: Sequence[Any]) -> list[int]:
    """Positions of the arguments whose value after the call differs from the plain data sent."""
    return [
        n
        for n, (before, after) in enumerate(zip(plain_args, args_after, strict=False))
        if not _same_plain(before, encode(after))
    ]


class CheckResult:
    """What a public check returns: true when every sub-check passed.

    In a notebook it shows nothing (``_ipython_display_`` does nothing), so a cell ending with
    ``check_lstm_step(lstm_step)`` shows only what the check printed, never a stray True/False;
    code and tests can still write ``assert check_lstm_step(lstm_step)``.
    """

    def __init__(self, passed: bool, verdicts: Sequence[tuple[str, Any]] = ()):
        self.passed = bool(passed)
        self.verdicts = list(verdicts)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"CheckResult(passed={self.passed})"

    def _ipython_display_(self) -> None:
        """Display nothing: the check has printed its lines already."""


def run_check(
    title: str,
    fn: Any,
    calls: Sequence[Mapping],
    verdicts_of: Callable[[Sequence[Mapping], list[dict]], Any],
    function: str | None = None,
) -> CheckResult:
    """Run a public check: call ``fn`` here on ``calls``, diagnose, print, return the result.

    ``verdicts_of(calls, outcomes)`` gives the per-output verdicts (a mapping or a list of
    ``(name, Verdict)``). When no call gave a value (the function is not written yet, or raised
    on every input) there is one line, the reason(s), instead of the same reason once per
    output. ``title`` is the function's name, as the student wrote it.
    """
    from .common import Verdict, print_verdicts

    function = function or title
    if not callable(fn):
        verdicts = [
            (
                title,
                Verdict(0.0, _("expected a function, got {type}").format(type=type(fn).__name__)),
            )
        ]
    else:
        outcomes = [call_locally(fn, c) for c in calls]
        problems = [outcome_problem(o, function) for o in outcomes]
        if problems and all(problems):
            unique = list(dict.fromkeys(problems))
            verdicts = [(title, Verdict(0.0, "; ".join(unique)))]
        else:
            verdicts = verdicts_of(calls, outcomes)
            verdicts = list(verdicts.items()) if isinstance(verdicts, Mapping) else list(verdicts)
    return CheckResult(print_verdicts(title, verdicts), verdicts)


def aggregate(
    per_call: Sequence[Mapping[str, tuple[bool, str]]],
    weights: Mapping[str, float],
    labels: Mapping[str, str] | None = None,
):
    """Combine per-call diagnoses into per-output verdicts and one weighted verdict.

    ``per_call[n][key] = (ok, message)`` for every output ``key`` of ``weights`` (an output a
    call did not report counts as wrong). Each output's fraction is the share of calls where it
    was right; its message is the first failing call's message (or the common "right" one).
    The weighted verdict's fraction is Σ weight·fraction / Σ weight, and its message lists the
    faulty outputs first. Returns ``(dict key -> Verdict, Verdict)``.
    """
    from .common import Verdict

    labels = labels or {}
    outputs: dict[str, Verdict] = {}
    n = max(len(per_call), 1)
    for key in weights:
        results = [
            d.get(key, d.get("_", (False, _("{key}: no result").format(key=key)))) for d in per_call
        ]
        n_ok = sum(1 for ok, _unused in results if ok)
        failing = [msg for ok, msg in results if not ok]
        if failing:
            msg = failing[0]
            if n_ok:
                msg = _("{message} (right on {n_ok} of {n} inputs)").format(
                    message=msg, n_ok=n_ok, n=len(per_call)
                )
        else:
            msg = results[0][1] if results else _("no inputs")
            if len(per_call) == 2:
                msg = _("{message} on both inputs").format(message=msg)
            elif len(per_call) > 2:
                msg = _("{message} on all {n} inputs").format(message=msg, n=len(per_call))
        outputs[_(labels.get(key, key))] = Verdict(n_ok / n, msg)
    total = sum(weights.values()) or 1.0
    fraction = sum(weights[k] * outputs[_(labels.get(k, k))].fraction for k in weights) / total
    bad = [(name, v) for name, v in outputs.items() if not v.passed]
    good = [name for name, v in outputs.items() if v.passed]
    if not bad:
        message = _("all right ({good})").format(good=", ".join(good))
    else:
        seen: list[str] = []
        for _name, v in bad:
            if v.message not in seen:
                seen.append(v.message)
        message = "; ".join(seen)
        if good:
            message = _("{message}. Right: {good}").format(message=message, good=", ".join(good))
    return outputs, Verdict(fraction, message)


def diagnose_calls(
    calls: Sequence[Mapping], outcomes: Sequence[Any], diagnose: Callable
) -> list[dict[str, tuple[bool, str]]]:
    """``diagnose(call, outcome)`` for every call; a missing or unreadable answer never raises.

    ``outcomes`` shorter than ``calls`` count as "no answer"; an exception inside ``diagnose``
    (a malformed answer it did not foresee) becomes a wrong result with a message.
    """
    results = []
    for n, call in enumerate(calls):
        outcome = outcomes[n] if n < len(outcomes) else {"ok": False, "error": _("no answer")}
        try:
            results.append(diagnose(call, outcome))
        except Exception as exc:  # a malformed answer must never crash the grader
            results.append(
                {
                    "_": (
                        False,
                        _("could not read the answer ({type})").format(type=type(exc).__name__),
                    )
                }
            )
    return results


@dataclass(frozen=True)
class Diagnosis:
    """One function's diagnosis, and the grader's verdict and public check built from it.

    ``diagnose(call, outcome) -> {output: (ok, message)}`` judges one call (``per_call``, the
    default), or ``diagnose(calls, outcomes)`` all calls at once (checks across calls, such as
    "the same seed gives the same weights"). ``weights`` gives each output's credit, in the
    order the outputs are computed (so a message names a wrong gate before what follows from
    it); ``labels`` how an output is named in messages. ``function`` is the student's function.
    """

    function: str
    diagnose: Callable[..., Mapping[str, tuple[bool, str]]]
    weights: Mapping[str, float]
    labels: Mapping[str, str] | None = None
    per_call: bool = True

    def verdicts(self, calls: Sequence[Mapping], outcomes: Sequence[Any]):
        """``(output label -> Verdict, weighted Verdict)`` over ``calls`` (:func:`aggregate`)."""
        if self.per_call:
            per = diagnose_calls(calls, outcomes, self.diagnose)
        else:
            try:
                per = [self.diagnose(calls, outcomes)]
            except Exception as exc:  # a malformed answer must never crash the grader
                problem = _("could not read the answer ({type})").format(type=type(exc).__name__)
                per = [{k: (False, problem) for k in self.weights}]
        return aggregate(per, self.weights, self.labels)

    def judge(self, calls: list[dict], outcomes: list[dict]):
        """The grader's verdict: the outputs' shares of right calls, weighted by ``weights``."""
        return self.verdicts(calls, outcomes)[1]

    def check(self, fn: Any, calls: Sequence[Mapping]) -> CheckResult:
        """The public check: ``fn`` called here on ``calls``, one printed line per output."""
        return run_check(self.function, fn, calls, lambda c, o: self.verdicts(c, o)[0])
