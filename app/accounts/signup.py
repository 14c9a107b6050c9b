"""Sign-up that tells nobody who has an account (docs/security.md).

`request_sign_up` answers the same for every address: the route says "check your inbox"
and sends one email either way. A new address gets a link that makes the account (with
the password typed at sign-up, waiting in `sign_up_requests`); an address that already
has an account gets "someone tried to sign up with your address" instead. Both paths
hash the password once, so the time taken tells nothing either.

The link carries a random token; only its SHA-256 digest is stored, and it works once,
within EMAIL_CONFIRM_MAX_AGE. Whoever opens it proves they read that inbox, so the
account is made with its address confirmed and that browser is signed in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.accounts.passwords import hash_password, password_problem
from app.accounts.recovery import EXPIRED, UNUSABLE, LinkProblem
from app.accounts.services import AccountError, user_by_email
from app.extensions import db
from app.models import audit
from app.models.signups import SignUpRequest
from app.models.users import Role, User, normalise_email

TOKEN_MAX = 64  # token_urlsafe(32) is 43 characters; anything longer is not ours
ALREADY_REGISTERED = (
    "This address already has a mockloop account. Sign in, or reset the password if you forgot it."
)


@dataclass(frozen=True)
class SignUpMail:
    """The one email a sign-up sends: a link to finish (token) or, for an address that
    already has an account, a notice to its owner (token None)."""

    email: str
    name: str
    token: str | None

    @property
    def template(self) -> str:
        return "sign_up" if self.token else "sign_up_existing"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_sign_up(
    email: str,
    display_name: str,
    password: str,
    *,
    next_url: str | None,
    now: datetime,
    max_age: int,
    ip: str | None = None,
) -> SignUpMail:
    """Record a sign-up try; which email to send. Raises AccountError for a bad password."""
    email = normalise_email(email)
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem, "password")
    password_hash = hash_password(password)  # on both paths, so the time tells nothing
    existing = user_by_email(email)
    if existing is not None:
        audit.record("account.register_existing", target_type="user", target_id=existing.id, ip=ip)
        db.session.commit()
        return SignUpMail(email, existing.display_name, None)
    token = secrets.token_urlsafe(32)
    name = display_name.strip() or email.split("@")[0]
    db.session.add(
        SignUpRequest(
            token_digest=_digest(token),
            email=email,
            display_name=name,
            password_hash=password_hash,
            next_url=(next_url or None) and next_url[:512],
            client_ip=(ip or None) and ip[:64],
            created_at=now,
            expires_at=now + timedelta(seconds=max_age),
        )
    )
    audit.record("account.register_requested", ip=ip)
    db.session.commit()
    return SignUpMail(email, name, token)


def pending(token: str, *, now: datetime) -> SignUpRequest:
    """The live sign-up request of this link, or LinkProblem."""
    if not token or len(token) > TOKEN_MAX:
        raise LinkProblem(UNUSABLE)
    row = db.session.scalar(
        select(SignUpRequest).where(SignUpRequest.token_digest == _digest(token))
    )
    if row is None:
        raise LinkProblem(UNUSABLE)
    if row.expires_at <= now:
        raise LinkProblem(EXPIRED + " Sign up again to get a new link.")
    return row


def finish_sign_up(token: str, *, now: datetime, ip: str | None = None) -> tuple[User, str | None]:
    """Make the account of this link (address confirmed); it and its `next` page.

    Every other pending try for the address dies with it. If the address got an account
    meanwhile (another link, an operator), nothing is made: LinkProblem.
    """
    request = pending(token, now=now)
    email, next_url = request.email, request.next_url
    if user_by_email(email) is not None:
        _forget(email)
        db.session.commit()
        raise LinkProblem(ALREADY_REGISTERED)
    user = User(
        email=email,
        display_name=request.display_name,
        password_hash=request.password_hash,
        role=Role.CANDIDATE.value,
        email_verified_at=now,
        last_login_at=now,
    )
    db.session.add(user)
    _forget(email)
    try:
        db.session.flush()
    except IntegrityError as error:  # the same address, finished at the same moment
        db.session.rollback()
        raise LinkProblem(ALREADY_REGISTERED) from error
    audit.record("account.register", actor_id=user.id, target_type="user", target_id=user.id, ip=ip)
    db.session.commit()
    return user, next_url


def _forget(email: str) -> None:
    db.session.execute(
        delete(SignUpRequest)
        .where(SignUpRequest.email == email)
        .execution_options(synchronize_session=False)
    )
