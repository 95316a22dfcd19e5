from django.contrib import admin

from rastrack.core.admin import ReadOnlyAdmin
from rastrack.notifications.models import Notification, XAPIStatement


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipient", "recipient_email", "subject", "email_status",
                    "email_attempts"]
    list_filter = ["email_status", "kind"]
    search_fields = ["recipient__email", "recipient_email", "subject", "idempotency_key"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(XAPIStatement)
class XAPIStatementAdmin(ReadOnlyAdmin):
    """The xAPI outbox: what was sent to the learning record store, and what failed and why."""

    list_display = ["created_at", "idempotency_key", "status", "attempts", "sent_at"]
    list_filter = ["status", "verb"]
    search_fields = ["idempotency_key", "statement_id", "last_error"]
