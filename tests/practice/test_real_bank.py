"""Every stage's round and every loop plan of the real bank (question_bank/) can be taken."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.clock import utcnow
from app.config import ROOT
from app.domain import loops as loop_domain
from app.extensions import db
from app.models.bank import LoopPlan, RoundFormat
from app.models.practice import LoopRun
from app.practice import errors, lifecycle, loops, starting
from tests import factories

MONDAY = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def bank_files():
    from app.bank.files import reading

    files = reading.read_bank(ROOT / "question_bank")
    assert files.ok, "\n".join(str(p) for p in files.problems)
    return files


@pytest.fixture
def real_bank(app, bank_files):
    from app.bank import transfer

    with app.app_context():
        transfer.import_bank(bank_files, now=utcnow())


def stocked_stages() -> set[str]:
    """Stages that have questions in question_bank/ (the bank is still being written)."""
    folder = ROOT / "question_bank" / "questions"
    return {p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.yaml"))}


def test_every_round_format_fills_a_whole_round(app, real_bank):
    stocked = stocked_stages()
    with app.app_context():
        user_id = factories.user(timezone="Europe/Berlin").id
        formats = db.session.scalars(select(RoundFormat).order_by(RoundFormat.id)).all()
        assert formats, "the real bank has round formats"
        for fmt in formats:
            if fmt.stage_key not in stocked:
                with pytest.raises(errors.NoQuestions, match="no published questions"):
                    starting.start_round(user_id, fmt.id, seed=7, now=utcnow())
                continue
            session = starting.start_round(user_id, fmt.id, seed=7, now=utcnow())
            assert len(session.items) == fmt.question_count, fmt.key
            kinds = {item.question_version.answer_kind for item in session.items}
            assert not fmt.answer_kinds or kinds <= set(fmt.answer_kinds), fmt.key
            assert session.is_take_home == (fmt.stage_key == "take_home"), fmt.key
            lifecycle.submit_round(user_id, session.id, now=utcnow())


def test_every_stocked_loop_plan_runs_end_to_end(app, real_bank):
    stocked = stocked_stages()
    with app.app_context():
        plans = db.session.scalars(select(LoopPlan).order_by(LoopPlan.id)).all()
        plan_ids = [
            p.id for p in plans if all(s.round_format.stage_key in stocked for s in p.steps)
        ]
        assert plan_ids, "at least one loop plan has questions for every round"
        user_id = factories.user(timezone="America/New_York").id
    for plan_id in plan_ids:
        now = MONDAY
        with freeze_time(now) as frozen, app.app_context():
            run_id = loops.start_loop(user_id, plan_id, now=now).id
            while True:
                step = loops.loop_view(user_id, run_id, now=now).current
                if step is None:
                    break
                if step.state == loop_domain.WAITING:
                    now = step.opens
                    frozen.move_to(now)
                    continue
                assert step.state == loop_domain.OPEN, step
                session = loops.start_loop_step(user_id, run_id, step.step.position, now=now)
                now = now + timedelta(minutes=5)
                frozen.move_to(now)
                lifecycle.submit_round(user_id, session.id, now=now)
            run = db.session.get(LoopRun, run_id)
            assert run.status == "finished", plan_id
            assert len(run.sessions) == len(run.plan.steps)


def test_a_system_design_round_is_one_design_problem_and_one_estimate(app, real_bank):
    """What the format's description promises, for any seed, round after round."""
    with app.app_context():
        user_id = factories.user().id
        fmt = db.session.scalar(select(RoundFormat).where(RoundFormat.key == "system_design"))
        for seed in range(6):
            session = starting.start_round(user_id, fmt.id, seed=seed, now=utcnow())
            kinds = sorted(item.question_version.answer_kind for item in session.items)
            assert kinds == ["estimate", "text"], seed
            lifecycle.submit_round(user_id, session.id, now=utcnow())
