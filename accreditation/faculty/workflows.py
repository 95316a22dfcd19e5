"""Scheduled workflows of the faculty: accreditation expiry notices and enrolment target
warnings (to the trainee and their educational supervisor).

Each sweep selects what is *due and not yet sent* (never "due exactly today"), so a day when
beat was down is caught up on the next run, and each notification carries an idempotency
key naming (kind, object, period): a sweep run twice, or by two beat processes by mistake,
stores and sends nothing twice.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction

from accreditation.faculty.eligibility import educational_supervisors_of
from accreditation.faculty.models import Accreditation, AccreditationStatus
from curriculum.models import Enrolment, EnrolmentStatus
from curriculum.progress import progress_for_many
from rastrack.accounts.selectors import regional_leads_by_region
from rastrack.notifications.selectors import notification_keys_stored
from rastrack.notifications.services import notify_many, notify_unsent

# Enrolments whose progress one computation measures together (a batch of the sweep).
WARNING_BATCH = 200


def _notice_threshold(days_left: int) -> int | None:
    """The smallest notice period that has started: 95 days left -> none; 40 -> 90; 5 -> 7.

    A missed earlier notice is not sent late: the nearer one says more.
    """
    started = [d for d in sorted(settings.ACCREDITATION_EXPIRY_NOTICE_DAYS) if days_left <= d]
    return started[0] if started else None


def accreditation_expiry_notices(*, today: datetime.date) -> int:
    """Tell each trainer, and their regional lead, that the accreditation expires in 90, 30
    and 7 days (configurable). Returns how many notifications were stored."""
    horizon = today + datetime.timedelta(days=max(settings.ACCREDITATION_EXPIRY_NOTICE_DAYS))
    due = list(Accreditation.objects.filter(status=AccreditationStatus.ACCREDITED,
                                            expires_on__gte=today, expires_on__lte=horizon)
               .select_related("trainer").order_by("expires_on", "id"))
    leads = regional_leads_by_region({a.trainer.region_id for a in due})
    notices = []
    for accreditation in due:
        threshold = _notice_threshold((accreditation.expires_on - today).days)
        if threshold is None:
            continue
        trainer = accreditation.trainer
        last_day = f"{accreditation.expires_on:%-d %B %Y}"
        recipients = [(trainer, "Your RAS trainer accreditation expires soon",
                       f"Your accreditation as a RAS trainer is valid until {last_day}. "
                       "Apply to renew it so that your trainees keep their supervisor.")]
        for lead in leads.get(trainer.region_id, []):
            recipients.append((lead, f"{trainer.full_name}'s accreditation expires soon",
                               f"{trainer.full_name}'s RAS trainer accreditation is valid until {last_day}."))
        for recipient, subject, body in recipients:
            notices.append({"recipient_id": recipient.pk, "kind": "accreditation.expiring", "subject": subject,
                            "body": body, "link": "/faculty/",
                            "key": (f"accreditation.expiring:{accreditation.pk}:{accreditation.expires_on}:"
                                    f"{threshold}:{recipient.pk}")})
    # Which are sent already is read once for the sweep: queries follow what is new.
    return notify_unsent(notices)


def enrolment_target_warnings(*, today: datetime.date) -> int:
    """Enrolments whose target date is within ENROLMENT_TARGET_WARNING_DAYS with requirements
    still unmet: tell the trainee and their educational supervisor, once per target date."""
    horizon = today + datetime.timedelta(days=settings.ENROLMENT_TARGET_WARNING_DAYS)
    due = list(Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE, target_date__isnull=False,
                                        target_date__gte=today, target_date__lte=horizon)
               .select_related("trainee", "pathway").order_by("target_date", "id"))
    warned = notification_keys_stored(f"enrolment.target:{e.pk}:{e.target_date}:{e.trainee_id}" for e in due)
    # Progress is computed only for enrolments not yet warned, a batch at a time: one read
    # of each kind of evidence per batch, not per enrolment.
    unwarned = [e for e in due if f"enrolment.target:{e.pk}:{e.target_date}:{e.trainee_id}" not in warned]
    stored = 0
    for i in range(0, len(unwarned), WARNING_BATCH):
        batch = unwarned[i:i + WARNING_BATCH]
        supervisors = educational_supervisors_of((e.trainee_id for e in batch), on=today)
        notices = []
        for enrolment, progress in zip(batch, progress_for_many(batch), strict=True):
            if progress.complete:
                continue
            missing = progress.total - progress.met_count
            when = f"{enrolment.target_date:%-d %B %Y}"
            trainee, title = enrolment.trainee, enrolment.pathway.title
            key_base = f"enrolment.target:{enrolment.pk}:{enrolment.target_date}"
            notices.append({"recipient_id": trainee.pk, "kind": "enrolment.target", "key": f"{key_base}:{trainee.pk}",
                            "subject": f"{title}: target date {when}",
                            "body": f"{missing} requirement(s) of {title} are not met yet, and the "
                                    f"target date is {when}.",
                            "link": f"/curriculum/enrolments/{enrolment.pk}/"})
            supervisor = supervisors.get(trainee.pk)
            if supervisor is not None:
                notices.append({"recipient_id": supervisor.pk, "kind": "enrolment.target",
                                "key": f"{key_base}:{supervisor.pk}",
                                "subject": f"{trainee.full_name}: {title} target date {when}",
                                "body": f"{trainee.full_name} has {missing} requirement(s) of {title} "
                                        f"still unmet, and the target date is {when}."})
        with transaction.atomic():
            stored += notify_many(notices)
    return stored
