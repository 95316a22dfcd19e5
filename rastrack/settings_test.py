"""Settings for pytest: the production settings with test-only speed-ups."""

import os

# Tests run with DEBUG off, like production; they need some key, never a real one.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
# A queue of this test run's own, shared with the worker processes the tests start, so that
# runs never take each other's messages.
os.environ.setdefault("CELERY_QUEUE", f"rastrack-test-{os.getpid()}")

# isort: off

from rastrack.settings import *  # noqa: F403
from rastrack.settings import INSTALLED_APPS, REST_FRAMEWORK
# isort: on

# The benchmark world's loader (`seed_bench`) is tested too; it is never part of the product.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

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
