"""Trainer applications (initial and renewal) and their decisions: approval grants the trainer
role and creates or renews the accreditation."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accreditation.faculty.models import (
    Accreditation,
    AccreditationStatus,
    ApplicationKind,
    ApplicationStatus,
    FacultyScope,
    Platform,
    TrainerApplication,
)
from accreditation.faculty.policies import (
    can_apply,
    can_decide_application,
    faculty_scope_for,
)
from accreditation.faculty.selectors import faculty_rules
from accreditation.faculty.services.common import (
    add_years,
    application_link,
    audited_change,
)
from accreditation.faculty.services.rights import (
    trainer_rights_refresh,
)
from rastrack.accounts.documents import document_upload
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.accounts.services import user_grant_roles
from rastrack.audit.services import audit_record, audited, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.free_text import free_text
from rastrack.core.models import EvidenceDocument
from rastrack.notifications.services import notify
from rastrack.reference.models import Specialty, Subspecialty
from rastrack.reference.specialties import split_specialty


def _check_evidence(*, kind: str, specialty: str, subspecialty: str = "", platforms: list[str], cases: int,
                    course_on: datetime.date | None, today: datetime.date,
                    scope: str = FacultyScope.FULL) -> list[str]:
    rules = faculty_rules()
    errors: dict[str, list[str]] = {}
    if kind not in ApplicationKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(ApplicationKind.values)}."]
    if specialty not in Specialty.values:
        errors["specialty"] = ["Choose a specialty from the list."]
    elif subspecialty and (specialty != Specialty.GENERAL or subspecialty not in Subspecialty.values):
        errors["subspecialty"] = ["Only general surgery has subspecialties: choose one from the list, or none."]
    unknown = [p for p in platforms if p not in Platform.values]
    if unknown:
        errors["platforms"] = [f"Unknown platform: {', '.join(map(str, unknown))}."]
    elif not platforms:
        errors["platforms"] = ["Name at least one platform you train on."]
    if cases is None or cases < 0:
        errors["independent_console_cases"] = ["Give the number of independent console cases (0 or more)."]
    elif scope == FacultyScope.BEDSIDE_TEAM:
        pass  # bedside and team faculty never operate at the console: no console-case minimum
    elif kind == ApplicationKind.INITIAL and cases < rules.min_independent_console_cases_initial:
        errors["independent_console_cases"] = [
            f"An initial application needs at least {rules.min_independent_console_cases_initial} "
            f"independent console cases; this one has {cases}."]
    elif kind == ApplicationKind.RENEWAL and cases < rules.min_independent_console_cases_renewal:
        errors["independent_console_cases"] = [
            f"A renewal needs at least {rules.min_independent_console_cases_renewal} independent "
            f"console cases since the last accreditation; this one has {cases}."]
    if course_on is not None and course_on > today:
        errors["train_the_trainer_completed_on"] = ["The course date cannot be in the future."]
    elif course_on is None and kind == ApplicationKind.INITIAL and rules.train_the_trainer_required_initial:
        errors["train_the_trainer_completed_on"] = [
            "An initial application needs the date you completed a train-the-trainer course."]
    if errors:
        raise ApplicationError(errors=errors)
    return list(dict.fromkeys(platforms))


@transaction.atomic
def trainer_application_create(
    *,
    applicant: User,
    kind: str,
    specialty: str,
    platforms: Iterable[str],
    independent_console_cases: int,
    subspecialty: str = "",
    statement: str,
    train_the_trainer_completed_on: datetime.date | None = None,
    documents: Iterable[int] = (),
    upload=None,
    today: datetime.date | None = None,
) -> TrainerApplication:
    """Apply to become (initial) or stay (renewal) an accredited trainer.

    400 per field when the evidence falls short of `FacultyRules`, a document is not the
    applicant's, or a renewal has nothing to renew; 409 for an initial application when an
    accreditation exists, a renewal of a revoked one, or a second pending application.
    `upload` (a file) is stored as one more of the applicant's evidence documents.
    """
    if not can_apply(applicant):
        raise NotPermitted("Only surgeons, nurses, ODPs and surgical care practitioners may apply to become "
                           "accredited RAS faculty.")
    today = today or timezone.localdate()
    scope = faculty_scope_for(applicant)
    # The old codes (e.g. `colorectal`) are still accepted: they name a specialty and subspecialty.
    specialty, subspecialty = split_specialty(specialty, subspecialty or "")
    platforms = _check_evidence(
        kind=kind, specialty=specialty, subspecialty=subspecialty, platforms=list(platforms or []),
        cases=independent_console_cases, course_on=train_the_trainer_completed_on, today=today, scope=scope,
    )
    statement = free_text("statement", statement, required_message="Give a statement.")
    document_ids = list(dict.fromkeys(documents or []))
    owned = list(EvidenceDocument.objects.filter(pk__in=document_ids, owner=applicant))
    missing = sorted(set(document_ids) - {d.pk for d in owned})
    if missing:
        raise ApplicationError(errors={"documents": [
            f"Not one of your documents: {', '.join(map(str, missing))}. Upload it first."]})

    existing = Accreditation.objects.filter(trainer=applicant).first()
    if kind == ApplicationKind.INITIAL and existing is not None:
        raise Conflict(errors={"kind": [
            f"You already have an accreditation ({existing.get_status_display().lower()}): "
            "apply for a renewal instead."]})
    if kind == ApplicationKind.RENEWAL:
        if existing is None:
            raise ApplicationError(errors={"kind": [
                "A renewal needs an existing accreditation: make an initial application."]})
        if existing.status == AccreditationStatus.REVOKED:
            raise Conflict(errors={"kind": ["A revoked accreditation cannot be renewed."]})
    if TrainerApplication.objects.filter(applicant=applicant, status=ApplicationStatus.PENDING).exists():
        raise Conflict("You already have a pending application; wait for its decision.")

    application = TrainerApplication(
        applicant=applicant, kind=kind, scope=scope, specialty=specialty, subspecialty=subspecialty,
        platforms=platforms,
        independent_console_cases=independent_console_cases,
        train_the_trainer_completed_on=train_the_trainer_completed_on, statement=statement,
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:  # a concurrent second pending application
        raise Conflict("You already have a pending application; wait for its decision.") from None
    if owned:
        application.documents.add(*owned)
    if upload is not None:
        application.documents.add(document_upload(owner=applicant, uploaded_by=applicant, file=upload))
    audit_record(actor=applicant, action="trainer_application.submit", obj=application,
                 after={**snapshot(application),
                        "documents": sorted(application.documents.values_list("pk", flat=True))})
    _notify_deciders(application)
    return application


def _notify_deciders(application: TrainerApplication) -> None:
    applicant = application.applicant
    deciders = User.objects.filter(is_active=True, groups__name=Role.REGIONAL_LEAD,
                                   region_id=applicant.region_id).exclude(pk=applicant.pk)
    if applicant.region_id is None or not deciders.exists():
        deciders = User.objects.filter(is_active=True, groups__name=Role.PROGRAMME_ADMIN).exclude(pk=applicant.pk)
    for decider in deciders.distinct():
        notify(
            recipient=decider, kind="trainer_application.submitted",
            subject=f"Trainer application from {applicant.full_name}",
            body=f"{applicant.full_name} has applied for {application.get_kind_display().lower()} "
                 "as an RAS trainer. It is waiting in the decision queue.",
            key=f"trainer_application.submitted:{application.pk}:{decider.pk}",
            link=application_link(application),
        )


def _locked_pending(application: TrainerApplication, actor: User) -> TrainerApplication:
    locked = (
        TrainerApplication.objects.select_related("applicant")
        .select_for_update(of=("self",)).get(pk=application.pk)
    )
    if actor.pk == locked.applicant_id:
        raise NotPermitted("Nobody decides their own application.")
    if not can_decide_application(actor, locked):
        raise NotPermitted("Only a programme admin or the applicant's regional lead decides this.")
    if locked.status != ApplicationStatus.PENDING:
        raise Conflict(f"This application was already {locked.status}: a decision is final.")
    return locked


def _decide(application: TrainerApplication, *, actor: User, status: str, reason: str, action: str) -> None:
    def mutate(app):
        app.status = status
        app.decided_by = actor
        app.decided_at = timezone.now()
        app.decision_reason = reason

    audited_change(actor=actor, action=action, instance=application,
            fields=["status", "decided_by", "decided_at", "decision_reason"], mutate=mutate)


@transaction.atomic
def trainer_application_approve(*, application: TrainerApplication, actor: User, reason: str = "",
                                today: datetime.date | None = None) -> TrainerApplication:
    """Approve: grant the trainer role, and create (initial) or extend (renewal) the
    accreditation. A renewal's new expiry is max(today, current expiry) + the period; a
    renewal after expiry starts a new period today (a lapsed accreditation is accredited
    again); a suspended one stays suspended, with the later expiry."""
    application = _locked_pending(application, actor)
    reason = free_text("reason", reason)
    today = today or timezone.localdate()
    period = faculty_rules().accreditation_period_years
    applicant = application.applicant
    accreditation = Accreditation.objects.select_for_update().filter(trainer=applicant).first()

    if application.kind == ApplicationKind.INITIAL:
        if accreditation is not None:
            raise Conflict("The applicant already has an accreditation: only a renewal can change it.")
        accreditation = Accreditation(
            trainer=applicant, status=AccreditationStatus.ACCREDITED, accredited_on=today,
            expires_on=add_years(today, period), specialty=application.specialty,
            subspecialty=application.subspecialty,
            platforms=application.platforms, scope=application.scope, status_reason="Initial application approved.",
        )
        with audited(actor=actor, action="accreditation.grant", instance=accreditation):
            accreditation.save()
    else:
        if accreditation is None:
            raise Conflict("There is no accreditation to renew.")
        if accreditation.status == AccreditationStatus.REVOKED:
            raise Conflict("A revoked accreditation cannot be renewed.")

        def renew(acc):
            if acc.expires_on < today:
                acc.accredited_on = today  # a gap: the new period starts today
            acc.expires_on = add_years(max(today, acc.expires_on), period)
            acc.specialty, acc.platforms = application.specialty, application.platforms
            acc.subspecialty = application.subspecialty
            acc.scope = application.scope
            if acc.status == AccreditationStatus.LAPSED:
                acc.status = AccreditationStatus.ACCREDITED
                acc.status_changed_at = timezone.now()
                acc.status_reason = "Renewed after lapsing."

        audited_change(actor=actor, action="accreditation.renew", instance=accreditation,
                fields=["status", "accredited_on", "expires_on", "specialty", "subspecialty", "platforms", "scope",
                        "status_reason", "status_changed_at", "updated_at"], mutate=renew)

    _decide(application, actor=actor, status=ApplicationStatus.APPROVED, reason=reason,
            action="trainer_application.approve")
    if not applicant.has_role(Role.TRAINER):
        user_grant_roles(user=applicant, roles=[Role.TRAINER])
        audit_record(actor=actor, action="user.grant_role", obj=applicant,
                     after={"role": Role.TRAINER, "application": application.pk})
    trainer_rights_refresh(trainer=applicant, today=today)  # open assignments, after a lapse
    notify(
        recipient=applicant, kind="trainer_application.approved",
        subject="Your trainer application is approved",
        body=f"Your {application.get_kind_display().lower()} application is approved. You are "
             f"an accredited RAS trainer until {accreditation.expires_on:%d %B %Y}."
             + (f"\n\n{reason}" if reason else ""),
        key=f"trainer_application.decided:{application.pk}",
        link=reverse("accreditation:mine"),
    )
    return application


@transaction.atomic
def trainer_application_reject(*, application: TrainerApplication, actor: User,
                               reason: str) -> TrainerApplication:
    application = _locked_pending(application, actor)
    reason = free_text("reason", reason, required_message="Give the reason for rejecting it.")
    _decide(application, actor=actor, status=ApplicationStatus.REJECTED, reason=reason,
            action="trainer_application.reject")
    notify(
        recipient=application.applicant, kind="trainer_application.rejected",
        subject="Your trainer application was not approved",
        body=f"Your {application.get_kind_display().lower()} application was not approved.\n\n"
             f"Reason: {reason}",
        key=f"trainer_application.decided:{application.pk}",
        link=application_link(application),
    )
    return application
