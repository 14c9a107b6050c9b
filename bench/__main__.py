"""`python -m bench`: mockloop's hot paths against bare-Flask baselines, in one run.

Every figure is a ratio to baselines measured in the same run, interleaved with the
pages, so the numbers mean the same on a busy laptop and on a quiet server:

* requests/s through the in-process WSGI stack (Werkzeug test client) for a bare Flask
  "hello" and a bare Flask view doing one indexed read, one write and a commit on SQLite
  (the database mockloop uses here), and mockloop's pages with CSRF and rate limiting on
  as in production (sign-in page, dashboard with practise-next data from a scored round,
  bank browse, the running round's page and status, an autosave POST with its CSRF token,
  a report, a coach's review queue with `--queue` finished rounds); every repetition
  (`--repeat`, at least 3) measures all of them in turn; printed: the median, min-max and
  the medians' ratios to both baselines;
* how the bank browse page scales from the real bank (~160 questions) to ten times as
  many (pagination should keep the ratio near 1);
* peak Python memory (tracemalloc) of importing the whole bank and of rendering a report,
  against the peak of one bare Flask request.

Options: `--seconds S` per measurement (default 1.5), `--repeat N`, `--queue N`,
`--redis-url` (rate-limit storage; default in memory). Nothing here is asserted; read the
ratios. Targets we hold ourselves to are listed in README.md ("Benchmarks").
"""

from __future__ import annotations

import argparse
import gc
import re
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

from flask import Flask

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def rate(call, seconds: float) -> float:
    """Calls per second of `call` over about `seconds` (after a short warm-up)."""
    for _ in range(20):
        call()
    count, started = 0, time.perf_counter()
    deadline = started + seconds
    while True:
        call()
        count += 1
        if count % 10 == 0 and time.perf_counter() >= deadline:
            break
    return count / (time.perf_counter() - started)


def peak_bytes(call) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bare_apps(tmp: Path) -> tuple[Flask, Flask]:
    hello = Flask("bare_hello")
    hello.add_url_rule("/", "hello", lambda: "hello")
    path = tmp / "bare.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO item (name) VALUES (?)", [(f"n{i}",) for i in range(100)])
    query = Flask("bare_query")

    def one_query():
        with sqlite3.connect(path) as conn:
            return {"name": conn.execute("SELECT name FROM item WHERE id = 42").fetchone()[0]}

    query.add_url_rule("/", "query", one_query)
    return hello, query


def bare_read_write_app(tmp: Path) -> Flask:
    """A bare Flask view doing one indexed read, one write and a commit on SQLite: the
    cheapest honest version of what a mockloop page does with its database."""
    path = tmp / "bare-rw.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, hits INTEGER)")
        conn.executemany(
            "INSERT INTO item (name, hits) VALUES (?, 0)", [(f"n{i}",) for i in range(1000)]
        )
    app = Flask("bare_read_write")

    def read_write():
        with sqlite3.connect(path) as conn:
            name = conn.execute("SELECT name FROM item WHERE id = 42").fetchone()[0]
            conn.execute("UPDATE item SET hits = hits + 1 WHERE id = 42")
        return {"name": name}

    app.add_url_rule("/", "read_write", read_write)
    return app


def mockloop_app(tmp: Path, *, production: bool = False, redis_url: str | None = None):
    """mockloop on a SQLite file; `production=True`: CSRF and rate limiting on, as served."""
    config = {
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'mockloop-bench.db'}",
        "WTF_CSRF_ENABLED": production,
        "RATELIMIT_ENABLED": production,
    }
    if redis_url:
        config["RATELIMIT_STORAGE_URI"] = redis_url
    app = create_app(config)
    with app.app_context():
        db.create_all()
    return app


def import_bank(app) -> None:
    from app.bank import transfer
    from app.bank.files import reading
    from app.clock import utcnow

    with app.app_context():
        files = reading.read_bank(str(ROOT / "question_bank"))
        assert files.ok, files.problems[:3]
        transfer.import_bank(files, now=utcnow())


def sign_in(app, client) -> int:
    from tests import factories

    with app.app_context():
        user = factories.user(email="bench@example.com")
        user_id = user.id
    response = client.post(
        "/login", data={"email": "bench@example.com", "password": factories.PASSWORD}
    )
    assert response.status_code == 302, response.status_code
    return user_id


def start_round(app, user_id: int) -> int:
    from sqlalchemy import select

    from app.clock import utcnow
    from app.models.bank import RoundFormat
    from app.practice import starting

    with app.app_context():
        fmt = db.session.scalar(select(RoundFormat).where(RoundFormat.key == "system_design"))
        return starting.start_round(user_id, fmt.id, now=utcnow(), seed=1).id


def finish_and_score(app, user_id: int, session_id: int) -> None:
    """Submit the round and score every criterion of every question (levels cycle 1..4)."""
    from app.clock import utcnow
    from app.learning import scoring as feedback
    from app.models.practice import PracticeSession
    from app.practice import lifecycle

    with app.app_context():
        lifecycle.submit_round(user_id, session_id, now=utcnow())
        session = db.session.get(PracticeSession, session_id)
        levels = {}
        for item in session.items:
            for index, criterion in enumerate(item.rubric_version.criteria):
                values = [level["value"] for level in criterion["levels"]]
                levels[(item.id, criterion["key"])] = values[index % len(values)]
        feedback.save_scoring(
            session_id, user_id, levels, {}, "Bench reflection.", utcnow(), finish=True
        )


def multiply_bank(app, factor: int) -> None:
    """Clone every current question version `factor - 1` times (as new questions)."""
    from sqlalchemy import select

    from app.models.bank import Question, QuestionVersion

    with app.app_context():
        originals = db.session.scalars(select(Question)).all()
        for copy in range(1, factor):
            for question in originals:
                version = question.current_version
                clone = Question(key=f"{question.key}-x{copy}", status=question.status)
                db.session.add(clone)
                db.session.flush()
                cloned = QuestionVersion(
                    question_id=clone.id,
                    number=1,
                    stage_key=version.stage_key,
                    rubric_id=version.rubric_id,
                    title=f"{version.title} ({copy})",
                    prompt_md=version.prompt_md,
                    difficulty=version.difficulty,
                    answer_kind=version.answer_kind,
                    suggested_minutes=version.suggested_minutes,
                )
                cloned.skills = list(version.skills)
                db.session.add(cloned)
                db.session.flush()
                clone.current_version_id = cloned.id
        db.session.commit()


def row(name: str, value: float, baseline: float, unit: str = "req/s") -> None:
    print(f"  {name:<38} {value:>10.1f} {unit:<6} ratio {value / baseline:6.3f}")


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def csrf_from(response) -> str:
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in_form(app, email: str) -> object:
    """A client signed in through the real form, CSRF token and all."""
    from tests import factories

    client = app.test_client()
    token = csrf_from(client.get("/login"))
    response = client.post(
        "/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    return client


def coach_with_queue(app, candidate_id: int, rounds: int) -> None:
    """A coach linked to the candidate, with `rounds` finished rounds waiting for review."""
    from app.clock import utcnow
    from tests import factories
    from tests.coach import builders

    with app.app_context():
        coach = factories.user("coach", email="coach@example.com").id
        builders.link(coach, candidate_id)
        for index in range(rounds):
            started = utcnow() - timedelta(days=rounds - index, minutes=70)
            builders.session(candidate_id, started=started, events=False)


def summary(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (at least 3)")
    parser.add_argument("--queue", type=int, default=30, help="rounds in the coach's queue")
    parser.add_argument("--redis-url", help="rate-limit storage (default: in memory)")
    args = parser.parse_args()
    seconds, repeat = args.seconds, max(3, args.repeat)

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        hello, _ = bare_apps(tmp)
        hello_client = hello.test_client()
        rw_client = bare_read_write_app(tmp).test_client()
        app = mockloop_app(tmp, production=True, redis_url=args.redis_url)

        started = time.perf_counter()
        import_bank(app)
        import_seconds = time.perf_counter() - started
        from tests import factories

        with app.app_context():
            user_id = factories.user(email="bench@example.com").id
        scored = start_round(app, user_id)
        finish_and_score(app, user_id, scored)  # the dashboard's "practise next" has data
        session_id = start_round(app, user_id)
        coach_with_queue(app, user_id, args.queue)
        client = sign_in_form(app, "bench@example.com")
        coach = sign_in_form(app, "coach@example.com")
        token = csrf_from(client.get(f"/practice/sessions/{session_id}"))
        revision = {"value": 0, "seq": 0}

        def autosave():
            revision["seq"] += 1
            response = client.post(
                f"/practice/sessions/{session_id}/questions/0/autosave",
                data={
                    "revision": revision["value"],
                    "answer_text": f"draft {revision['seq']} " * 40,
                    "client_id": "bench",
                    "seq": revision["seq"],
                    "csrf_token": token,
                },
            )
            assert response.status_code == 200, response.get_data(as_text=True)[:200]
            revision["value"] = response.get_json()["revision"]

        report_url = f"/feedback/sessions/{scored}/report"
        calls = {
            "bare Flask hello": lambda: hello_client.get("/"),
            "bare Flask 1 read + 1 write (SQLite)": lambda: rw_client.get("/"),
            "GET /login (anonymous)": lambda: app.test_client().get("/login"),
            "GET /dashboard (practise next)": lambda: client.get("/dashboard"),
            "GET /questions/ (bank browse)": lambda: client.get("/questions/"),
            "GET round page": lambda: client.get(f"/practice/sessions/{session_id}"),
            "GET round status": lambda: client.get(f"/practice/sessions/{session_id}/status"),
            "POST autosave (CSRF, a write)": autosave,
            "GET report": lambda: client.get(report_url),
            f"GET coach queue ({args.queue} rounds)": lambda: coach.get("/coach/queue"),
        }
        for name, call in calls.items():
            if name != "POST autosave (CSRF, a write)":
                assert call().status_code == 200, name
        rates: dict[str, list[float]] = {name: [] for name in calls}
        for _ in range(repeat):  # interleaved: every repetition measures everything
            for name, call in calls.items():
                rates[name].append(rate(call, seconds))
        hello_rate = statistics.median(rates["bare Flask hello"])
        rw_rate = statistics.median(rates["bare Flask 1 read + 1 write (SQLite)"])
        print(
            f"Requests per second, in-process WSGI, CSRF and rate limiting on; median of "
            f"{repeat} interleaved repetitions (min-max), ratios to the baselines' medians"
        )
        print(f"  {'':<38} {'median':>8} {'min-max':>15} {'/hello':>7} {'/1r+1w':>7}")
        for name, values in rates.items():
            median, low, high = summary(values)
            print(
                f"  {name:<38} {median:>8.1f} {f'{low:.0f}-{high:.0f}':>15} "
                f"{median / hello_rate:>7.3f} {median / rw_rate:>7.3f}"
            )
        base = hello_rate

        print("\nBank browse as the bank grows (pagination keeps the page cost flat)")
        small = rate(lambda: client.get("/questions/"), seconds)
        multiply_bank(app, 10)
        large = rate(lambda: client.get("/questions/"), seconds)
        print(
            f"  real bank: {small:.1f} req/s; 10x the questions: {large:.1f} req/s; "
            f"ratio {large / small:.3f}"
        )

        print("\nPeak Python memory (tracemalloc), ratio to one bare Flask request")
        base_mem = peak_bytes(lambda: hello_client.get("/"))
        print(f"  bare Flask hello request (baseline)    {base_mem / 1024:>10.1f} KiB")
        report_mem = peak_bytes(lambda: client.get(report_url))
        print(
            f"  render one report                      {report_mem / 1024:>10.1f} KiB "
            f"ratio {report_mem / base_mem:7.1f}"
        )
        (tmp / "fresh").mkdir()
        fresh = mockloop_app(tmp / "fresh")
        import_mem = peak_bytes(lambda: import_bank(fresh))
        print(
            f"  import the whole bank                  {import_mem / 1024:>10.1f} KiB "
            f"ratio {import_mem / base_mem:7.1f}"
        )
        print(
            f"\nBank import wall time: {import_seconds:.2f} s "
            f"({import_seconds / (1 / base):.0f} bare hello requests' worth)"
        )


if __name__ == "__main__":
    main()
