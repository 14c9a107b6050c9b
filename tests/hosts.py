"""Production hosts for the tests that serve mockloop for real (tests/test_several_hosts.py,
tests/test_limits_across_workers.py): gunicorn started from deploy/gunicorn.conf.py in
the production profile, on a PostgreSQL database of their own and the run's Redis, with
their email going to the run's SMTP server; and a small client that keeps cookies and
sends each form's CSRF token.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import create_engine, make_url, text

from app.config import ROOT
from tests.conftest import require_or_skip
from tests.mailbox import smtp_server

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, path: str = "/healthz", seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                connection.request("GET", path)
                connection.getresponse().read()
                return
            finally:
                connection.close()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered on port {port}")


class Browser:
    """Just enough of a browser: one cookie jar, forms with their CSRF token.

    Cookies are kept by hand: the production cookie is `Secure`, and this client talks
    plain HTTP to nginx on loopback (TLS is nginx's job in a real deployment).
    """

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode("utf-8", "replace")
        connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if "expires=thu, 01 jan 1970" in value.lower() or not cookie_value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = cookie_value
        return response, data

    def token(self, path: str) -> str:
        response, page = self.request("GET", path)
        assert response.status == 200, (path, response.status, page[:300])
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
        assert match, f"no csrf token on {path}"
        return match.group(1)

    def post(self, path: str, form: dict, token_from: str):
        return self.request("POST", path, {"csrf_token": self.token(token_from), **form})


def run_flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@contextlib.contextmanager
def own_database(suffix: str) -> Iterator[str]:
    """An empty PostgreSQL database of its own on the test server (`<test db>_<suffix>`),
    dropped afterwards."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        require_or_skip("TEST_DATABASE_URL (PostgreSQL) is not set")
    base = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{base.database}_{suffix}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextlib.contextmanager
def run_redis() -> Iterator[Redis]:
    """The run's Redis database (TEST_REDIS_URL), emptied before and after."""
    try:
        server = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        server.flushdb()
    except RedisError:
        require_or_skip(f"Redis is not reachable at {REDIS_URL}")
    try:
        yield server
    finally:
        server.flushdb()
        server.close()


def production_env(database_url: str, **settings: str) -> dict[str, str]:
    """A production host's environment on `database_url` and the run's Redis, trusting
    X-Forwarded-For from 127.0.0.1 (a local nginx), migrated to head."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOCKLOOP_", "DATABASE_URL"))
    }
    environ.update(
        FLASK_APP="wsgi",
        MOCKLOOP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        TRUSTED_PROXY_IPS="127.0.0.1",
        **mail_settings(),
        **settings,
    )
    upgrade = run_flask(environ, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    return environ


class Host:
    """One gunicorn host (deploy/gunicorn.conf.py) on a loopback port, logging to a file."""

    def __init__(self, env: dict, port: int, log: Path):
        self.port = port
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT,
                env={**env, "MOCKLOOP_BIND": f"127.0.0.1:{port}"},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> str:
        """Stop at once (SIGQUIT: no graceful wait on idle keep-alive connections)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.log.read_text()


def sign_up(browser: Browser, email: str, name: str, password: str) -> None:
    """Sign up through the form and the link it emails to the run's SMTP server (the
    hosts' MAIL_SERVER); `browser` ends signed in."""
    form = {"email": email, "display_name": name, "password": password, "confirm": password}
    response, page = browser.post("/register", form, token_from="/register")
    assert response.status == 200 and "Check your inbox" in page, page[:500]
    link = smtp_server().mailbox.wait_for(email, timeout=15).link("/register/finish/")
    path = urllib.parse.urlsplit(link).path
    response, page = browser.post(path, {}, token_from=path)
    assert response.status == 302, page[:500]


def mail_settings() -> dict[str, str]:
    """Environment that sends a host's email to the run's SMTP server."""
    server = smtp_server()
    return {"MAIL_SERVER": server.host, "MAIL_PORT": str(server.port)}
