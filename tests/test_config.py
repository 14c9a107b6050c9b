"""Configuration: profiles, the environment, and refusing to start without SECRET_KEY."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import ConfigError, load_config, normalise_database_url
from app.llm import settings_from


@pytest.fixture
def clean_env(monkeypatch):
    from app.config import SETTINGS

    names = {"MOCKLOOP_ENV", "TRUSTED_PROXIES"} | {n for s in SETTINGS for n in s.env}
    for name in names:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_refuses_to_load_without_secret_key(clean_env):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config()


def test_production_refuses_to_build_an_app_without_secret_key(clean_env):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(ConfigError):
        create_app({"ENV_NAME": "production", "SECRET_KEY": ""})


def test_production_reads_the_environment_when_building(clean_env):
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    clean_env.setenv("DATABASE_URL", "postgres://u:p@db.internal/mockloop")
    clean_env.setenv("REDIS_URL", "redis://cache.internal:6379/0")
    config = load_config()
    assert config["ENV_NAME"] == "production"
    assert config["SECRET_KEY"] == "from-the-environment"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.internal/mockloop"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    assert config["SESSION_COOKIE_SECURE"] is True and config["HSTS"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600
    assert config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert config["WTF_CSRF_TIME_LIMIT"] is None


def test_testing_profile_ignores_the_machine_environment(clean_env):
    clean_env.setenv("DATABASE_URL", "postgresql://somewhere/else")
    clean_env.setenv("REDIS_URL", "redis://somewhere:6379/0")
    config = load_config({"ENV_NAME": "testing"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_development_makes_and_keeps_its_own_secret(clean_env, tmp_path):
    import app.config as config_module

    clean_env.setattr(config_module, "INSTANCE", tmp_path)
    first = load_config({"ENV_NAME": "development"})["SECRET_KEY"]
    second = load_config({"ENV_NAME": "development"})["SECRET_KEY"]
    assert first == second and len(first) >= 48
    assert (tmp_path / "dev-secret-key").read_text().strip() == first


def test_unknown_profile_is_refused(clean_env):
    clean_env.setenv("MOCKLOOP_ENV", "staging")
    with pytest.raises(ConfigError, match="MOCKLOOP_ENV"):
        load_config()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_go_through_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_trusted_proxy_addresses_from_the_environment(clean_env):
    clean_env.setenv("SECRET_KEY", "k")
    clean_env.setenv("MOCKLOOP_ALLOW_SINGLE_HOST", "1")
    assert load_config()["TRUSTED_PROXY_IPS"] == ("127.0.0.1", "::1")
    clean_env.setenv("TRUSTED_PROXY_IPS", "10.0.0.5, 10.1.0.0/16")
    assert load_config()["TRUSTED_PROXY_IPS"] == ("10.0.0.5", "10.1.0.0/16")
    clean_env.setenv("TRUSTED_PROXY_IPS", "nginx.internal")
    with pytest.raises(ConfigError, match="TRUSTED_PROXY_IPS"):
        load_config()


def test_a_hop_count_is_refused_with_the_new_name(clean_env):
    clean_env.setenv("SECRET_KEY", "k")
    clean_env.setenv("MOCKLOOP_ALLOW_SINGLE_HOST", "1")
    clean_env.setenv("TRUSTED_PROXIES", "1")
    with pytest.raises(ConfigError, match="TRUSTED_PROXY_IPS"):
        load_config()


def test_production_refuses_sqlite_and_missing_redis(clean_env):
    clean_env.setenv("SECRET_KEY", "k")
    with pytest.raises(ConfigError) as refused:
        load_config()
    assert "DATABASE_URL" in str(refused.value) and "REDIS_URL" in str(refused.value)
    assert "MOCKLOOP_ALLOW_SINGLE_HOST" in str(refused.value)
    clean_env.setenv("DATABASE_URL", "postgresql://u@db/mockloop")
    with pytest.raises(ConfigError, match="REDIS_URL") as refused:
        load_config()
    assert "DATABASE_URL" not in str(refused.value)
    clean_env.setenv("REDIS_URL", "redis://cache:6379/0")
    assert load_config()["SINGLE_HOST_WARNING"] is None


def test_single_host_on_purpose_warns_once(clean_env):
    clean_env.setenv("SECRET_KEY", "k")
    clean_env.setenv("MOCKLOOP_ALLOW_SINGLE_HOST", "1")
    config = load_config()
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    assert "per worker" in config["SINGLE_HOST_WARNING"]


@pytest.mark.parametrize(
    ("name", "value", "key", "expected"),
    [
        ("MOCKLOOP_LOGIN_LIMIT_PER_IP", "50 per hour", "LOGIN_LIMIT_PER_IP", "50 per hour"),
        ("MOCKLOOP_LOGIN_LIMIT_PER_ACCOUNT", "3/minute", "LOGIN_LIMIT_PER_ACCOUNT", "3/minute"),
        ("MOCKLOOP_DB_POOL_SIZE", "12", "DB_POOL_SIZE", 12),
        ("MOCKLOOP_ANSWER_MAX_CHARS", "80000", "ANSWER_MAX_CHARS", 80000),
        ("SECRET_KEY_FALLBACKS", "old-1, old-2", "SECRET_KEY_FALLBACKS", ["old-1", "old-2"]),
        ("LLM_BASE_URL", "http://127.0.0.1:11434/v1/", "LLM_BASE_URL", "http://127.0.0.1:11434/v1"),
        ("LLM_MODEL", "qwen2.5:7b-instruct", "LLM_MODEL", "qwen2.5:7b-instruct"),
        ("LLM_TIMEOUT_SECONDS", "90", "LLM_TIMEOUT_SECONDS", 90),
    ],
)
def test_operator_settings_come_from_the_environment(clean_env, name, value, key, expected):
    clean_env.setenv("SECRET_KEY", "k")
    clean_env.setenv("MOCKLOOP_ALLOW_SINGLE_HOST", "1")
    clean_env.setenv(name, value)
    assert load_config()[key] == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MOCKLOOP_LOGIN_LIMIT_PER_IP", "lots"),
        ("MOCKLOOP_DB_POOL_SIZE", "0"),
        ("MOCKLOOP_ANSWER_MAX_CHARS", "many"),
        ("MOCKLOOP_ALLOW_SINGLE_HOST", "perhaps"),
        ("LLM_TIMEOUT_SECONDS", "0"),
    ],
)
def test_unusable_settings_are_refused_by_name(clean_env, name, value):
    clean_env.setenv("SECRET_KEY", "k")
    clean_env.setenv("MOCKLOOP_ALLOW_SINGLE_HOST", "1")
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_config()


def test_env_example_lists_every_setting():
    from app.config import ROOT, SETTINGS

    example = (ROOT / ".env.example").read_text()
    for setting in SETTINGS:
        assert any(f"{name}=" in example for name in setting.env), setting.key


def test_the_model_is_off_by_default(clean_env):
    clean_env.setenv("SECRET_KEY", "k")
    clean_env.setenv("MOCKLOOP_ALLOW_SINGLE_HOST", "1")
    config = load_config()
    assert (config["LLM_BASE_URL"], config["LLM_MODEL"]) == ("", "")
    assert settings_from(config) is None
    clean_env.setenv("LLM_BASE_URL", "http://127.0.0.1:11434/v1")
    assert settings_from(load_config()) is None  # a server without a model is still off
    clean_env.setenv("LLM_MODEL", "m")
    assert settings_from(load_config()).model == "m"
