"""question_usage, question_version_usage, question_time_usage: item-statistics counters (issue 14)

The admin's item statistics aggregated every finished attempt on each page load (one
GROUP BY over ~300,000 rows at 100k rounds, so it could sort by "most sat"). These tables
hold counters instead, kept by the writes that change them (app.bank.stats): per
question (every question, sat or not) its finished attempts, indexed for the "most/least
sat" order, with two indexes for the title order and its join; per version
the sums behind every figure, and per version a histogram of whole seconds for the
exact median.

The backfill counts every finished attempt here in SQL, with a copy of the per-attempt
arithmetic as it stands at this revision (the time a question took, answered or blank,
estimate within tolerance, the 0-100 completed self-score), not an import of the app, so
that a later change to the app cannot change what this released revision writes. The
rubrics' criteria (JSON) are read once and put in a scratch table for the join; that is
bounded by the bank, not by the rounds. tests/migrations/test_0017_*.py checks the result
against the Python arithmetic over the attempts.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 16:00:00

"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BOUNDARY_SLACK = 1e-9
DEFAULT_WEIGHT = 1.0


def _fk(table, column, referred):
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def upgrade():
    op.create_table(
        "question_usage",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _fk("question_usage", "question_id", "questions"),
        sa.PrimaryKeyConstraint("question_id", name=op.f("pk_question_usage")),
    )
    op.create_index("ix_question_usage_attempts", "question_usage", ["attempts", "question_id"])
    op.create_table(
        "question_version_usage",
        sa.Column("question_version_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("attempts", "answered", "hints", "scored")
        ),
        sa.Column("score_sum", sa.Float(), nullable=False),
        sa.Column("estimates_checked", sa.Integer(), nullable=False),
        sa.Column("estimates_within", sa.Integer(), nullable=False),
        _fk("question_version_usage", "question_version_id", "question_versions"),
        _fk("question_version_usage", "question_id", "questions"),
        sa.PrimaryKeyConstraint("question_version_id", name=op.f("pk_question_version_usage")),
    )
    op.create_index(
        "ix_question_version_usage_question_id", "question_version_usage", ["question_id"]
    )
    op.create_table(
        "question_time_usage",
        sa.Column("question_version_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _fk("question_time_usage", "question_version_id", "question_versions"),
        _fk("question_time_usage", "question_id", "questions"),
        sa.PrimaryKeyConstraint(
            "question_version_id", "seconds", name=op.f("pk_question_time_usage")
        ),
    )
    op.create_index(
        "ix_question_time_usage_question", "question_time_usage", ["question_id", "seconds"]
    )
    # the list's title order walked by index (0016 indexes the join from a version to its
    # question: ix_questions_current_version)
    op.create_index("ix_question_versions_title", "question_versions", ["title", "id"])
    _backfill(op.get_bind())


def _backfill(connection):
    sessions = sa.table(
        "practice_sessions",
        *(sa.column(c) for c in ("id", "status", "started_at", "finished_at", "deadline_at")),
    )
    items = sa.table(
        "session_questions",
        *(
            sa.column(c)
            for c in (
                "id",
                "session_id",
                "question_id",
                "question_version_id",
                "rubric_version_id",
                "answer_text",
                "answer_number",
                "time_spent_seconds",
                "hints_revealed",
            )
        ),
        sa.column("answer_links", sa.JSON()),
    )
    versions = sa.table(
        "question_versions",
        *(sa.column(c) for c in ("id", "answer_kind", "estimate_value", "estimate_tolerance_pct")),
    )
    rubrics = sa.table("rubric_versions", sa.column("id"), sa.column("criteria", sa.JSON()))
    scores = sa.table(
        "self_scores",
        *(sa.column(c) for c in ("session_question_id", "assessment_id", "criterion_key", "level")),
    )
    assessments = sa.table("self_assessments", sa.column("id"), sa.column("completed_at"))
    sqlite = connection.dialect.name == "sqlite"

    # the criteria of every rubric version: (rubric version, key, lowest level, span, weight)
    criteria = sa.Table(
        "_usage_criteria",
        sa.MetaData(),
        sa.Column("rubric_version_id", sa.Integer()),
        sa.Column("key", sa.String(200)),
        sa.Column("low", sa.Integer()),
        sa.Column("span", sa.Float()),
        sa.Column("weight", sa.Float()),
    )
    criteria.create(connection)
    rows = []
    for rubric_id, stored in connection.execute(sa.select(rubrics.c.id, rubrics.c.criteria)):
        stored = json.loads(stored) if isinstance(stored, str) else stored
        for item in stored or []:
            values = sorted(int(level["value"]) for level in item.get("levels", []))
            if not values:
                continue
            weight = item.get("weight", DEFAULT_WEIGHT)
            weight = float(DEFAULT_WEIGHT if weight is None else weight)
            rows.append(
                {
                    "rubric_version_id": rubric_id,
                    "key": str(item["key"]),
                    "low": values[0],
                    "span": float(values[-1] - values[0]),
                    "weight": max(weight, 0.0),
                }
            )
    if rows:
        connection.execute(criteria.insert(), rows)

    finished = sessions.c.status != "in_progress"
    level = scores.c.level
    normalised = sa.case(
        (criteria.c.span == 0, 100.0),
        else_=sa.cast(level - criteria.c.low, sa.Float) / criteria.c.span * 100.0,
    )
    total = sa.func.sum(criteria.c.weight)
    self_scores = (
        sa.select(
            scores.c.session_question_id.label("item_id"),
            sa.case(
                (total > 0, sa.func.sum(normalised * criteria.c.weight) / total),
                else_=sa.func.avg(normalised),
            ).label("score"),
        )
        .join(assessments, assessments.c.id == scores.c.assessment_id)
        .join(items, items.c.id == scores.c.session_question_id)
        .join(
            criteria,
            sa.and_(
                criteria.c.rubric_version_id == items.c.rubric_version_id,
                criteria.c.key == scores.c.criterion_key,
            ),
        )
        .where(assessments.c.completed_at.is_not(None), level.is_not(None))
        .group_by(scores.c.session_question_id)
        .subquery("self_scores")
    )

    round_items = items.alias("round_items")
    size = (
        sa.select(sa.func.count(round_items.c.id))
        .where(round_items.c.session_id == items.c.session_id)
        .correlate(items)
        .scalar_subquery()
    )
    ended = sa.case(
        (
            sa.and_(
                sessions.c.finished_at.is_not(None),
                sessions.c.finished_at < sessions.c.deadline_at,
            ),
            sessions.c.finished_at,
        ),
        else_=sessions.c.deadline_at,
    )
    started = sessions.c.started_at
    if sqlite:
        whole = (
            (
                sa.cast(sa.func.strftime("%s", ended), sa.Integer)
                - sa.cast(sa.func.strftime("%s", started), sa.Integer)
            )
            * 1_000_000
            + sa.cast(sa.func.substr(ended, 21, 6), sa.Integer)
            - sa.cast(sa.func.substr(started, 21, 6), sa.Integer)
        ) // 1_000_000
    else:
        whole = sa.cast(sa.func.floor(sa.func.extract("epoch", ended - started)), sa.Integer)

    def positive(value):
        return sa.case((value > 0, value), else_=0)

    recorded = items.c.time_spent_seconds
    seconds = sa.case((sa.or_(recorded > 0, size != 1), positive(recorded)), else_=positive(whole))
    links = sa.cast(items.c.answer_links, sa.String)
    answered = sa.case(
        (
            sa.or_(
                sa.func.trim(sa.func.coalesce(items.c.answer_text, ""), " \t\n\r\f\v") != "",
                items.c.answer_number.is_not(None),
                sa.and_(items.c.answer_links.is_not(None), links.not_in(["[]", "null"])),
            ),
            1,
        ),
        else_=0,
    )
    answer, reference = items.c.answer_number, versions.c.estimate_value
    tolerance = sa.func.coalesce(versions.c.estimate_tolerance_pct, 0.0)
    within = sa.case(
        (
            sa.and_(
                versions.c.answer_kind == "estimate",
                reference.is_not(None),
                answer.is_not(None),
            ),
            sa.case(
                (reference == 0, sa.case((answer == 0, 1), else_=0)),
                (
                    sa.func.abs(answer - reference)
                    <= sa.func.abs(reference)
                    * sa.case((tolerance > 0, tolerance), else_=0.0)
                    / 100.0
                    + sa.func.abs(reference) * BOUNDARY_SLACK,
                    1,
                ),
                else_=0,
            ),
        ),
    )
    attempts = (
        sa.select(
            items.c.question_id.label("question_id"),
            items.c.question_version_id.label("version_id"),
            answered.label("answered"),
            seconds.label("seconds"),
            items.c.hints_revealed.label("hints"),
            within.label("within"),
            self_scores.c.score.label("score"),
        )
        .join(sessions, sessions.c.id == items.c.session_id)
        .join(versions, versions.c.id == items.c.question_version_id)
        .outerjoin(self_scores, self_scores.c.item_id == items.c.id)
        .where(finished)
        .subquery("attempts")
    )
    a = attempts.c
    usage = sa.table("question_usage", sa.column("question_id"), sa.column("attempts"))
    questions = sa.table("questions", sa.column("id"))
    sat = sa.select(a.question_id, sa.func.count().label("n")).group_by(a.question_id).subquery()
    connection.execute(  # every question, sat or not
        usage.insert().from_select(
            ["question_id", "attempts"],
            sa.select(questions.c.id, sa.func.coalesce(sat.c.n, 0)).outerjoin(
                sat, sat.c.question_id == questions.c.id
            ),
        )
    )
    times = sa.table(
        "question_time_usage",
        *(sa.column(c) for c in ("question_version_id", "seconds", "question_id", "attempts")),
    )
    connection.execute(
        times.insert().from_select(
            ["question_version_id", "seconds", "question_id", "attempts"],
            sa.select(a.version_id, a.seconds, a.question_id, sa.func.count()).group_by(
                a.version_id, a.seconds, a.question_id
            ),
        )
    )
    columns = [
        "question_version_id",
        "question_id",
        "attempts",
        "answered",
        "hints",
        "scored",
        "score_sum",
        "estimates_checked",
        "estimates_within",
    ]
    per_version = sa.table("question_version_usage", *(sa.column(c) for c in columns))
    connection.execute(
        per_version.insert().from_select(
            columns,
            sa.select(
                a.version_id,
                a.question_id,
                sa.func.count(),
                sa.func.sum(a.answered),
                sa.func.sum(a.hints),
                sa.func.count(a.score),
                sa.func.coalesce(sa.func.sum(a.score), 0.0),
                sa.func.count(a.within),
                sa.func.coalesce(sa.func.sum(a.within), 0),
            ).group_by(a.version_id, a.question_id),
        )
    )
    criteria.drop(connection)


def downgrade():
    op.drop_index("ix_question_versions_title", table_name="question_versions")
    op.drop_index("ix_question_time_usage_question", table_name="question_time_usage")
    op.drop_table("question_time_usage")
    op.drop_index("ix_question_version_usage_question_id", table_name="question_version_usage")
    op.drop_table("question_version_usage")
    op.drop_index("ix_question_usage_attempts", table_name="question_usage")
    op.drop_table("question_usage")
