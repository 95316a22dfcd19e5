from django.contrib import admin

from rastrack.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, and only services write it."""

    list_display = ["occurred_at", "action", "object_type", "object_id", "actor", "stream", "seq"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "stream", "request_id", "actor__email"]
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
