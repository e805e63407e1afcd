"""Helpers shared by the browser tests (see conftest.py for the server and browser fixtures)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def write_notebook(lab, name: str, sources: list[str]) -> str:
    """Write a notebook of code cells ``sources`` into the served folder; returns its relpath."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nbformat.write(nb, lab.root / name)
    return name


def copy_notebook(lab, source: Path, name: str | None = None) -> str:
    """Copy a lesson into the served folder (its outputs cleared); returns its relpath."""
    name = name or source.name
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, lab.root / name)
    return name


def wait_kernel_idle(page, timeout: float = 120_000) -> None:
    """Wait until the status bar says the notebook's kernel is connected and idle.

    (The toolbar's execution indicator says "idle" before any kernel exists, so it is not used.)
    """
    page.wait_for_function(
        """() => {
            const bar = document.querySelector('#jp-main-statusbar');
            const text = bar ? bar.textContent : '';
            return text.includes('| Idle') && !text.includes('No Kernel');
        }""",
        timeout=timeout,
        polling=250,
    )


def open_and_run_all(page, lab, relpath: str, timeout: float = 180_000) -> None:
    """Open ``relpath`` in JupyterLab, wait for an idle kernel, run all cells, wait for the end."""
    page.goto(lab.url(relpath))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=timeout)
    wait_kernel_idle(page, timeout)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    cells = json.loads((lab.root / relpath).read_text())["cells"]
    n_code = sum(cell["cell_type"] == "code" for cell in cells)
    # every code cell gets a number in its prompt, and the kernel goes back to idle
    page.wait_for_function(
        """n => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length >= n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        arg=n_code,
        polling=500,
        timeout=timeout,
    )
    wait_kernel_idle(page, timeout)


def show_explorer(page, lab, name: str, sources: list[str]):
    """Write a small notebook of ``sources`` (its last cell displays an explorer), run it in
    JupyterLab, check that every widget rendered, and return the explorer's locator."""
    rel = write_notebook(lab, name, sources)
    open_and_run_all(page, lab, rel)
    assert_no_widget_errors(page)
    explorer = page.locator(".course-explorer").last
    explorer.scroll_into_view_if_needed()
    return explorer


def read_value(page, name: str) -> str:
    """Text of the numbers-table cell ``[data-name=name]`` (the last one shown on the page)."""
    loc = page.locator(f'td.course-value[data-name="{name}"]').last
    loc.wait_for(state="visible")
    return loc.inner_text().strip()


def wait_value(page, name: str, text: str, timeout: float = 30_000) -> None:
    """Wait until the last numbers-table cell ``[data-name=name]`` shows exactly ``text``."""
    page.wait_for_function(
        """([name, text]) => {
            const cells = document.querySelectorAll(`td.course-value[data-name="${name}"]`);
            return cells.length > 0 && cells[cells.length - 1].textContent.trim() === text;
        }""",
        arg=[name, text],
        timeout=timeout,
        polling=100,
    )


def assert_no_widget_errors(page) -> None:
    """No widget failed to render and no cell ended in an exception."""
    body = page.locator("body").inner_text()
    assert "Error displaying widget" not in body, "a widget failed to render"
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    texts = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
    assert not texts, f"a cell printed an error: {texts[:1]}"


def screenshot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
