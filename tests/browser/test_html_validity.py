"""The W3C Nu HTML checker finds no error in any page the browser suite received.

Pages are collected from every browser test's responses (one per role, method, path and
status), so the check runs last (see conftest) and validates them in ONE JVM start. Under
pytest-xdist the browser tests are two groups (`tests.conftest.browser_group`), each run
by one worker and ended by its own check (the test's two parameters), which validates
what its worker collected since the last check. When the whole browser suite ran, the
check that ends last also makes sure that every page template (one that extends
base.html) was rendered for Chromium at least once, by either worker: each check leaves
its worker's templates in the run's shared temporary directory (`gates.run_directory`),
and whichever finds the other's there compares the union.
vnu.jar is not committed: it is fetched once with `npm pack vnu-jar@<pinned>` into
.venv/vnu/ (or taken from $VNU_JAR).
"""

import shutil
from pathlib import Path

import pytest

from tests.browser.gates import run_directory, run_vnu, templates_seen_by_both, vnu_jar
from tests.conftest import BROWSER_GROUPS, require_or_skip

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


@pytest.mark.parametrize("group", BROWSER_GROUPS)
def test_every_page_is_valid_html(
    group, open_page, html_pages, browser_templates, request, tmp_path_factory
):
    if not shutil.which("java"):
        require_or_skip("Java is not installed (apt-get install default-jre-headless)")
    jar = vnu_jar()
    if jar is None:
        require_or_skip("vnu.jar is missing and npm is not installed to fetch it")
    page = open_page()
    for path in ("/", "/login", "/register"):  # something to check even when run alone
        page.goto(path)
    pages = dict(html_pages.pages)
    html_pages.pages.clear()  # the next check in this process validates only what is new
    problems = run_vnu(jar, pages)
    assert not problems, f"vnu: {len(problems)} errors in {len(pages)} pages:\n" + (
        "\n".join(problems)
    )
    print(f"vnu: {len(pages)} pages valid: " + ", ".join(sorted(pages)))
    if not whole_browser_suite(request.session):
        return
    seen = templates_seen_by_both(run_directory(tmp_path_factory), group, browser_templates)
    if seen is None:
        return  # the other group's check, still to end, compares
    # vnu, axe and the CSP watch only see what the browser tests open: every page
    # template must be among it, so a new page cannot slip past the gates untested.
    unseen = sorted(page_templates() - seen)
    assert not unseen, "page templates no browser test opened: " + ", ".join(unseen)
    print(f"templates: all {len(page_templates())} page templates opened in Chromium")
