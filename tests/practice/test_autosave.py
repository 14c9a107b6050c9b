"""Autosave and the answer form: revisions, 409 for another tab, 422 for too long, too late."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from freezegun import freeze_time

from tests.factories import PASSWORD
from tests.practice.conftest import (
    START,
    at,
    autosave,
    event_kinds,
    get_session,
    items,
    only_session_id,
)


@freeze_time(START, tick=False)
def test_autosave_stores_answer_bumps_revision_and_reports_the_clock(app, client, running):
    session_id = running()
    with freeze_time(at(minutes=10)):
        response = autosave(client, session_id, answer_text="First draft", client_id="tabA", seq=1)
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] and body["revision"] == 1 and body["changed"]
    assert body["seconds_remaining"] == 50 * 60
    assert body["saved_label"] == "09:10:00"
    assert response.headers["Cache-Control"] == "no-store"
    item = items(app, session_id)[0]
    assert item.answer_text == "First draft" and item.revision == 1
    assert item.saved_at == at(minutes=10)
    assert event_kinds(app, session_id) == ["started", "saved"]


def test_stale_revision_from_another_tab_is_409_and_overwrites_nothing(app, client, running):
    session_id = running()
    assert (
        autosave(client, session_id, answer_text="tab A", client_id="tabA", seq=1).status_code
        == 200
    )
    response = autosave(client, session_id, answer_text="tab B", client_id="tabB", seq=1)
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "stale" and body["revision"] == 1
    assert "changed in another tab" in body["message"]
    item = items(app, session_id)[0]
    assert item.answer_text == "tab A" and item.revision == 1


def test_no_client_id_stale_revision_is_409(app, client, running):
    session_id = running()
    assert autosave(client, session_id, answer_text="one").status_code == 200
    assert autosave(client, session_id, answer_text="two", revision=0).status_code == 409
    assert items(app, session_id)[0].answer_text == "one"


def test_same_tab_saves_never_conflict_and_late_old_ones_are_ignored(app, client, running):
    """A beacon sent while a save is in flight: both carry revision 0 from the same tab."""
    session_id = running()
    newer = autosave(client, session_id, answer_text="newer text", client_id="tabA", seq=2)
    assert newer.status_code == 200
    older = autosave(client, session_id, answer_text="older text", client_id="tabA", seq=1)
    assert older.status_code == 200 and older.get_json()["changed"] is False
    newest = autosave(client, session_id, answer_text="newest", client_id="tabA", seq=3)
    assert newest.status_code == 200 and newest.get_json()["revision"] == 2
    assert items(app, session_id)[0].answer_text == "newest"


def test_identical_answer_is_not_a_new_revision(app, client, running):
    session_id = running()
    autosave(client, session_id, answer_text="same", client_id="tabA", seq=1)
    again = autosave(client, session_id, answer_text="same", client_id="tabB", seq=1, revision=0)
    assert again.status_code == 200 and again.get_json()["revision"] == 1
    assert event_kinds(app, session_id).count("saved") == 1


def test_too_long_is_422_and_nothing_is_cut(app, client, running):
    session_id = running()
    autosave(client, session_id, answer_text="kept", client_id="tabA", seq=1)
    limit = app.config["ANSWER_MAX_CHARS"]
    response = autosave(
        client, session_id, answer_text="x" * (limit + 1), client_id="tabA", seq=2, revision=1
    )
    assert response.status_code == 422
    assert "limit is" in str(response.get_json())
    assert items(app, session_id)[0].answer_text == "kept"
    exactly = autosave(
        client, session_id, answer_text="y" * limit, client_id="tabA", seq=3, revision=1
    )
    assert exactly.status_code == 200
    assert len(items(app, session_id)[0].answer_text) == limit


def test_crlf_counts_as_one_character(app, client, running):
    session_id = running()
    limit = app.config["ANSWER_MAX_CHARS"]
    text = "ab\r\n" * (limit // 3)
    response = autosave(client, session_id, answer_text=text, client_id="t", seq=1)
    assert response.status_code == 200
    assert items(app, session_id)[0].answer_text == "ab\n" * (limit // 3)


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (timedelta(minutes=59, seconds=59), True),  # running
        (timedelta(minutes=60, seconds=30), True),  # in grace
        (timedelta(minutes=61), True),  # last instant of grace
        (timedelta(minutes=61, seconds=1), False),  # after grace
    ],
)
def test_saves_accepted_until_deadline_plus_grace(
    app, client, login_as, make_bank, offset, accepted
):
    with freeze_time(START) as frozen:
        login_as()
        bank = make_bank(minutes=60, count=1, grace_seconds=60)
        client.post("/practice/rounds", data={"format_id": bank.format_id})
        session_id = only_session_id(app)
        frozen.move_to(START + offset)
        response = autosave(client, session_id, answer_text="late words", client_id="t", seq=1)
    if accepted:
        assert response.status_code == 200
        assert items(app, session_id)[0].answer_text == "late words"
    else:
        assert response.status_code == 409
        body = response.get_json()
        assert body["error"] == "over"
        assert body["redirect"] == f"/feedback/sessions/{session_id}/score"
        assert "not saved" in body["message"]
        assert items(app, session_id)[0].answer_text == ""
        session = get_session(app, session_id)
        assert session.status == "auto_submitted"
        assert session.finished_at == START + timedelta(minutes=60)


def test_after_submit_saves_are_refused(app, client, running):
    session_id = running()
    autosave(client, session_id, answer_text="final", client_id="t", seq=1)
    client.post(f"/practice/sessions/{session_id}/submit")
    response = autosave(client, session_id, answer_text="changed", client_id="t", seq=2, revision=1)
    assert response.status_code == 409 and response.get_json()["error"] == "over"
    assert items(app, session_id)[0].answer_text == "final"


def test_estimate_and_deliverable_fields(app, client, running):
    session_id = running(kinds=("estimate", "deliverable"))
    ok = autosave(client, session_id, 0, answer_number="1,200", answer_unit=" GB ", answer_text="w")
    assert ok.status_code == 200
    bad = autosave(client, session_id, 0, answer_number="lots", revision=1)
    assert bad.status_code == 422
    assert "Enter a number" in str(bad.get_json()["errors"])
    links = autosave(
        client,
        session_id,
        1,
        answer_links="https://github.com/me/repo\n\n https://example.com/demo \n",
        answer_text="write-up",
    )
    assert links.status_code == 200
    bad_link = autosave(client, session_id, 1, answer_links="javascript:alert(1)", revision=1)
    assert bad_link.status_code == 422
    first, second = items(app, session_id)
    assert first.answer_number == 1200.0 and first.answer_unit == "GB"
    assert second.answer_links == ["https://github.com/me/repo", "https://example.com/demo"]


def test_unknown_position_is_404(client, running):
    session_id = running()
    assert autosave(client, session_id, 7, answer_text="x").status_code == 404


def csrf_from(page: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.mark.csrf
def test_autosave_needs_the_csrf_token(app, client, make_user, make_bank):
    make_user(email="csrf@example.com")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"email": "csrf@example.com", "password": PASSWORD, "csrf_token": token}
    )
    bank = make_bank(count=1)
    token = csrf_from(client.get("/practice/").get_data(as_text=True))
    client.post("/practice/rounds", data={"format_id": bank.format_id, "csrf_token": token})
    session_id = only_session_id(app)
    assert autosave(client, session_id, answer_text="no token").status_code == 400
    assert items(app, session_id)[0].answer_text == ""
    with_header = client.post(
        f"/practice/sessions/{session_id}/questions/0/autosave",
        data={"revision": 0, "answer_text": "header token"},
        headers={"X-CSRFToken": token},
    )
    assert with_header.status_code == 200
    beacon_style = client.post(  # sendBeacon cannot set headers: the token rides in the body
        f"/practice/sessions/{session_id}/questions/0/autosave",
        data={"revision": 1, "answer_text": "body token", "csrf_token": token},
    )
    assert beacon_style.status_code == 200
    assert items(app, session_id)[0].answer_text == "body token"


# --- the plain form (no JavaScript) -----------------------------------------------------


def form_post(client, session_id, position=0, **data):
    data.setdefault("revision", 0)
    return client.post(f"/practice/sessions/{session_id}/questions/{position}", data=data)


def test_form_save_redirects_back_with_saved_time(app, client, running):
    session_id = running()
    response = form_post(client, session_id, answer_text="typed without JS", action="save")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/practice/sessions/{session_id}?q=0")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved at" in page and "typed without JS" in page


def test_form_goto_saves_and_switches_and_logs(app, client, running):
    session_id = running()
    response = form_post(client, session_id, answer_text="answer one", goto="1")
    assert response.headers["Location"].endswith("?q=1")
    assert get_session(app, session_id).current_position == 1
    assert event_kinds(app, session_id) == ["started", "saved", "question_switched"]


def test_form_hint_reveals_one_at_a_time(app, client, running):
    session_id = running()
    form_post(client, session_id, answer_text="", action="hint")
    page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "First hint" in page and "Second hint" not in page
    assert "Show a hint (1 left)" in page
    form_post(client, session_id, action="hint")
    form_post(client, session_id, action="hint")  # no third hint: nothing happens
    page = client.get(f"/practice/sessions/{session_id}").get_data(as_text=True)
    assert "Second hint" in page and "Show a hint" not in page
    assert event_kinds(app, session_id).count("hint_revealed") == 2


def test_form_review_goes_to_confirmation(app, client, running):
    session_id = running()
    response = form_post(client, session_id, answer_text="done", action="review")
    assert response.headers["Location"].endswith(f"/practice/sessions/{session_id}/submit")


def test_form_stale_revision_rerenders_with_the_text_kept(app, client, running):
    session_id = running()
    autosave(client, session_id, answer_text="from the other tab", client_id="other", seq=1)
    response = form_post(client, session_id, answer_text="my own words", action="save")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "changed in another tab" in page
    assert "my own words" in page
    assert items(app, session_id)[0].answer_text == "from the other tab"


def test_form_too_long_rerenders_with_the_text_kept(app, client, running):
    session_id = running()
    text = "z" * (app.config["ANSWER_MAX_CHARS"] + 5)
    response = form_post(client, session_id, answer_text=text, action="save")
    assert response.status_code == 422
    assert text in response.get_data(as_text=True)
    assert items(app, session_id)[0].answer_text == ""


def test_form_too_late_keeps_the_text(app, client, login_as, make_bank):
    with freeze_time(START) as frozen:
        login_as()
        bank = make_bank(minutes=10, count=1)
        client.post("/practice/rounds", data={"format_id": bank.format_id})
        session_id = only_session_id(app)
        frozen.move_to(START + timedelta(minutes=20))
        response = form_post(client, session_id, answer_text="too late words", action="save")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Time is up" in page and "too late words" in page
