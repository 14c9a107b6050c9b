"""`flask demo seed`: a candidate, a coach and an admin with a full product to look at.

Everything goes through the same services the pages use (start a round, save answers,
submit, self-score, link a coach, publish a review), so the demo data is what a real
candidate would produce: pinned question versions, timing events, a report, a practise-next
list and a published review. The round is placed two hours in the past by passing `now`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.accounts import services as accounts
from app.coach import queries as coach_queries
from app.coach import services as coach
from app.extensions import db
from app.learning import loading, scoring
from app.models.bank import RoundFormat
from app.models.users import Role
from app.practice import answers, lifecycle, starting
from app.practice.errors import AnswerInput

DEMO_DOMAIN = "demo.mockloop.test"
DEMO_FORMAT = "recruiter_screen"
PEOPLE = (  # email local part, display name, role
    ("candidate", "Dana Demo (candidate)", Role.CANDIDATE.value),
    ("coach", "Cole Demo (coach)", Role.COACH.value),
    ("admin", "Ari Demo (admin)", Role.ADMIN.value),
)


class DemoError(RuntimeError):
    """The demo cannot be seeded here; the message says why in one line."""


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: str


@dataclass(frozen=True)
class DemoResult:
    accounts: tuple[DemoAccount, ...]
    session_id: int
    review_id: int


def email_of(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


def _answer_text(item) -> str:
    """A plausible answer: the question's own talking points, in the candidate's words."""
    version = item.question_version
    points = [p.get("label", "") for p in (version.talking_points or [])][:3]
    lines = [f"- {label}." for label in points if label]
    body = "\n".join(lines) or "- A concrete example, what I did, and the measured outcome."
    return f"My answer to '{version.title}':\n\n{body}\n\nI would back each point with numbers."


def _levels(view) -> dict[tuple[int, str], int]:
    """Self-scores with a clear weak spot: the last criterion of every rubric scores lowest."""
    levels = {}
    for scoring_item in view.items:
        for index, criterion in enumerate(scoring_item.criteria):
            values = [level.value for level in criterion.levels]
            low = index == len(scoring_item.criteria) - 1
            levels[(scoring_item.item.id, criterion.key)] = values[0] if low else values[-2]
    return levels


def seed(*, env_name: str, now: datetime, max_chars: int, max_links: int) -> DemoResult:
    """Create the three demo users and their data, or refuse (production, second run)."""
    if env_name == "production":
        raise DemoError(
            "refusing to seed demo accounts with printed passwords in production "
            "(run it with MOCKLOOP_ENV=development)"
        )
    if accounts.user_by_email(email_of("candidate")) is not None:
        raise DemoError(
            f"the demo data already exists (sign in as {email_of('candidate')}); to get a "
            f"new password run `flask users set-password {email_of('candidate')}`"
        )
    fmt = db.session.scalar(select(RoundFormat).where(RoundFormat.key == DEMO_FORMAT))
    if fmt is None:
        raise DemoError("the question bank is empty: run `flask bank import` first")

    made = []
    for local, name, role in PEOPLE:
        password = secrets.token_urlsafe(12)
        user = accounts.create_user(email_of(local), name, password, role)
        made.append((user.id, DemoAccount(user.email, password, role)))
    candidate_id, coach_id = made[0][0], made[1][0]

    started = now - timedelta(hours=2)
    session = starting.start_round(candidate_id, fmt.id, now=started, seed=18)
    clock = started
    for item in sorted(session.items, key=lambda i: i.position):
        clock += timedelta(minutes=4)
        answers.save_answer(
            candidate_id,
            session.id,
            item.position,
            AnswerInput(text=_answer_text(item)),
            base_revision=item.revision,
            max_chars=max_chars,
            max_links=max_links,
            now=clock,
        )
    lifecycle.submit_round(candidate_id, session.id, now=clock + timedelta(minutes=1))

    view = loading.scoring_view(session.id, candidate_id, now=clock + timedelta(minutes=5))
    scoring.save_scoring(
        session.id,
        candidate_id,
        _levels(view),
        {},
        "Strong on examples; I still skip the measured outcome. Practise that next.",
        clock + timedelta(minutes=15),
        finish=True,
    )

    code = coach.rotate_invite_code(coach_id)
    coach.link_coach(candidate_id, code, now=clock + timedelta(minutes=20))
    coach.set_sharing(candidate_id, "all")
    shared = coach_queries.visible_session(coach_id, session.id)
    first = sorted(shared.items, key=lambda i: i.position)[0]
    revision = coach.publish(
        coach_id,
        shared,
        coach.ReviewInput(
            answer_comments={first.id: "Good example. Say what you measured, with a number."},
            strengths_md="Clear, well-structured examples that name your own part.",
            gaps_md="Outcomes are vague: no before/after numbers.",
            next_steps_md="Redo one screening question and end with the measured result.",
        ),
        now=clock + timedelta(minutes=40),
    )
    return DemoResult(
        accounts=tuple(account for _, account in made),
        session_id=session.id,
        review_id=revision.review_id,
    )
