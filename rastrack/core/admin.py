"""Django admin: the shared read-only base, and the operational records of the core.

Admin never changes training records, people, roles or rights directly: those change only
through the services (audit trail, notifications, per-object rights), from the pages or the
API. A model whose changes have a service is shown read-only here; configuration without a
page of its own is edited through `rastrack.audit.admin.AuditedAdmin`.
"""

from django.contrib import admin

from rastrack.core.models import Heartbeat, TaskFailure


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, search and filter; never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin):
    """Tasks that failed for good, newest first: where operators look after an alert."""

    list_display = ["failed_at", "task_name", "exception", "task_id"]
    list_filter = ["task_name"]
    search_fields = ["task_name", "task_id", "exception"]
    readonly_fields = ["task_name", "task_id", "args", "exception", "traceback", "failed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "beat_at"]
    readonly_fields = ["name", "beat_at"]
