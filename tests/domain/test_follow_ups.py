"""The follow-up rules (issue 13): how many a format shows and when the next one is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain import follow_ups as rules

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_design_and_deep_dive_ask_two_every_other_format_one():
    assert rules.default_count("system_design") == 2
    assert rules.default_count("onsite_deep_dive") == 2
    for stage in ("ethics_sprint", "recruiter_screen", "technical_phone", "take_home", None):
        assert rules.default_count(stage) == 1


def test_a_question_shows_the_formats_count_at_most_what_the_bank_has():
    assert rules.limit(2, 5) == 2
    assert rules.limit(2, 1) == 1
    assert rules.limit(1, 0) == 0
    assert rules.limit(0, 3) == 0  # a round started before follow-ups existed


def test_the_first_is_due_at_the_share_the_next_spread_over_the_rest():
    # 10 suggested minutes, share 0.6, two shown: at 6 and 8 minutes
    assert rules.due_after_seconds(1, 2, 10, 0.6) == 360
    assert rules.due_after_seconds(2, 2, 10, 0.6) == 480
    assert rules.due_after_seconds(1, 1, 5, 0.5) == 150


def test_done_reveals_at_once_time_only_when_due_and_never_past_the_limit():
    assert rules.may_reveal(rules.DONE, 0, 1, 0, 10, 0.6)
    assert not rules.may_reveal(rules.TIME, 0, 1, 359, 10, 0.6)
    assert rules.may_reveal(rules.TIME, 0, 1, 360, 10, 0.6)
    assert not rules.may_reveal(rules.DONE, 1, 1, 9999, 10, 0.6)  # all revealed
    assert not rules.may_reveal(rules.TIME, 1, 2, 400, 10, 0.6)  # second due at 480
    assert rules.may_reveal(rules.TIME, 1, 2, 480, 10, 0.6)
    assert not rules.may_reveal("later", 0, 2, 9999, 10, 0.6)


def test_seconds_until_due_counts_down_and_is_none_when_all_are_out():
    assert rules.seconds_until_due(0, 2, 60, 10, 0.6) == 300
    assert rules.seconds_until_due(0, 2, 500, 10, 0.6) == 0
    assert rules.seconds_until_due(2, 2, 0, 10, 0.6) is None


def test_time_on_a_question_adds_its_current_stay_but_never_past_the_deadline():
    deadline = T0 + timedelta(minutes=10)
    now = T0 + timedelta(minutes=4)
    assert rules.seconds_on_question(30, T0, deadline, now) == 30 + 240
    assert rules.seconds_on_question(30, None, deadline, now) == 30  # not on screen
    late = T0 + timedelta(minutes=15)
    assert rules.seconds_on_question(0, T0, deadline, late) == 600
