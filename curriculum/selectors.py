"""Reads, scoped to what the caller may see (`<things>_visible_to(user)`).

Published and retired material is read by everyone signed in; drafts by programme admins
only (others: 404). Enrolments and e-learning evidence: the trainee's own, a regional lead's
trainees (by the trainee's current region), a trainer's supervised trainees, and everything
for a programme admin.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from curriculum.models import (
    Competency,
    Component,
    ELearningCompletion,
    Enrolment,
    EnrolmentStatus,
    Framework,
    LearningResource,
    Lifecycle,
    Module,
    Pathway,
    Requirement,
    ResourceStatus,
    Standard,
)
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.accounts.trainee_scope import scoped
from rastrack.core.permissions import signed_in

_REQUIREMENT_RELATED = ("competency", "procedure", "procedure_step", "procedure_step__procedure")



def _is_admin(user) -> bool:
    return signed_in(user) and user.has_role(Role.PROGRAMME_ADMIN)


# --- Standards --------------------------------------------------------------------------------


def frameworks_visible_to(user) -> QuerySet[Framework]:
    qs = Framework.objects.order_by("code", "-version")
    if not signed_in(user):
        return qs.none()
    return qs if _is_admin(user) else qs.exclude(status=Lifecycle.DRAFT)


def standards_visible_to(user) -> QuerySet[Standard]:
    qs = (Standard.objects.select_related("framework")
          .prefetch_related(Prefetch("competencies", queryset=Competency.objects.order_by("order", "code")))
          .order_by("framework_id", "order", "code"))
    if not signed_in(user):
        return qs.none()
    return qs if _is_admin(user) else qs.exclude(framework__status=Lifecycle.DRAFT)


def competencies_visible_to(user) -> QuerySet[Competency]:
    qs = Competency.objects.select_related("framework", "standard").order_by(
        "framework_id", "standard__order", "order", "code")
    if not signed_in(user):
        return qs.none()
    return qs if _is_admin(user) else qs.exclude(framework__status=Lifecycle.DRAFT)


# --- Pathways --------------------------------------------------------------------------------


def _requirements_qs() -> QuerySet[Requirement]:
    return Requirement.objects.select_related(*_REQUIREMENT_RELATED).order_by("id")


def _components_qs() -> QuerySet[Component]:
    return Component.objects.prefetch_related(
        Prefetch("requirements", queryset=_requirements_qs())
    ).order_by("order", "id")


def pathways_visible_to(user) -> QuerySet[Pathway]:
    qs = (Pathway.objects.select_related("framework")
          .prefetch_related(Prefetch("modules", queryset=Module.objects.order_by("is_final", "order", "id")))
          .order_by("title", "-version", "id"))
    if not signed_in(user):
        return qs.none()
    return qs if _is_admin(user) else qs.exclude(status=Lifecycle.DRAFT)


def pathway_with_structure(queryset: QuerySet[Pathway]) -> QuerySet[Pathway]:
    """Modules, components and requirements in a few more queries, whatever the size."""
    return queryset.prefetch_related(None).prefetch_related(
        Prefetch("modules", queryset=Module.objects.order_by("is_final", "order", "id").prefetch_related(
            Prefetch("components", queryset=_components_qs()),
            Prefetch("resources", queryset=LearningResource.objects.filter(status=ResourceStatus.APPROVED)),
        ))
    )


def modules_visible_to(user) -> QuerySet[Module]:
    qs = (Module.objects.select_related("pathway", "pathway__framework")
          .prefetch_related(Prefetch("components", queryset=_components_qs()))
          .order_by("pathway_id", "is_final", "order", "id"))
    if not signed_in(user):
        return qs.none()
    return qs if _is_admin(user) else qs.exclude(pathway__status=Lifecycle.DRAFT)


def components_visible_to(user) -> QuerySet[Component]:
    qs = (Component.objects.select_related("module", "module__pathway")
          .prefetch_related(Prefetch("requirements", queryset=_requirements_qs()))
          .order_by("module__pathway_id", "module__is_final", "module__order", "order", "id"))
    if not signed_in(user):
        return qs.none()
    return qs if _is_admin(user) else qs.exclude(module__pathway__status=Lifecycle.DRAFT)


def requirements_visible_to(user) -> QuerySet[Requirement]:
    qs = Requirement.objects.select_related(
        "component", "component__module", *_REQUIREMENT_RELATED
    ).order_by("component__module__pathway_id", "component__module__is_final", "component__module__order",
               "component__order", "component_id", "id")
    if not signed_in(user):
        return qs.none()
    return qs if _is_admin(user) else qs.exclude(component__module__pathway__status=Lifecycle.DRAFT)


def requirements_of_pathway(pathway_id: int) -> list[Requirement]:
    """Every requirement of a pathway in pathway order (the final sign-off last), one query."""
    return list(
        Requirement.objects.filter(component__module__pathway_id=pathway_id)
        .select_related("component", "component__module", "component__module__pathway", *_REQUIREMENT_RELATED)
        .order_by("component__module__is_final", "component__module__order", "component__module_id",
                  "component__order", "component_id", "id")
    )


def final_requirement_of(pathway) -> Requirement | None:
    """The pathway's final sign-off requirement (what sign-off approves for a whole pathway)."""
    return (Requirement.objects.select_related("component", "component__module")
            .filter(component__module__pathway=pathway, type="final_signoff").first())


# --- Enrolments ------------------------------------------------------------------------------


def enrolments_visible_to(user) -> QuerySet[Enrolment]:
    qs = (Enrolment.objects.select_related("trainee", "pathway", "pathway__framework", "enrolled_by")
          .prefetch_related("pauses")
          .order_by("-enrolled_on", "-id"))
    if not signed_in(user):
        return qs.none()
    return scoped(qs, user)


def active_enrolments_of(trainee) -> QuerySet[Enrolment]:
    """The trainee's active enrolments (not paused, completed or withdrawn), for other apps."""
    return (Enrolment.objects.select_related("pathway", "pathway__framework")
            .filter(trainee=trainee, status=EnrolmentStatus.ACTIVE)
            .order_by("enrolled_on", "id"))


def live_enrolments_of(trainee) -> QuerySet[Enrolment]:
    """Active or paused."""
    return (Enrolment.objects.select_related("pathway")
            .filter(trainee=trainee, status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED])
            .order_by("enrolled_on", "id"))


def trainees_enrollable_by(user) -> QuerySet[User]:
    """Trainees a lead (own region now) or programme admin (all) may enrol."""
    qs = User.objects.filter(groups__name=Role.TRAINEE, is_active=True).order_by("full_name", "id")
    if not signed_in(user):
        return qs.none()
    if user.has_role(Role.PROGRAMME_ADMIN):
        return qs
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id:
        return qs.filter(region_id=user.region_id)
    return qs.none()


# --- E-learning evidence ---------------------------------------------------------------------


def elearning_completions_visible_to(user) -> QuerySet[ELearningCompletion]:
    qs = (ELearningCompletion.objects.select_related("trainee", "component", "component__module",
                                                     "component__module__pathway", "certificate", "verified_by")
          .order_by("-completed_on", "-id"))
    if not signed_in(user):
        return qs.none()
    return scoped(qs, user)


def elearning_components_for(trainee) -> QuerySet[Component]:
    """E-learning components of the pathways the trainee is enrolled on (active or paused)."""
    return (Component.objects.select_related("module", "module__pathway")
            .filter(kind="e_learning", module__pathway__status=Lifecycle.PUBLISHED,
                    module__pathway__enrolments__trainee=trainee,
                    module__pathway__enrolments__status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED])
            .distinct().order_by("module__pathway__title", "module__order", "order", "id"))


# --- Learning resources ----------------------------------------------------------------------


def _resources_qs() -> QuerySet[LearningResource]:
    return (LearningResource.objects.select_related("submission", "submission__submitted_by", "moderated_by")
            .prefetch_related("topics", "modules", "competencies"))


def resources_visible_to(user) -> QuerySet[LearningResource]:
    """Approved resources for everyone signed in; pending and rejected ones for programme
    admins and for the person who submitted them."""
    qs = _resources_qs().order_by("title", "id")
    if not signed_in(user):
        return qs.none()
    if _is_admin(user):
        return qs
    return qs.filter(Q(status=ResourceStatus.APPROVED) | Q(submission__submitted_by=user))


def resource_catalogue() -> QuerySet[LearningResource]:
    """Approved resources only: what the catalogue page lists and searches."""
    return _resources_qs().filter(status=ResourceStatus.APPROVED).order_by("title", "id")


def moderation_queue() -> QuerySet[LearningResource]:
    """Pending resources, oldest first (programme admins)."""
    return _resources_qs().filter(status=ResourceStatus.PENDING).order_by("created_at", "id")


def resources_in_catalogue_with_url(normalised_urls) -> dict[str, LearningResource]:
    """Pending or approved resources by normalised URL (the duplicate check)."""
    rows = LearningResource.objects.filter(
        normalised_url__in=list(normalised_urls),
        status__in=[ResourceStatus.PENDING, ResourceStatus.APPROVED],
    )
    return {row.normalised_url: row for row in rows}
