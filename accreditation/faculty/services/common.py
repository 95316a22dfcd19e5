"""What the faculty's services share: dates, the audited change, links in notifications."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import reverse

from accreditation.faculty.models import (
    Accreditation,
    TrainerApplication,
)
from rastrack.audit.services import audit_record, snapshot

SUPERVISE_PORTFOLIO = "accounts.supervise_portfolio"


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def audited_change(*, actor, action: str, instance, fields: Iterable[str], mutate) -> int:
    """Apply `mutate(instance)`, save `fields` and append the audit entry; returns its id
    (the notification keys use it, so that each occurrence notifies once)."""
    fields = list(fields)
    before = snapshot(instance, fields)
    mutate(instance)
    instance.save(update_fields=fields)
    entry = audit_record(actor=actor, action=action, obj=instance, before=before,
                         after=snapshot(instance, fields))
    return entry.pk


def accreditation_link(accreditation: Accreditation) -> str:
    return reverse("accreditation:accreditation", args=[accreditation.pk])


def application_link(application: TrainerApplication) -> str:
    return reverse("accreditation:application", args=[application.pk])
