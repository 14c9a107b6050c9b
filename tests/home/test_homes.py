"""Each role's home: a coach's is the coach overview (/coach/), a candidate's (and an
admin's) the dashboard. Sign-in, the landing page, the header's links and /dashboard agree."""

from __future__ import annotations

import re

import pytest

from app.coach import services as coach_services
from tests.conftest import PASSWORD

HOMES = {"candidate": "/dashboard", "coach": "/coach/", "admin": "/dashboard"}


def sign_in(client, make_user, role: str, **data):
    make_user(role=role, email=f"{role}@example.com")
    return client.post(
        "/login", data={"email": f"{role}@example.com", "password": PASSWORD, **data}
    )


@pytest.mark.parametrize("role", sorted(HOMES))
def test_signing_in_lands_on_the_roles_home(client, make_user, role):
    response = sign_in(client, make_user, role)
    assert response.status_code == 302 and response.location == HOMES[role]
    assert client.get(response.location).status_code == 200


@pytest.mark.parametrize("role", sorted(HOMES))
def test_the_landing_page_sends_a_signed_in_user_home(client, make_user, role):
    sign_in(client, make_user, role)
    response = client.get("/")
    assert response.status_code == 302 and response.location == HOMES[role]


def test_a_coach_asking_for_the_dashboard_is_sent_to_the_coach_overview(client, make_user):
    sign_in(client, make_user, "coach")
    response = client.get("/dashboard")
    assert response.status_code == 302 and response.location == "/coach/"
    assert "<h1>Coaching</h1>" in client.get("/coach/").get_data(as_text=True)


def test_a_coach_with_a_hostile_next_still_lands_on_the_coach_overview(client, make_user):
    response = sign_in(client, make_user, "coach", next="//evil.com")
    assert response.location == "/coach/"


def test_a_coach_with_a_local_next_goes_there(client, make_user):
    response = sign_in(client, make_user, "coach", next="/settings")
    assert response.location == "/settings"


@pytest.mark.parametrize("role", sorted(HOMES))
def test_the_header_brand_and_first_link_are_the_roles_home(client, make_user, role):
    sign_in(client, make_user, role)
    html = client.get("/settings").get_data(as_text=True)
    brand = re.search(r'<a class="brand" href="([^"]+)"', html)
    assert brand and brand.group(1) == HOMES[role]
    first_link = re.search(r'<ul class="nav-links">\s*<li><a href="([^"]+)"', html)
    assert first_link and first_link.group(1) == HOMES[role]
    # a coach's nav has no separate candidate dashboard (it would only redirect back)
    assert ('href="/dashboard"' in html) == (role != "coach")


def test_signed_out_the_brand_goes_to_the_landing_page(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<a class="brand" href="/">' in html


@pytest.mark.parametrize("role", ["candidate", "coach"])
def test_not_now_on_an_invite_link_goes_home(app, client, make_user, role):
    inviter = make_user(role="coach", email="inviter@example.com")
    with app.app_context():
        code = coach_services.rotate_invite_code(inviter)
    sign_in(client, make_user, role)
    html = client.get(f"/coaching/join/{code}").get_data(as_text=True)
    assert f'<a href="{HOMES[role]}">Not now</a>' in html
