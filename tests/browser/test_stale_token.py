"""Signed in again in another tab: htmx requests of the old page carry on (fresh CSRF token).

The server answers a stale-token htmx autosave with 400 and a fresh token in
X-CSRF-Token; app.js takes it and sends the same request again, so the scoring page's
autosave keeps working and nothing the user chose is lost. (A whole form is never resent:
see tests/test_csrf_recovery.py.)
"""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.scoring import SelfAssessment, SelfScore
from tests.browser.gates import check_page, watch_page
from tests.browser.helpers import sign_in, user_email
from tests.learning import helpers as feedback_helpers

pytestmark = pytest.mark.browser
STALE = (r"status of 400",)  # Chromium logs the refused first attempt


def stored(app):
    with app.app_context():
        levels = {s.criterion_key: s.level for s in db.session.scalars(select(SelfScore))}
        reflection = db.session.scalar(select(SelfAssessment.reflection))
        return levels, reflection


def test_scoring_autosave_and_save_survive_a_new_sign_in_elsewhere(app, page, make_user):
    candidate = make_user()
    with app.app_context():
        session_id = feedback_helpers.practice_session(candidate).id
    sign_in(page, user_email(app, candidate))
    page.goto(f"/feedback/sessions/{session_id}/score")
    check_page(page)

    other = watch_page(page.context.new_page(), role="candidate")
    sign_in(other, user_email(app, candidate))  # the first page's token is now stale
    other.close()

    criteria = page.locator("fieldset.criterion")
    choice = criteria.nth(0).get_by_role("radio").nth(2)
    choice.check()  # htmx autosave on change
    status = page.locator("#save-status")
    status.get_by_text(re.compile(r"^Saved at")).wait_for()
    assert "Not saved" not in status.inner_text()
    levels, _ = stored(app)
    assert [v for v in levels.values() if v is not None] == [int(choice.get_attribute("value"))]

    page.get_by_label("Reflection").fill("Too slow on the cost model.")  # autosaves too
    status.get_by_text(re.compile(r"^Saved at")).wait_for()
    page.wait_for_function("() => !document.querySelector('#save-status.htmx-request')")
    check_page(page, allow_console=STALE)
    for _ in range(50):  # the reflection's save lands a moment after the status changes
        if stored(app)[1] == "Too slow on the cost model.":
            break
        page.wait_for_timeout(100)
    assert stored(app)[1] == "Too slow on the cost model."
