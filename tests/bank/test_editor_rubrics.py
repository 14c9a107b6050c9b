"""Rubric, round format and loop plan editing in the admin bank editor."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from app.bank import documents
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.bank import LoopPlan, RoundFormat, Rubric, RubricVersion
from tests.bank.bankdata import load_fixture_bank, rubric_form, rubric_id

BASE = "/admin/bank"


@pytest.fixture
def admin(app, login_as):
    with app.app_context():
        load_fixture_bank()
    return login_as("admin")


def rid(app, key: str) -> int:
    with app.app_context():
        return rubric_id(key)


def doc_of(app, key: str) -> dict:
    with app.app_context():
        return documents.rubric_doc(db.session.get(Rubric, rubric_id(key)))


def raw_rubric_versions(app, key: str) -> list[tuple]:
    with app.app_context():
        return [
            tuple(r)
            for r in db.session.execute(
                text("SELECT * FROM rubric_versions WHERE rubric_id = :r ORDER BY number"),
                {"r": rubric_id(key)},
            )
        ]


def last_action(app) -> str:
    with app.app_context():
        return db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()))


def test_rubric_pages_render(app, client, admin):
    assert "Cost modeling" in client.get(f"{BASE}/rubrics/{rid(app, 'design')}").get_data(
        as_text=True
    )
    page = client.get(f"{BASE}/rubrics").get_data(as_text=True)
    assert "ML system design" in page and "Coding" in page
    assert client.get(f"{BASE}/rubrics/{rid(app, 'design')}/edit").status_code == 200
    assert client.get(f"{BASE}/rubrics/new").status_code == 200


def test_rubric_list_query_count_does_not_grow(app, client, admin):
    from tests import factories
    from tests.bank.bankdata import count_queries

    with count_queries(app) as few:
        client.get(f"{BASE}/rubrics")
    with app.app_context():
        for _ in range(30):
            factories.question(rubric_obj=factories.rubric())
    with count_queries(app) as many:
        page = client.get(f"{BASE}/rubrics").get_data(as_text=True)
    assert "Page 1 of 2" in page
    assert len(many) == len(few)


def test_edit_rubric_creates_version_2_and_leaves_version_1_untouched(app, client, admin):
    before = raw_rubric_versions(app, "design")
    data = rubric_form(
        doc_of(app, "design"),
        **{"criteria-1-levels-1-descriptor": "Names three failure modes.", "change_note": "x3"},
    )
    response = client.post(f"{BASE}/rubrics/{rid(app, 'design')}/edit", data=data)
    assert response.status_code == 302
    after = raw_rubric_versions(app, "design")
    assert after[0] == before[0] and len(after) == 2
    with app.app_context():
        rubric = db.session.get(Rubric, rubric_id("design"))
        assert rubric.current_version.number == 2
        assert rubric.current_version.criteria[1]["levels"][1]["descriptor"] == (
            "Names three failure modes."
        )
        assert rubric.versions[0].criteria[1]["levels"][1]["descriptor"] == (
            "Names two failure modes and their alerts."
        )
    assert last_action(app) == "rubric.edit"


def test_add_criterion_and_level_rows_without_javascript(app, client, admin):
    url = f"{BASE}/rubrics/{rid(app, 'coding')}/edit"
    data = rubric_form(doc_of(app, "coding"), action="add_criterion", title="Typed title")
    page = client.post(url, data=data).get_data(as_text=True)
    assert 'name="criteria-1-key"' in page and "Typed title" in page
    data = rubric_form(doc_of(app, "coding"), action="add_level:0")
    page = client.post(url, data=data).get_data(as_text=True)
    assert 'name="criteria-0-levels-2-descriptor"' in page
    # fill the new level and save: a third level arrives in version 2
    data = rubric_form(
        doc_of(app, "coding"),
        **{
            "criteria-0-levels-2-value": "3",
            "criteria-0-levels-2-label": "Fast",
            "criteria-0-levels-2-descriptor": "Also meets the complexity target.",
        },
    )
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        levels = db.session.get(Rubric, rubric_id("coding")).current_version.criteria[0]["levels"]
        assert [lv["label"] for lv in levels] == ["Wrong", "Right", "Fast"]


def test_remove_level_row(app, client, admin):
    url = f"{BASE}/rubrics/{rid(app, 'design')}/edit"
    data = rubric_form(doc_of(app, "design"), action="remove_level:0:2")
    page = client.post(url, data=data).get_data(as_text=True)
    assert "Numbers with units" not in page and "Some numbers, no units." in page
    assert len(raw_rubric_versions(app, "design")) == 1


@pytest.mark.parametrize(
    "changes, field_id, message",
    [
        ({"criteria-0-levels-1-descriptor": ""}, "criteria-0-levels-1-descriptor", "required"),
        ({"criteria-0-levels-1-value": "1"}, "criteria-0-levels-1-value", "must increase"),
        ({"criteria-0-weight": "-2"}, "criteria-0-weight", "greater than 0"),
        ({"criteria-1-key": "cost_modeling"}, "criteria-1-key", "used twice"),
        ({"title": ""}, "title", "required"),
    ],
)
def test_bad_rubric_input_is_shown_next_to_the_field(
    app, client, admin, changes, field_id, message
):
    before = raw_rubric_versions(app, "design")
    data = rubric_form(doc_of(app, "design"), **changes)
    response = client.post(f"{BASE}/rubrics/{rid(app, 'design')}/edit", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split(f'id="{field_id}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert raw_rubric_versions(app, "design") == before


def test_create_rubric(app, client, admin):
    doc = dict(doc_of(app, "coding"), key="new-rubric", title="New rubric")
    response = client.post(f"{BASE}/rubrics/new", data=rubric_form(doc))
    assert response.status_code == 302
    with app.app_context():
        rubric = db.session.scalar(select(Rubric).where(Rubric.key == "new-rubric"))
        assert rubric.current_version.number == 1
    assert last_action(app) == "rubric.create"


def test_archiving_a_rubric_used_by_published_questions_is_refused(app, client, admin):
    url = f"{BASE}/rubrics/{rid(app, 'design')}"
    page = client.post(f"{url}/archive", follow_redirects=True).get_data(as_text=True)
    assert "cannot be archived: 2 published questions still use it (feature-store, gpu-cost)" in (
        page
    )
    page = client.post(f"{url}/delete", follow_redirects=True).get_data(as_text=True)
    assert "cannot be deleted: 2 published questions still use it" in page
    with app.app_context():
        assert db.session.get(Rubric, rubric_id("design")).archived is False


def test_rubric_of_drafts_only_can_be_archived_not_deleted(app, client, admin):
    url = f"{BASE}/rubrics/{rid(app, 'coding')}"  # used only by the draft top-k
    client.post(f"{url}/archive")
    with app.app_context():
        assert db.session.get(Rubric, rubric_id("coding")).archived is True
    page = client.post(f"{url}/delete", follow_redirects=True).get_data(as_text=True)
    assert "question versions or practice sessions refer to it" in page
    client.post(f"{url}/restore")
    with app.app_context():
        assert db.session.get(Rubric, rubric_id("coding")).archived is False


def test_unused_rubric_can_be_deleted(app, client, admin):
    doc = dict(doc_of(app, "coding"), key="spare", title="Spare")
    client.post(f"{BASE}/rubrics/new", data=rubric_form(doc))
    response = client.post(f"{BASE}/rubrics/{rid(app, 'spare')}/delete")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Rubric).where(Rubric.key == "spare")) is None
        assert db.session.scalar(select(func.count(RubricVersion.id))) == 2
    assert last_action(app) == "rubric.delete"


# --- round formats -------------------------------------------------------------------------


def format_data(**changes) -> dict:
    data = {
        "key": "phone",
        "name": "Phone (45 min)",
        "stage": "technical_phone",
        "minutes": "40",
        "questions": "2",
        "expiry": "auto_submit",
        "grace_seconds": "60",
        "description": "",
    }
    data.update(changes)
    return data


def format_id(app, key: str) -> int:
    with app.app_context():
        return db.session.scalar(select(RoundFormat.id).where(RoundFormat.key == key))


def test_edit_round_format(app, client, admin):
    url = f"{BASE}/formats/{format_id(app, 'phone')}/edit"
    assert 'value="45"' in client.get(url).get_data(as_text=True)
    response = client.post(url, data=format_data(answer_kinds=["code", "text"]))
    assert response.status_code == 302
    with app.app_context():
        fmt = db.session.get(RoundFormat, format_id(app, "phone"))
        assert (fmt.duration_minutes, fmt.answer_kinds) == (40, ["code", "text"])
    assert last_action(app) == "format.edit"


def test_bad_round_format_saves_nothing(app, client, admin):
    url = f"{BASE}/formats/{format_id(app, 'phone')}/edit"
    response = client.post(url, data=format_data(minutes="0", stage="nowhere"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="minutes-error"' in page and 'id="stage-error"' in page
    with app.app_context():
        assert db.session.get(RoundFormat, format_id(app, "phone")).duration_minutes == 45


def test_create_round_format(app, client, admin):
    response = client.post(f"{BASE}/formats/new", data=format_data(key="short-phone"))
    assert response.status_code == 302
    assert format_id(app, "short-phone") is not None
    assert last_action(app) == "format.create"


# --- loop plans ----------------------------------------------------------------------------


def loop_data(**changes) -> dict:
    data = {
        "action": "save",
        "key": "one_day",
        "name": "One day",
        "description": "Phone then design.",
        "steps-0-format": "phone",
        "steps-0-label": "Phone",
        "steps-0-gap_minutes": "0",
        "steps-0-opens_at": "",
        "steps-1-format": "design",
        "steps-1-label": "Design",
        "steps-1-gap_minutes": "30",
        "steps-1-opens_at": "13:00",
    }
    data.update(changes)
    return data


def plan(app) -> LoopPlan:
    return db.session.scalar(select(LoopPlan).where(LoopPlan.key == "one_day"))


def test_edit_loop_steps(app, client, admin):
    with app.app_context():
        url = f"{BASE}/loops/{plan(app).id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="13:00"' in page
    page = client.post(url, data=loop_data(action="add_step")).get_data(as_text=True)
    assert 'name="steps-2-format"' in page
    data = loop_data(
        **{"steps-2-format": "phone", "steps-2-label": "Again", "steps-2-gap_minutes": "1440"}
    )
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        steps = [(s.round_format.key, s.gap_minutes, s.label) for s in plan(app).steps]
        assert steps == [("phone", 0, "Phone"), ("design", 30, "Design"), ("phone", 1440, "Again")]
    assert last_action(app) == "loop.edit"
    page = client.post(url, data=loop_data(action="remove_step:0")).get_data(as_text=True)
    assert 'name="steps-0-format"' not in page and 'name="steps-1-format"' in page


def test_bad_loop_step_saves_nothing(app, client, admin):
    with app.app_context():
        url = f"{BASE}/loops/{plan(app).id}/edit"
    response = client.post(url, data=loop_data(**{"steps-1-opens_at": "25:00"}))
    assert response.status_code == 422
    assert 'id="steps-1-opens_at-error"' in response.get_data(as_text=True)
    response = client.post(url, data=loop_data(**{"steps-1-format": "nope"}))
    assert 'id="steps-1-format-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert plan(app).steps[1].opens_at == "13:00"


def test_create_loop(app, client, admin):
    response = client.post(f"{BASE}/loops/new", data=loop_data(key="two_days", name="Two days"))
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalar(select(LoopPlan).where(LoopPlan.key == "two_days"))
        assert len(created.steps) == 2
    assert last_action(app) == "loop.create"
    assert client.get(f"{BASE}/loops").status_code == 200
    assert client.get(f"{BASE}/formats").status_code == 200


def test_round_format_hint_cost_is_edited_and_bounded(app, client, admin):
    """Issue 18: the time cost per hint, in whole minutes, 0 to MAX_HINT_COST_MINUTES."""
    url = f"{BASE}/formats/{format_id(app, 'phone')}/edit"
    assert "Time cost per hint" in client.get(url).get_data(as_text=True)
    assert client.post(url, data=format_data(hint_cost_minutes="2")).status_code == 302
    with app.app_context():
        assert db.session.get(RoundFormat, format_id(app, "phone")).hint_cost_minutes == 2
    for bad, message in (
        ("-1", "Must be between 0 and 30, not -1"),
        ("31", "Must be between 0 and 30, not 31"),
        ("two", "Must be a whole number"),
    ):
        response = client.post(url, data=format_data(hint_cost_minutes=bad))
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert 'id="hint_cost_minutes-error"' in page and message in page, bad
    with app.app_context():
        assert db.session.get(RoundFormat, format_id(app, "phone")).hint_cost_minutes == 2
