"""The programme admin's curriculum versions pages: every framework and pathway version,
what a draft changes against the version it came from, and publish / retire / new draft
through the versioning services (the same rules as the API and Django admin's actions).

The version page is the check-your-answers step before publishing: it lists what the draft
adds, changes and removes, and says which version publishing retires."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from curriculum import policies, services
from curriculum.authoring_forms import FrameworkCreateForm, PathwayCreateForm
from curriculum.compare import framework_compare, pathway_compare
from curriculum.models import Framework, Lifecycle, Pathway
from rastrack.core.exceptions import ApplicationError
from rastrack.core.forms import form_status, submit_form
from rastrack.core.permissions import get_visible_or_404, require

KINDS = {
    "framework": {"model": Framework, "compare": framework_compare, "what": "standards framework",
                  "form": FrameworkCreateForm, "create": services.framework_create,
                  "publish": services.framework_publish, "retire": services.framework_retire,
                  "new_draft": services.framework_new_version},
    "pathway": {"model": Pathway, "compare": pathway_compare, "what": "pathway",
                "form": PathwayCreateForm, "create": services.pathway_create,
                "publish": services.pathway_publish, "retire": services.pathway_retire,
                "new_draft": services.pathway_new_version},
}


def _require_editor(request) -> None:
    require(policies.can_edit_curriculum(request.user), "Only programme admins run the curriculum's versions.")


@login_required
def versions(request):
    """Every version of every framework and pathway, newest first within its code."""
    _require_editor(request)
    return render(request, "curriculum/versions.html", {
        "frameworks": Framework.objects.order_by("code", "-version"),
        "pathways": Pathway.objects.select_related("framework").order_by("code", "-version"),
    })


@login_required
def version_create(request, kind: str):
    """A brand-new framework or pathway from nothing: version 1 as a draft, through the
    same create service as the API; its contents are then added on the draft's pages."""
    _require_editor(request)
    spec = KINDS[kind]
    form = spec["form"](request.POST if request.method == "POST" else None)
    response = submit_form(
        request, form, lambda data: spec["create"](actor=request.user, **data),
        success=lambda version: f"{version.title} is a new draft: add what it holds, then publish it.",
        then=lambda version: reverse("curriculum:contents", kwargs={"kind": kind, "pk": version.pk}),
        form_statuses=(400, 409))
    if response:
        return response
    return render(request, "curriculum/authoring/version_new.html",
                  {"kind": kind, "what": spec["what"], "form": form}, status=form_status(request))


def _version_page(request, kind: str, version, *, error: ApplicationError | None = None, status: int = 200):
    spec = KINDS[kind]
    model = spec["model"]
    current = model.objects.filter(code=version.code, status=Lifecycle.PUBLISHED).exclude(pk=version.pk).first()
    has_draft = model.objects.filter(code=version.code, status=Lifecycle.DRAFT).exists()
    return render(request, "curriculum/version_detail.html", {
        "kind": kind, "what": spec["what"], "version": version, "error": error,
        "comparison": spec["compare"](version) if version.status == Lifecycle.DRAFT else None,
        "supersedes": current if version.status == Lifecycle.DRAFT else None,
        "can_new_draft": version.status != Lifecycle.DRAFT and not has_draft,
    }, status=status)


@login_required
def version_detail(request, kind: str, pk: int):
    _require_editor(request)
    return _version_page(request, kind, get_visible_or_404(KINDS[kind]["model"].objects.all(), pk))


@login_required
@require_POST
def version_action(request, kind: str, pk: int, action: str):
    """Publish, retire or copy into a new draft; a refusal is shown at the top of the
    version's page (400 or 409), a success on the page of the version it leads to."""
    _require_editor(request)
    spec = KINDS[kind]
    version = get_visible_or_404(spec["model"].objects.all(), pk)
    try:
        result = spec[action](actor=request.user, **{kind: version})
    except ApplicationError as exc:
        if exc.status_code not in (400, 409):
            raise
        return _version_page(request, kind, version, error=exc, status=exc.status_code)
    done = {"publish": "published", "retire": "retired", "new_draft": "copied into a new draft"}[action]
    messages.success(request, f"{version.title} version {version.version} {done}."
                     if action != "new_draft" else f"Version {result.version} of {result.title} is a new draft.")
    return redirect("curriculum:version", kind=kind, pk=result.pk)
