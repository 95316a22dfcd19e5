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
