"""The course's slider (course_lib/widgets/slider.py) against a slow kernel, in a real browser:
a drag's moves are merged while two are in flight (no queue builds), and the last value always
reaches the kernel."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_no_widget_errors, open_and_run_all, write_notebook

SLOW_CELL = """\
import time
import ipywidgets as W
from course_lib.widgets.slider import Slider

s = Slider(value=0.0, min=-10.0, max=10.0, step=0.1, description="slow", readout_format=".1f")
seen = []
out = W.HTML("<span id='slow-out' data-n='0'>0.0</span>")


def slow(change):
    time.sleep(0.2)  # a kernel that needs 200 ms per move
    seen.append(change["new"])
    out.value = f"<span id='slow-out' data-n='{len(seen)}'>{change['new']:.1f}</span>"


s.observe(slow, names="value")
box = W.VBox([s, out])
box.add_class("slow-slider")
box"""


@pytest.mark.browser
def test_a_drag_against_a_slow_kernel_merges_moves_and_ends_on_the_last(page, jupyter_lab):
    rel = write_notebook(jupyter_lab, "slow_slider.ipynb", [SLOW_CELL])
    open_and_run_all(page, jupyter_lab, rel)
    assert_no_widget_errors(page)
    box = page.locator(".slow-slider")
    box.scroll_into_view_if_needed()
    slider = box.locator("input[type=range]")
    page.evaluate(
        """el => { window.__moves = 0; el.addEventListener('input', () => window.__moves++); }""",
        slider.element_handle(),
    )
    area = slider.bounding_box()
    y = area["y"] + area["height"] / 2
    page.mouse.move(area["x"] + area["width"] / 2, y)
    page.mouse.down()
    for k in range(100):  # about 2 s back and forth, ending at a quarter of the range
        frac = 0.5 + 0.45 * ((k % 50) / 25 - 1) * (1 if k < 50 else -1)
        page.mouse.move(area["x"] + frac * area["width"], y)
        page.wait_for_timeout(16)
    page.mouse.move(area["x"] + 0.25 * area["width"], y)
    page.mouse.up()
    shown = box.locator(".widget-readout").inner_text().strip().replace("−", "-")
    moves = page.evaluate("() => window.__moves")
    # the kernel is done when it has handled nothing for a second (five of its moves)
    page.wait_for_function(
        """() => {
            const n = document.querySelector('#slow-out').dataset.n, now = performance.now();
            if (window.__lastN !== n) { window.__lastN = n; window.__lastAt = now; return false; }
            return now - window.__lastAt > 1000;
        }""",
        polling=100,
        timeout=60_000,
    )
    out = page.locator("#slow-out")  # made anew by every update
    handled = int(out.get_attribute("data-n"))
    # the last value reached the kernel (never dropped), however many moves came before it
    assert out.inner_text().strip() == shown, (out.inner_text(), shown)
    assert -6.0 < float(shown) < -4.0, shown  # a quarter of [-10, 10]
    # moves made while two were in flight were merged: the kernel handled a small part of them
    # (at 200 ms each, a queue of every move would have kept it busy for about 20 s)
    assert moves >= 50, f"the drag made only {moves} moves"
    assert handled <= moves / 3, f"the kernel handled {handled} of {moves} moves: a queue"
