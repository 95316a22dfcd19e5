"""Thin scheduled tasks: work out today, call the service. Each is safe to run twice."""

from celery import shared_task
from django.utils import timezone

from rastrack.core.task_options import RETRYING


@shared_task(name="accreditation.lapse_expired", **RETRYING)
def lapse_expired() -> int:
    from accreditation.faculty.services import accreditation_lapse_expired

    return accreditation_lapse_expired(today=timezone.localdate())


@shared_task(name="accreditation.sync_supervision_rights", **RETRYING)
def sync_supervision_rights() -> dict:
    from accreditation.faculty.services import supervision_rights_sync

    return supervision_rights_sync(today=timezone.localdate())


@shared_task(name="accreditation.expiry_notices", **RETRYING)
def expiry_notices() -> int:
    from accreditation.faculty.workflows import accreditation_expiry_notices

    return accreditation_expiry_notices(today=timezone.localdate())


@shared_task(name="accreditation.unvalidated_cases_digest", **RETRYING)
def unvalidated_cases_digest() -> int:
    from accreditation.logbook.workflows import unvalidated_cases_digest as digest

    return digest(today=timezone.localdate())


@shared_task(name="accreditation.enrolment_target_warnings", **RETRYING)
def enrolment_target_warnings() -> int:
    from accreditation.faculty.workflows import enrolment_target_warnings as warnings

    return warnings(today=timezone.localdate())


@shared_task(name="accreditation.signoff_reminders", **RETRYING)
def signoff_reminders() -> dict:
    from accreditation.signoff.workflows import signoff_reminders as sweep

    return sweep(today=timezone.localdate())


@shared_task(name="accreditation.video_review_reminders", **RETRYING)
def video_review_reminders() -> dict:
    from accreditation.signoff.workflows import video_review_reminders as sweep

    return sweep(today=timezone.localdate())


@shared_task(name="accreditation.privilege_currency", **RETRYING)
def privilege_currency() -> dict:
    from accreditation.privileges.currency import currency_sweep

    return currency_sweep(today=timezone.localdate())
