"""Lesson 04's VanishingGradientExplorer in a real JupyterLab: move w with the keyboard and read
the new gradient sizes from the page."""

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

STEPS = 10


def grad_sizes(w, steps, activation, x=0.1):
    """|∂h_T/∂h_(T−k)|, k = 0 … steps, of h_t = act(w·h_(t−1) + x): a product of |w·act′(a_t)|,
    with the pre-activations a_t from cells.rnn_step (linear) and act′ from cells.derivative."""
    params = {"Wx": np.array([[1.0]]), "Wh": np.array([[w]]), "b": np.zeros(1)}
    act = cells.ACTIVATIONS[activation][0]
    h, pre = np.zeros((1, 1)), []
    for _ in range(steps):
        a = cells.rnn_step(np.array([[x]]), h, params, activation="linear")
        pre.append(float(a[0, 0]))
        h = act(a)
    out, prod = [1.0], 1.0
    for a in reversed(pre):
        prod *= abs(w * float(cells.derivative(activation, a)))
        out.append(prod)
    return out


@pytest.mark.browser
def test_vanishing_gradient_explorer_follows_the_keyboard(page, jupyter_lab, tmp_path):
    explorer = show_explorer(
        page,
        jupyter_lab,
        "explore_04.ipynb",
        [
            "from course_lib.widgets.gradients import VanishingGradientExplorer\n"
            f"explorer = VanishingGradientExplorer(w=0.9, steps={STEPS}, activation='tanh')\n"
            "explorer",
        ],
    )
    before = grad_sizes(0.9, STEPS, "tanh")
    wait_value(page, "grad_T", f"{before[-1]:.3e}")

    w_slider = explorer.locator(".widget-slider [role=slider]").first  # w, then steps
    w_slider.press("ArrowRight")  # 0.90 -> 0.95 (step 0.05)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.course-explorer .widget-readout')]"
        ".some(e => e.textContent.trim() === '0.95')"
    )
    after = grad_sizes(0.95, STEPS, "tanh")
    wait_value(page, "grad_T", f"{after[-1]:.3e}")
    assert read_value(page, "grad_1") == f"{after[1]:.3e}"
    assert read_value(page, "trend_T") == f"{0.95**STEPS:.3e}"
    assert read_value(page, "w") == "0.950"
    assert after[-1] != before[-1]
    screenshot(page, tmp_path, "04-vanishing-gradient")
    assert_no_widget_errors(page)
