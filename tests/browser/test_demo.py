"""`make demo` then signing in as each demo user: the newcomer's first minute (issue 18).

The demo is seeded with the real command (`flask demo seed`) on the real bank; each
account then signs in with the password the command printed and finds its part of the
product filled in: the candidate a report with a coach review and practise-next list, the
coach a candidate and a published review, the admin the users and the bank.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.gates import check_page
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser

LINE = re.compile(r"^\s+(candidate|coach|admin)\s+(\S+@demo\.mockloop\.test)\s+(\S+)$", re.M)


@pytest.fixture
def demo(app, bank):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    report = re.search(r"(/feedback/sessions/\d+/report)", result.output).group(1)
    accounts = {role: (email, password) for role, email, password in LINE.findall(result.output)}
    return accounts, report


def test_the_demo_candidate_sees_a_report_a_review_and_what_to_practise_next(open_page, demo):
    accounts, report = demo
    page = open_page("candidate")
    sign_in(page, *accounts["candidate"], role="candidate")
    check_page(page)
    page.goto(report)
    expect(page.get_by_text("Outcomes are vague")).to_be_visible()
    check_page(page)
    page.goto("/feedback/")
    expect(page.get_by_role("heading", name=re.compile("Practise next", re.I))).to_be_visible()
    check_page(page)


def test_the_demo_coach_sees_the_candidate_and_the_published_review(open_page, demo):
    accounts, _ = demo
    page = open_page("coach")
    sign_in(page, *accounts["coach"], role="coach")
    page.goto("/coach/candidates")
    expect(page.get_by_text("Dana Demo (candidate)").first).to_be_visible()
    check_page(page)


def test_the_demo_admin_sees_the_users_and_the_bank(open_page, demo):
    accounts, _ = demo
    page = open_page("admin")
    sign_in(page, *accounts["admin"], role="admin")
    page.goto("/admin/users")
    expect(page.get_by_text("candidate@demo.mockloop.test").first).to_be_visible()
    check_page(page)
    page.goto("/admin/bank/")
    check_page(page)
