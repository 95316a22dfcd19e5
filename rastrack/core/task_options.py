"""How our tasks retry: only on listed transient errors, with bounded, jittered backoff.

A task that keeps failing stops after MAX_RETRIES and is recorded as failed
(`TaskFailure`, visible in Django admin); it is never retried forever.
"""

from __future__ import annotations

import smtplib

from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# The database, the broker or the mail server is briefly unreachable: worth another try.
TRANSIENT_ERRORS = (
    OperationalError, InterfaceError, BrokerError, RedisConnectionError, RedisTimeoutError,
    smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError,
)
MAX_RETRIES = 5

# Pass as `@shared_task(**RETRYING, name=...)`.
RETRYING = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
    "ignore_result": True,
}
