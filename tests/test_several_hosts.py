"""Two mockloop hosts behind a real nginx, sharing one PostgreSQL and one Redis.

The hosts are two gunicorn processes started from `deploy/gunicorn.conf.py` (2 workers
each), nginx runs the shipped `deploy/nginx/mockloop.conf` with only its addresses,
certificates and paths changed for this machine. Through nginx a candidate signs up,
starts a round, autosaves twenty times while the requests alternate between the hosts
(read back from each host's JSON request log), and submits; failed sign-ins are limited
across both hosts; a host whose database is unreachable answers 503 on /healthz; and the
sweep run on both hosts at once finalises each overdue round exactly once.

Needs PostgreSQL (TEST_DATABASE_URL), Redis (TEST_REDIS_URL) and nginx; CI has all three.
"""

from __future__ import annotations

import http.client
import json
import re
import secrets
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.config import ROOT
from tests.conftest import require_or_skip
from tests.hosts import (
    Browser,
    Host,
    free_port,
    own_database,
    production_env,
    run_flask,
    run_redis,
    sign_up,
    wait_for,
)

pytestmark = [pytest.mark.postgres_only, pytest.mark.redis, pytest.mark.several_hosts]

PASSWORD = "a long passphrase for two hosts"
ACCOUNT_LIMIT = 5


def nginx_config(tmp: Path, port: int, upstreams: list[int]) -> Path:
    """The shipped config with this machine's ports and paths, wrapped in a main config."""
    shipped = (ROOT / "deploy" / "nginx" / "mockloop.conf").read_text()
    servers = "\n".join(
        f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in upstreams
    )
    config, count = re.subn(r"(?m)^    server 10\.0\.0\.\d+:8000[^\n]*\n", "", shipped)
    assert count == 2, "the shipped upstream lists two example hosts"
    config = config.replace(
        "upstream mockloop_app {\n", "upstream mockloop_app {\n" + servers + "\n"
    )
    # no TLS here: drop the redirect server and listen on a loopback port
    config = re.sub(r"server \{\n    listen 80;.*?\n\}\n", "", config, count=1, flags=re.S)
    config = config.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
    config = re.sub(r"(?m)^    ssl_[^\n]*\n", "", config)
    config = config.replace("/srv/mockloop/static/", f"{ROOT / 'static'}/")
    main = f"""
user root;
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{config}
}}
"""
    path = tmp / "nginx.conf"
    path.write_text(main)
    return path


@pytest.fixture(scope="module")
def env():
    """Both hosts' environment: a database of their own, the run's Redis, the bank loaded."""
    with own_database("hosts") as database, run_redis():
        environ = production_env(
            database,
            MOCKLOOP_LOGIN_LIMIT_PER_ACCOUNT=f"{ACCOUNT_LIMIT} per minute",
            MOCKLOOP_WORKERS="2",
            MOCKLOOP_THREADS="4",
            MOCKLOOP_DB_POOL_SIZE="3",
        )
        imported = run_flask(environ, "bank", "import", "--if-empty")
        assert imported.returncode == 0, imported.stdout + imported.stderr
        yield environ


@pytest.fixture(scope="module")
def cluster(env, tmp_path_factory):
    if not shutil.which("nginx"):
        require_or_skip("nginx is not installed (apt-get install nginx)")
    tmp = tmp_path_factory.mktemp("hosts")
    ports = [free_port(), free_port()]
    hosts = [Host(env, port, tmp / f"host-{n}.log") for n, port in enumerate(ports)]
    nginx_port = free_port()
    nginx = subprocess.Popen(
        ["nginx", "-c", str(nginx_config(tmp, nginx_port, ports))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for port in ports:
            wait_for(port)
        wait_for(nginx_port)
        yield {"ports": ports, "hosts": hosts, "nginx": nginx_port, "env": env, "logs": {}}
    finally:
        nginx.terminate()
        nginx.wait(timeout=15)
        for host in hosts:  # the test stops them to read their logs; stop any left
            host.stop()


def request_lines(output: str) -> list[dict]:
    lines = []
    for line in output.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "mockloop.request":
                lines.append(entry)
    return lines


def start_a_round(browser: Browser) -> tuple[int, str]:
    """Start a round of the first format listed; its session id and page path."""
    _, practice = browser.request("GET", "/practice/")
    format_id = re.search(r'name="format_id" value="(\d+)"', practice).group(1)
    response, page = browser.post("/practice/rounds", {"format_id": format_id}, "/practice/")
    assert response.status == 302, page[:300]
    path = urllib.parse.urlsplit(response.getheader("Location")).path
    return int(re.search(r"/sessions/(\d+)", path).group(1)), path


def test_one_cohort_through_nginx_on_two_hosts(cluster):
    browser = Browser(cluster["nginx"])
    sign_up(browser, f"two-hosts-{secrets.token_hex(4)}@example.com", "Candidate", PASSWORD)
    session_id, round_path = start_a_round(browser)

    token = browser.token(round_path)
    revision = 0
    request_ids = []
    for n in range(20):
        response, body = browser.request(
            "POST",
            f"/practice/sessions/{session_id}/questions/1/autosave",
            {
                "csrf_token": token,
                "revision": revision,
                "seq": n + 1,
                "client_id": "two-hosts",
                "answer_text": f"draft {n}: batching, KV cache and a p99 budget",
            },
            headers={"HX-Request": "true"},
        )
        assert response.status == 200, body[:300]
        payload = json.loads(body)
        assert payload["ok"] and payload["revision"] == revision + 1
        revision = payload["revision"]
        request_ids.append(response.getheader("X-Request-ID"))

    response, page = browser.post(
        f"/practice/sessions/{session_id}/submit", {}, f"/practice/sessions/{session_id}/submit"
    )
    assert response.status == 302, page[:300]
    response, scoring = browser.request(
        "GET", urllib.parse.urlsplit(response.getheader("Location")).path
    )
    assert response.status == 200 and "draft 19" in scoring

    # which host served each autosave: from each host's own JSON request log
    outputs = [host.stop() for host in cluster["hosts"]]
    per_host = [
        [line for line in request_lines(out) if line["path"].endswith("/autosave")]
        for out in outputs
    ]
    assert [len(lines) for lines in per_host] == [10, 10], "round robin: ten saves each"
    logged_ids = {line["request_id"] for lines in per_host for line in lines}
    assert logged_ids == set(request_ids), "nginx's X-Request-ID is the id the hosts logged"
    for lines in per_host:
        assert all(line["status"] == 200 and line["client"] == "127.0.0.1" for line in lines)
        assert all("duration_ms" in line and line["user_id"] for line in lines)
    # no errors on either host
    assert not [line for out in outputs for line in request_lines(out) if line["status"] >= 500]


def test_failed_sign_ins_are_limited_across_both_hosts(env, tmp_path):
    ports = [free_port(), free_port()]
    hosts = [Host(env, port, tmp_path / f"host-{n}.log") for n, port in enumerate(ports)]
    try:
        for port in ports:
            wait_for(port)
        statuses = []
        email = f"limited-{secrets.token_hex(4)}@example.com"
        for attempt in range(ACCOUNT_LIMIT + 4):
            browser = Browser(ports[attempt % 2])  # alternate hosts (and their workers)
            response, _ = browser.post(
                "/login", {"email": email, "password": "wrong password!!"}, "/login"
            )
            statuses.append(response.status)
        assert statuses.count(401) == ACCOUNT_LIMIT, statuses
        assert statuses[ACCOUNT_LIMIT:] == [429] * 4, statuses
    finally:
        for host in hosts:
            host.stop()


def test_a_host_without_its_database_answers_503(env, tmp_path):
    port = free_port()
    broken = {**env, "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere"}
    host = Host(broken, port, tmp_path / "host.log")
    try:
        wait_for(port)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        body = json.loads(response.read())
        connection.close()
        assert response.status == 503
        assert body["status"] == "unavailable" and body["database"].startswith("error")
        assert body["redis"] == "ok"
        assert response.getheader("Set-Cookie") is None
    finally:
        host.stop()


def test_sweep_on_both_hosts_at_once_finalises_each_round_once(env, tmp_path):
    engine = create_engine(env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
    port = free_port()
    host = Host(env, port, tmp_path / "host.log")
    try:
        wait_for(port)
        ids = []
        for n in range(6):
            browser = Browser(port)
            sign_up(browser, f"sweep{n}-{secrets.token_hex(3)}@example.com", "Candidate", PASSWORD)
            ids.append(start_a_round(browser)[0])
        with engine.begin() as conn:  # every one of them ran out a day ago
            conn.execute(
                text(
                    "UPDATE practice_sessions SET started_at = now() - interval '2 days', "
                    "deadline_at = now() - interval '1 day' WHERE id = ANY(:ids)"
                ),
                {"ids": ids},
            )
        sweeps = [
            subprocess.Popen(
                [sys.executable, "-m", "flask", "sessions", "sweep"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [process.communicate(timeout=120) for process in sweeps]
        assert all(process.returncode == 0 for process in sweeps), outputs
        finalised = [int(re.search(r"finalised (\d+)", out).group(1)) for out, _ in outputs]
        assert sum(finalised) == len(ids), outputs
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT s.id, s.finished_at IS NOT NULL, "
                    "(SELECT count(*) FROM session_events e WHERE e.session_id = s.id "
                    " AND e.kind = s.status) FROM practice_sessions s WHERE s.id = ANY(:ids)"
                ),
                {"ids": ids},
            ).all()
        assert len(rows) == len(ids)
        assert all(finished and events == 1 for _, finished, events in rows), rows
    finally:
        host.stop()
        engine.dispose()
