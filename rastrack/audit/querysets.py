"""Bulk writes on audited models go through their services, or are refused.

`QuerySet.update()` and `bulk_update()` write rows without calling the services that write
the audit entry, so on an audited model (a case, a sign-off request, an accreditation, a
booking...) they would change the record silently. `AuditedQuerySet` refuses them. Change
such rows through their service (`<entity>_<action>`), which audits.

Where a bulk write is right, say so by name: `unaudited_update(reason, **fields)` is the one
explicit path, for fields that are not part of the audited record (a seat counter kept in
step under a row lock, a derived flag), for a service that audits each row itself right
after, and for tests and the demo that set up history. `reason` is there to be read in
review: grep `unaudited_update(` to see every such write.
"""

from __future__ import annotations

from django.db import models


class UnauditedWriteError(Exception):
    """A bulk write would change audited rows without an audit entry."""


class AuditedQuerySet(models.QuerySet):
    def _refuse(self, what: str):
        label = self.model._meta.label
        raise UnauditedWriteError(
            f"{label}: {what} would change audited rows without an audit entry. Use the "
            f"service that makes this change (it audits), or, for a field outside the audited "
            f"record, unaudited_update(reason, ...).")

    def update(self, **kwargs):
        self._refuse("QuerySet.update()")

    def bulk_update(self, objs, fields, batch_size=None):
        self._refuse("QuerySet.bulk_update()")

    def unaudited_update(self, reason: str, /, **kwargs) -> int:
        """The explicit bulk update; `reason` says why no audit entry is needed here."""
        if not (reason or "").strip():
            raise ValueError("Say why this bulk update needs no audit entry.")
        return super().update(**kwargs)


AuditedManager = models.Manager.from_queryset(AuditedQuerySet)
