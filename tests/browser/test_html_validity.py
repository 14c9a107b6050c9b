"""The W3C Nu HTML checker finds no error in any page the browser suite received.

Pages are collected from every browser test's responses (one per role, method, path and
status), so this test runs last (see conftest) and validates them in ONE JVM start.
When the whole browser suite ran, it also checks that every page template (one that
extends base.html) was rendered for Chromium at least once.
vnu.jar is not committed: it is fetched once with `npm pack vnu-jar@<pinned>` into
.venv/vnu/ (or taken from $VNU_JAR).
"""

import shutil
from pathlib import Path

import pytest

from tests.browser.gates import run_vnu, vnu_jar
from tests.conftest import require_or_skip

pytestmark = pytest.mark.browser


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def page_templates() -> set[str]:
    """Every template that renders a whole page (it extends base.html)."""
    return {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if '{% extends "base.html" %}' in path.read_text(encoding="utf-8")
    }


def whole_browser_suite(session) -> bool:
    """Whether every browser test module was collected in this run (not a -k subset)."""
    here = Path(__file__).resolve().parent
    collected = {Path(item.path).resolve() for item in session.items}
    return set(here.glob("test_*.py")) <= collected


def test_every_page_is_valid_html(open_page, html_pages, browser_templates, request):
    if not shutil.which("java"):
        require_or_skip("Java is not installed (apt-get install default-jre-headless)")
    jar = vnu_jar()
    if jar is None:
        require_or_skip("vnu.jar is missing and npm is not installed to fetch it")
    page = open_page()
    for path in ("/", "/login", "/register"):  # something to check even when run alone
        page.goto(path)
    problems = run_vnu(jar, html_pages.pages)
    assert not problems, f"vnu: {len(problems)} errors in {len(html_pages.pages)} pages:\n" + (
        "\n".join(problems)
    )
    print(f"vnu: {len(html_pages.pages)} pages valid: " + ", ".join(sorted(html_pages.pages)))
    if whole_browser_suite(request.session):
        # vnu, axe and the CSP watch only see what the browser tests open: every page
        # template must be among it, so a new page cannot slip past the gates untested.
        unseen = sorted(page_templates() - browser_templates)
        assert not unseen, "page templates no browser test opened: " + ", ".join(unseen)
        print(f"templates: all {len(page_templates())} page templates opened in Chromium")
