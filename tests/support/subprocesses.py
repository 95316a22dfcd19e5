"""`manage.py` in a fresh process, as an operator runs it, with production variables."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "rastrack.example.org",
}


def run_manage(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    """`manage.py <args>` on the production settings (rastrack.settings) plus `env_overrides`.

    A fresh process sees only the production environment: not this run's services, nor the
    async-safety switch the browser tests need in the test process itself. Its var folder
    is inside this pytest process's own (settings_test), so parallel workers never share it.
    """
    from django.conf import settings

    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "RASTRACK_TEST_OWNER"}}
    env.update({"DJANGO_SETTINGS_MODULE": "rastrack.settings",
                "RASTRACK_VAR_DIR": str(settings.VAR_DIR / "manage")})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )
