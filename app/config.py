"""Configuration read from the environment.

`MOCKLOOP_ENV` picks the profile: `production` (the default, used by gunicorn),
`development` (`make run`) or `testing` (the test suite). Production refuses to start
without `SECRET_KEY`, and without PostgreSQL (`DATABASE_URL`) and Redis (`REDIS_URL`)
unless `MOCKLOOP_ALLOW_SINGLE_HOST=1`. Every setting an operator may change is listed in
`SETTINGS` (and in `.env.example`), read from its conventional name or `MOCKLOOP_<NAME>`.
The environment is read when the app is built (not at import), so one process can build
differently configured apps.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from limits import parse_many

SOURCE_ROOT = Path(__file__).resolve().parent.parent

# How long a "grace_then_close" round keeps accepting answers after its deadline, unless its
# round format says otherwise: the one home of this default (Config, the bank schema, the
# editor form and the models' column defaults all use it).
DEFAULT_GRACE_SECONDS = 60


class ConfigError(RuntimeError):
    """The configuration cannot be used (for example no SECRET_KEY in production)."""


def data_root() -> Path:
    """Where templates/, static/, migrations/ and question_bank/ are: the checkout, or the
    `mockloop_data` folder an installed wheel puts beside the `app` package."""
    if (SOURCE_ROOT / "templates").is_dir():
        return SOURCE_ROOT
    installed = SOURCE_ROOT / "mockloop_data"
    if (installed / "templates").is_dir():
        return installed
    raise ConfigError(f"mockloop's templates are missing (looked in {SOURCE_ROOT})")


ROOT = data_root()
# The instance folder (the development SQLite file and secret): in the checkout, or the
# working directory's instance/ for an installed wheel, or MOCKLOOP_INSTANCE_PATH.
INSTANCE = Path(
    os.environ.get("MOCKLOOP_INSTANCE_PATH")
    or (ROOT / "instance" if ROOT == SOURCE_ROOT else Path.cwd() / "instance")
)


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
    SECRET_KEY_FALLBACKS: list[str] = []
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE / 'mockloop.db'}"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    DB_POOL_SIZE = 5  # per worker process; PostgreSQL only
    DB_CONNECT_TIMEOUT = 5
    SQLITE_BUSY_TIMEOUT_MS = 5000

    MAX_CONTENT_LENGTH = 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a 48-hour take-home must still be able to save
    WTF_CSRF_HEADERS = ["X-CSRFToken"]

    # __Host-: the browser keeps it only if Secure, Path=/ and no Domain, so no other
    # site on a parent or sibling domain can set or shadow the sign-in cookie.
    SESSION_COOKIE_NAME = "__Host-mockloop_session"
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    # Absolute lifetime of a sign-in, checked against the time of sign-in (app/access.py);
    # the cookie itself expires after the same time. Remember-me is not offered.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # The cookie is re-signed only when the session changes: its expiry, set at sign-in,
    # already equals the server's absolute limit, so refreshing it on every request (an
    # HMAC and a Set-Cookie per autosave) bought nothing.
    SESSION_REFRESH_EACH_REQUEST = False
    HSTS = True
    # Addresses or networks of the reverse proxies (nginx, a load balancer) in front of
    # gunicorn. X-Forwarded-For/-Proto and X-Request-ID are believed only when the request's
    # peer is one of them (app/proxies.py), so nobody else can choose their address.
    TRUSTED_PROXY_IPS = ("127.0.0.1", "::1")
    # Production needs PostgreSQL and Redis unless the operator runs one host on purpose.
    ALLOW_SINGLE_HOST = False

    REDIS_URL = None
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = "mockloop"
    RATELIMIT_HEADERS_ENABLED = True
    # If Redis goes away, keep limiting per process in memory instead of failing sign-in.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Failed sign-ins only (docs/security.md): per client address; per account *from one
    # client* (so someone else's failures never lock the owner out); and a cap per account
    # across all clients, high enough that only a spread-out guessing run reaches it.
    LOGIN_LIMIT_PER_IP = "20 per minute"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute"
    LOGIN_LIMIT_PER_ACCOUNT_ALL_CLIENTS = "100 per hour"
    # Linking a coach by invite code, per signed-in user: codes can only be brute-forced.
    COACH_LINK_LIMIT = "10 per minute"
    # Every sign-up try costs an argon2 hash: per client address.
    SIGNUP_LIMIT_PER_IP = "10 per hour"
    # Sign-up emails to one address (each sends one, whether or not it has an account), so
    # the form can't be used to flood somebody's inbox.
    SIGNUP_LIMIT_PER_ADDRESS = "3 per hour"
    # Sign-ins kept on the server (app/accounts/signins.py): an admin's ends after 30 idle
    # minutes; last_seen_at is written at most once a minute per sign-in.
    ADMIN_IDLE_TIMEOUT = timedelta(minutes=30)
    SIGN_IN_TOUCH_EVERY = timedelta(minutes=1)

    # argon2id, OWASP's first recommended profile (m=19 MiB, t=2, p=1).
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    # Email (Flask-Mailman, SMTP). Links in emails start with PUBLIC_URL when it is set
    # (set it in production, e.g. https://mockloop.example.com), else the request's host.
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "mockloop <no-reply@localhost>"
    MAIL_TIMEOUT = 10
    PUBLIC_URL = None
    # Password-reset and verification links.
    PASSWORD_RESET_MAX_AGE = 3600
    EMAIL_CONFIRM_MAX_AGE = 3 * 24 * 3600
    # "Forgot password?" requests: per client address and per email address.
    PASSWORD_RESET_LIMIT_PER_IP = "10 per hour"
    PASSWORD_RESET_LIMIT_PER_ADDRESS = "3 per hour"
    # Verification resends and change-of-address requests, per signed-in account.
    ACCOUNT_EMAIL_LIMIT = "5 per hour"
    # `flask maintenance prune` keeps this many days of notifications and audit events.
    NOTIFICATION_RETENTION_DAYS = 365
    AUDIT_RETENTION_DAYS = 365
    # ... and this many days of ended or expired sign-ins (devices) and sign-up requests.
    SIGN_IN_RETENTION_DAYS = 30

    # One JSON line per request on stdout (app/logs.py); gunicorn's access log stays off.
    LOG_JSON = True
    LOG_REQUESTS = True
    LOG_LEVEL = "INFO"

    # A running round's plain autosave and status are answered below Flask
    # (app/practice/hotpath.py); off, Flask's views answer them, more slowly, alike.
    ROUND_HOT_PATH = True
    ANSWER_MAX_CHARS = 50_000
    ANSWER_MAX_LINKS = 20
    # a code run result posted by the browser (issue 12): 50 tests with capped texts fit
    CODE_RUN_MAX_BYTES = 512 * 1024
    DEFAULT_GRACE_SECONDS = DEFAULT_GRACE_SECONDS
    # the next follow-up reveals itself once this share of the question's suggested
    # minutes has passed on it (app.domain.follow_ups); "Done" reveals it sooner
    FOLLOW_UP_REVEAL_SHARE = 0.6
    PER_PAGE = 20
    ITEM_STATS_PER_PAGE = 25  # the bank editor's item statistics list
    QUESTION_BANK_DIR = str(ROOT / "question_bank")
    # An optional model that suggests levels (issue 13): off unless a server and a model
    # are named; only background jobs (`flask jobs run`, the sweep) ever call it.
    LLM_BASE_URL = ""
    LLM_MODEL = ""
    LLM_API_KEY = ""
    LLM_TIMEOUT_SECONDS = 60


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    MAIL_BACKEND = "console"  # printed by `make run`; set MAIL_SERVER to send for real
    ALLOW_SINGLE_HOST = True
    LOG_JSON = False  # `flask run` prints its own readable lines
    LOG_REQUESTS = False
    SESSION_COOKIE_NAME = "mockloop_session"  # plain http: no __Host- prefix
    SESSION_COOKIE_SECURE = False
    HSTS = False


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    ALLOW_SINGLE_HOST = True
    LOG_JSON = False
    LOG_REQUESTS = False
    SESSION_COOKIE_NAME = "mockloop_session"  # plain http: no __Host- prefix
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


def _text(value: str) -> str:
    return value


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("use 1 or 0")


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be 1 or more")
    return number


def _rate_limit(value: str) -> str:
    parse_many(value)  # raises ValueError for anything Flask-Limiter cannot read
    return value


def _networks(value: str) -> tuple[str, ...]:
    items = tuple(item.strip() for item in value.split(",") if item.strip())
    for item in items:
        ipaddress.ip_network(item, strict=False)
    return items


def _key_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@dataclass(frozen=True)
class Setting:
    """One operator setting: its config key, environment names, parser and what it is."""

    key: str
    env: tuple[str, ...]
    parse: Callable[[str], object]
    example: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", ("SECRET_KEY",), _text, "", "required in production; signs cookies"),
    Setting(
        "SECRET_KEY_FALLBACKS",
        ("SECRET_KEY_FALLBACKS",),
        _key_list,
        "",
        "comma-separated old keys still accepted while rotating SECRET_KEY",
    ),
    Setting(
        "SQLALCHEMY_DATABASE_URI",
        ("DATABASE_URL",),
        _text,
        "postgresql://mockloop@db.internal/mockloop",
        "PostgreSQL in production; SQLite only with MOCKLOOP_ALLOW_SINGLE_HOST=1",
    ),
    Setting(
        "REDIS_URL",
        ("REDIS_URL",),
        _text,
        "redis://cache.internal:6379/0",
        "rate-limit storage shared by every worker and host (required in production)",
    ),
    Setting(
        "ALLOW_SINGLE_HOST",
        ("MOCKLOOP_ALLOW_SINGLE_HOST",),
        _flag,
        "0",
        "1 allows SQLite and per-worker in-memory limits in production (one host only)",
    ),
    Setting(
        "TRUSTED_PROXY_IPS",
        ("TRUSTED_PROXY_IPS", "MOCKLOOP_TRUSTED_PROXY_IPS"),
        _networks,
        "127.0.0.1,::1",
        "addresses/networks of the proxies whose X-Forwarded-For and X-Request-ID are believed",
    ),
    Setting(
        "LOGIN_LIMIT_PER_IP",
        ("MOCKLOOP_LOGIN_LIMIT_PER_IP",),
        _rate_limit,
        "20 per minute",
        "failed sign-ins allowed per client address",
    ),
    Setting(
        "LOGIN_LIMIT_PER_ACCOUNT",
        ("MOCKLOOP_LOGIN_LIMIT_PER_ACCOUNT",),
        _rate_limit,
        "5 per minute",
        "failed sign-ins allowed per account from one client address",
    ),
    Setting(
        "LOGIN_LIMIT_PER_ACCOUNT_ALL_CLIENTS",
        ("MOCKLOOP_LOGIN_LIMIT_PER_ACCOUNT_ALL_CLIENTS",),
        _rate_limit,
        "100 per hour",
        "failed sign-ins allowed per account across all client addresses",
    ),
    Setting(
        "SIGNUP_LIMIT_PER_IP",
        ("MOCKLOOP_SIGNUP_LIMIT_PER_IP",),
        _rate_limit,
        "10 per hour",
        "sign-up tries allowed per client address",
    ),
    Setting(
        "SIGNUP_LIMIT_PER_ADDRESS",
        ("MOCKLOOP_SIGNUP_LIMIT_PER_ADDRESS",),
        _rate_limit,
        "3 per hour",
        "sign-up emails allowed per email address",
    ),
    Setting(
        "DB_POOL_SIZE",
        ("MOCKLOOP_DB_POOL_SIZE",),
        _positive_int,
        "5",
        "database connections kept per worker process (PostgreSQL)",
    ),
    Setting(
        "ANSWER_MAX_CHARS",
        ("MOCKLOOP_ANSWER_MAX_CHARS",),
        _positive_int,
        "50000",
        "longest answer accepted (longer saves get 422, never cut)",
    ),
    Setting(
        "DB_CONNECT_TIMEOUT",
        ("MOCKLOOP_DB_CONNECT_TIMEOUT",),
        _positive_int,
        "5",
        "seconds to wait for a PostgreSQL connection (health checks fail after this)",
    ),
    Setting(
        "ROUND_HOT_PATH",
        ("MOCKLOOP_ROUND_HOT_PATH",),
        _flag,
        "1",
        "0: a running round's autosave and status go through Flask's views (slower, same answers)",
    ),
    Setting("LOG_LEVEL", ("MOCKLOOP_LOG_LEVEL",), _text, "INFO", "DEBUG, INFO, WARNING or ERROR"),
    Setting("MAIL_SERVER", ("MAIL_SERVER",), _text, "smtp.example.org", "SMTP server for email"),
    Setting("MAIL_PORT", ("MAIL_PORT",), _positive_int, "587", "SMTP port"),
    Setting("MAIL_USE_TLS", ("MAIL_USE_TLS",), _flag, "1", "1: STARTTLS (usually port 587)"),
    Setting("MAIL_USE_SSL", ("MAIL_USE_SSL",), _flag, "0", "1: TLS from the start (port 465)"),
    Setting("MAIL_USERNAME", ("MAIL_USERNAME",), _text, "", "SMTP login"),
    Setting("MAIL_PASSWORD", ("MAIL_PASSWORD",), _text, "", "SMTP password"),
    Setting(
        "MAIL_DEFAULT_SENDER",
        ("MAIL_DEFAULT_SENDER",),
        _text,
        "mockloop <no-reply@mockloop.example.com>",
        "the From of every email",
    ),
    Setting(
        "PUBLIC_URL",
        ("PUBLIC_URL", "MOCKLOOP_PUBLIC_URL"),
        lambda value: value.strip().rstrip("/"),
        "https://mockloop.example.com",
        "start of the links in emails (so a forged Host header cannot redirect them)",
    ),
    Setting(
        "NOTIFICATION_RETENTION_DAYS",
        ("NOTIFICATION_RETENTION_DAYS", "MOCKLOOP_NOTIFICATION_RETENTION_DAYS"),
        _positive_int,
        "365",
        "days of notifications `flask maintenance prune` keeps",
    ),
    Setting(
        "AUDIT_RETENTION_DAYS",
        ("AUDIT_RETENTION_DAYS", "MOCKLOOP_AUDIT_RETENTION_DAYS"),
        _positive_int,
        "365",
        "days of audit events `flask maintenance prune` keeps",
    ),
    Setting(
        "SIGN_IN_RETENTION_DAYS",
        ("SIGN_IN_RETENTION_DAYS", "MOCKLOOP_SIGN_IN_RETENTION_DAYS"),
        _positive_int,
        "30",
        "days `flask maintenance prune` keeps ended sign-ins and expired sign-up links",
    ),
    Setting(
        "QUESTION_BANK_DIR",
        ("MOCKLOOP_QUESTION_BANK_DIR",),
        _text,
        "question_bank",
        "folder `flask bank import|validate` read by default",
    ),
    Setting(
        "LLM_BASE_URL",
        ("LLM_BASE_URL",),
        lambda value: value.strip().rstrip("/"),
        "",
        "OpenAI-compatible server whose model suggests levels, e.g. http://127.0.0.1:11434/v1 "
        "(off when empty)",
    ),
    Setting("LLM_MODEL", ("LLM_MODEL",), _text, "", "the model's name on that server"),
    Setting(
        "LLM_API_KEY",
        ("LLM_API_KEY",),
        _text,
        "",
        "sent as a Bearer token, if the server wants one",
    ),
    Setting(
        "LLM_TIMEOUT_SECONDS",
        ("LLM_TIMEOUT_SECONDS",),
        _positive_int,
        "60",
        "seconds a grading job waits for the model's reply",
    ),
)


def from_environment(env: str, environ: os._Environ | dict) -> dict:
    """Settings taken from environment variables (tests ignore the machine's ones)."""
    if env == "testing":
        return {}
    if environ.get("TRUSTED_PROXIES"):
        raise ConfigError(
            "TRUSTED_PROXIES (a hop count) is no longer read: list the proxies' addresses "
            "in TRUSTED_PROXY_IPS instead, e.g. TRUSTED_PROXY_IPS=127.0.0.1,10.0.0.0/24"
        )
    values: dict = {}
    for setting in SETTINGS:
        name = next((name for name in setting.env if environ.get(name)), None)
        if name is None:
            continue
        try:
            values[setting.key] = setting.parse(environ[name])
        except ValueError as error:
            raise ConfigError(f"{name}={environ[name]!r} is not usable: {error}") from error
    if values.get("REDIS_URL"):
        values["RATELIMIT_STORAGE_URI"] = values["REDIS_URL"]
    if values.get("MAIL_SERVER"):
        values["MAIL_BACKEND"] = "smtp"  # development too, once a server is named
    if values.get("MAIL_USE_TLS") and values.get("MAIL_USE_SSL"):
        raise ConfigError("Set MAIL_USE_TLS (STARTTLS, port 587) or MAIL_USE_SSL (465), not both")
    return values


def check_several_hosts(config: dict) -> str | None:
    """Refuse a production start that would quietly run as one host; return a warning line.

    Without `DATABASE_URL` naming PostgreSQL, a host would serve its own empty SQLite
    file; without `REDIS_URL`, every worker would count sign-in limits on its own.
    """
    backend = config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+", 1)[0]
    missing = []
    if backend != "postgresql":
        missing.append("DATABASE_URL (PostgreSQL)")
    if not config.get("REDIS_URL"):
        missing.append("REDIS_URL (shared rate limits)")
    if not missing:
        return None
    if config.get("ALLOW_SINGLE_HOST"):
        if config["ENV_NAME"] == "production":
            return (
                "mockloop: running as a single host (MOCKLOOP_ALLOW_SINGLE_HOST=1): "
                "without " + " and ".join(missing) + " limits are per worker"
            )
        return None
    raise ConfigError(
        "production needs "
        + " and ".join(missing)
        + "; set them, or MOCKLOOP_ALLOW_SINGLE_HOST=1 to run one host on SQLite"
    )


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
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # No pool_pre_ping round trip on every checkout: app.models.base.check_on_checkout
        # replaces it with a local look at the socket (a server that restarted or ended
        # the connection has closed it), TCP keepalives find silently dropped peers, and
        # pool_recycle retires connections before idle-killing middleboxes do.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **config["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_pre_ping": False,
            "pool_recycle": 1800,
            "pool_size": config["DB_POOL_SIZE"],
            "connect_args": {
                "connect_timeout": config["DB_CONNECT_TIMEOUT"],
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
            },
        }
    config["SINGLE_HOST_WARNING"] = check_several_hosts(config)
    return config
