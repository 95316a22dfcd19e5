"""Writes of pathways: versions, modules, components and requirements."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from curriculum.models import (
    FROZEN_MESSAGE,
    Audience,
    Competency,
    Component,
    ComponentKind,
    Framework,
    LearningResource,
    Lifecycle,
    Module,
    Pathway,
    Requirement,
    RequirementType,
)
from curriculum.rules import params_of, validate_requirement
from curriculum.services.editing import (
    apply_changes,
    full_clean_or_400,
    locked,
    next_order,
    require_draft,
    require_editor,
    save_unique,
)
from curriculum.services.versioning import (
    current_version_of,
    version_new_draft,
    version_publish,
    version_require_copyable,
    version_require_draft_to_publish,
    version_retire,
)
from rastrack.audit.services import audit_record, audited, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict

FINAL_MODULE_TITLE = "Final sign-off"


FINAL_COMPONENT_TITLE = "Sign-off by an accredited trainer"


def _locked_pathway(pathway: Pathway) -> Pathway:
    return locked(Pathway, pathway.pk)


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
    require_editor(actor)
    _check_pathway_fields(audience=audience, framework=framework, duration_weeks=duration_weeks)
    pathway = Pathway(code=code, version=1, title=(title or "").strip(), audience=audience, framework=framework,
                      description=description or "", self_enrol=self_enrol, duration_weeks=duration_weeks)
    full_clean_or_400(pathway, exclude=["framework"])
    conflict = {"code": ["A pathway with this code exists: make a new version of it instead."]}
    if Pathway.objects.filter(code=code).exists():
        raise Conflict(errors=conflict)
    save_unique(pathway, conflict=conflict)
    pathway_ensure_final_signoff(pathway=pathway)
    audit_record(actor=actor, action="pathway.create", obj=pathway, after=snapshot(pathway))
    return pathway


@transaction.atomic
def pathway_update(*, actor, pathway: Pathway, **changes) -> Pathway:
    """Edit a draft; a published pathway may only open or close self-enrolment."""
    require_editor(actor)
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
        changed = apply_changes(pathway, changes, fields)
        full_clean_or_400(pathway, exclude=["framework"])
        if changed:
            pathway.save(update_fields=changed)
    return pathway


@transaction.atomic
def pathway_publish(*, actor, pathway: Pathway) -> Pathway:
    require_editor(actor)
    pathway = _locked_pathway(pathway)
    version_require_draft_to_publish(pathway)
    if pathway.framework.status != Lifecycle.PUBLISHED:
        raise Conflict(f"Publish its framework ({pathway.framework}) first: a pathway rests on published standards.")
    pathway_ensure_final_signoff(pathway=pathway)
    if not Requirement.objects.filter(component__module__pathway=pathway).exclude(
            type=RequirementType.FINAL_SIGNOFF).exists():
        raise ApplicationError("Add at least one module with a requirement before publishing.")
    return version_publish(actor=actor, version=pathway, action="pathway.publish",
                           supersede_action="pathway.retire_superseded")


@transaction.atomic
def pathway_retire(*, actor, pathway: Pathway) -> Pathway:
    """No new enrolments; live enrolments carry on to the end."""
    require_editor(actor)
    return version_retire(actor=actor, version=_locked_pathway(pathway), action="pathway.retire")


@transaction.atomic
def pathway_new_version(*, actor, pathway: Pathway, framework: Framework | None = None) -> Pathway:
    """Copy a published (or retired) pathway into a new draft, version + 1, optionally onto
    another framework version. Components keep their keys and competency requirements are
    re-pointed by competency key, so evidence recorded under the old version still counts."""
    require_editor(actor)
    source = _locked_pathway(pathway)
    version_require_copyable(source, what="pathway")
    # By default the copy rests on the current version of its standards: the one it came
    # from may have been superseded (and retired) since.
    target = framework or current_version_of(Framework, source.framework.code) or source.framework
    _check_pathway_fields(framework=target)
    requirements = list(Requirement.objects.filter(component__module__pathway=source).select_related("competency"))
    by_key = {c.key: c for c in Competency.objects.filter(framework=target)}
    missing = sorted({r.competency.key for r in requirements if r.competency_id and r.competency.key not in by_key})
    if missing:
        raise ApplicationError(errors={"framework": [
            f"{target} has no competency with the key {', '.join(missing)}, which this pathway signs off."]})
    copy = version_new_draft(source, what="pathway", title=source.title, audience=source.audience,
                             framework=target, description=source.description, self_enrol=source.self_enrol,
                             duration_weeks=source.duration_weeks)
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
            min_total=requirement.min_total, min_domain=requirement.min_domain, modes=requirement.modes,
            level=requirement.level, min_agreement=requirement.min_agreement,
            competency=by_key[requirement.competency.key] if requirement.competency_id else None,
            platform=requirement.platform, procedure_id=requirement.procedure_id,
            procedure_step_id=requirement.procedure_step_id,
            exercises=requirement.exercises, all_frs_tasks=requirement.all_frs_tasks,
            # A new version counts what the default counts: no typed score without a check.
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


def _draft_pathway_of_module(module: Module) -> Pathway:
    pathway = _locked_pathway(module.pathway)
    require_draft(pathway, "pathway")
    return pathway


@transaction.atomic
def module_create(*, actor, pathway: Pathway, title: str, description: str = "",
                  order: int | None = None) -> Module:
    require_editor(actor)
    pathway = _locked_pathway(pathway)
    require_draft(pathway, "pathway")
    siblings = Module.objects.filter(pathway=pathway, is_final=False)
    module = Module(pathway=pathway, title=(title or "").strip(), description=description or "",
                    order=order if order is not None else next_order(siblings))
    full_clean_or_400(module, exclude=["pathway"])
    conflict = {"order": [f"Another module of this pathway is number {module.order}."]}
    if siblings.filter(order=module.order).exists():
        raise Conflict(errors=conflict)
    save_unique(module, conflict=conflict)
    audit_record(actor=actor, action="module.create", obj=module, after=snapshot(module))
    return module


@transaction.atomic
def module_update(*, actor, module: Module, **changes) -> Module:
    require_editor(actor)
    module = locked(Module, module.pk)
    _draft_pathway_of_module(module)
    fields = ["title", "description"] if module.is_final else ["title", "description", "order"]
    with audited(actor=actor, action="module.update", instance=module, fields=["title", "description", "order"]):
        changed = apply_changes(module, changes, fields)
        full_clean_or_400(module, exclude=["pathway"])
        conflict = {"order": [f"Another module of this pathway is number {module.order}."]}
        if "order" in changed and Module.objects.filter(
                pathway_id=module.pathway_id, is_final=False, order=module.order).exclude(pk=module.pk).exists():
            raise Conflict(errors=conflict)
        if changed:
            save_unique(module, update_fields=changed, conflict=conflict)
    return module


@transaction.atomic
def module_delete(*, actor, module: Module) -> None:
    require_editor(actor)
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
    require_editor(actor)
    _draft_pathway_of_module(module)
    if module.is_final:
        raise ApplicationError(errors={"module": ["The final sign-off module holds only the final sign-off."]})
    _check_kind(kind)
    component = Component(module=module, title=(title or "").strip(), kind=kind, description=description or "",
                          order=order if order is not None else next_order(module.components.all()))
    full_clean_or_400(component, exclude=["module"])
    component.save()
    audit_record(actor=actor, action="component.create", obj=component, after=snapshot(component))
    return component


@transaction.atomic
def component_update(*, actor, component: Component, **changes) -> Component:
    require_editor(actor)
    component = locked(Component, component.pk)
    _draft_pathway_of_module(component.module)
    if component.kind == ComponentKind.FINAL_SIGNOFF:
        raise Conflict("The final sign-off component is made with the pathway and cannot be changed.")
    if "kind" in changes:
        _check_kind(changes["kind"])
    fields = ["title", "kind", "description", "order"]
    with audited(actor=actor, action="component.update", instance=component, fields=fields):
        changed = apply_changes(component, changes, fields)
        full_clean_or_400(component, exclude=["module"])
        if changed:
            component.save(update_fields=changed)
    return component


@transaction.atomic
def component_delete(*, actor, component: Component) -> None:
    require_editor(actor)
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
                       platform: str = "", procedure=None, procedure_step=None,
                       provenances=None) -> Requirement:
    """Add a requirement to a component of a draft pathway. Bad parameters: 400 per field
    (see curriculum/rules.py for each type's parameters)."""
    require_editor(actor)
    _draft_pathway_of_module(component.module)
    if component.kind == ComponentKind.FINAL_SIGNOFF:
        raise ApplicationError(errors={"component": [
            "The final sign-off component is made with the pathway; add requirements to another component."]})
    columns = validate_requirement(component=component, type=type, params=params, platform=platform,
                                   procedure=procedure, procedure_step=procedure_step, provenances=provenances)
    requirement = Requirement(component=component, type=type, **columns)
    requirement.save()
    audit_record(actor=actor, action="requirement.create", obj=requirement, after=snapshot(requirement))
    return requirement


_REQUIREMENT_FIELDS = ["type", "count", "hours", "score", "consecutive", "exercise", "tool", "min_total",
                       "min_domain", "modes", "level", "min_agreement",
                       "competency", "platform", "procedure", "procedure_step", "exercises", "all_frs_tasks",
                       "provenances"]


@transaction.atomic
def requirement_update(*, actor, requirement: Requirement, **changes) -> Requirement:
    """Change a requirement of a draft pathway: `type`, `params` (all of them, replacing the
    old ones; kept when omitted and the type is unchanged), `platform`, `procedure`,
    `procedure_step`."""
    require_editor(actor)
    requirement = locked(Requirement, requirement.pk)
    component = requirement.component
    _draft_pathway_of_module(component.module)
    if requirement.type == RequirementType.FINAL_SIGNOFF:
        raise Conflict("The final sign-off is part of every pathway and cannot be changed.")
    unknown = sorted(set(changes) - {"type", "params", "platform", "procedure", "procedure_step", "provenances"})
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
        provenances=changes.get("provenances", requirement.provenances),
    )
    with audited(actor=actor, action="requirement.update", instance=requirement, fields=_REQUIREMENT_FIELDS):
        requirement.type = type_
        for name, value in columns.items():
            setattr(requirement, name, value)
        requirement.save()
    return requirement


@transaction.atomic
def requirement_delete(*, actor, requirement: Requirement) -> None:
    require_editor(actor)
    _draft_pathway_of_module(requirement.component.module)
    if requirement.type == RequirementType.FINAL_SIGNOFF:
        raise Conflict("The final sign-off is part of every pathway; it cannot be removed.")
    before = snapshot(requirement)
    requirement.delete()
    audit_record(actor=actor, action="requirement.delete", object_type="curriculum.requirement",
                 object_id=before["id"], before=before)
