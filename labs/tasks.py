"""Celery tasks of the labs: thin, idempotent (notification keys), never given model instances."""

from celery import shared_task


@shared_task(name="labs.send_session_reminders", ignore_result=True)
def send_session_reminders() -> int:
    """Remind trainees of their sessions starting within 24 hours (run it hourly from beat)."""
    from labs.services import session_reminders_send

    return session_reminders_send()


@shared_task(name="labs.centre_reminders", ignore_result=True)
def centre_reminders() -> int:
    """Centre and course accreditations about to expire, annual returns about to fall due."""
    from django.utils import timezone

    from labs.centres.workflows import centre_reminders_send

    return centre_reminders_send(today=timezone.localdate())
