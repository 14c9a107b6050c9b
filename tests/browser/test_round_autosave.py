"""The round page in Chromium: autosave, reload keeps text and clock, two tabs, expiry."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.practice import SessionQuestion
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def candidate(app):
    with app.app_context():
        user = factories.user(email="sitter@example.com")
        return user.id


def sign_in(page, email="sitter@example.com"):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")


def make_format(app, minutes=45, kinds=("text",), **fields):
    with app.app_context():
        fmt = factories.round_format("technical_phone", minutes=minutes, count=len(kinds), **fields)
        for kind in kinds:
            factories.question(
                "technical_phone",
                answer_kind=kind,
                code_language="python" if kind == "code" else None,
                hints=["Think about the data size.", "Consider a heap."],
            )
        return fmt.id, fmt.name


def start_round(page, name):
    page.goto("/practice/")
    page.get_by_role("button", name=f"Start {name}").click()
    page.wait_for_url(re.compile(r".*/practice/sessions/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def seconds_shown(page) -> int:
    text = page.locator("[data-timer-clock]").inner_text()
    parts = [int(p) for p in text.split(":")]
    total = 0
    for p in parts:
        total = total * 60 + p
    return total


def test_type_autosave_reload_keeps_text_and_clock(app, page, candidate):
    _, name = make_format(app, minutes=45)
    sign_in(page)
    session_id = start_round(page, name)
    first = seconds_shown(page)
    assert 44 * 60 < first <= 45 * 60

    page.get_by_label("Your answer").fill("Use a min-heap of size k.")
    page.get_by_text(re.compile(r"^Saved at \d\d:\d\d:\d\d$")).wait_for()

    page.wait_for_timeout(1100)
    page.reload()
    assert page.get_by_label("Your answer").input_value() == "Use a min-heap of size k."
    after = seconds_shown(page)
    assert after < first, "the countdown continued; it did not reset"
    with app.app_context():
        item = db.session.scalar(
            select(SessionQuestion).where(SessionQuestion.session_id == session_id)
        )
        assert item.answer_text == "Use a min-heap of size k."
        assert item.revision >= 1
    assert page.errors == []
