"""Reviewing: drafts, publishing, versions after publishing, what the candidate reads."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.practice import PracticeSession
from app.models.review import Notification, Review
from tests.coach.conftest import login


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def item_ids(app, session_id):
    with app.app_context():
        return [i.id for i in db.session.get(PracticeSession, session_id).items]


def review_row(app, coach_id, session_id):
    with app.app_context():
        review = db.session.scalar(
            select(Review).where(Review.coach_id == coach_id, Review.session_id == session_id)
        )
        if review is None:
            return None
        db.session.expunge(review)
        return review


def form_data(app, session_id, **extra):
    first, second = item_ids(app, session_id)
    data = {
        f"q{first}c0_level": "2",
        f"q{first}c0_comment": "Budget the **network hop**.",
        f"q{first}c1_level": "3",
        f"q{second}c2_level": "1",
        f"q{second}_comment": "Tests missing.",
        "strengths": "Clear structure.",
        "gaps": "Cost model.",
        "next_steps": "Redo the estimate.",
    }
    data.update(extra)
    return data


def test_save_draft_without_js(app, client, as_coach):
    w = as_coach
    url = f"/coach/sessions/{w.session_id}/review"
    response = client.post(url, data=form_data(app, w.session_id))
    assert response.status_code == 302 and response.headers["Location"].endswith("#review")
    review = review_row(app, w.coach_id, w.session_id)
    assert review.status == "draft" and review.strengths_md == "Clear structure."
    page = client.get(f"/coach/sessions/{w.session_id}").get_data(as_text=True)
    assert '<option selected value="2">' in page or '<option value="2" selected>' in page
    assert "Budget the **network hop**." in page  # kept in the textarea
    assert "Draft saved at" in page


def test_htmx_autosave_returns_the_status_fragment(app, client, as_coach):
    w = as_coach
    response = client.post(
        f"/coach/sessions/{w.session_id}/review",
        data=form_data(app, w.session_id),
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Draft saved at" in html


def test_bad_level_is_refused_and_changes_nothing(app, client, as_coach):
    w = as_coach
    first, _ = item_ids(app, w.session_id)
    url = f"/coach/sessions/{w.session_id}/review"
    response = client.post(url, data=form_data(app, w.session_id, **{f"q{first}c0_level": "9"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Pick one of the rubric&#39;s levels." in html
    assert "Clear structure." in html  # what was typed is still there
    assert review_row(app, w.coach_id, w.session_id) is None
    fragment = client.post(
        url,
        data=form_data(app, w.session_id, **{f"q{first}c0_level": "9"}),
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 422 and "Not saved" in fragment.get_data(as_text=True)


def test_too_long_comment_is_refused(app, client, as_coach):
    w = as_coach
    response = client.post(
        f"/coach/sessions/{w.session_id}/review",
        data=form_data(app, w.session_id, strengths="x" * 10001),
    )
    assert response.status_code == 422
    assert review_row(app, w.coach_id, w.session_id) is None


def test_draft_is_invisible_to_the_candidate(app, client, auth, as_coach):
    w = as_coach
    client.post(f"/coach/sessions/{w.session_id}/review", data=form_data(app, w.session_id))
    review = review_row(app, w.coach_id, w.session_id)
    auth.logout()
    login(app, auth, w.candidate_id)
    assert client.get(f"/coaching/reviews/{review.id}").status_code == 404
    with app.app_context():
        kinds = db.session.scalars(
            select(Notification.kind).where(Notification.user_id == w.candidate_id)
        ).all()
    assert kinds == []


def publish(app, client, session_id, **extra):
    return client.post(
        f"/coach/sessions/{session_id}/review",
        data=form_data(app, session_id, publish="1", **extra),
    )


def test_publish_notifies_audits_and_candidate_reads_it(app, client, auth, as_coach):
    w = as_coach
    response = publish(app, client, w.session_id)
    assert response.status_code == 302
    review = review_row(app, w.coach_id, w.session_id)
    assert review.status == "published" and review.published_revision == 1
    with app.app_context():
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "review.publish"))
        note = db.session.scalar(select(Notification).where(Notification.user_id == w.candidate_id))
    assert audit.actor_id == w.coach_id and audit.details["revision"] == 1
    assert note.kind == "new_review" and note.link == f"/coaching/reviews/{review.id}"
    auth.logout()
    login(app, auth, w.candidate_id)
    assert "New review from Coach Carla" in client.get("/dashboard").get_data(as_text=True)
    opened = client.post(f"/coaching/notifications/{note.id}/open")
    assert opened.headers["Location"].endswith(f"/coaching/reviews/{review.id}")
    html = client.get(f"/coaching/reviews/{review.id}").get_data(as_text=True)
    assert "Budget the <strong>network hop</strong>." in html  # Markdown rendered
    text = text_of(html)
    assert "Clear structure." in text and "Redo the estimate." in text
    assert "2 · Partial" in text and "Tests missing." in text
    assert "Review from Coach Carla" in client.get("/coaching/").get_data(as_text=True)


def test_coach_markdown_is_sanitised_for_the_candidate(app, client, auth, as_coach):
    w = as_coach
    publish(app, client, w.session_id, strengths='<img src=x onerror="alert(1)"> [a](javascript:x)')
    review = review_row(app, w.coach_id, w.session_id)
    auth.logout()
    login(app, auth, w.candidate_id)
    html = client.get(f"/coaching/reviews/{review.id}").get_data(as_text=True)
    assert "<img src=x onerror" not in html and 'href="javascript' not in html
    assert "&lt;img src=x onerror" in html  # shown as text


def test_edits_after_publishing_are_versioned(app, client, auth, as_coach):
    w = as_coach
    publish(app, client, w.session_id)
    client.post(
        f"/coach/sessions/{w.session_id}/review",
        data=form_data(app, w.session_id, strengths="Sharper trade-offs now."),
    )
    review = review_row(app, w.coach_id, w.session_id)
    assert review.has_unpublished_changes and review.published_revision == 1
    page = client.get(f"/coach/sessions/{w.session_id}").get_data(as_text=True)
    assert "Publish update (revision 2)" in page and "unpublished edits since revision 1" in page
    auth.logout()
    login(app, auth, w.candidate_id)
    html = client.get(f"/coaching/reviews/{review.id}").get_data(as_text=True)
    assert "Clear structure." in html and "Sharper trade-offs" not in html  # not yet published
    auth.logout()
    login(app, auth, w.coach_id)
    publish(app, client, w.session_id, strengths="Sharper trade-offs now.")
    review = review_row(app, w.coach_id, w.session_id)
    assert review.published_revision == 2 and not review.has_unpublished_changes
    old = client.get(f"/coach/sessions/{w.session_id}/review/revisions/1").get_data(as_text=True)
    assert "Clear structure." in old and "superseded by revision 2" in old
    auth.logout()
    login(app, auth, w.candidate_id)
    latest = client.get(f"/coaching/reviews/{review.id}").get_data(as_text=True)
    assert "Sharper trade-offs now." in latest and "Clear structure." not in latest
    first = client.get(f"/coaching/reviews/{review.id}?revision=1").get_data(as_text=True)
    assert "Clear structure." in first and "an earlier version" in first
    assert client.get(f"/coaching/reviews/{review.id}?revision=3").status_code == 404
    with app.app_context():
        kinds = db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == w.candidate_id)
            .order_by(Notification.id)
        ).all()
    assert kinds == ["new_review", "review_updated"]


def test_publishing_nothing_or_nothing_new_is_refused(app, client, as_coach):
    w = as_coach
    empty = client.post(f"/coach/sessions/{w.session_id}/review", data={"publish": "1"})
    assert empty.status_code == 422
    assert "before publishing" in empty.get_data(as_text=True)
    assert review_row(app, w.coach_id, w.session_id) is None
    publish(app, client, w.session_id)
    again = publish(app, client, w.session_id)
    assert again.status_code == 422
    assert "Nothing changed since revision 1" in again.get_data(as_text=True)
    assert review_row(app, w.coach_id, w.session_id).published_revision == 1


def test_published_review_leaves_the_queue(app, client, as_coach):
    w = as_coach
    assert f"/coach/sessions/{w.session_id}" in client.get("/coach/queue").get_data(as_text=True)
    publish(app, client, w.session_id)
    assert f"/coach/sessions/{w.session_id}" not in client.get("/coach/queue").get_data(
        as_text=True
    )


def test_another_candidate_cannot_read_the_review(app, client, auth, as_coach, make_user):
    w = as_coach
    publish(app, client, w.session_id)
    review = review_row(app, w.coach_id, w.session_id)
    auth.logout()
    other = make_user("candidate")
    login(app, auth, other)
    assert client.get(f"/coaching/reviews/{review.id}").status_code == 404
