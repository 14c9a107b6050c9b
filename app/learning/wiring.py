"""What learning needs from later packages, wired once by the app factory.

Learning comes before coach on the candidate's path, so it never imports it. The
report's coach section reaches it as a provider of `app.learning.report.CoachInput`
that `create_app` registers:

    learning_wiring.configure(app, coach=coach.report_section.for_report)

Routes (the edge) pass `coach_provider()` to `report.report_for_owner`.
"""

from __future__ import annotations

from flask import Flask, current_app

from app.learning.report import CoachProvider, no_coach

_KEY = "learning.coach"


def configure(app: Flask, *, coach: CoachProvider) -> None:
    """Register the coach area's provider of a report's coach section for this app."""
    app.extensions[_KEY] = coach


def coach_provider() -> CoachProvider:
    """The registered provider, or one that gives no coach section."""
    return current_app.extensions.get(_KEY, no_coach)
