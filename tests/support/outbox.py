"""The e-mail outbox as the worker empties it: run the worker's task, in this process, for
every notification waiting to be sent (what `make worker` does after commit or the sweep)."""

from __future__ import annotations


def deliver_outbox() -> dict[int, str]:
    """Each pending notification's id -> what the worker task did with it ("sent", ...)."""
    from rastrack.notifications.models import EmailStatus, Notification
    from rastrack.notifications.tasks import send_notification_email

    pending = Notification.objects.filter(email_status=EmailStatus.PENDING).order_by("id")
    return {pk: send_notification_email.run(pk) for pk in pending.values_list("pk", flat=True)}
