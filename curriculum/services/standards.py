"""Writes of the standards framework: versions, standards and competencies."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from curriculum.models import (
    Competency,
    Domain,
    Framework,
    LearningResource,
    Standard,
)
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
    version_new_draft,
    version_publish,
    version_require_copyable,
    version_require_draft_to_publish,
    version_retire,
)
from rastrack.audit.services import audit_record, audited, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict


def _locked_framework(framework: Framework) -> Framework:
    return locked(Framework, framework.pk)


@transaction.atomic
def framework_create(*, actor, code: str, title: str, description: str = "") -> Framework:
    require_editor(actor)
    framework = Framework(code=code, title=(title or "").strip(), description=description or "", version=1)
    full_clean_or_400(framework)
    conflict = {"code": ["A framework with this code exists: make a new version of it instead."]}
    if Framework.objects.filter(code=code).exists():
        raise Conflict(errors=conflict)
    save_unique(framework, conflict=conflict)
    audit_record(actor=actor, action="framework.create", obj=framework, after=snapshot(framework))
    return framework


@transaction.atomic
def framework_update(*, actor, framework: Framework, **changes) -> Framework:
    require_editor(actor)
    framework = _locked_framework(framework)
    require_draft(framework, "framework")
    with audited(actor=actor, action="framework.update", instance=framework, fields=["title", "description"]):
        changed = apply_changes(framework, changes, {"title", "description"})
        full_clean_or_400(framework)
        if changed:
            framework.save(update_fields=changed)
    return framework


@transaction.atomic
def framework_publish(*, actor, framework: Framework) -> Framework:
    require_editor(actor)
    framework = _locked_framework(framework)
    version_require_draft_to_publish(framework)
    if not Competency.objects.filter(framework=framework).exists():
        raise ApplicationError("Add at least one standard with a competency before publishing.")
    return version_publish(actor=actor, version=framework, action="framework.publish",
                           supersede_action="framework.retire_superseded")


@transaction.atomic
def framework_retire(*, actor, framework: Framework) -> Framework:
    require_editor(actor)
    return version_retire(actor=actor, version=_locked_framework(framework), action="framework.retire")


@transaction.atomic
def framework_new_version(*, actor, framework: Framework) -> Framework:
    """Copy a published (or retired) version into a new draft, version + 1.

    Standards and competencies are copied with the same codes and the same competency keys,
    so evidence and sign-offs keyed on version 1 still count under version 2; resources
    mapped to a competency are mapped to its copy too.
    """
    require_editor(actor)
    source = _locked_framework(framework)
    version_require_copyable(source, what="framework")
    copy = version_new_draft(source, what="framework", title=source.title, description=source.description)
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
                setting=competency.setting,
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


def _check_domain(domain) -> None:
    if domain not in Domain.values:
        raise ApplicationError(errors={"domain": [f"Choose one of: {', '.join(Domain.values)}."]})


@transaction.atomic
def standard_create(*, actor, framework: Framework, code: str, title: str, domain: str,
                    description: str = "", order: int | None = None) -> Standard:
    require_editor(actor)
    framework = _locked_framework(framework)
    require_draft(framework, "framework")
    _check_domain(domain)
    standard = Standard(framework=framework, code=(code or "").strip(), title=(title or "").strip(),
                        domain=domain, description=description or "",
                        order=order if order is not None else next_order(framework.standards.all()))
    full_clean_or_400(standard, exclude=["framework"])
    conflict = {"code": [f"The code {standard.code} is already used in this framework."]}
    if Standard.objects.filter(framework=framework, code=standard.code).exists():
        raise Conflict(errors=conflict)
    save_unique(standard, conflict=conflict)
    audit_record(actor=actor, action="standard.create", obj=standard, after=snapshot(standard))
    return standard


@transaction.atomic
def standard_update(*, actor, standard: Standard, **changes) -> Standard:
    require_editor(actor)
    standard = locked(Standard, standard.pk)
    require_draft(_locked_framework(standard.framework), "framework")
    if "domain" in changes:
        _check_domain(changes["domain"])
    fields = ["code", "title", "domain", "description", "order"]
    with audited(actor=actor, action="standard.update", instance=standard, fields=fields):
        changed = apply_changes(standard, changes, fields)
        full_clean_or_400(standard, exclude=["framework"])
        conflict = {"code": [f"The code {standard.code} is already used in this framework."]}
        if "code" in changed and Standard.objects.filter(
                framework_id=standard.framework_id, code=standard.code).exclude(pk=standard.pk).exists():
            raise Conflict(errors=conflict)
        if changed:
            save_unique(standard, update_fields=changed, conflict=conflict)
    return standard


@transaction.atomic
def standard_delete(*, actor, standard: Standard) -> None:
    require_editor(actor)
    require_draft(_locked_framework(standard.framework), "framework")
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
                      key: str | None = None, order: int | None = None, setting: str = "general") -> Competency:
    require_editor(actor)
    framework = _locked_framework(standard.framework)
    require_draft(framework, "framework")
    title = (title or "").strip()
    competency = Competency(
        framework=framework, standard=standard, code=(code or "").strip(), title=title,
        key=key or slugify(title)[:80], descriptors=descriptors or "", setting=setting,
        order=order if order is not None else next_order(standard.competencies.all()),
    )
    full_clean_or_400(competency, exclude=["framework", "standard"])
    conflicts = _competency_conflicts(competency)
    if conflicts:
        raise Conflict(errors=conflicts)
    save_unique(competency, conflict={"key": ["This key or code is already used in this framework."]})
    audit_record(actor=actor, action="competency.create", obj=competency, after=snapshot(competency))
    return competency


@transaction.atomic
def competency_update(*, actor, competency: Competency, **changes) -> Competency:
    require_editor(actor)
    competency = locked(Competency, competency.pk)
    require_draft(_locked_framework(competency.framework), "framework")
    if "standard" in changes and changes["standard"].framework_id != competency.framework_id:
        raise ApplicationError(errors={"standard": ["Choose a standard of the same framework version."]})
    fields = ["standard", "key", "code", "title", "descriptors", "order", "setting"]
    with audited(actor=actor, action="competency.update", instance=competency, fields=fields):
        changed = apply_changes(competency, changes, fields)
        full_clean_or_400(competency, exclude=["framework", "standard"])
        conflicts = _competency_conflicts(competency)
        if conflicts:
            raise Conflict(errors=conflicts)
        if changed:
            save_unique(competency, update_fields=changed,
                         conflict={"key": ["This key or code is already used in this framework."]})
    return competency


@transaction.atomic
def competency_delete(*, actor, competency: Competency) -> None:
    require_editor(actor)
    require_draft(_locked_framework(competency.framework), "framework")
    before = snapshot(competency)
    try:
        with transaction.atomic():
            competency.delete()
    except ProtectedError:
        raise Conflict("A pathway requirement uses this competency: remove it first.") from None
    audit_record(actor=actor, action="competency.delete", object_type="curriculum.competency",
                 object_id=before["id"], before=before)
