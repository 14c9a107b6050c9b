"""Rows as the release with schema 0001 wrote them, in plain SQL (no models).

The models move on with every revision; these INSERTs stay written against the 0001
tables, so they keep describing what an old database really holds. A candidate with a
finished, self-scored round that a linked coach reviewed and published, a question and a
rubric with two versions each (the round pinned the first), a loop run, the schedule, a
notification and audit events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import JSON, DateTime, bindparam, text

from tests.migrations.harness import connect

PASSWORD = "an old release's password 1"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # when the old release was in use


@dataclass(frozen=True)
class Seeded:
    candidate_email: str
    coach_email: str
    admin_email: str
    session_id: int
    review_id: int
    answer_text: str
    coach_comment: str
    question_title_v1: str
    reflection: str
    self_score_note: str


def _insert(connection, table: str, **values) -> int:
    """INSERT one row with bound values; returns its new id."""
    columns = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    statement = text(f"INSERT INTO {table} ({columns}) VALUES ({params}) RETURNING id")
    binds = []
    for name, value in values.items():
        if isinstance(value, datetime):
            binds.append(bindparam(name, type_=DateTime(timezone=True)))
        elif isinstance(value, dict | list):
            binds.append(bindparam(name, type_=JSON()))
    if binds:
        statement = statement.bindparams(*binds)
    return connection.execute(statement, values).scalar_one()


def _insert_no_id(connection, table: str, **values) -> None:
    columns = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)


CRITERIA = [
    {
        "key": "latency_budget",
        "title": "Latency budgeting",
        "description": "Budget per hop.",
        "weight": 1.0,
        "levels": [
            {"value": v, "label": label, "descriptor": f"Level {v}."}
            for v, label in enumerate(["Missing", "Partial", "Solid", "Excellent"], start=1)
        ],
    },
    {
        "key": "cost_modeling",
        "title": "Cost modeling",
        "description": "Dollars per request.",
        "weight": 2.0,
        "levels": [
            {"value": v, "label": label, "descriptor": f"Level {v}."}
            for v, label in enumerate(["Missing", "Partial", "Solid", "Excellent"], start=1)
        ],
    },
]


def _user(connection, email: str, name: str, role: str, password_hash: str, **extra) -> int:
    return _insert(
        connection,
        "users",
        email=email,
        display_name=name,
        password_hash=password_hash,
        role=role,
        active=True,
        session_token=f"token-{role}",
        timezone="Europe/Berlin",
        invite_code=extra.pop("invite_code", None),
        coach_sharing="all",
        created_at=T0 - timedelta(days=30),
        last_login_at=T0,
    )


def seed_baseline(database_url: str) -> Seeded:
    """Fill a database at revision 0001 the way that release did; return what to look for."""
    # Argon2 with the test cost: the app verifies any argon2id hash whatever its cost.
    password_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    answer = "Cache embeddings per tenant; budget 40 ms for retrieval and 120 ms for ranking."
    comment = "Good latency split; say what happens when the cache is cold."
    title_v1 = "Design a feed ranker (old wording)"
    with connect(database_url) as c:
        candidate = _user(
            c, "old.candidate@example.com", "Old Candidate", "candidate", password_hash
        )
        coach = _user(
            c, "old.coach@example.com", "Old Coach", "coach", password_hash, invite_code="OLDCODE1"
        )
        admin = _user(c, "old.admin@example.com", "Old Admin", "admin", password_hash)

        _insert_no_id(
            c,
            "stages",
            key="system_design",
            name="ML system design",
            position=3,
            default_minutes=60,
            description="Design a system.",
        )
        _insert_no_id(
            c,
            "skill_areas",
            key="ml_system_design",
            name="ML system design",
            position=1,
            description="",
        )
        rubric = _insert(c, "rubrics", key="design-rubric", archived=False, created_at=T0)
        rubric_versions = [
            _insert(
                c,
                "rubric_versions",
                rubric_id=rubric,
                number=n,
                title=f"Design rubric v{n}",
                description="",
                criteria=CRITERIA,
                created_at=T0 + timedelta(days=n),
                created_by_id=admin,
                change_note=f"edit {n}",
            )
            for n in (1, 2)
        ]
        c.execute(
            text("UPDATE rubrics SET current_version_id = :v WHERE id = :id"),
            {"v": rubric_versions[1], "id": rubric},
        )
        question = _insert(
            c,
            "questions",
            key="feed-ranker",
            status="published",
            created_at=T0,
            updated_at=T0,
            first_published_at=T0,
        )
        question_versions = []
        for n, title in ((1, title_v1), (2, "Design a feed ranker")):
            question_versions.append(
                _insert(
                    c,
                    "question_versions",
                    question_id=question,
                    number=n,
                    stage_key="system_design",
                    rubric_id=rubric,
                    title=title,
                    prompt_md=f"Prompt v{n}: rank a feed for 10M users.",
                    difficulty="medium",
                    answer_kind="text",
                    code_language=None,
                    estimate_value=None,
                    estimate_unit=None,
                    estimate_tolerance_pct=None,
                    worked_answer_md="",
                    suggested_minutes=20,
                    hints=["Think about caching."],
                    follow_ups=[],
                    good_answer_md="A good answer...",
                    tags=["ranking"],
                    created_at=T0 + timedelta(days=n),
                    created_by_id=admin,
                    change_note="",
                )
            )
            _insert_no_id(
                c,
                "question_version_skills",
                question_version_id=question_versions[-1],
                skill_key="ml_system_design",
            )
        c.execute(
            text("UPDATE questions SET current_version_id = :v WHERE id = :id"),
            {"v": question_versions[1], "id": question},
        )
        fmt = _insert(
            c,
            "round_formats",
            key="design-60",
            name="Design, 60 min",
            stage_key="system_design",
            duration_minutes=60,
            question_count=1,
            answer_kinds=[],
            expiry_policy="auto_submit",
            grace_seconds=60,
            description="",
            position=1,
            archived=False,
        )
        plan = _insert(
            c,
            "loop_plans",
            key="big-tech",
            name="Big tech",
            description="",
            position=1,
            archived=False,
        )
        _insert(
            c,
            "loop_steps",
            plan_id=plan,
            position=0,
            round_format_id=fmt,
            gap_minutes=0,
            opens_at=None,
            label="Day 1",
        )
        run = _insert(
            c,
            "loop_runs",
            user_id=candidate,
            plan_id=plan,
            started_at=T0,
            finished_at=None,
            status="active",
            note="",
        )
        started = T0 + timedelta(days=5)
        session = _insert(
            c,
            "practice_sessions",
            user_id=candidate,
            round_format_id=fmt,
            stage_key="system_design",
            loop_run_id=run,
            loop_position=0,
            status="submitted",
            started_at=started,
            deadline_at=started + timedelta(minutes=60),
            grace_seconds=60,
            expiry_policy="auto_submit",
            is_take_home=False,
            finished_at=started + timedelta(minutes=45),
            shared_with_coaches=True,
            current_position=0,
            position_since=started,
            version=3,
        )
        item = _insert(
            c,
            "session_questions",
            session_id=session,
            position=0,
            question_id=question,
            question_version_id=question_versions[0],
            rubric_version_id=rubric_versions[0],
            answer_text=answer,
            answer_number=None,
            answer_unit=None,
            answer_links=[],
            revision=4,
            client_id="tab-1",
            client_seq=4,
            hints_revealed=1,
            saved_at=started + timedelta(minutes=44),
            time_spent_seconds=2640,
        )
        for minute, kind in ((0, "started"), (44, "saved"), (45, "submitted")):
            _insert(
                c,
                "session_events",
                session_id=session,
                at=started + timedelta(minutes=minute),
                kind=kind,
                position=0 if kind == "saved" else None,
                data={"revision": minute},
            )
        assessment = _insert(
            c,
            "self_assessments",
            session_id=session,
            user_id=candidate,
            reflection="Ran out of time on costs.",
            started_at=started + timedelta(minutes=50),
            updated_at=started + timedelta(minutes=60),
            completed_at=started + timedelta(minutes=60),
            summary={
                "overall": 58.3,
                "skills": {"ml_system_design": 58.3},
                "criteria": {"latency_budget": 66.7, "cost_modeling": 33.3},
            },
            overall_score=58.3,
            practise_next={},
        )
        for key, level in (("latency_budget", 3), ("cost_modeling", 2)):
            _insert(
                c,
                "self_scores",
                assessment_id=assessment,
                session_question_id=item,
                rubric_version_id=rubric_versions[0],
                criterion_key=key,
                level=level,
                note=f"my note on {key}",
                updated_at=started + timedelta(minutes=55),
            )
        _insert(
            c,
            "practice_schedule",
            user_id=candidate,
            kind="criterion",
            item_key="cost_modeling",
            title="Cost modeling",
            repetitions=1,
            ease=2.36,
            interval_days=1,
            due_at=started + timedelta(days=1),
            last_grade=2,
            last_score=33.3,
            recent_score=33.3,
            reviews=1,
            last_reviewed_at=started + timedelta(minutes=60),
        )
        _insert(c, "coach_links", coach_id=coach, candidate_id=candidate, created_at=T0)
        published = started + timedelta(days=1)
        review = _insert(
            c,
            "reviews",
            session_id=session,
            coach_id=coach,
            status="published",
            strengths_md="Clear structure.",
            gaps_md="Costs.",
            next_steps_md="Price a GPU hour.",
            created_at=published,
            updated_at=published,
            published_at=published,
            published_revision=1,
            has_unpublished_changes=False,
        )
        _insert(
            c,
            "review_scores",
            review_id=review,
            session_question_id=item,
            criterion_key="latency_budget",
            level=3,
            comment_md=comment,
        )
        _insert(
            c,
            "review_answer_comments",
            review_id=review,
            session_question_id=item,
            comment_md="Nice diagram in words.",
        )
        _insert(
            c,
            "review_revisions",
            review_id=review,
            number=1,
            published_at=published,
            snapshot={
                "strengths_md": "Clear structure.",
                "gaps_md": "Costs.",
                "next_steps_md": "Price a GPU hour.",
                "scores": [
                    {
                        "session_question_id": item,
                        "criterion_key": "latency_budget",
                        "level": 3,
                        "comment_md": comment,
                    }
                ],
                "answer_comments": [
                    {"session_question_id": item, "comment_md": "Nice diagram in words."}
                ],
            },
        )
        _insert(
            c,
            "notifications",
            user_id=candidate,
            kind="new_review",
            message="Old Coach published a review.",
            link=f"/coaching/reviews/{review}",
            created_at=published,
            read_at=None,
        )
        for action, actor in (("login", candidate), ("question.edit", admin)):
            _insert(
                c,
                "audit_events",
                at=T0,
                actor_id=actor,
                action=action,
                target_type="user",
                target_id=str(actor),
                ip="192.0.2.1",
                details={"via": "old release"},
            )
    return Seeded(
        candidate_email="old.candidate@example.com",
        coach_email="old.coach@example.com",
        admin_email="old.admin@example.com",
        session_id=session,
        review_id=review,
        answer_text=answer,
        coach_comment=comment,
        question_title_v1=title_v1,
        reflection="Ran out of time on costs.",
        self_score_note="my note on cost_modeling",
    )
