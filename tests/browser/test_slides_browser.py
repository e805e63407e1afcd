"""Lesson 05 presented as slides inside JupyterLab (jupyterlab-slideshow), explorers live.

The lesson's own cells and slide metadata up to its first explorer's slide and the next one
(sections 0-3; the rest trains a Keras model and adds nothing to what is tested here) run in a
real kernel; the deck is started from the notebook toolbar and stepped with the arrow key until
the LSTM explorer's slide is on screen. On that slide a slider is moved with the keyboard: the
numbers and the cell diagram must change, no widget may fail. Then ``course_lib.presentation(True)``
run in a cell must enlarge the explorer's text (computed font size before and after).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.browser.helpers import assert_no_widget_errors, open_and_run_all, screenshot

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "notebooks" / "05_lstm.ipynb"


def _lesson_head(lab) -> tuple[str, int]:
    """Lesson 05 up to the slide after its first explorer, outputs cleared; (relpath, index)."""
    nb = nbformat.read(LESSON, as_version=4)
    explorer = next(
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and "LSTMGateExplorer(" in cell.source
    )
    assert nb.cells[explorer].metadata["slideshow"]["slide_type"] == "slide"
    nb.cells = nb.cells[: explorer + 5]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, lab.root / "05_lstm_slides.ipynb")
    return "05_lstm_slides.ipynb", explorer


ONSCREEN = """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')]
    .map((c, i) => c.classList.contains('jp-deck-mod-onscreen') ? i : -1).filter(i => i >= 0)"""


def _font_px(locator) -> float:
    return float(locator.evaluate("el => getComputedStyle(el).fontSize").removesuffix("px"))


@pytest.mark.browser
@pytest.mark.slow
def test_lesson_05_as_slides_with_live_explorer(page, jupyter_lab, tmp_path):
    rel, explorer_index = _lesson_head(jupyter_lab)
    open_and_run_all(page, jupyter_lab, rel)
    assert_no_widget_errors(page)

    # start the deck on the first cell, from the notebook toolbar's button
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.keyboard.press("Escape")
    page.locator('.jp-NotebookPanel-toolbar [data-command="deck:toggle"]').click()
    page.locator(".jp-Deck-Remote").wait_for(state="visible")
    page.wait_for_function(f"() => ({ONSCREEN})().includes(0)")
    onscreen = page.evaluate(ONSCREEN)
    assert explorer_index not in onscreen

    seen = [onscreen]
    for _ in range(20):
        if explorer_index in onscreen:
            break
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            f"prev => JSON.stringify(({ONSCREEN})()) !== prev", arg=str(onscreen).replace(" ", "")
        )
        onscreen = page.evaluate(ONSCREEN)
        seen.append(onscreen)
    assert explorer_index in onscreen, f"never reached the explorer's slide: {seen}"
    assert len(seen) > 2, "the deck did not step through the slides before the explorer"
    # cells of earlier slides are off screen now: a real deck, not a scrolled notebook
    assert 0 not in onscreen

    explorer = page.locator(".jp-deck-mod-onscreen .course-explorer").first
    explorer.wait_for(state="visible")
    numbers = explorer.locator("table").first
    picture = explorer.locator("svg").first
    before = (numbers.inner_text(), picture.inner_html())
    handle = explorer.locator(".widget-slider [role=slider]").first
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, t]) => el.innerText !== t",
        arg=[numbers.element_handle(), before[0]],
        timeout=30_000,
    )
    after = (numbers.inner_text(), picture.inner_html())
    assert after[0] != before[0], "the numbers did not change"
    assert after[1] != before[1], "the picture did not change"
    assert explorer_index in page.evaluate(ONSCREEN), "the slider's keys moved the deck"
    assert_no_widget_errors(page)
    screenshot(page, tmp_path, "lesson05-deck-explorer")

    # the projector switch, run in a new cell after leaving the deck
    page.locator(".jp-Deck-Remote .jp-deck-mod-stop").click()
    page.locator(".jp-Deck-Remote").wait_for(state="detached")
    label = page.locator(".jp-Notebook .course-explorer").first.locator(".widget-label").first
    size_before = _font_px(label)
    page.locator(".jp-Notebook .jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type("import course_lib\ncourse_lib.presentation(True)")
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "([el, px]) => parseFloat(getComputedStyle(el).fontSize) > px",
        arg=[label.element_handle(), size_before],
        timeout=30_000,
    )
    size_after = _font_px(label)
    assert size_after >= 1.3 * size_before, (size_before, size_after)
    assert_no_widget_errors(page)
