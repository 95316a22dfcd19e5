"""Celery tasks of the labs: thin, idempotent (notification keys), never given model instances."""

from celery import shared_task


@shared_task(name="labs.send_session_reminders", ignore_result=True)
def send_session_reminders() -> int:
    """Remind trainees of their sessions starting within 24 hours (run it hourly from beat)."""
    from labs.services import session_reminders_send

    return session_reminders_send()
