"""Scheduled workflows of the logbook: the weekly digest of cases waiting for validation.

A "due and not yet sent" sweep with an idempotency key per validator and ISO week: run twice,
it stores and sends nothing twice; a missed week is caught up on the next run.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Min

from accreditation.logbook.models import Case, CaseStatus
from rastrack.accounts.models import User
from rastrack.core.wording import counted
from rastrack.notifications.services import notify_unsent


def unvalidated_cases_digest(*, today: datetime.date) -> int:
    """Once per ISO week, each validator whose queue holds cases submitted more than
    CASE_DIGEST_AFTER_DAYS ago gets one digest. Returns how many digests were stored."""
    cutoff = today - datetime.timedelta(days=settings.CASE_DIGEST_AFTER_DAYS)
    rows = (Case.objects.filter(status=CaseStatus.SUBMITTED, validator__isnull=False,
                                submitted_at__date__lt=cutoff)
            .values("validator_id").annotate(waiting=Count("id"), oldest=Min("submitted_at")))
    year, week, _ = today.isocalendar()
    rows = list(rows)
    validators = User.objects.in_bulk([r["validator_id"] for r in rows])
    notices = []
    for row in rows:
        validator = validators[row["validator_id"]]
        key = f"cases.digest:{validator.pk}:{year}-W{week:02d}"
        if not validator.is_active:
            continue
        notices.append({
            "recipient_id": validator.pk, "kind": "cases.digest", "key": key, "link": "/logbook/queue/",
            "subject": f"{counted(row['waiting'], 'case')} waiting for your validation",
            "body": (f"{counted(row['waiting'], 'logbook case')} {'has' if row['waiting'] == 1 else 'have'} "
                     f"waited more than {counted(settings.CASE_DIGEST_AFTER_DAYS, 'day')} for your validation; "
                     f"the oldest was submitted on {row['oldest']:%-d %B %Y}.")})
    return notify_unsent(notices)
