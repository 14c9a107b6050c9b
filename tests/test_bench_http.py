"""What `python -m bench.http_load` replays is what a browser would send (issue 14).

wrk sends one set of headers for a whole run, where a browser stores each cookie it is
given. The headers `bench.http_load.sign_in` returns must therefore be the ones a browser
holds once it is signed in and home, or every request pays work no browser's does (a
cookie re-signed on every response). Served for real, from a thread, with CSRF on.
"""

import re
import threading
import urllib.parse
from http.client import HTTPConnection

import pytest
from werkzeug.serving import make_server

from bench.http_load import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.real_commits, pytest.mark.csrf]


@pytest.fixture
def port(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(5)


def get(port: int, path: str, headers: dict):
    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return response


def test_the_bench_replays_headers_the_app_has_nothing_more_to_set_on(port, make_user):
    make_user(email="bench@example.com")
    client = sign_in(port, "bench@example.com", PASSWORD)
    for path in ("/dashboard", "/practice/", "/questions/"):
        for _ in range(2):  # as wrk sends them: the same headers again and again
            response = get(port, path, client)
            assert response.status == 200, path
            assert response.getheader("Set-Cookie") is None, path


def test_the_sign_ins_own_cookie_would_be_re_signed_on_every_page(port, make_user):
    """What the bench replayed before: the cookie of the sign-in's redirect (no CSRF token
    in the session yet), which every page answered with a new cookie."""
    make_user(email="old@example.com")
    page = get(port, "/login", {})
    token = page.getheader("Set-Cookie").split(";", 1)[0]
    conn = HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login", headers={"Cookie": token})
    login = conn.getresponse()
    body = login.read().decode()
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {"csrf_token": csrf, "email": "old@example.com", "password": PASSWORD}
    )
    conn.request(
        "POST",
        "/login",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": token,
            "Referer": f"http://127.0.0.1:{port}/login",
        },
    )
    signed_in = conn.getresponse()
    signed_in.read()
    assert signed_in.status == 302
    cookie = {"Cookie": signed_in.getheader("Set-Cookie").split(";", 1)[0]}
    for _ in range(2):
        assert get(port, "/dashboard", cookie).getheader("Set-Cookie") is not None
