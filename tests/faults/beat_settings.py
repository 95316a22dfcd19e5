"""Settings for the beat processes of tests/faults/test_worker_faults.py: the test settings
with a schedule of seconds instead of minutes and hours."""

from rastrack.settings_test import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "rastrack.notifications.relay_outbox", "schedule": 1.0},
    "lapse-expired": {"task": "accreditation.lapse_expired", "schedule": 1.0},
    "expiry-notices": {"task": "accreditation.expiry_notices", "schedule": 1.0},
    "beat-heartbeat": {"task": "rastrack.core.beat_heartbeat", "schedule": 1.0},
}
