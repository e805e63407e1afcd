"""Lesson 03's UnrolledRNNExplorer in a real JupyterLab: move the recurrent-weight slider with the
keyboard and read the new hidden states from the page."""

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

SEQUENCE = [1.0, 0.5, -1.0, 0.0]


def states(wx, wh, b, sequence):
    """h_0 = 0, h_t = tanh(wx·x_t + wh·h_(t−1) + b), one cells.rnn_step per input."""
    params = {"Wx": np.array([[wx]]), "Wh": np.array([[wh]]), "b": np.array([b])}
    h = [np.zeros((1, 1))]
    for x in sequence:
        h.append(cells.rnn_step(np.array([[x]]), h[-1], params))
    return [float(v[0, 0]) for v in h]


@pytest.mark.browser
def test_unrolled_rnn_explorer_follows_the_keyboard(page, jupyter_lab, tmp_path):
    explorer = show_explorer(
        page,
        jupyter_lab,
        "explore_03.ipynb",
        [
            "from course_lib.widgets.rnn import UnrolledRNNExplorer\n"
            f"explorer = UnrolledRNNExplorer(wx=1.0, wh=0.5, b=0.0, sequence={SEQUENCE})\n"
            "explorer",
        ],
    )
    before = states(1.0, 0.5, 0.0, SEQUENCE)
    wait_value(page, "h2", f"{before[2]:.3f}")
    assert read_value(page, "x3") == "-1.000"

    wh_slider = explorer.locator(".widget-slider [role=slider]").nth(1)  # wx, wh, b
    wh_slider.press("ArrowRight")  # 0.50 -> 0.55 (step 0.05)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.course-explorer .widget-readout')]"
        ".some(e => e.textContent.trim() === '0.55')"
    )
    after = states(1.0, 0.55, 0.0, SEQUENCE)
    wait_value(page, "h4", f"{after[4]:.3f}")
    for t in range(len(SEQUENCE) + 1):
        assert read_value(page, f"h{t}") == f"{after[t]:.3f}"
    assert after[2] != before[2]
    # the diagram shows the new state of step 2 too
    svg = explorer.locator("svg").first.inner_html()
    assert f"{after[2]:.3f}" in svg
    screenshot(page, tmp_path, "03-unrolled-rnn")
    assert_no_widget_errors(page)
