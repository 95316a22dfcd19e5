"""What the labs' services share: the clock, how sessions are named in messages, the audit."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from labs.models import (
    LabSession,
)
from rastrack.audit.services import audit_record, snapshot

# The seat counter moves with a booking, under the session's row lock; the booking's own
# audit entry records the change (rastrack/audit/querysets.py).
SEAT_COUNTER = "seat counter kept in step with an audited booking"


SESSION_FIELDS = ["lab", "title", "kind", "platform", "starts_at", "ends_at", "seats", "seats_booked", "component",
                  "prerequisite", "notes", "status", "equipment_flagged", "cancelled_at", "cancel_reason"]


BOOKING_FIELDS = ["session", "trainee", "role", "booked_by", "status", "created_at", "waitlisted_at", "confirmed_at",
                  "cancelled_at", "attendance_marked_at"]


def now_or_given(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def day_label(value: datetime.datetime) -> str:
    local = timezone.localtime(value)
    return f"{local:%A} {local.day} {local:%B %Y}"


def when_label(session: LabSession) -> str:
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return f"{day_label(session.starts_at)}, {start:%H:%M}-{end:%H:%M}"


def session_label(session: LabSession) -> str:
    return f"{session.display_title} at {session.lab.name}, {when_label(session)}"


def session_link(session: LabSession) -> str:
    return reverse("labs:session", args=[session.pk])


def audit(*, actor, action: str, obj, before=None, fields=None):
    return audit_record(actor=actor, action=action, obj=obj, before=before, after=snapshot(obj, fields))
