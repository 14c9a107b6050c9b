"""Fixtures for coach review tests: a coach, a linked candidate and a finished session."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.extensions import db
from app.models.users import User
from tests.coach import builders


@dataclass
class World:
    coach_id: int
    candidate_id: int
    session_id: int

    def coach(self) -> User:
        return db.session.get(User, self.coach_id)


@pytest.fixture
def world(app, make_user):
    """A coach linked to a candidate who finished one system-design session (2 questions)."""
    coach_id = make_user("coach", display_name="Coach Carla")
    candidate_id = make_user("candidate", display_name="Cand Dee")
    with app.app_context():
        builders.link(coach_id, candidate_id)
        session_id = builders.session(candidate_id).id
    return World(coach_id, candidate_id, session_id)


def login(app, auth, user_id: int):
    with app.app_context():
        email = db.session.get(User, user_id).email
    response = auth.login(email)
    assert response.status_code == 302
    return response


@pytest.fixture
def as_coach(app, auth, world):
    """The test client signed in as the world's coach."""
    login(app, auth, world.coach_id)
    return world


@pytest.fixture
def as_candidate(app, auth, world):
    """The test client signed in as the world's candidate."""
    login(app, auth, world.candidate_id)
    return world
