"""Writes of enrolments (create, pause, resume, withdraw, complete) and e-learning evidence."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from curriculum import policies
from curriculum.counting_watchers import latest_pathway_change
from curriculum.models import (
    LIVE_ENROLMENT_STATUSES,
    Component,
    ComponentKind,
    ELearningCompletion,
    Enrolment,
    EnrolmentPause,
    EnrolmentStatus,
    Lifecycle,
    Pathway,
    PauseKind,
)
from curriculum.services.editing import (
    save_unique,
)
from curriculum.services.pathways import (
    _locked_pathway,
)
from rastrack.accounts.roles import Role
from rastrack.audit.services import audit_record, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.free_text import free_text, free_text_into
from rastrack.core.wording import counted
from rastrack.notifications.services import notify


def _enrolment_snapshot(enrolment: Enrolment) -> dict:
    return snapshot(enrolment, ["trainee", "pathway", "status", "enrolled_on", "target_date",
                                "completed_on", "withdrawn_on"])


@transaction.atomic
def enrolment_create(*, actor, trainee, pathway: Pathway, target_date: datetime.date | None = None,
                     enrolled_on: datetime.date | None = None) -> Enrolment:
    """Enrol a trainee: themself on a pathway open to self-enrolment, or by a regional lead
    (trainees now in their region) or a programme admin. One live enrolment per pathway."""
    pathway = _locked_pathway(pathway)
    if pathway.status != Lifecycle.PUBLISHED:
        raise Conflict(f"This pathway is {pathway.get_status_display().lower()}: it is not open for enrolment.")
    if not (trainee.is_active and trainee.has_role(Role.TRAINEE)):
        raise ApplicationError(errors={"trainee": ["Only an active trainee can be enrolled."]})
    if not policies.can_enrol(actor, trainee, pathway):
        if actor.pk == trainee.pk:
            raise NotPermitted("This pathway is not open to self-enrolment: ask your regional lead to enrol you.")
        raise NotPermitted("You may enrol only trainees in your region.")
    enrolled_on = enrolled_on or timezone.localdate()
    target_date = target_date or enrolled_on + datetime.timedelta(weeks=pathway.duration_weeks)
    if target_date <= enrolled_on:
        raise ApplicationError(errors={"target_date": ["The target date must be after the enrolment date."]})
    existing = Enrolment.objects.filter(trainee=trainee, pathway=pathway, status__in=LIVE_ENROLMENT_STATUSES).first()
    conflict = {"pathway": [f"{trainee.full_name} is already enrolled on {pathway.title}."]}
    if existing is not None:
        raise Conflict(errors=conflict)
    enrolment = Enrolment(trainee=trainee, pathway=pathway, enrolled_on=enrolled_on, target_date=target_date,
                          enrolled_by=actor, status=EnrolmentStatus.ACTIVE)
    with latest_pathway_change([trainee.pk]):  # the new enrolment is the trainee's latest
        save_unique(enrolment, conflict=conflict)
    audit_record(actor=actor, action="enrolment.create", obj=enrolment, after=_enrolment_snapshot(enrolment))
    if actor.pk != trainee.pk:
        notify(recipient=trainee, kind="enrolment.created",
               subject=f"You are enrolled on {pathway.title}",
               body=f"{actor.full_name} enrolled you on {pathway.title}; "
                    f"your target date is {target_date:%d %B %Y}.",
               key=f"enrolment.created:{enrolment.pk}", link=f"/curriculum/enrolments/{enrolment.pk}/")
    return enrolment


def _locked_enrolment(enrolment: Enrolment) -> Enrolment:
    return Enrolment.objects.select_for_update().select_related("trainee", "pathway").get(pk=enrolment.pk)


def _require_manager(actor, enrolment: Enrolment) -> None:
    if not policies.can_manage_enrolment(actor, enrolment):
        raise NotPermitted("Only the trainee, their regional lead or a programme admin can change this enrolment.")


@transaction.atomic
def enrolment_pause(*, actor, enrolment: Enrolment, kind: str, reason: str,
                    started_on: datetime.date | None = None) -> Enrolment:
    """Pause an active enrolment (less-than-full-time training, time out of programme). The
    target date moves by the pause's length when it ends (`enrolment_resume`)."""
    enrolment = _locked_enrolment(enrolment)
    _require_manager(actor, enrolment)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise Conflict(f"Only an active enrolment can be paused; this one is {enrolment.status}.")
    today = timezone.localdate()
    started_on = started_on or today
    errors: dict[str, list[str]] = {}
    if kind not in PauseKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(PauseKind.values)}."]
    reason = free_text_into(errors, "reason", reason, required_message="Say why the training is paused.")
    if started_on > today:
        errors["started_on"] = ["A pause cannot start in the future: record it on the day it starts."]
    elif started_on < enrolment.enrolled_on:
        errors["started_on"] = ["A pause cannot start before the enrolment did."]
    else:
        last_end = enrolment.pauses.aggregate(m=Max("ended_on"))["m"]
        if last_end and started_on < last_end:
            errors["started_on"] = [f"The previous pause ended on {last_end:%d %B %Y}; start this one after it."]
    if errors:
        raise ApplicationError(errors=errors)
    pause = EnrolmentPause.objects.create(enrolment=enrolment, kind=kind, reason=reason,
                                          started_on=started_on, created_by=actor)
    before = _enrolment_snapshot(enrolment)
    enrolment.status = EnrolmentStatus.PAUSED
    enrolment.save(update_fields=["status"])
    audit_record(actor=actor, action="enrolment.pause", obj=enrolment, before=before,
                 after={**_enrolment_snapshot(enrolment),
                        "pause": {"id": pause.pk, "kind": kind, "reason": reason, "started_on": started_on}})
    return enrolment


@transaction.atomic
def enrolment_resume(*, actor, enrolment: Enrolment, ended_on: datetime.date | None = None) -> Enrolment:
    """End the open pause; the target date moves later by its length in days."""
    enrolment = _locked_enrolment(enrolment)
    _require_manager(actor, enrolment)
    if enrolment.status != EnrolmentStatus.PAUSED:
        raise Conflict(f"Only a paused enrolment can be resumed; this one is {enrolment.status}.")
    pause = enrolment.pauses.select_for_update().get(ended_on__isnull=True)
    today = timezone.localdate()
    ended_on = ended_on or today
    if ended_on > today:
        raise ApplicationError(errors={"ended_on": ["A pause cannot end in the future: resume on the day."]})
    if ended_on < pause.started_on:
        raise ApplicationError(errors={"ended_on": [
            f"The pause started on {pause.started_on:%d %B %Y}; it cannot end before that."]})
    before = _enrolment_snapshot(enrolment)
    pause.ended_on, pause.ended_by = ended_on, actor
    pause.save(update_fields=["ended_on", "ended_by"])
    enrolment.target_date = enrolment.target_date + (ended_on - pause.started_on)
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.save(update_fields=["status", "target_date"])
    audit_record(actor=actor, action="enrolment.resume", obj=enrolment, before=before,
                 after={**_enrolment_snapshot(enrolment), "pause": {"id": pause.pk, "ended_on": ended_on,
                                                                     "days": pause.days}})
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, actor, enrolment: Enrolment, reason: str = "") -> Enrolment:
    enrolment = _locked_enrolment(enrolment)
    _require_manager(actor, enrolment)
    if enrolment.status not in LIVE_ENROLMENT_STATUSES:
        raise Conflict(f"This enrolment is already {enrolment.status}.")
    reason = free_text("reason", reason)
    today = timezone.localdate()
    before = _enrolment_snapshot(enrolment)
    # An open pause ends with the enrolment; the target date no longer matters.
    EnrolmentPause.objects.filter(enrolment=enrolment, ended_on__isnull=True).update(ended_on=today, ended_by=actor)
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_on = max(today, enrolment.enrolled_on)
    enrolment.save(update_fields=["status", "withdrawn_on"])
    audit_record(actor=actor, action="enrolment.withdraw", obj=enrolment, before=before,
                 after={**_enrolment_snapshot(enrolment), "reason": reason})
    return enrolment


@transaction.atomic
def enrolment_complete(*, actor, enrolment: Enrolment, on: datetime.date | None = None) -> Enrolment:
    """Mark an active enrolment completed once every requirement is met (the final sign-off
    included). Sign-off calls this, in its own transaction, when it approves the final
    sign-off; who may do that is its rule, so this checks the state only."""
    from curriculum.progress import progress_for

    enrolment = _locked_enrolment(enrolment)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise Conflict(f"Only an active enrolment can be completed; this one is {enrolment.status}.")
    progress = progress_for(enrolment)
    if not progress.complete:
        raise Conflict(f"{progress.met_count} of {counted(progress.total, 'requirement')} {'is' if progress.met_count == 1 else 'are'} met: "
                       "every one must be, the final sign-off included.")
    before = _enrolment_snapshot(enrolment)
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.completed_on = on or timezone.localdate()
    enrolment.save(update_fields=["status", "completed_on"])
    audit_record(actor=actor, action="enrolment.complete", obj=enrolment, before=before,
                 after=_enrolment_snapshot(enrolment))
    return enrolment


@transaction.atomic
def elearning_record(*, trainee, component: Component, completed_on: datetime.date, provider: str,
                     certificate=None) -> ELearningCompletion:
    """A trainee records that they completed an e-learning component (optionally with the
    certificate they uploaded through /api/v1/documents/)."""
    if not policies.can_record_elearning(trainee, trainee):
        raise NotPermitted("Only trainees record e-learning, for themselves.")
    errors: dict[str, list[str]] = {}
    if component.kind != ComponentKind.E_LEARNING:
        errors["component"] = ["Choose an e-learning component."]
    elif component.module.pathway.status == Lifecycle.DRAFT:
        errors["component"] = ["This component is not published yet."]
    today = timezone.localdate()
    if completed_on is None:
        errors["completed_on"] = ["Enter the date you completed it."]
    elif completed_on > today:
        errors["completed_on"] = ["The completion date cannot be in the future."]
    provider = free_text_into(
        errors, "provider", provider, max_length=200,
        required_message="Say who provided the e-learning (for example the platform's maker or e-LfH).")
    if certificate is not None and certificate.owner_id != trainee.pk:
        errors["certificate"] = ["This document is not on your record: upload your own certificate."]
    if errors:
        raise ApplicationError(errors=errors)
    conflict = {"completed_on": ["You have already recorded this e-learning on this date."]}
    if ELearningCompletion.objects.filter(trainee=trainee, component=component, completed_on=completed_on).exists():
        raise Conflict(errors=conflict)
    completion = ELearningCompletion(trainee=trainee, component=component, completed_on=completed_on,
                                     provider=provider, certificate=certificate)
    save_unique(completion, conflict=conflict)
    audit_record(actor=trainee, action="elearning.record", obj=completion, after=snapshot(completion))
    return completion


def elearning_record_with_upload(*, trainee, component: Component, completed_on: datetime.date, provider: str,
                                 certificate_file=None) -> ELearningCompletion:
    """The web form's version: upload the certificate (if any) and record, as one step.

    Files are not part of the database transaction: when recording is refused after the
    upload, the stored file is removed so that no orphan is left behind.
    """
    from rastrack.accounts.documents import document_upload

    document = None
    try:
        with transaction.atomic():
            if certificate_file is not None:
                document = document_upload(owner=trainee, uploaded_by=trainee, file=certificate_file)
            return elearning_record(trainee=trainee, component=component, completed_on=completed_on,
                                    provider=provider, certificate=document)
    except Exception:
        if document is not None:
            document.file.delete(save=False)
        raise
