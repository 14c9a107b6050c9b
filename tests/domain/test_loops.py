"""When each round of a mock loop opens: gap after the previous submit, not before a local
time of day, in the candidate's zone, across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain import loops

BERLIN = "Europe/Berlin"
# Tue 3 Mar 2026, 16:40 in Berlin (CET, UTC+1)
SUBMITTED_AFTERNOON = datetime(2026, 3, 3, 15, 40, tzinfo=UTC)


def test_gap_only_is_elapsed_time():
    assert loops.step_opens_at(SUBMITTED_AFTERNOON, 30, None, BERLIN) == SUBMITTED_AFTERNOON + (
        timedelta(minutes=30)
    )


def test_no_gap_opens_at_once():
    assert loops.step_opens_at(SUBMITTED_AFTERNOON, 0, None, BERLIN) == SUBMITTED_AFTERNOON


def test_next_morning_at_nine_local():
    # 12 h after 16:40 is 04:40 the next day; not before 09:00 -> Wed 09:00 CET = 08:00 UTC
    opens = loops.step_opens_at(SUBMITTED_AFTERNOON, 720, "09:00", BERLIN)
    assert opens == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)


def test_opens_at_already_passed_today_moves_to_tomorrow():
    # Submitted 10:00 local, no gap, opens_at 09:00 -> tomorrow 09:00
    submitted = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert loops.step_opens_at(submitted, 0, "09:00", BERLIN) == datetime(
        2026, 3, 4, 8, 0, tzinfo=UTC
    )


def test_opens_at_later_today_stays_today():
    submitted = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 07:00 local
    assert loops.step_opens_at(submitted, 0, "09:00", BERLIN) == datetime(
        2026, 3, 3, 8, 0, tzinfo=UTC
    )


def test_the_zone_decides_the_morning():
    tokyo = loops.step_opens_at(SUBMITTED_AFTERNOON, 720, "09:00", "Asia/Tokyo")
    # 15:40 UTC + 12 h = 03:40 UTC Wed = 12:40 JST Wed; 09:00 passed -> Thu 09:00 JST
    assert tokyo == datetime(2026, 3, 5, 0, 0, tzinfo=UTC)


def test_nine_am_stays_nine_am_across_spring_forward():
    # Berlin: summer time from Sun 29 Mar 2026 02:00 -> 03:00.
    submitted = datetime(2026, 3, 28, 18, 0, tzinfo=UTC)  # Sat 19:00 CET
    opens = loops.step_opens_at(submitted, 720, "09:00", BERLIN)
    assert opens == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # Sun 09:00 CEST (UTC+2)
    assert opens.astimezone(loops.zone(BERLIN)).strftime("%H:%M %Z") == "09:00 CEST"


def test_nine_am_stays_nine_am_across_fall_back():
    submitted = datetime(2026, 10, 24, 17, 0, tzinfo=UTC)  # Sat 19:00 CEST
    opens = loops.step_opens_at(submitted, 720, "09:00", BERLIN)
    assert opens == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # Sun 09:00 CET (UTC+1)


def test_a_skipped_local_time_resolves_after_the_gap():
    submitted = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # Sun 00:00 CET
    opens = loops.step_opens_at(submitted, 0, "02:30", BERLIN)  # 02:30 does not exist that night
    assert opens.astimezone(loops.zone(BERLIN)).strftime("%H:%M") == "03:30"
    assert opens == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_an_ambiguous_local_time_takes_its_first_occurrence():
    submitted = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # Sun 00:00 CEST
    opens = loops.step_opens_at(submitted, 0, "02:30", BERLIN)
    assert opens == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, the first one


@pytest.mark.parametrize("bad", ["9:00", "24:00", "09:60", "nine", ""])
def test_bad_times_of_day_are_refused(bad):
    with pytest.raises(ValueError):
        loops.parse_hhmm(bad)


class TestDescribe:
    NOW = datetime(2026, 3, 3, 15, 40, tzinfo=UTC)  # Tue 16:40 Berlin

    def test_open_now(self):
        assert loops.describe_opening(self.NOW, self.NOW, BERLIN) == "open now"

    def test_today(self):
        opens = datetime(2026, 3, 3, 19, 0, tzinfo=UTC)
        assert loops.describe_opening(opens, self.NOW, BERLIN) == "opens today at 20:00 your time"

    def test_tomorrow(self):
        opens = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
        assert (
            loops.describe_opening(opens, self.NOW, BERLIN) == "opens tomorrow at 09:00 your time"
        )

    def test_later(self):
        opens = datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
        assert loops.describe_opening(opens, self.NOW, BERLIN) == "opens Fri 6 Mar, 09:00 CET"

    def test_tomorrow_is_local_not_utc(self):
        # 23:30 UTC Tue is 00:30 Wed in Berlin: that is "tomorrow" for the candidate.
        opens = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)
        assert loops.describe_opening(opens, self.NOW, BERLIN).startswith("opens tomorrow")


class TestSchedule:
    STARTED = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)

    def steps(self, *statuses):
        gaps = [(0, None), (720, "09:00"), (30, None)]
        return [
            loops.StepInput(gap, at, status, finished)
            for (gap, at), (status, finished) in zip(gaps, statuses, strict=True)
        ]

    def test_fresh_loop_first_open_rest_locked(self):
        states = loops.schedule(
            self.STARTED, self.steps((None, None), (None, None), (None, None)), self.STARTED, BERLIN
        )
        assert [s.state for s in states] == [loops.OPEN, loops.LOCKED, loops.LOCKED]
        assert loops.current_step(states).position == 0

    def test_running_then_waiting_then_open(self):
        done_at = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
        running = loops.schedule(
            self.STARTED,
            self.steps(("in_progress", None), (None, None), (None, None)),
            done_at,
            BERLIN,
        )
        assert [s.state for s in running] == [loops.RUNNING, loops.LOCKED, loops.LOCKED]
        steps = self.steps(("submitted", done_at), (None, None), (None, None))
        waiting = loops.schedule(self.STARTED, steps, done_at + timedelta(hours=1), BERLIN)
        assert [s.state for s in waiting] == [loops.DONE, loops.WAITING, loops.LOCKED]
        assert waiting[1].opens == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
        opened = loops.schedule(self.STARTED, steps, datetime(2026, 3, 4, 8, 0, tzinfo=UTC), BERLIN)
        assert opened[1].state == loops.OPEN

    def test_whole_loop_done(self):
        t = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
        states = loops.schedule(
            self.STARTED,
            self.steps(("submitted", t), ("auto_submitted", t), ("closed", t)),
            t,
            BERLIN,
        )
        assert [s.state for s in states] == [loops.DONE] * 3
        assert loops.current_step(states) is None
