"""What each answer of a finished round mentions (issue 13), from the versions it pinned.

The read behind "What the answer mentions" on the scoring page, the report (page and its
Markdown, JSON and CSV exports) and the coach's session log. It gathers plain values —
the pinned question version's talking points, prompt and answer kind, the glossaries of
its skill areas (in skill order), the answer's text and the seconds spent on it (as the
report counts them) — and hands them to the pure engine, app.domain.insights. The result
is descriptive, never a score: nothing here writes.

The matcher (WordLlama embeddings, app.embeddings) is loaded once per process at first
use; routes get it with `matcher_in(current_app.instance_path)` and pass it down.
"""

from __future__ import annotations

from pathlib import Path

from app.domain import report as report_domain
from app.domain.insights import AnswerInsights, Matcher, answer_insights, talking_points_from
from app.embeddings import shared_matcher
from app.models.bank import AnswerKind, QuestionVersion
from app.models.practice import PracticeSession, SessionQuestion

MODEL_FOLDER = "wordllama"  # under the instance folder: the tokenizer config the model reads


def matcher_in(instance_path: str) -> Matcher:
    """The process's matcher, its files kept under `<instance_path>/wordllama`."""
    return shared_matcher(Path(instance_path) / MODEL_FOLDER)


def glossary_terms(version: QuestionVersion) -> list[str]:
    """The glossary terms of a version's skill areas, in skill order, each once."""
    terms = [t for skill in version.skills for t in (skill.glossary or [])]
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


def item_insights(item: SessionQuestion, seconds: int | None, matcher: Matcher) -> AnswerInsights:
    """What one answer mentions, against the talking points of the version it pinned."""
    version = item.question_version
    return answer_insights(
        item.answer_text or "",
        talking_points_from(version.talking_points or []),
        glossary_terms(version),
        seconds,
        version.prompt_md,
        matcher,
        is_code=version.answer_kind == AnswerKind.CODE.value,
    )


def session_insights(session: PracticeSession, matcher: Matcher) -> dict[int, AnswerInsights]:
    """Insights per session question id, for every question of a finished round."""
    seconds = spent_seconds(session)
    return {item.id: item_insights(item, seconds[item.id], matcher) for item in session.items}
