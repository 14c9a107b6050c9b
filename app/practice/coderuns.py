"""Code runs: the results of a candidate's Run (examples) and of the hidden tests, posted
by the candidate's browser, which is where the code ran (never on this server).

Flow (the browser side is static/js/code-run.js):
- the round page carries each code question's example cases (`round_spec`); every Run
  posts its result here (`record_run`, set "examples"), accepted while the round takes
  saves, logged as a `code_run` event and kept as the answer's latest example run;
- the hidden cases leave the server only once the round is over (`hidden_spec`); the
  browser that submitted (or the scoring page, for a round whose page was closed when it
  ended) runs the final code against them and posts the result (set "hidden").
Results are stored with `ran_in: "browser"`: a self-practice tool, the candidate could
only fool themselves, and the pages say so.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from app.domain import coderesults, codetests, timing
from app.extensions import db
from app.models.practice import PracticeSession, SessionQuestion
from app.practice import events
from app.practice.errors import PracticeError
from app.practice.events import log_event
from app.practice.lifecycle import get_session, item_at, lock


class RunRefused(PracticeError):
    """A run result the server will not store; `status` is the HTTP status to answer."""

    status = 409

    def __init__(self, message: str, status: int = 409, errors: list[str] | None = None):
        super().__init__(message)
        self.status = status
        self.errors = errors or []


def tests_for(item: SessionQuestion) -> codetests.CodeTests | None:
    """The tests of the question version this round pinned (None: not runnable)."""
    version = item.question_version
    if version.answer_kind != "code":
        return None
    return codetests.load_tests(version.code_tests)


def round_spec(answer_kind: str, code_tests: dict | None) -> dict | None:
    """What the round page sends for a code question (its pinned version's `answer_kind`
    and `code_tests`): its examples, never the hidden cases. Checking a tests block
    costs more than the rest of the page's Python, and a version's never changes, so
    the answer is memoised by the block's JSON text (read only: do not change it)."""
    if answer_kind != "code" or code_tests is None:
        return None
    return _round_spec(json.dumps(code_tests))


@functools.lru_cache(maxsize=256)
def _round_spec(doc: str) -> dict | None:
    tests = codetests.load_tests(json.loads(doc))
    return None if tests is None else codetests.candidate_view(tests)


def _runnable(user_id: int, session_id: int, position: int, now: datetime):
    session = get_session(user_id, session_id, now=now)
    item = item_at(session, position)
    tests = tests_for(item)
    if tests is None:
        raise RunRefused("This question has no tests to run.", 404)
    return session, item, tests


def has_tests(user_id: int, session_id: int) -> bool:
    """Whether a round of `user_id` has a code question with tests (its hidden ones to run)."""
    session = db.session.get(PracticeSession, session_id)
    if session is None or session.user_id != user_id:
        return False
    return any(tests_for(item) is not None for item in session.items)


def hidden_spec(user_id: int, session_id: int, position: int, *, now: datetime) -> dict:
    """The hidden cases of a question, for its owner, once the round is over (409 before)."""
    session, _item, tests = _runnable(user_id, session_id, position, now)
    if not session.is_finished:
        raise RunRefused("The hidden tests are run after the round is submitted.")
    return {
        "function": tests.function,
        "time_limit_s": tests.time_limit_s,
        "hidden": tests.worker_cases("hidden"),
    }


def record_run(
    user_id: int, session_id: int, position: int, payload: Any, *, now: datetime
) -> coderesults.RunResult:
    """Check and store one posted run result; log it as a `code_run` event. One commit.

    Examples are accepted while the round takes saves, the hidden set once it is over;
    anything malformed (or `payload` None: the body was not JSON) is refused whole (400)
    and nothing is stored; ownership is checked first, so another's round is only a 404.
    """
    session, item, tests = _runnable(user_id, session_id, position, now)
    if payload is None:
        raise RunRefused("Send the run result as JSON; nothing was stored.", 400)
    which = payload.get("set") if isinstance(payload, dict) else None
    expected = len(tests.cases(which)) if which in codetests.SETS else 0
    result, errors = coderesults.parse_run_result(payload, expected)
    if result is None:
        raise RunRefused("This run result is malformed; nothing was stored.", 400, errors)
    session = lock(session.id, shared=True)
    if result.set == "examples" and not timing.accepts_writes(session, now):
        raise RunRefused("This round is closed: example runs are no longer recorded.")
    if result.set == "hidden" and not session.is_finished:
        raise RunRefused("The hidden tests are run after the round is submitted.")
    stored = dict(item.code_results or {})
    stored[result.set] = {**result.to_dict(), "ran_in": coderesults.RAN_IN, "at": now.isoformat()}
    item.code_results = stored
    log_event(
        session,
        events.CODE_RUN,
        position,
        at=now,
        set=result.set,
        passed=result.passed,
        total=result.total,
        stopped=result.stopped,
        duration_ms=round(result.duration_ms),
        runtime=result.runtime,
    )
    db.session.commit()
    return result


def evidence(item: SessionQuestion) -> coderesults.TestsEvidence | None:
    """The stored runs of a code answer with tests ("not run" when none), else None."""
    if tests_for(item) is None:
        return None
    return coderesults.TestsEvidence.from_stored(item.code_results)
