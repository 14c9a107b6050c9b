"""`python -m bench.http_load`: mockloop over real HTTP (gunicorn + wrk) against a bare Flask app.

The in-process bench (`python -m bench`) measures the app's own cost; this one adds what
a deployment adds: gunicorn workers (`-w 2 -k gthread --threads 4`, the README's
production line), sockets, the production configuration (CSP and security headers,
signed cookies, SQLite in WAL mode). Both servers run one after the other on the same
machine, and wrk (`apt-get install wrk`) loads each with the same connections and
threads; every figure is printed as a ratio to the bare Flask "hello" served the same
way in the same run (measured before and after mockloop's pages; the mean is the
baseline). A signed-in candidate's cookie (obtained through the real sign-in form, CSRF
token included) is sent with every request to a signed-in page.

Options: `--seconds S` per page (default 5, whole seconds), `--connections N` (default 16).
Nothing is asserted; read the ratios.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from bench.__main__ import ROOT, finish_and_score, import_bank, mockloop_app, start_round


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(target: str, env: dict) -> tuple[subprocess.Popen, int]:
    """Start gunicorn on `target` and wait until it answers."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(300):  # until a worker answers (the master binds before workers boot)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise SystemExit(f"gunicorn did not start for {target}")
    for _ in range(20):  # both workers warm
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/")
        conn.getresponse().read()
    return process, port


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the form like a browser; the session cookie as a Cookie header value."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    conn.request(
        "POST",
        "/login",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": f"http://127.0.0.1:{port}/login",
        },
    )
    response = conn.getresponse()
    response.read()
    assert response.status == 302, f"sign-in failed: {response.status}"
    return response.getheader("Set-Cookie").split(";", 1)[0]


def wrk(port: int, path: str, seconds: float, connections: int, cookie: str = "") -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    errors = re.search(r"Socket errors: .*", out)
    if errors:
        raise SystemExit(f"{path}: {errors.group(0)}\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"{path}: {non_2xx.group(1)} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def hello_rate(env: dict, args) -> float:
    """The baseline: bare Flask "hello" behind the same gunicorn and wrk settings."""
    process, port = serve("bench.http_app:hello", env)
    try:
        return wrk(port, "/", args.seconds, args.connections)
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    from tests import factories

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        setup = mockloop_app(tmp)  # builds the schema, then the data a candidate would have
        import_bank(setup)
        with setup.app_context():
            user_id = factories.user(email="bench@example.com").id
        scored = start_round(setup, user_id)
        finish_and_score(setup, user_id, scored)
        running = start_round(setup, user_id)

        env = {
            **os.environ,
            "MOCKLOOP_ENV": "production",
            "MOCKLOOP_ALLOW_SINGLE_HOST": "1",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "DATABASE_URL": f"sqlite:///{tmp / 'mockloop-bench.db'}",
        }
        env.pop("REDIS_URL", None)
        print(
            f"HTTP through gunicorn (2 workers x 4 threads), wrk {args.connections} "
            f"connections, {args.seconds:g} s per page; ratio to bare Flask hello"
        )

        before = hello_rate(env, args)
        process, port = serve("bench.http_app:app", env)
        try:
            cookie = sign_in(port, "bench@example.com", factories.PASSWORD)
            pages = {
                "GET /login (anonymous)": ("/login", ""),
                "GET /dashboard": ("/dashboard", cookie),
                "GET /questions/ (bank browse)": ("/questions/", cookie),
                "GET round page (running round)": (f"/practice/sessions/{running}", cookie),
                "GET report": (f"/feedback/sessions/{scored}/report", cookie),
            }
            results = {
                name: wrk(port, path, args.seconds, args.connections, sent)
                for name, (path, sent) in pages.items()
            }
        finally:
            stop(process)
        after = hello_rate(env, args)
        base = (before + after) / 2
        print(
            f"  {'bare Flask hello (baseline)':<38} {base:>9.1f} req/s "
            f"(before {before:.1f}, after {after:.1f}: a big gap means a busy machine)"
        )
        for name, value in results.items():
            print(f"  {name:<38} {value:>9.1f} req/s ratio {value / base:6.3f}")


if __name__ == "__main__":
    main()
