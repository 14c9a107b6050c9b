"""The session-log condensing maths (pure): categories, timeline rows, time, sparklines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from app.domain import sessionlog as log

START = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # across the EU DST change: UTC is unaffected


def ev(minute, kind, position=None, **data):
    return SimpleNamespace(
        at=START + timedelta(minutes=minute), kind=kind, position=position, data=data
    )


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("started", "start"),
        ("resumed", "start"),
        ("saved", "save"),
        ("autosave", "save"),
        ("answer_saved", "save"),
        ("switched", "switch"),
        ("question_switched", "switch"),
        ("hint_shown", "hint"),
        ("warning_shown", "warning"),
        ("time_warning", "warning"),
        ("submitted", "submit"),
        ("auto_submitted", "auto_submit"),
        ("autosubmitted", "auto_submit"),
        ("closed", "close"),
        ("expired", "close"),
        ("self_scored", "score"),
        ("reflection_saved", "save"),  # a save of the reflection is still a save
        ("something_new", "other"),
    ],
)
def test_categories(kind, category):
    assert log.category(kind) == category


def test_offsets_and_durations():
    assert log.fmt_offset(0) == "+0:00" and log.fmt_offset(125) == "+2:05"
    assert log.fmt_offset(3725) == "+1:02:05" and log.fmt_offset(-3) == "+0:00"
    assert log.fmt_duration(35) == "35 s" and log.fmt_duration(600) == "10 min"
    assert log.fmt_duration(605) == "10 min 5 s" and log.fmt_duration(3600) == "1 h"
    assert log.fmt_duration(3720) == "1 h 2 min"


def test_timeline_merges_consecutive_saves_per_question():
    rows = log.timeline(
        [
            ev(0, "started", 0),
            ev(1, "saved", 0, length=10),
            ev(2, "saved", 0, length=50),
            ev(3, "saved", 1, chars=5),
            ev(4, "saved", 0),  # no length recorded
            ev(5, "custom_thing", 0),
        ],
        START,
    )
    labels = [r.label for r in rows]
    assert labels == [
        "Started the round",
        "2 saves on question 1, 10 → 50 characters",
        "1 save on question 2, 5 characters",
        "1 save on question 1",
        "Custom thing",
    ]
    assert rows[1].offset_label == "+1:00"


def test_timeline_sorts_by_time():
    rows = log.timeline([ev(5, "submitted"), ev(0, "started", 0)], START)
    assert [r.category for r in rows] == ["start", "submit"]


def test_time_per_question_follows_the_candidate():
    events = [
        ev(0, "started", 0),
        ev(5, "saved", 0, length=1),
        ev(20, "switched", 1),
        ev(25, "warning"),  # no position: does not move the cursor
        ev(30, "saved", 0, length=2),  # back on question 1
        ev(99, "saved", 1),  # after the end: ignored
    ]
    spent = log.time_per_question(events, START, START + timedelta(minutes=45))
    assert spent == {0: 20 * 60 + 15 * 60, 1: 10 * 60}


def test_length_series_and_sparkline():
    events = [ev(1, "saved", 0, length=100), ev(30, "saved", 0, length=400), ev(2, "saved", None)]
    series = log.length_series(events, START)
    assert series == {0: [(60.0, 100), (1800.0, 400)]}
    spark = log.sparkline(series[0], 3600)
    first, *_, last = spark.points.split()
    assert first == "2.0,30.0"  # starts empty at the start
    assert last == f"{2 + 1800 / 3600 * 156:.1f},2.0"  # half way, at the top
    assert "2 saves from +1:00, ending at 400 characters" in spark.label
    assert log.sparkline([], 3600) is None


def test_summary_names_the_two_biggest_time_sinks():
    summary = log.summary(
        status="auto_submitted",
        started_at=START,
        deadline_at=START + timedelta(minutes=60),
        finished_at=START + timedelta(minutes=60),
        events=[ev(0, "started"), ev(1, "saved"), ev(2, "hint_shown"), ev(3, "saved")],
        questions=[(0, "A", 10, True), (1, "B", 20, False), (2, "C", 5, True)],
        spent={0: 900.0, 1: 600.0, 2: 1200.0},
        now=START + timedelta(hours=2),
    )
    assert summary.finished_how == "Auto-submitted when time ran out"
    assert (summary.answered, summary.total, summary.saves, summary.hints) == (2, 3, 2, 1)
    assert [(s.position, s.over_seconds) for s in summary.time_sinks] == [(2, 900.0), (0, 300.0)]
    assert [(s.spent_label, s.suggested_label) for s in summary.time_sinks] == [
        ("20 min", "5 min"),
        ("15 min", "10 min"),
    ]
    assert summary.used_pct == 100 and summary.duration_label == "1 h"


def test_a_short_time_sink_reads_in_seconds_not_as_zero_minutes():
    summary = log.summary(
        status="submitted",
        started_at=START,
        deadline_at=START + timedelta(minutes=15),
        finished_at=START + timedelta(seconds=50),
        events=[],
        questions=[(0, "A", 4, True)],
        spent={0: 25.0},
        now=START + timedelta(hours=1),
    )
    assert summary.time_sinks[0].spent_label == "25 s"
