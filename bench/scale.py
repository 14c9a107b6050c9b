"""Bulk seeding for `python -m bench.http_load --scale 100k` (PostgreSQL only).

A few rounds are made through the app's own services (so every row is what the app
writes): a template candidate with `TEMPLATE_SESSIONS` finished, self-scored rounds, a
coach linked to them (so the rounds sit in the review queue) and an admin. Then the data
set is grown in bulk with `INSERT ... SELECT ... generate_series` — never the ORM:

* questions: the real bank is cloned (questions, their versions with a second version
  for every other clone, skills) until the bank holds `questions` questions;
* candidates: the template candidate is cloned, with every row hanging off them
  (sessions, session questions, events, self assessments and scores, reviews, the
  practice schedule, the coach link), until there are `sessions` finished sessions;
  each clone's rounds point at one copy of the bank (so item statistics spread over it)
  and are shifted back in time;
* the audit log gets one row per session.

Cloned row ids are `id + k * M` with `M` the table's largest id before cloning, so every
foreign key is remapped by the same arithmetic and no id is looked up one at a time.
Column lists come from the SQLAlchemy metadata, so the clone follows the schema.
"""

from __future__ import annotations

import time

from sqlalchemy import text

TEMPLATE_SESSIONS = 10
SCALES = {
    "tiny": {"sessions": 50, "questions": 200},
    "1k": {"sessions": 1_000, "questions": 200},
    "100k": {"sessions": 100_000, "questions": 10_000},
}
TIME_COLUMNS = {
    "practice_sessions": (
        "started_at",
        "deadline_at",
        "finished_at",
        "queued_at",
        "position_since",
    ),
    "session_events": ("at",),
    "self_assessments": ("started_at", "updated_at", "completed_at"),
    "reviews": ("created_at", "updated_at", "published_at"),
}


def _columns(table) -> list[str]:
    return [column.name for column in table.columns]


def _max_ids(conn, tables) -> dict[str, int]:
    return {
        name: conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {name}")).scalar()
        for name in tables
    }


def _clone(conn, table, copies: int, where: str, remap: dict[str, str], params: dict) -> int:
    """INSERT every row of `table` matching `where` `copies` times (k = 1..copies)."""
    columns = _columns(table)
    exprs = [remap.get(name, f"t.{name}") for name in columns]
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {', '.join(exprs)} "
        f"FROM {table.name} t CROSS JOIN generate_series(1, :copies) AS g(k) WHERE {where}"
    )
    return conn.execute(text(sql), {"copies": copies, **params}).rowcount


def _reset_sequences(conn, tables) -> None:
    for name in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {name}))"
            )
        )


def grow_bank(conn, metadata, questions: int) -> dict[str, int]:
    """Clone the imported bank until it holds `questions` questions: the largest ids
    before cloning and the number of complete copies (rounds may point at those)."""
    tables = metadata.tables
    base = conn.execute(text("SELECT count(*) FROM questions")).scalar()
    ids = _max_ids(conn, ["questions", "question_versions"])
    mq, mv = ids["questions"], ids["question_versions"]
    bank = {"m_questions": mq, "m_question_versions": mv, "full_copies": 0}
    if questions <= base:
        return bank
    copies = -(-(questions - base) // base)
    bank["full_copies"] = (questions - base) // base
    params = {"mq": mq, "mv": mv, "extra": questions - base}
    # the k-th copy of question q, only as many as needed (the last copy is partial)
    wanted = (
        "(t.id + k * :mq) IN (SELECT id + kk * :mq FROM (SELECT id, kk, row_number() OVER "
        "(ORDER BY kk, id) AS n FROM questions CROSS JOIN generate_series(1, :copies) AS s(kk) "
        "WHERE id <= :mq) ranked WHERE n <= :extra)"
    )
    _clone(
        conn,
        tables["questions"],
        copies,
        f"t.id <= :mq AND {wanted}",
        {"id": "t.id + k * :mq", "key": "t.key || '-x' || k", "current_version_id": "NULL"},
        params,
    )
    _clone(
        conn,
        tables["question_versions"],
        copies,
        "t.id <= :mv AND EXISTS (SELECT 1 FROM questions q WHERE q.id = t.question_id + k * :mq)",
        {
            "id": "t.id + k * :mv",
            "question_id": "t.question_id + k * :mq",
            "title": "t.title || ' (' || k || ')'",
        },
        params,
    )
    _clone(
        conn,
        tables["question_version_skills"],
        copies,
        "t.question_version_id <= :mv AND EXISTS (SELECT 1 FROM question_versions v "
        "WHERE v.id = t.question_version_id + k * :mv)",
        {"question_version_id": "t.question_version_id + k * :mv"},
        params,
    )
    conn.execute(
        text(
            "UPDATE questions q SET current_version_id = o.current_version_id + "
            "((q.id - o.id) / :mq) * :mv FROM questions o "
            "WHERE q.id > :mq AND o.id = q.id - ((q.id - 1) / :mq) * :mq"
        ),
        params,
    )
    # a second version (an edit) for every other cloned question, made current
    mv2 = _max_ids(conn, ["question_versions"])["question_versions"]
    version = tables["question_versions"]
    columns = _columns(version)
    exprs = {
        "id": f"v.id + {mv2}",
        "number": "v.number + 1",
        "change_note": "'Clarified the prompt.'",
        "prompt_md": "v.prompt_md || E'\\n\\nState your assumptions first.'",
    }
    select = ", ".join(exprs.get(name, f"v.{name}") for name in columns)
    conn.execute(
        text(
            f"INSERT INTO question_versions ({', '.join(columns)}) SELECT {select} "
            "FROM question_versions v JOIN questions q ON q.current_version_id = v.id "
            "WHERE q.id > :mq AND q.id % 2 = 0"
        ),
        params,
    )
    conn.execute(
        text(
            f"UPDATE questions SET current_version_id = current_version_id + {mv2} "
            "WHERE id > :mq AND id % 2 = 0"
        ),
        params,
    )
    _reset_sequences(conn, ["questions", "question_versions"])
    return bank


def grow_candidates(conn, metadata, template_user: int, clones: int, bank: dict) -> None:
    """Clone the template candidate (and every row hanging off them) `clones` times."""
    tables = metadata.tables
    names = [
        "users",
        "practice_sessions",
        "session_questions",
        "session_events",
        "follow_up_answers",
        "self_assessments",
        "self_scores",
        "practice_schedule",
        "coach_links",
        "reviews",
        "review_scores",
        "review_answer_comments",
        "review_revisions",
        "model_suggestions",
    ]
    m = _max_ids(conn, names)
    params = {f"m_{name}": value for name, value in m.items()}
    params.update(
        u=template_user,
        copy=bank["full_copies"] + 1,
        m_questions=bank["m_questions"],
        m_question_versions=bank["m_question_versions"],
    )

    def shift(table: str) -> dict[str, str]:
        return {
            column: f"t.{column} - (k % 365) * interval '1 day'"
            for column in TIME_COLUMNS.get(table, ())
        }

    def new_id(table: str) -> str:
        return f"t.id + k * :m_{table}"

    def ref(column: str, table: str) -> str:
        return f"t.{column} + k * :m_{table}"

    sessions = "SELECT id FROM practice_sessions WHERE user_id = :u AND id <= :m_practice_sessions"
    answers = f"SELECT id FROM session_questions WHERE session_id IN ({sessions})"
    reviews = f"SELECT id FROM reviews WHERE session_id IN ({sessions})"
    # which copy of the bank a clone's rounds use: k % (copies + 1), 0 = the real bank
    bank = "(k % :copy)"
    plan = [
        (
            "users",
            "t.id = :u",
            {
                "id": new_id("users"),
                "email": "'c' || k || '@example.com'",
                "display_name": "'Seeded candidate ' || k",
                "session_token": "md5(random()::text)",
            },
        ),
        (
            "practice_sessions",
            f"t.id IN ({sessions})",
            {"id": new_id("practice_sessions"), "user_id": ref("user_id", "users")},
        ),
        (
            "session_questions",
            f"t.id IN ({answers})",
            {
                "id": new_id("session_questions"),
                "session_id": ref("session_id", "practice_sessions"),
                "question_id": f"t.question_id + {bank} * :m_questions",
                "question_version_id": f"t.question_version_id + {bank} * :m_question_versions",
            },
        ),
        (
            "session_events",
            f"t.session_id IN ({sessions})",
            {"id": new_id("session_events"), "session_id": ref("session_id", "practice_sessions")},
        ),
        (
            "follow_up_answers",
            f"t.session_question_id IN ({answers})",
            {
                "id": new_id("follow_up_answers"),
                "session_question_id": ref("session_question_id", "session_questions"),
            },
        ),
        (
            "self_assessments",
            f"t.session_id IN ({sessions})",
            {
                "id": new_id("self_assessments"),
                "session_id": ref("session_id", "practice_sessions"),
                "user_id": ref("user_id", "users"),
            },
        ),
        (
            "self_scores",
            f"t.session_question_id IN ({answers})",
            {
                "id": new_id("self_scores"),
                "assessment_id": ref("assessment_id", "self_assessments"),
                "session_question_id": ref("session_question_id", "session_questions"),
            },
        ),
        (
            "practice_schedule",
            "t.user_id = :u",
            {"id": new_id("practice_schedule"), "user_id": ref("user_id", "users")},
        ),
        (
            "coach_links",
            "t.candidate_id = :u",
            {"id": new_id("coach_links"), "candidate_id": ref("candidate_id", "users")},
        ),
        (
            "reviews",
            f"t.session_id IN ({sessions})",
            {"id": new_id("reviews"), "session_id": ref("session_id", "practice_sessions")},
        ),
        (
            "review_scores",
            f"t.review_id IN ({reviews})",
            {
                "id": new_id("review_scores"),
                "review_id": ref("review_id", "reviews"),
                "session_question_id": ref("session_question_id", "session_questions"),
            },
        ),
        (
            "review_answer_comments",
            f"t.review_id IN ({reviews})",
            {
                "id": new_id("review_answer_comments"),
                "review_id": ref("review_id", "reviews"),
                "session_question_id": ref("session_question_id", "session_questions"),
            },
        ),
        (
            "review_revisions",
            f"t.review_id IN ({reviews})",
            {"id": new_id("review_revisions"), "review_id": ref("review_id", "reviews")},
        ),
        (
            "model_suggestions",
            f"t.session_question_id IN ({answers})",
            {
                "id": new_id("model_suggestions"),
                "session_question_id": ref("session_question_id", "session_questions"),
            },
        ),
    ]
    for name, where, remap in plan:
        table = tables[name]
        known = set(_columns(table))
        assert set(remap) <= known, (name, set(remap) - known)
        _clone(conn, table, clones, where, {**shift(name), **remap}, params)
    _reset_sequences(conn, names)


def fill_audit_log(conn, metadata, actor_id: int, rows: int) -> None:
    conn.execute(
        text(
            "INSERT INTO audit_events (at, actor_id, action, target_type, target_id, ip, details) "
            "SELECT now() - g * interval '1 minute', :actor, "
            "(ARRAY['question.edit', 'question.publish', 'user.role', 'extra_time.set'])"
            "[g % 4 + 1], "
            "'question', (g % 1000 + 1)::text, '10.0.0.1', '{}'::json "
            "FROM generate_series(1, :rows) AS g"
        ),
        {"actor": actor_id, "rows": rows},
    )


def as_autovacuum_would(engine) -> None:
    """VACUUM ANALYZE the whole database, as autovacuum does on a live one after a load
    (this machine's PostgreSQL runs with autovacuum off). ANALYZE gives the planner its
    statistics (without them bank browse's read was planned for one-row tables: 21 ms
    instead of 2); VACUUM sets the visibility map, without which an index-only scan
    fetches every row it reads from the table anyway."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def seed(app, scale: str, *, recreate: bool = True) -> dict:
    """Wipe the app's database and seed `scale`; ids the bench needs, and seconds taken.
    `recreate`: drop and create the schema (the bench); else empty the tables (tests)."""
    from app.bank import stats
    from app.extensions import db
    from bench.__main__ import finish_and_score, import_bank, start_round
    from tests import factories
    from tests.coach import builders

    sizes = SCALES[scale]
    started = time.perf_counter()
    with app.app_context():
        assert db.engine.dialect.name == "postgresql", "the scale seeder runs on PostgreSQL"
        if recreate:
            db.drop_all()
            db.create_all()
        else:
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    import_bank(app)
    with app.app_context():
        candidate = factories.user(email="bench@example.com").id
        coach = factories.user("coach", email="coach@example.com").id
        admin = factories.user("admin", email="admin@example.com").id
        builders.link(coach, candidate)
    template = []
    for _ in range(TEMPLATE_SESSIONS):
        session_id = start_round(app, candidate)
        finish_and_score(app, candidate, session_id)
        template.append(session_id)
    services = time.perf_counter() - started
    with app.app_context(), db.engine.begin() as conn:
        bank = grow_bank(conn, db.metadata, sizes["questions"])
        clones = sizes["sessions"] // TEMPLATE_SESSIONS - 1
        grow_candidates(conn, db.metadata, candidate, clones, bank)
        fill_audit_log(conn, db.metadata, admin, sizes["sessions"])
    with app.app_context():  # the bulk copies bypassed the item-statistics counters
        stats.recount()
        db.session.commit()
        as_autovacuum_would(db.engine)
    running = start_round(app, candidate)
    return {
        "candidate": candidate,
        "coach": coach,
        "admin": admin,
        "scored": template[-1],
        "running": running,
        "seconds": time.perf_counter() - started,
        "service_seconds": services,
    }


def counts(app) -> dict[str, int]:
    from app.extensions import db

    names = (
        "questions",
        "question_versions",
        "users",
        "practice_sessions",
        "session_questions",
        "self_scores",
        "audit_events",
        "coach_links",
    )
    with app.app_context():
        return {n: db.session.execute(text(f"SELECT count(*) FROM {n}")).scalar() for n in names}
