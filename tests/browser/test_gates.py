"""The gates themselves: each one catches the fault it exists for.

A fake page is served under the live server's origin (with the app's real CSP header)
so the gates run exactly as they do on the product's pages.
"""

import pytest

from app.security import CSP
from tests.browser.gates import (
    assert_accessible,
    assert_no_console_errors,
    assert_responsive,
    axe_violations,
    focus_is_visible,
    page_key,
)

pytestmark = pytest.mark.browser

GOOD = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>ok</title></head>
<body><main><h1>Fine</h1><label for="a">Answer</label><input id="a">
<div id="timer" role="timer">10:00</div></main></body></html>"""


def serve(page, body: str) -> None:
    page.route(
        "**/gate-check",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": CSP},
            body=body,
        ),
    )
    page.goto("/gate-check")


def test_a_clean_page_passes_every_gate(page):
    serve(page, GOOD)
    assert_accessible(page)
    assert_responsive(page, timer=page.locator("#timer"))
    assert_no_console_errors(page)


def test_axe_runs_under_the_production_csp_and_reports_serious_violations(page):
    serve(page, GOOD.replace('<label for="a">Answer</label>', ""))
    ids = {v["id"] for v in axe_violations(page)}
    assert "label" in ids
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)
    # running axe did not itself trip the CSP
    assert_no_console_errors(page)


def test_inline_script_is_reported_as_a_csp_violation(page):
    serve(page, GOOD.replace("</main>", "</main><script>console.log('inline')</script>"))
    page.wait_for_timeout(100)  # the violation event is dispatched asynchronously
    assert page.errors.csp, page.errors
    with pytest.raises(AssertionError, match="CSP"):
        assert_no_console_errors(page)


def test_console_errors_fail_unless_allowed(page):
    serve(page, GOOD.replace("</main>", '</main><img alt="" src="/static/missing.png">'))
    page.wait_for_load_state("load")
    with pytest.raises(AssertionError, match="404"):
        assert_no_console_errors(page)
    assert_no_console_errors(page, allow=(r"status of 404",))


def test_sideways_scrolling_and_a_hidden_timer_are_caught(page):
    wide = GOOD.replace("</main>", '</main><img alt="" width="900" height="10" src="data:,">')
    serve(page, wide)
    with pytest.raises(AssertionError, match="375 px"):
        assert_responsive(page)

    tall = GOOD.replace("</main>", '<img alt="" width="10" height="3000" src="data:,"></main>')
    serve(page, tall)
    with pytest.raises(AssertionError, match="timer is out of view"):
        assert_responsive(page, timer=page.locator("#timer"))


def test_focus_visibility_reads_the_computed_outline(page):
    styled = GOOD.replace("<title>", '<link rel="stylesheet" href="/static/css/app.css"><title>')
    serve(page, styled)
    page.keyboard.press("Tab")
    assert focus_is_visible(page)
    # an outline removed (CSSOM is allowed under the CSP) is no longer a visible focus
    page.evaluate("() => { document.activeElement.style.outline = 'none'; }")
    assert not focus_is_visible(page)


def test_page_keys_collapse_ids_and_queries():
    key = page_key("coach", "GET", "http://127.0.0.1:5/coach/sessions/42/log?page=2", 200)
    assert key == "coach GET /coach/sessions/{id}/log 200"


def test_vnu_reports_invalid_html_by_page_and_passes_valid_html():
    import shutil

    from tests.browser.gates import run_vnu, vnu_jar
    from tests.conftest import require_or_skip

    if not shutil.which("java"):
        require_or_skip("Java is not installed (apt-get install default-jre-headless)")
    jar = vnu_jar()
    if jar is None:
        require_or_skip("vnu.jar is missing and npm is not installed to fetch it")
    bad = GOOD.replace("<main>", '<main><p hx-get="/x">one<div>two</div></p>')
    problems = run_vnu(jar, {"candidate GET /good 200": GOOD, "coach GET /bad 200": bad})
    assert problems, "vnu found nothing wrong with invalid HTML"
    assert all(p.startswith("coach GET /bad 200: ") for p in problems), problems
    assert any("hx-get" in p for p in problems), problems
