"""Reads of centres, courses, accreditations and annual returns.

Centres, courses and accreditations are a register every signed-in person reads. Annual
returns: programme admins all; a regional lead those of their region's centres; a centre's
leads (named leads and its lab's managers) their centre's. Anything else is a 404.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from labs.centres.models import AnnualReturn, Centre, CentreAccreditation, Course, SchemeCriterion
from labs.models import LabManager
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.permissions import signed_in


def centre_lead_users(centre: Centre) -> QuerySet[User]:
    lab_managers = Q(pk__in=LabManager.objects.filter(lab_id=centre.lab_id).values("user_id")) if centre.lab_id else Q()
    named = Q(pk__in=Centre.leads.through.objects.filter(centre_id=centre.pk).values("user_id"))
    return User.objects.filter(is_active=True).filter(named | lab_managers if centre.lab_id else named).order_by("id")


def _accreditations_prefetch() -> Prefetch:
    return Prefetch("accreditations", queryset=CentreAccreditation.objects.select_related("scheme")
                    .order_by("-expires_on", "id"))


def centres_visible_to(user) -> QuerySet[Centre]:
    if not signed_in(user):
        return Centre.objects.none()
    return (Centre.objects.select_related("region", "lab", "site")
            .prefetch_related("leads", _accreditations_prefetch(), "courses")
            .order_by("region__name", "name", "id"))


def courses_visible_to(user) -> QuerySet[Course]:
    if not signed_in(user):
        return Course.objects.none()
    return (Course.objects.select_related("centre").prefetch_related("sessions", _accreditations_prefetch())
            .order_by("centre__name", "title", "id"))


def centre_accreditations_visible_to(user) -> QuerySet[CentreAccreditation]:
    if not signed_in(user):
        return CentreAccreditation.objects.none()
    return (CentreAccreditation.objects
            .select_related("scheme", "centre", "course__centre")
            .prefetch_related(Prefetch("scheme__criteria", queryset=SchemeCriterion.objects.order_by("id")))
            .order_by("expires_on", "id"))


def led_centre_ids(user) -> QuerySet:
    """The centres a person leads: named, or as a manager of the centre's lab."""
    managed_labs = LabManager.objects.filter(user=user).values("lab_id") if user.has_role(Role.LAB_MANAGER) else []
    return Centre.objects.filter(Q(leads=user) | Q(lab_id__in=managed_labs)).values("pk")


def annual_returns_visible_to(user) -> QuerySet[AnnualReturn]:
    if not signed_in(user):
        return AnnualReturn.objects.none()
    qs = (AnnualReturn.objects
          .select_related("accreditation__scheme", "accreditation__centre", "accreditation__course__centre",
                          "submitted_by", "reviewed_by")
          .prefetch_related(Prefetch("accreditation__scheme__criteria", queryset=SchemeCriterion.objects.order_by("id")))
          .order_by("due_on", "id"))
    if user.has_role(Role.PROGRAMME_ADMIN):
        return qs
    centres = Q(pk__in=[])
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id:
        centres |= Q(region_id=user.region_id)
    centre_ids = Centre.objects.filter(centres | Q(pk__in=led_centre_ids(user))).values("pk")
    return qs.filter(Q(accreditation__centre__in=centre_ids) | Q(accreditation__course__centre__in=centre_ids))
