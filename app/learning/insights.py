"""What each answer of a finished round mentions (issue 13), from the versions it pinned.

The read behind "What the answer mentions" on the scoring page, the report (page and its
Markdown, JSON and CSV exports) and the coach's session log. It gathers plain values —
the pinned question version's talking points, prompt and answer kind, the glossaries of
its skill areas (in skill order, as they stood when the round started: glossaries are
versioned like the rest of the bank), the answer's text and the seconds spent on it (as the
report counts them) — and hands them to the pure engine, app.domain.insights. The result
is descriptive, never a score: nothing here writes.

The matcher (WordLlama embeddings, app.embeddings) is loaded once per process at first
use; routes get it with `matcher_in(current_app.instance_path)` and pass it down.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.domain import report as report_domain
from app.domain.insights import AnswerInsights, Matcher, answer_insights, talking_points_from
from app.embeddings import shared_matcher
from app.extensions import db
from app.models.bank import AnswerKind, GlossaryVersion, QuestionVersion
from app.models.practice import PracticeSession, SessionQuestion

MODEL_FOLDER = "wordllama"  # under the instance folder: the tokenizer config the model reads


def matcher_in(instance_path: str) -> Matcher:
    """The process's matcher, its files kept under `<instance_path>/wordllama`."""
    return shared_matcher(Path(instance_path) / MODEL_FOLDER)


def glossaries_at(skill_keys: set[str], at: datetime) -> dict[str, list[str]]:
    """Each skill's glossary as it stood at `at`: its latest version from before then (the
    first version for a moment before any). Skills with no versions are left out."""
    versions = db.session.scalars(
        select(GlossaryVersion)
        .where(GlossaryVersion.skill_key.in_(skill_keys))
        .order_by(GlossaryVersion.skill_key, GlossaryVersion.number)
    )
    chosen: dict[str, list[str]] = {}
    for version in versions:
        if version.skill_key not in chosen or version.valid_from <= at:
            chosen[version.skill_key] = list(version.terms or [])
    return chosen


def glossary_terms(version: QuestionVersion, glossaries: dict[str, list[str]]) -> list[str]:
    """The glossary terms of a version's skill areas (as `glossaries` has them, else the
    current glossary), in skill order, each once."""
    terms = [t for skill in version.skills for t in glossaries.get(skill.key, skill.glossary or [])]
    return list(dict.fromkeys(terms))


def spent_seconds(session: PracticeSession) -> dict[int, int]:
    """Seconds spent per session question, as the report counts them."""
    ended = min(session.finished_at or session.deadline_at, session.deadline_at)
    items = session.items
    return {
        item.id: report_domain.question_seconds(
            item.time_spent_seconds, len(items), session.started_at, ended
        )
        for item in items
    }


def item_insights(
    item: SessionQuestion,
    seconds: int | None,
    matcher: Matcher,
    glossaries: dict[str, list[str]],
) -> AnswerInsights:
    """What one answer mentions, against the talking points of the version it pinned and
    the glossaries of when the round started."""
    version = item.question_version
    return answer_insights(
        item.answer_text or "",
        talking_points_from(version.talking_points or []),
        glossary_terms(version, glossaries),
        seconds,
        version.prompt_md,
        matcher,
        is_code=version.answer_kind == AnswerKind.CODE.value,
    )


def session_insights(session: PracticeSession, matcher: Matcher) -> dict[int, AnswerInsights]:
    """Insights per session question id, for every question of a finished round."""
    seconds = spent_seconds(session)
    skills = {skill.key for item in session.items for skill in item.question_version.skills}
    glossaries = glossaries_at(skills, session.started_at)
    return {
        item.id: item_insights(item, seconds[item.id], matcher, glossaries)
        for item in session.items
    }
