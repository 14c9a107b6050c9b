"""A real Chromium driven by Python Playwright, against the app served from a thread.

Uses Debian's /usr/bin/chromium (never `playwright install`). Without Chromium or
Playwright these tests skip with a reason, except in CI where they are required.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.gates import DEFAULT_VIEWPORT, HtmlCollector, PageErrors, watch_page
from tests.conftest import VNU_TEST, make_app, require_or_skip

__all__ = ["PageErrors"]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM")
        or shutil.which("chromium")
        or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    )


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        require_or_skip("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip("Python Playwright is not installed")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_app(database_url, _schema, app):
    """The app the browser talks to: CSRF on, like production. Shares the test's tables."""
    return make_app(database_url, WTF_CSRF_ENABLED=True)


@pytest.fixture
def live_server(live_app):
    server = LiveServer(live_app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def html_pages() -> HtmlCollector:
    """Every distinct page each role received during the run, for one vnu check at the end."""
    return HtmlCollector()


@pytest.fixture(scope="session")
def browser_templates():
    """Names of the templates rendered for Chromium during the run.

    The live server runs in this process, so Flask's `template_rendered` signal sees its
    renders; requests from the test client are left out by their User-Agent.
    """
    from flask import request, template_rendered

    seen: set[str] = set()

    def record(sender, template, context, **extra):
        if "HeadlessChrome" in request.headers.get("User-Agent", "") and template.name:
            seen.add(template.name)

    template_rendered.connect(record, weak=False)
    yield seen
    template_rendered.disconnect(record)


@pytest.fixture
def open_page(browser, live_server, html_pages, browser_templates):
    """open_page(role="anonymous") -> a page in a fresh browser context (its own cookies).

    Each page is watched: `page.errors` collects console errors, uncaught exceptions and
    CSP violations; every HTML document it receives goes to the vnu collector.
    """
    contexts = []

    def _open(role: str = "anonymous", **context_options):
        options = {"base_url": live_server.url, "viewport": dict(DEFAULT_VIEWPORT)}
        options.update(context_options)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return watch_page(context.new_page(), html_pages, role=role)

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


def pytest_collection_modifyitems(config, items):
    """Browser tests commit for real; the vnu checks run last.

    The live server answers from its own thread and connections, so it cannot see a test's
    rolled-back transaction (tests/conftest.py): every browser test is `real_commits`. A vnu
    check validates what the browser tests before it collected in its process, so the
    checks run last: in one process, both at the end; under xdist, each at the end of its
    group (`tests.conftest.browser_group`), which one worker runs in this order.
    """
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.real_commits)
    last = [item for item in items if _is_vnu(item)]
    items[:] = [item for item in items if not _is_vnu(item)] + last


def _is_vnu(item) -> bool:
    return getattr(item, "originalname", item.name) == VNU_TEST


@pytest.fixture(scope="session")
def bank_files():
    """The real question bank (question_bank/), read and validated once per run."""
    from app.bank.files import reading
    from app.config import ROOT

    files = reading.read_bank(ROOT / "question_bank")
    assert files.ok, "\n".join(str(p) for p in files.problems)
    return files


@pytest.fixture
def bank(app, bank_files):
    """Load the real bank into the test database, as `flask bank import` does."""
    from app.bank import transfer
    from app.clock import utcnow

    with app.app_context():
        return transfer.import_bank(bank_files, now=utcnow())
