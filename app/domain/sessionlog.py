"""The story of a practice session, from its event log: pure functions, no Flask, no db.

A coach should grasp a 60-minute round in a minute, so the log is condensed: runs of
saves on one question become one row ("14 saves, 0 -> 1,240 characters"), each question
gets a sparkline of its answer length over time, and a summary strip names the duration,
how the round ended, how much was answered and where the time went.

Event kinds come from the practice area's `log_event`; they are grouped by what they
mean (start, save, switch, hint, warning, submit, auto-submit, close, score) so a new
spelling of a kind still lands in the right group, and unknown kinds are shown as-is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

SPARK_WIDTH = 160
SPARK_HEIGHT = 32


class EventLike(Protocol):
    at: datetime
    kind: str
    position: int | None
    data: dict


class QuestionLike(Protocol):
    position: int
    time_spent_seconds: int


def category(kind: str) -> str:
    """The meaning of an event kind: start, save, refused, switch, hint, warning, submit,
    auto_submit, close, score, run (a code question's tests run in the browser),
    follow_up (a follow-up question revealed or its answer saved) or other."""
    k = (kind or "").lower()
    if k == "code_run":
        return "run"
    if k.startswith("follow_up"):
        return "follow_up"  # revealed or saved: a follow-up question (issue 13)
    if "auto" in k and "submit" in k:
        return "auto_submit"
    if "submit" in k or k == "finished":
        return "submit"
    if "refus" in k or "reject" in k:
        return "refused"
    if "save" in k:
        return "save"
    if "switch" in k or "navigat" in k or k in {"opened_question", "question_opened", "moved"}:
        return "switch"
    if "hint" in k:
        return "hint"
    if "warn" in k:
        return "warning"
    if "score" in k or "reflect" in k:
        return "score"
    if "close" in k or "expire" in k:
        return "close"
    if "start" in k or "resume" in k:
        return "start"
    return "other"


def answer_length(data: dict | None) -> int | None:
    """The answer length a save event recorded, whatever the key's spelling."""
    data = data or {}
    for key in ("length", "chars", "answer_length", "len", "size"):
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return None


def fmt_offset(seconds: float) -> str:
    """Seconds since the start as "+m:ss" (or "+h:mm:ss" past an hour)."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"+{hours}:{minutes:02d}:{secs:02d}"
    return f"+{minutes}:{secs:02d}"


def fmt_duration(seconds: float) -> str:
    """A duration as "42 min 5 s", "1 h 2 min" or "35 s"."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


@dataclass
class TimelineRow:
    offset: float  # seconds since the session started
    category: str
    kind: str
    position: int | None
    label: str
    count: int = 1
    first_length: int | None = None
    last_length: int | None = None
    kind_number: int | None = None  # which follow-up, for a follow-up's saves

    @property
    def offset_label(self) -> str:
        return fmt_offset(self.offset)


def _label(cat: str, kind: str, position: int | None, data: dict) -> str:
    q = f"question {position + 1}" if position is not None else ""
    if cat == "start":
        return "Started the round" if "start" in kind else "Came back to the round"
    if cat == "switch":
        return f"Moved to {q}" if q else "Moved to another question"
    if cat == "hint":
        return f"Opened a hint on {q}" if q else "Opened a hint"
    if cat == "warning":
        left = data.get("minutes_left") or data.get("minutes")
        seconds = data.get("seconds_left")
        if not isinstance(left, int | float) and isinstance(seconds, int | float):
            left = seconds / 60
        if isinstance(left, int | float):
            return f"Time warning shown ({left:g} min left)"
        return "Time warning shown"
    if cat == "refused":
        reason = data.get("reason") or data.get("error")
        where = f" on {q}" if q else ""
        return f"Save refused{where} ({reason})" if reason else f"Save refused{where}"
    if cat == "run":
        return _run_label(q, data)
    if cat == "follow_up":
        return _follow_up_label(q, data)
    if cat == "submit":
        return "Submitted"
    if cat == "auto_submit":
        return "Auto-submitted when time ran out"
    if cat == "close":
        return "Closed after the grace period"
    if cat == "score":
        overall = data.get("overall")
        if isinstance(overall, int | float):
            return f"Finished self-scoring (overall {overall:.0f}/100)"
        return "Finished self-scoring"
    return kind.replace("_", " ").capitalize()


def _run_label(q: str, data: dict) -> str:
    """ "Ran the examples on question 1: 2 of 3 passed" (a Run in the candidate's browser)."""
    which = "the hidden tests" if data.get("set") == "hidden" else "the examples"
    where = f" on {q}" if q else ""
    passed, total = data.get("passed"), data.get("total")
    counts = f": {passed} of {total} passed" if isinstance(total, int) else ""
    stopped = ", stopped (did not finish)" if data.get("stopped") else ""
    return f"Ran {which}{where}{counts}{stopped}"


FOLLOW_UP_WHY = {"done": "the candidate pressed Done", "time": "its time came"}


def _follow_up_label(q: str, data: dict) -> str:
    """ "Follow-up 1 on question 2 revealed (the candidate pressed Done, 4 min 10 s in)"."""
    number = data.get("number")
    what = f"Follow-up {number}" if isinstance(number, int) else "A follow-up"
    where = f" on {q}" if q else ""
    why = FOLLOW_UP_WHY.get(data.get("reason"), "")
    spent = data.get("seconds_on_question")
    if isinstance(spent, int | float):
        why = f"{why}, {fmt_duration(spent)} in" if why else f"{fmt_duration(spent)} in"
    return f"{what}{where} revealed ({why})" if why else f"{what}{where} revealed"


def _follow_up_save_label(row: TimelineRow, number) -> str:
    """ "2 saves of follow-up 1 on question 1, 0 → 120 characters"."""
    base = _save_label(row)
    which = f"of follow-up {number}" if isinstance(number, int) else "of a follow-up"
    saves, _, rest = base.partition(" on ")
    return f"{saves} {which} on {rest}" if rest else f"{saves} {which}"


def timeline(events: Iterable[EventLike], started_at: datetime) -> list[TimelineRow]:
    """The events as rows, oldest first, with consecutive saves on one question merged."""
    rows: list[TimelineRow] = []
    for event in sorted(events, key=lambda e: e.at):
        cat = category(event.kind)
        offset = (event.at - started_at).total_seconds()
        data = event.data or {}
        if cat == "follow_up" and "save" in event.kind:
            _merge_follow_up_save(rows, event, offset, data)
            continue
        if cat == "save":
            length = answer_length(data)
            last = rows[-1] if rows else None
            if last is not None and last.category == "save" and last.position == event.position:
                last.count += 1
                if length is not None:
                    last.last_length = length
                    if last.first_length is None:
                        last.first_length = length
                continue
            rows.append(
                TimelineRow(
                    offset=offset,
                    category=cat,
                    kind=event.kind,
                    position=event.position,
                    label="",
                    first_length=length,
                    last_length=length,
                )
            )
            continue
        rows.append(
            TimelineRow(
                offset=offset,
                category=cat,
                kind=event.kind,
                position=event.position,
                label=_label(cat, event.kind, event.position, data),
            )
        )
    for row in rows:
        if row.category == "save":
            row.label = _save_label(row)
        elif row.category == "follow_up_save":
            row.label = _follow_up_save_label(row, row.kind_number)
            row.category = "follow_up"
    return rows


def _merge_follow_up_save(rows: list[TimelineRow], event, offset: float, data: dict) -> None:
    """Consecutive saves of one follow-up become one row, like the main answer's."""
    length, number = answer_length(data), data.get("number")
    last = rows[-1] if rows else None
    if (
        last is not None
        and last.category == "follow_up_save"
        and last.position == event.position
        and last.kind_number == number
    ):
        last.count += 1
        if length is not None:
            last.last_length = length
            if last.first_length is None:
                last.first_length = length
        return
    rows.append(
        TimelineRow(
            offset=offset,
            category="follow_up_save",
            kind=event.kind,
            position=event.position,
            label="",
            first_length=length,
            last_length=length,
            kind_number=number,
        )
    )


def _save_label(row: TimelineRow) -> str:
    q = f" on question {row.position + 1}" if row.position is not None else ""
    saves = "1 save" if row.count == 1 else f"{row.count} saves"
    if row.last_length is None:
        return f"{saves}{q}"
    if row.count == 1 or row.first_length == row.last_length:
        return f"{saves}{q}, {row.last_length:,} characters"
    return f"{saves}{q}, {row.first_length:,} → {row.last_length:,} characters"


def length_series(events: Iterable[EventLike], started_at: datetime) -> dict[int, list[tuple]]:
    """Per question position, [(seconds since start, answer length)] from its saves."""
    series: dict[int, list[tuple]] = {}
    for event in sorted(events, key=lambda e: e.at):
        if category(event.kind) != "save" or event.position is None:
            continue
        length = answer_length(event.data)
        if length is None:
            continue
        series.setdefault(event.position, []).append(
            ((event.at - started_at).total_seconds(), length)
        )
    return series


@dataclass(frozen=True)
class Sparkline:
    points: str  # SVG polyline points
    last_x: float
    last_y: float
    label: str  # the text alternative
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


def sparkline(series: Sequence[tuple], span_seconds: float) -> Sparkline | None:
    """An SVG polyline of answer length over the round (x: time, y: length), or None."""
    if not series:
        return None
    span = max(span_seconds, max(t for t, _ in series), 1.0)
    top = max(max(length for _, length in series), 1)
    pad = 2.0
    w, h = SPARK_WIDTH - 2 * pad, SPARK_HEIGHT - 2 * pad
    coords = [(0.0, 0.0)] + [(max(t, 0.0), float(length)) for t, length in series]
    xy = [(pad + t / span * w, pad + h - length / top * h) for t, length in coords]
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    first_t = series[0][0]
    label = (
        f"Answer length over time: {len(series)} saves from {fmt_offset(first_t)}, "
        f"ending at {series[-1][1]:,} characters (peak {top:,})."
    )
    return Sparkline(points=pts, last_x=xy[-1][0], last_y=xy[-1][1], label=label)


def time_per_question(
    events: Iterable[EventLike], started_at: datetime, ended_at: datetime, first_position: int = 0
) -> dict[int, float]:
    """Seconds spent on each question, from the events: the candidate is on the question
    of the latest event that names one (a switch, a save, a hint), from the start until
    the round ended."""
    spent: dict[int, float] = {}
    current, since = first_position, started_at
    for event in sorted(events, key=lambda e: e.at):
        if event.at > ended_at:
            break
        if event.position is None or category(event.kind) not in {
            "switch", "save", "hint", "follow_up",
        }:  # fmt: skip
            continue
        if event.position != current:
            spent[current] = spent.get(current, 0.0) + (event.at - since).total_seconds()
            current, since = event.position, event.at
    if ended_at > since:
        spent[current] = spent.get(current, 0.0) + (ended_at - since).total_seconds()
    return spent


FINISHED_HOW = {
    "submitted": "Submitted by the candidate",
    "auto_submitted": "Auto-submitted when time ran out",
    "closed": "Closed after the grace period",
    "in_progress": "Still in progress",
}


@dataclass(frozen=True)
class TimeSink:
    position: int
    title: str
    seconds: float
    suggested_seconds: float

    @property
    def over_seconds(self) -> float:
        return self.seconds - self.suggested_seconds

    @property
    def spent_label(self) -> str:
        """Time spent as "27 min 10 s" (a short question is "40 s", not "0 min")."""
        return fmt_duration(self.seconds)

    @property
    def suggested_label(self) -> str:
        return fmt_duration(self.suggested_seconds)


@dataclass
class Summary:
    duration_seconds: float
    allotted_seconds: float
    finished_how: str
    answered: int
    total: int
    saves: int
    switches: int
    hints: int
    warnings: int
    time_sinks: list[TimeSink] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_label(self) -> str:
        return fmt_duration(self.duration_seconds)

    @property
    def allotted_label(self) -> str:
        return fmt_duration(self.allotted_seconds)

    @property
    def used_pct(self) -> int:
        if self.allotted_seconds <= 0:
            return 0
        return min(100, round(self.duration_seconds / self.allotted_seconds * 100))


def summary(
    *,
    status: str,
    started_at: datetime,
    deadline_at: datetime,
    finished_at: datetime | None,
    events: Sequence[EventLike],
    questions: Sequence[tuple[int, str, int, bool]],
    spent: dict[int, float],
    now: datetime,
) -> Summary:
    """The strip at the top of the log. `questions` are (position, title, suggested minutes,
    answered); `spent` is seconds per position; the two biggest time sinks are named."""
    end = finished_at or min(now, deadline_at)
    cats = [category(e.kind) for e in events]
    sinks = sorted(
        (
            TimeSink(
                position=pos, title=title, seconds=spent.get(pos, 0.0), suggested_seconds=m * 60
            )
            for pos, title, m, _ in questions
            if spent.get(pos, 0.0) > 0
        ),
        key=lambda s: (-s.seconds, s.position),
    )[:2]
    return Summary(
        duration_seconds=max(0.0, (end - started_at).total_seconds()),
        allotted_seconds=max(0.0, (deadline_at - started_at).total_seconds()),
        finished_how=FINISHED_HOW.get(status, status.replace("_", " ").capitalize()),
        answered=sum(1 for *_, answered in questions if answered),
        total=len(questions),
        saves=cats.count("save"),
        switches=cats.count("switch"),
        hints=cats.count("hint"),
        warnings=cats.count("warning"),
        time_sinks=sinks,
    )
