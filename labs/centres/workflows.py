"""The centres' scheduled reminders: an accreditation about to expire (each notice period in
CENTRE_ACCREDITATION_NOTICE_DAYS, once), an annual return about to fall due or overdue
(once per return and due date). Like the faculty's sweeps they pick up whatever is due and
not yet sent, and every notification has an idempotency key, so running a sweep twice, or a
day late, sends nothing twice."""

from __future__ import annotations

import datetime

from django.conf import settings

from labs.centres.models import (
    AnnualReturn,
    AnnualReturnStatus,
    CentreAccreditation,
    CentreAccreditationStatus,
)
from labs.centres.selectors import centre_lead_users
from rastrack.accounts.selectors import regional_leads_of
from rastrack.notifications.selectors import notification_stored
from rastrack.notifications.services import notify


def _threshold(days_left: int) -> int | None:
    """The smallest notice period that has started (a missed earlier one is not sent late)."""
    started = [d for d in sorted(settings.CENTRE_ACCREDITATION_NOTICE_DAYS) if days_left <= d]
    return started[0] if started else None


def _send(recipients, *, kind: str, key: str, subject: str, body: str, link: str) -> int:
    stored = 0
    for recipient in recipients:
        full_key = f"{key}:{recipient.pk}"
        before = notification_stored(full_key)
        notify(recipient=recipient, kind=kind, subject=subject, body=body, link=link, key=full_key)
        stored += not before
    return stored


def _recipients(centre) -> list:
    people = {u.pk: u for u in centre_lead_users(centre)}
    people.update({u.pk: u for u in regional_leads_of(centre.region_id)})
    return [people[pk] for pk in sorted(people)]


def centre_reminders_send(*, today: datetime.date) -> int:
    """Returns how many notifications were stored."""
    stored = 0
    horizon = today + datetime.timedelta(days=max(settings.CENTRE_ACCREDITATION_NOTICE_DAYS))
    expiring = (CentreAccreditation.objects
                .filter(status=CentreAccreditationStatus.ACCREDITED, expires_on__gte=today, expires_on__lte=horizon)
                .select_related("scheme", "centre__region", "course__centre__region").order_by("expires_on", "id"))
    for accreditation in expiring:
        threshold = _threshold((accreditation.expires_on - today).days)
        if threshold is None:
            continue
        centre = accreditation.holder_centre
        stored += _send(
            _recipients(centre), kind="centre_accreditation.expiring",
            key=f"centre_accreditation.expiring:{accreditation.pk}:{accreditation.expires_on}:{threshold}",
            subject=f"{accreditation.holder}: {accreditation.scheme.name} accreditation expires soon",
            body=(f"The {accreditation.scheme.name} accreditation of {accreditation.holder} is valid until "
                  f"{accreditation.expires_on:%-d %B %Y}. Apply to renew it in time."),
            link=f"/labs/centres/{centre.pk}/")
    due_by = today + datetime.timedelta(days=settings.ANNUAL_RETURN_NOTICE_DAYS)
    returns = (AnnualReturn.objects
               .filter(status__in=(AnnualReturnStatus.DUE, AnnualReturnStatus.RETURNED), due_on__lte=due_by,
                       accreditation__status=CentreAccreditationStatus.ACCREDITED)
               .select_related("accreditation__scheme", "accreditation__centre__region",
                               "accreditation__course__centre__region").order_by("due_on", "id"))
    for annual_return in returns:
        accreditation = annual_return.accreditation
        centre = accreditation.holder_centre
        overdue = annual_return.due_on < today
        stored += _send(
            centre_lead_users(centre), kind="annual_return.due",
            key=f"annual_return.due:{annual_return.pk}:{annual_return.due_on}:{'overdue' if overdue else 'due'}",
            subject=f"Annual return {'overdue' if overdue else 'due'}: {accreditation.holder}",
            body=(f"The annual return for year {annual_return.year} of the {accreditation.scheme.name} "
                  f"accreditation of {accreditation.holder} is due on {annual_return.due_on:%-d %B %Y}."),
            link=f"/labs/centres/{centre.pk}/")
    return stored
