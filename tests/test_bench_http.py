"""What `python -m bench.http_load` replays is what a browser would send (issue 14).

wrk sends one set of headers for a whole run, where a browser stores each cookie it is
given. The headers `bench.http_load.sign_in` returns must therefore be the ones a browser
holds once it is signed in and home, or every request pays work no browser's does (a
cookie re-signed on every response). Served for real, from a thread, with CSRF on.
"""

from http.client import HTTPConnection

import pytest

from bench.http_load import sign_in, submit_sign_in
from tests.browser.conftest import LiveServer
from tests.factories import PASSWORD

pytestmark = [pytest.mark.real_commits, pytest.mark.csrf]


@pytest.fixture
def port(app):
    server = LiveServer(app).start()
    yield server.server.server_port
    server.stop()


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
    client, _home = submit_sign_in(
        HTTPConnection("127.0.0.1", port, timeout=10), port, "old@example.com", PASSWORD, "10.9.0.1"
    )
    for _ in range(2):
        assert get(port, "/dashboard", client).getheader("Set-Cookie") is not None
