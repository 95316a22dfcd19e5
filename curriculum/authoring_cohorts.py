"""Trying a pathway version before trainees meet it, and moving a cohort onto it.

The preview renders the progress page for an imaginary enrolment on the version: with no
evidence, or with a chosen trainee's evidence as it stands. The cohort move is a dry run
first (GET: whose progress would change and how, before and after per trainee), then the
move itself (POST: one transaction, audited, curriculum/services/cohorts.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from curriculum import selectors, services
from curriculum.authoring_forms import CohortMoveForm, PreviewForm
from curriculum.authoring_parts import require_editor
from curriculum.cohort_moves import move_plan
from curriculum.models import Lifecycle, Pathway
from curriculum.preview import imaginary_enrolment, preview_progress
from rastrack.core.exceptions import ApplicationError
from rastrack.core.forms import add_errors
from rastrack.core.permissions import get_visible_or_404
from rastrack.reference.models import Region


@login_required
def preview(request, pk: int):
    require_editor(request)
    pathway = get_visible_or_404(Pathway.objects.select_related("framework"), pk)
    form = PreviewForm(request.GET or None, trainees=selectors.trainees_enrollable_by(request.user))
    trainee = form.cleaned_data.get("trainee") if form.is_bound and form.is_valid() else None
    progress = preview_progress(pathway, trainee)
    return render(request, "curriculum/authoring/preview.html", {
        "pathway": pathway, "form": form, "trainee": trainee, "progress": progress,
        "enrolment": imaginary_enrolment(pathway, trainee), "is_trainee": False,
    }, status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_move(request, pk: int):
    require_editor(request)
    target = get_visible_or_404(Pathway.objects.all(), pk)
    sources = Pathway.objects.filter(code=target.code).exclude(pk=target.pk).exclude(
        status=Lifecycle.DRAFT).order_by("-version")
    data = request.POST if request.method == "POST" else (request.GET if "source" in request.GET else None)
    form = CohortMoveForm(data, sources=sources, regions=Region.objects.order_by("name"))
    plan = None
    status = 200
    if form.is_bound and form.is_valid():
        source, cohort, region = (form.cleaned_data[k] for k in ("source", "cohort", "region"))
        try:
            services.check_move(source, target)
            if request.method == "POST":
                moved = services.cohort_move(actor=request.user, source=source, target=target,
                                             cohort=cohort, region=region)
                messages.success(request, f"{len(moved)} enrolment{'s' if len(moved) != 1 else ''} moved from "
                                          f"version {source.version} to version {target.version}.")
                return redirect("curriculum:version", kind="pathway", pk=target.pk)
            plan = move_plan(source, target, cohort=cohort, region=region)
        except ApplicationError as exc:
            if exc.status_code not in (400, 409):
                raise
            add_errors(form, ApplicationError(errors={"source" if k == "target" else k: v
                                                      for k, v in exc.errors.items()}) if exc.errors else exc)
            status = exc.status_code
    elif form.is_bound:
        status = 400
    return render(request, "curriculum/authoring/cohort_move.html", {
        "target": target, "form": form, "plan": plan}, status=status)
