from django.contrib import admin
from django.db import transaction

from rastrack.audit.models import AuditEntry
from rastrack.audit.services import audit_record, snapshot


class AuditedAdmin(admin.ModelAdmin):
    """For configuration that has no page of its own (the faculty's and sign-off's rules,
    assessment tools): every save writes its audit entry, before and after, in the same
    transaction as the change; nothing is deleted."""

    def _action(self, obj, verb: str) -> str:
        return f"{obj._meta.model_name}.{verb}"

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        with transaction.atomic():
            obj.save()
            audit_record(actor=request.user, action=self._action(obj, "update" if change else "create"),
                         obj=obj, before=before, after=snapshot(obj))

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            instances = formset.save(commit=False)
            for removed in formset.deleted_objects:
                audit_record(actor=request.user, action=self._action(removed, "delete"), obj=removed,
                             before=snapshot(removed))
                removed.delete()
            for instance in instances:
                before = (snapshot(type(instance).objects.get(pk=instance.pk))
                          if instance.pk and type(instance).objects.filter(pk=instance.pk).exists() else None)
                instance.save()
                audit_record(actor=request.user, action=self._action(instance, "update" if before else "create"),
                             obj=instance, before=before, after=snapshot(instance))
            formset.save_m2m()

    def has_delete_permission(self, request, obj=None):
        return False


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
