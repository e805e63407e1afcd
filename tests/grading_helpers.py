"""What the tests of the assignments share: the kernel's answers, built in-process.

The autograder's kernel calls a student's function on the drawn calls and answers plain data;
these helpers do the same in the test process (through a JSON round trip, as on the wire), so
that a test can hand a wrong implementation's outcomes to a part's ``judge``.
"""

from __future__ import annotations

import json

import nbformat
import numpy as np

from course_lib.cells import sigmoid, tanh
from course_lib.grading.common import decode, dumps_capped, encode


def outcomes_for(fn, calls) -> list[dict]:
    """What the sandboxed kernel would answer for ``fn`` on ``calls``: plain data, via JSON."""
    out = []
    for call in calls:
        args = [decode(json.loads(json.dumps(a))) for a in call["args"]]
        kwargs = {k: decode(json.loads(json.dumps(v))) for k, v in call.get("kwargs", {}).items()}
        try:
            value = fn(*args, **kwargs)
        except Exception as exc:
            out.append({"ok": False, "error": f"{type(exc).__name__}: {exc}", "seconds": 0.0})
            continue
        plain = json.loads(dumps_capped(encode(value)))
        out.append({"ok": True, "value": plain, "seconds": 0.0, "course_lib_calls": []})
    return out


def judge_fn(judge, draw, fn, seed=0):
    """``judge`` on the calls ``draw`` makes with ``seed`` and what ``fn`` answers to them."""
    calls = json.loads(json.dumps(draw(np.random.default_rng(seed))))  # plain data only
    return judge(calls, outcomes_for(fn, calls))


def solution_namespace(notebook, wanted=lambda source: "### BEGIN SOLUTION" in source) -> dict:
    """The functions a solution notebook defines, by executing its cells that ``wanted`` picks."""
    nb = nbformat.read(notebook, as_version=4)
    ns: dict = {"np": np, "sigmoid": sigmoid, "tanh": tanh}
    for cell in nb.cells:
        if cell.cell_type == "code" and wanted(cell.source):
            exec(compile(cell.source, str(notebook), "exec"), ns)
    return ns
