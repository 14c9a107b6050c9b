"""Screenshots of the report and progress pages (written only by `make screenshots`).

Four scored rounds over two weeks across two stages, created in the database, so the
charts have lines to draw. In a normal run the pages render and pass the gates.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.clock import utcnow
from app.learning import scoring
from tests import factories
from tests.browser.gates import check_page
from tests.browser.helpers import sign_in, user_email
from tests.browser.test_screenshots import shoot
from tests.learning import helpers as feedback_helpers

pytestmark = pytest.mark.browser

ROUNDS = [  # stage, days ago, levels for (latency, cost, failure modes)
    ("system_design", 14, (2, 1, 2)),
    ("technical_phone", 10, (3, 3, 2)),
    ("system_design", 6, (3, 1, 3)),
    ("system_design", 1, (4, 2, 4)),
]


def _history(app, user_id: int) -> int:
    with app.app_context():
        factories.stage("technical_phone", "Technical phone (coding, prompt engineering)", 45)
        factories.stage("system_design", "ML system design", 60)
        factories.skill("ml_system_design", "ML system design")
        factories.skill("inference_cost", "Inference cost")
        factories.skill("algorithmic_coding", "Algorithmic coding")
        keys = ["latency_budget", "cost_modeling", "failure_modes"]
        last = None
        for stage_key, days, levels in ROUNDS:
            question = factories.question(
                stage_key=stage_key,
                title="Reranker for 10M QPS search" if stage_key == "system_design" else "Top-k",
                skills=("ml_system_design", "inference_cost")
                if stage_key == "system_design"
                else ("algorithmic_coding",),
                good_answer_md="Budgets p99 per hop; prices GPU-hours; names failure modes.",
                suggested_minutes=25,
            )
            started = utcnow() - timedelta(days=days, hours=1)
            session = feedback_helpers.practice_session(
                user_id, [question], stage_key=stage_key, started_at=started, time_spent=[1900]
            )
            item = session.items[0]
            scoring.save_scoring(
                session.id,
                user_id,
                {(item.id, k): v for k, v in zip(keys, levels, strict=True)},
                {(item.id, "cost_modeling"): "Forgot the GPU price per hour."},
                "Cost maths first next time.",
                started + timedelta(hours=1),
                finish=True,
            )
            last = session.id
        return last


def test_screenshots_report_and_progress(app, make_user, page):
    user_id = make_user(display_name="Ada")
    session_id = _history(app, user_id)
    sign_in(page, user_email(app, user_id))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/feedback/sessions/{session_id}/report")
    check_page(page)
    shoot(page, "report")
    page.goto("/feedback/")
    check_page(page)
    assert page.get_by_role("img", name="Round score per funnel stage over time").is_visible()
    page.get_by_role("heading", name="Readiness per funnel stage").evaluate(
        "h => h.scrollIntoView()"
    )
    shoot(page, "progress")
