"""Assignments of accredited trainers to trainees: created and ended by the trainee's regional
lead or a programme admin."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accreditation.faculty.eligibility import is_accredited_on
from accreditation.faculty.models import (
    Accreditation,
    Assignment,
    AssignmentKind,
)
from accreditation.faculty.policies import (
    can_end_assignment,
    can_manage_assignments_for,
)
from accreditation.faculty.selectors import faculty_rules
from accreditation.faculty.services.common import (
    audited_change,
)
from accreditation.faculty.services.rights import (
    supervision_right_refresh,
)
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.audit.services import audited
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.wording import counted
from rastrack.notifications.services import notify


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
            f"{trainer.full_name} already has {counted(load, 'trainee')} for these dates; the limit is {cap}."]})

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

    entry_id = audited_change(actor=actor, action="assignment.end", instance=assignment,
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
