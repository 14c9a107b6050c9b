"""The W3C Nu HTML checker finds no error in any page the browser suite received.

Pages are collected from every browser test's responses (one per role, method, path and
status), so this test runs last (see conftest) and validates them in ONE JVM start.
vnu.jar is not committed: it is fetched once with `npm pack vnu-jar@<pinned>` into
.venv/vnu/ (or taken from $VNU_JAR).
"""

import shutil

import pytest

from tests.browser.gates import run_vnu, vnu_jar
from tests.conftest import require_or_skip

pytestmark = pytest.mark.browser


def test_every_page_is_valid_html(open_page, html_pages):
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
