"""Settings for pytest: the production settings with test-only speed-ups."""

import os
import tempfile

# Tests run with DEBUG off, like production; they need some key, never a real one.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
# Every pytest process (the run itself, and each pytest-xdist worker) owns a Celery queue and
# a var folder (the embedded broker's files, beat's schedule, mail, media) named after its
# pid, so that parallel workers and parallel runs never take each other's messages or files.
# The worker and beat processes a test starts share their test process's: the test helpers
# (tests/support/celery_workers.py) hand them RASTRACK_TEST_OWNER. No pytest process puts
# it in its own environment, so each xdist worker (which inherits the environment of the run
# that started it) takes its own pid; one inherited value would give every worker one queue.
TEST_OWNER = os.environ.get("RASTRACK_TEST_OWNER") or str(os.getpid())
os.environ["CELERY_QUEUE"] = f"rastrack-test-{TEST_OWNER}"
os.environ["RASTRACK_VAR_DIR"] = os.path.join(tempfile.gettempdir(), f"rastrack-test-{TEST_OWNER}")


def _test_signing_keys() -> str:
    """A fresh Ed25519 key set for this run (credentials are signed like in production);
    set in the environment, so worker processes the tests start sign with the same key."""
    import json

    from joserfc.jwk import OKPKey

    return json.dumps({"keys": [OKPKey.generate_key("Ed25519").as_dict(private=True)]})


if not os.environ.get("CREDENTIAL_SIGNING_KEYS_FILE"):
    os.environ.setdefault("CREDENTIAL_SIGNING_KEYS", _test_signing_keys())

# isort: off

from rastrack.settings import *  # noqa: E402, F403
from rastrack.settings import INSTALLED_APPS, REST_FRAMEWORK, VAR_DIR  # noqa: E402
# isort: on

# Uploads of tests that do not set their own folder (tests/conftest.py gives each test one).
MEDIA_ROOT = VAR_DIR / "media"
# The benchmark world's loader (`seed_bench`) is tested too; it is never part of the product.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
# A real OpenID Connect provider for the single sign-on tests (tests/rastrack/accounts/test_oidc.py), served
# from a test-only URLconf; never part of the product.
INSTALLED_APPS = [*INSTALLED_APPS, "oauth2_provider"]

# Hashing with PBKDF2 dominates test time; the hasher is not what the tests test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Worker processes started by tests write mail to files the test can read.
EMAIL_BACKEND = os.environ.get("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# Tests serve static files through the finders; there is no collectstatic output.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Throttling has its own tests, which set tighter rates themselves.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000/minute", "user": "10000/minute", "auth": "10000/minute"},
}
# Each test starts with an empty cache. Never Redis here: clearing a Redis cache flushes the
# whole database, which is the Celery broker's in CI.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# On PostgreSQL a test's commits (transactional tests' flushes, the worker and race tests) need
# not wait for the WAL to reach the disk: a crash loses only test data.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    DATABASES["default"]["OPTIONS"]["options"] = "-c synchronous_commit=off"  # noqa: F405

# The read replica, as Django tests one: an alias mirroring the default test database
# (rastrack/core/replica.py; tests/rastrack/core/test_replica.py).
# Off except in those tests, which turn it on: no other test has to name the alias.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
REPLICA_READS = False
