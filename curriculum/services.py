"""Writes of the curriculum: standards, pathways, enrolments, e-learning evidence, resources.

Every service runs in its own transaction, checks the caller's right (NotPermitted: 403),
the object's state (Conflict: 409) and its input (ApplicationError: 400 per field), and
writes its audit entry in the same transaction. Frameworks and pathways are edited only as
drafts; the models refuse edits to published ones again, whoever calls.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.text import slugify

from curriculum import policies
from curriculum.models import (
    FROZEN_MESSAGE,
    LIVE_ENROLMENT_STATUSES,
    Audience,
    Competency,
    Component,
    ComponentKind,
    Domain,
    ELearningCompletion,
    Enrolment,
    EnrolmentPause,
    EnrolmentStatus,
    Framework,
    LearningResource,
    Licence,
    Lifecycle,
    Module,
    Pathway,
    PauseKind,
    Requirement,
    RequirementType,
    ResourceAudience,
    ResourceFormat,
    ResourceStatus,
    ResourceSubmission,
    ResourceTopic,
    Standard,
    Topic,
)
from curriculum.normalise import normalise_url
from curriculum.rules import params_of, validate_requirement
from rastrack.accounts.roles import Role
from rastrack.audit.services import audit_record, audited, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.pii import validate_no_pii
from rastrack.notifications.services import notify

MAX_RESOURCES_PER_SUBMISSION = 3
FINAL_MODULE_TITLE = "Final sign-off"
FINAL_COMPONENT_TITLE = "Sign-off by an accredited trainer"

# --- Helpers ------------------------------------------------------------------------------


def _require_editor(actor) -> None:
    if not policies.can_edit_curriculum(actor):
        raise NotPermitted("Only programme admins edit standards and curriculum.")


def _require_draft(obj, what: str) -> None:
    if obj.status != Lifecycle.DRAFT:
        raise Conflict(FROZEN_MESSAGE.format(what=what))


def _locked(model, pk):
    """The row, locked for the rest of the transaction, with its current state."""
    return model.objects.select_for_update().get(pk=pk)


def _locked_framework(framework: Framework) -> Framework:
    return _locked(Framework, framework.pk)


def _locked_pathway(pathway: Pathway) -> Pathway:
    return _locked(Pathway, pathway.pk)


def _clean(instance, *, exclude: Iterable[str] = ()) -> None:
    """Field validation (lengths, choices, the PII guard) as per-field 400s."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError(errors={
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }) from None


def _pii_messages(text: str) -> list[str]:
    try:
        validate_no_pii(text)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _apply(instance, changes: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    allowed = set(allowed)
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ApplicationError(errors={name: ["This cannot be changed here."] for name in unknown})
    changed = []
    for name, value in changes.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _save_unique(instance, *, update_fields=None, conflict: dict[str, list[str]]) -> None:
    """Save; a unique constraint lost to a concurrent writer is the same 409 as the pre-check."""
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError:
        raise Conflict(errors=conflict) from None


def _next_order(queryset) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1


# --- Frameworks ---------------------------------------------------------------------------


@transaction.atomic
def framework_create(*, actor, code: str, title: str, description: str = "") -> Framework:
    _require_editor(actor)
    framework = Framework(code=code, title=(title or "").strip(), description=description or "", version=1)
    _clean(framework)
    conflict = {"code": ["A framework with this code exists: make a new version of it instead."]}
    if Framework.objects.filter(code=code).exists():
        raise Conflict(errors=conflict)
    _save_unique(framework, conflict=conflict)
    audit_record(actor=actor, action="framework.create", obj=framework, after=snapshot(framework))
    return framework


@transaction.atomic
def framework_update(*, actor, framework: Framework, **changes) -> Framework:
    _require_editor(actor)
    framework = _locked_framework(framework)
    _require_draft(framework, "framework")
    with audited(actor=actor, action="framework.update", instance=framework, fields=["title", "description"]):
        changed = _apply(framework, changes, {"title", "description"})
        _clean(framework)
        if changed:
            framework.save(update_fields=changed)
    return framework


@transaction.atomic
def framework_publish(*, actor, framework: Framework) -> Framework:
    _require_editor(actor)
    framework = _locked_framework(framework)
    if framework.status != Lifecycle.DRAFT:
        raise Conflict(f"Only a draft can be published; this version is {framework.status}.")
    if not Competency.objects.filter(framework=framework).exists():
        raise ApplicationError("Add at least one standard with a competency before publishing.")
    with audited(actor=actor, action="framework.publish", instance=framework,
                 fields=["status", "published_at"]):
        framework.status = Lifecycle.PUBLISHED
        framework.published_at = timezone.now()
        framework.save(update_fields=["status", "published_at"])
    return framework


def _retire(*, actor, version, action: str):
    """Published -> retired, audited: the same step for a framework and a pathway version."""
    if version.status != Lifecycle.PUBLISHED:
        raise Conflict(f"Only a published version can be retired; this one is {version.status}.")
    with audited(actor=actor, action=action, instance=version, fields=["status", "retired_at"]):
        version.status = Lifecycle.RETIRED
        version.retired_at = timezone.now()
        version.save(update_fields=["status", "retired_at"])
    return version


@transaction.atomic
def framework_retire(*, actor, framework: Framework) -> Framework:
    _require_editor(actor)
    return _retire(actor=actor, version=_locked_framework(framework), action="framework.retire")


@transaction.atomic
def framework_new_version(*, actor, framework: Framework) -> Framework:
    """Copy a published (or retired) version into a new draft, version + 1.

    Standards and competencies are copied with the same codes and the same competency keys,
    so evidence and sign-offs keyed on version 1 still count under version 2; resources
    mapped to a competency are mapped to its copy too.
    """
    _require_editor(actor)
    source = _locked_framework(framework)
    if source.status == Lifecycle.DRAFT:
        raise Conflict("This version is still a draft: edit it instead of copying it.")
    draft = Framework.objects.filter(code=source.code, status=Lifecycle.DRAFT).first()
    if draft is not None:
        raise Conflict(f"Version {draft.version} of this framework is already a draft: edit or publish it first.")
    version = (Framework.objects.filter(code=source.code).aggregate(m=Max("version"))["m"] or 0) + 1
    copy = Framework(code=source.code, version=version, title=source.title,
                     description=source.description, created_from=source)
    _save_unique(copy, conflict={"code": ["Another new version of this framework was just made."]})
    competency_map: dict[int, int] = {}
    for standard in Standard.objects.filter(framework=source).prefetch_related("competencies").order_by("id"):
        new_standard = Standard.objects.create(
            framework=copy, code=standard.code, title=standard.title, domain=standard.domain,
            description=standard.description, order=standard.order,
        )
        for competency in standard.competencies.all():
            new = Competency.objects.create(
                framework=copy, standard=new_standard, key=competency.key, code=competency.code,
                title=competency.title, descriptors=competency.descriptors, order=competency.order,
            )
            competency_map[competency.pk] = new.pk
    through = LearningResource.competencies.through
    through.objects.bulk_create([
        through(learningresource_id=row.learningresource_id, competency_id=competency_map[row.competency_id])
        for row in through.objects.filter(competency_id__in=list(competency_map))
    ])
    audit_record(actor=actor, action="framework.new_version", obj=copy, before=None,
                 after={**snapshot(copy), "competencies": len(competency_map)})
    return copy


# --- Standards and competencies ------------------------------------------------------------


def _check_domain(domain) -> None:
    if domain not in Domain.values:
        raise ApplicationError(errors={"domain": [f"Choose one of: {', '.join(Domain.values)}."]})


@transaction.atomic
def standard_create(*, actor, framework: Framework, code: str, title: str, domain: str,
                    description: str = "", order: int | None = None) -> Standard:
    _require_editor(actor)
    framework = _locked_framework(framework)
    _require_draft(framework, "framework")
    _check_domain(domain)
    standard = Standard(framework=framework, code=(code or "").strip(), title=(title or "").strip(),
                        domain=domain, description=description or "",
                        order=order if order is not None else _next_order(framework.standards.all()))
    _clean(standard, exclude=["framework"])
    conflict = {"code": [f"The code {standard.code} is already used in this framework."]}
    if Standard.objects.filter(framework=framework, code=standard.code).exists():
        raise Conflict(errors=conflict)
    _save_unique(standard, conflict=conflict)
    audit_record(actor=actor, action="standard.create", obj=standard, after=snapshot(standard))
    return standard


@transaction.atomic
def standard_update(*, actor, standard: Standard, **changes) -> Standard:
    _require_editor(actor)
    standard = _locked(Standard, standard.pk)
    _require_draft(_locked_framework(standard.framework), "framework")
    if "domain" in changes:
        _check_domain(changes["domain"])
    fields = ["code", "title", "domain", "description", "order"]
    with audited(actor=actor, action="standard.update", instance=standard, fields=fields):
        changed = _apply(standard, changes, fields)
        _clean(standard, exclude=["framework"])
        conflict = {"code": [f"The code {standard.code} is already used in this framework."]}
        if "code" in changed and Standard.objects.filter(
                framework_id=standard.framework_id, code=standard.code).exclude(pk=standard.pk).exists():
            raise Conflict(errors=conflict)
        if changed:
            _save_unique(standard, update_fields=changed, conflict=conflict)
    return standard


@transaction.atomic
def standard_delete(*, actor, standard: Standard) -> None:
    _require_editor(actor)
    _require_draft(_locked_framework(standard.framework), "framework")
    before = snapshot(standard)
    try:
        with transaction.atomic():
            Competency.objects.filter(standard=standard).delete()
            standard.delete()
    except ProtectedError:
        raise Conflict("A pathway requirement uses a competency of this standard: remove it first.") from None
    audit_record(actor=actor, action="standard.delete", object_type="curriculum.standard",
                 object_id=before["id"], before=before)


def _competency_conflicts(competency: Competency) -> dict[str, list[str]]:
    same = Competency.objects.filter(framework_id=competency.framework_id).exclude(pk=competency.pk)
    errors: dict[str, list[str]] = {}
    if same.filter(key=competency.key).exists():
        errors["key"] = [f"The key {competency.key} is already used in this framework."]
    if same.filter(code=competency.code).exists():
        errors["code"] = [f"The code {competency.code} is already used in this framework."]
    return errors


@transaction.atomic
def competency_create(*, actor, standard: Standard, code: str, title: str, descriptors: str = "",
                      key: str | None = None, order: int | None = None) -> Competency:
    _require_editor(actor)
    framework = _locked_framework(standard.framework)
    _require_draft(framework, "framework")
    title = (title or "").strip()
    competency = Competency(
        framework=framework, standard=standard, code=(code or "").strip(), title=title,
        key=key or slugify(title)[:80], descriptors=descriptors or "",
        order=order if order is not None else _next_order(standard.competencies.all()),
    )
    _clean(competency, exclude=["framework", "standard"])
    conflicts = _competency_conflicts(competency)
    if conflicts:
        raise Conflict(errors=conflicts)
    _save_unique(competency, conflict={"key": ["This key or code is already used in this framework."]})
    audit_record(actor=actor, action="competency.create", obj=competency, after=snapshot(competency))
    return competency


@transaction.atomic
def competency_update(*, actor, competency: Competency, **changes) -> Competency:
    _require_editor(actor)
    competency = _locked(Competency, competency.pk)
    _require_draft(_locked_framework(competency.framework), "framework")
    if "standard" in changes and changes["standard"].framework_id != competency.framework_id:
        raise ApplicationError(errors={"standard": ["Choose a standard of the same framework version."]})
    fields = ["standard", "key", "code", "title", "descriptors", "order"]
    with audited(actor=actor, action="competency.update", instance=competency, fields=fields):
        changed = _apply(competency, changes, fields)
        _clean(competency, exclude=["framework", "standard"])
        conflicts = _competency_conflicts(competency)
        if conflicts:
            raise Conflict(errors=conflicts)
        if changed:
            _save_unique(competency, update_fields=changed,
                         conflict={"key": ["This key or code is already used in this framework."]})
    return competency


@transaction.atomic
def competency_delete(*, actor, competency: Competency) -> None:
    _require_editor(actor)
    _require_draft(_locked_framework(competency.framework), "framework")
    before = snapshot(competency)
    try:
        with transaction.atomic():
            competency.delete()
    except ProtectedError:
        raise Conflict("A pathway requirement uses this competency: remove it first.") from None
    audit_record(actor=actor, action="competency.delete", object_type="curriculum.competency",
                 object_id=before["id"], before=before)


# --- Pathways ---------------------------------------------------------------------------------


def _check_pathway_fields(*, audience=None, framework=None, duration_weeks=None) -> None:
    errors: dict[str, list[str]] = {}
    if audience is not None and audience not in Audience.values:
        errors["audience"] = [f"Choose one of: {', '.join(Audience.values)}."]
    if framework is not None and framework.status == Lifecycle.RETIRED:
        errors["framework"] = ["This framework version is retired: choose a current one."]
    if duration_weeks is not None and not 1 <= duration_weeks <= 520:
        errors["duration_weeks"] = ["Enter a length from 1 to 520 weeks."]
    if errors:
        raise ApplicationError(errors=errors)


def pathway_ensure_final_signoff(*, pathway: Pathway) -> Requirement:
    """The pathway's final sign-off requirement, made if missing: the last requirement of
    every pathway, in a module of its own that always sorts last. Idempotent."""
    existing = Requirement.objects.filter(component__module__pathway=pathway, type=RequirementType.FINAL_SIGNOFF).first()
    if existing is not None:
        return existing
    module = Module.objects.filter(pathway=pathway, is_final=True).first()
    if module is None:
        module = Module(pathway=pathway, is_final=True, order=0, title=FINAL_MODULE_TITLE,
                        description="Once every other requirement is met, an accredited trainer "
                                    "signs off the whole pathway and a certificate is issued.")
        module.save()
    component = Component.objects.filter(module=module, kind=ComponentKind.FINAL_SIGNOFF).first()
    if component is None:
        component = Component.objects.create(module=module, order=1, title=FINAL_COMPONENT_TITLE,
                                             kind=ComponentKind.FINAL_SIGNOFF)
    return Requirement.objects.create(component=component, type=RequirementType.FINAL_SIGNOFF)


@transaction.atomic
def pathway_create(*, actor, code: str, title: str, audience: str, framework: Framework,
                   description: str = "", self_enrol: bool = False, duration_weeks: int = 52) -> Pathway:
    _require_editor(actor)
    _check_pathway_fields(audience=audience, framework=framework, duration_weeks=duration_weeks)
    pathway = Pathway(code=code, version=1, title=(title or "").strip(), audience=audience, framework=framework,
                      description=description or "", self_enrol=self_enrol, duration_weeks=duration_weeks)
    _clean(pathway, exclude=["framework"])
    conflict = {"code": ["A pathway with this code exists: make a new version of it instead."]}
    if Pathway.objects.filter(code=code).exists():
        raise Conflict(errors=conflict)
    _save_unique(pathway, conflict=conflict)
    pathway_ensure_final_signoff(pathway=pathway)
    audit_record(actor=actor, action="pathway.create", obj=pathway, after=snapshot(pathway))
    return pathway


@transaction.atomic
def pathway_update(*, actor, pathway: Pathway, **changes) -> Pathway:
    """Edit a draft; a published pathway may only open or close self-enrolment."""
    _require_editor(actor)
    pathway = _locked_pathway(pathway)
    fields = ["title", "audience", "framework", "description", "self_enrol", "duration_weeks"]
    if pathway.status != Lifecycle.DRAFT and set(changes) - {"self_enrol"}:
        raise Conflict(FROZEN_MESSAGE.format(what="pathway") + " (Only self-enrolment can still be opened or closed.)")
    _check_pathway_fields(audience=changes.get("audience"), framework=changes.get("framework"),
                          duration_weeks=changes.get("duration_weeks"))
    if "framework" in changes and changes["framework"].pk != pathway.framework_id and Requirement.objects.filter(
            component__module__pathway=pathway, competency__isnull=False).exists():
        raise ApplicationError(errors={"framework": [
            "Requirements of this pathway name competencies of its framework: make a new version "
            "of the pathway on the other framework instead."]})
    with audited(actor=actor, action="pathway.update", instance=pathway, fields=fields):
        changed = _apply(pathway, changes, fields)
        _clean(pathway, exclude=["framework"])
        if changed:
            pathway.save(update_fields=changed)
    return pathway


@transaction.atomic
def pathway_publish(*, actor, pathway: Pathway) -> Pathway:
    _require_editor(actor)
    pathway = _locked_pathway(pathway)
    if pathway.status != Lifecycle.DRAFT:
        raise Conflict(f"Only a draft can be published; this version is {pathway.status}.")
    if pathway.framework.status != Lifecycle.PUBLISHED:
        raise Conflict(f"Publish its framework ({pathway.framework}) first: a pathway rests on published standards.")
    pathway_ensure_final_signoff(pathway=pathway)
    if not Requirement.objects.filter(component__module__pathway=pathway).exclude(
            type=RequirementType.FINAL_SIGNOFF).exists():
        raise ApplicationError("Add at least one module with a requirement before publishing.")
    with audited(actor=actor, action="pathway.publish", instance=pathway, fields=["status", "published_at"]):
        pathway.status = Lifecycle.PUBLISHED
        pathway.published_at = timezone.now()
        pathway.save(update_fields=["status", "published_at"])
    return pathway


@transaction.atomic
def pathway_retire(*, actor, pathway: Pathway) -> Pathway:
    """No new enrolments; live enrolments carry on to the end."""
    _require_editor(actor)
    return _retire(actor=actor, version=_locked_pathway(pathway), action="pathway.retire")


@transaction.atomic
def pathway_new_version(*, actor, pathway: Pathway, framework: Framework | None = None) -> Pathway:
    """Copy a published (or retired) pathway into a new draft, version + 1, optionally onto
    another framework version. Components keep their keys and competency requirements are
    re-pointed by competency key, so evidence recorded under the old version still counts."""
    _require_editor(actor)
    source = _locked_pathway(pathway)
    if source.status == Lifecycle.DRAFT:
        raise Conflict("This version is still a draft: edit it instead of copying it.")
    draft = Pathway.objects.filter(code=source.code, status=Lifecycle.DRAFT).first()
    if draft is not None:
        raise Conflict(f"Version {draft.version} of this pathway is already a draft: edit or publish it first.")
    target = framework or source.framework
    _check_pathway_fields(framework=target)
    requirements = list(Requirement.objects.filter(component__module__pathway=source).select_related("competency"))
    by_key = {c.key: c for c in Competency.objects.filter(framework=target)}
    missing = sorted({r.competency.key for r in requirements if r.competency_id and r.competency.key not in by_key})
    if missing:
        raise ApplicationError(errors={"framework": [
            f"{target} has no competency with the key {', '.join(missing)}, which this pathway signs off."]})
    version = (Pathway.objects.filter(code=source.code).aggregate(m=Max("version"))["m"] or 0) + 1
    copy = Pathway(code=source.code, version=version, title=source.title, audience=source.audience,
                   framework=target, description=source.description, self_enrol=source.self_enrol,
                   duration_weeks=source.duration_weeks, created_from=source)
    _save_unique(copy, conflict={"code": ["Another new version of this pathway was just made."]})
    module_map: dict[int, Module] = {}
    component_map: dict[int, Component] = {}
    for module in Module.objects.filter(pathway=source).order_by("is_final", "order", "id"):
        module_map[module.pk] = Module.objects.create(
            pathway=copy, order=module.order, title=module.title, description=module.description,
            is_final=module.is_final)
    for component in Component.objects.filter(module__pathway=source).order_by("id"):
        component_map[component.pk] = Component.objects.create(
            module=module_map[component.module_id], key=component.key, order=component.order,
            title=component.title, kind=component.kind, description=component.description)
    for requirement in sorted(requirements, key=lambda r: r.pk):
        Requirement.objects.create(
            component=component_map[requirement.component_id], type=requirement.type,
            count=requirement.count, hours=requirement.hours, score=requirement.score,
            consecutive=requirement.consecutive, exercise=requirement.exercise, tool=requirement.tool,
            min_total=requirement.min_total,
            competency=by_key[requirement.competency.key] if requirement.competency_id else None,
            platform=requirement.platform, procedure_id=requirement.procedure_id,
            procedure_step_id=requirement.procedure_step_id,
        )
    pathway_ensure_final_signoff(pathway=copy)
    through = LearningResource.modules.through
    through.objects.bulk_create([
        through(learningresource_id=row.learningresource_id, module_id=module_map[row.module_id].pk)
        for row in through.objects.filter(module_id__in=list(module_map))
    ])
    audit_record(actor=actor, action="pathway.new_version", obj=copy,
                 after={**snapshot(copy), "modules": len(module_map), "requirements": len(requirements)})
    return copy


# --- Modules, components, requirements ------------------------------------------------------


def _draft_pathway_of_module(module: Module) -> Pathway:
    pathway = _locked_pathway(module.pathway)
    _require_draft(pathway, "pathway")
    return pathway


@transaction.atomic
def module_create(*, actor, pathway: Pathway, title: str, description: str = "",
                  order: int | None = None) -> Module:
    _require_editor(actor)
    pathway = _locked_pathway(pathway)
    _require_draft(pathway, "pathway")
    siblings = Module.objects.filter(pathway=pathway, is_final=False)
    module = Module(pathway=pathway, title=(title or "").strip(), description=description or "",
                    order=order if order is not None else _next_order(siblings))
    _clean(module, exclude=["pathway"])
    conflict = {"order": [f"Another module of this pathway is number {module.order}."]}
    if siblings.filter(order=module.order).exists():
        raise Conflict(errors=conflict)
    _save_unique(module, conflict=conflict)
    audit_record(actor=actor, action="module.create", obj=module, after=snapshot(module))
    return module


@transaction.atomic
def module_update(*, actor, module: Module, **changes) -> Module:
    _require_editor(actor)
    module = _locked(Module, module.pk)
    _draft_pathway_of_module(module)
    fields = ["title", "description"] if module.is_final else ["title", "description", "order"]
    with audited(actor=actor, action="module.update", instance=module, fields=["title", "description", "order"]):
        changed = _apply(module, changes, fields)
        _clean(module, exclude=["pathway"])
        conflict = {"order": [f"Another module of this pathway is number {module.order}."]}
        if "order" in changed and Module.objects.filter(
                pathway_id=module.pathway_id, is_final=False, order=module.order).exclude(pk=module.pk).exists():
            raise Conflict(errors=conflict)
        if changed:
            _save_unique(module, update_fields=changed, conflict=conflict)
    return module


@transaction.atomic
def module_delete(*, actor, module: Module) -> None:
    _require_editor(actor)
    _draft_pathway_of_module(module)
    if module.is_final:
        raise Conflict("The final sign-off module is part of every pathway; it cannot be removed.")
    before = snapshot(module)
    try:
        with transaction.atomic():
            Requirement.objects.filter(component__module=module).delete()
            Component.objects.filter(module=module).delete()
            module.delete()
    except ProtectedError:
        raise Conflict("Evidence has been recorded against this module: it cannot be removed.") from None
    audit_record(actor=actor, action="module.delete", object_type="curriculum.module",
                 object_id=before["id"], before=before)


def _check_kind(kind) -> None:
    if kind not in ComponentKind.values or kind == ComponentKind.FINAL_SIGNOFF:
        choices = [k for k in ComponentKind.values if k != ComponentKind.FINAL_SIGNOFF]
        message = ("The final sign-off comes with the pathway; choose another kind."
                   if kind == ComponentKind.FINAL_SIGNOFF else f"Choose one of: {', '.join(choices)}.")
        raise ApplicationError(errors={"kind": [message]})


@transaction.atomic
def component_create(*, actor, module: Module, title: str, kind: str, description: str = "",
                     order: int | None = None) -> Component:
    _require_editor(actor)
    _draft_pathway_of_module(module)
    if module.is_final:
        raise ApplicationError(errors={"module": ["The final sign-off module holds only the final sign-off."]})
    _check_kind(kind)
    component = Component(module=module, title=(title or "").strip(), kind=kind, description=description or "",
                          order=order if order is not None else _next_order(module.components.all()))
    _clean(component, exclude=["module"])
    component.save()
    audit_record(actor=actor, action="component.create", obj=component, after=snapshot(component))
    return component


@transaction.atomic
def component_update(*, actor, component: Component, **changes) -> Component:
    _require_editor(actor)
    component = _locked(Component, component.pk)
    _draft_pathway_of_module(component.module)
    if component.kind == ComponentKind.FINAL_SIGNOFF:
        raise Conflict("The final sign-off component is made with the pathway and cannot be changed.")
    if "kind" in changes:
        _check_kind(changes["kind"])
    fields = ["title", "kind", "description", "order"]
    with audited(actor=actor, action="component.update", instance=component, fields=fields):
        changed = _apply(component, changes, fields)
        _clean(component, exclude=["module"])
        if changed:
            component.save(update_fields=changed)
    return component


@transaction.atomic
def component_delete(*, actor, component: Component) -> None:
    _require_editor(actor)
    _draft_pathway_of_module(component.module)
    if component.kind == ComponentKind.FINAL_SIGNOFF:
        raise Conflict("The final sign-off is part of every pathway; it cannot be removed.")
    before = snapshot(component)
    try:
        with transaction.atomic():
            Requirement.objects.filter(component=component).delete()
            component.delete()
    except ProtectedError:
        raise Conflict("Evidence has been recorded against this component: it cannot be removed.") from None
    audit_record(actor=actor, action="component.delete", object_type="curriculum.component",
                 object_id=before["id"], before=before)


@transaction.atomic
def requirement_create(*, actor, component: Component, type: str, params: Mapping[str, Any] | None = None,
                       platform: str = "", procedure=None, procedure_step=None) -> Requirement:
    """Add a requirement to a component of a draft pathway. Bad parameters: 400 per field
    (see curriculum/rules.py for each type's parameters)."""
    _require_editor(actor)
    _draft_pathway_of_module(component.module)
    if component.kind == ComponentKind.FINAL_SIGNOFF:
        raise ApplicationError(errors={"component": [
            "The final sign-off component is made with the pathway; add requirements to another component."]})
    columns = validate_requirement(component=component, type=type, params=params, platform=platform,
                                   procedure=procedure, procedure_step=procedure_step)
    requirement = Requirement(component=component, type=type, **columns)
    requirement.save()
    audit_record(actor=actor, action="requirement.create", obj=requirement, after=snapshot(requirement))
    return requirement


_REQUIREMENT_FIELDS = ["type", "count", "hours", "score", "consecutive", "exercise", "tool", "min_total",
                       "competency", "platform", "procedure", "procedure_step"]


@transaction.atomic
def requirement_update(*, actor, requirement: Requirement, **changes) -> Requirement:
    """Change a requirement of a draft pathway: `type`, `params` (all of them, replacing the
    old ones; kept when omitted and the type is unchanged), `platform`, `procedure`,
    `procedure_step`."""
    _require_editor(actor)
    requirement = _locked(Requirement, requirement.pk)
    component = requirement.component
    _draft_pathway_of_module(component.module)
    if requirement.type == RequirementType.FINAL_SIGNOFF:
        raise Conflict("The final sign-off is part of every pathway and cannot be changed.")
    unknown = sorted(set(changes) - {"type", "params", "platform", "procedure", "procedure_step"})
    if unknown:
        raise ApplicationError(errors={name: ["This cannot be changed here."] for name in unknown})
    type_ = changes.get("type", requirement.type)
    if "params" in changes:
        params = changes["params"]
    elif type_ == requirement.type:
        params = {k: v for k, v in params_of(requirement).items() if v is not None and k != "competency"}
    else:
        params = {}
    columns = validate_requirement(
        component=component, type=type_, params=params,
        platform=changes.get("platform", requirement.platform),
        procedure=changes.get("procedure", requirement.procedure),
        procedure_step=changes.get("procedure_step", requirement.procedure_step),
    )
    with audited(actor=actor, action="requirement.update", instance=requirement, fields=_REQUIREMENT_FIELDS):
        requirement.type = type_
        for name, value in columns.items():
            setattr(requirement, name, value)
        requirement.save()
    return requirement


@transaction.atomic
def requirement_delete(*, actor, requirement: Requirement) -> None:
    _require_editor(actor)
    _draft_pathway_of_module(requirement.component.module)
    if requirement.type == RequirementType.FINAL_SIGNOFF:
        raise Conflict("The final sign-off is part of every pathway; it cannot be removed.")
    before = snapshot(requirement)
    requirement.delete()
    audit_record(actor=actor, action="requirement.delete", object_type="curriculum.requirement",
                 object_id=before["id"], before=before)


# --- Enrolments -------------------------------------------------------------------------------


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
    _save_unique(enrolment, conflict=conflict)
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
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why the training is paused."]
    elif _pii_messages(reason):
        errors["reason"] = _pii_messages(reason)
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
    reason = (reason or "").strip()
    if reason and _pii_messages(reason):
        raise ApplicationError(errors={"reason": _pii_messages(reason)})
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
    included). [Sign-off] calls this, in its own transaction, when it approves the final
    sign-off; who may do that is its rule, so this checks the state only."""
    from curriculum.progress import progress_for

    enrolment = _locked_enrolment(enrolment)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise Conflict(f"Only an active enrolment can be completed; this one is {enrolment.status}.")
    progress = progress_for(enrolment)
    if not progress.complete:
        raise Conflict(f"{progress.met_count} of {progress.total} requirements are met: "
                       "every one must be, the final sign-off included.")
    before = _enrolment_snapshot(enrolment)
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.completed_on = on or timezone.localdate()
    enrolment.save(update_fields=["status", "completed_on"])
    audit_record(actor=actor, action="enrolment.complete", obj=enrolment, before=before,
                 after=_enrolment_snapshot(enrolment))
    return enrolment


# --- E-learning evidence --------------------------------------------------------------------


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
    provider = (provider or "").strip()
    if not provider:
        errors["provider"] = ["Say who provided the e-learning (for example the platform's maker or e-LfH)."]
    elif len(provider) > 200:
        errors["provider"] = ["Use at most 200 characters."]
    elif _pii_messages(provider):
        errors["provider"] = _pii_messages(provider)
    if certificate is not None and certificate.owner_id != trainee.pk:
        errors["certificate"] = ["This document is not on your record: upload your own certificate."]
    if errors:
        raise ApplicationError(errors=errors)
    conflict = {"completed_on": ["You have already recorded this e-learning on this date."]}
    if ELearningCompletion.objects.filter(trainee=trainee, component=component, completed_on=completed_on).exists():
        raise Conflict(errors=conflict)
    completion = ELearningCompletion(trainee=trainee, component=component, completed_on=completed_on,
                                     provider=provider, certificate=certificate)
    _save_unique(completion, conflict=conflict)
    audit_record(actor=trainee, action="elearning.record", obj=completion, after=snapshot(completion))
    return completion


def elearning_record_with_upload(*, trainee, component: Component, completed_on: datetime.date, provider: str,
                                 certificate_file=None) -> ELearningCompletion:
    """The web form's version: upload the certificate (if any) and record, as one step.

    Files are not part of the database transaction: when recording is refused after the
    upload, the stored file is removed so that no orphan is left behind.
    """
    from rastrack.core.documents import document_upload

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


# --- Learning resources ---------------------------------------------------------------------

_url_validator = URLValidator(schemes=["http", "https"])


def _resource_item_errors(item: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def text(name: str, label: str, limit: int | None, *, pii: bool = False) -> None:
        value = item.get(name)
        value = value.strip() if isinstance(value, str) else ""
        if not value:
            errors[name] = [f"Enter the {label}."]
        elif limit and len(value) > limit:
            errors[name] = [f"Use at most {limit} characters."]
        elif pii and _pii_messages(value):
            errors[name] = _pii_messages(value)
        clean[name] = value

    text("title", "title", 200)
    text("provider", "provider (who publishes it)", 200, pii=True)
    text("description", "description", 2000, pii=True)
    url = item.get("url")
    url = url.strip() if isinstance(url, str) else ""
    clean["url"] = url
    if not url:
        errors["url"] = ["Enter the resource's web address (http or https)."]
    else:
        try:
            if len(url) > 500:
                raise ValidationError("too long")
            _url_validator(url)
            clean["normalised_url"] = normalise_url(url)
        except (ValidationError, ValueError):
            errors["url"] = ["Enter a full web address starting with http:// or https:// (at most 500 characters)."]
    for name, choices, label in (("format", ResourceFormat, "format"), ("audience", ResourceAudience, "audience"),
                                 ("licence", Licence, "licence")):
        value = item.get(name)
        if value not in choices.values:
            errors[name] = [f"Choose the {label}: one of {', '.join(choices.values)}."]
        clean[name] = value
    topics = item.get("topics") or []
    if isinstance(topics, str):
        topics = [topics]
    unknown = [t for t in topics if t not in Topic.values]
    if unknown:
        errors["topics"] = [f"Unknown topic: {', '.join(map(str, unknown))}."]
    clean["topics"] = sorted(set(topics) - set(unknown))
    if item.get("open_access_confirmed") is not True:
        errors["open_access_confirmed"] = [
            "Confirm that the resource is free and open to access: the catalogue lists only such material."]
    return clean, errors


def _items_error(exc_class, message: str, per_item: list[dict[str, list[str]]]):
    # Errors per item, in the order sent: {"items": [{}, {"url": ["..."]}, ...]}.
    return exc_class(message, errors={"items": per_item})


@transaction.atomic
def resource_submit(*, submitted_by, items: Sequence[Mapping[str, Any]]) -> ResourceSubmission:
    """Submit one to three learning resources for moderation.

    0 or more than 3 items: 400 on `items`. Invalid items: 400 with per-item errors. A URL
    already in the catalogue (pending or approved, after normalisation) or twice in the
    submission: 409 with a `url` message naming the existing resource.
    """
    if not policies.can_submit_resources(submitted_by):
        raise NotPermitted("Sign in to submit resources.")
    items = list(items or [])
    if not items:
        raise ApplicationError(errors={"items": ["Add at least one resource (up to three per submission)."]})
    if len(items) > MAX_RESOURCES_PER_SUBMISSION:
        raise ApplicationError(errors={"items": [
            f"Submit at most {MAX_RESOURCES_PER_SUBMISSION} resources at a time; this submission has {len(items)}."]})
    cleaned, per_item = zip(*(_resource_item_errors(item) for item in items), strict=True)
    if any(per_item):
        raise _items_error(ApplicationError, "Some resources need correcting.", list(per_item))

    from curriculum.selectors import resources_in_catalogue_with_url

    existing = resources_in_catalogue_with_url(c["normalised_url"] for c in cleaned)
    duplicates: list[dict[str, list[str]]] = [{} for _ in cleaned]
    seen: dict[str, int] = {}
    for index, item in enumerate(cleaned):
        url = item["normalised_url"]
        if url in existing:
            found = existing[url]
            duplicates[index] = {"url": [
                f"Already in the catalogue: “{found.title}” (resource {found.pk}, "
                f"{found.get_status_display().lower()})."]}
        elif url in seen:
            duplicates[index] = {"url": [f"The same resource as item {seen[url] + 1} of this submission."]}
        seen.setdefault(url, index)
    if any(duplicates):
        raise _items_error(Conflict, "Some resources are already in the catalogue.", duplicates)

    submission = ResourceSubmission.objects.create(submitted_by=submitted_by)
    created = []
    try:
        with transaction.atomic():
            for item in cleaned:
                topics = item.pop("topics")
                resource = LearningResource.objects.create(submission=submission, open_access_confirmed=True, **item)
                ResourceTopic.objects.bulk_create([ResourceTopic(resource=resource, topic=t) for t in topics])
                created.append(resource)
    except IntegrityError:
        # Someone submitted the same URL a moment ago: the database's unique index caught it.
        raise Conflict(errors={"url": ["This resource was submitted by someone else a moment ago."]}) from None
    audit_record(actor=submitted_by, action="resource.submit", obj=submission,
                 after={"items": [{"id": r.pk, "title": r.title, "url": r.url} for r in created]})
    return submission


def _locked_resource(resource: LearningResource) -> LearningResource:
    return (LearningResource.objects.select_for_update().select_related("submission__submitted_by")
            .get(pk=resource.pk))


def _require_moderator(actor) -> None:
    if not policies.can_moderate_resources(actor):
        raise NotPermitted("Only programme admins moderate learning resources.")


_MODERATION_FIELDS = ["status", "moderated_by", "moderated_at", "rejection_reason"]


@transaction.atomic
def resource_approve(*, actor, resource: LearningResource) -> LearningResource:
    _require_moderator(actor)
    resource = _locked_resource(resource)
    if resource.status != ResourceStatus.PENDING:
        raise Conflict(f"This resource has already been {resource.status}.")
    with audited(actor=actor, action="resource.approve", instance=resource, fields=_MODERATION_FIELDS):
        resource.status = ResourceStatus.APPROVED
        resource.moderated_by, resource.moderated_at = actor, timezone.now()
        resource.save(update_fields=["status", "moderated_by", "moderated_at"])
    notify(recipient=resource.submission.submitted_by, kind="resource.approved",
           subject=f"Your resource “{resource.title}” is in the catalogue",
           body=f"Thank you: “{resource.title}” was approved and is now in the learning resource catalogue.",
           key=f"resource.decided:{resource.pk}", link="/curriculum/resources/")
    return resource


@transaction.atomic
def resource_reject(*, actor, resource: LearningResource, reason: str) -> LearningResource:
    _require_moderator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(errors={"reason": ["Say why the resource is rejected: the submitter will read it."]})
    if _pii_messages(reason):
        raise ApplicationError(errors={"reason": _pii_messages(reason)})
    resource = _locked_resource(resource)
    if resource.status != ResourceStatus.PENDING:
        raise Conflict(f"This resource has already been {resource.status}.")
    with audited(actor=actor, action="resource.reject", instance=resource, fields=_MODERATION_FIELDS):
        resource.status = ResourceStatus.REJECTED
        resource.rejection_reason = reason
        resource.moderated_by, resource.moderated_at = actor, timezone.now()
        resource.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at"])
    notify(recipient=resource.submission.submitted_by, kind="resource.rejected",
           subject=f"Your resource “{resource.title}” was not added",
           body=f"“{resource.title}” was not added to the catalogue: {reason}",
           key=f"resource.decided:{resource.pk}", link="/curriculum/resources/")
    return resource


@transaction.atomic
def resource_map(*, actor, resource: LearningResource, modules: Iterable[Module] | None = None,
                 competencies: Iterable[Competency] | None = None) -> LearningResource:
    """Map a resource to modules and competencies (replacing the mapping given; None keeps it)."""
    _require_moderator(actor)
    resource = _locked_resource(resource)
    before = {"modules": sorted(resource.modules.values_list("pk", flat=True)),
              "competencies": sorted(resource.competencies.values_list("pk", flat=True))}
    if modules is not None:
        resource.modules.set(list(modules))
    if competencies is not None:
        resource.competencies.set(list(competencies))
    after = {"modules": sorted(resource.modules.values_list("pk", flat=True)),
             "competencies": sorted(resource.competencies.values_list("pk", flat=True))}
    audit_record(actor=actor, action="resource.map", obj=resource, before=before, after=after)
    return resource
