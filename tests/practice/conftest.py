"""Shared set-up for practice tests: a small bank and a signed-in candidate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.practice import PracticeSession, SessionEvent, SessionQuestion
from tests import factories

# Named instants (see tests/domain/test_timing.py for the pure rules).
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    return START + timedelta(minutes=minutes, seconds=seconds)


@dataclass
class Bank:
    format_id: int
    question_ids: list[int]


@pytest.fixture
def make_bank(app):
    """make_bank(stage_key, minutes, count, kinds=("text",)*count, **format_fields) -> Bank."""

    def _make(
        stage_key: str = "system_design",
        minutes: int = 60,
        count: int = 2,
        kinds: tuple[str, ...] | None = None,
        questions: int | None = None,
        **format_fields,
    ) -> Bank:
        kinds = kinds or ("text",) * (questions or count)
        with app.app_context():
            fmt = factories.round_format(stage_key, minutes=minutes, count=count, **format_fields)
            ids = []
            for n, kind in enumerate(kinds):
                extra = {}
                if kind == "code":
                    extra["code_language"] = "python"
                if kind == "estimate":
                    extra.update(estimate_value=100.0, estimate_unit="GB")
                q = factories.question(
                    stage_key,
                    answer_kind=kind,
                    hints=[f"First hint {n}", f"Second hint {n}"],
                    good_answer_md=f"SECRET GOOD ANSWER {n}",
                    **extra,
                )
                ids.append(q.id)
            return Bank(fmt.id, ids)

    return _make


def get_session(app, session_id: int) -> PracticeSession:
    with app.app_context():
        session = db.session.get(PracticeSession, session_id)
        db.session.expunge(session)
        return session


def items(app, session_id: int) -> list[SessionQuestion]:
    with app.app_context():
        rows = db.session.scalars(
            select(SessionQuestion)
            .where(SessionQuestion.session_id == session_id)
            .order_by(SessionQuestion.position)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def event_kinds(app, session_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(SessionEvent.kind)
                .where(SessionEvent.session_id == session_id)
                .order_by(SessionEvent.id)
            )
        )


def only_session_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(PracticeSession.id).order_by(PracticeSession.id.desc()))


@pytest.fixture
def running(app, client, login_as, make_bank):
    """A signed-in candidate with a 60-minute, two-question round started at START."""

    def _start(minutes=60, kinds=("text", "text"), **fields):
        login_as()
        bank = make_bank(minutes=minutes, count=len(kinds), kinds=kinds, **fields)
        client.post("/practice/rounds", data={"format_id": bank.format_id})
        return only_session_id(app)

    return _start


def autosave(client, session_id, position=0, **data):
    data.setdefault("revision", 0)
    return client.post(f"/practice/sessions/{session_id}/questions/{position}/autosave", data=data)
