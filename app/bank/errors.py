"""What the bank's use cases refuse with, and the commit that turns a lost race into a refusal."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError

from app.bank.files.checks import Problem
from app.extensions import db


class BankError(ValueError):
    """A use case refused its input; the message is safe to show to an admin.

    `problems` holds field-level problems (from the shared schema) when there are any.
    """

    def __init__(self, message: str, problems: Sequence[Problem] = (), field=None):
        super().__init__(message)
        self.problems = list(problems)
        self.field = field


class BankNotFound(BankError):
    """The question, rubric, format or loop plan does not exist."""


def commit_or_refuse(message: str) -> None:
    """Commit the use case; a unique key taken meanwhile rolls back and refuses with `message`."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise BankError(message) from None
