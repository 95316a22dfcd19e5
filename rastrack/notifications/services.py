"""The outbox: store a notification with the change, e-mail it later, at most once."""

from __future__ import annotations

import datetime
import logging
import smtplib
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from rastrack.notifications.models import EmailStatus, Notification

logger = logging.getLogger(__name__)

# Errors worth another try later: the mail server is down, slow or refusing for now.
TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, OSError, TimeoutError)


def notify(*, recipient, kind: str, subject: str, body: str, key: str, link: str = "") -> Notification:
    """Store a notification in the caller's transaction; its e-mail is queued on commit.

    `key` makes it idempotent: the same key twice, even from two processes at once,
    stores one row and sends one e-mail.
    """
    notification, created = Notification.objects.get_or_create(
        idempotency_key=key,
        defaults={"recipient": recipient, "kind": kind, "subject": subject[:200],
                  "body": body, "link": link},
    )
    if created:
        transaction.on_commit(partial(enqueue_email, notification.pk))
    return notification


def notify_address(*, email: str, name: str, kind: str, subject: str, body: str, key: str) -> Notification:
    """Store an e-mail to an address that need not have an account (an invitation, a password
    reset), in the caller's transaction; sent by the same worker, with the same retries, as
    every other mail. It has no inbox: `body` carries its own greeting-free text and its own
    reason ("why you got this"), and is cleared once delivered or given up, because such
    mails carry one-time links that must not outlive their sending in the database."""
    notification, created = Notification.objects.get_or_create(
        idempotency_key=key,
        defaults={"recipient": None, "recipient_email": email.strip().lower(), "recipient_name": name[:150],
                  "kind": kind, "subject": subject[:200], "body": body},
    )
    if created:
        transaction.on_commit(partial(enqueue_email, notification.pk))
    return notification


# What is left of an address-only e-mail's body once it is sent or given up.
CLEARED_BODY = "(The text of this e-mail held a one-time link and is not kept after sending.)"


def notify_many(notices) -> int:
    """Store many notifications in two queries (a sweep's batch), each e-mail queued on commit.

    `notices`: dicts with `recipient_id`, `kind`, `subject`, `body`, `key` and optionally
    `link`. Idempotent like `notify`: a key stored already (or stored by a racing process)
    stays one row; an e-mail queued twice is still sent once (`email_claim`). Callers filter
    out the keys they know are stored (`notification_keys_stored`), so the count returned is
    the notices handed in that were new to them."""
    notices = {n["key"]: n for n in notices}
    if not notices:
        return 0
    Notification.objects.bulk_create(
        [Notification(recipient_id=n["recipient_id"], kind=n["kind"], subject=n["subject"][:200], body=n["body"],
                      link=n.get("link", ""), idempotency_key=key) for key, n in notices.items()],
        ignore_conflicts=True)
    keys = sorted(notices)
    ids: list[int] = []
    for i in range(0, len(keys), 500):
        ids.extend(Notification.objects.filter(idempotency_key__in=keys[i:i + 500], email_status=EmailStatus.PENDING,
                                               email_attempts=0).values_list("pk", flat=True))
    for pk in ids:
        transaction.on_commit(partial(enqueue_email, pk))
    return len(notices)


def notify_unsent(notices) -> int:
    """`notify_many` of the notices whose keys are not stored yet: one read of the keys and,
    when any is new, one insert and one read of the new ids (in the caller's transaction, if
    any). The step every reminder sweep ends with; returns how many notices were new."""
    from rastrack.notifications.selectors import notification_keys_stored

    notices = list(notices)
    sent = notification_keys_stored(n["key"] for n in notices)
    new = [n for n in notices if n["key"] not in sent]
    return notify_many(new) if new else 0


def enqueue_email(notification_id: int) -> bool:
    """Hand the e-mail to a worker. When the broker is down, say so and go on: the row is
    still pending and the beat sweep (`relay_outbox`) enqueues it once the broker is back."""
    from rastrack.notifications.tasks import send_notification_email

    try:
        send_notification_email.apply_async(args=[notification_id])
    except Exception as exc:  # kombu/redis raise many types for "broker unreachable"
        logger.warning("Broker unreachable, notification %s stays in the outbox: %s",
                       notification_id, exc)
        return False
    return True


def _backoff(attempts: int) -> datetime.timedelta:
    base = settings.NOTIFICATION_EMAIL_BACKOFF_SECONDS
    return datetime.timedelta(seconds=min(base * 4 ** max(attempts - 1, 0), 6 * 3600))


def email_claim(notification_id: int) -> Notification | None:
    """Compare-and-set pending -> sending. Only one caller ever wins a given attempt."""
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, email_status=EmailStatus.PENDING)
        .filter(Q(email_next_attempt_at__isnull=True) | Q(email_next_attempt_at__lte=now))
        .update(email_status=EmailStatus.SENDING, email_claimed_at=now,
                email_attempts=F("email_attempts") + 1)
    )
    if claimed != 1:
        return None
    return Notification.objects.select_related("recipient").get(pk=notification_id)


def _finish(notification: Notification, **fields) -> None:
    if notification.recipient_id is None and fields.get("email_status") in (EmailStatus.SENT, EmailStatus.FAILED):
        fields["body"] = CLEARED_BODY
    Notification.objects.filter(pk=notification.pk, email_status=EmailStatus.SENDING).update(**fields)


def email_text(notification: Notification) -> str:
    """The e-mail of a notification: it greets the person, says what happened and where to
    see it (links on the address the service is served on, `SITE_URL`), and why they got it."""
    recipient = notification.recipient
    if recipient is None:
        # To an address: the body says itself why the person got it (they have no inbox).
        return "\n\n".join([f"Hello {notification.recipient_name or notification.recipient_email},",
                             notification.body])
    name = recipient.full_name or recipient.email
    parts = [f"Hello {name},", notification.body]
    if notification.link:
        parts.append(f"See it in RASTrack: {settings.SITE_URL}{notification.link}")
    parts.append(f"You are getting this e-mail because it is about your work in RASTrack. All your "
                 f"notifications: {settings.SITE_URL}/notifications/")
    return "\n\n".join(parts)


def email_deliver(notification_id: int) -> str:
    """Send one notification's e-mail if it is due and unclaimed. Returns what happened:
    "sent", "retry" (transient failure, backed off), "failed" or "skipped"."""
    notification = email_claim(notification_id)
    if notification is None:
        return "skipped"
    recipient = notification.recipient
    if recipient is not None and not recipient.is_active:
        _finish(notification, email_status=EmailStatus.FAILED,
                email_last_error="The recipient's account is deactivated.")
        return "failed"
    address = recipient.email if recipient is not None else notification.recipient_email
    try:
        send_mail(notification.subject, email_text(notification), settings.DEFAULT_FROM_EMAIL,
                  [address], fail_silently=False)
    except TRANSIENT_EMAIL_ERRORS as exc:
        if notification.email_attempts >= settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS:
            _finish(notification, email_status=EmailStatus.FAILED, email_last_error=repr(exc))
            return "failed"
        _finish(notification, email_status=EmailStatus.PENDING, email_last_error=repr(exc),
                email_next_attempt_at=timezone.now() + _backoff(notification.email_attempts))
        return "retry"
    except Exception as exc:
        # Not transient: a bug or bad data. Record it and stop; retrying would not help.
        _finish(notification, email_status=EmailStatus.FAILED, email_last_error=repr(exc))
        raise
    _finish(notification, email_status=EmailStatus.SENT, email_sent_at=timezone.now(),
            email_last_error="")
    return "sent"


def outbox_sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """What beat runs every minute: enqueue due e-mails, give up on abandoned claims."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.NOTIFICATION_EMAIL_CLAIM_TIMEOUT)
    # A claim whose worker died mid-send may or may not have sent the mail; sending again
    # could send it twice, so it is marked failed for a person to look at instead.
    abandoned_rows = Notification.objects.filter(email_status=EmailStatus.SENDING, email_claimed_at__lt=stale_before)
    abandon = {"email_status": EmailStatus.FAILED,
               "email_last_error": "The worker stopped while sending; not retried so it is never sent twice."}
    abandoned = (abandoned_rows.filter(recipient__isnull=True).update(**abandon, body=CLEARED_BODY)
                 + abandoned_rows.filter(recipient__isnull=False).update(**abandon))
    due = list(
        Notification.objects.filter(email_status=EmailStatus.PENDING)
        .filter(Q(email_next_attempt_at__isnull=True) | Q(email_next_attempt_at__lte=now))
        .order_by("id").values_list("id", flat=True)[:limit]
    )
    enqueued = sum(enqueue_email(pk) for pk in due)
    return {"due": len(due), "enqueued": enqueued, "abandoned": abandoned}


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
