from celery import shared_task
from django.utils import timezone


@shared_task(name="rastrack.core.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    # Scheduled by beat only: its arrival in the database shows that beat and a worker run.
    from rastrack.core.models import Heartbeat

    Heartbeat.objects.update_or_create(name="beat", defaults={"beat_at": timezone.now()})


def record_task_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None,
                        einfo=None, **extra) -> None:
    """Celery's task_failure signal: keep a row per task that failed for good.

    Celery sends task_failure only when a task gives up (an autoretry that will try again
    raises Retry, which is not a failure), so each row is a real, final failure.
    """
    from rastrack.core.models import TaskFailure

    try:
        TaskFailure.objects.create(
            task_name=getattr(sender, "name", str(sender))[:200], task_id=str(task_id or "")[:64],
            args=repr((args, kwargs))[:2000], exception=repr(exception)[:2000],
            traceback=str(einfo or "")[:20000],
        )
    except Exception:  # never let bookkeeping hide the original failure
        import logging

        logging.getLogger(__name__).exception("Could not record the failure of task %s", task_id)


@shared_task(name="rastrack.core.always_fails", bind=True, autoretry_for=(ConnectionError,),
             retry_backoff=False, default_retry_delay=0, max_retries=2, ignore_result=True)
def always_fails(self, marker: str) -> None:
    """A task that always meets a transient error: the tests' proof that retries are bounded."""
    from rastrack.core.models import Heartbeat

    Heartbeat.objects.update_or_create(name=f"attempt:{marker}:{self.request.retries}",
                                       defaults={"beat_at": timezone.now()})
    raise ConnectionError("the service this task needs is down")


@shared_task(name="rastrack.core.slow_idempotent_effect", bind=True, ignore_result=True)
def slow_idempotent_effect(self, marker: str, seconds: float) -> None:
    """A diagnostic task: marks each start, waits, then has one idempotent effect.

    The fault tests kill a worker while it waits, and check that the task runs again after a
    restart (late acknowledgement) and that its effect still happens once.
    """
    import time
    import uuid

    from rastrack.core.models import Heartbeat

    Heartbeat.objects.create(name=f"start:{marker}:{uuid.uuid4().hex[:12]}", beat_at=timezone.now())
    time.sleep(seconds)
    Heartbeat.objects.update_or_create(name=f"effect:{marker}", defaults={"beat_at": timezone.now()})
