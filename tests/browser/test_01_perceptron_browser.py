"""Lesson 01 in a real browser: run every cell, then train the perceptron from the keyboard."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from tests.browser.helpers import (
    assert_no_widget_errors,
    copy_notebook,
    open_and_run_all,
    read_value,
    screenshot,
    wait_kernel_idle,
    wait_value,
)

LESSON = Path(__file__).resolve().parents[2] / "notebooks" / "01_perceptron.ipynb"
OR_TABLE = [((0, 0), 0), ((0, 1), 1), ((1, 0), 1), ((1, 1), 1)]


def one_epoch_by_hand(table, lr):
    """The perceptron rule written out independently of course_lib, in exact fractions:
    o = [x·w + b ≥ 0], w += η(t − o)x, b += η(t − o)."""
    lr = Fraction(str(lr))
    w, b = [Fraction(0), Fraction(0)], Fraction(0)

    def out(x):
        return 1 if x[0] * w[0] + x[1] * w[1] + b >= 0 else 0

    for x, t in table:
        delta = lr * (t - out(x))
        w = [w[0] + delta * x[0], w[1] + delta * x[1]]
        b = b + delta
    errors = sum(out(x) != t for x, t in table)
    return w, b, errors


@pytest.mark.browser
def test_lesson_01_runs_and_the_trainer_answers_the_keyboard(page, jupyter_lab, tmp_path):
    rel = copy_notebook(jupyter_lab, LESSON)
    open_and_run_all(page, jupyter_lab, rel)
    screenshot(page, tmp_path, "01-after-run-all")
    assert_no_widget_errors(page)

    explorer = page.locator(".course-explorer").last
    explorer.scroll_into_view_if_needed()
    # the lesson's last cells trained the explorer on OR for three epochs, and the page shows it
    # (the slider's float snapping, 0.1 -> 0.09999999999999999, must not restart the training)
    assert explorer.locator("select").input_value() == "OR"
    wait_value(page, "epochs", "3")
    wait_value(page, "errors", "0")

    # keyboard: one step right on the learning-rate slider (0.10 -> 0.11) restarts training...
    slider = explorer.locator(".widget-slider [role=slider]").first
    slider.press("ArrowRight")  # focuses the handle, then presses the key
    page.wait_for_function(
        "() => [...document.querySelectorAll('.course-explorer .widget-readout')]"
        ".some(e => e.textContent.trim() === '0.11')"
    )
    wait_value(page, "epochs", "0")
    assert read_value(page, "w1") == "0.000"

    # ...and Enter on the focused "Epoch" button runs one epoch at η = 0.11
    wait_kernel_idle(page)  # the restart has been computed
    explorer.get_by_role("button", name="Epoch").press("Enter")
    wait_value(page, "epochs", "1")

    w, b, errors = one_epoch_by_hand(OR_TABLE, 0.11)
    assert read_value(page, "w1") == f"{float(w[0]):.3f}"
    assert read_value(page, "w2") == f"{float(w[1]):.3f}"
    assert read_value(page, "b") == f"{float(b):.3f}"
    assert read_value(page, "errors") == str(errors)
    assert read_value(page, "updates") == "4"
    screenshot(page, tmp_path, "01-after-keyboard-epoch")
    assert_no_widget_errors(page)
