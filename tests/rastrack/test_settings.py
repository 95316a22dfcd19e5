"""Settings come from the environment and fail fast on bad values."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from rastrack.env import env_bool, env_database, env_int, env_str, env_url
from tests.support.subprocesses import PRODUCTION, run_manage


@pytest.mark.parametrize("raw", ["maybe", "ture", "2", "yes please"])
def test_env_bool_refuses_anything_but_a_boolean(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("False", False), ("1", True),
                                               ("off", False), ("", True)])
def test_env_bool_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", True) is expected


def test_env_int_names_the_variable(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env_int("EMAIL_PORT", 25)
    monkeypatch.setenv("EMAIL_PORT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("EMAIL_PORT", 25, minimum=1)


@pytest.mark.parametrize("raw", ["redis//localhost", "http://localhost:6379", "redis://"])
def test_env_url_refuses_a_bad_url(monkeypatch, raw):
    monkeypatch.setenv("REDIS_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env_url("REDIS_URL", None, schemes=("redis", "rediss"))


def test_env_database_refuses_an_unknown_scheme(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mongodb://localhost/rastrack")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_database("DATABASE_URL", "sqlite:///x.sqlite3")


def test_env_database_reads_postgres(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example.org:5433/rastrack")
    config = env_database("DATABASE_URL", "sqlite:///x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example.org", 5433, "rastrack")


def test_env_str_without_default_requires_the_variable(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        env_str("SECRET_KEY")


def test_deploy_check_passes_with_production_variables():
    result = run_manage(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage({**PRODUCTION, "SECRET_KEY": ""}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_bad_boolean_stops_start_up_naming_the_variable():
    result = run_manage({**PRODUCTION, "DEBUG": "sometimes"}, "check")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_a_bad_throttle_rate_stops_start_up():
    result = run_manage({**PRODUCTION, "THROTTLE_USER": "lots"}, "check")
    assert result.returncode != 0
    assert "THROTTLE_USER" in result.stderr
