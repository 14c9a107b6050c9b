"""The question editor edits talking points as YAML: errors beside the field, new versions.

Saving changed points makes a new version; the version a round pinned keeps its points.
A published question cannot lose its points, a draft may have none, and a draft without
points cannot be published.
"""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from app.bank import documents
from app.extensions import db
from app.models.bank import Question
from tests.bank.bankdata import load_fixture_bank, question_form, question_id

BASE = "/admin/bank"
NEW_POINTS = """\
- id: online_offline
  label: Separates the online store from the offline store
  phrases: [online store, offline store]
- id: point_in_time
  label: Keeps training joins point-in-time correct
  phrases: [point-in-time, as-of join]
- id: backfill
  label: Says how features are backfilled
  phrases: [backfill, replay the log]
- id: freshness
  label: Sets a freshness target per feature
  phrases: [freshness, staleness]
"""


@pytest.fixture
def admin(app, login_as):
    with app.app_context():
        load_fixture_bank()
    return login_as("admin")


def doc_of(app, key: str) -> dict:
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.key == key))
        return documents.question_doc(question)


def qid(app, key: str) -> int:
    with app.app_context():
        return question_id(key)


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_edit_page_shows_the_points_as_yaml(app, client, admin):
    page = page_of(client.get(f"{BASE}/questions/{qid(app, 'feature-store')}/edit"))
    assert 'name="talking_points"' in page
    assert "- id: online_offline\n  label: Separates the online store from the offline store\n" in (
        page
    )


def test_changed_points_make_a_new_version_and_the_old_one_keeps_its_points(app, client, admin):
    question_id_ = qid(app, "feature-store")
    data = question_form(doc_of(app, "feature-store"), talking_points=NEW_POINTS)
    data["talking_points"] = data["talking_points"].replace("\n", "\r\n")  # as browsers send
    response = client.post(f"{BASE}/questions/{question_id_}/edit", data=data)
    assert response.status_code == 302
    with app.app_context():
        v1, v2 = db.session.get(Question, question_id_).versions
        assert [p["id"] for p in v1.talking_points] == [
            "online_offline",
            "point_in_time",
            "latency_budget",
        ]
        assert [p["id"] for p in v2.talking_points] == [
            "online_offline",
            "point_in_time",
            "backfill",
            "freshness",
        ]
        assert v2.talking_points[3] == {
            "id": "freshness",
            "label": "Sets a freshness target per feature",
            "phrases": ["freshness", "staleness"],
        }
    # the page shows the saved points back, and saving them unchanged adds nothing
    data = question_form(doc_of(app, "feature-store"))
    response = client.post(
        f"{BASE}/questions/{question_id_}/edit", data=data, follow_redirects=True
    )
    assert "No changes to save." in page_of(response)
    with app.app_context():
        assert len(db.session.get(Question, question_id_).versions) == 2


@pytest.mark.parametrize(
    "points, message",
    [
        ("- id: a\n  label: [unclosed\n", "Line 3: malformed YAML"),
        ("just some text", "Must be a list, not text"),
        (NEW_POINTS.replace("id: backfill", "id: online_offline"), "Line 7: talking point id"),
        (NEW_POINTS.replace("[backfill, replay the log]", "[]"), "Line 9: 'phrases' needs at"),
        (
            NEW_POINTS.replace("Says how", "Says\\nhow")
            .replace("label: Says", 'label: "Says')
            .replace("backfilled\n", 'backfilled"\n'),
            "Line 8: 'label' must be one line",
        ),
        (NEW_POINTS + "  weight: 2\n", "Line 13: unknown key 'weight'"),
        ("- id: a\n  label: A\n  phrases: [a]\n", "Needs at least 3 items, has 1"),
    ],
)
def test_bad_points_are_refused_beside_the_field_and_nothing_is_saved(
    app, client, admin, points, message
):
    question_id_ = qid(app, "feature-store")
    data = question_form(doc_of(app, "feature-store"), talking_points=points, title="Changed")
    response = client.post(f"{BASE}/questions/{question_id_}/edit", data=data)
    assert response.status_code == 422
    page = page_of(response)
    error = page.split('id="talking_points-error">', 1)[1].split("</p>", 1)[0]
    assert message in error, error
    assert points.strip().splitlines()[0] in page  # what was typed is kept
    with app.app_context():
        question = db.session.get(Question, question_id_)
        assert len(question.versions) == 1 and question.current_version.title != "Changed"


def test_a_published_question_cannot_lose_its_points(app, client, admin):
    question_id_ = qid(app, "feature-store")
    data = question_form(doc_of(app, "feature-store"), talking_points="  \n")
    response = client.post(f"{BASE}/questions/{question_id_}/edit", data=data)
    assert response.status_code == 422
    error = page_of(response).split('id="talking_points-error">', 1)[1].split("</p>", 1)[0]
    assert "A published question needs 'talking_points'" in error
    with app.app_context():
        assert len(db.session.get(Question, question_id_).versions) == 1


def test_a_draft_without_points_saves_but_cannot_be_published(app, client, admin):
    data = question_form(doc_of(app, "top-k"), key="top-k-2", talking_points="")
    assert client.post(f"{BASE}/questions/new", data=data).status_code == 302
    new_id = qid(app, "top-k-2")
    with app.app_context():
        assert db.session.get(Question, new_id).current_version.talking_points == []
    response = client.post(f"{BASE}/questions/{new_id}/publish", follow_redirects=True)
    assert "It has no talking points; edit it to add 3 to 8 points" in page_of(response)
    with app.app_context():
        assert db.session.get(Question, new_id).status == "draft"
    data = question_form(doc_of(app, "top-k-2"), talking_points=NEW_POINTS)
    assert client.post(f"{BASE}/questions/{new_id}/edit", data=data).status_code == 302
    client.post(f"{BASE}/questions/{new_id}/publish")
    with app.app_context():
        assert db.session.get(Question, new_id).status == "published"


def test_history_diff_shows_changed_points(app, client, admin):
    question_id_ = qid(app, "feature-store")
    data = question_form(doc_of(app, "feature-store"), talking_points=NEW_POINTS)
    client.post(f"{BASE}/questions/{question_id_}/edit", data=data)
    page = page_of(client.get(f"{BASE}/questions/{question_id_}"))
    assert "+- id: backfill" in page.replace(" ", " ")
