"""Account use cases. Each public function is one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

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
from app.models.users import Role, User, normalise_email


class AccountError(ValueError):
    """A use case refused its input; the message is safe to show to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def user_for_login_id(login_id: str) -> User | None:
    """Resolve Flask-Login's id "<user id>:<session token>"; a stale token resolves to nobody."""
    user_id, _, token = (login_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def register(email: str, display_name: str, password: str, *, ip: str | None = None) -> User:
    """Create a candidate account."""
    email = normalise_email(email)
    if user_by_email(email) is not None:
        raise AccountError("An account with this email already exists.", "email")
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem, "password")
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=Role.CANDIDATE.value,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.register", actor_id=user.id, target_type="user", target_id=user.id, ip=ip)
    db.session.commit()
    return user


def create_user(email: str, display_name: str, password: str, role: str) -> User:
    """Create an account with any role (command line)."""
    if role not in {r.value for r in Role}:
        raise AccountError(f"Unknown role {role!r}; use candidate, coach or admin.", "role")
    email = normalise_email(email)
    if user_by_email(email) is not None:
        raise AccountError("An account with this email already exists.", "email")
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem, "password")
    user = User(
        email=email,
        display_name=display_name.strip() or email.split("@")[0],
        password_hash=hash_password(password),
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.create", target_type="user", target_id=user.id, role=role)
    db.session.commit()
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None

    @property
    def ok(self) -> bool:
        return self.user is not None


def authenticate(email: str, password: str, *, ip: str | None = None) -> LoginResult:
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
    user.last_login_at = utcnow()
    audit.record("login", actor_id=user.id, target_type="user", target_id=user.id, ip=ip)
    db.session.commit()
    return LoginResult(user)
