"""Notification emails: opted-in, confirmed users get them by `flask notifications email`."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.coach import services
from app.extensions import db
from app.models.practice import PracticeSession
from app.models.review import Notification
from app.models.users import User
from tests.coach import builders
from tests.conftest import make_app
from tests.mailbox import free_port

PUBLIC = "https://mock.example.org"


@pytest.fixture
def cli_app(database_url, _schema, app):
    """cli_app(**config) -> a runner on the test's tables with PUBLIC_URL set."""
    made = []

    def _make(**overrides):
        made.append(make_app(database_url, PUBLIC_URL=PUBLIC, **overrides))
        return made[-1].test_cli_runner()

    yield _make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def opt_in(app, user_id: int, on: bool = True) -> None:
    with app.app_context():
        db.session.get(User, user_id).email_notifications = on
        db.session.commit()


def published_review(app, coach_id: int, candidate_id: int) -> None:
    with app.app_context():
        builders.link(coach_id, candidate_id)
        session = builders.session(candidate_id, shared=True)
        session = db.session.get(PracticeSession, session.id)
        services.publish(
            coach_id, session, services.ReviewInput(strengths_md="Good split."), now=utcnow()
        )


def test_a_published_review_is_emailed_once_with_an_unsubscribe_link(
    app, client, make_user, cli_app, mailbox
):
    coach = make_user(role="coach", display_name="Coach Em")
    candidate = make_user(email="wants.mail@example.com")
    opt_in(app, candidate)
    published_review(app, coach, candidate)
    runner = cli_app()
    result = runner.invoke(args=["notifications", "email"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 notification emails; 0 failed" in result.output
    message = mailbox.wait_for("wants.mail@example.com")
    assert "New review from Coach Em" in message.subject
    assert message.link("/coaching/reviews/").startswith(PUBLIC + "/coaching/reviews/")
    unsubscribe = message.link("/email/unsubscribe/")
    assert str(message.message["List-Unsubscribe"]).strip() == f"<{unsubscribe}>"
    assert "Sent 0 notification emails" in runner.invoke(args=["notifications", "email"]).output

    path = urlsplit(unsubscribe).path
    assert "Stop notification emails" in client.get(path).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, candidate).email_notifications  # no change on GET
    assert client.post(path).status_code == 200
    with app.app_context():
        assert not db.session.get(User, candidate).email_notifications
    assert client.post(path[:-4] + "abcd").status_code == 410


def test_nothing_is_sent_to_users_who_did_not_opt_in_or_are_unconfirmed(
    app, make_user, cli_app, mailbox
):
    coach = make_user(role="coach")
    quiet = make_user(email="quiet@example.com")
    unconfirmed = make_user(email="unconfirmed@example.com", email_verified_at=None)
    opt_in(app, unconfirmed)  # forced in the database: the command still checks
    published_review(app, coach, quiet)
    with app.app_context():
        services.notify(unconfirmed, "new_review", "A message.", "/coaching/", now=utcnow())
        db.session.commit()
    result = cli_app().invoke(args=["notifications", "email"])
    assert "Sent 0 notification emails" in result.output
    assert mailbox.messages() == []


def test_unconfirmed_users_cannot_turn_emails_on(app, client, login_as):
    me = login_as(email_verified_at=None)
    response = client.post(
        "/settings/notifications", data={"email_notifications": "y"}, follow_redirects=True
    )
    assert "Confirm your email address first" in response.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(User, me).email_notifications


def test_settings_turn_the_emails_on_and_off(app, client, login_as):
    me = login_as()
    client.post("/settings/notifications", data={"email_notifications": "y"})
    with app.app_context():
        assert db.session.get(User, me).email_notifications
    client.post("/settings/notifications", data={})
    with app.app_context():
        assert not db.session.get(User, me).email_notifications


def test_a_round_shared_with_a_coach_is_emailed_to_the_coach(app, make_user, cli_app, mailbox):
    coach = make_user(role="coach", email="coach.mail@example.com")
    candidate = make_user(display_name="Cand Idate", coach_sharing="selected")
    opt_in(app, coach)
    with app.app_context():
        builders.link(coach, candidate)
        session = builders.session(candidate, shared=False)
        services.set_session_shared(candidate, session.id, True, now=utcnow())
    assert "Sent 1" in cli_app().invoke(args=["notifications", "email"]).output
    assert "Cand Idate" in mailbox.wait_for("coach.mail@example.com").text


def test_a_failed_send_is_retried_on_the_next_run(app, make_user, cli_app, mailbox):
    coach = make_user(role="coach")
    candidate = make_user(email="retry@example.com")
    opt_in(app, candidate)
    published_review(app, coach, candidate)
    broken = cli_app(MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    failed = broken.invoke(args=["notifications", "email"])
    assert failed.exit_code == 1 and "0 notification emails; 1 failed" in failed.output
    with app.app_context():
        assert db.session.scalar(select(Notification.emailed_at)) is None
    assert "Sent 1" in cli_app().invoke(args=["notifications", "email"]).output
    assert len(mailbox.messages("retry@example.com")) == 1


def test_the_command_needs_public_url(app, runner):
    result = runner.invoke(args=["notifications", "email"])
    assert result.exit_code != 0 and "Set PUBLIC_URL" in result.output
