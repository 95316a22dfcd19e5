"""A task that kills the process running it (as an out-of-memory kill or a crash in C code
would), loaded only by the fault tests' workers (`worker_settings.py`)."""

import os
import uuid

from celery import shared_task
from django.utils import timezone


@shared_task(name="tests.faults.crashes_its_worker", ignore_result=True)
def crashes_its_worker(marker: str) -> None:
    from rastrack.core.models import Heartbeat

    Heartbeat.objects.create(name=f"crash:{marker}:{uuid.uuid4().hex[:12]}", beat_at=timezone.now())
    os._exit(1)
