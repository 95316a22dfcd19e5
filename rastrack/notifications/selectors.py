from django.db.models import QuerySet

from rastrack.notifications.models import Notification


def notifications_visible_to(user) -> QuerySet[Notification]:
    """One's own notifications only: nobody reads another person's inbox."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_stored(key: str) -> bool:
    """Has the notification with this idempotency key been stored? Sweeps count what they
    add: `notify` stores each key once, so a key seen before is not news."""
    return Notification.objects.filter(idempotency_key=key).exists()


def notification_keys_stored(keys) -> set[str]:
    """Which of these idempotency keys are stored already: one query per 500 keys, so a sweep
    learns what is not yet sent without a query per candidate."""
    keys = sorted(set(keys))
    stored: set[str] = set()
    for i in range(0, len(keys), 500):
        stored.update(Notification.objects.filter(idempotency_key__in=keys[i:i + 500])
                      .values_list("idempotency_key", flat=True))
    return stored
