"""A tiny assignment for the autograder's own tests: ``scaled_sum(x, w)`` = Σ_j w_j·x_ij."""

from __future__ import annotations

import numpy as np

from course_lib.grading.common import Assignment, FunctionPart, Verdict, decode, encode


def draw_calls(rng: np.random.Generator) -> list[dict]:
    calls = []
    for _ in range(3):
        n, m = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        calls.append({"args": [encode(rng.normal(size=(n, m))), encode(rng.normal(size=m))]})
    return calls


def judge(calls: list[dict], outcomes: list[dict]) -> Verdict:
    good = 0
    for call, out in zip(calls, outcomes, strict=True):
        x, w = (decode(a) for a in call["args"])
        expected = x @ w  # the reference, computed here, in the grader
        if not out["ok"]:
            continue
        got = decode(out["value"])
        if isinstance(got, np.ndarray) and got.shape == expected.shape:
            good += bool(np.allclose(got, expected))
    return Verdict(good / len(calls), f"{good} of {len(calls)} calls right")


ASSIGNMENT = Assignment(
    name="toy",
    title="Toy assignment",
    parts=[
        FunctionPart(
            name="scaled_sum",
            points=2.0,
            function="scaled_sum",
            draw_calls=draw_calls,
            judge=judge,
            allowed=(),
        )
    ],
    cell_timeout=20.0,
    timeout=60.0,
)
