# RASTrack: `make run` to try it, `make test` to test it. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PORT ?= 8000
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test lint install migrate seed demo-reset web worker beat check-deploy schema bench clean chromium backup restore

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v '^WARNING: Location' || true
	@$(BIN)/python -c 'import django, celery, rest_framework' || { echo "install failed"; exit 1; }
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# Serve the app with a Celery worker and beat (honcho runs the Procfile), on SQLite and the
# embedded filesystem broker unless DATABASE_URL / REDIS_URL are set.
run: export DEBUG ?= true
# Links in mails, PDFs and QR codes point at the address this serves on.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py refresh_progress --all
	@echo
	@echo "RASTrack is starting at http://127.0.0.1:$(PORT)/  (health: http://127.0.0.1:$(PORT)/healthz, API docs: http://127.0.0.1:$(PORT)/api/v1/docs/)"
	@echo "Stop with Ctrl-C."
	PORT=$(PORT) $(BIN)/honcho start -f Procfile

web: export DEBUG ?= true
web: export SITE_URL ?= http://127.0.0.1:$(PORT)
web: install
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

worker: install
	$(BIN)/celery -A rastrack worker --loglevel INFO --concurrency $${CELERY_CONCURRENCY:-1}

beat: install
	$(BIN)/celery -A rastrack beat --loglevel INFO

# The whole suite: SQLite and the embedded broker by default; PostgreSQL, Redis and a real
# Celery worker when DATABASE_URL / REDIS_URL are set (as .ci/run does).
test: install chromium
	$(BIN)/pytest $(PYTEST_ARGS)

# The browser tests (tests/browser) drive Debian's Chromium with Playwright. Install it when it
# is missing and the machine allows it (root and apt-get); otherwise say so and go on: those
# tests then skip (with CI=true they fail).
CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q chromium >/dev/null 2>&1 \
	    || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } \
	    || echo "Could not install Chromium: the browser tests will be skipped."; \
	else \
	  echo "No Chromium at $(CHROMIUM), and no root apt-get to install it: the browser tests will be skipped."; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

migrate: install
	$(BIN)/python manage.py migrate --no-input

seed: install
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py refresh_progress --all

# Back to a fresh demo world: deletes every record first (refused unless DEBUG).
demo-reset: install
	DEBUG=true $(BIN)/python manage.py seed_demo --reset
	DEBUG=true $(BIN)/python manage.py refresh_progress --all

check-deploy: install
	DEBUG=false SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	CREDENTIAL_SIGNING_KEYS="$$(DEBUG=true $(BIN)/python manage.py credential_keys new 2>/dev/null)" \
	ALLOWED_HOSTS=rastrack.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

schema: install
	DEBUG=true $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

# PostgreSQL only (DATABASE_URL): pg_dump -Fc to var/backups/ (or BACKUP_FILE=...), and
# pg_restore of BACKUP_FILE=... over DATABASE_URL, asking first (CONFIRM=yes skips). README.
backup:
	scripts/db_backup.sh backup

restore:
	scripts/db_backup.sh restore

# The benchmark (docs/benchmarks.md): PostgreSQL on 127.0.0.1:5432 (BENCH_PG_URL), Redis db 4
# if it answers; loads the bench world once (rastrack_bench_<N>), serves it with gunicorn,
# measures every endpoint and its floor, writes bench/results/<date>.json.
# BENCH_CASES=1000000 make bench for the national world.
bench: install
	$(BIN)/python bench/run.py --cases $${BENCH_CASES:-100000}

clean:
	rm -rf $(VENV) var staticfiles
