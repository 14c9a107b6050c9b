"""The admin bank editor: list, create, edit (versions), duplicate, publish, archive, delete."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from app.bank import documents
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.bank import Question, QuestionVersion
from app.models.users import User
from tests import factories
from tests.bank.bankdata import count_queries, load_fixture_bank, question_form, question_id

BASE = "/admin/bank"


@pytest.fixture
def bank(app):
    with app.app_context():
        load_fixture_bank()


@pytest.fixture
def admin(login_as, bank):
    return login_as("admin")


def doc_of(app, key: str) -> dict:
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.key == key))
        return documents.question_doc(question)


def raw_version_rows(app, key: str) -> list[tuple]:
    """Every stored column of every version of a question, plus its skills, as raw rows."""
    with app.app_context():
        qid = question_id(key)
        rows = db.session.execute(
            text("SELECT * FROM question_versions WHERE question_id = :q ORDER BY number"),
            {"q": qid},
        ).all()
        skills = db.session.execute(
            text(
                "SELECT question_version_id, skill_key FROM question_version_skills "
                "WHERE question_version_id IN (SELECT id FROM question_versions "
                "WHERE question_id = :q) ORDER BY 1, 2"
            ),
            {"q": qid},
        ).all()
        return [tuple(r) for r in rows] + [tuple(s) for s in skills]


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# --- access -------------------------------------------------------------------------------


def bank_admin_urls(app) -> list[tuple[str, str]]:
    """Every bank_admin route with sample ids, from the url_map (not a hand-kept list)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("bank_editor."):
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, path))
    return urls


@pytest.mark.parametrize("role", ["candidate", "coach"])
def test_non_admins_are_refused_everywhere(app, client, login_as, bank, role):
    login_as(role)
    urls = bank_admin_urls(app)
    assert len(urls) >= 20
    for method, path in urls:
        assert client.open(path, method=method).status_code == 403, (method, path)


def test_anonymous_is_sent_to_sign_in(app, client, bank):
    for method, path in bank_admin_urls(app):
        response = client.open(path, method=method)
        assert response.status_code == 302 and "/login" in response.location, path


# --- list ---------------------------------------------------------------------------------


def test_list_filters(client, admin):
    page = client.get(f"{BASE}/questions").get_data(as_text=True)
    assert "3 questions" in page
    assert "Design a feature store" in page and "Top-k frequent" in page
    page = client.get(f"{BASE}/questions?stage=technical_phone").get_data(as_text=True)
    assert "1 question<" in page and "Top-k frequent" in page
    page = client.get(f"{BASE}/questions?skill=inference_cost").get_data(as_text=True)
    assert "1 question<" in page and "Serving cost" in page
    page = client.get(f"{BASE}/questions?status=draft").get_data(as_text=True)
    assert "1 question<" in page and "Top-k frequent" in page
    page = client.get(f"{BASE}/questions?q=point-in-time").get_data(as_text=True)
    assert "0 questions" in page  # hints are not searched
    page = client.get(f"{BASE}/questions?q=FEATURE").get_data(as_text=True)
    assert "1 question<" in page and "Design a feature store" in page
    page = client.get(f"{BASE}/questions?q=100%25").get_data(as_text=True)
    assert "0 questions" in page  # % is matched literally, not as a wildcard


def add_questions(app, n: int) -> None:
    with app.app_context():
        rubric = factories.rubric()
        for i in range(n):
            factories.question(
                rubric_obj=rubric, skills=("ml_system_design", "inference_cost"), title=f"Bulk {i}"
            )


def test_list_query_count_does_not_grow(app, client, admin):
    add_questions(app, 5)
    with count_queries(app) as few:
        assert client.get(f"{BASE}/questions").status_code == 200
    add_questions(app, 40)
    with count_queries(app) as many:
        page = client.get(f"{BASE}/questions").get_data(as_text=True)
    assert "Page 1 of 3" in page
    assert len(many) == len(few), (len(few), len(many))


def test_list_paginates_with_filters_kept(app, client, admin):
    add_questions(app, 25)
    page = client.get(f"{BASE}/questions?skill=inference_cost").get_data(as_text=True)
    assert "Page 1 of 2" in page and "skill=inference_cost" in page
    page = client.get(f"{BASE}/questions?skill=inference_cost&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page


# --- create -------------------------------------------------------------------------------


def test_create_question(app, client, admin):
    data = question_form(doc_of(app, "feature-store"), key="vector-store", title="A vector store")
    response = client.post(f"{BASE}/questions/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.key == "vector-store"))
        assert question.status == "draft"
        version = question.current_version
        assert (version.number, version.title, version.created_by_id) == (
            1,
            "A vector store",
            admin,
        )
        assert [s.key for s in version.skills] == ["ml_system_design"]
    assert audit_actions(app)[-1] == "question.create"


def test_create_refuses_bad_input_next_to_fields_and_keeps_it(app, client, admin):
    data = question_form(
        doc_of(app, "feature-store"),
        key="Bad Key!",
        title="",
        suggested_minutes="ten",
        prompt="My carefully typed prompt",
        **{"hints-1": ""},
    )
    response = client.post(f"{BASE}/questions/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="key-error"' in page and "Must be a key of lowercase letters" in page
    assert 'id="title-error"' in page and "This is required." in page
    assert 'id="suggested_minutes-error"' in page and "Must be a whole number" in page
    assert 'id="hints-error"' in page and "Needs at least 2 items, has 1" in page
    assert "My carefully typed prompt" in page and 'value="ten"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 3
    assert "question.create" not in audit_actions(app)


def test_create_refuses_a_taken_key(app, client, admin):
    data = question_form(doc_of(app, "feature-store"))
    response = client.post(f"{BASE}/questions/new", data=data)
    assert response.status_code == 422 and "This key is already used" in response.get_data(
        as_text=True
    )


def test_estimate_needs_its_fields(app, client, admin):
    data = question_form(doc_of(app, "gpu-cost"), key="gpu-2", estimate_tolerance_pct="")
    response = client.post(f"{BASE}/questions/new", data=data)
    assert response.status_code == 422
    assert 'id="estimate_tolerance_pct-error"' in response.get_data(as_text=True)


def test_add_and_remove_hint_rows_without_saving(app, client, admin):
    qid = _qid(app, "feature-store")
    data = question_form(doc_of(app, "feature-store"), action="add_hint", title="Typed title")
    page = client.post(f"{BASE}/questions/{qid}/edit", data=data).get_data(as_text=True)
    assert 'name="hints-2"' in page and "Typed title" in page
    data = question_form(doc_of(app, "feature-store"), action="remove_hint:0")
    page = client.post(f"{BASE}/questions/{qid}/edit", data=data).get_data(as_text=True)
    assert "Separate the online and offline paths." not in page
    assert "Think about point-in-time correctness." in page
    with app.app_context():
        assert len(db.session.get(Question, qid).versions) == 1


def _qid(app, key: str) -> int:
    with app.app_context():
        return question_id(key)


# --- edit: versions -----------------------------------------------------------------------


def test_edit_creates_version_2_and_leaves_version_1_untouched(app, client, admin):
    qid = _qid(app, "gpu-cost")
    before = raw_version_rows(app, "gpu-cost")
    assert len(before) == 1 + 2  # one version row, two skill rows
    data = question_form(
        doc_of(app, "gpu-cost"),
        title="Serving cost of a 70B model",
        skills=["inference_cost"],
        estimate_value="216000",
        change_note="bigger model",
    )
    assert client.post(f"{BASE}/questions/{qid}/edit", data=data).status_code == 302
    after = raw_version_rows(app, "gpu-cost")
    assert after[0] == before[0]  # version 1, every column
    assert before[1:] == [r for r in after if len(r) == 2 and r[0] == before[0][0]]
    with app.app_context():
        question = db.session.get(Question, qid)
        v1, v2 = question.versions
        assert question.current_version_id == v2.id and v2.number == 2
        assert (v2.title, v2.estimate_value, v2.change_note) == (
            "Serving cost of a 70B model",
            216000.0,
            "bigger model",
        )
        assert [s.key for s in v2.skills] == ["inference_cost"]
        assert v2.created_by_id == admin
        assert v1.title == "Serving cost of a 7B model" and len(v1.skills) == 2
    assert audit_actions(app)[-1] == "question.edit"


def test_saving_without_changes_adds_no_version(app, client, admin):
    qid = _qid(app, "feature-store")
    data = question_form(doc_of(app, "feature-store"))
    data["prompt"] = data["prompt"].replace("\n", "\r\n")  # what browsers send
    response = client.post(f"{BASE}/questions/{qid}/edit", data=data, follow_redirects=True)
    assert "No changes to save." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(QuestionVersion.id))) == 3


def test_invalid_edit_saves_nothing(app, client, admin):
    qid = _qid(app, "feature-store")
    before = raw_version_rows(app, "feature-store")
    data = question_form(doc_of(app, "feature-store"), rubric="nope", title="Changed")
    response = client.post(f"{BASE}/questions/{qid}/edit", data=data)
    assert response.status_code == 422
    assert 'id="rubric-error"' in response.get_data(as_text=True)
    assert raw_version_rows(app, "feature-store") == before


def test_oversized_prompt_is_refused(app, client, admin):
    qid = _qid(app, "feature-store")
    data = question_form(doc_of(app, "feature-store"), prompt="x" * 20_001)
    response = client.post(f"{BASE}/questions/{qid}/edit", data=data)
    assert response.status_code == 422
    assert "Is too long: 20,001 characters (at most 20,000)" in response.get_data(as_text=True)


def test_edit_unknown_question_is_404(client, admin):
    assert client.get(f"{BASE}/questions/999/edit").status_code == 404
    assert client.post(f"{BASE}/questions/999/publish").status_code == 404


# --- history and preview ------------------------------------------------------------------


def test_history_shows_diff_author_and_note(app, client, admin):
    qid = _qid(app, "feature-store")
    data = question_form(
        doc_of(app, "feature-store"), title="Design a feature platform", change_note="rename"
    )
    client.post(f"{BASE}/questions/{qid}/edit", data=data)
    page = client.get(f"{BASE}/questions/{qid}").get_data(as_text=True)
    assert "<del>-title: Design a feature store</del>" in page
    assert "<ins>+title: Design a feature platform</ins>" in page
    with app.app_context():
        name = db.session.get(User, admin).display_name
    assert f"by {name}" in page and "“rename”" in page
    assert "the bank files (no user)" in page  # version 1 came from the import


def test_preview_is_the_candidate_page(app, client, admin):
    qid = _qid(app, "gpu-cost")
    page = client.get(f"{BASE}/questions/{qid}/preview").get_data(as_text=True)
    assert "Preview of version 1" in page
    assert "Estimate the monthly GPU cost" in page and "Cost modeling" in page
    assert "SECRET-WORKED-ANSWER" not in page and "Within a factor of two" not in page
    draft = _qid(app, "top-k")
    assert client.get(f"{BASE}/questions/{draft}/preview").status_code == 200
    assert client.get(f"{BASE}/questions/{qid}/preview?version=7").status_code == 404


# --- status changes -----------------------------------------------------------------------


def test_publish_archive_and_never_delete_published(app, client, admin):
    qid = _qid(app, "top-k")
    client.post(f"{BASE}/questions/{qid}/publish")
    with app.app_context():
        question = db.session.get(Question, qid)
        assert question.status == "published" and question.first_published_at is not None
    client.post(f"{BASE}/questions/{qid}/archive")
    response = client.post(f"{BASE}/questions/{qid}/delete", follow_redirects=True)
    assert "cannot be deleted" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Question, qid).status == "archived"
    assert audit_actions(app)[-2:] == ["question.publish", "question.archive"]


def test_never_published_draft_can_be_deleted(app, client, admin):
    qid = _qid(app, "top-k")
    response = client.post(f"{BASE}/questions/{qid}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Question, qid) is None
        assert db.session.scalar(select(func.count(QuestionVersion.id))) == 2
    assert audit_actions(app)[-1] == "question.delete"


def test_duplicate_makes_a_draft_copy(app, client, admin):
    qid = _qid(app, "feature-store")
    response = client.post(f"{BASE}/questions/{qid}/duplicate")
    assert response.status_code == 302 and response.location.endswith("/edit")
    client.post(f"{BASE}/questions/{qid}/duplicate")
    with app.app_context():
        copies = db.session.scalars(
            select(Question).where(Question.key.like("feature-store-copy%")).order_by(Question.id)
        ).all()
        assert [c.key for c in copies] == ["feature-store-copy", "feature-store-copy-2"]
        assert all(c.status == "draft" for c in copies)
        assert copies[0].current_version.prompt_md == doc_of(app, "feature-store")["prompt"]
    assert audit_actions(app)[-1] == "question.duplicate"


def test_publishing_twice_is_refused_with_a_message(app, client, admin):
    qid = _qid(app, "feature-store")
    page = client.post(f"{BASE}/questions/{qid}/publish", follow_redirects=True)
    assert "already published" in page.get_data(as_text=True)
