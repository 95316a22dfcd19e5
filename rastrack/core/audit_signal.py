"""A way for kernel apps beside the audit trail (reference data) to record a change in it
without importing it: they send `audit_requested` inside their transaction; the audit app
appends the entry (its receiver is connected when it is ready)."""

from django.dispatch import Signal

# Sent with actor, action, obj, before, after: the arguments of audit_record.
audit_requested = Signal()
