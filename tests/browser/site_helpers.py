"""The built course site, served from 127.0.0.1, for the site's browser tests.

``built_site`` builds the site once per test session into a temporary folder;
``site_server`` serves it with the standard library's HTTP server on a free port (stopped at
the end of the session); ``open_offline(browser, url, javascript)`` opens a page in a fresh
browser context where every request to another host is aborted and recorded, so a test can
fail when the site tried to reach the network.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def lesson_names(portuguese: bool = True) -> list[str]:
    """The numbered lessons (``05_lstm``), with their Portuguese editions (``05_lstm.pt-BR``)."""
    names = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return names if portuguese else [n for n in names if not n.endswith(".pt-BR")]


def widget_views(name: str) -> list[dict]:
    """The stored outputs of lesson ``name`` that hold a widget view (explorers and others)."""
    nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    return [
        output["data"]
        for cell in nb["cells"]
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class SiteServer:
    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, relpath: str) -> str:
        return f"{self.base}/{relpath}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    from course_lib.site import build_site

    out = tmp_path_factory.mktemp("site") / "_site"
    build_site(out)
    return out


@pytest.fixture(scope="session")
def site_server(built_site):
    server = SiteServer(built_site)
    yield server
    server.stop()


class OfflinePage:
    """A page whose requests outside 127.0.0.1 are aborted; ``blocked`` lists them."""

    def __init__(self, browser, javascript: bool = True):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, java_script_enabled=javascript
        )
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def offline(_browser):
    """A factory of offline pages (closed at the end of the test)."""
    pages: list[OfflinePage] = []

    def make(javascript: bool = True) -> OfflinePage:
        pages.append(OfflinePage(_browser, javascript))
        return pages[-1]

    yield make
    for p in pages:
        p.close()
