"""The round page: what it shows, what it never shows, and who may see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from tests.practice.conftest import START, only_session_id


@pytest.fixture
def started(app, client, login_as, make_bank):
    def _start(kinds=("text",), **fields):
        login_as()
        bank = make_bank(count=len(kinds), kinds=kinds, **fields)
        client.post("/practice/rounds", data={"format_id": bank.format_id})
        return only_session_id(app)

    return _start


def test_page_shows_prompt_clock_and_never_the_good_answer(client, started):
    with freeze_time(START) as frozen:
        session_id = started()
        frozen.move_to(START + timedelta(seconds=90))
        response = client.get(f"/practice/sessions/{session_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "<p>Design system number" in page  # prompt rendered through |markdown
    assert "SECRET GOOD ANSWER" not in page
    assert "First hint" not in page  # hints only on request
    assert 'data-seconds-remaining="3510"' in page and 'data-duration="3600"' in page
    assert '<span class="clock" data-timer-clock>58:30</span>' in page
    assert '<progress id="round-progress"' in page
    assert 'aria-live="polite"' in page
    assert 'name="answer_text"' in page and "Save</button>" in page and "Submit round" in page


def test_prompt_markdown_is_sanitised(app, client, login_as):
    from tests import factories

    login_as()
    with app.app_context():
        fmt_id = factories.round_format("system_design", count=1).id
        factories.question(prompt_md="Hi <script>alert(1)</script> [x](javascript:alert(1))")
    client.post("/practice/rounds", data={"format_id": fmt_id})
    page = client.get(f"/practice/sessions/{only_session_id(app)}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert 'href="javascript' not in page


def test_code_estimate_deliverable_fields(client, started):
    session_id = started(kinds=("code", "estimate", "deliverable"))
    pages = [
        client.get(f"/practice/sessions/{session_id}?q={q}").get_data(as_text=True)
        for q in range(3)
    ]
    code = next(p for p in pages if "data-code-editor" in p)
    assert 'class="code"' in code and "Escape, then Tab" in code and "Your code (python)" in code
    estimate = next(p for p in pages if 'name="answer_number"' in p)
    assert 'name="answer_unit"' in estimate and "Asked in GB" in estimate
    deliverable = next(p for p in pages if 'name="answer_links"' in p)
    assert "Your write-up" in deliverable


def test_take_home_shows_deadline_in_the_users_zone(app, client, login_as, make_bank):
    with freeze_time("2026-10-23T19:15:00Z"):
        login_as(timezone="Europe/Berlin")
        bank = make_bank("take_home", 2880, count=1, kinds=("deliverable",))
        client.post("/practice/rounds", data={"format_id": bank.format_id})
        page = client.get(f"/practice/sessions/{only_session_id(app)}").get_data(as_text=True)
    # 48 h of wall time across the end of summer time (25 Oct): 21:15 CEST -> 20:15 CET
    assert "Due <time" in page and "Sun 25 Oct, 20:15 CET" in page


@pytest.mark.parametrize("role", ["candidate", "coach", "admin"])
def test_other_users_get_404_everywhere(app, client, started, auth, make_user, role):
    session_id = started()
    auth.logout()
    from tests.factories import PASSWORD

    other = make_user(role=role, email=f"other-{role}@example.com")
    assert other
    auth.login(f"other-{role}@example.com", PASSWORD)
    base = f"/practice/sessions/{session_id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/status").status_code == 404
    assert client.get(f"{base}/submit").status_code == 404
    assert client.post(f"{base}/submit").status_code == 404
    assert client.post(f"{base}/expire").status_code == 404
    assert client.post(f"{base}/warnings", data={"seconds_left": 300}).status_code == 404
    assert (
        client.post(
            f"{base}/questions/0/autosave", data={"revision": 0, "answer_text": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(f"{base}/questions/0", data={"revision": 0, "answer_text": "x"}).status_code
        == 404
    )


def test_signed_out_visitors_are_sent_to_sign_in(client, started, auth):
    session_id = started()
    auth.logout()
    response = client.get(f"/practice/sessions/{session_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_reload_and_sign_in_again_never_resets_the_clock(app, client, started, auth):
    with freeze_time(START) as frozen:
        session_id = started()
        frozen.move_to(START + timedelta(minutes=25))
        auth.logout()
        from app.extensions import db
        from app.models.practice import PracticeSession

        with app.app_context():
            email = db.session.get(PracticeSession, session_id).user.email
        auth.login(email)
        page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
        status = client.get(f"/practice/sessions/{session_id}/status").get_json()
    assert 'data-seconds-remaining="2100"' in page
    assert status["seconds_remaining"] == 35 * 60 and status["phase"] == "running"
