"""Small builders for test data. Call inside an app context; they commit."""

from __future__ import annotations

import itertools
from datetime import timedelta

from app.accounts.passwords import hash_password
from app.clock import utcnow
from app.extensions import db
from app.models.bank import (
    LoopPlan,
    LoopStep,
    Question,
    QuestionVersion,
    RoundFormat,
    Rubric,
    RubricVersion,
    SkillArea,
    Stage,
)
from app.models.users import User

PASSWORD = "correct horse battery staple 42"
_seq = itertools.count(1)


def user(
    role: str = "candidate", email: str | None = None, password: str = PASSWORD, **fields
) -> User:
    n = next(_seq)
    obj = User(
        email=(email or f"{role}{n}@example.com").lower(),
        display_name=fields.pop("display_name", f"{role.title()} {n}"),
        password_hash=hash_password(password),
        role=role,
        # verified unless a test says otherwise (unverified accounts cannot link a coach)
        email_verified_at=fields.pop("email_verified_at", utcnow()),
        **fields,
    )
    db.session.add(obj)
    db.session.commit()
    return obj


def levels(n: int = 4) -> list[dict]:
    labels = ["Missing", "Partial", "Solid", "Excellent", "Outstanding"]
    return [
        {"value": i, "label": labels[i - 1], "descriptor": f"Level {i}: {labels[i - 1].lower()}."}
        for i in range(1, n + 1)
    ]


def stage(key: str = "system_design", name: str = "ML system design", minutes: int = 60) -> Stage:
    obj = db.session.get(Stage, key)
    if obj is None:
        obj = Stage(key=key, name=name, default_minutes=minutes, position=next(_seq))
        db.session.add(obj)
        db.session.commit()
    return obj


def skill(key: str = "ml_system_design", name: str = "ML system design") -> SkillArea:
    obj = db.session.get(SkillArea, key)
    if obj is None:
        obj = SkillArea(key=key, name=name, position=next(_seq))
        db.session.add(obj)
        db.session.commit()
    return obj


def rubric(
    key: str | None = None, criteria: list[dict] | None = None, hire_bar: int | None = None
) -> Rubric:
    key = key or f"rubric-{next(_seq)}"
    criteria = criteria or [
        {
            "key": "latency_budget",
            "title": "Latency budgeting",
            "description": "Budget per hop.",
            "weight": 1.0,
            "levels": levels(4),
        },
        {
            "key": "cost_modeling",
            "title": "Cost modeling",
            "description": "$ per million queries.",
            "weight": 2.0,
            "levels": levels(4),
        },
        {
            "key": "failure_modes",
            "title": "Failure-mode analysis",
            "description": "What breaks.",
            "weight": 1.0,
            "levels": levels(4),
        },
    ]
    obj = Rubric(key=key)
    db.session.add(obj)
    db.session.flush()
    version = RubricVersion(
        rubric_id=obj.id,
        number=1,
        title=key.replace("-", " ").title(),
        criteria=criteria,
        hire_bar=hire_bar,
    )
    db.session.add(version)
    db.session.flush()
    obj.current_version_id = version.id
    db.session.commit()
    return obj


def question(
    stage_key: str = "system_design",
    rubric_obj: Rubric | None = None,
    skills: tuple[str, ...] = ("ml_system_design",),
    status: str = "published",
    answer_kind: str = "text",
    **fields,
) -> Question:
    stage(stage_key, stage_key.replace("_", " ").title())
    rubric_obj = rubric_obj or rubric()
    n = next(_seq)
    obj = Question(key=fields.pop("key", f"q-{n}"), status=status)
    db.session.add(obj)
    db.session.flush()
    version = QuestionVersion(
        question_id=obj.id,
        number=1,
        stage_key=stage_key,
        rubric_id=rubric_obj.id,
        title=fields.pop("title", f"Question {n}"),
        prompt_md=fields.pop("prompt_md", f"Design system number {n}."),
        answer_kind=answer_kind,
        **fields,
    )
    version.skills = [skill(k, k.replace("_", " ").title()) for k in skills]
    db.session.add(version)
    db.session.flush()
    obj.current_version_id = version.id
    db.session.commit()
    return obj


def round_format(
    stage_key: str = "system_design", minutes: int = 60, count: int = 1, **fields
) -> RoundFormat:
    stage_obj = stage(stage_key, stage_key.replace("_", " ").title(), minutes)
    obj = RoundFormat(
        key=fields.pop("key", f"fmt-{next(_seq)}"),
        name=fields.pop("name", f"{stage_obj.name} ({minutes} min)"),  # as the bank names them
        stage_key=stage_key,
        duration_minutes=minutes,
        question_count=count,
        **fields,
    )
    db.session.add(obj)
    db.session.commit()
    return obj


def loop_plan(formats: list[RoundFormat], gaps: list[int] | None = None) -> LoopPlan:
    gaps = gaps or [0] * len(formats)
    obj = LoopPlan(key=f"loop-{next(_seq)}", name="Test loop")
    obj.steps = [
        LoopStep(position=i, round_format_id=f.id, gap_minutes=g)
        for i, (f, g) in enumerate(zip(formats, gaps, strict=True))
    ]
    db.session.add(obj)
    db.session.commit()
    return obj


def minutes_ago(minutes: float):
    return utcnow() - timedelta(minutes=minutes)
