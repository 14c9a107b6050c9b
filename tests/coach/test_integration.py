"""Coach review on top of the practice and feedback areas: self-scores, estimates, the report."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.clock import utcnow
from app.coach import services
from app.coach.queries import visible_session
from app.extensions import db
from app.models.practice import PracticeSession
from app.models.review import Review
from tests.coach import builders
from tests.coach.conftest import login


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def publish_levels(app, world, levels_by_position, **summary):
    """Publish a review with these coach levels (by question position, criteria in order)."""
    with app.app_context():
        session = visible_session(world.coach_id, world.session_id)
        values = services.ReviewInput(**summary)
        for item in session.items:
            for criterion, level in zip(
                item.rubric_version.criteria,
                levels_by_position.get(item.position, []),
                strict=False,
            ):
                values.levels[(item.id, criterion["key"])] = level
        services.publish(world.coach_id, session, values, now=utcnow())
        return db.session.scalar(select(Review.id))


def test_session_log_shows_self_scores_reflection_and_the_scored_event(app, client, as_coach):
    w = as_coach
    with app.app_context():
        assessment = builders.self_score(
            w.session_id, {0: [4, 3, 1], 1: [2, 2, 2]}, reflection="I ran *long* on Q1."
        )
        overall = assessment.overall_score
    html = client.get(f"/coach/sessions/{w.session_id}").get_data(as_text=True)
    text = text_of(html)
    assert "Candidate: 4 · Excellent" in text and "Candidate: 1 · Missing" in text
    assert "I ran <em>long</em> on Q1." in html
    assert f"Self-score {round(overall)} / 100" in text
    assert f"Finished self-scoring (overall {overall:.0f}/100)" in text


def test_calibration_for_the_coach_the_candidate_and_the_report(app, client, auth, as_coach):
    w = as_coach
    with app.app_context():
        builders.self_score(w.session_id, {0: [4, 3, 1], 1: [2, 2, 2]})
    # the coach scores latency 2 (self 4) and failure modes 1 (self 1 and 2: mean 1.5)
    review_id = publish_levels(
        app, w, {0: [2, None, 1], 1: [None, None, 1]}, strengths_md="Strong *structure*."
    )
    coach_page = text_of(client.get(f"/coach/sessions/{w.session_id}").get_data(as_text=True))
    assert "Latency budgeting 4 2 +2 +67 rates self higher" in coach_page
    assert "Failure-mode analysis 1.5 1 +0.5 +17 rates self higher" in coach_page
    auth.logout()
    login(app, auth, w.candidate_id)
    review_page = text_of(client.get(f"/coaching/reviews/{review_id}").get_data(as_text=True))
    assert "Latency budgeting 4 2 +2 +67 rates self higher" in review_page
    assert "Across your reviewed sessions Criterion Sessions" in review_page
    report = client.get(f"/feedback/sessions/{w.session_id}/report")
    assert report.status_code == 200
    html = report.get_data(as_text=True)
    text = text_of(html)
    assert "Coach review" in text and "Coach Carla" in text
    assert "Strong <em>structure</em>." in html
    assert "Latency budgeting 4 2 +2 +67 rates self higher" in text
    assert f"/coaching/reviews/{review_id}" in html


def test_report_has_no_coach_section_without_a_published_review(app, client, auth, as_coach):
    w = as_coach
    with app.app_context():
        builders.self_score(w.session_id, {0: [4, 3, 1], 1: [2, 2, 2]})
    client.post(f"/coach/sessions/{w.session_id}/review", data={"strengths": "Draft only."})
    auth.logout()
    login(app, auth, w.candidate_id)
    html = client.get(f"/feedback/sessions/{w.session_id}/report").get_data(as_text=True)
    assert 'id="coach-section-title"' not in html and "Draft only." not in html


def test_calibration_across_sessions_averages_each_session(app, client, auth, as_coach):
    w = as_coach
    with app.app_context():
        second = builders.session(w.candidate_id).id
        builders.self_score(w.session_id, {0: [4]})
        builders.self_score(second, {0: [2]})
    publish_levels(app, w, {0: [2]})  # +2 on latency
    with app.app_context():
        session = visible_session(w.coach_id, second)
        item = session.items[0]
        services.publish(
            w.coach_id,
            session,
            services.ReviewInput(levels={(item.id, "latency_budget"): 2}),  # 0 on latency
            now=utcnow(),
        )
    text = text_of(client.get(f"/coach/candidates/{w.candidate_id}").get_data(as_text=True))
    assert "Latency budgeting 2 +1 +33 rates self higher" in text
    assert "Scores over time" in text and "Overall score per reviewed session" in text


def test_estimate_answers_get_the_automatic_check(app, client, as_coach):
    with app.app_context():
        sid = builders.session(
            as_coach.candidate_id, kinds=("estimate",), answers=("Fleet math.",)
        ).id
    text = text_of(client.get(f"/coach/sessions/{sid}").get_data(as_text=True))
    assert "Estimate check: within tolerance" in text
    assert "0.83× the reference (17 % off)" in text


def test_estimate_outside_tolerance(app, client, as_coach):
    with app.app_context():
        sid = builders.session(as_coach.candidate_id, kinds=("estimate",), answers=("",)).id
        db.session.get(PracticeSession, sid).items[0].answer_number = 0.5
        db.session.commit()
    text = text_of(client.get(f"/coach/sessions/{sid}").get_data(as_text=True))
    assert "Estimate check: outside tolerance" in text and "4.17× the reference" in text


def test_submitting_through_practice_notifies_the_coach(app, world):
    from app.models.review import Notification
    from app.practice import lifecycle as practice

    with app.app_context():
        running = builders.session(world.candidate_id, status="in_progress", events=False).id
        session = db.session.get(PracticeSession, running)
        session.deadline_at = session.started_at + timedelta(hours=3)
        db.session.commit()
        practice.submit_round(world.candidate_id, running, now=utcnow())
        notes = db.session.scalars(
            select(Notification).where(Notification.user_id == world.coach_id)
        ).all()
    assert [(n.kind, n.link) for n in notes] == [
        ("session_to_review", f"/coach/sessions/{running}")
    ]


def test_session_log_shows_calibration_across_reviewed_sessions(app, client, as_coach):
    w = as_coach
    with app.app_context():
        second = builders.session(w.candidate_id).id
        builders.self_score(w.session_id, {0: [4]})
        builders.self_score(second, {0: [2]})
    publish_levels(app, w, {0: [2]})  # +2 on latency in the first session
    text = text_of(client.get(f"/coach/sessions/{second}").get_data(as_text=True))
    assert "sessions you reviewed (published revisions)" in text
    assert "Latency budgeting 1 +2 +67 rates self higher" in text
