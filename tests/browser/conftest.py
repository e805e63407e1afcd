"""Browser tests: a real JupyterLab server and Debian's Chromium driven by Playwright.

The server runs on 127.0.0.1 with a random free port and a token (auth is never disabled),
serves a temporary folder, and is stopped by its PID (see ``lab.py``, shared with
``benchmarks/bench_widgets.py``). Server and browser get a temporary HOME, so nothing is
written to the real one. Without /usr/bin/chromium the tests skip, unless
``COURSE_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which turns the skip into a failure.
"""

from __future__ import annotations

import os

import pytest

from tests.browser.lab import LabError, launch_chromium, missing_browser_reason, start_lab, stop_lab


def require_browser() -> None:
    reason = missing_browser_reason()
    if reason is None:
        return
    if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required (COURSE_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_home(tmp_path_factory):
    return tmp_path_factory.mktemp("browser-home")


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory, browser_home):
    require_browser()
    root = tmp_path_factory.mktemp("lab-root")
    log = tmp_path_factory.mktemp("lab-log") / "jupyterlab.log"
    try:
        lab = start_lab(root, browser_home, log)
    except LabError as err:
        pytest.fail(str(err))
    yield lab
    stop_lab(lab)


@pytest.fixture(scope="session")
def _browser(browser_home):
    require_browser()
    from playwright.sync_api import sync_playwright

    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(browser_home)  # the browser's profile and caches go there
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            yield browser
            browser.close()
    finally:
        if old_home is not None:
            os.environ["HOME"] = old_home


@pytest.fixture
def page(_browser, jupyter_lab):
    context = _browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
