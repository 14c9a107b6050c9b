"""Seed a PostgreSQL database with N finished rounds over Q questions (bulk SQL, not the
ORM) and time admin item statistics on it: the list page and the most-sat question's page.

    .venv/bin/python -m scripts.item_stats_at_scale postgresql+psycopg://postgres@HOST/DB \
        --sessions 100000 --questions 10000 [--old path/to/old_stats.py]

`--old` times a second implementation of `app.bank.stats` (e.g. `git show
REV:app/bank/stats.py > old.py`) on the same data. The schema is rebuilt from the models.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from datetime import timedelta

from sqlalchemy import text

from app.bank import stats
from app.clock import utcnow
from app.extensions import db
from app.learning import scoring as feedback
from app.models.practice import PracticeSession, SessionQuestion
from tests import factories
from tests.conftest import make_app, reset_schema


def clone(table: str, overrides: dict[str, str], source: str, where: str, alias="") -> None:
    """INSERT INTO table SELECT (its row(s) matching `where`, columns overridden) FROM source."""
    columns = [c.name for c in db.metadata.tables[table].columns if c.name != "id"]
    prefix = f"{alias}." if alias else ""
    chosen = ", ".join(overrides.get(c, f"{prefix}{c}") for c in columns)
    db.session.execute(
        text(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {chosen} "
            f"FROM {table} {alias}, {source} WHERE {where}"
        )
    )


def seed(sessions: int, questions: int) -> None:
    reset_schema()
    db.create_all()
    user_id = factories.user(role="candidate").id
    fmt = factories.round_format(minutes=60, count=3)
    template = factories.question(title="Template question")
    db.session.commit()
    q = db.metadata.tables["questions"]
    v = db.metadata.tables["question_versions"]
    qcols = [c.name for c in q.columns if c.name not in ("id", "current_version_id")]
    vcols = [c.name for c in v.columns if c.name != "id"]
    qsel = ", ".join("key || '-' || g" if c == "key" else c for c in qcols)
    db.session.execute(
        text(
            f"INSERT INTO questions ({', '.join(qcols)}) SELECT {qsel} FROM questions, "
            f"generate_series(2, :n) g WHERE id = :t"
        ),
        {"n": questions, "t": template.id},
    )
    vsel = ", ".join(
        "qn.id" if c == "question_id" else ("v.title || ' ' || qn.id" if c == "title" else f"v.{c}")
        for c in vcols
    )
    db.session.execute(
        text(
            f"INSERT INTO question_versions ({', '.join(vcols)}) SELECT {vsel} "
            "FROM question_versions v, questions qn WHERE v.question_id = :t AND qn.id <> :t"
        ),
        {"t": template.id},
    )
    db.session.execute(
        text(
            "UPDATE questions SET current_version_id = v.id FROM question_versions v "
            "WHERE v.question_id = questions.id"
        )
    )
    version = template.current_version
    # one round made by the ORM (so every column has its default), cloned in bulk by SQL
    session = PracticeSession(
        user_id=user_id,
        round_format_id=fmt.id,
        stage_key=version.stage_key,
        status="submitted",
        started_at=utcnow() - timedelta(hours=3),
        deadline_at=utcnow() - timedelta(hours=2),
        finished_at=utcnow() - timedelta(hours=2, minutes=30),
    )
    session.items.append(
        SessionQuestion(
            position=0,
            question_id=template.id,
            question_version_id=version.id,
            rubric_version_id=version.rubric.current_version_id,
            answer_text="An answer.",
        )
    )
    db.session.add(session)
    db.session.commit()
    feedback.save_scoring(
        session.id,
        user_id,
        {(session.items[0].id, c["key"]): 2 for c in version.rubric.current_version.criteria},
        {},
        "",
        utcnow(),
        finish=True,
    )
    first = session.id
    shift = "g * interval '1 minute'"
    clone(
        "practice_sessions",
        {c: f"{c} - {shift}" for c in ("started_at", "deadline_at", "finished_at", "queued_at")},
        f"generate_series(1, {sessions - 1}) g",
        f"id = {first}",
    )
    # three questions a round, skewed: a few questions are drawn far more often than most
    pick = (
        "1 + floor(power(((s.id::bigint * 2654435761 + p * 40503) % 1000003) / 1000003.0, 2)"
        f" * {questions})::int"
    )
    clone(
        "session_questions",
        {
            "session_id": "s.id",
            "position": "p",
            "question_id": "v.question_id",
            "question_version_id": "v.id",
            "answer_text": "CASE WHEN (s.id + p) % 5 = 0 THEN '' ELSE 'An answer.' END",
            "hints_revealed": "s.id % 3",
            "time_spent_seconds": "300 + (s.id * 7 + p) % 1500",
        },
        "practice_sessions s, generate_series(0, 2) p, question_versions v",
        f"t.session_id = {first} AND s.id <> {first} AND v.question_id = {pick}",
        alias="t",
    )
    # a completed self-scoring of every other round
    clone(
        "self_assessments",
        {"session_id": "s.id"},
        "practice_sessions s",
        f"t.session_id = {first} AND s.id <> {first} AND s.id % 2 = 0",
        alias="t",
    )
    clone(
        "self_scores",
        {
            "assessment_id": "a.id",
            "session_question_id": "sq.id",
            "level": "1 + (sq.id + length(t.criterion_key)) % 4",
        },
        "self_assessments a JOIN session_questions sq ON sq.session_id = a.session_id",
        f"t.session_question_id = {session.items[0].id} AND a.session_id <> {first}",
        alias="t",
    )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def timed(module, runs: int = 5) -> dict[str, float]:
    def once(fn):
        times = []
        for _ in range(runs):
            db.session.remove()
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    page, _ = module.item_statistics(page=1, per_page=25)
    top = page.items[0].id
    return {
        "list page 1 (most sat)": once(lambda: module.item_statistics(page=1, per_page=25)),
        "list page 50": once(lambda: module.item_statistics(page=50, per_page=25)),
        "most-sat question's page": once(lambda: module.question_statistics(top)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--old")
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    app = make_app(args.url)
    with app.app_context():
        if not args.no_seed:
            start = time.perf_counter()
            seed(args.sessions, args.questions)
            print(f"seeded in {time.perf_counter() - start:.1f} s")
        counts = db.session.execute(
            text(
                "SELECT (SELECT count(*) FROM practice_sessions), "
                "(SELECT count(*) FROM session_questions), (SELECT count(*) FROM questions), "
                "(SELECT max(c) FROM (SELECT count(*) c FROM session_questions "
                "GROUP BY question_id) t)"
            )
        ).one()
        print("sessions, attempts, questions, most attempts at one question:", tuple(counts))
        implementations = [("new (SQL aggregates)", stats)]
        if args.old:
            spec = importlib.util.spec_from_file_location("old_stats", args.old)
            old = importlib.util.module_from_spec(spec)
            sys.modules["old_stats"] = old
            spec.loader.exec_module(old)
            implementations.insert(0, ("old (Python)", old))
        for name, module in implementations:
            for what, seconds in timed(module).items():
                print(f"{name:22} {what:28} {seconds * 1000:9.1f} ms (median of 5)")


if __name__ == "__main__":
    main()
