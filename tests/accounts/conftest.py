"""Fixtures of the account tests."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.conftest import make_app


@pytest.fixture
def other_app(database_url, _schema, app):
    """other_app(**config) -> a second app on the test's tables with other settings.

    Its database connections are closed afterwards (PostgreSQL warns about open ones).
    """
    made = []

    def _make(**overrides):
        made.append(make_app(database_url, WTF_CSRF_ENABLED=False, **overrides))
        return made[-1]

    yield _make
    for extra in made:
        with extra.app_context():
            db.session.remove()
            db.engine.dispose()
