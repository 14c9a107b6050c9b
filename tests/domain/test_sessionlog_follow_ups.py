"""The coach's session log shows when each follow-up was revealed and saved (issue 13),
without mixing follow-up saves into the main answer's saves or its length sparkline."""

from __future__ import annotations

from app.domain import sessionlog as log
from tests.domain.test_sessionlog import START as T0
from tests.domain.test_sessionlog import ev


def test_follow_up_reveals_and_saves_get_their_own_rows():
    events = [
        ev(1, "saved", 0, length=40),
        ev(2, "saved", 0, length=90),
        ev(4, "follow_up_revealed", 0, number=1, reason="done", seconds_on_question=240),
        ev(5, "follow_up_saved", 0, number=1, length=10, revision=1),
        ev(6, "follow_up_saved", 0, number=1, length=55, revision=2),
        ev(7, "follow_up_revealed", 0, number=2, reason="time", seconds_on_question=420),
        ev(8, "follow_up_saved", 0, number=2, length=20, revision=1),
    ]
    rows = log.timeline(events, T0)
    assert [(r.offset_label, r.category, r.label) for r in rows] == [
        ("+1:00", "save", "2 saves on question 1, 40 → 90 characters"),
        ("+4:00", "follow_up", "Follow-up 1 on question 1 revealed "
         "(the candidate pressed Done, 4 min in)"),
        ("+5:00", "follow_up", "2 saves of follow-up 1 on question 1, 10 → 55 characters"),
        ("+7:00", "follow_up", "Follow-up 2 on question 1 revealed (its time came, 7 min in)"),
        ("+8:00", "follow_up", "1 save of follow-up 2 on question 1, 20 characters"),
    ]  # fmt: skip
    assert log.length_series(events, T0) == {0: [(60.0, 40), (120.0, 90)]}
    assert log.category("follow_up_saved") == "follow_up"
