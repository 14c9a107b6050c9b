"""The only source of "now" in mockloop. Tests freeze it with freezegun."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current instant as an aware UTC datetime."""
    return datetime.now(UTC)
