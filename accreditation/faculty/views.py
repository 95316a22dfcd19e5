"""The faculty's web pages: apply / renew, the decision queue, one's own accreditation, the
faculty register, an accreditation's page (suspend, reinstate, revoke) and assignments.

Same rules as the API: selectors scope (404 outside), policies refuse (403), services decide;
a service's refusal becomes a form error (400) or the error page (403 / 404 / 409, through
`DomainErrorMiddleware`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accreditation.faculty import selectors, services
from accreditation.faculty.figures import application_figures
from accreditation.faculty.forms import (
    ApplicationForm,
    AssignmentForm,
    EndAssignmentForm,
    OptionalReasonForm,
    ReasonForm,
    RegisterFilterForm,
)
from accreditation.faculty.models import (
    AccreditationStatus,
    ApplicationKind,
    ApplicationStatus,
    Platform,
)
from accreditation.faculty.policies import (
    can_apply,
    can_decide_application,
    can_end_assignment,
    can_manage_accreditation,
    can_use_decision_queue,
    can_view_register,
)
from rastrack.accounts.roles import Role
from rastrack.core.confirm import Answer, confirmation_page
from rastrack.core.exceptions import ApplicationError
from rastrack.core.forms import form_status, submit_form
from rastrack.core.permissions import get_visible_or_404


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def mine(request):
    """The signed-in person's own accreditation, applications and assignments."""
    user = request.user
    today = timezone.localdate()
    accreditation = selectors.accreditation_of(user)
    rules = selectors.faculty_rules()
    assignments = selectors.assignments_visible_to(user)
    return render(request, "accreditation/faculty/mine.html", {
        "accreditation": accreditation,
        "expiring_soon": accreditation is not None and selectors.expiring_soon(
            accreditation, today=today, warning_days=rules.expiry_warning_days),
        "applications": selectors.applications_of(user),
        "as_trainer": assignments.filter(trainer=user),
        "as_trainee": assignments.filter(trainee=user),
        "can_apply": can_apply(user),
        "can_renew": accreditation is not None and accreditation.status != AccreditationStatus.REVOKED,
        "today": today,
    })


@login_required
def apply(request):
    """Apply (no accreditation yet) or renew (one exists): the kind follows the record."""
    user = request.user
    _require(can_apply(user))
    accreditation = selectors.accreditation_of(user)
    kind = ApplicationKind.INITIAL if accreditation is None else ApplicationKind.RENEWAL
    form = ApplicationForm(request.POST or None, request.FILES or None, owner=user)
    response = submit_form(
        request, form,
        lambda data: services.trainer_application_create(
            applicant=user, kind=kind, specialty=data["specialty"], platforms=data["platforms"],
            independent_console_cases=data["independent_console_cases"],
            train_the_trainer_completed_on=data["train_the_trainer_completed_on"],
            statement=data["statement"],
            documents=[d.pk for d in data.get("documents") or []],
            upload=data.get("file"),
        ),
        success="Your application is sent; you will be told of the decision.",
        then=lambda application: ("accreditation:application", application.pk),
        form_statuses=(400, 409))
    if response:
        return response
    return render(request, "accreditation/faculty/apply.html", {
        "form": form, "kind": kind, "accreditation": accreditation, "rules": selectors.faculty_rules(),
    }, status=form_status(request))


@login_required
def queue(request):
    """Pending applications the user may decide, oldest first."""
    _require(can_use_decision_queue(request.user))
    page = Paginator(selectors.application_decision_queue(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "accreditation/faculty/queue.html", {"page": page})


@login_required
def application(request, pk: int):
    app = get_visible_or_404(selectors.trainer_applications_visible_to(request.user), pk)
    decidable = app.status == "pending" and can_decide_application(request.user, app)
    return render(request, "accreditation/faculty/application.html", {
        "application": app,
        "decidable": decidable,
        "figures": _figures(app),
        "approve_form": OptionalReasonForm(prefix="approve"),
        "reject_form": ReasonForm(prefix="reject"),
    })


def _figures(app) -> dict:
    """The applicant's own figures (teaching over the period a renewal looks back on)."""
    figures = application_figures(app)
    labels = dict(Platform.choices)
    figures["cases_by_platform_named"] = [(labels.get(p, p), n) for p, n in figures["cases_by_platform"].items()]
    return figures


def _decide(request, pk: int, *, approve: bool):
    app = get_visible_or_404(selectors.trainer_applications_visible_to(request.user), pk)
    form = (OptionalReasonForm if approve else ReasonForm)(request.POST, prefix="approve" if approve else "reject")
    decide = services.trainer_application_approve if approve else services.trainer_application_reject
    if form.is_valid() and app.status == ApplicationStatus.PENDING and can_decide_application(request.user, app):
        # Check your answers: the decision is final for the one who makes it.
        page = confirmation_page(
            request, heading=f"Check before you {'approve' if approve else 'reject'} this application",
            caption=app.applicant.full_name,
            answers=[Answer("Applicant", app.applicant.full_name), Answer("Application", app.get_kind_display()),
                     Answer("Decision", "Approve" if approve else "Reject"),
                     Answer("Reason", form.cleaned_data["reason"])],
            button=f"Confirm and {'approve' if approve else 'reject'}",
            back_url=reverse("accreditation:application", args=[app.pk]),
            warning=("The applicant is told at once. Approving records their accreditation."
                     if approve else "The applicant is told at once, with your reason."))
        if page is not None:
            return page
    response = submit_form(
        request, form, lambda data: decide(application=app, actor=request.user, reason=data["reason"]),
        success=f"The application of {app.applicant.full_name} is {'approved' if approve else 'rejected'}.",
        then="accreditation:queue")
    if response:
        return response
    return render(request, "accreditation/faculty/application.html", {
        "application": app, "decidable": True, "figures": _figures(app),
        "approve_form": form if approve else OptionalReasonForm(prefix="approve"),
        "reject_form": ReasonForm(prefix="reject") if approve else form,
    }, status=form_status(request))


@login_required
@require_POST
def approve(request, pk: int):
    _require(can_use_decision_queue(request.user))
    return _decide(request, pk, approve=True)


@login_required
@require_POST
def reject(request, pk: int):
    _require(can_use_decision_queue(request.user))
    return _decide(request, pk, approve=False)


@login_required
def register(request):
    """The faculty register: filterable, with each trainer's trainee load and expiry."""
    _require(can_view_register(request.user))
    today = timezone.localdate()
    rules = selectors.faculty_rules()
    form = RegisterFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {"region": data["region"].pk if data["region"] else None,
                   "specialty": data["specialty"], "platform": data["platform"], "status": data["status"]}
    page = Paginator(selectors.faculty_register(request.user, today=today, **filters), 50).get_page(
        request.GET.get("page"))
    for accreditation in page:
        accreditation.expiring_soon = selectors.expiring_soon(
            accreditation, today=today, warning_days=rules.expiry_warning_days)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accreditation/faculty/register.html", {
        "form": form, "page": page, "rules": rules, "query": query.urlencode(),
    })


@login_required
def accreditation(request, pk: int):
    acc = get_visible_or_404(selectors.accreditations_visible_to(request.user), pk)
    rules = selectors.faculty_rules()
    return render(request, "accreditation/faculty/accreditation.html", {
        "accreditation": acc,
        "manageable": can_manage_accreditation(request.user, acc),
        "expiring_soon": selectors.expiring_soon(acc, today=timezone.localdate(),
                                                 warning_days=rules.expiry_warning_days),
        "assignments": selectors.assignments_visible_to(request.user).filter(trainer_id=acc.trainer_id),
        "form": ReasonForm(),
    })


_TRANSITIONS = {
    "suspend": (services.accreditation_suspend, "suspended"),
    "reinstate": (services.accreditation_reinstate, "reinstated"),
    "revoke": (services.accreditation_revoke, "revoked"),
}


@login_required
@require_POST
def transition(request, pk: int, verb: str):
    _require(can_view_register(request.user))
    acc = get_visible_or_404(selectors.accreditations_visible_to(request.user), pk)
    service, done = _TRANSITIONS[verb]
    form = ReasonForm(request.POST)
    response = submit_form(
        request, form, lambda data: service(accreditation=acc, actor=request.user, reason=data["reason"]),
        success=f"The accreditation of {acc.trainer.full_name} is {done}.",
        then=("accreditation:accreditation", acc.pk))
    if response:
        return response
    return render(request, "accreditation/faculty/accreditation.html", {
        "accreditation": acc, "manageable": True, "form": form,
        "assignments": selectors.assignments_visible_to(request.user).filter(trainer_id=acc.trainer_id),
    }, status=form_status(request))


@login_required
def assignments(request):
    """Assign trainers to trainees (and see, and end, the assignments one manages)."""
    user = request.user
    _require(can_view_register(user))
    today = timezone.localdate()
    form = AssignmentForm(request.POST or None, trainers=selectors.trainers_accredited_on(today),
                          trainees=selectors.assignable_trainees(user))
    response = submit_form(
        request, form,
        lambda data: services.assignment_create(
            actor=user, trainer=data["trainer"], trainee=data["trainee"], kind=data["kind"],
            starts_on=data["starts_on"], ends_on=data["ends_on"]),
        success=lambda assignment: f"{assignment.trainer.full_name} is assigned to {assignment.trainee.full_name}.",
        then="accreditation:assignments", form_statuses=(400, 409))
    if response:
        return response
    visible = selectors.assignments_visible_to(user)
    if not user.has_role(Role.PROGRAMME_ADMIN):
        visible = visible.filter(trainee__region_id=user.region_id)
    active = request.GET.get("show") != "all"
    if active:
        visible = visible.filter(selectors.active_on(today))
    page = Paginator(visible, 50).get_page(request.GET.get("page"))
    return render(request, "accreditation/faculty/assignments.html", {
        "form": form, "page": page, "today": today, "showing_active": active,
        "end_form": EndAssignmentForm(),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def assignment_end(request, pk: int):
    _require(can_view_register(request.user))
    assignment = get_visible_or_404(selectors.assignments_visible_to(request.user), pk)
    _require(can_end_assignment(request.user, assignment))
    form = EndAssignmentForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(errors={field: list(errs) for field, errs in form.errors.items()})
    services.assignment_end(assignment=assignment, actor=request.user, ends_on=form.cleaned_data["ends_on"])
    messages.success(request, f"The assignment of {assignment.trainer.full_name} to "
                              f"{assignment.trainee.full_name} is ended.")
    return redirect("accreditation:assignments")
