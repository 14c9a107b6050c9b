"""The question bank in a real browser: an admin edits a question and a rubric, a candidate
browses. Every bank page passes the gates (axe, console/CSP, 375/1440 px); HTML goes to vnu.
"""

import pytest

from tests.bank.bankdata import load_fixture_bank
from tests.browser.gates import check_page
from tests.browser.helpers import crawl, sign_in, user_email

pytestmark = pytest.mark.browser
REFUSED = (r"status of 4\d\d",)


@pytest.fixture
def bank(app):
    with app.app_context():
        load_fixture_bank()


def test_every_bank_editor_page_passes_the_gates(app, bank, make_user, open_page):
    page = open_page("admin")
    sign_in(page, user_email(app, make_user(role="admin")), role="admin")
    visited = crawl(page, ["/admin/bank/questions"], check_page, limit=30)
    for expected in ("/admin/bank/rubrics", "/admin/bank/formats", "/admin/bank/loops"):
        assert expected in visited
    assert any(path.endswith("/preview") for path in visited)


def test_admin_edits_a_question_and_sees_the_diff(app, bank, make_user, open_page):
    page = open_page("admin")
    sign_in(page, user_email(app, make_user(role="admin")), role="admin")
    page.goto("/admin/bank/questions?q=feature")
    page.get_by_role("link", name="Design a feature store").click()
    page.get_by_role("link", name="Edit", exact=True).click()
    check_page(page)
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save question").first.click()
    page.locator("#title-error").wait_for()
    check_page(page, allow_console=REFUSED)
    page.get_by_label("Title").fill("Design a feature platform")
    page.get_by_label("Change note").fill("broader scope")
    page.get_by_role("button", name="Add a hint").click()
    page.get_by_label("Hint 3").fill("Consider the freshness SLA.")
    page.get_by_role("button", name="Save question").first.click()
    page.get_by_text("Saved as version 2.").wait_for()
    assert page.locator("ins", has_text="+title: Design a feature platform").is_visible()
    assert page.get_by_text("“broader scope”").is_visible()
    check_page(page, allow_console=REFUSED)  # the refused save above logged its 422


def test_admin_adds_a_rubric_level(app, bank, make_user, open_page):
    page = open_page("admin")
    sign_in(page, user_email(app, make_user(role="admin")), role="admin")
    page.goto("/admin/bank/rubrics")
    page.get_by_role("link", name="Coding").click()
    page.get_by_role("link", name="Edit criteria and levels").click()
    page.get_by_role("button", name="Add a level to criterion 1").click()
    group = page.get_by_role("group", name="Criterion 1, level 3")
    group.get_by_label("Value").fill("3")
    group.get_by_label("Label").fill("Fast")
    group.get_by_label("Descriptor").fill("Meets the complexity target.")
    check_page(page)
    page.get_by_role("button", name="Save rubric").first.click()
    page.get_by_text("Saved as version 2.").wait_for()
    assert page.get_by_role("cell", name="Meets the complexity target.").is_visible()
    check_page(page)


def test_candidate_browses_the_bank(app, bank, make_user, open_page):
    page = open_page("candidate")
    sign_in(page, user_email(app, make_user(role="candidate")), role="candidate")
    visited = crawl(page, ["/questions/"], check_page, limit=12, skip=("/practice",))
    assert "/questions/gpu-cost" in visited or "/questions/feature-store" in visited
    page.goto("/questions/gpu-cost")
    assert page.get_by_role("heading", level=1, name="Serving cost of a 7B model").is_visible()
    assert page.get_by_text("SECRET-WORKED-ANSWER").count() == 0


def test_item_statistics_with_flags_pass_the_gates(app, make_user, open_page):
    from tests import factories
    from tests.bank.test_item_stats import sit

    candidate = make_user()
    with app.app_context():
        qid = factories.question(title="Budget a reranker", suggested_minutes=10).id
        for _ in range(5):
            sit(qid, candidate, seconds=1800, levels=[1, 2, 1])
    page = open_page("admin")
    sign_in(page, user_email(app, make_user(role="admin")), role="admin")
    page.goto("/admin/bank/questions")
    page.get_by_role("link", name="Item statistics").click()
    page.wait_for_url("**/admin/bank/stats")
    row = page.get_by_role("row").filter(has_text="Budget a reranker")
    assert "runs long" in row.inner_text() and "scores low" in row.inner_text()
    check_page(page)
    row.get_by_role("link", name="Budget a reranker").click()
    page.get_by_role("heading", name="How it plays").wait_for()
    check_page(page)


def test_candidate_pages_the_bank_forward_and_back_by_key(app, bank, make_user, open_page):
    """Next and Previous carry the edge questions' keys (?after=, ?before=): clicking
    forward two pages and back two lands on the same questions, page numbers intact."""
    from tests import factories

    with app.app_context():
        rubric = factories.rubric()
        for i in range(45):
            factories.question(rubric_obj=rubric, title=f"Paged question {i:03d}")
    page = open_page("candidate")
    sign_in(page, user_email(app, make_user(role="candidate")), role="candidate")
    page.goto("/questions/")
    pager = page.get_by_role("navigation", name="Pages")
    first = page.locator("main .question-list h2 a").all_inner_texts()
    total = pager.get_by_text("Page 1 of").inner_text()
    pages = int(total.rsplit(" ", 1)[1])
    assert pages >= 3
    seen = [first]
    for number in (2, 3):
        pager.get_by_role("link", name="Next").click()
        pager.get_by_text(f"Page {number} of {pages}").wait_for()
        assert "after=" in page.url
        seen.append(page.locator("main .question-list h2 a").all_inner_texts())
    check_page(page)
    for number in (2, 1):
        pager.get_by_role("link", name="Previous").click()
        pager.get_by_text(f"Page {number} of {pages}").wait_for()
        assert "before=" in page.url  # read by key (its page= is only the label)
        assert page.locator("main .question-list h2 a").all_inner_texts() == seen[number - 1]
    assert pager.get_by_role("link", name="Previous").count() == 0
    check_page(page)
