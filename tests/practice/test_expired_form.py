"""The answer form posted with a stale CSRF token (signed in again in another tab), no JS.

Our own round page comes back with the typed text in its boxes and a fresh token; nothing
is saved until the candidate presses Save again. Anything else gets the generic page.
"""

from __future__ import annotations

import html
import re

import pytest

from app.errors import CSRF_TYPED_MESSAGE
from app.practice.routes import ANSWER_EXPIRED
from tests.conftest import PASSWORD, csrf_token
from tests.practice.conftest import items, only_session_id

OURS = {"Origin": "http://localhost"}
EMAIL = "stale@example.com"


def sign_in(client):
    token = csrf_token(client)
    response = client.post(
        "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


@pytest.fixture
def stale_round(app, make_user, make_bank):
    """A candidate's open round page, then a sign-in in another tab: (client, id, old token)."""
    make_user(email=EMAIL)
    client = app.test_client()
    sign_in(client)
    bank = make_bank(count=2, kinds=("text", "estimate"))
    client.post(
        "/practice/rounds",
        data={"format_id": bank.format_id, "csrf_token": csrf_token(client, "/practice/")},
    )
    session_id = only_session_id(app)
    old_token = csrf_token(client, f"/practice/sessions/{session_id}")
    sign_in(client)  # another tab: the session is cleared, and its token with it
    return client, session_id, old_token


def post_answer(client, session_id, token, position=0, headers=OURS, **fields):
    data = {"csrf_token": token, "revision": 0, "seq": 0, "client_id": "", "action": "save"}
    data.update(fields)
    return client.post(
        f"/practice/sessions/{session_id}/questions/{position}", data=data, headers=headers
    )


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea id="{name}" name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, name
    return html.unescape(match.group(1))


@pytest.mark.csrf
def test_the_round_comes_back_with_the_typed_text_and_a_fresh_token(app, stale_round):
    client, session_id, old_token = stale_round
    typed = "Shard by user id.\n<script>alert(1)</script> & cache the embeddings"
    response = post_answer(client, session_id, old_token, answer_text=typed)
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert ANSWER_EXPIRED in page
    assert textarea(page, "answer_text").strip("\n") == typed
    assert "<script>alert(1)</script>" not in page  # escaped in the box
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert fresh != old_token
    assert items(app, session_id)[0].answer_text == ""  # nothing saved yet

    again = post_answer(client, session_id, fresh, answer_text=typed)
    assert again.status_code == 302
    assert items(app, session_id)[0].answer_text.replace("\r\n", "\n") == typed


@pytest.mark.csrf
def test_an_estimate_comes_back_in_its_own_boxes(app, stale_round):
    client, session_id, old_token = stale_round
    position = next(  # the round's question order is drawn at random
        q
        for q in (0, 1)
        if 'id="answer_number"' in client.get(f"/practice/sessions/{session_id}?q={q}").text
    )
    response = post_answer(
        client,
        session_id,
        old_token,
        position=position,
        answer_number="1,200",
        answer_unit="GB",
        answer_text="10 GB a day for 120 days",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and ANSWER_EXPIRED in page
    assert 'value="1,200"' in page and 'value="GB"' in page
    assert f"Question {position + 1} of 2" in page
    assert items(app, session_id)[position].answer_number is None


@pytest.mark.csrf
def test_a_cross_site_post_gets_only_the_copy_page(app, stale_round):
    client, session_id, old_token = stale_round
    response = post_answer(
        client,
        session_id,
        old_token,
        headers={"Origin": "https://elsewhere.example"},
        answer_text="planted text",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and CSRF_TYPED_MESSAGE in page
    assert "data-answer-form" not in page  # not our round form, so nothing to press Save on
    assert re.search(r'<textarea id="typed-1" readonly[^>]*>planted text</textarea>', page)
    assert "revision" not in re.sub(r"<header.*?</header>", "", page, flags=re.S).lower()
    assert items(app, session_id)[0].answer_text == ""


@pytest.mark.csrf
def test_a_post_without_origin_or_referer_gets_the_copy_page(app, stale_round):
    client, session_id, old_token = stale_round
    response = post_answer(client, session_id, old_token, headers={}, answer_text="no origin")
    assert CSRF_TYPED_MESSAGE in response.get_data(as_text=True)


@pytest.mark.csrf
def test_an_unknown_question_or_someone_elses_round_gets_the_copy_page(app, stale_round):
    client, session_id, old_token = stale_round
    for sid, position in ((session_id, 7), (session_id + 100, 0)):
        response = post_answer(client, sid, old_token, position=position, answer_text="mine")
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and CSRF_TYPED_MESSAGE in page, (sid, position)
        assert ANSWER_EXPIRED not in page
