"""Events the practice area announces to later packages (which connect from create_app).

`round_finished` is sent by `app.practice.lifecycle.finish`, the one place a round
finishes, whichever way it ends: the candidate submits (`submit_round`), the page's
countdown runs out (`expire_round`), a request finds it overdue (`finalise_overdue`,
`finalise_users_overdue`) or the sweep does (`sweep`). It is sent *before* the commit:
receivers add rows to the same unit of work, so what they write lands in the same
transaction as the finish, or not at all.

Sender: the Flask app. Keyword arguments: `session` (the PracticeSession, already
marked finished), `now`, `by` ("candidate", "timer", "request" or "sweep").
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

round_finished = signals.signal("practice.round-finished")
