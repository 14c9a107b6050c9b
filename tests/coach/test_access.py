"""A coach sees nothing of an unlinked candidate or an unshared session: 404 everywhere.

The route tables below are read from the app's url_map, so a new coach route with a
session or candidate in its URL is covered the moment it is written.
"""

from __future__ import annotations

import pytest

from app.clock import utcnow
from app.extensions import db
from app.models.review import Review
from app.models.users import User
from tests.coach import builders
from tests.coach.conftest import login


def coach_rules(app, *args):
    """(rule, method) for every coach route whose URL names one of `args`."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("coach.") and set(rule.arguments) & set(args):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                out.append((rule, method))
    return out


def url(rule, **values):
    return rule.build(
        {k: v for k, v in values.items() if k in rule.arguments}, append_unknown=False
    )[1]


def _collected_rules() -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) of every coach route naming a session or candidate, read
    from a fresh app's url_map at collection time: each is its own test case below."""
    from app import create_app

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (rule.endpoint, rule.rule, method)
        for rule, method in coach_rules(app, "session_id", "candidate_id")
    )


COACH_ROUTES = _collected_rules()
# The URL arguments a coach route may take; a route with another kind of id would not be
# covered by the tables here, so it fails `test_every_coach_route_is_in_the_tables`.
COVERED_ARGUMENTS = {"session_id", "candidate_id", "number"}
# Coach routes without an id: lists and actions that only ever read the coach's own links.
UNSCOPED_ENDPOINTS = {
    "coach.dashboard",
    "coach.queue",
    "coach.candidates",
    "coach.rotate_invite_code",
}


def test_the_tables_are_not_empty(app):
    endpoints = {r.endpoint for r, _ in coach_rules(app, "session_id", "candidate_id")}
    assert {
        "coach.session_log",
        "coach.save_review",
        "coach.review_revision",
        "coach.export_log",
        "coach.export_review",
        "coach.candidate",
        "coach.remove_candidate",
    } <= endpoints
    assert endpoints == {endpoint for endpoint, _, _ in COACH_ROUTES}


def test_every_coach_route_is_in_the_tables(app):
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("coach."):
            continue
        assert set(rule.arguments) <= COVERED_ARGUMENTS, rule.rule
        if not rule.arguments & {"session_id", "candidate_id"}:
            assert rule.endpoint in UNSCOPED_ENDPOINTS, rule.rule


def give_review(app, coach_id, session_id):
    """A published review so that every route would have something to show."""
    from app.coach import services
    from app.models.practice import PracticeSession

    with app.app_context():
        session = db.session.get(PracticeSession, session_id)
        services.publish(
            coach_id, session, services.ReviewInput(strengths_md="Good."), now=utcnow()
        )


def _unlinked(app, auth, world, make_user):
    stranger = make_user("coach")
    login(app, auth, stranger)


def _candidate_unlinked(app, auth, world, make_user):
    from app.coach import services

    with app.app_context():
        services.unlink_coach(world.candidate_id, world.coach_id)
    login(app, auth, world.coach_id)


def _coach_removed_candidate(app, auth, world, make_user):
    from app.coach import services

    with app.app_context():
        services.remove_candidate(world.coach_id, world.candidate_id)
    login(app, auth, world.coach_id)


def _unshared(app, auth, world, make_user):
    with app.app_context():
        db.session.get(User, world.candidate_id).coach_sharing = "selected"
        db.session.commit()
    login(app, auth, world.coach_id)


SCENARIOS = {
    "unlinked coach": _unlinked,
    "candidate unlinked the coach": _candidate_unlinked,
    "coach removed the candidate": _coach_removed_candidate,
    "session not shared": _unshared,
}


# "session not shared" leaves the candidate linked: their candidate page stays (and lists
# nothing, see below), so only the session routes are cases for that scenario.
CASES = [
    pytest.param(scenario, endpoint, rule, method, id=f"{scenario}: {method} {rule}")
    for scenario in SCENARIOS
    for endpoint, rule, method in COACH_ROUTES
    if scenario != "session not shared" or "<int:session_id>" in rule
]


@pytest.mark.parametrize(("scenario", "endpoint", "rule", "method"), CASES)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_coach_route_is_404(
    app, client, auth, world, make_user, scenario, endpoint, rule, method, htmx
):
    """Every coach route naming a session or candidate answers 404 (page and htmx
    fragment alike) when the coach may not see it, and a refused write changes nothing."""
    give_review(app, world.coach_id, world.session_id)  # by the once-linked coach
    SCENARIOS[scenario](app, auth, world, make_user)
    [found] = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule]
    path = url(found, session_id=world.session_id, candidate_id=world.candidate_id, number=1)
    headers = {"HX-Request": "true"} if htmx else {}
    data = {"strengths": "written by a stranger", "publish": "1"}
    response = client.open(path, method=method, headers=headers, data=data)
    assert response.status_code == 404
    with app.app_context():
        review = db.session.query(Review).one()
        assert review.strengths_md == "Good." and review.published_revision == 1


@pytest.mark.csrf
def test_with_csrf_on_a_valid_token_still_gets_404(app, client, auth, world, make_user):
    """With CSRF checks on (as in production), a well-formed POST is refused for who asks."""
    from tests.coach.test_linking import login_with_csrf
    from tests.conftest import csrf_token

    give_review(app, world.coach_id, world.session_id)
    login_with_csrf(app, client, make_user("coach"))
    token = csrf_token(client, "/coach/")
    for rule, method in coach_rules(app, "session_id", "candidate_id"):
        if method != "POST":
            continue
        path = url(rule, session_id=world.session_id, candidate_id=world.candidate_id, number=1)
        response = client.post(path, data={"csrf_token": token, "strengths": "x"})
        assert response.status_code == 404, path


def test_unshared_session_hides_from_the_candidate_page(app, client, auth, world):
    give_review(app, world.coach_id, world.session_id)
    _unshared(app, auth, world, None)
    html = client.get(f"/coach/candidates/{world.candidate_id}").get_data(as_text=True)
    assert f"/coach/sessions/{world.session_id}" not in html


def test_in_progress_session_is_404(app, client, as_coach):
    with app.app_context():
        running = builders.session(as_coach.candidate_id, status="in_progress").id
    assert client.get(f"/coach/sessions/{running}").status_code == 404
    assert client.get(f"/coach/sessions/{running}/log.json").status_code == 404


def test_deactivated_candidate_is_hidden(app, client, as_coach):
    with app.app_context():
        db.session.get(User, as_coach.candidate_id).active = False
        db.session.commit()
    assert client.get(f"/coach/sessions/{as_coach.session_id}").status_code == 404
    assert client.get(f"/coach/candidates/{as_coach.candidate_id}").status_code == 404


def test_missing_ids_are_404(client, as_coach):
    assert client.get("/coach/sessions/999999").status_code == 404
    assert client.get("/coach/candidates/999999").status_code == 404
    sid = as_coach.session_id
    assert client.get(f"/coach/sessions/{sid}/review/revisions/1").status_code == 404


@pytest.mark.parametrize("role", ["candidate", "admin"])
def test_other_roles_get_403_on_every_coach_route(app, client, login_as, world, role):
    login_as(role)
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("coach."):
            continue
        path = url(rule, session_id=world.session_id, candidate_id=world.candidate_id, number=1)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert client.open(path, method=method).status_code == 403, (method, path)


# What the candidate's own pages would post: valid for the answer, warning and scoring forms,
# so a refusal is about who asks, not about the shape of the request.
CANDIDATE_PAYLOAD = {
    "revision": "3",
    "seq": "1",
    "answer_text": "written by the coach",
    "action": "save",
    "seconds_left": "300",
    "threshold": "300",
    "reflection": "written by the coach",
}


def test_coach_cannot_write_to_practice_or_feedback_of_a_linked_candidate(app, client, as_coach):
    """Coaches read; they never change a candidate's answers or self-scores (every write
    route of practice and feedback that names a session)."""
    with app.app_context():
        running = builders.session(as_coach.candidate_id, status="in_progress").id
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ("practice", "learning"):
            continue
        if "session_id" not in rule.arguments:
            continue
        for session_id in (as_coach.session_id, running):
            values = {a: session_id if a == "session_id" else 0 for a in rule.arguments}
            path = rule.build(values, append_unknown=False)[1]
            for method in rule.methods - {"HEAD", "OPTIONS", "GET"}:
                response = client.open(path, method=method, data=CANDIDATE_PAYLOAD)
                assert response.status_code == 404, (method, path, response.status_code)
                checked.append(rule.endpoint)
    assert {"practice.autosave", "practice.submit", "learning.score"} <= set(checked)
    with app.app_context():
        from app.models.practice import PracticeSession

        for sid in (as_coach.session_id, running):
            session = db.session.get(PracticeSession, sid)
            assert all("coach" not in item.answer_text for item in session.items)
            assert session.status == ("submitted" if sid == as_coach.session_id else "in_progress")


def test_coach_cannot_edit_the_bank(app, client, as_coach):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in ("admin", "bank", "bank_editor"):
            continue
        values = {a: 1 for a in rule.arguments}
        path = rule.build(values, append_unknown=False)[1]
        for method in rule.methods - {"HEAD", "OPTIONS", "GET"}:
            assert client.open(path, method=method).status_code in (403, 404), (method, path)


def test_candidate_cannot_share_someone_elses_session(app, client, world, login_as):
    login_as("candidate")
    response = client.post(f"/coaching/sessions/{world.session_id}/share", data={"shared": "1"})
    assert response.status_code == 404


def test_candidate_cannot_open_someone_elses_notification(app, client, world, login_as):
    from app.coach import services

    with app.app_context():
        note = services.notify(world.candidate_id, "new_review", "hi", "/coaching/", now=utcnow())
        db.session.commit()
        note_id = note.id
    login_as("candidate")
    assert client.post(f"/coaching/notifications/{note_id}/open").status_code == 404
