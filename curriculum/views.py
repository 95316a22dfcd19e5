"""Curriculum pages: pathways and modules, enrolments with progress, e-learning, resources.

Views are thin: scope with a selector (404 outside it), ask a policy (403), call a service,
show its refusal on the form or as a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from curriculum import policies, selectors, services
from curriculum.filters import LearningResourceFilter
from curriculum.forms import (
    ELearningForm,
    EnrolTraineeForm,
    PauseForm,
    RejectForm,
    ResourceFormSet,
    ResourceSearchForm,
    WithdrawForm,
)
from curriculum.models import (
    Competency,
    LearningResource,
    Lifecycle,
    Module,
    ResourceStatus,
)
from curriculum.progress import computation, progress_for
from rastrack.accounts.roles import Role
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.forms import add_errors, form_status, submit_form
from rastrack.core.permissions import get_visible_or_404, require, require_role

ENROLMENT_READERS = (Role.TRAINEE, Role.TRAINER, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN)


def _refusal(request, exc: ApplicationError) -> None:
    messages.error(request, exc.message or "; ".join(m for ms in exc.errors.values() for m in ms
                                                     if isinstance(m, str)))


# --- Standards and pathways -------------------------------------------------------------------


@login_required
def standards(request):
    frameworks = selectors.frameworks_visible_to(request.user).exclude(status=Lifecycle.RETIRED)
    framework_list = list(frameworks.prefetch_related(
        Prefetch("standards", queryset=selectors.standards_visible_to(request.user))))
    return render(request, "curriculum/standards.html", {"frameworks": framework_list})


@login_required
def pathway_list(request):
    pathways = selectors.pathways_visible_to(request.user).exclude(status=Lifecycle.RETIRED)
    mine = {e.pathway_id: e for e in selectors.live_enrolments_of(request.user)}
    rows = [(pathway, mine.get(pathway.pk)) for pathway in pathways]
    return render(request, "curriculum/pathway_list.html", {"rows": rows})


def _enrol_form(request, pathway, data=None):
    user = request.user
    if pathway.status != Lifecycle.PUBLISHED or not user.has_role(Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN):
        return None
    return EnrolTraineeForm(data, trainees=selectors.trainees_enrollable_by(user))


@login_required
def pathway_detail(request, pk: int):
    queryset = selectors.pathway_with_structure(selectors.pathways_visible_to(request.user))
    pathway = get_visible_or_404(queryset, pk)
    enrolment = selectors.live_enrolments_of(request.user).filter(pathway=pathway).first()
    return render(request, "curriculum/pathway_detail.html", {
        "pathway": pathway,
        "enrolment": enrolment,
        "can_self_enrol": enrolment is None and policies.can_enrol(request.user, request.user, pathway),
        "enrol_form": _enrol_form(request, pathway),
    })


@login_required
@require_POST
def pathway_enrol(request, pk: int):
    """Enrol yourself (open pathways), or, for leads and admins, the trainee chosen."""
    pathway = get_visible_or_404(selectors.pathways_visible_to(request.user), pk)
    form = _enrol_form(request, pathway, request.POST) if "trainee" in request.POST else None
    try:
        if form is not None:
            if not form.is_valid():
                messages.error(request, "Choose a trainee in your scope to enrol.")
                return redirect("curriculum:pathway", pk=pathway.pk)
            enrolment = services.enrolment_create(actor=request.user, trainee=form.cleaned_data["trainee"],
                                                  pathway=pathway, target_date=form.cleaned_data["target_date"])
        else:
            enrolment = services.enrolment_create(actor=request.user, trainee=request.user, pathway=pathway)
    except NotPermitted:
        raise
    except ApplicationError as exc:
        _refusal(request, exc)
        return redirect("curriculum:pathway", pk=pathway.pk)
    if enrolment.trainee_id == request.user.pk:
        messages.success(request, f"You are enrolled on {pathway.title}.")
    else:
        messages.success(request, f"{enrolment.trainee.full_name} is enrolled on {pathway.title}.")
    return redirect("curriculum:enrolment", pk=enrolment.pk)


@login_required
def module_detail(request, pk: int):
    queryset = selectors.modules_visible_to(request.user).prefetch_related(
        Prefetch("resources", queryset=LearningResource.objects.filter(status=ResourceStatus.APPROVED)))
    module = get_visible_or_404(queryset, pk)
    return render(request, "curriculum/module_detail.html", {"module": module, "pathway": module.pathway})


# --- Enrolments ------------------------------------------------------------------------------


@login_required
def enrolment_list(request):
    require_role(request.user, *ENROLMENT_READERS)
    enrolments = selectors.enrolments_visible_to(request.user)
    own = [(e, progress_for(e)) for e in enrolments.filter(trainee=request.user)]
    others = enrolments.exclude(trainee=request.user)
    page = Paginator(others, 25).get_page(request.GET.get("page"))
    return render(request, "curriculum/enrolment_list.html", {"own": own, "page": page})


@login_required
def enrolment_detail(request, pk: int):
    enrolment = get_visible_or_404(selectors.enrolments_visible_to(request.user), pk)
    can_manage = policies.can_manage_enrolment(request.user, enrolment)
    # Rendered inside the computation: the requirements' descriptions name what it read
    # already (the simulator exercises), instead of reading it again.
    with computation([enrolment.trainee_id]):
        return render(request, "curriculum/enrolment_detail.html", {
            "enrolment": enrolment,
            "progress": progress_for(enrolment),
            "can_manage": can_manage,
            "is_trainee": enrolment.trainee_id == request.user.pk,
            "withdraw_form": WithdrawForm() if can_manage and enrolment.is_live else None,
        })


def _managed_enrolment(request, pk: int):
    enrolment = get_visible_or_404(selectors.enrolments_visible_to(request.user), pk)
    require(policies.can_manage_enrolment(request.user, enrolment),
            "Only the trainee, their regional lead or a programme admin can change this enrolment.")
    return enrolment


@login_required
def enrolment_pause(request, pk: int):
    enrolment = _managed_enrolment(request, pk)
    form = PauseForm(request.POST or None)
    try:
        response = submit_form(
            request, form,
            lambda data: services.enrolment_pause(actor=request.user, enrolment=enrolment, kind=data["kind"],
                                                  reason=data["reason"], started_on=data["started_on"]),
            success="The enrolment is paused. Its target date moves by the pause's length when you resume.",
            then=("curriculum:enrolment", enrolment.pk))
    except Conflict as exc:  # not active (any more): said on the enrolment's page, not the form
        _refusal(request, exc)
        return redirect("curriculum:enrolment", pk=enrolment.pk)
    if response:
        return response
    return render(request, "curriculum/enrolment_pause.html", {"enrolment": enrolment, "form": form},
                  status=form_status(request))


@login_required
@require_POST
def enrolment_resume(request, pk: int):
    enrolment = _managed_enrolment(request, pk)
    try:
        enrolment = services.enrolment_resume(actor=request.user, enrolment=enrolment)
    except NotPermitted:
        raise
    except ApplicationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"Resumed. The target date is now {enrolment.target_date:%d %B %Y}.")
    return redirect("curriculum:enrolment", pk=enrolment.pk)


@login_required
@require_POST
def enrolment_withdraw(request, pk: int):
    enrolment = _managed_enrolment(request, pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.enrolment_withdraw(actor=request.user, enrolment=enrolment,
                                    reason=form.cleaned_data.get("reason", ""))
    except NotPermitted:
        raise
    except ApplicationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, "Withdrawn from the pathway.")
    return redirect("curriculum:enrolment", pk=enrolment.pk)


# --- E-learning ------------------------------------------------------------------------------


@login_required
def elearning_record(request):
    require_role(request.user, Role.TRAINEE)
    components = selectors.elearning_components_for(request.user)
    initial = {"component": request.GET.get("component")} if request.GET.get("component") else None
    form = ELearningForm(request.POST or None, request.FILES or None, components=components, initial=initial)

    def show_refusal(exc: ApplicationError) -> None:
        if "file" in exc.errors:  # the upload's own message, shown on the upload field
            exc = ApplicationError(errors={"certificate": exc.errors["file"]})
        add_errors(form, exc)

    def then(_completion):
        enrolment = selectors.live_enrolments_of(request.user).filter(
            pathway_id=form.cleaned_data["component"].module.pathway_id).first()
        return ("curriculum:enrolment", enrolment.pk) if enrolment else "curriculum:enrolments"

    response = submit_form(
        request, form,
        lambda data: services.elearning_record_with_upload(
            trainee=request.user, component=data["component"], completed_on=data["completed_on"],
            provider=data["provider"], certificate_file=data.get("certificate")),
        success=lambda _: f"Recorded: {form.cleaned_data['component'].title}.", then=then,
        form_statuses=(400, 409), show_refusal=show_refusal)
    if response:
        return response
    completions = selectors.elearning_completions_visible_to(request.user).filter(trainee=request.user)[:20]
    return render(request, "curriculum/elearning_form.html", {"form": form, "completions": completions},
                  status=form_status(request))


# --- Learning resources ----------------------------------------------------------------------


@login_required
def resource_catalogue(request):
    modules = (Module.objects.select_related("pathway").filter(pathway__status=Lifecycle.PUBLISHED, is_final=False)
               .order_by("pathway__title", "order"))
    competencies = Competency.objects.filter(framework__status=Lifecycle.PUBLISHED).order_by("code")
    form = ResourceSearchForm(request.GET or None, modules=modules, competencies=competencies)
    filterset = LearningResourceFilter(request.GET, queryset=selectors.resource_catalogue())
    results = filterset.qs if filterset.is_valid() else selectors.resource_catalogue().none()
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    mine = (selectors.resources_visible_to(request.user)
            .filter(submission__submitted_by=request.user)
            .exclude(status=ResourceStatus.APPROVED).order_by("-created_at")[:10])
    return render(request, "curriculum/resource_catalogue.html", {
        "form": form, "page": page, "query": query.urlencode(), "mine": mine,
        "can_moderate": policies.can_moderate_resources(request.user),
    })


def _show_item_errors(formset, exc: ApplicationError) -> None:
    items = exc.errors.get("items")
    if items and isinstance(items[0], dict):
        filled = [form for form in formset.forms if form.has_changed()]
        for form, errors in zip(filled, items, strict=False):
            if errors:
                add_errors(form, ApplicationError(errors=errors))
    else:
        formset._non_form_errors = formset.error_class(
            [m for ms in exc.errors.values() for m in ms if isinstance(m, str)] or [exc.message])


def _submitted_message(submission) -> str:
    count = submission.items.count()
    return (f"Thank you: {count} resource{'s' if count != 1 else ''} sent for moderation. "
            "You will get a notification when each is decided.")


@login_required
def resource_submit(request):
    formset = ResourceFormSet(request.POST or None, prefix="items")
    response = submit_form(
        request, formset, lambda _data: services.resource_submit(submitted_by=request.user, items=formset.items()),
        success=_submitted_message, then="curriculum:resources",
        form_statuses=(400, 409), show_refusal=lambda exc: _show_item_errors(formset, exc))
    if response:
        return response
    return render(request, "curriculum/resource_submit.html", {"formset": formset}, status=form_status(request))


@login_required
def moderation_queue(request):
    require(policies.can_moderate_resources(request.user), "Only programme admins moderate resources.")
    queue = selectors.moderation_queue()
    return render(request, "curriculum/moderation.html", {"queue": queue})


def _moderated(request, pk: int):
    if not policies.can_moderate_resources(request.user):
        raise PermissionDenied
    return get_visible_or_404(selectors.resources_visible_to(request.user), pk)


@login_required
@require_POST
def resource_approve(request, pk: int):
    resource = _moderated(request, pk)
    try:
        services.resource_approve(actor=request.user, resource=resource)
    except ApplicationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"Approved: {resource.title}.")
    return redirect("curriculum:moderation")


@login_required
@require_POST
def resource_reject(request, pk: int):
    resource = _moderated(request, pk)
    form = RejectForm(request.POST)
    form.is_valid()
    try:
        services.resource_reject(actor=request.user, resource=resource, reason=form.cleaned_data.get("reason", ""))
    except ApplicationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"Rejected: {resource.title}.")
    return redirect("curriculum:moderation")
