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


@pytest.mark.browser
def test_dragging_the_x_slider_across_its_range_settles_on_the_last_value(
    page, jupyter_lab, tmp_path
):
    """A two-second drag from one end of x's range to the other and back to three quarters:
    the views end on the value the slider shows (the last event is never dropped), and they
    get there soon after the hand stops (events are coalesced, not queued)."""
    args = ", ".join(f"{k}={v!r}" for k, v in START.items())
    explorer = show_explorer(
        page,
        jupyter_lab,
        "lstm_drag.ipynb",
        [
            "from course_lib.widgets.lstm import LSTMGateExplorer",
            f"ex = LSTMGateExplorer({args})\nex",
        ],
    )
    first = _step(START, START["x"], START["h_prev"], START["c_prev"])
    wait_value(page, "c", f"{first['c']:.3f}")
    row = explorer.locator(".widget-slider").filter(has_text="(input)")
    handle = track = row.locator("input[type=range]")  # a range input: track and thumb in one
    handle.scroll_into_view_if_needed()
    box, hbox = track.bounding_box(), handle.bounding_box()
    y = hbox["y"] + hbox["height"] / 2
    page.mouse.move(hbox["x"] + hbox["width"] / 2, y)
    page.mouse.down()
    # left end, then right end, then back to three quarters: about 120 moves over 2 s
    path = [0.0 - 0.05 * k for k in range(5)]
    path += [k / 60 * 1.1 - 0.05 for k in range(61)]
    path += [1.05 - k / 40 * 0.3 for k in range(41)]
    seen = set()
    for frac in path:
        page.mouse.move(box["x"] + frac * box["width"], y)
        page.wait_for_timeout(16)
        seen.add(row.locator(".widget-readout").inner_text().strip().replace("−", "-"))
    page.mouse.up()
    stopped = page.evaluate("() => performance.now()")
    assert {"-3.00", "3.00"} <= seen, "the drag did not reach both ends of the range"
    shown = row.locator(".widget-readout").inner_text().strip()
    x = float(shown.replace("−", "-"))  # the readout writes a minus sign
    assert 1.0 < x < 2.5, shown  # three quarters of [-3, 3] is 1.5
    want = _step({**START, "x": x}, x, START["h_prev"], START["c_prev"])
    wait_value(page, "x", f"{x:.3f}", timeout=10_000)
    wait_value(page, "h", f"{want['h']:.3f}", timeout=10_000)
    settled = page.evaluate("() => performance.now()") - stopped
    for name in ("f", "i", "o", "g", "c", "h"):
        assert read_value(page, name) == f"{want[name]:.3f}", name
    # the picture: the diagram's labels and the bar chart's numbers show the same step
    for name in ("x", "f", "c", "h"):
        label = explorer.locator(f'svg [data-label="{name}"]').text_content()
        assert label.endswith(f"= {want.get(name, x):.2f}".replace("-", "−")), (name, label)
    bars = explorer.locator('svg.course-plot [data-series="bars"]').locator("xpath=..")
    texts = bars.locator("text").all_text_contents()
    for name in ("f", "i", "o", "c", "h"):
        assert f"{want[name]:.2f}".replace("-", "−") in texts, (name, texts)
    # a queue of two seconds of events would take seconds to drain; coalesced, it is one step
    assert settled < 1500, f"the views settled {settled:.0f} ms after the hand stopped"
    screenshot(page, tmp_path, "05-lstm-after-drag")
    assert_no_widget_errors(page)
