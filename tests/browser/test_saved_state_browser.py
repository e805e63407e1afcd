"""A saved notebook shows the explorers' last pictures without running anything: the plots are
SVG text inside the widget state that nbclient stores, and JupyterLab draws them from it."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.sign import NotebookNotary

from tests.browser.helpers import KERNELSPEC, assert_no_widget_errors, screenshot

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.browser
def test_saved_widget_state_shows_the_plots_without_a_kernel_run(page, jupyter_lab, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from course_lib.widgets.gradients import ClippingExplorer\n"
            "clip = ClippingExplorer(presentation=True)\nclip"
        ),
        nbformat.v4.new_code_cell("_ = clip.set(gx=-4.0, gy=3.0, threshold=2.5)"),
    ]
    NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=True).execute(
        cwd=str(jupyter_lab.root)
    )
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert any("course-plot" in str(m["state"].get("value", "")) for m in state.values())
    # trusted, as a notebook the student ran and saved is (JupyterLab draws widget outputs of
    # untrusted notebooks as their text/plain fallback); the server shares this data dir
    NotebookNotary().sign(nb)
    nbformat.write(nb, jupyter_lab.root / "saved_state.ipynb")

    page.goto(jupyter_lab.url("saved_state.ipynb"))  # opened, never run
    plot = page.locator(".course-explorer svg.course-plot").first
    plot.wait_for(state="visible", timeout=240_000)  # a kernel start under load is slow
    assert_no_widget_errors(page)
    root = ET.fromstring(plot.evaluate("el => el.outerHTML"))
    # the scene the second cell set: g = (−4, 3), clipped at c = 2.5, in presentation size
    assert root.get("data-font-scale") == "1.6"
    arrows = {g.get("data-series"): g for g in root.iter(f"{SVG}g") if g.get("data-series")}
    assert {"g", "by_value", "by_norm"} <= set(arrows)
    circle = [c for c in root.iter(f"{SVG}circle") if c.get("data-series") == "circle"]
    assert len(circle) == 1
    numbers = page.locator('.course-explorer td.course-value[data-name="norm"]').first
    assert numbers.inner_text().strip() == f"{math.hypot(-4.0, 3.0):.3f}"
    screenshot(page, tmp_path, "saved-state")
