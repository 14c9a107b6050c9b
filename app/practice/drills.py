"""Drill one question (issue 18): a single-question round of a question the candidate picks.

A drill is an ordinary round, so it is saved, submitted, scored, reported and fed to the
spaced-repetition schedule exactly like any other: the only differences are how its one
question is chosen (by the candidate, not the picker) and its length.

Design: each stage gets one built-in round format flagged `drill` ("Single-question
drill", key `drill-<stage>`), made the first time someone drills a question of that stage.
Sessions keep their non-null `round_format_id`, every page that names a round's format
says "Single-question drill", and the formats grid, the bank editor and the bank's files
leave drill formats out. The question is pinned on the session's one item as usual.

Length: "timed" is the question's suggested minutes (times the candidate's extra time);
"untimed" shows no countdown, but is still bounded by the take-home window (48 h,
`timing.UNTIMED_MINUTES`), so the sweep closes an abandoned drill like any round. A round
of 8 h or more is a take-home by the timing rules, so an untimed drill uses the take-home
slot and a timed round can run beside it; a timed drill uses the timed slot.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.domain import timing
from app.extensions import db
from app.models.bank import Question, QuestionStatus, QuestionVersion, RoundFormat, Stage
from app.models.practice import PracticeSession
from app.practice.errors import AlreadyRunning, NoQuestions
from app.practice.lifecycle import finalise_users_overdue
from app.practice.starting import already_running_message, open_round, running_of_kind

DRILL_NAME = "Single-question drill"
TIMED = "timed"
UNTIMED = "untimed"
MODES = (TIMED, UNTIMED)
NOT_DRILLABLE = (
    "That question is not in the published bank (or has no rubric yet), so it cannot be "
    "drilled. Pick another one from the question bank."
)


def drill_format_key(stage_key: str) -> str:
    return f"drill-{stage_key}"


def drill_format(stage: Stage) -> RoundFormat:
    """The stage's built-in drill format, made on first use (a race makes it once)."""
    key = drill_format_key(stage.key)
    fmt = db.session.scalar(select(RoundFormat).where(RoundFormat.key == key))
    if fmt is not None:
        return fmt
    fmt = RoundFormat(
        key=key,
        name=DRILL_NAME,
        stage_key=stage.key,
        duration_minutes=stage.default_minutes or 10,
        question_count=1,
        answer_kinds=[],
        description="One question you chose, timed at its suggested minutes or untimed.",
        position=10_000,
        drill=True,
    )
    try:
        with db.session.begin_nested():
            db.session.add(fmt)
    except IntegrityError:  # another request made it first
        fmt = db.session.scalar(select(RoundFormat).where(RoundFormat.key == key))
    return fmt


def drillable_version(question_key: str) -> QuestionVersion | None:
    """The current version of a published question with a current rubric, or None."""
    version = db.session.scalar(
        select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.key == question_key, Question.status == QuestionStatus.PUBLISHED.value)
        .options(selectinload(QuestionVersion.rubric), selectinload(QuestionVersion.stage))
    )
    if version is None or version.rubric is None or version.rubric.current_version_id is None:
        return None
    return version


def start_drill(user_id: int, question_key: str, mode: str, *, now: datetime) -> PracticeSession:
    """Start a single-question round of `question_key`, timed or untimed."""
    version = drillable_version(question_key) if mode in MODES else None
    if version is None:
        raise NoQuestions(NOT_DRILLABLE)
    untimed = mode == UNTIMED
    minutes = timing.UNTIMED_MINUTES if untimed else max(1, version.suggested_minutes or 10)
    take_home = timing.is_take_home(version.stage_key, minutes)
    finalise_users_overdue(user_id, now)
    running = running_of_kind(user_id, take_home)
    if running is not None:
        db.session.commit()  # keep any finalisation done above
        raise AlreadyRunning(already_running_message(running, now), running)
    return open_round(
        user_id,
        drill_format(version.stage),
        [version],
        minutes=minutes,
        take_home=take_home,
        now=now,
        untimed=untimed,
        log={"drill": question_key, "mode": mode},
    )
