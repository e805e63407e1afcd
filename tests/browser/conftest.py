"""Browser tests: a real JupyterLab server and Debian's Chromium driven by Playwright.

The server runs on 127.0.0.1 with a random free port and a token (auth is never disabled),
serves a temporary folder, and is stopped by its PID. Server and browser get a temporary HOME,
so nothing is written to the real one. Without /usr/bin/chromium the tests skip, unless
``COURSE_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which turns the skip into a failure.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
SERVER_START_TIMEOUT = 90  # seconds; a cold JupyterLab start on 2 cores takes ~5-15 s


def _missing_browser_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements.txt)"
    return None


def require_browser() -> None:
    reason = _missing_browser_reason()
    if reason is None:
        return
    if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required (COURSE_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab: ``root`` is the folder it serves, ``url(relpath)`` opens a file."""

    def __init__(self, root: Path, port: int, token: str, proc: subprocess.Popen, log: Path):
        self.root, self.port, self.token, self.proc, self.log = root, port, token, proc, log

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, relpath: str = "") -> str:
        """URL that opens ``relpath`` in a workspace of its own.

        JupyterLab restores the tabs of the workspace it opens; in the shared default one, a
        notebook opened by an earlier test would come back and could take "Run All".
        """
        if not relpath:
            return f"{self.base}/lab?token={self.token}"
        workspace = "".join(ch if ch.isalnum() else "-" for ch in relpath)
        return f"{self.base}/lab/workspaces/{workspace}/tree/{relpath}?token={self.token}"


@pytest.fixture(scope="session")
def browser_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("browser-home")
    return home


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory, browser_home):
    require_browser()
    root = tmp_path_factory.mktemp("lab-root")
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp_path_factory.mktemp("lab-log") / "jupyterlab.log"
    # Settings of the temporary user: every cell stays in the page (no virtual scrolling, so
    # tests can read widgets scrolled out of view) and no news pop-up.
    settings = browser_home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
    for path, value in (
        ("notebook-extension/tracker.jupyterlab-settings", {"windowingMode": "none"}),
        ("apputils-extension/notification.jupyterlab-settings", {"fetchNews": "false"}),
    ):
        (settings / path).parent.mkdir(parents=True, exist_ok=True)
        (settings / path).write_text(json.dumps(value))
    env = {
        **os.environ,
        "HOME": str(browser_home),
        "JUPYTER_CONFIG_DIR": str(browser_home / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(browser_home / "runtime"),
        "IPYTHONDIR": str(browser_home / ".ipython"),
        "MPLCONFIGDIR": str(browser_home / ".matplotlib"),
    }
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    lab = Lab(root, port, token, proc, log)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{lab.base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(
                    f"JupyterLab did not answer in {SERVER_START_TIMEOUT} s:\n"
                    f"{log.read_text()[-3000:]}"
                )
            time.sleep(0.3)
    yield lab
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def _browser(browser_home):
    require_browser()
    from playwright.sync_api import sync_playwright

    args = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(browser_home)  # the browser's profile and caches go there
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
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
