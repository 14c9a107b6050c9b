"""Feedback services: schedule updates, practise next (unseen first), skill weakness."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.learning import loading, report, scoring
from app.learning import schedule as schedule_service
from app.models.scoring import PracticeScheduleItem
from tests import factories
from tests.learning import helpers

KEYS = ["latency_budget", "cost_modeling", "failure_modes"]


def score(user_id, session, levels, now, finish=True):
    item = session.items[0]
    return scoring.save_scoring(
        session.id,
        user_id,
        {(item.id, k): v for k, v in zip(KEYS, levels, strict=False)},
        {},
        "",
        now,
        finish=finish,
    )


def schedule(user_id):
    return {
        (i.kind, i.item_key): i
        for i in db.session.scalars(
            select(PracticeScheduleItem).where(PracticeScheduleItem.user_id == user_id)
        )
    }


def test_finishing_reviews_each_scored_criterion_and_skill_once(app):
    with app.app_context():
        user = factories.user()
        now = utcnow()
        score(user.id, helpers.practice_session(user.id), (4, 1, None), now)
        items = schedule(user.id)
        assert set(items) == {
            ("criterion", "latency_budget"),
            ("criterion", "cost_modeling"),
            ("skill", "ml_system_design"),
        }
        assert items[("criterion", "latency_budget")].due_at == now + timedelta(days=1)
        assert items[("criterion", "cost_modeling")].last_grade == 0
        # a second strong round pushes the strong criterion out; the weak one stays at 1 day
        later = now + timedelta(days=1)
        score(user.id, helpers.practice_session(user.id), (4, 1, None), later)
        items = schedule(user.id)
        assert items[("criterion", "latency_budget")].due_at == later + timedelta(days=6)
        assert items[("criterion", "cost_modeling")].due_at == later + timedelta(days=1)
        assert items[("criterion", "latency_budget")].reviews == 2


def test_saving_without_finishing_does_not_touch_the_schedule(app):
    with app.app_context():
        user = factories.user()
        score(user.id, helpers.practice_session(user.id), (4, 4, 4), utcnow(), finish=False)
        assert schedule(user.id) == {}


def test_finished_scoring_is_locked(app):
    with app.app_context():
        user = factories.user()
        session = helpers.practice_session(user.id)
        score(user.id, session, (3,), utcnow())
        with pytest.raises(scoring.ScoringLocked):
            score(user.id, session, (1,), utcnow())


def test_unknown_criterion_or_foreign_item_is_refused(app):
    with app.app_context():
        user = factories.user()
        session = helpers.practice_session(user.id)
        other = helpers.practice_session(user.id)
        for levels in ({(session.items[0].id, "nope"): 2}, {(other.items[0].id, KEYS[0]): 2}):
            with pytest.raises(scoring.ScoringError):
                scoring.save_scoring(session.id, user.id, levels, {}, "", utcnow())
        with pytest.raises(scoring.ScoringError, match="not on the scale"):
            scoring.save_scoring(
                session.id, user.id, {(session.items[0].id, KEYS[0]): 7}, {}, "", utcnow()
            )
        with pytest.raises(scoring.ScoringError, match="reflection"):
            scoring.save_scoring(session.id, user.id, {}, {}, "x" * 10_001, utcnow())


def test_practise_next_lists_due_items_weakest_first_and_unseen_questions_first(app):
    with app.app_context():
        user = factories.user()
        seen = factories.question(title="Seen before")
        unseen = factories.question(title="Never seen")
        factories.question(title="Draft", status="draft")
        unrelated = factories.rubric(
            criteria=[
                {"key": "drift", "title": "Drift", "weight": 1, "levels": factories.levels(3)}
            ]
        )
        factories.question(title="Other skill", skills=("mlops",), rubric_obj=unrelated)
        shares_criterion = factories.question(title="Same criteria", skills=("mlops",))
        now = utcnow()
        score(user.id, helpers.practice_session(user.id, [seen]), (4, 1, 2), now)
        later = now + timedelta(days=2)  # everything due again by now
        result = schedule_service.practise_next(user.id, later)
        assert [i["key"] for i in result.items][:2] == ["cost_modeling", "failure_modes"]
        assert all(i["due"] for i in result.items)
        titles = [q["title"] for q in result.questions]
        assert titles[0] == "Never seen" and "Seen before" in titles
        assert "Draft" not in titles and "Other skill" not in titles
        assert [q["seen"] for q in result.questions] == sorted(q["seen"] for q in result.questions)
        assert unseen.id in [q["id"] for q in result.questions]
        # a question in another skill area whose rubric has a due criterion is suggested too
        assert shares_criterion.id in [q["id"] for q in result.questions]


def test_practise_next_is_empty_without_a_schedule(app):
    with app.app_context():
        user = factories.user()
        result = schedule_service.practise_next(user.id, utcnow())
        assert result.is_empty


def test_report_snapshot_of_practise_next_does_not_change_later(app):
    with app.app_context():
        user = factories.user()
        now = utcnow()
        first = helpers.practice_session(user.id)
        score(user.id, first, (1, 1, 1), now)
        before = report.build_session_report(first).practise_next
        score(user.id, helpers.practice_session(user.id), (4, 4, 4), now + timedelta(days=3))
        assert report.build_session_report(first).practise_next == before


def test_skill_weakness_for_the_practice_picker(app):
    with app.app_context():
        user = factories.user()
        assert schedule_service.skill_weakness(user.id) == {}
        q1 = factories.question(skills=("mlops",))
        q2 = factories.question(skills=("ml_system_design",))
        now = utcnow()
        score(user.id, helpers.practice_session(user.id, [q1]), (1, 1, 1), now)
        score(user.id, helpers.practice_session(user.id, [q2]), (4, 4, 4), now)
        weakness = schedule_service.skill_weakness(user.id)
        assert weakness == {"mlops": 1.0, "ml_system_design": 0.0}
        other = factories.user()
        assert schedule_service.skill_weakness(other.id) == {}


def test_a_save_racing_another_tab_is_refused_cleanly(app, monkeypatch):
    with app.app_context():
        user = factories.user()
        session = helpers.practice_session(user.id)
        score(user.id, session, (2,), utcnow(), finish=False)
        # the other tab's assessment exists, but this request did not see it yet
        monkeypatch.setattr(loading, "assessment_for", lambda session_id: None)
        with pytest.raises(scoring.ScoringError, match="another tab"):
            score(user.id, session, (3,), utcnow(), finish=False)
        monkeypatch.undo()
        db.session.expire_all()
        view = loading.scoring_view(session.id, user.id, now=utcnow())
        assert view.items[0].levels["latency_budget"] == 2


def test_finishing_while_the_autosave_creates_the_rows_is_done_once_more_and_kept(app, monkeypatch):
    """The score page's last autosave and "Finish scoring" both found no assessment; the
    autosave's insert won. Finishing collided with it (while flushing for the schedule,
    which was a 500) and is now done again on what the autosave stored."""
    with app.app_context():
        user = factories.user()
        session = helpers.practice_session(user.id)
        score(user.id, session, (2,), utcnow(), finish=False)  # the autosave's row
        real, reads = loading.assessment_for, []

        def assessment_for(session_id):  # this request's first read missed it
            reads.append(session_id)
            return None if len(reads) == 1 else real(session_id)

        monkeypatch.setattr(loading, "assessment_for", assessment_for)
        finished = score(user.id, session, (3, 4), utcnow(), finish=True)
        monkeypatch.undo()
        assert finished.is_complete and len(reads) == 2  # refused once, then done again
        db.session.expire_all()
        view = loading.scoring_view(session.id, user.id, now=utcnow())
        assert view.is_complete
        assert (view.items[0].levels["latency_budget"], view.items[0].levels["cost_modeling"]) == (
            3,
            4,
        )
