"""A real JupyterLab server and Debian's Chromium, for the browser tests and the benchmark.

``start_lab(root, home)`` runs JupyterLab on 127.0.0.1 with a random free port and a token
(auth is never disabled), serving ``root``; ``stop_lab`` stops it by its PID. ``launch_chromium``
starts headless Chromium through Playwright. Server and browser use ``home`` as HOME, so nothing
is written to the real one.
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

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
SERVER_START_TIMEOUT = 90  # seconds; a cold JupyterLab start on 2 cores takes ~5-15 s


class LabError(RuntimeError):
    """JupyterLab did not start (the message holds the end of its log)."""


def missing_browser_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements.txt)"
    return None


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


def start_lab(root: Path, home: Path, log: Path) -> Lab:
    """Start JupyterLab serving ``root`` with HOME=``home``; wait until it answers."""
    root, home, log = Path(root), Path(home), Path(log)
    port, token = _free_port(), secrets.token_hex(16)
    # Settings of the temporary user: every cell stays in the page (no virtual scrolling, so
    # tests can read widgets scrolled out of view) and no news pop-up.
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
    for path, value in (
        ("notebook-extension/tracker.jupyterlab-settings", {"windowingMode": "none"}),
        ("apputils-extension/notification.jupyterlab-settings", {"fetchNews": "false"}),
    ):
        (settings / path).parent.mkdir(parents=True, exist_ok=True)
        (settings / path).write_text(json.dumps(value))
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / ".ipython"),
        "MPLCONFIGDIR": str(home / ".matplotlib"),
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
            raise LabError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{lab.base}/api/status?token={token}", timeout=2):
                return lab
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise LabError(
                    f"JupyterLab did not answer in {SERVER_START_TIMEOUT} s:\n"
                    f"{log.read_text()[-3000:]}"
                ) from None
            time.sleep(0.3)


def stop_lab(lab: Lab) -> None:
    """Stop the server by its PID (SIGINT, then kill if it does not exit in 10 s)."""
    lab.proc.send_signal(signal.SIGINT)
    try:
        lab.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        lab.proc.kill()
        lab.proc.wait(timeout=10)


def launch_chromium(playwright):
    """Headless Debian Chromium through a started ``sync_playwright()`` object."""
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
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
