"""Poison tasks: a task that kills its worker is given up after a bounded number of tries.

Tasks are acknowledged late and requeued when their worker is lost (`CELERY_TASK_ACKS_LATE`,
`CELERY_TASK_REJECT_ON_WORKER_LOST`), so a worker killed mid-task loses nothing: the task runs
again. A task that *causes* the death (out of memory, a crash in C code) would then come
back for ever and take every worker down in turn. `GuardedTask`, the base class of every
task of the app, counts each attempt's deliveries in the database (`TaskDelivery`); past
`TASK_MAX_DELIVERIES` the message is rejected without running, and the task is recorded as
failed (`TaskFailure`, through Celery's task_failure signal) for a person to look at.

Counting fails open: if the database cannot be reached the task runs as before (its own
retries handle that).
"""

from __future__ import annotations

import logging

from celery import Task
from celery.exceptions import Reject
from django.conf import settings

logger = logging.getLogger(__name__)


class PoisonTask(Exception):
    """A task was delivered more often than TASK_MAX_DELIVERIES: its worker died each time."""


def _count_delivery(key: str, task_name: str) -> int | None:
    from django.db.models import F

    from rastrack.core.models import TaskDelivery

    try:
        delivery, created = TaskDelivery.objects.get_or_create(
            key=key, defaults={"task_name": task_name[:200]})
        if created:
            return 1
        TaskDelivery.objects.filter(key=key).update(deliveries=F("deliveries") + 1)
        return TaskDelivery.objects.values_list("deliveries", flat=True).get(key=key)
    except Exception:
        logger.warning("Could not count the delivery of task %s", key, exc_info=True)
        return None


def _forget(key: str) -> None:
    from rastrack.core.models import TaskDelivery

    try:
        TaskDelivery.objects.filter(key=key).delete()
    except Exception:
        logger.warning("Could not clear the delivery count of task %s", key, exc_info=True)


class GuardedTask(Task):
    def __call__(self, *args, **kwargs):
        request = self.request
        if request.called_directly or request.is_eager or not request.id:
            return super().__call__(*args, **kwargs)
        key = f"{request.id}:{request.retries or 0}"[:120]
        deliveries = _count_delivery(key, self.name)
        limit = settings.TASK_MAX_DELIVERIES
        if deliveries is not None and deliveries > limit:
            _forget(key)
            message = (f"{self.name} delivered {deliveries} times: its worker died each time "
                       f"(after {limit} tries it is given up as a poison task, not run again)")
            logger.error(message)
            raise Reject(PoisonTask(message), requeue=False)
        try:
            return super().__call__(*args, **kwargs)
        finally:
            _forget(key)
