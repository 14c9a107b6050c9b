"""Time `flask sessions sweep` and the save path under growing data.

Run: `.venv/bin/python -m bench.sessions_sweep [--sessions N]` (SQLite in a temporary
folder). Prints, next to a bare one-row SQLite UPDATE measured in the same run:

* the sweep finalising N overdue rounds (each re-read under a lock, finished at its
  deadline, logged), per session;
* one autosave service call (revision compare-and-set, event row, commit) when the
  database holds N finished rounds, and when it holds none: the save must not get
  slower as history grows.
Nothing is asserted; read the ratios.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from app import create_app
from app.clock import utcnow
from app.extensions import db


def bare_update_seconds(tmp: Path, runs: int = 300) -> float:
    path = tmp / "bare.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, n INTEGER)")
        conn.execute("INSERT INTO t (v, n) VALUES ('', 0)")
    conn = sqlite3.connect(path)
    started = time.perf_counter()
    for i in range(runs):
        conn.execute("UPDATE t SET v = ?, n = n + 1 WHERE id = 1", (f"draft {i}",))
        conn.commit()
    conn.close()
    return (time.perf_counter() - started) / runs


def setup(app, n: int) -> tuple[int, int, list[int]]:
    from app.practice import services
    from tests import factories

    with app.app_context():
        fmt = factories.round_format("system_design", minutes=60, count=2)
        for _ in range(4):
            factories.question("system_design")
        users = [factories.user().id for _ in range(n)]
        ids = [services.start_round(uid, fmt.id, seed=i).id for i, uid in enumerate(users)]
        return fmt.id, users[0], ids


def save_seconds(app, user_id: int, session_id: int, runs: int = 200) -> float:
    from app.practice import services

    with app.app_context():
        revision = 0
        started = time.perf_counter()
        for i in range(runs):
            result = services.save_answer(
                user_id,
                session_id,
                0,
                services.AnswerInput(text=f"draft {i} " * 40),
                base_revision=revision,
                max_chars=50_000,
                client_id="bench",
                seq=i + 1,
            )
            revision = result.revision
        return (time.perf_counter() - started) / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=500)
    args = parser.parse_args()
    from app.models.practice import PracticeSession
    from app.practice import services
    from tests import factories

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        bare = bare_update_seconds(tmp)
        app = create_app(
            {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'b.db'}"}
        )
        with app.app_context():
            db.create_all()
        _, user_id, ids = setup(app, args.sessions)
        with app.app_context():
            fresh_user = factories.user().id
            fmt_id = db.session.get(PracticeSession, ids[0]).round_format_id
            fresh = services.start_round(fresh_user, fmt_id, seed=1).id
        empty_save = save_seconds(app, user_id, ids[0])

        with app.app_context():
            past = utcnow() - timedelta(hours=3)
            db.session.execute(
                update(PracticeSession)
                .where(PracticeSession.id.in_(ids))
                .values(started_at=past, deadline_at=past + timedelta(minutes=60))
            )
            db.session.commit()
            started = time.perf_counter()
            result = services.sweep()
            sweep = time.perf_counter() - started
        full_save = save_seconds(app, fresh_user, fresh)

        print(f"bare SQLite UPDATE + commit (baseline): {bare * 1000:8.3f} ms")
        print(
            f"sweep of {result.finalised} overdue rounds: {sweep:.2f} s, "
            f"{sweep / max(1, result.finalised) * 1000:.2f} ms per round "
            f"(ratio {sweep / max(1, result.finalised) / bare:.1f})"
        )
        print(
            f"autosave service call, {args.sessions} open rounds:     {empty_save * 1000:8.3f} ms "
            f"(ratio {empty_save / bare:.1f})"
        )
        print(
            f"autosave service call, {args.sessions} finished rounds: {full_save * 1000:8.3f} ms "
            f"(ratio {full_save / bare:.1f})"
        )


if __name__ == "__main__":
    main()
