"""Reads about the faculty, scoped to what the caller may see (anything else: 404).

| who               | applications              | accreditations (register)  | assignments                  |
| ----------------- | ------------------------- | -------------------------- | ---------------------------- |
| programme admin   | all                       | all                        | all                          |
| regional lead     | applicants in the region  | trainers in the region     | trainees in the region       |
| trainer           | own                       | own                        | as trainer or trainee        |
| anyone else       | own                       | own                        | own (as trainee)             |

Everyone also sees their own records. Regions are current regions (`User.region`).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accreditation.faculty.eligibility import covering
from accreditation.faculty.models import (
    Accreditation,
    AccreditationStatus,
    ApplicationStatus,
    Assignment,
    FacultyRules,
    Platform,
    TrainerApplication,
)
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.models import EvidenceDocument
from rastrack.reference.specialties import specialty_q


def faculty_rules() -> FacultyRules:
    """The one row of configurable rules, created with the defaults when missing."""
    rules, _ = FacultyRules.objects.get_or_create(pk=1)
    return rules


def active_on(today: datetime.date, prefix: str = "") -> Q:
    """Assignments that are active on `today`: the eligibility rule's `covering`, so the
    per-object rights, the trainee load and the rule itself never disagree about an
    assignment ended today."""
    return covering(today, prefix)


# --- Applications ----------------------------------------------------------------------------


def trainer_applications_visible_to(user: User) -> QuerySet[TrainerApplication]:
    qs = TrainerApplication.objects.select_related(
        "applicant", "applicant__region", "decided_by"
    ).prefetch_related(
        Prefetch("documents", queryset=EvidenceDocument.objects.order_by("id"))
    ).order_by("created_at", "id")
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.has_role(Role.PROGRAMME_ADMIN):
        return qs
    visible = Q(applicant=user)
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id:
        visible |= Q(applicant__region_id=user.region_id)
    return qs.filter(visible)


def application_decision_queue(user: User) -> QuerySet[TrainerApplication]:
    """Pending applications the user may decide, oldest first (never their own)."""
    if not (user.is_authenticated and user.has_role(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD)):
        return TrainerApplication.objects.none()
    qs = trainer_applications_visible_to(user).filter(status=ApplicationStatus.PENDING)
    if not user.has_role(Role.PROGRAMME_ADMIN):
        qs = qs.filter(applicant__region_id=user.region_id)
    return qs.exclude(applicant=user).order_by("created_at", "id")


def applications_of(user: User) -> QuerySet[TrainerApplication]:
    return trainer_applications_visible_to(user).filter(applicant=user).order_by("-created_at", "-id")


# --- Accreditations and the faculty register ----------------------------------------------


def _trainee_load(today: datetime.date) -> Coalesce:
    """Distinct trainees with an assignment active today, as one correlated subquery."""
    load = (
        Assignment.objects.filter(active_on(today), trainer_id=OuterRef("trainer_id"))
        .order_by()
        .values("trainer_id")
        .annotate(n=Count("trainee_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(load, output_field=IntegerField()), Value(0))


def accreditations_visible_to(user: User, *, today: datetime.date | None = None) -> QuerySet[Accreditation]:
    """Accreditations with their trainer and region, and `trainee_load` annotated, in one query."""
    today = today or timezone.localdate()
    qs = (
        Accreditation.objects.select_related("trainer", "trainer__region")
        .annotate(trainee_load=_trainee_load(today))
        .order_by("expires_on", "id")
    )
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.has_role(Role.PROGRAMME_ADMIN):
        return qs
    visible = Q(trainer=user)
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id:
        visible |= Q(trainer__region_id=user.region_id)
    return qs.filter(visible)


def filter_register(
    qs: QuerySet[Accreditation],
    *,
    region: int | None = None,
    specialty: str | None = None,
    platform: str | None = None,
    status: str | None = None,
) -> QuerySet[Accreditation]:
    """The register's filters: the trainer's current region, specialty, platform, status."""
    if region:
        qs = qs.filter(trainer__region_id=region)
    if specialty:
        qs = qs.filter(specialty_q(specialty, specialty_field="specialty", subspecialty_field="subspecialty"))
    if platform:
        if platform not in Platform.values:
            return qs.none()
        # `platforms` is a JSON list of platform values. Matching the quoted value works on
        # SQLite and PostgreSQL alike ("davinci_x" never matches "davinci_xi").
        qs = qs.filter(platforms__icontains=f'"{platform}"')
    if status:
        qs = qs.filter(status=status)
    return qs


def faculty_register(user: User, *, today: datetime.date | None = None, **filters) -> QuerySet[Accreditation]:
    return filter_register(accreditations_visible_to(user, today=today), **filters)


def accreditation_of(user: User) -> Accreditation | None:
    return Accreditation.objects.select_related("trainer", "trainer__region").filter(trainer=user).first()


def expiring_soon(accreditation: Accreditation, *, today: datetime.date, warning_days: int) -> bool:
    """A current accreditation whose last valid day is within `warning_days` of today."""
    return (
        accreditation.status in (AccreditationStatus.ACCREDITED, AccreditationStatus.SUSPENDED)
        and today <= accreditation.expires_on <= today + datetime.timedelta(days=warning_days)
    )


def accreditations_expiring(*, today: datetime.date, within_days: int) -> QuerySet[Accreditation]:
    """Accredited, expiring between today and `within_days` from now (for reminders)."""
    return Accreditation.objects.select_related("trainer", "trainer__region").filter(
        status=AccreditationStatus.ACCREDITED,
        expires_on__gte=today,
        expires_on__lte=today + datetime.timedelta(days=within_days),
    ).order_by("expires_on", "id")


# --- Assignments -----------------------------------------------------------------------------


def assignments_visible_to(user: User) -> QuerySet[Assignment]:
    qs = Assignment.objects.select_related(
        "trainer", "trainee", "trainee__region", "created_by", "ended_by"
    ).order_by("-starts_on", "-id")
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.has_role(Role.PROGRAMME_ADMIN):
        return qs
    visible = Q(trainee=user) | Q(trainer=user)
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id:
        visible |= Q(trainee__region_id=user.region_id)
    return qs.filter(visible)


def assignable_trainees(user: User) -> QuerySet[User]:
    """Trainees whose assignments the user manages: all for admins, own region for leads."""
    qs = User.objects.filter(groups__name=Role.TRAINEE, is_active=True).select_related("region")
    if user.has_role(Role.PROGRAMME_ADMIN):
        return qs.order_by("full_name", "id")
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id:
        return qs.filter(region_id=user.region_id).order_by("full_name", "id")
    return qs.none()


def trainers_accredited_on(on: datetime.date) -> QuerySet[User]:
    """People whose accreditation is current on `on` (the ones who may be assigned then)."""
    return User.objects.filter(
        is_active=True,
        accreditation__status=AccreditationStatus.ACCREDITED,
        accreditation__accredited_on__lte=on,
        accreditation__expires_on__gte=on,
    ).select_related("region").order_by("full_name", "id")
