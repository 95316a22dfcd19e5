"""Dates relative to today (the tests never hard-code the calendar)."""

from __future__ import annotations

import datetime

from django.utils import timezone


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)
