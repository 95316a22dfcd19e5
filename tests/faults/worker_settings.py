"""Settings for worker processes of tests/faults/test_worker_faults.py: the test settings,
plus a task that crashes its worker."""

from rastrack.settings_test import *  # noqa: F403

CELERY_IMPORTS = ["tests.faults.crash_tasks"]
