"""Download my data: a ZIP of JSON files, written while it streams.

`zip_chunks` is a generator: zipfile writes each member into a small sink (no seeking,
so sizes go in data descriptors) and the bytes are handed on as soon as one file is
done. Rounds are read a page at a time with their questions, answers and events in a
few queries per page, so memory and the first byte do not wait for 500 rounds.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.domain import report_formats
from app.extensions import db
from app.learning import report as learning_report
from app.models import audit
from app.models.practice import LoopRun, PracticeSession, SessionQuestion
from app.models.review import CoachLink, Notification, Review, ReviewStatus
from app.models.scoring import PracticeScheduleItem, SelfAssessment
from app.models.users import User

PAGE = 50

README = """mockloop: your data
===================

Exported {now} (UTC) for {email}. Every file is JSON (UTF-8); times are ISO 8601 UTC.

profile.json          your account: email, name, role, time zone, dates, choices.
rounds/<id>.json      one file per round you started: its format and times, each
                      question with the text and rubric exactly as the round pinned
                      them, your answers, the event log (starts, saves, switches,
                      submits), your self-scores and reflection, the report (once
                      scoring finished) and the published coach reviews you received.
coaches.json          the coaches you linked (or, for coaches, the candidates who
                      linked you) and when.
schedule.json         your practise-next schedule (one row per criterion or skill).
loop_runs.json        your passes through loop plans.
notifications.json    the notifications shown to you.
reviews_written.json  (coaches) every review you wrote: working copy and published
                      revisions.

Nothing in here is shared with anyone by the export itself. Deleting your account
(Settings, Your data) removes all of it from mockloop; reviews you wrote as a coach
stay with your candidates, signed "a former coach".
"""


class _Sink:
    """A write-only file for zipfile that keeps bytes until they are taken."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._offset = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def record_download(user_id: int, *, ip: str | None) -> None:
    """Audit that a user downloaded their data (who, when, from where), before it streams."""
    audit.record("data.export", actor_id=user_id, target_type="user", target_id=user_id, ip=ip)
    db.session.commit()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _json(data) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n").encode()


def profile(user: User) -> dict:
    """The account's own fields (no password hash, no session token)."""
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "timezone": user.timezone,
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
        "email_verified_at": _iso(user.email_verified_at),
        "pending_email": user.pending_email,
        "coach_sharing": user.coach_sharing,
        "email_notifications": user.email_notifications,
        "invite_code": user.invite_code,
        "time_multiplier": user.time_multiplier,
        "my_projects": user.my_projects,
    }


def _question(item: SessionQuestion) -> dict:
    version, rubric = item.question_version, item.rubric_version
    return {
        "position": item.position,
        "question": {
            "key": item.question.key if item.question else None,
            "version": version.number,
            "title": version.title,
            "prompt_md": version.prompt_md,
            "answer_kind": version.answer_kind,
            "estimate_unit": version.estimate_unit,
        },
        "rubric": {
            "version": rubric.number,
            "title": rubric.title,
            "criteria": rubric.criteria,
        },
        "answer": {
            "text": item.answer_text,
            "number": item.answer_number,
            "unit": item.answer_unit,
            "links": item.answer_links,
            "revision": item.revision,
            "saved_at": _iso(item.saved_at),
            "hints_revealed": item.hints_revealed,
            "time_spent_seconds": item.time_spent_seconds,
        },
    }


def _assessment(assessment: SelfAssessment | None) -> dict | None:
    if assessment is None:
        return None
    return {
        "reflection": assessment.reflection,
        "started_at": _iso(assessment.started_at),
        "completed_at": _iso(assessment.completed_at),
        "summary": assessment.summary,
        "practise_next": assessment.practise_next,
        "scores": [
            {
                "session_question_id": s.session_question_id,
                "criterion_key": s.criterion_key,
                "level": s.level,
                "note": s.note,
                "updated_at": _iso(s.updated_at),
            }
            for s in assessment.scores
        ],
    }


def _review(review: Review, *, working_copy: bool) -> dict:
    data = {
        "review_id": review.id,
        "session_id": review.session_id,
        "coach": review.coach.display_name if review.coach else None,
        "status": review.status,
        "published_at": _iso(review.published_at),
        "revisions": [
            {"number": r.number, "published_at": _iso(r.published_at), "snapshot": r.snapshot}
            for r in review.revisions
        ],
    }
    if working_copy:
        data["working_copy"] = {
            "strengths_md": review.strengths_md,
            "gaps_md": review.gaps_md,
            "next_steps_md": review.next_steps_md,
            "scores": [
                {
                    "session_question_id": s.session_question_id,
                    "criterion_key": s.criterion_key,
                    "level": s.level,
                    "comment_md": s.comment_md,
                }
                for s in review.scores
            ],
            "answer_comments": [
                {"session_question_id": c.session_question_id, "comment_md": c.comment_md}
                for c in review.answer_comments
            ],
        }
    return data


def _report(session: PracticeSession, assessment: SelfAssessment | None) -> dict | None:
    """The round's report as its JSON export has it, once scoring is finished."""
    if assessment is None or not assessment.is_complete:
        return None
    return report_formats.to_dict(learning_report.build_session_report(session))


def _round(session, assessment, reviews) -> dict:
    return {
        "id": session.id,
        "stage": session.stage_key,
        "format": session.round_format.name if session.round_format else None,
        "status": session.status,
        "started_at": _iso(session.started_at),
        "deadline_at": _iso(session.deadline_at),
        "finished_at": _iso(session.finished_at),
        "is_take_home": session.is_take_home,
        "untimed": session.untimed,
        "time_multiplier": session.time_multiplier,
        "loop_run_id": session.loop_run_id,
        "shared_with_coaches": session.shared_with_coaches,
        "questions": [_question(item) for item in session.items],
        "events": [
            {"at": _iso(e.at), "kind": e.kind, "position": e.position, "data": e.data}
            for e in session.events
        ],
        "self_assessment": _assessment(assessment),
        "report": _report(session, assessment),
        "coach_reviews_received": [_review(r, working_copy=False) for r in reviews],
    }


def session_ids(user_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(PracticeSession.id)
            .where(PracticeSession.user_id == user_id)
            .order_by(PracticeSession.id)
        )
    )


def _rounds(user_id: int) -> Iterator[tuple[int, dict]]:
    """Every round of the user, a page of PAGE rounds per handful of queries."""
    ids = session_ids(user_id)
    for start in range(0, len(ids), PAGE):
        page = ids[start : start + PAGE]
        sessions = db.session.scalars(
            select(PracticeSession)
            .where(PracticeSession.id.in_(page))
            .order_by(PracticeSession.id)
            .options(
                joinedload(PracticeSession.round_format),
                selectinload(PracticeSession.events),
                selectinload(PracticeSession.items).options(
                    joinedload(SessionQuestion.question),
                    joinedload(SessionQuestion.question_version),
                    joinedload(SessionQuestion.rubric_version),
                ),
            )
        ).all()
        assessments = {
            a.session_id: a
            for a in db.session.scalars(
                select(SelfAssessment)
                .where(SelfAssessment.session_id.in_(page))
                .options(selectinload(SelfAssessment.scores))
            )
        }
        reviews: dict[int, list[Review]] = {}
        for review in db.session.scalars(
            select(Review)
            .where(Review.session_id.in_(page), Review.status == ReviewStatus.PUBLISHED.value)
            .options(joinedload(Review.coach), selectinload(Review.revisions))
            .order_by(Review.id)
        ):
            reviews.setdefault(review.session_id, []).append(review)
        for session in sessions:
            yield (
                session.id,
                _round(session, assessments.get(session.id), reviews.get(session.id, [])),
            )
        db.session.expunge_all()  # keep memory flat across pages


def _small_files(user: User) -> Iterator[tuple[str, object]]:
    links = db.session.scalars(
        select(CoachLink)
        .where(or_(CoachLink.candidate_id == user.id, CoachLink.coach_id == user.id))
        .options(joinedload(CoachLink.coach), joinedload(CoachLink.candidate))
        .order_by(CoachLink.id)
    )
    yield (
        "coaches.json",
        [
            {
                "coach": link.coach.display_name,
                "candidate": link.candidate.display_name,
                "you_are": "candidate" if link.candidate_id == user.id else "coach",
                "linked_at": _iso(link.created_at),
            }
            for link in links
        ],
    )
    schedule = db.session.scalars(
        select(PracticeScheduleItem)
        .where(PracticeScheduleItem.user_id == user.id)
        .order_by(PracticeScheduleItem.id)
    )
    yield (
        "schedule.json",
        [
            {
                "kind": s.kind,
                "item": s.item_key,
                "title": s.title,
                "due_at": _iso(s.due_at),
                "interval_days": s.interval_days,
                "repetitions": s.repetitions,
                "ease": s.ease,
                "last_score": s.last_score,
                "recent_score": s.recent_score,
                "reviews": s.reviews,
                "last_reviewed_at": _iso(s.last_reviewed_at),
            }
            for s in schedule
        ],
    )
    runs = db.session.scalars(
        select(LoopRun).where(LoopRun.user_id == user.id).options(joinedload(LoopRun.plan))
    )
    yield (
        "loop_runs.json",
        [
            {
                "id": r.id,
                "plan": r.plan.name if r.plan else None,
                "status": r.status,
                "started_at": _iso(r.started_at),
                "finished_at": _iso(r.finished_at),
                "note": r.note,
            }
            for r in runs
        ],
    )
    notifications = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    yield (
        "notifications.json",
        [
            {
                "kind": n.kind,
                "message": n.message,
                "link": n.link,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
            }
            for n in notifications
        ],
    )
    if user.is_coach or db.session.scalar(select(Review.id).where(Review.coach_id == user.id)):
        written = db.session.scalars(
            select(Review)
            .where(Review.coach_id == user.id)
            .options(
                joinedload(Review.coach),
                selectinload(Review.revisions),
                selectinload(Review.scores),
                selectinload(Review.answer_comments),
            )
            .order_by(Review.id)
        )
        yield "reviews_written.json", [_review(r, working_copy=True) for r in written]


def members(user_id: int, now: datetime) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of every file of the export, in order."""
    user = db.session.get(User, user_id)
    yield "README.txt", README.format(now=now.strftime("%Y-%m-%d %H:%M"), email=user.email).encode()
    yield "profile.json", _json(profile(user))
    for name, data in _small_files(user):
        yield name, _json(data)
    for session_id, data in _rounds(user_id):
        yield f"rounds/{session_id}.json", _json(data)


def zip_chunks(files: Iterable[tuple[str, bytes]], now: datetime) -> Iterator[bytes]:
    """A ZIP of `files`, yielded piece by piece as each member is written."""
    sink = _Sink()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(f"mockloop-data/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
            chunk = sink.take()
            if chunk:
                yield chunk
    yield sink.take()


def export_filename(now: datetime) -> str:
    return f"mockloop-data-{now:%Y-%m-%d}.zip"
