"""Account use cases. Each public function is one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import available_timezones

from sqlalchemy import select

from app.accounts import signins
from app.accounts.passwords import (
    burn_verify,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from app.clock import utcnow
from app.extensions import db
from app.models import audit
from app.models.users import MY_PROJECTS_MAX, Role, User, normalise_email
from app.theme import VALUES as THEMES

MY_PROJECTS_TOO_LONG = f"My projects is at most {MY_PROJECTS_MAX:,} characters; nothing was saved."


class AccountError(ValueError):
    """A use case refused its input; the message is safe to show to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class UnknownUser(AccountError):
    """No account has this id."""


def user_by_email(email: str) -> User | None:
    """The account with this email (compared case- and whitespace-insensitively)."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def user_by_id(user_id: int) -> User | None:
    """The account with this id, or None."""
    return db.session.get(User, user_id)


def _add_account(email: str, display_name: str, password: str, role: str) -> User:
    """Add (and flush, not commit) an account: a free email and an acceptable password.

    Only operators come here (the CLI); sign-up goes through app/accounts/signup.py, which
    never says whether an address has an account.
    """
    email = normalise_email(email)
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem, "password")
    password_hash = hash_password(password)
    if user_by_email(email) is not None:
        raise AccountError("An account with this email already exists.", "email")
    user = User(email=email, display_name=display_name, password_hash=password_hash, role=role)
    db.session.add(user)
    db.session.flush()
    return user


def create_user(email: str, display_name: str, password: str, role: str) -> User:
    """Create an account with any role (command line)."""
    if role not in {r.value for r in Role}:
        raise AccountError(f"Unknown role {role!r}; use candidate, coach or admin.", "role")
    name = display_name.strip() or normalise_email(email).split("@")[0]
    user = _add_account(email, name, password, role)
    user.email_verified_at = utcnow()  # an operator created it for this address
    audit.record("account.create", target_type="user", target_id=user.id, role=role)
    db.session.commit()
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None

    @property
    def ok(self) -> bool:
        return self.user is not None


def authenticate(email: str, password: str, *, now: datetime, ip: str | None = None) -> LoginResult:
    """Check credentials; the failure is the same for unknown email and wrong password."""
    user = user_by_email(email)
    if user is None:
        burn_verify(password)
        audit.record("login.failed", ip=ip, reason="unknown email")
        db.session.commit()
        return LoginResult(None)
    if not verify_password(user.password_hash, password) or not user.active:
        audit.record(
            "login.failed",
            actor_id=user.id,
            target_type="user",
            target_id=user.id,
            ip=ip,
            reason="inactive" if user.active else "wrong password",
        )
        db.session.commit()
        return LoginResult(None)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    audit.record("login", actor_id=user.id, target_type="user", target_id=user.id, ip=ip)
    db.session.commit()
    return LoginResult(user)


def user_or_error(user_id: int) -> User:
    """The account with this id, or UnknownUser."""
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted:  # a deleted account's row is only a tombstone
        raise UnknownUser("There is no such account.")
    return user


def change_password(
    user_id: int,
    current_password: str,
    new_password: str,
    *,
    keep_key: str | None,
    now: datetime,
    ip: str | None = None,
) -> User:
    """Set a new password after checking the current one; signs out every other device."""
    user = user_or_error(user_id)
    if not verify_password(user.password_hash, current_password):
        raise AccountError("Your current password is not right.", "current_password")
    problem = password_problem(new_password, user.email)
    if problem:
        raise AccountError(problem, "new_password")
    if verify_password(user.password_hash, new_password):
        raise AccountError("Choose a password different from the current one.", "new_password")
    user.password_hash = hash_password(new_password)
    signins.end_all(user.id, signins.PASSWORD_CHANGED, now=now, keep_key=keep_key)
    audit.record(
        "account.password_change", actor_id=user.id, target_type="user", target_id=user.id, ip=ip
    )
    db.session.commit()
    return user


def sign_out(user_id: int, key: str | None, *, now: datetime, ip: str | None = None) -> None:
    """End this browser's sign-in on the server (every copy of its cookie too), audited."""
    signins.end(key, signins.SIGNED_OUT, now=now)
    audit.record("logout", actor_id=user_id, target_type="user", target_id=user_id, ip=ip)
    db.session.commit()


def sign_out_everywhere(
    user_id: int, *, keep_key: str | None, now: datetime, ip: str | None = None
) -> User:
    """End every other sign-in of this account: their cookies stop working at once."""
    user = user_or_error(user_id)
    signins.end_all(user.id, signins.EVERYWHERE, now=now, keep_key=keep_key)
    audit.record(
        "account.sign_out_everywhere",
        actor_id=user.id,
        target_type="user",
        target_id=user.id,
        ip=ip,
    )
    db.session.commit()
    return user


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """Every IANA time zone name this machine knows, sorted."""
    return tuple(sorted(available_timezones() | {"UTC"}))


def set_theme(user_id: int, choice: str) -> User:
    """Keep the account's colours: 'system', 'light' or 'dark' (issue 18)."""
    if choice not in THEMES:
        raise AccountError("Choose light, dark or as the system.", "theme")
    user = user_or_error(user_id)
    user.theme = choice
    db.session.commit()
    return user


def set_my_projects(user_id: int, text: str) -> User:
    """Store the candidate's "My projects" text (plain text, at most MY_PROJECTS_MAX)."""
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MY_PROJECTS_MAX:
        raise AccountError(MY_PROJECTS_TOO_LONG, "my_projects")
    user = user_or_error(user_id)
    user.my_projects = text
    db.session.commit()
    return user


def set_time_zone(user_id: int, time_zone: str) -> User:
    """Store the user's IANA time zone (deadlines and schedules are shown in it)."""
    if time_zone not in time_zone_names():
        raise AccountError("Choose a time zone from the list, such as Europe/Berlin.", "timezone")
    user = user_or_error(user_id)
    user.timezone = time_zone
    db.session.commit()
    return user
