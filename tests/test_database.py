"""The database layer: SQLite's pragmas, and datetimes that are always aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models.users import User
from tests.conftest import make_app


def test_sqlite_files_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
                assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        finally:
            db.engine.dispose()


def test_datetimes_come_back_aware_utc(app):
    berlin = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # just after DST
    with app.app_context():
        user = User(email="tz@example.com", display_name="TZ", password_hash="x", created_at=berlin)
        db.session.add(user)
        db.session.commit()
        db.session.expire_all()
        stored = db.session.scalar(select(User.created_at).where(User.email == "tz@example.com"))
        assert stored.tzinfo is UTC or stored.utcoffset().total_seconds() == 0
        assert stored == berlin
        assert stored.hour == 1  # 03:30 CEST is 01:30 UTC


def test_naive_datetimes_are_refused(app):
    with app.app_context():
        db.session.add(
            User(
                email="naive@example.com",
                display_name="N",
                password_hash="x",
                created_at=datetime(2026, 1, 1, 12, 0),
            )
        )
        with pytest.raises(Exception, match="naive datetime"):
            db.session.commit()
        db.session.rollback()
