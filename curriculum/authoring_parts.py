"""Editing the contents of a draft version on pages: the standards and competencies of a
framework version; the modules, components and requirements of a pathway version.

Every write goes through the curriculum services (the editor check, the freeze of
published versions, the audit entry); a refusal is shown at the top of the form's page.
One table (PARTS) says, per kind of part, its form, its parent and its services, so that
add, change and remove are written once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from curriculum import policies, selectors, services
from curriculum.authoring_forms import CompetencyForm, ComponentForm, ModuleForm, StandardForm
from curriculum.models import (
    Competency,
    Component,
    Framework,
    Lifecycle,
    Module,
    Pathway,
    Requirement,
    Standard,
)
from curriculum.requirement_forms import ALIASES, REQUIREMENT_FORMS, RequirementTypeForm
from rastrack.core.exceptions import ApplicationError
from rastrack.core.forms import add_errors, form_status
from rastrack.core.permissions import get_visible_or_404, require


def require_editor(request) -> None:
    require(policies.can_edit_curriculum(request.user), "Only programme admins edit the curriculum.")


@dataclass(frozen=True)
class Part:
    what: str
    model: type
    parent_model: type
    form: Callable[..., Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    version_of: Callable[[Any], Any]  # the framework or pathway version a part belongs to
    initial: tuple[str, ...]


def _framework_form(version):
    return lambda *args, **kwargs: CompetencyForm(*args, framework=version, **kwargs)


def _no_key(data: dict) -> dict:
    return {**data, "key": data.get("key") or None}


PARTS: dict[str, Part] = {
    "standard": Part(
        "standard", Standard, Framework, lambda version: StandardForm,
        create=lambda actor, parent, data: services.standard_create(actor=actor, framework=parent, **data),
        update=lambda actor, obj, data: services.standard_update(actor=actor, standard=obj, **data),
        delete=lambda actor, obj: services.standard_delete(actor=actor, standard=obj),
        version_of=lambda obj: obj.framework, initial=("code", "title", "domain", "description")),
    "competency": Part(
        "competency", Competency, Framework, _framework_form,
        create=lambda actor, parent, data: services.competency_create(actor=actor, **_no_key(data)),
        update=lambda actor, obj, data: services.competency_update(
            actor=actor, competency=obj, **{k: v for k, v in data.items() if k != "key" or v}),
        delete=lambda actor, obj: services.competency_delete(actor=actor, competency=obj),
        version_of=lambda obj: obj.framework,
        initial=("standard", "code", "title", "key", "setting", "descriptors")),
    "module": Part(
        "module", Module, Pathway, lambda version: ModuleForm,
        create=lambda actor, parent, data: services.module_create(actor=actor, pathway=parent, **data),
        update=lambda actor, obj, data: services.module_update(actor=actor, module=obj, **data),
        delete=lambda actor, obj: services.module_delete(actor=actor, module=obj),
        version_of=lambda obj: obj.pathway, initial=("title", "description")),
    "component": Part(
        "component", Component, Module, lambda version: ComponentForm,
        create=lambda actor, parent, data: services.component_create(actor=actor, module=parent, **data),
        update=lambda actor, obj, data: services.component_update(actor=actor, component=obj, **data),
        delete=lambda actor, obj: services.component_delete(actor=actor, component=obj),
        version_of=lambda obj: obj.module.pathway, initial=("title", "kind", "description")),
}


def contents_url(version) -> str:
    kind = "framework" if isinstance(version, Framework) else "pathway"
    return reverse("curriculum:contents", kwargs={"kind": kind, "pk": version.pk})


def _version_of_parent(parent):
    return parent if isinstance(parent, Framework | Pathway) else parent.pathway


@login_required
def contents(request, kind: str, pk: int):
    """What a version holds, with change links while it is a draft."""
    require_editor(request)
    if kind == "framework":
        version = get_visible_or_404(Framework.objects.prefetch_related("standards__competencies"), pk)
    else:
        version = get_visible_or_404(selectors.pathway_with_structure(Pathway.objects.select_related("framework")), pk)
    return render(request, "curriculum/authoring/contents.html", {
        "kind": kind, "version": version, "editable": version.status == Lifecycle.DRAFT})


def _form_page(request, *, part: str, form, version, obj=None, parent=None, status=None, extra=None):
    return render(request, "curriculum/authoring/part_form.html", {
        "part": part, "form": form, "version": version, "obj": obj, "parent": parent,
        "back": contents_url(version), **(extra or {}),
    }, status=status or getattr(request, "refusal_status", None) or form_status(request))


def _posted(request):
    """The POST data (even empty: an empty form is still a submission), or None on a GET."""
    return request.POST if request.method == "POST" else None


def _save(request, call, form) -> bool:
    """Run the service; a refusal (400 or 409) goes on the form, at the top of the page,
    and the page answers with the refusal's status."""
    try:
        call()
    except ApplicationError as exc:
        if exc.status_code not in (400, 409):
            raise
        # rules.py names a competency by `competency_key` too; the form's field is `competency`.
        errors = {ALIASES.get(name, name): messages for name, messages in exc.errors.items()}
        add_errors(form, ApplicationError(exc.message, errors=errors) if errors else exc)
        request.refusal_status = exc.status_code
        return False
    return True


@login_required
def part_create(request, part: str, parent_pk: int):
    require_editor(request)
    spec = PARTS[part]
    parent = get_visible_or_404(spec.parent_model.objects.all(), parent_pk)
    version = _version_of_parent(parent)
    form = spec.form(version)(_posted(request))
    if request.method == "POST" and form.is_valid() and _save(
            request, lambda: spec.create(request.user, parent, form.cleaned_data), form):
        return redirect(contents_url(version))
    return _form_page(request, part=part, form=form, version=version, parent=parent)


@login_required
def part_edit(request, part: str, pk: int):
    require_editor(request)
    spec = PARTS[part]
    obj = get_visible_or_404(spec.model.objects.all(), pk)
    version = spec.version_of(obj)
    initial = {name: getattr(obj, f"{name}_id", None) or getattr(obj, name) for name in spec.initial}
    form = spec.form(version)(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid() and _save(
            request, lambda: spec.update(request.user, obj, form.cleaned_data), form):
        return redirect(contents_url(version))
    return _form_page(request, part=part, form=form, version=version, obj=obj)


@login_required
@require_POST
def part_delete(request, part: str, pk: int):
    require_editor(request)
    spec = REMOVABLE[part]
    obj = get_visible_or_404(spec.model.objects.all(), pk)
    version = spec.version_of(obj)
    try:
        spec.delete(request.user, obj)
    except ApplicationError as exc:
        if exc.status_code not in (400, 409):
            raise
        return render(request, "curriculum/authoring/refused.html", {
            "error": exc, "back": contents_url(version), "version": version}, status=exc.status_code)
    return redirect(contents_url(version))


# --- Requirements: a form per type ------------------------------------------------------------


@login_required
def requirement_create(request, component_pk: int):
    """First the type (radios), then that type's form."""
    require_editor(request)
    component = get_visible_or_404(Component.objects.select_related("module__pathway"), component_pk)
    version = component.module.pathway
    type_ = request.GET.get("type") or request.POST.get("type")
    if type_ not in REQUIREMENT_FORMS:
        chooser = RequirementTypeForm(request.GET if "type" in request.GET else None, component=component)
        if chooser.is_bound:
            chooser.is_valid()
        return render(request, "curriculum/authoring/requirement_type.html", {
            "form": chooser, "component": component, "version": version, "back": contents_url(version),
        }, status=400 if chooser.is_bound else 200)
    form_class = REQUIREMENT_FORMS[type_]
    form = form_class(_posted(request), component=component, initial=form_class.initial_of(None))
    if request.method == "POST" and form.is_valid() and _save(request, lambda: services.requirement_create(
            actor=request.user, component=component, type=type_, params=form.params(), **form.narrowing()), form):
        return redirect(contents_url(version))
    return _form_page(request, part="requirement", form=form, version=version, parent=component,
                      extra={"requirement_type": type_, "type_label": _type_label(type_)})


@login_required
def requirement_edit(request, pk: int):
    require_editor(request)
    requirement = get_visible_or_404(Requirement.objects.select_related("component__module__pathway"), pk)
    version = requirement.component.module.pathway
    form_class = REQUIREMENT_FORMS.get(requirement.type)
    if form_class is None:  # the final sign-off: made with the pathway, nothing to set
        return redirect(contents_url(version))
    form = form_class(_posted(request), component=requirement.component,
                      initial=form_class.initial_of(requirement))
    if request.method == "POST" and form.is_valid() and _save(request, lambda: services.requirement_update(
            actor=request.user, requirement=requirement, params=form.params(), **form.narrowing()), form):
        return redirect(contents_url(version))
    return _form_page(request, part="requirement", form=form, version=version, obj=requirement,
                      extra={"requirement_type": requirement.type, "type_label": _type_label(requirement.type)})


def _type_label(type_: str) -> str:
    from curriculum.models import RequirementType

    return RequirementType(type_).label


REMOVABLE: dict[str, Part] = {**PARTS, "requirement": Part(
    "requirement", Requirement, Component, lambda version: None, create=None, update=None,
    delete=lambda actor, obj: services.requirement_delete(actor=actor, requirement=obj),
    version_of=lambda obj: obj.component.module.pathway, initial=())}
