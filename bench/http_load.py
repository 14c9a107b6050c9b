"""`python -m bench.http_load`: mockloop over real HTTP on PostgreSQL against bare Flask apps.

The in-process bench (`python -m bench`) measures the app's own cost; this one adds what
a deployment adds: gunicorn workers (`-w 2 -k gthread --threads 4`, the README's
production line, each worker on a socket of its own: `GUNICORN` below), sockets, the
production configuration (CSP and security headers, signed cookies, CSRF, rate limits
in Redis, PostgreSQL). Four servers run side by side
on the same machine: mockloop, a bare Flask "hello", a bare Flask app doing one indexed
read and one write (and a commit) on the same PostgreSQL database, and mockloop with its
round hot path off (MOCKLOOP_ROUND_HOT_PATH=0: the status and autosave through Flask's
views, for the before/after in the same run). wrk
(`apt-get install wrk`) loads each in turn with the same connections and threads; the
baselines are measured in every repetition, interleaved with the pages, and every
figure is the median of the repetitions (min-max shown), printed as a ratio to the
medians of the baselines. Candidates sign in through the real form (CSRF token
included) and autosave with the token the round page gives them.

Then:

* statements per request (autosave, round page, status), counted in-process on the
  same database;
* a capacity run: autosaves arriving at a fixed rate (`--rate`, default 300/s: 3,000
  candidates saving every 10 s) for `--capacity-seconds`, with p50/p99 latency measured
  from each request's due time (bench/arrival.py), spread over `--candidates` signed-in
  candidates' answers;
* worker memory (RSS) idle and after a burst of sign-ins.

`--scale 100k` runs instead a different bench: each page's p50 latency over HTTP (the
same gunicorn production profile) with 1k finished sessions / 200 questions and with
100k finished sessions / 10k questions, both seeded in bulk with SQL (bench/scale.py),
printed as the ratio 100k/1k (target <= 1.5) with each page's SQL statement count at
both sizes (in-process, same database; target: the same count). `--requests N` (default
20) sequential requests per page per repetition, `--repeat R` repetitions interleaved
over the pages.

Options: `--seconds S` per page (default 5), `--connections N` (default 16),
`--repeat R` (default 3), `--database-url` (a PostgreSQL database the bench may wipe;
default postgresql+psycopg://postgres@127.0.0.1:5432/mockloop_bench), `--redis-url`.
Nothing is asserted; read the ratios (targets: README.md, "Benchmarks").
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from bench import arrival, scale
from bench.__main__ import ROOT, finish_and_score, import_bank, start_round

BASELINES = ("hello", "readwrite")
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/mockloop_bench"
# Every app is served the same way. `--reuse-port` gives each worker a listening socket
# of its own, and the kernel hashes each new connection to one of them. Without it, both
# workers take turns at one shared socket, and wrk's connections, all opened at once,
# could all go to whichever worker woke first and stay there for the run: in 8 runs of the
# round status here, one worker held 16 of the 16 connections once and 15 once; the first
# measured half the server (777 against ~2,000 requests/s). Baselines and pages alike
# drew such runs at random, which is what made the ratios swing from run to run (the
# status between 0.46 and 0.95).
GUNICORN = ("-w", "2", "-k", "gthread", "--threads", "4", "--reuse-port")
SEQ_STEP = 10_000_000  # each load run's autosave sequence numbers start above the last's


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(target: str, env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    """Start gunicorn on `target` (its output to `log`) and wait until it answers."""
    port = free_port()
    with log.open("ab") as out:  # gunicorn writes to its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *GUNICORN]
            + ["-b", f"127.0.0.1:{port}", "--log-level", "warning", target],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    for _ in range(300):  # until a worker answers (the workers bind as they boot)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            break
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    else:
        process.kill()
        raise SystemExit(f"gunicorn did not start for {target}")
    for _ in range(20):  # both workers warm
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/")
        conn.getresponse().read()
        conn.close()
    return process, port


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


def setup_database(url: str, candidates: int) -> dict:
    """Wipe the bench database and fill it: the bank, a candidate with a scored and a
    running round (so the dashboard has practise-next data), more candidates each with a
    running round, and the bare app's table."""
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from tests import factories

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.session.execute(text("DROP TABLE IF EXISTS bench_bare"))
        db.session.commit()
        db.drop_all()
        db.create_all()
        db.session.execute(
            text("CREATE TABLE bench_bare (id integer PRIMARY KEY, name text, hits integer)")
        )
        db.session.execute(
            text("INSERT INTO bench_bare SELECT g, 'row ' || g, 0 FROM generate_series(1, 1000) g")
        )
        db.session.commit()
    import_bank(app)
    with app.app_context():
        user_id = factories.user(email="bench@example.com").id
        others = [factories.user(email=f"c{n}@example.com").id for n in range(candidates)]
    scored = start_round(app, user_id)
    finish_and_score(app, user_id, scored)
    running = start_round(app, user_id)
    rounds = {f"c{n}@example.com": start_round(app, uid) for n, uid in enumerate(others)}
    with app.app_context():
        from sqlalchemy import func, select

        from app.models.practice import SessionQuestion

        sizes = dict(
            db.session.execute(
                select(SessionQuestion.session_id, func.count()).group_by(
                    SessionQuestion.session_id
                )
            ).all()
        )
        db.session.commit()
        scale.as_autovacuum_would(db.engine)
    return {"app": app, "scored": scored, "running": running, "rounds": rounds, "sizes": sizes}


def _cookie(response, current: str) -> str:
    header = response.getheader("Set-Cookie")
    return header.split(";", 1)[0] if header else current


def _stored(client: dict, response) -> dict:
    """`client`'s headers with the cookie `response` set, as a browser keeps it."""
    return {**client, "Cookie": _cookie(response, client["Cookie"])}


def submit_sign_in(
    conn: http.client.HTTPConnection, port: int, email: str, password: str, ip: str
) -> tuple[dict[str, str], str]:
    """The sign-in form, fetched and posted from `ip`: (the headers carrying the cookie
    the POST set, the path it redirects to)."""
    conn.request("GET", "/login", headers={"X-Forwarded-For": ip})
    response = conn.getresponse()
    page = response.read().decode()
    cookie = _cookie(response, "")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie,
        "Referer": f"http://127.0.0.1:{port}/login",
        "X-Forwarded-For": ip,
    }
    conn.request("POST", "/login", body, headers)
    response = conn.getresponse()
    response.read()
    assert response.status == 302, f"sign-in failed: {response.status}"
    client = {"Cookie": _cookie(response, cookie), "X-Forwarded-For": ip}
    return client, urllib.parse.urlsplit(response.getheader("Location")).path


def sign_in(port: int, email: str, password: str, ip: str = "10.9.0.1") -> dict[str, str]:
    """Sign in through the form like a browser, following the redirect home; the headers
    its later requests carry: the session cookie as the home page left it, and the address
    it signed in from (X-Forwarded-For; the bench is the proxy; each candidate its own).

    wrk replays one cookie for a whole run, where a browser stores each cookie it is
    given. Replaying the sign-in's own cookie (before its first page, so with no CSRF
    token in it yet) made every page mint a token and re-sign the cookie, and replaying it
    from another address made Flask-Login mark the session not fresh on every request:
    costs a browser pays once, which the bench charged on every request."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    client, home = submit_sign_in(conn, port, email, password, ip)
    conn.request("GET", home, headers=client)
    response = conn.getresponse()
    response.read()
    assert response.status == 200, f"home after sign-in: {response.status}"
    return _stored(client, response)


def round_token(port: int, client: dict, session_id: int) -> tuple[dict, str]:
    """Open the round page like the browser: (its headers, CSRF token the page's script
    uses)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", f"/practice/sessions/{session_id}", headers=client)
    response = conn.getresponse()
    page = response.read().decode()
    assert response.status == 200, f"round page: {response.status}"
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return _stored(client, response), token


def autosave_targets(port: int, data: dict, password: str) -> list[dict]:
    """Every (candidate, question) autosave: path, headers (cookie, address) and CSRF
    token."""
    targets = []
    for n, (email, session_id) in enumerate(data["rounds"].items()):
        client = sign_in(port, email, password, ip=f"10.8.{n // 200}.{n % 200 + 1}")
        client, token = round_token(port, client, session_id)
        for position in range(data["sizes"][session_id]):
            path = f"/practice/sessions/{session_id}/questions/{position}/autosave"
            targets.append({"path": path, "client": client, "token": token})
    return targets


LUA = """
local items = {%(items)s}
local nthreads = %(threads)d
local mine, counter, base = {}, 0, 0
local tcount = 0
function setup(thread) thread:set("tid", tcount); tcount = tcount + 1 end
function init(args)
  base = tonumber(args[1])
  for i, it in ipairs(items) do
    if (i - 1) %% nthreads == tid then table.insert(mine, it) end
  end
end
function request()
  counter = counter + 1
  local it = mine[(counter %% #mine) + 1]
  local body = "revision=0&client_id=bench&seq=" .. (base + counter)
    .. "&answer_text=" .. string.rep("draft+", 40) .. counter
  return wrk.format("POST", it.p, {["Cookie"] = it.c, ["X-Forwarded-For"] = it.a,
    ["X-CSRFToken"] = it.t,
    ["Content-Type"] = "application/x-www-form-urlencoded", ["Referer"] = "%(referer)s"}, body)
end
"""


class Seq:
    """Sequence numbers for autosaves: each run starts above every earlier run's."""

    base = 0

    @classmethod
    def next_base(cls) -> int:
        cls.base += SEQ_STEP
        return cls.base


def wrk(port: int, path: str, args, client: dict | None = None, script: str = "") -> float:
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{max(1, round(args.seconds))}s"]
    command += ["--timeout", "10s"]
    for name, value in (client or {}).items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", script] if script else []
    command += [f"http://127.0.0.1:{port}{path}"]
    if script:
        command += ["--", str(Seq.next_base())]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Socket errors: .*", out)
    if errors:
        raise SystemExit(f"{path}: {errors.group(0)}\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise SystemExit(f"{path}: {non_2xx.group(1)} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def write_lua(tmp: Path, targets: list[dict], port: int, name: str = "autosave.lua") -> str:
    def quote(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    items = ",".join(
        f"{{p={quote(t['path'])},c={quote(t['client']['Cookie'])},"
        f"a={quote(t['client']['X-Forwarded-For'])},t={quote(t['token'])}}}"
        for t in targets
    )
    path = tmp / name
    referer = f"http://127.0.0.1:{port}/"
    path.write_text(LUA % {"items": items, "threads": 2, "referer": referer})
    return str(path)


def statements_per_request(url: str, data: dict, email: str, password: str) -> dict[str, int]:
    """SQL statements one request runs, counted in-process on the same database."""
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    app = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False}
    )
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    running = data["running"]
    calls = {
        "POST autosave": lambda: client.post(
            f"/practice/sessions/{running}/questions/0/autosave",
            data={
                "revision": 0,
                "client_id": "count",
                "seq": (seq := Seq.next_base()),
                "answer_text": f"x{seq}",
            },
        ),
        "GET round page": lambda: client.get(f"/practice/sessions/{running}"),
        "GET round status": lambda: client.get(f"/practice/sessions/{running}/status"),
    }
    counts = {}
    with app.app_context():
        engine = db.engine
    for name, call in calls.items():
        call()  # warm (first-request work is not the steady state)
        seen = []

        def count(*_args, seen=seen, **_kwargs):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            response = call()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(seen)
    return counts


def worker_pids(master: subprocess.Popen) -> list[int]:
    """The process ids of `master`'s gunicorn workers."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def worker_rss(master: subprocess.Popen) -> list[int]:
    """Resident set size (KiB) of each gunicorn worker of `master`."""
    sizes = []
    for pid in worker_pids(master):
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)))
    return sizes


def capacity(port: int, targets: list[dict], rate: float, seconds: float) -> arrival.Outcome:
    """Autosaves at a fixed arrival rate, round-robin over the candidates' answers."""
    base = Seq.next_base()

    def make(index: int) -> bytes:
        target = targets[index % len(targets)]
        body = urllib.parse.urlencode(
            {
                "revision": 0,
                "client_id": "bench",
                "seq": base + index,
                "answer_text": f"draft {index} " * 40,
            }
        )
        return (
            f"POST {target['path']} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Cookie: {target['client']['Cookie']}\r\n"
            f"X-Forwarded-For: {target['client']['X-Forwarded-For']}\r\n"
            f"X-CSRFToken: {target['token']}\r\n"
            f"Referer: http://127.0.0.1:{port}/\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}"
        ).encode()

    return arrival.run(port, make, rate, seconds)


def summary(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--candidates", type=int, default=40)
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--capacity-seconds", type=float, default=20)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
    )
    parser.add_argument("--scale", choices=["100k"], help="the page-scaling bench instead")
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    if args.scale:
        if not args.database_url.startswith("postgresql"):
            raise SystemExit("--database-url must name a PostgreSQL database the bench may wipe")
        run_scale(args)
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("--database-url must name a PostgreSQL database the bench may wipe")

    from tests import factories

    data = setup_database(args.database_url, args.candidates)
    env = {
        **os.environ,
        "MOCKLOOP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "BENCH_BARE_DSN": args.database_url.replace("postgresql+psycopg://", "postgresql://"),
    }
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        log = tmp / "servers.log"
        servers = {name: serve(f"bench.http_app:{name}", env, log) for name in BASELINES}
        servers["app"] = serve("bench.http_app:app", env, log)
        # the same app with the round hot path off: the autosave and status as Flask's views
        # answer them, measured in the same run for the before/after
        servers["views"] = serve("bench.http_app:app", {**env, "MOCKLOOP_ROUND_HOT_PATH": "0"}, log)
        try:
            run_all(args, data, servers, tmp, factories.PASSWORD)
        except BaseException:
            errors = [line for line in log.read_text().splitlines() if '"level": "error"' in line]
            print("\n".join(errors[-3:]), file=sys.stderr)
            raise
        finally:
            for process, _ in servers.values():
                stop(process)


def run_all(args, data: dict, servers: dict, tmp: Path, password: str) -> None:
    port = servers["app"][1]
    client = sign_in(port, "bench@example.com", password)
    targets = autosave_targets(port, data, password)
    script = write_lua(tmp, targets, port)
    views_port = servers["views"][1]
    views_script = write_lua(tmp, targets, views_port, name="autosave-views.lua")
    running, scored = data["running"], data["scored"]
    pages = {
        "GET /login (anonymous)": ("/login", {}),
        "GET /dashboard": ("/dashboard", client),
        "GET /questions/ (bank browse)": ("/questions/", client),
        "GET round page": (f"/practice/sessions/{running}", client),
        "GET round status (sync)": (f"/practice/sessions/{running}/status", client),
        "GET report": (f"/feedback/sessions/{scored}/report", client),
    }
    for path, sent in pages.values():  # warm each page once (first loads: models, caches)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", path, headers=sent)
        assert conn.getresponse().status == 200, path
    status_path, status_client = pages["GET round status (sync)"]
    conn = http.client.HTTPConnection("127.0.0.1", views_port)
    conn.request("GET", status_path, headers=status_client)
    assert conn.getresponse().status == 200, "status, hot path off"
    idle_rss = worker_rss(servers["app"][0])
    for n in range(len(data["rounds"])):  # a burst of sign-ins (each hashes a password)
        sign_in(port, f"c{n}@example.com", password, ip=f"10.7.{n // 200}.{n % 200 + 1}")
    burst_rss = worker_rss(servers["app"][0])
    results: dict[str, list[float]] = {"hello": [], "readwrite": []}
    results.update({name: [] for name in pages})
    results["POST autosave"] = []
    status_off, save_off = "GET round status, hot path off", "POST autosave, hot path off"
    results.update({status_off: [], save_off: []})
    for _ in range(args.repeat):  # baselines in every repetition, interleaved with the pages
        results["hello"].append(wrk(servers["hello"][1], "/", args))
        results["readwrite"].append(wrk(servers["readwrite"][1], "/", args))
        for name, (path, sent) in pages.items():
            results[name].append(wrk(port, path, args, sent))
        results["POST autosave"].append(wrk(port, "/", args, script=script))
        results[status_off].append(wrk(views_port, status_path, args, status_client))
        results[save_off].append(wrk(views_port, "/", args, script=views_script))

    print(
        f"HTTP through gunicorn (2 workers x 4 threads), PostgreSQL, production profile; "
        f"wrk {args.connections} connections, {args.seconds:g} s x {args.repeat} repetitions "
        f"(median, min-max); load average {os.getloadavg()[0]:.2f}"
    )
    hello = summary(results["hello"])[0]
    readwrite = summary(results["readwrite"])[0]
    print(f"  {'baseline':<32} {'req/s':>8} {'min-max':>15}  vs hello  vs 1 read+1 write")
    labels = {"hello": "bare Flask hello", "readwrite": "bare Flask 1 read + 1 write"}
    for key, values in results.items():
        name = labels.get(key, key)
        med, low, high = summary(values)
        print(
            f"  {name:<32} {med:>8.1f} {low:>7.0f}-{high:<7.0f} "
            f"{med / hello:8.3f}  {med / readwrite:8.3f}"
        )
    print("\nSQL statements per request (in-process, same database)")
    for name, count in statements_per_request(
        args.database_url, data, "bench@example.com", password
    ).items():
        print(f"  {name:<32} {count:>3}")

    outcome = capacity(port, targets, args.rate, args.capacity_seconds)
    ok = outcome.statuses.get(200, 0)
    print(
        f"\nCapacity: autosaves at a fixed {args.rate:g}/s for {args.capacity_seconds:g} s "
        f"(= {args.rate * 10:,.0f} candidates saving every 10 s) over {len(targets)} answers "
        f"of {len(data['rounds'])} signed-in candidates; load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"  sent {outcome.sent}, 200: {ok}, other: "
        f"{ {k: v for k, v in outcome.statuses.items() if k != 200} }; "
        f"p50 {outcome.percentile(50) * 1000:.1f} ms, p99 {outcome.percentile(99) * 1000:.1f} ms, "
        f"max {max(outcome.latencies or [0]) * 1000:.1f} ms; generator late starts "
        f"{outcome.late_starts}"
    )

    print(
        f"\nWorker RSS: idle (every page loaded once) {idle_rss} KiB; after a burst of "
        f"{len(data['rounds'])} sign-ins {burst_rss} KiB; ratio "
        f"{max(b / i for b, i in zip(burst_rss, idle_rss, strict=False)):.2f}"
    )


SLOW = 5.0  # seconds: a page this slow is requested once per repetition, not --requests times


def scale_pages(app, seeded: dict) -> dict[str, tuple[str, str]]:
    """Page name -> (path, who is signed in) for the scale bench; bank page 50 is reached
    the way the Next link reaches it (`?after=` the last key of page 49), or the last page
    when the bank has fewer than 50 pages."""
    from app.bank import queries

    with app.app_context():
        per_page = app.config["PER_PAGE"]
        pages = queries.browse_published(page=1, per_page=per_page).pages
        deep = min(50, pages)
        before = queries.browse_published(page=deep - 1, per_page=per_page)
        after = before.items[-1].key
    return {
        "dashboard": ("/dashboard", "candidate"),
        "practice page": ("/practice/", "candidate"),
        "round page": (f"/practice/sessions/{seeded['running']}", "candidate"),
        "report": (f"/feedback/sessions/{seeded['scored']}/report", "candidate"),
        "progress (/feedback)": ("/feedback/", "candidate"),
        "bank browse page 1": ("/questions/", "candidate"),
        f"bank browse page {deep}": (f"/questions/?after={after}", "candidate"),
        "coach queue": ("/coach/queue", "coach"),
        "coach candidate overview": (f"/coach/candidates/{seeded['candidate']}", "coach"),
        "admin question list": ("/admin/bank/questions", "admin"),
        "admin item statistics": ("/admin/bank/stats", "admin"),
        "audit log": ("/admin/audit", "admin"),
    }


def page_statements(url: str, pages: dict, password: str) -> dict[str, tuple[int, int]]:
    """(SQL statements, status) of one request of each page, in-process, same database."""
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    app = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False}
    )
    clients = {}
    for who in ("candidate", "coach", "admin"):
        email = "bench@example.com" if who == "candidate" else f"{who}@example.com"
        clients[who] = app.test_client()
        response = clients[who].post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, (who, response.status_code)
    with app.app_context():
        engine = db.engine
    counts = {}
    for name, (path, who) in pages.items():
        clients[who].get(path)  # warm
        seen = []

        def count(*_args, seen=seen, **_kwargs):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            response = clients[who].get(path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts[name] = (len(seen), response.status_code)
    return counts


def page_latencies(port: int, pages: dict, clients: dict, args) -> dict[str, list]:
    """Every request's latency (s) per page, pages interleaved in each repetition; pages
    answering other than 200 are recorded as ("status", code)."""
    times: dict[str, list] = {name: [] for name in pages}
    statuses: dict[str, set] = {name: set() for name in pages}
    conns = {}
    for _ in range(args.repeat):
        for name, (path, who) in pages.items():
            count = 1 if times[name] and statistics.median(times[name]) > SLOW else args.requests
            for _ in range(count):
                for attempt in (1, 2):  # a kept-alive connection the server closed: reopen
                    conn = conns.get(who) or http.client.HTTPConnection(
                        "127.0.0.1", port, timeout=300
                    )
                    conns[who] = conn
                    started = time.perf_counter()
                    try:
                        conn.request("GET", path, headers=clients[who])
                        response = conn.getresponse()
                        response.read()
                        break
                    except (OSError, http.client.HTTPException):
                        conns.pop(who).close()
                        if attempt == 2:
                            raise
                times[name].append(time.perf_counter() - started)
                statuses[name].add(response.status)
    return {name: (times[name], statuses[name]) for name in pages}


def run_scale(args) -> None:
    """Seed 1k then 100k; per data set serve mockloop with gunicorn and time each page."""
    from app import create_app
    from app.extensions import db
    from tests import factories

    results = {}
    for size in ("1k", "100k"):
        app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": args.database_url})
        seeded = scale.seed(app, size)
        counted = scale.counts(app)
        print(
            f"seeded {size}: {seeded['seconds']:.1f} s (services {seeded['service_seconds']:.1f} s"
            f", bulk SQL the rest): "
            + ", ".join(f"{name} {value:,}" for name, value in counted.items()),
            flush=True,
        )
        pages = scale_pages(app, seeded)
        with app.app_context():
            db.engine.dispose()  # the servers and the counting app open their own
        env = {
            **os.environ,
            "MOCKLOOP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
        }
        with tempfile.TemporaryDirectory() as tmpdir:
            log = Path(tmpdir) / "server.log"
            process, port = serve("bench.http_app:app", env, log)
            try:
                clients = {
                    "candidate": sign_in(port, "bench@example.com", factories.PASSWORD),
                    "coach": sign_in(port, "coach@example.com", factories.PASSWORD, "10.9.0.2"),
                    "admin": sign_in(port, "admin@example.com", factories.PASSWORD, "10.9.0.3"),
                }
                timed = page_latencies(port, pages, clients, args)
            finally:
                stop(process)
        statements = page_statements(args.database_url, pages, factories.PASSWORD)
        results[size] = {"timed": timed, "statements": statements, "names": list(pages)}
        print(f"timed {size}: load average {os.getloadavg()[0]:.2f}", flush=True)

    print(
        f"\nPage p50 over HTTP (gunicorn 2 workers x 4 threads, production profile, "
        f"PostgreSQL), {args.requests} sequential requests x {args.repeat} repetitions per "
        f"page (pages interleaved); load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"  {'page':<26} {'p50 1k':>9} {'p50 100k':>10} {'ratio':>7} "
        f"{'SQL 1k':>7} {'SQL 100k':>9}  flag"
    )
    for small_name, large_name in zip(
        results["1k"]["names"], results["100k"]["names"], strict=True
    ):
        row = []
        for size, name in (("1k", small_name), ("100k", large_name)):
            times, statuses = results[size]["timed"][name]
            row.append((statistics.median(times) if times else float("nan"), statuses))
        (small, small_status), (large, large_status) = row
        ratio = large / small
        sql_small, sql_large = (
            results[s]["statements"][n][0] for s, n in (("1k", small_name), ("100k", large_name))
        )
        flags = []
        if ratio > 1.5:
            flags.append("OVER 1.5x")
        if sql_small != sql_large:
            flags.append("SQL count grows")
        for size, statuses in (("1k", small_status), ("100k", large_status)):
            if statuses != {200}:
                flags.append(f"HTTP {sorted(map(str, statuses))} at {size}")
        label = large_name if large_name == small_name else f"{small_name}/{large_name.split()[-1]}"
        print(
            f"  {label:<26} {small * 1000:>7.1f}ms {large * 1000:>8.1f}ms {ratio:>7.2f} "
            f"{sql_small:>7} {sql_large:>9}  {'; '.join(flags)}"
        )


if __name__ == "__main__":
    main()
