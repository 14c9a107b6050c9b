"""Email links: password reset, address verification and change of address.

Each link is an itsdangerous token signed with SECRET_KEY, with a salt per purpose (a
verification link is refused as a reset link), and bound to the state it changes:

- reset: the user id, a fingerprint of the current password hash and of the email, so
  it dies as soon as the password (or the address) changes: single use, whoever uses it;
- verify: the user id and the address it was sent to; useless once verified;
- change of address: the user id and the pending address; useless once confirmed,
  cancelled or replaced by another pending address.

The services commit; the caller sends the email afterwards (app/mail.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.accounts import signins
from app.accounts.passwords import hash_password, password_problem, verify_password
from app.accounts.services import AccountError, user_by_email, user_or_error
from app.clock import utcnow
from app.extensions import db
from app.models import audit
from app.models.users import User, normalise_email

RESET = "mockloop.password-reset"
VERIFY = "mockloop.verify-email"
CHANGE = "mockloop.change-email"
UNSUBSCRIBE = "mockloop.unsubscribe"


class LinkProblem(AccountError):
    """A link that cannot be used: expired, already used, tampered with or for another purpose."""


EXPIRED = "This link has expired. Ask for a new one."
UNUSABLE = "This link is not valid, or it was already used. Ask for a new one."


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(value: str) -> str:
    """A short digest: the link carries no password hash, only evidence of which one."""
    return hashlib.sha256(value.encode()).hexdigest()[:20]


def _load(token: str, salt: str, max_age: int) -> dict:
    """The token's payload, or LinkProblem (expired, tampered, foreign)."""
    try:
        payload = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise LinkProblem(EXPIRED) from error
    except BadSignature as error:
        raise LinkProblem(UNUSABLE) from error
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise LinkProblem(UNUSABLE)
    return payload


# --- password reset ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResetRequest:
    """Who to email and the token for the link; token None when no active account has the
    address (it then gets a "there is no account to reset" notice: one email either way, so
    neither the page nor a failed send tells who has an account)."""

    email: str
    name: str
    token: str | None

    @property
    def template(self) -> str:
        return "password_reset" if self.token else "password_reset_no_account"


def request_password_reset(email: str, *, ip: str | None = None) -> ResetRequest:
    """Audit the request; a reset token when an active account has this email."""
    user = user_by_email(email)
    if user is None or not user.active or user.is_deleted:
        audit.record("password.reset_requested", ip=ip, known=False)
        db.session.commit()
        return ResetRequest(email=normalise_email(email), name="", token=None)
    token = _serializer(RESET).dumps(
        {"u": user.id, "p": _fingerprint(user.password_hash), "e": _fingerprint(user.email)}
    )
    audit.record(
        "password.reset_requested", actor_id=user.id, target_type="user", target_id=user.id, ip=ip
    )
    db.session.commit()
    return ResetRequest(email=user.email, name=user.display_name, token=token)


def user_for_reset(token: str) -> User:
    """The account a reset link is for, or LinkProblem when the link cannot be used."""
    payload = _load(token, RESET, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = db.session.get(User, payload["u"])
    if (
        user is None
        or not user.active
        or user.is_deleted
        or payload.get("p") != _fingerprint(user.password_hash)
        or payload.get("e") != _fingerprint(user.email)
    ):
        raise LinkProblem(UNUSABLE)
    return user


def reset_password(token: str, new_password: str, *, ip: str | None = None) -> User:
    """Set a new password from a reset link; every session of the user is signed out."""
    user = user_for_reset(token)
    problem = password_problem(new_password, user.email)
    if problem:
        raise AccountError(problem, "password")
    if verify_password(user.password_hash, new_password):
        raise AccountError("Choose a password different from the current one.", "password")
    user.password_hash = hash_password(new_password)
    signins.end_all(user.id, signins.PASSWORD_RESET, now=utcnow())
    if not user.is_verified:
        user.email_verified_at = utcnow()  # the link reached this address
    audit.record("password.reset", actor_id=user.id, target_type="user", target_id=user.id, ip=ip)
    db.session.commit()
    return user


def set_password_by_email(email: str, new_password: str) -> User:
    """`flask users set-password`: an operator sets a password; every session ends."""
    user = user_by_email(email)
    if user is None or user.is_deleted:
        raise AccountError(f"No account has the email {normalise_email(email)}.", "email")
    problem = password_problem(new_password, user.email)
    if problem:
        raise AccountError(problem, "password")
    user.password_hash = hash_password(new_password)
    signins.end_all(user.id, signins.PASSWORD_RESET, now=utcnow())
    audit.record("password.set_by_operator", target_type="user", target_id=user.id, via="cli")
    db.session.commit()
    return user


# --- email verification and change of address -------------------------------------------


@dataclass(frozen=True)
class ConfirmRequest:
    """An address to email with a confirmation token."""

    email: str
    name: str
    token: str


def verification_for(user_id: int) -> ConfirmRequest | None:
    """A verification token for the user's address; None when it is verified already."""
    user = user_or_error(user_id)
    if user.is_verified:
        return None
    token = _serializer(VERIFY).dumps({"u": user.id, "e": user.email})
    return ConfirmRequest(email=user.email, name=user.display_name, token=token)


def verify_email(token: str) -> User:
    """Mark the address verified (the link reached it)."""
    payload = _load(token, VERIFY, current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    user = db.session.get(User, payload["u"])
    if user is None or user.is_deleted or user.email != payload.get("e") or user.is_verified:
        raise LinkProblem(UNUSABLE)
    user.email_verified_at = utcnow()
    audit.record("email.verified", actor_id=user.id, target_type="user", target_id=user.id)
    db.session.commit()
    return user


def request_email_change(
    user_id: int, password: str, new_email: str, *, ip: str | None = None
) -> ConfirmRequest:
    """Keep `new_email` pending (password checked) and make the token sent to it."""
    user = user_or_error(user_id)
    if not verify_password(user.password_hash, password):
        raise AccountError("Your current password is not right.", "password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError("That is already your address.", "email")
    if user_by_email(new_email) is not None:
        raise AccountError("Another account uses this address.", "email")
    user.pending_email = new_email
    audit.record(
        "email.change_requested", actor_id=user.id, target_type="user", target_id=user.id, ip=ip
    )
    db.session.commit()
    token = _serializer(CHANGE).dumps({"u": user.id, "e": new_email})
    return ConfirmRequest(email=new_email, name=user.display_name, token=token)


def confirm_email_change(token: str, *, keep_key: str | None = None) -> User:
    """Move the account to the pending address the link was sent to; other sessions end."""
    payload = _load(token, CHANGE, current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    user = db.session.get(User, payload["u"])
    new_email = payload.get("e")
    if user is None or user.is_deleted or not new_email or user.pending_email != new_email:
        raise LinkProblem(UNUSABLE)
    if user_by_email(new_email) is not None:
        raise LinkProblem("Another account took this address meanwhile; nothing was changed.")
    old_email = user.email
    user.email = new_email
    user.pending_email = None
    user.email_verified_at = utcnow()
    signins.end_all(user.id, signins.EMAIL_CHANGED, now=utcnow(), keep_key=keep_key)
    audit.record(
        "email.changed",
        actor_id=user.id,
        target_type="user",
        target_id=user.id,
        old=old_email,
        new=new_email,
    )
    db.session.commit()
    return user


# --- notification emails ----------------------------------------------------------------


def unsubscribe_token(user_id: int) -> str:
    """The token of the unsubscribe link in every notification email (it does not expire)."""
    return _serializer(UNSUBSCRIBE).dumps({"u": user_id})


def set_email_notifications(user_id: int, wanted: bool) -> User:
    """Turn notification emails on (a confirmed address is needed) or off."""
    user = user_or_error(user_id)
    if wanted and not user.is_verified:
        raise AccountError(
            "Confirm your email address first; then notification emails can be turned on.",
            "email_notifications",
        )
    user.email_notifications = wanted
    db.session.commit()
    return user


def unsubscribe(token: str) -> User:
    """Turn notification emails off from the link in one of them."""
    try:
        payload = _serializer(UNSUBSCRIBE).loads(token)
    except BadSignature as error:
        raise LinkProblem(UNUSABLE) from error
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or user.is_deleted:
        raise LinkProblem(UNUSABLE)
    user.email_notifications = False
    audit.record("email.unsubscribe", actor_id=user.id, target_type="user", target_id=user.id)
    db.session.commit()
    return user
