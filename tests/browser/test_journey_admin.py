"""Journey: an admin creates a rubric and a question on it, previews the question, publishes
it, and later edits both (new versions); a candidate's report from before the edit still
shows the versions that candidate answered and scored.

Set-up data (not a shortcut through a journey): an ethics-sprint stage and round format
with no other question, so the round is sure to draw the admin's question.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.gates import assert_no_console_errors, check_page
from tests.browser.helpers import at, nav, self_score, sign_in, sit_short_round, user_email

pytestmark = pytest.mark.browser

REFUSALS = (r"status of 4\d\d",)


@pytest.fixture
def sprint_format(app):
    from tests import factories

    with app.app_context():
        factories.skill("ai_governance", "AI governance")
        factories.round_format(
            stage_key="ethics_sprint", minutes=10, count=1, name="Ethics sprint (10 min)"
        )


def report_text(page) -> str:
    """The report as read on screen, without the flash messages above it."""
    text = page.locator("main").inner_text()
    return text[text.index("Report:") :]


def create_rubric(admin) -> None:
    admin.goto("/admin/bank/rubrics")
    admin.get_by_role("link", name="New rubric").click()
    at(admin, r"/admin/bank/rubrics/new$")
    check_page(admin)
    admin.get_by_label("Key", exact=True).first.fill("dual-use-risk")
    admin.get_by_label("Title", exact=True).first.fill("Dual-use risk")
    criterion = admin.get_by_role("group", name="Criterion 1", exact=True)
    criterion.get_by_label("Key", exact=True).first.fill("harm_model")
    criterion.get_by_label("Title", exact=True).first.fill("Harm model")
    criterion.get_by_label("Description", exact=True).first.fill("Who could be harmed, how.")
    names = ["Vague", "Named", "Concrete", "Mitigated", "Measured"]
    levels = criterion.get_by_role("group", name=re.compile(r"^Criterion 1, level \d+$"))
    for n in range(levels.count()):
        level = levels.nth(n)
        level.get_by_label("Value").fill(str(n + 1))
        level.get_by_label("Label").fill(names[n])
        level.get_by_label("Descriptor").fill(f"{names[n]}: level {n + 1} of the harm model.")
    admin.get_by_role("button", name="Save rubric").first.click()
    at(admin, r"/admin/bank/rubrics/\d+$")
    check_page(admin)


def create_question(admin) -> None:
    admin.goto("/admin/bank/questions")
    check_page(admin)
    admin.get_by_role("link", name="New question").click()
    at(admin, r"/admin/bank/questions/new$")
    check_page(admin)
    admin.get_by_label("Key", exact=True).fill("open-weights-release")
    admin.get_by_label("Title", exact=True).fill("Release open weights?")
    admin.get_by_label("Stage").select_option("ethics_sprint")
    admin.get_by_label("AI governance").check()
    admin.get_by_label("Rubric").select_option("dual-use-risk")
    admin.get_by_label("Prompt").fill("Your lab wants to **release the weights**. Decide.")
    admin.get_by_label("Hint 1").fill("Think about misuse.")
    admin.get_by_label("Hint 2").fill("Think about staged release.")
    admin.get_by_label("Follow-up 1").fill("What would change your mind?")
    admin.get_by_label("Follow-up 2").fill("Who signs off?")
    admin.get_by_label("What good looks like").fill("A staged release with evals.")
    # a published question needs talking points (issue 13): typed as YAML
    admin.get_by_label("Talking points (YAML)").fill(
        "- id: misuse\n  label: Names who could misuse the weights\n  phrases: [misuse]\n"
        "- id: staged\n  label: Proposes a staged release\n  phrases: [staged release]\n"
        "- id: evals\n  label: Gates the release on evaluations\n  phrases: [evals, red team]\n"
    )
    admin.get_by_role("button", name="Save question").first.click()
    at(admin, r"/admin/bank/questions/\d+$")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Release open weights?")
    check_page(admin)


def test_admin_edits_do_not_change_an_old_report(app, sprint_format, make_user, open_page):
    admin = open_page("admin")
    sign_in(admin, user_email(app, make_user(role="admin")), role="admin")
    nav(admin, "Admin")
    check_page(admin)
    create_rubric(admin)
    create_question(admin)
    question_url = admin.url

    admin.get_by_role("link", name="Preview as a candidate").click()
    at(admin, r"/preview$")
    expect(admin.locator("main strong", has_text="release the weights")).to_be_visible()
    check_page(admin)
    admin.goto(question_url)
    admin.get_by_role("button", name="Publish").click()
    expect(admin.get_by_text("is published")).to_be_visible()
    check_page(admin)

    # a candidate sits the round with version 1, scores it and reads the report
    candidate = open_page("candidate")
    sign_in(candidate, user_email(app, make_user()))
    nav(candidate, "Practice")
    sit_short_round(candidate, "Start Ethics sprint", "Staged release after red-teaming.")
    self_score(candidate, level_index=1)
    report_url = candidate.url
    report_v1 = report_text(candidate)
    assert "Release open weights?" in report_v1
    assert "Harm model" in report_v1

    # the admin edits the question and the rubric: version 2 of each
    admin.goto(question_url)
    admin.get_by_role("link", name="Edit", exact=True).click()
    at(admin, r"/admin/bank/questions/\d+/edit$")
    check_page(admin)
    admin.get_by_label("Title", exact=True).fill("Release open weights, v2?")
    admin.get_by_label("Change note").fill("sharper title")
    admin.get_by_role("button", name="Save question").first.click()
    expect(admin.get_by_text("Saved as version 2.")).to_be_visible()
    check_page(admin)
    admin.get_by_role("link", name="dual-use-risk").click()
    at(admin, r"/admin/bank/rubrics/\d+$")
    admin.get_by_role("link", name="Edit criteria and levels").click()
    at(admin, r"/admin/bank/rubrics/\d+/edit$")
    criterion = admin.get_by_role("group", name="Criterion 1", exact=True)
    criterion.get_by_label("Title", exact=True).first.fill("Harm model and mitigations")
    admin.get_by_role("button", name="Save rubric").first.click()
    expect(admin.get_by_text("Saved as version 2.")).to_be_visible()
    assert_no_console_errors(admin, allow=REFUSALS)

    # the old report is unchanged
    candidate.goto(report_url)
    assert report_text(candidate) == report_v1
    assert "v2?" not in report_v1 and "mitigations" not in report_v1
    check_page(candidate)
    assert_no_console_errors(candidate)
