"""Coaches hear of finished rounds: "new session to review" when a candidate's round ends.

`connect(app)` is called from create_app. It subscribes to the practice area's
`round_finished` signal, which `app.practice.lifecycle.finish` sends for every way a
round ends (submitted, expired on the page, finalised overdue by a request or the
sweep). The signal is sent before the commit, so the notifications are written in the
same transaction as the finish.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from app.coach.services import notify_session_to_review
from app.models.practice import PracticeSession
from app.practice.signals import round_finished


def connect(app: Flask) -> None:
    """Send "new session to review" to the linked coaches when a round of `app` finishes."""
    round_finished.connect(_round_finished, sender=app)


def _round_finished(_app: Flask, *, session: PracticeSession, now: datetime, by: str) -> None:
    notify_session_to_review(session, now=now)
