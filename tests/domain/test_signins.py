"""When a sign-in ends by itself (pure rules)."""

from datetime import UTC, datetime, timedelta

from app.domain.signins import expiry_reason, needs_touch

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ABSOLUTE = timedelta(hours=12)
IDLE = timedelta(minutes=30)


def test_everyone_is_signed_out_twelve_hours_after_signing_in_however_active():
    now = T0 + ABSOLUTE
    assert expiry_reason(T0, now, now=now, absolute=ABSOLUTE, idle=None) == "expired"
    just_before = now - timedelta(seconds=1)
    assert expiry_reason(T0, just_before, now=just_before, absolute=ABSOLUTE, idle=None) is None


def test_idle_limit_applies_only_when_given():
    seen = T0 + timedelta(hours=1)
    now = seen + IDLE
    assert expiry_reason(T0, seen, now=now, absolute=ABSOLUTE, idle=IDLE) == "idle"
    assert expiry_reason(T0, seen, now=now, absolute=ABSOLUTE, idle=None) is None
    almost = now - timedelta(seconds=1)
    assert expiry_reason(T0, seen, now=almost, absolute=ABSOLUTE, idle=IDLE) is None


def test_last_seen_is_written_at_most_once_per_interval():
    every = timedelta(minutes=1)
    assert not needs_touch(T0, now=T0 + timedelta(seconds=59), every=every)
    assert needs_touch(T0, now=T0 + every, every=every)
