#!/usr/bin/env bash
# Build the static files with the production settings (DEBUG off, the manifest storage), as
# the Dockerfile does, then render the sign-in page and /healthz with DEBUG=false against
# them. Throwaway secrets and a throwaway SQLite database: nothing here is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export RASTRACK_VAR_DIR="$work/var" STATIC_ROOT="$work/static"
mkdir -p "$RASTRACK_VAR_DIR"
keys="$(DEBUG=true "$PYTHON" manage.py credential_keys new 2>/dev/null)"
unset DEBUG
export SECRET_KEY="check-only-$(date +%s%N)" CREDENTIAL_SIGNING_KEYS="$keys" ALLOWED_HOSTS=testserver
export DATABASE_URL="sqlite:///$work/check.sqlite3" CELERY_BROKER_URL="filesystem://"
"$PYTHON" manage.py collectstatic --no-input -v 0
test -s "$STATIC_ROOT/staticfiles.json"
DJANGO_SETTINGS_MODULE=rastrack.settings "$PYTHON" - <<'PY'
import django

django.setup()
from django.conf import settings
from django.test import Client

assert not settings.DEBUG
page = Client(raise_request_exception=False).get("/signin/", secure=True)
assert page.status_code == 200, f"the sign-in page answered {page.status_code} with DEBUG=false"
assert b"/static/" in page.content and b"staticfiles.json" not in page.content
print("production static build: sign-in page 200 with DEBUG=false")
PY
