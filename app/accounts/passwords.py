"""Password policy and argon2id hashing.

`common_passwords.txt` holds about 30,000 of the most used passwords, most common first,
taken at development time from the frequency lists of the zxcvbn package (MIT licence,
Dropbox) plus a few AI-flavoured ones; it is plain text so no runtime dependency is needed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The common-password list, lower-cased, loaded once."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def _core(password: str) -> str:
    """The password without the digits and symbols people pad a common word with."""
    return _PADDING.sub("", password.strip().lower())


_PADDING = re.compile(r"^[^a-z]+|[^a-z]+$")
# NUL, other C0/C1 controls, DEL, lone surrogates and non-characters: nothing a person
# types, and NUL is cut off by some libraries (a password that means two things).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_REPEATED_UNIT = re.compile(r"^(.{1,4})\1+$", re.DOTALL)


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why `password` is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if _CONTROL.search(password):
        return (
            "Your password contains a control character (such as NUL, a tab or a line "
            "break); use letters, digits, spaces and symbols only."
        )
    lowered = password.strip().lower()
    core = _core(password)
    if lowered in common_passwords() or (len(core) >= 4 and core in common_passwords()):
        return "This password is too common; choose one that is harder to guess."
    if _REPEATED_UNIT.match(lowered):
        return "This password is a short pattern repeated; choose one that is harder to guess."
    if email and password.strip().lower() == email.strip().lower():
        return "Your password must not be your email address."
    return None


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """An argon2id hash with the configured cost."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches `password_hash`; False for any malformed hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other cost parameters than configured now."""
    return _hasher().check_needs_rehash(password_hash)


# A valid hash to verify against when the email is unknown, so both paths cost the same.
@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return PasswordHasher(time_cost, memory_cost, parallelism=parallelism).hash("x" * 16)


def burn_verify(password: str) -> None:
    """Spend the time of one verification (unknown email), so timing reveals nothing."""
    config = current_app.config
    verify_password(
        _dummy_hash(
            config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"]
        ),
        password,
    )
