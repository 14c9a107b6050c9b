"""Builders for the optional-model tests: an answer, the model's fixed replies, a round."""

from __future__ import annotations

import json

from app.clock import utcnow
from app.extensions import db
from app.models.practice import SessionQuestion, SessionStatus
from app.practice import lifecycle
from tests import factories
from tests.learning import helpers

ANSWER = (
    "Put a cache in front of the model. The p99 budget is 80 ms per hop. "
    "At $2 per GPU hour that is $40 per million queries. If the cache dies we fall back."
)
KEYS = ("latency_budget", "cost_modeling", "failure_modes")


def valid_reply(**first) -> str:
    """A reply the schema accepts for the factories' rubric and ANSWER (levels 3, 4, 2)."""
    quotes = ("p99 budget is 80 ms per hop", "$40 per million queries", "we fall back")
    entries = [
        {"criterion": k, "level": lv, "rationale": f"About {k}.", "quote": q}
        for k, q, lv in zip(KEYS, quotes, (3, 4, 2), strict=True)
    ]
    entries[0].update(first)
    return json.dumps({"criteria": entries})


def finish_round(app, user_id: int, answers=(ANSWER,)) -> list[int]:
    """An open round of `user_id` submitted through the lifecycle; its item ids."""
    with app.app_context():
        questions = [factories.question() for _ in answers]
        session = helpers.practice_session(
            user_id,
            questions=questions,
            status=SessionStatus.IN_PROGRESS.value,
            answers=[{"text": a} for a in answers],
        )
        lifecycle.submit_round(user_id, session.id, now=utcnow())
        return [i.id for i in session.items]


def session_of(app, item_id: int) -> int:
    with app.app_context():
        return db.session.get(SessionQuestion, item_id).session_id
