"""`python -m bench`: mockloop's hot paths against bare-Flask baselines, in one run.

Every figure is printed as a ratio to a baseline measured in the same process a moment
before, so the numbers mean the same on a busy laptop and on a quiet server:

* requests/s through the in-process WSGI stack (Werkzeug test client) for a bare Flask
  "hello" view, a bare Flask view doing one SQLite query, and mockloop's real pages
  (sign-in page, dashboard, bank browse, a round page, an autosave POST, a report);
* how the bank browse page scales from the real bank (~160 questions) to ten times as
  many (pagination should keep the ratio near 1);
* peak Python memory (tracemalloc) of importing the whole bank and of rendering a report,
  against the peak of one bare Flask request.

Options: `--seconds S` per measurement (default 1.5). Nothing here is asserted; read the
ratios. Targets we hold ourselves to are listed in README.md ("Benchmarks").
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import tempfile
import time
import tracemalloc
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


def mockloop_app(tmp: Path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'mockloop-bench.db'}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5)
    args = parser.parse_args()
    seconds = args.seconds

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        hello, query = bare_apps(tmp)
        hello_client, query_client = hello.test_client(), query.test_client()
        app = mockloop_app(tmp)

        started = time.perf_counter()
        import_bank(app)
        import_seconds = time.perf_counter() - started
        client = app.test_client()
        user_id = sign_in(app, client)
        session_id = start_round(app, user_id)

        base = rate(lambda: hello_client.get("/"), seconds)
        print("Requests per second, in-process WSGI (ratio to bare Flask hello, same run)")
        row("bare Flask hello (baseline)", base, base)
        row("bare Flask + one SQLite query", rate(lambda: query_client.get("/"), seconds), base)
        pages = {
            "GET /login (anonymous)": lambda: app.test_client().get("/login"),
            "GET /dashboard": lambda: client.get("/dashboard"),
            "GET /questions/ (bank browse)": lambda: client.get("/questions/"),
            f"GET round page (session {session_id})": lambda: client.get(
                f"/practice/sessions/{session_id}"
            ),
        }
        for name, call in pages.items():
            assert call().status_code == 200, name
            row(name, rate(call, seconds), base)

        revision = {"value": 0}

        def autosave():
            response = client.post(
                f"/practice/sessions/{session_id}/questions/0/autosave",
                data={
                    "revision": revision["value"],
                    "answer_text": f"draft {revision['value']} " * 40,
                    "client_id": "bench",
                    "seq": revision["value"] + 1,
                },
            )
            assert response.status_code == 200, response.get_data(as_text=True)[:200]
            revision["value"] = response.get_json()["revision"]

        row("POST autosave (a write per call)", rate(autosave, seconds), base)

        finish_and_score(app, user_id, session_id)
        report_url = f"/feedback/sessions/{session_id}/report"
        assert client.get(report_url).status_code == 200
        row("GET report", rate(lambda: client.get(report_url), seconds), base)

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
