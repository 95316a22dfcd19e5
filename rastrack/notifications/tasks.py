"""Thin tasks: take an id, call the service. Idempotent through the outbox's claims."""

from celery import shared_task


@shared_task(name="rastrack.notifications.send_email", ignore_result=True)
def send_notification_email(notification_id: int) -> str:
    from rastrack.notifications.services import email_deliver

    return email_deliver(notification_id)


@shared_task(name="rastrack.notifications.relay_outbox", ignore_result=True)
def relay_outbox() -> dict:
    from rastrack.notifications.services import outbox_sweep

    return outbox_sweep()


@shared_task(name="rastrack.notifications.send_xapi", ignore_result=True)
def send_xapi_statement(statement_id: int) -> str:
    from rastrack.notifications.xapi import xapi_deliver

    return xapi_deliver(statement_id)


@shared_task(name="rastrack.notifications.relay_xapi", ignore_result=True)
def relay_xapi() -> dict:
    from rastrack.notifications.xapi import xapi_sweep

    return xapi_sweep()
