"""Writes for the faculty: applications and their decisions, the accreditation state machine,
assignments, and the per-object rights they drive.

Every decision (approve, reject, grant, renew, suspend, reinstate, revoke, lapse, assign,
end an assignment) writes its audit entry in the same transaction as the change, and tells
the people it concerns (in-app notification, e-mailed from the outbox).

The accreditation state machine (anything else is a 409)::

    accredited --suspend--> suspended --reinstate--> accredited
    accredited | suspended --revoke--> revoked          (final)
    accredited --(expiry: accreditation_lapse_expired)--> lapsed
    lapsed --(approved renewal)--> accredited

Per-object rights: the guardian right "accounts.supervise_portfolio" on a trainee's
portfolio is held exactly while the trainer is accredited today and has an assignment
active today (`faculty_selectors.active_on`). Services refresh it whenever one of those
changes; `supervision_rights_sync(today=...)` catches up with dates passing (an assignment
that starts or runs out today) and is meant to run daily with `accreditation_lapse_expired`.
Checks never trust the rows alone: `rastrack.accounts.supervision.may_supervise` also asks
`accreditation.faculty.eligibility.can_supervise`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accreditation.faculty.eligibility import is_accredited_on
from accreditation.faculty.models import (
    Accreditation,
    AccreditationStatus,
    ApplicationKind,
    ApplicationStatus,
    Assignment,
    AssignmentKind,
    Platform,
    TrainerApplication,
)
from accreditation.faculty.policies import (
    can_apply,
    can_decide_application,
    can_end_assignment,
    can_manage_accreditation,
    can_manage_assignments_for,
)
from accreditation.faculty.selectors import active_on, faculty_rules
from rastrack.accounts.documents import document_upload
from rastrack.accounts.models import Portfolio, PortfolioUserObjectPermission, User
from rastrack.accounts.roles import Role
from rastrack.accounts.services import user_grant_roles
from rastrack.audit.services import audit_record, audited, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.models import EvidenceDocument
from rastrack.core.pii import validate_no_pii
from rastrack.notifications.services import notify
from rastrack.reference.models import Specialty

SUPERVISE_PORTFOLIO = "accounts.supervise_portfolio"
MAX_TEXT = 5000


# --- Helpers ---------------------------------------------------------------------------------


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _text(field: str, value: str | None, *, required: bool, label: str) -> str:
    """Strip, require when asked, and refuse patient-identifiable data, as a field error."""
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(errors={field: [f"Give {label}."]})
    if len(value) > MAX_TEXT:
        raise ApplicationError(errors={field: [f"Keep it under {MAX_TEXT} characters."]})
    try:
        validate_no_pii(value)
    except ValidationError as exc:
        raise ApplicationError(errors={field: list(exc.messages)}) from None
    return value


def _change(*, actor, action: str, instance, fields: Iterable[str], mutate) -> int:
    """Apply `mutate(instance)`, save `fields` and append the audit entry; returns its id
    (the notification keys use it, so that each occurrence notifies once)."""
    fields = list(fields)
    before = snapshot(instance, fields)
    mutate(instance)
    instance.save(update_fields=fields)
    entry = audit_record(actor=actor, action=action, obj=instance, before=before,
                         after=snapshot(instance, fields))
    return entry.pk


def _accreditation_link(accreditation: Accreditation) -> str:
    return reverse("accreditation:accreditation", args=[accreditation.pk])


def _application_link(application: TrainerApplication) -> str:
    return reverse("accreditation:application", args=[application.pk])


# --- Per-object rights -------------------------------------------------------------------------


def _should_hold_right(trainer: User, trainee_id: int, today: datetime.date) -> bool:
    return (
        trainer.is_active
        and is_accredited_on(trainer, today)
        and Assignment.objects.filter(active_on(today), trainer=trainer, trainee_id=trainee_id).exists()
    )


def supervision_right_refresh(*, trainer: User, trainee: User,
                              today: datetime.date | None = None) -> bool:
    """Grant or remove the trainer's guardian right on the trainee's portfolio so that it
    matches the rule today. Idempotent; returns whether the right is now held."""
    today = today or timezone.localdate()
    portfolio, _ = Portfolio.objects.get_or_create(trainee=trainee)
    held = _should_hold_right(trainer, trainee.pk, today)
    if held:
        assign_perm(SUPERVISE_PORTFOLIO, trainer, portfolio)
    else:
        remove_perm(SUPERVISE_PORTFOLIO, trainer, portfolio)
    return held


def _rights_rows(**filters):
    return PortfolioUserObjectPermission.objects.filter(
        permission__codename="supervise_portfolio",
        permission__content_type__app_label="accounts",
        **filters,
    )


def trainer_rights_refresh(*, trainer: User, today: datetime.date | None = None) -> None:
    """Refresh the trainer's rights on every trainee they hold a right on or are assigned to."""
    today = today or timezone.localdate()
    trainee_ids = set(
        Assignment.objects.filter(active_on(today), trainer=trainer).values_list("trainee_id", flat=True)
    ) | set(_rights_rows(user=trainer).values_list("content_object__trainee_id", flat=True))
    for trainee in User.objects.filter(pk__in=trainee_ids):
        supervision_right_refresh(trainer=trainer, trainee=trainee, today=today)


def _trainer_rights_remove_all(trainer: User) -> int:
    return _rights_rows(user=trainer).delete()[0]


def supervision_rights_sync(*, today: datetime.date) -> dict[str, int]:
    """Bring every right in line with the rule today: grant those of assignments that start
    today (or were dated in the past), remove those of assignments that ran out. Idempotent;
    meant for the daily schedule next to `accreditation_lapse_expired`."""
    pairs = set(
        Assignment.objects.filter(active_on(today)).values_list("trainer_id", "trainee_id")
    ) | set(_rights_rows().values_list("user_id", "content_object__trainee_id"))
    granted = removed = 0
    people = User.objects.in_bulk({pk for pair in pairs for pk in pair})
    for trainer_id, trainee_id in sorted(pairs):
        trainer, trainee = people[trainer_id], people[trainee_id]
        had = _rights_rows(user=trainer, content_object__trainee_id=trainee_id).exists()
        with transaction.atomic():
            holds = supervision_right_refresh(trainer=trainer, trainee=trainee, today=today)
        granted += holds and not had
        removed += had and not holds
    return {"granted": granted, "removed": removed}


# --- Applications ----------------------------------------------------------------------------


def _check_evidence(*, kind: str, specialty: str, platforms: list[str], cases: int,
                    course_on: datetime.date | None, today: datetime.date) -> list[str]:
    rules = faculty_rules()
    errors: dict[str, list[str]] = {}
    if kind not in ApplicationKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(ApplicationKind.values)}."]
    if specialty not in Specialty.values:
        errors["specialty"] = ["Choose a specialty from the list."]
    unknown = [p for p in platforms if p not in Platform.values]
    if unknown:
        errors["platforms"] = [f"Unknown platform: {', '.join(map(str, unknown))}."]
    elif not platforms:
        errors["platforms"] = ["Name at least one platform you train on."]
    if cases is None or cases < 0:
        errors["independent_console_cases"] = ["Give the number of independent console cases (0 or more)."]
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
        raise NotPermitted("Only surgeons may apply to become accredited RAS trainers.")
    today = today or timezone.localdate()
    platforms = _check_evidence(
        kind=kind, specialty=specialty, platforms=list(platforms or []),
        cases=independent_console_cases, course_on=train_the_trainer_completed_on, today=today,
    )
    statement = _text("statement", statement, required=True, label="a statement")
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
        applicant=applicant, kind=kind, specialty=specialty, platforms=platforms,
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
            link=_application_link(application),
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

    _change(actor=actor, action=action, instance=application,
            fields=["status", "decided_by", "decided_at", "decision_reason"], mutate=mutate)


@transaction.atomic
def trainer_application_approve(*, application: TrainerApplication, actor: User, reason: str = "",
                                today: datetime.date | None = None) -> TrainerApplication:
    """Approve: grant the trainer role, and create (initial) or extend (renewal) the
    accreditation. A renewal's new expiry is max(today, current expiry) + the period; a
    renewal after expiry starts a new period today (a lapsed accreditation is accredited
    again); a suspended one stays suspended, with the later expiry."""
    application = _locked_pending(application, actor)
    reason = _text("reason", reason, required=False, label="a reason")
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
            platforms=application.platforms, status_reason="Initial application approved.",
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
            if acc.status == AccreditationStatus.LAPSED:
                acc.status = AccreditationStatus.ACCREDITED
                acc.status_changed_at = timezone.now()
                acc.status_reason = "Renewed after lapsing."

        _change(actor=actor, action="accreditation.renew", instance=accreditation,
                fields=["status", "accredited_on", "expires_on", "specialty", "platforms",
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
    reason = _text("reason", reason, required=True, label="the reason for rejecting it")
    _decide(application, actor=actor, status=ApplicationStatus.REJECTED, reason=reason,
            action="trainer_application.reject")
    notify(
        recipient=application.applicant, kind="trainer_application.rejected",
        subject="Your trainer application was not approved",
        body=f"Your {application.get_kind_display().lower()} application was not approved.\n\n"
             f"Reason: {reason}",
        key=f"trainer_application.decided:{application.pk}",
        link=_application_link(application),
    )
    return application


# --- The accreditation state machine ------------------------------------------------------------

_TRANSITIONS = {
    # verb: (allowed from, to, past tense)
    "suspend": ({AccreditationStatus.ACCREDITED}, AccreditationStatus.SUSPENDED, "suspended"),
    "reinstate": ({AccreditationStatus.SUSPENDED}, AccreditationStatus.ACCREDITED, "reinstated"),
    "revoke": ({AccreditationStatus.ACCREDITED, AccreditationStatus.SUSPENDED},
               AccreditationStatus.REVOKED, "revoked"),
}


def _transition(*, accreditation: Accreditation, actor: User, verb: str, reason: str,
                today: datetime.date | None) -> Accreditation:
    today = today or timezone.localdate()
    accreditation = (
        Accreditation.objects.select_related("trainer")
        .select_for_update(of=("self",)).get(pk=accreditation.pk)
    )
    if actor.pk == accreditation.trainer_id:
        raise NotPermitted("Nobody decides their own accreditation.")
    if not can_manage_accreditation(actor, accreditation):
        raise NotPermitted("Only a programme admin or the trainer's regional lead may do this.")
    reason = _text("reason", reason, required=True, label="a reason")
    allowed, target, done = _TRANSITIONS[verb]
    if accreditation.status not in allowed:
        hint = " Only an approved renewal brings a lapsed accreditation back." \
            if accreditation.status == AccreditationStatus.LAPSED else ""
        raise Conflict(f"An accreditation that is {accreditation.status} cannot be {done}.{hint}")
    if verb == "reinstate" and accreditation.expires_on < today:
        raise Conflict(f"It expired on {accreditation.expires_on:%d %B %Y} while suspended: only an "
                       "approved renewal can bring it back.")

    def mutate(acc):
        acc.status = target
        acc.status_reason = reason
        acc.status_changed_at = timezone.now()

    entry_id = _change(actor=actor, action=f"accreditation.{verb}", instance=accreditation,
                       fields=["status", "status_reason", "status_changed_at", "updated_at"],
                       mutate=mutate)
    if target == AccreditationStatus.ACCREDITED:
        trainer_rights_refresh(trainer=accreditation.trainer, today=today)
    else:
        _trainer_rights_remove_all(accreditation.trainer)
    notify(
        recipient=accreditation.trainer, kind=f"accreditation.{done}",
        subject=f"Your trainer accreditation is {done}",
        body=f"Your RAS trainer accreditation is {done}.\n\nReason: {reason}",
        key=f"accreditation.{done}:{accreditation.pk}:{entry_id}",
        link=reverse("accreditation:mine"),
    )
    return accreditation


@transaction.atomic
def accreditation_suspend(*, accreditation: Accreditation, actor: User, reason: str,
                          today: datetime.date | None = None) -> Accreditation:
    """accredited -> suspended; the trainer's rights go at once."""
    return _transition(accreditation=accreditation, actor=actor, verb="suspend", reason=reason, today=today)


@transaction.atomic
def accreditation_reinstate(*, accreditation: Accreditation, actor: User, reason: str,
                            today: datetime.date | None = None) -> Accreditation:
    """suspended -> accredited (if not expired meanwhile); rights of open assignments return."""
    return _transition(accreditation=accreditation, actor=actor, verb="reinstate", reason=reason, today=today)


@transaction.atomic
def accreditation_revoke(*, accreditation: Accreditation, actor: User, reason: str,
                         today: datetime.date | None = None) -> Accreditation:
    """accredited | suspended -> revoked, for good; the trainer's rights go at once."""
    return _transition(accreditation=accreditation, actor=actor, verb="revoke", reason=reason, today=today)


def accreditation_lapse_expired(*, today: datetime.date) -> int:
    """Lapse every accredited accreditation whose last valid day (`expires_on`) is before
    `today`; returns how many lapsed. Idempotent: a second run finds none and writes nothing.

    The system is the actor (audit actor None). Each accreditation lapses in its own
    transaction, so a long run holds no lock for long and a renewal approved meanwhile wins.
    """
    due = list(
        Accreditation.objects.filter(status=AccreditationStatus.ACCREDITED, expires_on__lt=today)
        .order_by("id").values_list("pk", flat=True)
    )
    lapsed = 0
    for pk in due:
        with transaction.atomic():
            accreditation = (
                Accreditation.objects.select_related("trainer").select_for_update(of=("self",))
                .filter(pk=pk, status=AccreditationStatus.ACCREDITED, expires_on__lt=today).first()
            )
            if accreditation is None:  # renewed or changed since the list was read
                continue
            last_day = accreditation.expires_on

            def mutate(acc, last_day=last_day):
                acc.status = AccreditationStatus.LAPSED
                acc.status_reason = f"Expired: the last valid day was {last_day.isoformat()}."
                acc.status_changed_at = timezone.now()

            _change(actor=None, action="accreditation.lapse", instance=accreditation,
                    fields=["status", "status_reason", "status_changed_at", "updated_at"], mutate=mutate)
            _trainer_rights_remove_all(accreditation.trainer)
            notify(
                recipient=accreditation.trainer, kind="accreditation.lapsed",
                subject="Your trainer accreditation has lapsed",
                body=f"Your RAS trainer accreditation expired on {last_day:%d %B %Y} and has "
                     "lapsed. Apply for a renewal to be accredited again.",
                key=f"accreditation.lapsed:{accreditation.pk}:{last_day.isoformat()}",
                link=reverse("accreditation:mine"),
            )
            lapsed += 1
    return lapsed


# --- Assignments -----------------------------------------------------------------------------


def _overlapping(starts_on: datetime.date, ends_on: datetime.date | None, today: datetime.date) -> Q:
    """Assignments whose dates overlap [starts_on, ends_on] and that were not already ended
    with immediate effect (ended by the `end` action, on or before today)."""
    q = Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    if ends_on is not None:
        q &= Q(starts_on__lte=ends_on)
    return q & ~Q(ended_at__isnull=False, ends_on__lte=today)


@transaction.atomic
def assignment_create(*, actor: User, trainer: User, trainee: User, kind: str,
                      starts_on: datetime.date | None = None, ends_on: datetime.date | None = None,
                      today: datetime.date | None = None) -> Assignment:
    """Assign a trainer to a trainee (by the trainee's regional lead or a programme admin).

    400 when the trainer is not accredited on `starts_on`, would exceed the cap of trainees
    (`FacultyRules.max_trainees_per_trainer`), or the trainee does not hold the trainee role;
    409 when the same trainer already has an overlapping assignment of that kind.
    """
    today = today or timezone.localdate()
    starts_on = starts_on or today
    if not can_manage_assignments_for(actor, trainee):
        raise NotPermitted("Only a programme admin or the trainee's regional lead assigns trainers.")
    errors: dict[str, list[str]] = {}
    if kind not in AssignmentKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(AssignmentKind.values)}."]
    if not trainee.has_role(Role.TRAINEE):
        errors["trainee"] = [f"{trainee.full_name} does not hold the trainee role."]
    if trainer.pk == trainee.pk:
        errors["trainer"] = ["A trainer cannot be assigned to themself."]
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = ["The end date cannot be before the start date."]
    if errors:
        raise ApplicationError(errors=errors)

    # Locking the trainer's accreditation serialises assignments of one trainer, so two
    # leads racing for the last place under the cap cannot both get it.
    accreditation = Accreditation.objects.select_for_update().filter(trainer=trainer).first()
    if not trainer.is_active:
        raise ApplicationError(errors={"trainer": [f"{trainer.full_name}'s account is deactivated."]})
    if accreditation is None or not is_accredited_on(trainer, starts_on):
        state = "has no accreditation" if accreditation is None else (
            f"is {accreditation.status}, valid {accreditation.accredited_on:%d %b %Y} to "
            f"{accreditation.expires_on:%d %b %Y}")
        raise ApplicationError(errors={"trainer": [
            f"{trainer.full_name} is not an accredited trainer on {starts_on:%d %B %Y} "
            f"({state}): only a trainer accredited on the start date can be assigned."]})

    overlapping = Assignment.objects.filter(_overlapping(starts_on, ends_on, today), trainer=trainer)
    if overlapping.filter(trainee=trainee, kind=kind).exists():
        raise Conflict(errors={"kind": [
            f"{trainer.full_name} is already assigned to {trainee.full_name} as "
            f"{AssignmentKind(kind).label.lower()} for some of these dates."]})
    cap = faculty_rules().max_trainees_per_trainer
    load = overlapping.exclude(trainee=trainee).values("trainee_id").distinct().count()
    if load >= cap:
        raise ApplicationError(errors={"trainer": [
            f"{trainer.full_name} already has {load} trainees for these dates; the limit is {cap}."]})

    assignment = Assignment(trainer=trainer, trainee=trainee, kind=kind, starts_on=starts_on,
                            ends_on=ends_on, created_by=actor)
    try:
        with transaction.atomic(), audited(actor=actor, action="assignment.create", instance=assignment):
            assignment.save()
    except IntegrityError:
        raise Conflict(errors={"kind": ["This trainer already has an open assignment of this kind to "
                                        "this trainee."]}) from None
    supervision_right_refresh(trainer=trainer, trainee=trainee, today=today)
    period = f"from {starts_on:%d %B %Y}" + (f" to {ends_on:%d %B %Y}" if ends_on else "")
    label = assignment.get_kind_display().lower()
    notify(recipient=trainer, kind="assignment.created",
           subject=f"You are assigned to {trainee.full_name}",
           body=f"You are {trainee.full_name}'s {label} {period}.",
           key=f"assignment.created:{assignment.pk}:trainer", link=reverse("accreditation:mine"))
    notify(recipient=trainee, kind="assignment.created",
           subject=f"{trainer.full_name} is your {label}",
           body=f"{trainer.full_name} is your {label} {period}.",
           key=f"assignment.created:{assignment.pk}:trainee", link=reverse("accreditation:mine"))
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, actor: User, ends_on: datetime.date | None = None,
                   today: datetime.date | None = None) -> Assignment:
    """End an assignment on `ends_on` (default today; its last covered day).

    Ending on today or earlier takes effect at once: the trainer's right on the trainee's
    portfolio is removed now (unless another active assignment still justifies it). A later
    date only shortens the term; the daily `supervision_rights_sync` removes the right after
    that day. 409 when it has already ended; an end date cannot extend it (400).
    """
    today = today or timezone.localdate()
    assignment = (
        Assignment.objects.select_related("trainer", "trainee")
        .select_for_update(of=("self",)).get(pk=assignment.pk)
    )
    if not can_end_assignment(actor, assignment):
        raise NotPermitted("Only a programme admin or the trainee's regional lead ends assignments.")
    if assignment.ended_at is not None or (assignment.ends_on is not None and assignment.ends_on < today):
        raise Conflict(f"This assignment has already ended (on {assignment.ends_on:%d %B %Y}).")
    ends_on = ends_on or today
    if ends_on < assignment.starts_on:
        raise ApplicationError(errors={"ends_on": [
            f"It starts on {assignment.starts_on:%d %B %Y}: the end date cannot be before that."]})
    if assignment.ends_on is not None and ends_on > assignment.ends_on:
        raise ApplicationError(errors={"ends_on": [
            f"It already ends on {assignment.ends_on:%d %B %Y}; ending it cannot extend it."]})

    def mutate(a):
        a.ends_on = ends_on
        if ends_on <= today:
            a.ended_at, a.ended_by = timezone.now(), actor

    entry_id = _change(actor=actor, action="assignment.end", instance=assignment,
                       fields=["ends_on", "ended_at", "ended_by"], mutate=mutate)
    supervision_right_refresh(trainer=assignment.trainer, trainee=assignment.trainee, today=today)
    label = assignment.get_kind_display().lower()
    for recipient, other in ((assignment.trainer, assignment.trainee), (assignment.trainee, assignment.trainer)):
        notify(recipient=recipient, kind="assignment.ended",
               subject=f"Assignment ended: {label}",
               body=f"The {label} assignment between you and {other.full_name} ends on "
                    f"{ends_on:%d %B %Y}.",
               key=f"assignment.ended:{assignment.pk}:{entry_id}:{recipient.pk}",
               link=reverse("accreditation:mine"))
    return assignment
