"""Fixtures for feedback tests: a signed-in candidate with a finished round."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.extensions import db
from app.models.practice import PracticeSession
from tests.learning import helpers


@dataclass
class Round:
    user_id: int
    session_id: int
    item_ids: list[int]

    def level(self, position: int, criterion_index: int) -> str:
        return f"level_{self.item_ids[position]}_{criterion_index}"

    def note(self, position: int, criterion_index: int) -> str:
        return f"note_{self.item_ids[position]}_{criterion_index}"

    @property
    def score_url(self) -> str:
        return f"/feedback/sessions/{self.session_id}/score"

    @property
    def autosave_url(self) -> str:
        return f"/feedback/sessions/{self.session_id}/score/autosave"

    @property
    def report_url(self) -> str:
        return f"/feedback/sessions/{self.session_id}/report"


@pytest.fixture
def finished_round(app, login_as):
    """make(**kwargs) -> Round: a finished session (see helpers.practice_session)."""

    def _make(user_id: int | None = None, **kwargs) -> Round:
        user_id = user_id or login_as("candidate")
        with app.app_context():
            session = helpers.practice_session(user_id, **kwargs)
            return Round(user_id, session.id, [i.id for i in session.items])

    return _make


def reload_session(app, session_id: int) -> PracticeSession:
    with app.app_context():
        return db.session.get(PracticeSession, session_id)


@pytest.fixture
def model(app):
    """configure(base_url, timeout=5, key="") points the app at a chat-completions server."""

    def configure(base_url: str, timeout: float = 5, key: str = "") -> None:
        app.config.update(
            LLM_BASE_URL=base_url, LLM_MODEL="test-model", LLM_API_KEY=key,
            LLM_TIMEOUT_SECONDS=timeout,
        )  # fmt: skip

    return configure
