from django.contrib import admin

from rastrack.core.models import Heartbeat, TaskFailure


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
