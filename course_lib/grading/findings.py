"""Verdicts per output over several calls, with partial credit for a named near miss.

The aggregation shared by ``hw01_perceptron`` and ``hw03_rnn``: a :class:`Finding` per call and
output (right or not, why, which known mistakes the answer equals); :func:`judge_outputs` turns
the findings of all calls into one verdict per output (a mistake that explains every wrong call
is named and may earn part of the output's weight); :func:`combine` weighs them into a part's
verdict; :func:`run_public_check` runs a public check on fixed drawn calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..i18n import _
from .common import Verdict, decode
from .diagnose import CheckResult, close, compare, outcome_problem, run_check

__all__ = ["Finding", "analyse_output", "combine", "judge_outputs", "matches", "run_public_check"]


@dataclass
class Finding:
    """What one call says about one output: right or not, why, and the mistake it matches."""

    ok: bool
    message: str
    #: the known mistakes whose value equals the student's on this call (in catalogue order)
    mistakes: tuple[str, ...] = ()
    #: the output has the wrong shape (its message says got/expected)
    wrong_shape: bool = False


def matches(got, candidates: Mapping, reference) -> tuple[str, ...]:
    """Every candidate that ``got`` equals and that differs from ``reference`` here."""
    if got is None:
        return ()
    out = []
    for name, cand in candidates.items():
        if cand is None or close(cand, reference):
            continue
        if close(got, cand):
            out.append(name)
    return tuple(out)


def analyse_output(value, reference, mistakes: Mapping, name: str) -> Finding:
    """Compare one output with its reference; name the known mistake it equals, if any.

    ``mistakes`` maps a mistake's key to its array on these inputs (None where it cannot be
    computed, e.g. a transposed weight that does not fit); candidates equal to the reference on
    these inputs are never named (they cannot be told apart from the right answer).
    """
    ok, message, arr = compare(value, np.asarray(reference, dtype=float), name)
    if ok:
        return Finding(True, message)
    if arr is None:
        return Finding(False, message)
    reference = np.asarray(reference, float)
    found = matches(arr, mistakes, reference)
    return Finding(False, message, found, wrong_shape=arr.shape != reference.shape)


def judge_outputs(
    calls: Sequence[Mapping],
    outcomes: Sequence[Mapping],
    function: str,
    analyse: Callable[..., dict[str, Finding]],
    outputs: Sequence[str],
    messages: Mapping[str, str],
    credits: Mapping[str, float] | None = None,
    describe: Callable[..., str] | None = None,
) -> list[tuple[str, Verdict]]:
    """One verdict per output of ``function`` over all calls (the public check prints them).

    ``analyse(*args, value=...)`` returns a :class:`Finding` per name in ``outputs``.
    An output is right when it is right on every call. When it is wrong and one known mistake
    explains every wrong call, its message is ``messages[mistake]`` and the output earns
    ``credits[mistake]`` of its weight (a near miss); otherwise the first call's got/expected
    message is shown and it earns nothing. A call that raised or is missing counts as wrong for
    every output; when no call gave a value at all there is one verdict, the reason.
    ``describe(*args)`` says which inputs a failing call had (shapes), for the message.
    """
    credits = credits or {}
    found: dict[str, list[tuple[int, Finding]]] = {k: [] for k in outputs}
    problems = []
    outcomes = list(outcomes)[: len(calls)]
    outcomes += [{"ok": False, "error": _("NoAnswer: no answer for this call")}] * (
        len(calls) - len(outcomes)
    )
    for i, (call, outcome) in enumerate(zip(calls, outcomes, strict=True)):
        args = [decode(a) for a in call.get("args", [])]
        problem = outcome_problem(outcome, function)
        where = (
            _(" (call {n}: {inputs})").format(n=i + 1, inputs=describe(*args)) if describe else ""
        )
        if problem:
            problems.append(problem)
            for k in outputs:
                found[k].append((i, Finding(False, problem + where)))
            continue
        try:
            per = analyse(*args, value=decode(outcome["value"]))
        except Exception as exc:  # a malformed answer the diagnosis did not foresee
            per = {
                k: Finding(False, _("could not read the answer ({exc})").format(exc=exc))
                for k in outputs
            }
        for k in outputs:
            f = per[k]
            if not f.ok and where and not f.mistakes:
                f = Finding(False, f.message + where)
            found[k].append((i, f))
    n = len(calls)
    if problems and len(problems) == n:
        unique = list(dict.fromkeys(problems))
        return [(function, Verdict(0.0, "; ".join(unique)))]
    verdicts = []
    for key in outputs:
        bad = [f for _unused, f in found[key] if not f.ok]
        if not bad:
            verdicts.append((key, Verdict(1.0, _("right on all {n} calls").format(n=n))))
            continue
        named = [f.mistakes for f in bad if f.mistakes]
        common = [m for m in named[0] if all(m in ms for ms in named)] if named else []
        if named and common and len(named) == len(bad):  # one mistake explains every call
            text, frac = _(messages.get(common[0], common[0])), credits.get(common[0], 0.0)
            shape = next((f.message for f in bad if f.wrong_shape), None)
            if shape:  # keep the got/expected of a wrong shape beside the diagnosis
                text += f" ({shape})"
        elif named:  # the most frequent mistake, and what else is wrong
            flat = [m for ms in named for m in ms]
            top = max(dict.fromkeys(flat), key=flat.count)
            other = next(f.message for f in bad if top not in f.mistakes)
            text, frac = (
                _("{mistake}; and on another call: {other}").format(
                    mistake=_(messages.get(top, top)), other=other
                ),
                0.0,
            )
        else:
            text, frac = bad[0].message, 0.0
        verdicts.append(
            (
                key,
                Verdict(
                    frac,
                    _("wrong on {n_bad} of {n} calls: {text}").format(
                        n_bad=len(bad), n=n, text=text
                    ),
                ),
            )
        )
    return verdicts


def combine(verdicts: list[tuple[str, Verdict]], weights: Mapping[str, float]) -> Verdict:
    """One part's verdict: the outputs' fractions weighted by ``weights``, messages joined.

    An output missing from ``weights`` (the single verdict of a function that never answered)
    carries the whole part.
    """
    total = float(sum(weights.values()))
    frac = sum(v.fraction * weights.get(k, total) / total for k, v in verdicts)
    if all(v.passed for _unused, v in verdicts):
        return Verdict(1.0, _("all outputs right on every drawn call"))
    wrong = [f"{k}: {v.message}" for k, v in verdicts if not v.passed]
    return Verdict(frac, " | ".join(wrong))


def run_public_check(title: str, fn, draw, detail, seed: int) -> CheckResult:
    """Call ``fn`` here on the fixed calls ``draw(default_rng(seed))``, diagnose, print.

    The printing is :func:`course_lib.grading.diagnose.run_check`, shared by every homework:
    one line when nothing came back, else one per output; the result is true when all passed
    and shows nothing in a notebook.
    """
    return run_check(title, fn, draw(np.random.default_rng(seed)), detail)
