"""No input gives a 500: the whole url_map walked with hostile values, for every role.

Every rule is requested with out-of-range and negative ids, huge, unicode, NUL and
lone-surrogate path parts; every GET gets a hostile query string; every POST gets a form
with every field name the app knows set to hostile values, a JSON body and a text body.
Real ids (a candidate's running round) are used too, so the forms are actually read.
The walk covers routes added later without anyone listing them.
"""

from __future__ import annotations

import pytest

from app.converters import DB_INT_MAX
from app.extensions import db
from app.models.practice import PracticeSession
from tests import factories
from tests.conftest import PASSWORD
from tests.test_access import SKIPPED_METHODS

ROLES = ["anonymous", "candidate", "coach", "admin"]
# These would end the walk's own sign-in (or the admin's) halfway through.
ENDS_THE_WALK = {
    "accounts.logout",
    "accounts.sign_out_everywhere",
    "accounts.sign_out_device",
    "admin.deactivate",
    "admin.change_role",
    "accounts.change_password",
}

SURROGATE = "%ED%A0%80"  # the UTF-8-style bytes of a lone surrogate (U+D800)
INT_VALUES = [str(DB_INT_MAX + 1), str(10**20), "-1", "9" * 5000]
STRING_VALUES = ["a" * 5000, "ünï€😀", "%00", SURROGATE]
HOSTILE_TEXT = [
    str(10**20),
    str(-(2**63)),
    str(DB_INT_MAX + 1),
    "1e400",
    "\x00",
    "ünï€😀\u202e",
    "x" * 5_000 + "<script>alert(1)</script>",
]
HOSTILE_QUERY = (
    "page=99999999999999999999&revision=99999999999999&version=-5&q=%00&stage=%ED%A0%80"
    "&skill=" + "s" * 3000 + "&status=%00&sort=%FF&action=%00&next=//evil.example&v=%00"
    "&per_page=99999999999999"
)


def hostile_paths(rule, real: dict[str, str]):
    """The rule with each path part set to real values, then to each hostile value."""
    names = list(rule._converters)
    variants = [dict(real)]
    for i in range(len(INT_VALUES)):
        values = {}
        for name, conv in rule._converters.items():
            pool = INT_VALUES if type(conv).__name__ == "BoundedInt" else STRING_VALUES
            values[name] = pool[i]
        variants.append(values)
    for values in variants:
        path = rule.rule
        for name in names:
            conv = rule._converters[name]
            path = _replace_part(path, name, conv, values.get(name, "1"))
        yield path, values is variants[0]


def _replace_part(path: str, name: str, conv, value: str) -> str:
    for spec in (f"<int:{name}>", f"<{name}>", f"<path:{name}>", f"<string:{name}>"):
        if spec in path:
            return path.replace(spec, value)
    raise AssertionError(f"unknown converter spec for {name} in {path} ({conv})")


def form_fields(app) -> list[str]:
    return sorted(app.extensions["mockloop.form_fields"])


def hostile_forms(app):
    names = form_fields(app)
    for value in HOSTILE_TEXT:
        yield {name: value for name in names}


def sign_in(app, role: str):
    client = app.test_client()
    if role == "anonymous":
        return client
    email = f"hostile-{role}@example.com"
    with app.app_context():
        factories.user(role=role, email=email)
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def running_round(app, client) -> int:
    """Start a round for the signed-in candidate on `client`; its session id."""
    with app.app_context():
        fmt = factories.round_format("system_design", minutes=60, count=1)
        factories.question("system_design")
        format_id = fmt.id
    response = client.post("/practice/rounds", data={"format_id": format_id})
    assert response.status_code == 302, response.status_code
    with app.app_context():
        return db.session.scalar(db.select(PracticeSession.id))


def walk_hostile(app, client, real: dict[str, str]):
    """Every request of the hostile walk on `client`: (method, path, what, status)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.endpoint in ENDS_THE_WALK:
            continue
        methods = sorted(rule.methods - SKIPPED_METHODS)
        for path, is_real in hostile_paths(rule, real):
            for method in methods:
                if method == "GET":
                    response = client.get(path, query_string=HOSTILE_QUERY)
                    response.get_data()  # read a streamed download (export.zip) to its end
                    response.close()  # and let go of its request context
                    yield method, path, "query", response.status_code
                    continue
                bodies = [("form", {"data": form}) for form in hostile_forms(app)]
                bodies += [
                    ("json", {"json": {"revision": 10**20, "answer_text": "x"}}),
                    ("text", {"data": "revision=1", "content_type": "text/plain"}),
                ]
                for what, kwargs in bodies if is_real else bodies[-2:]:
                    response = client.open(path, method=method, **kwargs)
                    response.get_data()
                    response.close()
                    yield method, path, what, response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_input_gives_a_server_error(app, role):
    client = sign_in(app, role)
    real = {"key": "x", "code": "x", "fmt": "md"}
    if role == "candidate":
        session_id = running_round(app, client)
        real.update(session_id=str(session_id), position="0")
    failures = []
    count = 0
    for method, path, what, status in walk_hostile(app, client, real):
        count += 1
        if status >= 500:
            failures.append((method, path[:120], what, status))
    print(f"{role}: {count} hostile requests")
    for failure in failures:
        print("FAIL", failure)
    assert count > 500
    assert failures == []


@pytest.mark.parametrize("value", [DB_INT_MAX + 1, 10**20])
def test_an_id_no_database_can_hold_is_404_before_any_query(app, login_as, client, value):
    login_as("admin")
    for path in (
        f"/practice/sessions/{value}",
        f"/admin/bank/questions/{value}",
        f"/coach/sessions/{value}",
        f"/admin/users/{value}/reactivate",
    ):
        method = "POST" if path.endswith("reactivate") else "GET"
        response = client.open(path, method=method)
        assert response.status_code == 404, (path, response.status_code)


def test_the_largest_storable_id_still_reaches_the_view(app, login_as, client):
    login_as("admin")
    assert client.get(f"/admin/bank/questions/{DB_INT_MAX}").status_code == 404
    _, values = app.url_map.bind("localhost").match(f"/admin/bank/questions/{DB_INT_MAX}")
    assert values == {"question_id": DB_INT_MAX}


@pytest.mark.parametrize("field", ["seq", "revision"])
def test_autosave_numbers_past_the_database_range_are_422(app, field):
    client = sign_in(app, "candidate")
    session_id = running_round(app, client)
    data = {"revision": 0, "seq": 1, "answer_text": "draft"}
    data[field] = DB_INT_MAX + 1
    response = client.post(f"/practice/sessions/{session_id}/questions/0/autosave", data=data)
    assert response.status_code == 422, response.status_code


def test_a_json_body_to_a_form_endpoint_is_refused_with_a_clear_message(app):
    client = sign_in(app, "candidate")
    session_id = running_round(app, client)
    response = client.post(
        f"/practice/sessions/{session_id}/questions/0/autosave",
        json={"revision": 0, "answer_text": "draft"},
    )
    assert response.status_code == 400
    assert "application/json" in response.get_data(as_text=True)
    assert "Nothing was saved" in response.get_data(as_text=True)


def test_an_empty_post_is_still_a_form(app, login_as, client):
    login_as("candidate")
    response = client.post("/coaching/notifications/read")
    assert response.status_code in (200, 302, 303)


def test_query_numbers_out_of_range_fall_back_to_the_default(app):
    with app.test_request_context(f"/?revision={10**20}&page=3&n=-{DB_INT_MAX + 2}"):
        from flask import request

        assert request.args.get("revision", type=int) is None
        assert request.args.get("page", 1, type=int) == 3
        assert request.args.get("n", 7, type=int) == 7


def test_a_nul_in_a_form_is_refused_with_a_message_and_saves_nothing(app):
    client = sign_in(app, "candidate")
    session_id = running_round(app, client)
    url = f"/practice/sessions/{session_id}/questions/0/autosave"
    response = client.post(url, data={"revision": 0, "answer_text": "before\x00after"})
    assert response.status_code == 422
    assert "NUL character" in response.get_data(as_text=True)
    with app.app_context():
        from app.models.practice import SessionQuestion

        item = db.session.scalar(db.select(SessionQuestion))
        assert not item.answer_text and item.revision == 0
    # a query pair holding a NUL is ignored, like any junk filter value
    assert client.get("/practice/history?page=%00&q=a%00b").status_code == 200
    with app.test_request_context("/?stage=%00&page=2&a%00=1"):
        from flask import request

        assert dict(request.args) == {"page": "2"}
    assert client.get("/questions/a%00b").status_code == 404


def test_a_view_marked_accepts_json_takes_a_json_body(database_url, _schema):
    """For JSON endpoints (a code run's results): only those marked, only JSON."""
    from app.access import public
    from app.converters import accepts_json
    from tests.conftest import make_app

    app = make_app(database_url, WTF_CSRF_ENABLED=False)  # its own app: a route is added

    @public
    @accepts_json
    def echo():
        from flask import request

        return {"got": request.get_json()}

    app.add_url_rule("/_test/json-echo", "json_echo", echo, methods=["POST"])
    client = app.test_client()
    assert client.post("/_test/json-echo", json={"a": 1}).get_json() == {"got": {"a": 1}}
    refused = client.post("/_test/json-echo", data="<a/>", content_type="application/xml")
    assert refused.status_code == 400
