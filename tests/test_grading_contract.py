"""What every homework's checks and judges owe a student, asserted once for each assignment.

Each assignment's own test module defines its right answers (``RIGHT``, written by hand), its
public checks (``CHECKS``) and ``judge(part, fn, seed)`` (the part's judge on drawn calls and
``fn``'s answers); the promises below hold for all of them.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests import test_grading_hw01_perceptron as hw01
from tests import test_grading_hw03_rnn as hw03

MODULES = (hw01, hw03)
CASES = [(m, part) for m in MODULES for part in m.RIGHT]
IDS = [f"{m.ASSIGNMENT.name}-{part}" for m, part in CASES]


@pytest.mark.parametrize("seed", (0, 1, 2))
@pytest.mark.parametrize("module,part", CASES, ids=IDS)
def test_right_answers_get_full_marks(module, part, seed):
    verdict = module.judge(part, module.RIGHT[part], seed)
    assert verdict.fraction == 1.0, verdict.message


@pytest.mark.parametrize("module,part", CASES, ids=IDS)
def test_public_checks_pass_right_answers(module, part, capsys):
    module.CHECKS[part](module.RIGHT[part])
    out = capsys.readouterr().out
    assert f"{part}: all passed" in out and "✗" not in out, out


@pytest.mark.parametrize("module,part", CASES, ids=IDS)
def test_exceptions_and_missing_functions_score_zero(module, part, capsys):
    verdict = module.judge(part, module.raises, 0)
    assert verdict.fraction == 0.0
    assert "raised ZeroDivisionError: division by zero" in verdict.message
    calls = module.PARTS[part].draw(np.random.default_rng(0))
    missing = module.PARTS[part].judge(calls, [{"ok": False, "error": "missing"}] * len(calls))
    assert missing.fraction == 0.0 and "is not defined in your notebook" in missing.message

    def not_done(*args):
        raise NotImplementedError()

    module.CHECKS[part](not_done)
    assert "is not written yet" in capsys.readouterr().out
