"""Lesson 06's GRUGateExplorer in a real browser: keyboard on the update-gate bias, the numbers
shown checked against cells.gru_step (lecture form) run here."""

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

START = {
    "x": -0.8, "h_prev": 0.6,
    "Wx_z": 1.2, "Wh_z": -0.5, "b_z": 0.3,
    "Wx_r": -0.4, "Wh_r": 1.1, "b_r": 0.0,
    "Wx_h": 1.7, "Wh_h": -0.9, "b_h": 0.2,
}  # fmt: skip


def _step(s):
    p = {
        f"{n}_{k}": np.array([[s[f"{n}_{k}"]]]) if n != "b" else np.array([s[f"b_{k}"]])
        for k in "zrh"
        for n in ("Wx", "Wh", "b")
    }
    h, gates = cells.gru_step(
        [[s["x"]]], [[s["h_prev"]]], p, reset_after=False, convention="lecture"
    )
    return {**{k: float(v[0, 0]) for k, v in gates.items()}, "h": float(h[0, 0])}


@pytest.mark.browser
def test_gru_explorer_answers_the_keyboard(page, jupyter_lab, tmp_path):
    args = ", ".join(f"{k}={v!r}" for k, v in START.items())
    explorer = show_explorer(
        page,
        jupyter_lab,
        "gru_explorer.ipynb",
        ["from course_lib.widgets.gru import GRUGateExplorer", f"ex = GRUGateExplorer({args})\nex"],
    )
    wait_value(page, "h", f"{_step(START)['h']:.3f}")
    assert_no_widget_errors(page)

    # two steps left on the update gate's bias: 0.30 -> 0.10
    slider = explorer.locator(".widget-slider").filter(has_text="b_z").locator("[role=slider]")
    slider.press("ArrowLeft")
    slider.press("ArrowLeft")
    want = _step({**START, "b_z": 0.1})
    wait_value(page, "z", f"{want['z']:.3f}")
    for name in ("z", "r", "h_tilde", "h"):
        assert read_value(page, name) == f"{want[name]:.3f}", name
    assert read_value(page, "keep_weight") == f"{1 - want['z']:.3f}"
    label = explorer.locator('svg [data-label="z"]').text_content()
    assert label.endswith(f"= {want['z']:.2f}")
    screenshot(page, tmp_path, "06-gru-explorer")
    assert_no_widget_errors(page)
