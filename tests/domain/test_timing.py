"""The round clock as pure rules, checked at named instants (frozen with freezegun)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from app.clock import utcnow
from app.domain import timing

# A 45-minute round with 60 s of grace, started on a Monday morning (UTC).
STARTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEADLINE = STARTED + timedelta(minutes=45)
BEFORE_START = STARTED - timedelta(seconds=5)  # another host's clock a little behind
MID_ROUND = STARTED + timedelta(minutes=20)
FIVE_MINUTES_LEFT = DEADLINE - timedelta(minutes=5)
ONE_MINUTE_LEFT = DEADLINE - timedelta(seconds=60)
AT_DEADLINE = DEADLINE
IN_GRACE = DEADLINE + timedelta(seconds=30)
END_OF_GRACE = DEADLINE + timedelta(seconds=60)
AFTER_GRACE = DEADLINE + timedelta(seconds=61)
NEXT_DAY = DEADLINE + timedelta(days=1)


@dataclass
class Round:
    started_at: datetime = STARTED
    deadline_at: datetime = DEADLINE
    grace_seconds: int = 60
    expiry_policy: str = timing.AUTO_SUBMIT
    status: str = timing.IN_PROGRESS


@pytest.mark.parametrize(
    ("instant", "remaining", "phase", "writes", "expired", "overdue"),
    [
        (BEFORE_START, 45 * 60, timing.RUNNING, True, False, False),
        (STARTED, 45 * 60, timing.RUNNING, True, False, False),
        (MID_ROUND, 25 * 60, timing.RUNNING, True, False, False),
        (AT_DEADLINE, 0, timing.GRACE, True, True, False),
        (IN_GRACE, 0, timing.GRACE, True, True, False),
        (END_OF_GRACE, 0, timing.GRACE, True, True, False),
        (AFTER_GRACE, 0, timing.OVER, False, True, True),
        (NEXT_DAY, 0, timing.OVER, False, True, True),
    ],
)
def test_clock_at_named_instants(instant, remaining, phase, writes, expired, overdue):
    with freeze_time(instant):
        now = utcnow()
        session = Round()
        assert timing.seconds_remaining(session, now) == remaining
        assert timing.phase(session, now) == phase
        assert timing.accepts_writes(session, now) is writes
        assert timing.is_expired(session, now) is expired
        assert timing.is_overdue(session, now) is overdue


def test_seconds_remaining_rounds_up_so_the_last_second_still_shows():
    session = Round()
    assert timing.seconds_remaining(session, DEADLINE - timedelta(milliseconds=200)) == 1
    assert timing.seconds_used(session, MID_ROUND) == 20 * 60


def test_grace_remaining_counts_only_after_the_deadline():
    session = Round()
    assert timing.grace_remaining(session, MID_ROUND) == 0
    assert timing.grace_remaining(session, IN_GRACE) == 30
    assert timing.grace_remaining(session, AFTER_GRACE) == 0


def test_finished_sessions_accept_no_writes_and_are_not_overdue():
    session = Round(status=timing.SUBMITTED)
    assert not timing.accepts_writes(session, MID_ROUND)
    assert not timing.is_overdue(session, NEXT_DAY)
    assert not timing.may_finalise_on_request(session, NEXT_DAY)


def test_zero_grace_closes_right_at_the_deadline():
    session = Round(grace_seconds=0)
    assert timing.accepts_writes(session, AT_DEADLINE)
    assert not timing.accepts_writes(session, AT_DEADLINE + timedelta(microseconds=1))


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        timing.seconds_remaining(Round(), datetime(2026, 3, 2, 9, 0))


class TestPolicies:
    def test_auto_submit_stops_editing_at_the_deadline_and_records_it(self):
        session = Round(expiry_policy=timing.AUTO_SUBMIT)
        assert timing.editable_in_browser(session, MID_ROUND)
        assert not timing.editable_in_browser(session, IN_GRACE)
        assert not timing.may_finalise_on_request(session, MID_ROUND)
        assert timing.may_finalise_on_request(session, AT_DEADLINE)
        assert timing.expiry(session) == (timing.AUTO_SUBMITTED, DEADLINE)

    def test_grace_then_close_keeps_editing_through_grace_then_closes(self):
        session = Round(expiry_policy=timing.GRACE_THEN_CLOSE)
        assert timing.editable_in_browser(session, IN_GRACE)
        assert not timing.editable_in_browser(session, AFTER_GRACE)
        assert not timing.may_finalise_on_request(session, IN_GRACE)
        assert timing.may_finalise_on_request(session, AFTER_GRACE)
        assert timing.expiry(session) == (timing.CLOSED, DEADLINE)

    def test_submitting_before_the_deadline_is_a_plain_submit_at_now(self):
        assert timing.submission(Round(), MID_ROUND) == (timing.SUBMITTED, MID_ROUND)

    @pytest.mark.parametrize(
        ("policy", "status"),
        [(timing.AUTO_SUBMIT, timing.AUTO_SUBMITTED), (timing.GRACE_THEN_CLOSE, timing.CLOSED)],
    )
    def test_submitting_after_the_deadline_is_recorded_at_the_deadline(self, policy, status):
        assert timing.submission(Round(expiry_policy=policy), IN_GRACE) == (status, DEADLINE)


@pytest.mark.parametrize(
    ("instant", "warning"),
    [
        (MID_ROUND, None),
        (FIVE_MINUTES_LEFT - timedelta(seconds=1), None),
        (FIVE_MINUTES_LEFT, 300),
        (ONE_MINUTE_LEFT, 60),
        (IN_GRACE, None),
    ],
)
def test_warning_due(instant, warning):
    assert timing.warning_due(Round(), instant) == warning


class TestTakeHome:
    """48 h of wall time, arithmetic in UTC, shown in the candidate's zone."""

    # Berlin leaves summer time on Sun 25 Oct 2026 at 03:00 CEST (01:00 UTC).
    FRIDAY_EVENING = datetime(2026, 10, 23, 19, 15, tzinfo=UTC)  # 21:15 CEST

    def test_window_is_48_hours_of_wall_time_across_the_dst_change(self):
        with freeze_time(self.FRIDAY_EVENING):
            started = utcnow()
            deadline = timing.deadline_for(started, 48 * 60)
        assert deadline - started == timedelta(hours=48)
        # The wall clock moved back an hour in between: 21:15 CEST became 20:15 CET.
        assert timing.format_local(started, "Europe/Berlin") == "Fri 23 Oct, 21:15 CEST"
        assert timing.format_local(deadline, "Europe/Berlin") == "Sun 25 Oct, 20:15 CET"

    def test_spring_forward_in_new_york(self):
        # US summer time starts Sun 8 Mar 2026 at 02:00 local.
        started = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)  # Sat 12:00 EST
        deadline = timing.deadline_for(started, 48 * 60)
        assert timing.format_local(deadline, "America/New_York") == "Mon 9 Mar, 13:00 EDT"

    def test_remaining_time_is_the_same_whatever_the_zone(self):
        session = Round(
            started_at=self.FRIDAY_EVENING,
            deadline_at=timing.deadline_for(self.FRIDAY_EVENING, 48 * 60),
            expiry_policy=timing.GRACE_THEN_CLOSE,
        )
        across_change = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)
        assert timing.seconds_remaining(session, across_change) == (7 * 3600 + 15 * 60)

    def test_example_format_from_the_brief(self):
        monday = datetime(2026, 11, 30, 20, 15, tzinfo=UTC)
        assert timing.format_local(monday, "Europe/Paris") == "Mon 30 Nov, 21:15 CET"

    def test_unknown_zone_falls_back_to_utc(self):
        assert timing.format_local(self.FRIDAY_EVENING, "Mars/Olympus") == "Fri 23 Oct, 19:15 UTC"
        assert timing.format_local(self.FRIDAY_EVENING, "") == "Fri 23 Oct, 19:15 UTC"

    @pytest.mark.parametrize(
        ("stage", "minutes", "expected"),
        [
            ("take_home", 180, True),
            ("take_home", 2880, True),
            ("system_design", 60, False),
            ("custom", 24 * 60, True),
        ],
    )
    def test_what_counts_as_a_take_home(self, stage, minutes, expected):
        assert timing.is_take_home(stage, minutes) is expected


@pytest.mark.parametrize(
    ("seconds", "clock", "words"),
    [
        (0, "00:00", "0 s"),
        (59, "00:59", "59 s"),
        (2700, "45:00", "45 min"),
        (5400, "1:30:00", "1 h 30 min"),
        (172800, "48:00:00", "48 h"),
    ],
)
def test_formats(seconds, clock, words):
    assert timing.format_clock(seconds) == clock
    assert timing.format_duration(seconds) == words
