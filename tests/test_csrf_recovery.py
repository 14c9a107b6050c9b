"""A form refused for a stale CSRF token gives back what was typed, to copy; never resends it."""

from __future__ import annotations

import html
import re

import pytest
from werkzeug.datastructures import MultiDict

from app.errors import CSRF_MESSAGE, CSRF_TYPED_MESSAGE
from app.typed import FieldInfo, humanise, known_fields, typed_fields
from tests.conftest import PASSWORD, csrf_token

STALE = "stale-token-from-a-page-before-the-new-sign-in"


def typed_areas(page: str) -> dict[str, str]:
    """The read-only textareas of the stale-token page: id -> unescaped text."""
    areas = re.findall(
        r'<textarea id="(typed-\d+)" readonly rows="\d+">(.*?)</textarea>', page, re.S
    )
    return {name: html.unescape(text) for name, text in areas}


def test_known_fields_come_from_the_apps_forms(app):
    fields = known_fields()
    assert fields["password"].secret and fields["new_password"].secret
    assert fields["confirm"].secret  # "Repeat password": a PasswordField by another name
    assert fields["next"].hidden
    assert fields["answer_text"].label == "Your answer"
    assert fields["revision"].label is None


def test_typed_fields_skip_token_passwords_hidden_and_bookkeeping():
    fields = {
        "confirm": FieldInfo(label="Repeat password", secret=True, hidden=False),
        "next": FieldInfo(label=None, secret=False, hidden=True),
        "revision": FieldInfo(label=None, secret=False, hidden=False),
        "answer_text": FieldInfo(label="Your answer", secret=False, hidden=False),
    }
    form = MultiDict(
        [
            ("csrf_token", "abc"),
            ("password", "hunter2hunter2"),
            ("api_secret", "s3cret"),
            ("confirm", "hunter2hunter2"),
            ("next", "/dashboard"),
            ("revision", "3"),
            ("answer_text", "My answer\nline two"),
            ("empty", "   "),
            ("tags", "ml"),
            ("tags", "ops"),
        ]
    )
    typed = typed_fields(form, fields)
    assert [(t.label, t.name, t.value) for t in typed] == [
        ("Your answer", "answer_text", "My answer\nline two"),
        ("Tags", "tags", "ml\nops"),  # a name no form knows: shown, humanised
    ]


def test_humanise():
    assert humanise("answer_text") == "Answer text"
    assert humanise("note-12") == "Note 12"


@pytest.mark.csrf
def test_stale_register_form_gives_back_what_was_typed_but_no_password(client):
    response = client.post(
        "/register",
        data={
            "csrf_token": STALE,
            "email": "ada@example.com",
            "display_name": "Ada <b>Lovelace</b>",
            "password": "correct horse battery",
            "confirm": "correct horse battery",
        },
        headers={"Referer": "http://localhost/register?from=home"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert CSRF_TYPED_MESSAGE in page
    assert response.headers["Cache-Control"] == "no-store"
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in page  # escaped, never markup
    assert sorted(typed_areas(page).values()) == ["Ada <b>Lovelace</b>", "ada@example.com"]
    assert "correct horse battery" not in page and STALE not in page
    assert ">Display name <span" in page and "(display_name)" in page
    assert 'href="/register?from=home">Back to the page</a>' in page
    section = page[page.index('<section class="error-page"') : page.index("</section>")]
    assert "<form" not in section and "<button" not in section  # nothing to resend with


@pytest.mark.csrf
def test_back_link_ignores_a_foreign_referer(client):
    response = client.post(
        "/register",
        data={"csrf_token": STALE, "display_name": "Ada"},
        headers={"Referer": "https://elsewhere.example/register"},
    )
    page = response.get_data(as_text=True)
    assert 'href="/register">Back to the page</a>' in page
    assert "elsewhere.example" not in page


def signed_in(app, make_user, email="pw@example.com"):
    make_user(email=email)
    client = app.test_client()
    client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    return client


@pytest.mark.csrf
def test_back_link_falls_back_to_home_when_the_form_url_has_no_page(app, make_user):
    client = signed_in(app, make_user)
    response = client.post(  # POST-only URL, no Referer: the start page
        "/settings/password", data={"csrf_token": STALE, "note": "typed here"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and CSRF_TYPED_MESSAGE in page
    assert list(typed_areas(page).values()) == ["typed here"]
    assert 'href="/">Back to the page</a>' in page


@pytest.mark.csrf
def test_a_form_of_only_passwords_gets_the_plain_message(app, make_user):
    client = signed_in(app, make_user)
    response = client.post(
        "/settings/password",
        data={
            "csrf_token": STALE,
            "current_password": PASSWORD,
            "new_password": "a new long passphrase",
            "confirm": "a new long passphrase",
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert CSRF_MESSAGE in page
    assert PASSWORD not in page and "a new long passphrase" not in page
    assert typed_areas(page) == {}


@pytest.mark.csrf
def test_htmx_requests_keep_the_short_fragment(app, make_user):
    client = signed_in(app, make_user)
    response = client.post(
        "/settings/sign-out-everywhere",
        data={"note": "typed"},
        headers={"X-CSRFToken": STALE, "HX-Request": "true"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert CSRF_MESSAGE in page and "<html" not in page
    assert typed_areas(page) == {}


@pytest.mark.csrf
def test_htmx_requests_get_a_fresh_token_that_works(app, make_user):
    """app.js retries an htmx request once with the token from X-CSRF-Token."""
    client = signed_in(app, make_user)
    response = client.post(
        "/settings/sign-out-everywhere", headers={"X-CSRFToken": STALE, "HX-Request": "true"}
    )
    assert response.status_code == 400
    fresh = response.headers["X-CSRF-Token"]
    assert fresh and fresh != STALE
    assert "no-store" in response.headers["Cache-Control"]
    retried = client.post(
        "/settings/sign-out-everywhere", headers={"X-CSRFToken": fresh, "HX-Request": "true"}
    )
    assert retried.status_code in (200, 302, 303), retried.status_code


@pytest.mark.csrf
@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true", "HX-Boosted": "true"}])
def test_whole_forms_are_never_resent_so_they_get_no_token(app, make_user, headers):
    """A plain or boosted form is a whole action and the new sign-in may be someone else's:
    it gets the page that gives back what was typed, and no token to resend it with."""
    client = signed_in(app, make_user)
    response = client.post(
        "/settings/sign-out-everywhere", data={"csrf_token": STALE}, headers=headers
    )
    assert response.status_code == 400
    assert "X-CSRF-Token" not in response.headers
