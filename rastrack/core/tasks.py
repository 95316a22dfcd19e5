from celery import shared_task
from django.utils import timezone


@shared_task(name="rastrack.core.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    # Scheduled by beat only: its arrival in the database shows that beat and a worker run.
    from rastrack.core.models import Heartbeat

    Heartbeat.objects.update_or_create(name="beat", defaults={"beat_at": timezone.now()})
