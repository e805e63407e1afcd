"""Lesson 05's LSTMGateExplorer in a real browser: keyboard on a slider, the Step button of
the memory tape, and the numbers shown, checked against cells.lstm_step run here."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import cells
from tests.browser.helpers import (
    assert_no_widget_errors,
    read_value,
    screenshot,
    show_explorer,
    wait_value,
)

# the explorer is built with these numbers, so the expectations below never read it back
START = {
    "x": 0.5, "h_prev": 0.25, "c_prev": -1.0,
    "Wx_f": 0.3, "Wh_f": -0.4, "b_f": 1.0,
    "Wx_i": 1.5, "Wh_i": 0.2, "b_i": -0.5,
    "Wx_o": -0.7, "Wh_o": 0.6, "b_o": 0.2,
    "Wx_g": 2.0, "Wh_g": -1.0, "b_g": 0.1,
}  # fmt: skip
SEQUENCE = [1.0, 0.0, -0.5]


def _params(s):
    return {
        f"{n}_{k}": np.array([[s[f"{n}_{k}"]]]) if n != "b" else np.array([s[f"b_{k}"]])
        for k in "fiog"
        for n in ("Wx", "Wh", "b")
    }


def _step(s, x, h, c):
    h, c, gates = cells.lstm_step([[x]], [[h]], [[c]], _params(s))
    return {
        **{k: float(v[0, 0]) for k, v in gates.items()},
        "c": float(c[0, 0]),
        "h": float(h[0, 0]),
    }


@pytest.mark.browser
def test_lstm_explorer_slider_and_memory_tape(page, jupyter_lab, tmp_path):
    args = ", ".join(f"{k}={v!r}" for k, v in START.items())
    explorer = show_explorer(
        page,
        jupyter_lab,
        "lstm_explorer.ipynb",
        [
            "from course_lib.widgets.lstm import LSTMGateExplorer",
            f"ex = LSTMGateExplorer(sequence={SEQUENCE!r}, {args})\nex",
        ],
    )
    first = _step(START, START["x"], START["h_prev"], START["c_prev"])
    wait_value(page, "c", f"{first['c']:.3f}")
    assert_no_widget_errors(page)

    # keyboard: one step right on the x slider (0.50 -> 0.60)
    slider = explorer.locator(".widget-slider").filter(has_text="(input)").locator("[role=slider]")
    slider.press("ArrowRight")
    moved = {**START, "x": 0.6}
    want = _step(moved, 0.6, START["h_prev"], START["c_prev"])
    wait_value(page, "x", "0.600")
    wait_value(page, "h", f"{want['h']:.3f}")
    for name in ("f", "i", "o", "g", "c", "h"):
        assert read_value(page, name) == f"{want[name]:.3f}", name
    # the diagram's arrow carries the same number, rounded to 2 decimals
    label = explorer.locator('svg [data-label="f"]').text_content()
    assert label.endswith(f"= {want['f']:.2f}".replace("-", "−"))

    # the memory tape: the first click switches to it (step 1), the second goes to step 2
    explorer.get_by_role("button", name="Step ▶").click()
    wait_value(page, "x", f"{SEQUENCE[0]:.3f}")
    explorer.get_by_role("button", name="Step ▶").click()
    wait_value(page, "x", f"{SEQUENCE[1]:.3f}")
    # the tape starts from (h_prev, c_prev); the x slider does not matter in tape mode
    s1 = _step(moved, SEQUENCE[0], START["h_prev"], START["c_prev"])
    s2 = _step(moved, SEQUENCE[1], s1["h"], s1["c"])
    assert read_value(page, "h_prev") == f"{s1['h']:.3f}"
    assert read_value(page, "c_prev") == f"{s1['c']:.3f}"
    for name in ("f", "i", "g", "o", "c", "h"):
        assert read_value(page, name) == f"{s2[name]:.3f}", name
    screenshot(page, tmp_path, "05-lstm-explorer-tape")
    assert_no_widget_errors(page)
