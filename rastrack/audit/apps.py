from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "rastrack.audit"
    label = "audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from rastrack.core.audit_signal import audit_requested

        audit_requested.connect(_record, dispatch_uid="rastrack.audit.record")


def _record(sender, *, actor, action, obj, before=None, after=None, **_kwargs):
    from rastrack.audit.services import audit_record

    audit_record(actor=actor, action=action, obj=obj, before=before, after=after)
