"""Writes of centres and courses: adding them, granting and withdrawing accreditation,
submitting and reviewing annual returns. Each in one transaction, audited."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone

from accreditation.faculty.services.common import add_years
from labs.centres import policies
from labs.centres.criteria import criteria_check
from labs.centres.models import (
    AccreditationScheme,
    AnnualReturn,
    AnnualReturnStatus,
    Centre,
    CentreAccreditation,
    CentreAccreditationStatus,
    CentreKind,
    Course,
    CourseKind,
    ReturnFigure,
    SchemeAppliesTo,
)
from labs.models import Lab
from rastrack.accounts.models import User
from rastrack.audit.services import audit_record, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.free_text import free_text
from rastrack.reference.models import Platform, Site

MAX_FIGURE = 1_000_000


@transaction.atomic
def centre_create(*, actor: User, name: str, lab: Lab | None = None, site: Site | None = None,
                  leads: Iterable[User] = ()) -> Centre:
    """A programme admin records a centre: a skills lab, or a training hospital (a site)."""
    if not policies.is_programme_admin(actor):
        raise NotPermitted("Only a programme admin adds a centre.")
    name = free_text("name", name, required_message="Give the centre's name.", max_length=200)
    if (lab is None) == (site is None):
        raise ApplicationError(errors={"lab": ["Give a lab or a training hospital's site, one of them."]})
    if lab is not None and Centre.objects.filter(lab=lab).exists():
        raise Conflict(f"{lab.name} is already a centre.")
    region = lab.region if lab is not None else site.region
    kind = CentreKind.LAB if lab is not None else CentreKind.TRAINING_HOSPITAL
    try:
        with transaction.atomic():
            centre = Centre.objects.create(name=name, kind=kind, lab=lab, site=site, region=region)
    except IntegrityError:
        raise Conflict(f"A centre called “{name}” already exists.") from None
    centre.leads.set(list(leads))
    audit_record(actor=actor, action="labs.centre.create", obj=centre,
                 after={**snapshot(centre), "leads": sorted(u.pk for u in centre.leads.all())})
    return centre


@transaction.atomic
def course_create(*, actor: User, centre: Centre, title: str, kind: str, platform: str = "",
                  sessions: Iterable = ()) -> Course:
    refusal = policies.refusal_to_add_course(actor, centre)
    if refusal:
        raise NotPermitted(refusal)
    title = free_text("title", title, required_message="Give the course's title.", max_length=200)
    errors = {}
    if kind not in CourseKind.values:
        errors["kind"] = ["Choose a kind of course from the list."]
    if platform and platform not in Platform.values:
        errors["platform"] = ["Choose a platform from the list."]
    sessions = list(sessions)
    if centre.lab_id is not None and any(s.lab_id != centre.lab_id for s in sessions):
        errors["sessions"] = ["A course's sessions are sessions of the centre's lab."]
    if errors:
        raise ApplicationError(errors=errors)
    if Course.objects.filter(centre=centre, title__iexact=title).exists():
        raise Conflict(f"{centre.name} already has a course called “{title}”.")
    course = Course.objects.create(centre=centre, title=title, kind=kind, platform=platform)
    course.sessions.set(sessions)
    audit_record(actor=actor, action="labs.course.create", obj=course,
                 after={**snapshot(course), "sessions": sorted(s.pk for s in sessions)})
    return course


@transaction.atomic
def centre_accreditation_grant(*, actor: User, scheme: AccreditationScheme, centre: Centre | None = None,
                               course: Course | None = None, accredited_on: datetime.date,
                               expires_on: datetime.date | None = None) -> CentreAccreditation:
    """A programme admin accredits a centre or a course under a scheme: for the scheme's
    period (three years by default) unless told otherwise, with an annual return due on each
    anniversary before the last."""
    if not policies.is_programme_admin(actor):
        raise NotPermitted("Only a programme admin accredits centres and courses.")
    errors = {}
    if (centre is None) == (course is None):
        errors["centre"] = ["Give a centre or a course, one of them."]
    elif scheme.applies_to == SchemeAppliesTo.CENTRE and centre is None:
        errors["scheme"] = [f"{scheme.name} accredits centres, not courses."]
    elif scheme.applies_to == SchemeAppliesTo.COURSE and course is None:
        errors["scheme"] = [f"{scheme.name} accredits courses, not centres."]
    expires_on = expires_on or add_years(accredited_on, scheme.period_years) - datetime.timedelta(days=1)
    if expires_on <= accredited_on:
        errors["expires_on"] = ["The accreditation must end after it starts."]
    if errors:
        raise ApplicationError(errors=errors)
    overlapping = CentreAccreditation.objects.filter(
        scheme=scheme, centre=centre, course=course, status=CentreAccreditationStatus.ACCREDITED,
        expires_on__gte=accredited_on, accredited_on__lte=expires_on)
    if overlapping.exists():
        raise Conflict("This holder already has an accreditation of this scheme for those dates.")
    accreditation = CentreAccreditation.objects.create(
        scheme=scheme, centre=centre, course=course, accredited_on=accredited_on, expires_on=expires_on,
        granted_by=actor)
    AnnualReturn.objects.bulk_create([
        AnnualReturn(accreditation=accreditation, year=year, due_on=add_years(accredited_on, year))
        for year in range(1, 10) if add_years(accredited_on, year) < expires_on])
    audit_record(actor=actor, action="labs.centre_accreditation.grant", obj=accreditation,
                 after=snapshot(accreditation))
    return accreditation


@transaction.atomic
def centre_accreditation_withdraw(*, actor: User, accreditation: CentreAccreditation) -> CentreAccreditation:
    if not policies.is_programme_admin(actor):
        raise NotPermitted("Only a programme admin withdraws an accreditation.")
    accreditation = CentreAccreditation.objects.select_for_update().get(pk=accreditation.pk)
    if accreditation.status == CentreAccreditationStatus.WITHDRAWN:
        raise Conflict("This accreditation is already withdrawn.")
    before = snapshot(accreditation)
    accreditation.status = CentreAccreditationStatus.WITHDRAWN
    accreditation.save(update_fields=["status"])
    audit_record(actor=actor, action="labs.centre_accreditation.withdraw", obj=accreditation,
                 before=before, after=snapshot(accreditation))
    return accreditation


def _clean_figures(figures) -> dict[str, int]:
    if not isinstance(figures, Mapping):
        raise ApplicationError(errors={"figures": ["Give the figures as {figure: whole number}."]})
    clean, errors = {}, []
    for code, value in figures.items():
        if code not in ReturnFigure.values:
            errors.append(f"“{str(code)[:60]}” is not a figure of the annual return.")
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_FIGURE:
            errors.append(f"{ReturnFigure(code).label}: give a whole number from 0 to {MAX_FIGURE}.")
        else:
            clean[code] = value
    if errors:
        raise ApplicationError(errors={"figures": errors})
    return clean


@transaction.atomic
def annual_return_submit(*, actor: User, annual_return: AnnualReturn, figures, narrative: str = "",
                         now: datetime.datetime | None = None) -> AnnualReturn:
    """The centre's leads submit the year's figures (every figure the scheme's criteria name
    is required); a return sent back for changes may be submitted again."""
    annual_return = (AnnualReturn.objects.select_for_update(of=("self",))
                     .select_related("accreditation__scheme", "accreditation__centre",
                                     "accreditation__course__centre").get(pk=annual_return.pk))
    accreditation = annual_return.accreditation
    refusal = policies.refusal_to_submit_return(actor, accreditation.holder_centre)
    if refusal:
        raise NotPermitted(refusal)
    if annual_return.status not in (AnnualReturnStatus.DUE, AnnualReturnStatus.RETURNED):
        raise Conflict(f"This annual return is {annual_return.get_status_display().lower()}: "
                       "it can be submitted while due or returned for changes.")
    clean = _clean_figures(figures)
    missing = [c.figure for c in accreditation.scheme.criteria.all() if c.figure not in clean]
    if missing:
        raise ApplicationError(errors={"figures": [
            f"Give “{ReturnFigure(code).label}”: the accreditation's criteria ask for it." for code in missing]})
    narrative = free_text("narrative", narrative)
    before = snapshot(annual_return)
    annual_return.figures, annual_return.narrative = clean, narrative
    annual_return.status = AnnualReturnStatus.SUBMITTED
    annual_return.submitted_by, annual_return.submitted_at = actor, now or timezone.now()
    annual_return.save()
    audit_record(actor=actor, action="labs.annual_return.submit", obj=annual_return, before=before,
                 after={**snapshot(annual_return), "criteria_met": all(r["met"] for r in criteria_check(
                     accreditation.scheme, clean))})
    return annual_return


@transaction.atomic
def annual_return_review(*, actor: User, annual_return: AnnualReturn, decision: str, note: str = "",
                         now: datetime.datetime | None = None) -> AnnualReturn:
    """A programme admin accepts a submitted return or sends it back with a note."""
    if not policies.is_programme_admin(actor):
        raise NotPermitted("Only a programme admin reviews annual returns.")
    annual_return = AnnualReturn.objects.select_for_update().get(pk=annual_return.pk)
    if annual_return.status != AnnualReturnStatus.SUBMITTED:
        raise Conflict("Only a submitted annual return can be reviewed.")
    if decision not in (AnnualReturnStatus.ACCEPTED, AnnualReturnStatus.RETURNED):
        raise ApplicationError(errors={"decision": ["Accept it or return it for changes."]})
    note = free_text("note", note, required_message=(
        "Say what to change." if decision == AnnualReturnStatus.RETURNED else ""))
    before = snapshot(annual_return)
    annual_return.status = decision
    annual_return.review_note = note
    annual_return.reviewed_by, annual_return.reviewed_at = actor, now or timezone.now()
    annual_return.save()
    audit_record(actor=actor, action="labs.annual_return.review", obj=annual_return, before=before,
                 after=snapshot(annual_return))
    return annual_return
