"""Email settings come from the environment; development prints mail to the console."""

from __future__ import annotations

import pytest

from app.config import ConfigError, load_config

MAIL_VARS = (
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "PUBLIC_URL",
    "NOTIFICATION_RETENTION_DAYS",
    "AUDIT_RETENTION_DAYS",
)


@pytest.fixture
def env(monkeypatch):
    for name in (*MAIL_VARS, "MOCKLOOP_ENV", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("MOCKLOOP_ALLOW_SINGLE_HOST", "1")
    return monkeypatch


def test_mail_settings_are_read_from_the_environment(env):
    env.setenv("MAIL_SERVER", "smtp.example.org")
    env.setenv("MAIL_PORT", "587")
    env.setenv("MAIL_USE_TLS", "true")
    env.setenv("MAIL_USERNAME", "mockloop")
    env.setenv("MAIL_PASSWORD", "s3cret")
    env.setenv("MAIL_DEFAULT_SENDER", "mockloop <hello@example.org>")
    env.setenv("PUBLIC_URL", "https://mockloop.example.org/")
    env.setenv("AUDIT_RETENTION_DAYS", "90")
    config = load_config()
    assert config["MAIL_BACKEND"] == "smtp"
    assert (config["MAIL_SERVER"], config["MAIL_PORT"]) == ("smtp.example.org", 587)
    assert config["MAIL_USE_TLS"] is True and config["MAIL_USE_SSL"] is False
    assert (config["MAIL_USERNAME"], config["MAIL_PASSWORD"]) == ("mockloop", "s3cret")
    assert config["MAIL_DEFAULT_SENDER"] == "mockloop <hello@example.org>"
    assert config["PUBLIC_URL"] == "https://mockloop.example.org"
    assert config["AUDIT_RETENTION_DAYS"] == 90 and config["NOTIFICATION_RETENTION_DAYS"] == 365


def test_development_prints_mail_unless_a_server_is_named(env):
    env.setenv("MOCKLOOP_ENV", "development")
    assert load_config()["MAIL_BACKEND"] == "console"
    env.setenv("MAIL_SERVER", "127.0.0.1")
    assert load_config()["MAIL_BACKEND"] == "smtp"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAIL_PORT", "smtp", "MAIL_PORT='smtp' is not usable"),
        ("AUDIT_RETENTION_DAYS", "a year", "AUDIT_RETENTION_DAYS='a year' is not usable"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(env, name, value, message):
    env.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load_config()


def test_tls_and_ssl_together_are_refused(env):
    env.setenv("MAIL_USE_TLS", "1")
    env.setenv("MAIL_USE_SSL", "1")
    with pytest.raises(ConfigError, match="not both"):
        load_config()
