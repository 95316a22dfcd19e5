"""Strict readers for settings from the environment.

Every reader fails fast: a value that cannot be parsed raises ImproperlyConfigured naming
the variable, so a typo in a deployment stops the process at start-up instead of running
with a silently different behaviour (the healthchecks project's `envbool` habit).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_MISSING = object()


def env_str(name: str, default: str | object = _MISSING) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is _MISSING:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default  # type: ignore[return-value]
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, default: str | None, *, schemes: tuple[str, ...]) -> str | None:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    parts = urlsplit(raw)
    if parts.scheme not in schemes:
        allowed = ", ".join(schemes)
        raise ImproperlyConfigured(f"{name} must be a URL with a scheme among {allowed}: {raw!r}.")
    if parts.scheme not in ("sqlite", "filesystem") and not parts.hostname:
        raise ImproperlyConfigured(f"{name} has no host: {raw!r}.")
    return raw


def env_database(name: str, default: str) -> dict:
    url = env_url(name, None, schemes=("postgres", "postgresql", "pgsql", "sqlite")) or default
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # environ raises several types for a malformed URL
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    return config


def env_int_list(name: str, default: list[int]) -> list[int]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    try:
        return [int(item) for item in raw.split(",") if item.strip()]
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be comma-separated whole numbers, not {raw!r}.") from None


def check_key_set(name: str, value: str | os.PathLike) -> None:
    """Fail fast on a signing key set that cannot be one: JSON `{"keys": [...]}` (a JWK Set),
    inline or in a file, each key an Ed25519 private key (kty OKP, crv Ed25519, d and x).
    The keys themselves are loaded where they are used (accreditation/certificates/keys.py)."""
    import json
    from pathlib import Path

    if isinstance(value, os.PathLike):
        path = Path(value)
        try:
            value = path.read_text()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}: cannot read {path}: {exc.strerror}.") from None
    try:
        data = json.loads(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a JWK Set in JSON: {{\"keys\": [...]}}.") from None
    keys = data.get("keys") if isinstance(data, dict) else None
    if not keys or not isinstance(keys, list):
        raise ImproperlyConfigured(f"{name} must be a JWK Set with at least one key: {{\"keys\": [...]}}.")
    for i, key in enumerate(keys):
        if not (isinstance(key, dict) and key.get("kty") == "OKP" and key.get("crv") == "Ed25519"
                and key.get("d") and key.get("x")):
            raise ImproperlyConfigured(f"{name}: key {i} is not an Ed25519 private key (kty OKP, crv Ed25519, d, x).")
