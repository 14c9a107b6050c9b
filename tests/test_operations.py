"""What an operator relies on: /healthz, the request log and its id, forwarded headers
believed only from trusted proxies, versioned static URLs, one-line CLI and start errors."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

from app.config import ROOT
from app.logs import JsonFormatter, RequestIdFilter
from app.proxies import client_address, parse_networks
from tests.conftest import make_app

NGINX = parse_networks(["127.0.0.1", "10.0.0.0/24"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not a proxy: header ignored
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own entry
        ("127.0.0.1", "198.51.100.1, 10.0.0.7", "198.51.100.1"),  # two trusted hops
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", None, "127.0.0.1"),
        ("10.0.0.3", "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_the_client_address_comes_from_trusted_proxies_only(peer, forwarded, expected):
    assert client_address(peer, forwarded, NGINX) == expected


def test_healthz_answers_without_a_session_or_a_limit(app, client):
    for _ in range(30):
        response = client.get("/healthz")
        assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_says_what_failed(database_url, _schema):
    app = make_app(database_url, REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["database"] == "ok"
    assert body["redis"].startswith("error")


def test_every_response_carries_a_request_id(client):
    first = client.get("/login").headers["X-Request-ID"]
    second = client.get("/login").headers["X-Request-ID"]
    assert first != second and len(first) == 32


def test_a_trusted_proxys_request_id_is_kept_and_an_untrusted_one_is_not(client):
    from_nginx = client.get(
        "/login",
        headers={"X-Request-ID": "nginx-abc123"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert from_nginx.headers["X-Request-ID"] == "nginx-abc123"
    from_outside = client.get(
        "/login",
        headers={"X-Request-ID": "chosen-by-me"},
        environ_base={"REMOTE_ADDR": "203.0.113.5"},
    )
    assert from_outside.headers["X-Request-ID"] != "chosen-by-me"
    garbage = client.get(
        "/login", headers={"X-Request-ID": "a b<c>" * 30}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert len(garbage.headers["X-Request-ID"]) == 32, "an unsafe id is replaced"


def test_one_json_line_per_request(database_url, _schema, caplog):
    app = make_app(database_url, LOG_REQUESTS=True)
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="mockloop.request"):
        response = client.get("/login?next=/secret", environ_base={"REMOTE_ADDR": "192.0.2.4"})
    (record,) = [r for r in caplog.records if r.name == "mockloop.request"]
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["method"] == "GET" and line["path"] == "/login" and line["status"] == 200
    assert line["client"] == "192.0.2.4" and line["user_id"] is None
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert isinstance(line["duration_ms"], float) and "time" in line
    assert "secret" not in json.dumps(line), "no query string in the log"


def test_an_error_is_logged_once_with_its_request_id_and_shown_on_the_500_page(
    database_url, _schema, caplog
):
    app = make_app(database_url)

    @app.get("/boom-for-the-test")
    def boom():
        raise RuntimeError("kaboom")

    from app.access import public

    public(boom)
    caplog.handler.addFilter(RequestIdFilter())  # as the stdout handler has it
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/boom-for-the-test")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert request_id in response.get_data(as_text=True)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info
    assert errors[0].request_id == request_id


def test_static_urls_are_versioned_and_cached_for_a_year(app, client):
    with app.test_request_context():
        from flask import url_for

        url = url_for("static", filename="css/app.css")
    assert "?v=" in url
    with client.get(url) as response:
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "immutable" in response.headers["Cache-Control"]
    with client.get("/static/css/app.css") as unversioned:
        assert "max-age=31536000" not in unversioned.headers.get("Cache-Control", "")


def test_templates_url_for_gives_what_flask_builds_under_any_script_root(app):
    """The templates' url_for keeps the URLs it was asked for with plain values (none,
    a static file, ids, query arguments) per script root, each equal to Flask's own
    url_for; other calls are built every time."""
    from flask import url_for as flask_url_for

    templates_url_for = app.jinja_env.globals["url_for"]
    fixed = [rule.endpoint for rule in app.url_map.iter_rules() if not rule.arguments]
    assert len(fixed) > 20
    for script_root in ("", "/mockloop"):
        for _ in range(2):  # built, then remembered
            with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
                for endpoint in fixed:
                    assert templates_url_for(endpoint) == flask_url_for(endpoint)
                    assert templates_url_for(endpoint).startswith(script_root + "/")
                for name in ("css/app.css", "js/core.js", "no-such-file.js"):
                    url = templates_url_for("static", filename=name)
                    assert url == flask_url_for("static", filename=name)
                assert templates_url_for("practice.round_page", session_id=7) == flask_url_for(
                    "practice.round_page", session_id=7
                )
                assert (
                    templates_url_for("bank.index", stage="x")
                    == f"{script_root}/questions/?stage=x"
                )
                for values in (
                    {"session_id": 7, "q": 2},
                    {"session_id": 8, "q": "2 & 3"},
                    {"session_id": 7, "position": 0},
                ):
                    endpoint = "practice.round_page" if "q" in values else "practice.autosave"
                    url = templates_url_for(endpoint, **values)
                    assert url == flask_url_for(endpoint, **values)
                    assert url.startswith(f"{script_root}/practice/sessions/{values['session_id']}")
                # not plain values: built every time, as Flask builds them
                for values in ({"_external": True}, {"_anchor": "a"}, {"q": True}):
                    url = templates_url_for("practice.round_page", session_id=7, **values)
                    assert url == flask_url_for("practice.round_page", session_id=7, **values)
                assert templates_url_for("bank.index", stage=None) == f"{script_root}/questions/"


def test_templates_url_for_keeps_a_bounded_table_of_urls_with_values(app, monkeypatch):
    """Ids make URLs without end: the table of URLs is emptied when full, and what it then
    builds is still Flask's URL."""
    from flask import url_for as flask_url_for

    from app import assets

    monkeypatch.setattr(assets, "URLS_MAX", 5)
    templates_url_for = assets.fixed_urls_cached(app)
    with app.test_request_context("/"):
        for session_id in range(1, 40):
            url = templates_url_for("practice.status", session_id=session_id)
            assert url == flask_url_for("practice.status", session_id=session_id)
        assert 0 < len(templates_url_for.cache) <= 5
        templates_url_for.cache.clear()
        typed = "a long search, typed in " * 10  # reflected into a link: built, not kept
        url = templates_url_for("bank.index", stage=typed)
        assert url == flask_url_for("bank.index", stage=typed)
        assert templates_url_for.cache == {}


def _flask(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOCKLOOP_", "DATABASE"))}
    env.pop("REDIS_URL", None)
    env.update(FLASK_APP="wsgi", **env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_flask_commands_refuse_an_unusable_production_config_in_one_line():
    result = _flask({"MOCKLOOP_ENV": "production", "SECRET_KEY": "k"}, "sessions", "sweep")
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0] and "REDIS_URL" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_command_on_an_empty_database_says_run_flask_db_upgrade(tmp_path):
    env = {
        "MOCKLOOP_ENV": "production",
        "MOCKLOOP_ALLOW_SINGLE_HOST": "1",
        "SECRET_KEY": "k",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
    }
    result = _flask(env, "sessions", "sweep")
    assert result.returncode == 1
    assert "flask db upgrade" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") <= 2  # the single-host warning line, then the error


def test_gunicorn_master_stops_with_one_line_when_the_config_is_refused():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOCKLOOP_", "DATABASE"))}
    env.pop("REDIS_URL", None)
    env.update(MOCKLOOP_ENV="production", SECRET_KEY="k", MOCKLOOP_BIND="127.0.0.1:0")
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 4
    refusal = [line for line in result.stderr.splitlines() if line.startswith("mockloop:")]
    assert len(refusal) == 1 and "REDIS_URL" in refusal[0]
    assert "Traceback" not in result.stderr
