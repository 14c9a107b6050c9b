"""Configuration read from the environment.

`MOCKLOOP_ENV` picks the profile: `production` (the default, used by gunicorn),
`development` (`make run`) or `testing` (the test suite). Production refuses to start
without `SECRET_KEY`. The environment is read when the app is built (not at import),
so one process can build differently configured apps.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

# How long a "grace_then_close" round keeps accepting answers after its deadline, unless its
# round format says otherwise: the one home of this default (Config, the bank schema, the
# editor form and the models' column defaults all use it).
DEFAULT_GRACE_SECONDS = 60


class ConfigError(RuntimeError):
    """The configuration cannot be used (for example no SECRET_KEY in production)."""


def normalise_database_url(url: str) -> str:
    """Route plain `postgres://`/`postgresql://` URLs through psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    ENV_NAME = "production"
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE / 'mockloop.db'}"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 5000

    MAX_CONTENT_LENGTH = 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a 48-hour take-home must still be able to save
    WTF_CSRF_HEADERS = ["X-CSRFToken"]

    SESSION_COOKIE_NAME = "mockloop_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    # Absolute lifetime of a sign-in, checked against the time of sign-in (app/access.py);
    # the cookie itself expires after the same time. Remember-me is not offered.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    HSTS = True
    # How many reverse proxies (TLS terminator, load balancer) sit in front of gunicorn.
    # Their X-Forwarded-For/-Proto are trusted only when this is set, so the sign-in
    # limits see the client's address instead of the proxy's, and nobody can spoof it.
    TRUSTED_PROXIES = 0

    REDIS_URL = None
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = "mockloop"
    RATELIMIT_HEADERS_ENABLED = True
    # If Redis goes away, keep limiting per process in memory instead of failing sign-in.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Failed sign-ins only: per client IP, and per account (the normalised email).
    LOGIN_LIMIT_PER_IP = "20 per minute"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute"

    # argon2id, OWASP's first recommended profile (m=19 MiB, t=2, p=1).
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    ANSWER_MAX_CHARS = 50_000
    DEFAULT_GRACE_SECONDS = DEFAULT_GRACE_SECONDS
    PER_PAGE = 20
    ITEM_STATS_PER_PAGE = 25  # the bank editor's item statistics list
    QUESTION_BANK_DIR = str(ROOT / "question_bank")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False
    HSTS = False


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SESSION_COOKIE_SECURE = False
    HSTS = False
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1


PROFILES = {"production": Config, "development": DevelopmentConfig, "testing": TestConfig}


def dev_secret_key() -> str:
    """A per-checkout secret for `make run`, kept in instance/ so sessions survive restarts."""
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def from_environment(env: str, environ: os._Environ | dict) -> dict:
    """Settings taken from environment variables (tests ignore the machine's ones)."""
    if env == "testing":
        return {}
    values: dict = {}
    if environ.get("SECRET_KEY"):
        values["SECRET_KEY"] = environ["SECRET_KEY"]
    if environ.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    if environ.get("TRUSTED_PROXIES"):
        try:
            values["TRUSTED_PROXIES"] = int(environ["TRUSTED_PROXIES"])
        except ValueError as error:
            raise ConfigError("TRUSTED_PROXIES must be a number of proxies, such as 1") from error
    if environ.get("REDIS_URL"):
        values["REDIS_URL"] = environ["REDIS_URL"]
        values["RATELIMIT_STORAGE_URI"] = environ["REDIS_URL"]
    return values


def load_config(overrides: dict | None = None) -> dict:
    """Build the config mapping for `create_app`; raise ConfigError when unusable."""
    overrides = dict(overrides or {})
    env = overrides.pop("ENV_NAME", None) or os.environ.get("MOCKLOOP_ENV", "production")
    if env not in PROFILES:
        raise ConfigError(f"MOCKLOOP_ENV must be one of {', '.join(PROFILES)}, not {env!r}")
    profile = PROFILES[env]
    config = {key: getattr(profile, key) for key in dir(profile) if key.isupper()}
    config.update(from_environment(env, os.environ))
    config.update(overrides)
    if env == "development" and not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = dev_secret_key()
    if not config.get("SECRET_KEY"):
        raise ConfigError(
            "SECRET_KEY must be set outside development and testing "
            "(export SECRET_KEY=... before starting mockloop)"
        )
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    return config
