"""Sign-off web pages: requests (ask, the trainer's queue, decide, reverse, withdraw) and
assessments (assess a trainee, self-assess a case, list, detail with calibration, CSV).

Same rules as the API: selectors scope and blind (404 outside the scope), policies and
services refuse (403 / 409 through `DomainErrorMiddleware`, 400 on the form). "My progress"
is the curriculum's enrolment page (every requirement with value, target and evidence),
which these providers feed; the pages link to it rather than repeat it.
"""

from __future__ import annotations

import datetime

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from accreditation.signoff import policies, selectors, services, video_reviews
from accreditation.signoff.forms import (
    ApproveForm,
    AssessmentFilterForm,
    AssessmentForm,
    ChooseTraineeForm,
    ReturnForm,
    ReverseForm,
    SelfAssessmentForm,
    SignoffFilterForm,
    SignoffRequestForm,
    VideoReviewRatingForm,
    initial_target,
)
from accreditation.signoff.models import Assessment, SignoffRequest, SignoffStatus
from accreditation.signoff.workflows import LinkRefused, decision_link_open, decision_link_use
from curriculum.selectors import live_enrolments_of
from rastrack.accounts.roles import Role
from rastrack.accounts.trainee_scope import trainees_visible_to
from rastrack.core.confirm import Answer, confirmation_page
from rastrack.core.csv_export import csv_text
from rastrack.core.exceptions import ApplicationError
from rastrack.core.forms import add_errors, form_status, submit_form
from rastrack.core.permissions import get_visible_or_404, require, require_role

READERS = policies.READERS


def _blocked_keys(trainee) -> set[str]:
    return set(SignoffRequest.objects.filter(
        trainee=trainee, status__in=[SignoffStatus.PENDING, SignoffStatus.APPROVED],
    ).values_list("target_key", flat=True))


# --- Sign-off requests -----------------------------------------------------------------------------


@login_required
def signoff_list(request):
    """The requests the user may see: a trainee's own, or those in a trainer's, lead's or
    admin's scope; filter by status."""
    require_role(request.user, *READERS)
    form = SignoffFilterForm(request.GET or None)
    requests = selectors.signoff_requests_visible_to(request.user)
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    if status:
        requests = requests.filter(status=status)
    page = Paginator(requests, 25).get_page(request.GET.get("page"))
    return render(request, "accreditation/signoff/list.html", {
        "page": page, "form": form, "query": f"status={status}" if status else "",
        "can_request": policies.can_request_signoff(request.user),
        "is_trainer": request.user.has_role(Role.TRAINER),
        "enrolments": live_enrolments_of(request.user) if request.user.has_role(Role.TRAINEE) else [],
        "today": timezone.localdate(),
    })


@login_required
def signoff_queue(request):
    """Pending requests addressed to the trainer, oldest first; overdue ones highlighted."""
    require_role(request.user, Role.TRAINER)
    page = Paginator(selectors.signoff_queue(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "accreditation/signoff/queue.html", {"page": page, "today": timezone.localdate()})


@login_required
def signoff_new(request):
    """A trainee asks for a sign-off: target, trainer, their own evidence, a note."""
    user = request.user
    require(policies.can_request_signoff(user), "Only trainees ask for sign-off.")
    form = SignoffRequestForm(request.POST or None, trainee=user, blocked_keys=_blocked_keys(user),
                              initial={"target": initial_target(request.GET)})
    response = submit_form(
        request, form,
        lambda data: services.signoff_request_create(
            trainee=user, trainer=data["trainer"], note=data["note"],
            **form.target_arguments(), **form.evidence_arguments()),
        success=lambda created: f"Your request is sent to {created.trainer.full_name}, due by "
                                f"{created.due_on:%-d %B %Y}.",
        then=lambda created: ("accreditation:signoff", created.pk),
        form_statuses=(400, 409), show_refusal=lambda exc: _show_request_refusal(form, exc))
    if response:
        return response
    return render(request, "accreditation/signoff/form.html", {"form": form}, status=form_status(request))


def _show_request_refusal(form: SignoffRequestForm, exc: ApplicationError) -> None:
    if exc.status_code == 409 or not exc.errors:
        form.add_error(None, exc.message)
        return
    # The API's target fields are one choice on the page.
    errors: dict[str, list[str]] = {}
    for field, field_messages in exc.errors.items():
        key = "target" if field in ("competency", "component", "enrolment") else field
        errors.setdefault(key, []).extend(field_messages)
    add_errors(form, ApplicationError(errors=errors))


def _detail_context(request, obj: SignoffRequest, **forms) -> dict:
    user = request.user
    # Evidence assessments through the blinding: a self-assessment attached as evidence shows
    # its scores to the trainer only once the trainer has rated that case too.
    assessments = selectors.annotate_blinding(
        Assessment.objects.filter(pk__in=[a.pk for a in obj.evidence_assessments.all()])
        .select_related("tool", "assessor", "case", "case__procedure").prefetch_related("tool__domains"),
        user).order_by("date", "id")
    return {
        "obj": obj, "assessments": assessments,
        "can_decide": policies.can_decide(user, obj), "can_reverse": policies.can_reverse(user, obj),
        "can_withdraw": policies.can_withdraw(user, obj),
        "approve_form": forms.get("approve") or ApproveForm(prefix="approve"),
        "return_form": forms.get("return") or ReturnForm(prefix="return"),
        "reverse_form": forms.get("reverse") or ReverseForm(prefix="reverse"),
    }


@login_required
def signoff_detail(request, pk: int):
    require_role(request.user, *READERS)
    obj = get_visible_or_404(selectors.signoff_requests_visible_to(request.user), pk)
    return render(request, "accreditation/signoff/detail.html", _detail_context(request, obj))


def _act(request, pk: int, *, form_class, prefix: str, run, done: str, confirm=None):
    obj = get_visible_or_404(selectors.signoff_requests_visible_to(request.user), pk)
    form = form_class(request.POST, prefix=prefix)
    if confirm is not None and form.is_valid():
        page = confirm(obj, form.cleaned_data)
        if page is not None:
            return page
    response = submit_form(request, form, lambda data: run(obj, data), success=done,
                           then=("accreditation:signoff", obj.pk))
    if response:
        return response
    return render(request, "accreditation/signoff/detail.html", _detail_context(request, obj, **{prefix: form}),
                  status=form_status(request))


@login_required
@require_POST
def signoff_approve(request, pk: int):
    require_role(request.user, Role.TRAINER)
    return _act(request, pk, form_class=ApproveForm, prefix="approve", done="Signed off: the trainee is told.",
                run=lambda obj, data: services.signoff_request_approve(
                    request=obj, actor=request.user, feedback=data["feedback"]),
                confirm=lambda obj, data: _confirm_approval(request, obj, data))


def _confirm_approval(request, obj: SignoffRequest, data: dict):
    """Check your answers before signing off: only a programme admin can reverse it. Asked
    only of the trainer who may decide now (anyone else meets the service's refusal)."""
    if not policies.can_decide(request.user, obj):
        return None
    cases = obj.evidence_cases.count()
    return confirmation_page(
        request, heading="Check before you sign off", caption=obj.trainee.full_name,
        answers=[Answer("Trainee", obj.trainee.full_name), Answer("Sign-off of", obj.target_label),
                 Answer("Evidence", f"{cases} case{'' if cases == 1 else 's'}"),
                 Answer("Your feedback", data["feedback"])],
        button="Confirm and sign off", back_url=reverse("accreditation:signoff", args=[obj.pk]),
        warning="Once signed off, it counts towards the trainee's progress. Only a programme admin can reverse it.")


@login_required
@require_POST
def signoff_return(request, pk: int):
    require_role(request.user, Role.TRAINER)
    return _act(request, pk, form_class=ReturnForm, prefix="return", done="Returned with your feedback.",
                run=lambda obj, data: services.signoff_request_return(
                    request=obj, actor=request.user, feedback=data["feedback"]))


@login_required
@require_POST
def signoff_reverse(request, pk: int):
    require_role(request.user, Role.PROGRAMME_ADMIN)
    return _act(request, pk, form_class=ReverseForm, prefix="reverse",
                done="The approval is reversed: it no longer counts as signed off.",
                run=lambda obj, data: services.signoff_request_reverse(
                    request=obj, actor=request.user, reason=data["reason"]))


@login_required
@require_POST
def signoff_withdraw(request, pk: int):
    require_role(request.user, Role.TRAINEE)
    obj = get_visible_or_404(selectors.signoff_requests_visible_to(request.user), pk)
    services.signoff_request_withdraw(request=obj, actor=request.user)
    messages.success(request, "Your request is withdrawn.")
    return redirect("accreditation:signoff", obj.pk)


# --- Assessments -----------------------------------------------------------------------------------


def _filtered_assessments(request):
    form = AssessmentFilterForm(request.GET or None)
    qs = selectors.assessments_visible_to(request.user)
    trainee = None
    trainee_id = request.GET.get("trainee", "")
    if trainee_id:
        trainee = get_visible_or_404(trainees_visible_to(request.user), trainee_id)
        qs = qs.filter(trainee=trainee)
    if form.is_valid():
        if form.cleaned_data.get("tool"):
            qs = qs.filter(tool=form.cleaned_data["tool"])
        if form.cleaned_data.get("is_self") in ("true", "false"):
            qs = qs.filter(is_self=form.cleaned_data["is_self"] == "true")
    return form, qs, trainee


@login_required
def assessment_list(request):
    """Assessments the user may see, each blinded for them; a trainee's calibration over time."""
    require_role(request.user, *READERS)
    form, qs, trainee = _filtered_assessments(request)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    subject = trainee or (request.user if request.user.has_role(Role.TRAINEE) else None)
    query = "&".join(f"{k}={v}" for k, v in request.GET.items() if k != "page" and v)
    return render(request, "accreditation/signoff/assessment_list.html", {
        "page": page, "form": form, "trainee": trainee, "query": query,
        "calibration": selectors.calibration_history(request.user, subject) if subject else [],
        "step_grid": selectors.step_grid(request.user, subject) if subject else [],
        "subject": subject,
        "can_assess": request.user.has_role(Role.TRAINER), "can_self_assess": policies.can_self_assess(request.user),
    })


@login_required
def assessment_export(request):
    """The same list as CSV, with the same blinding (hidden scores are empty)."""
    require_role(request.user, *READERS)
    _form, qs, _trainee = _filtered_assessments(request)
    header = ["id", "date", "trainee", "assessor", "tool", "self_assessment", "case", "blinded",
              "total", "scores", "feedback"]
    rows = ([a.pk, a.date.isoformat(), a.trainee.full_name, a.assessor.full_name, a.tool.code,
             "yes" if a.is_self else "no", a.case_id or "", "yes" if a.blinded else "no",
             "" if a.visible_total is None else a.visible_total,
             "; ".join(f"{k}={v}" for k, v in (a.visible_scores or {}).items()), a.visible_feedback]
            for a in qs.order_by("date", "id"))
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="assessments.csv"'
    return response


@login_required
def assessment_detail(request, pk: int):
    require_role(request.user, *READERS)
    assessment = get_visible_or_404(selectors.assessments_visible_to(request.user), pk)
    return render(request, "accreditation/signoff/assessment_detail.html", {
        "assessment": assessment, "pairs": selectors.calibration_of(request.user, assessment),
    })


def _show_assessment_refusal(form, exc: ApplicationError) -> None:
    if isinstance(exc, services.AssessmentInvalid):  # the scores' messages go on their domains
        form.add_score_errors(exc.score_errors)
        exc = ApplicationError(errors={k: v for k, v in exc.errors.items() if k != "scores"})
    add_errors(form, exc)


def _answers_of(form) -> list[Answer]:
    """What the person chose, in words: the label of each filled field and the text of its
    choice (never a raw code or an ISO date)."""
    answers = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        if isinstance(field, django_forms.ModelChoiceField):
            shown = field.label_from_instance(value)
        elif isinstance(field, django_forms.ChoiceField):
            shown = dict((str(k), v) for k, v in field.choices).get(str(value), str(value))
        elif isinstance(value, datetime.date):
            shown = date_format(value, "j F Y")
        else:
            shown = str(value)
        answers.append(Answer(str(field.label), str(shown)))
    return answers


def _confirm_assessment(request, form, *, tool, trainee, self_assessment: bool):
    """Check your answers before an assessment is recorded: nobody can change or delete it
    afterwards, and it may count towards the trainee's progress."""
    if request.method != "POST" or not form.is_valid():
        return None
    total = sum(form.scores().values())
    who = [] if self_assessment else [Answer("Trainee", trainee.full_name)]
    return confirmation_page(
        request, heading="Check your answers before you record it", caption=tool.name,
        answers=[*who, Answer("Tool", tool.name), *_answers_of(form), Answer("Total", str(total))],
        button="Confirm and record", back_url=request.get_full_path(),
        warning="Once recorded, the assessment cannot be changed or deleted."
                + ("" if self_assessment else " The trainee is told and it may count towards their progress."))


def _tool(request):
    tool = selectors.assessment_tool(request.GET.get("tool") or request.POST.get("tool_code") or "gears")
    if tool is None:
        tool = selectors.assessment_tools().first()
    return tool


@login_required
def assessment_new(request):
    """A trainer assesses a trainee they may supervise: choose the trainee and tool, then score."""
    require_role(request.user, Role.TRAINER)
    chooser = ChooseTraineeForm(request.GET or None, trainer=request.user,
                                initial={"tool": "gears", "trainee": request.GET.get("trainee")})
    if not (request.GET.get("trainee") and chooser.is_valid()):
        return render(request, "accreditation/signoff/assessment_choose.html", {"form": chooser})
    trainee, tool = chooser.cleaned_data["trainee"], chooser.cleaned_data["tool"]
    tool = selectors.assessment_tool(tool.code)
    initial = {"case": request.GET.get("case")} if (request.GET.get("case") or "").isdigit() else {}
    form = AssessmentForm(request.POST or None, tool=tool, trainee=trainee, initial=initial)
    check = _confirm_assessment(request, form, tool=tool, trainee=trainee, self_assessment=False)
    if check is not None:
        return check
    response = submit_form(
        request, form,
        lambda data: services.assessment_create(
            actor=request.user, trainee=trainee, tool=tool, scores=form.scores(), case=data["case"],
            date=data["date"], feedback=data["feedback"], mode=data.get("mode"),
            entrustment=data.get("entrustment"), competency=data.get("competency")),
        success=f"{tool.name} recorded for {trainee.full_name}.",
        then=lambda assessment: ("accreditation:assessment", assessment.pk),
        form_statuses=(400, 409), show_refusal=lambda exc: _show_assessment_refusal(form, exc))
    if response:
        return response
    return render(request, "accreditation/signoff/assessment_form.html", {
        "form": form, "tool": tool, "trainee": trainee, "self_assessment": False,
    }, status=form_status(request))


@login_required
def assessment_self(request):
    """A trainee rates one of their own cases; the trainer's scores of it open once they do."""
    require(policies.can_self_assess(request.user), "Only trainees rate their own cases.")
    tool = _tool(request)
    initial = {"case": request.GET.get("case")} if (request.GET.get("case") or "").isdigit() else {}
    form = SelfAssessmentForm(request.POST or None, tool=tool, trainee=request.user, initial=initial)
    check = _confirm_assessment(request, form, tool=tool, trainee=request.user, self_assessment=True)
    if check is not None:
        return check
    response = submit_form(
        request, form,
        lambda data: services.assessment_create(
            actor=request.user, trainee=request.user, tool=tool, scores=form.scores(),
            case=data["case"], feedback=data["feedback"]),
        success="Your self-assessment is recorded.",
        then=lambda assessment: ("accreditation:assessment", assessment.pk),
        form_statuses=(400, 409), show_refusal=lambda exc: _show_assessment_refusal(form, exc))
    if response:
        return response
    return render(request, "accreditation/signoff/assessment_form.html", {
        "form": form, "tool": tool, "trainee": request.user, "self_assessment": True,
        "tools": selectors.assessment_tools(),
    }, status=form_status(request))


# --- The one-tap decision page that reminder e-mails link to --------------------------------


@login_required
def decide(request, token: str):
    """Confirm a decision on one sign-off request. A link that is invalid, expired, used, or
    opened by another account does nothing but say why."""
    try:
        link = decision_link_open(token=token, user=request.user)
    except LinkRefused as refused:
        return render(request, "accreditation/signoff/decide_refused.html", {"reason": str(refused)}, status=403)
    error = None
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            decided = decision_link_use(token=token, user=request.user, decision=decision,
                                        feedback=request.POST.get("feedback", ""))
        except LinkRefused as refused:
            return render(request, "accreditation/signoff/decide_refused.html", {"reason": str(refused)},
                          status=403)
        except ApplicationError as exc:
            error = exc.message or "; ".join(m for ms in exc.errors.values() for m in ms)
        else:
            messages.success(request, f"Request {decided.get_status_display().lower()}.")
            return redirect("accreditation:signoff", pk=decided.pk)
    return render(request, "accreditation/signoff/decide.html",
                  {"link": link, "signoff_request": link.signoff_request, "error": error})


# --- Blinded video reviews -------------------------------------------------------------------


@login_required
def video_review_list(request):
    """The reviews the user may see, each as they may see it (`video_review_seen_by`)."""
    require_role(request.user, *READERS)
    page = Paginator(selectors.video_reviews_visible_to(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "accreditation/signoff/video_review_list.html", {
        "page": page, "rows": [selectors.video_review_seen_by(request.user, r) for r in page],
    })


@login_required
def video_review_export(request):
    """The same list as CSV, with the same blinding (what the caller may not see is empty)."""
    require_role(request.user, *READERS)
    header = ["id", "trainee", "procedure", "tool", "video_reference", "status", "due_on", "rater",
              "rated", "total", "scores", "mean_total", "agreement_method", "agreement"]
    rows = []
    for review in selectors.video_reviews_visible_to(request.user).order_by("created_at", "id"):
        seen = selectors.video_review_seen_by(request.user, review)
        result = seen.result or {}
        agreement = result.get("agreement") or {}
        common = [review.pk, seen.trainee.full_name if seen.trainee else "", review.case.procedure.name,
                  review.tool.code, review.video_reference, review.status, review.due_on.isoformat()]
        tail = [result.get("mean_total", ""), agreement.get("method", ""),
                "" if agreement.get("value") is None else f"{agreement['value']:.3f}"]
        for rating in seen.ratings or [None]:
            if rating is None:
                rows.append([*common, "", "", "", "", *tail])
                continue
            scores = rating.scores or {}
            rows.append([*common, rating.rater_name, "" if rating.rated is None else
                         ("yes" if rating.rated else "no"), "" if rating.total is None else rating.total,
                         "; ".join(f"{k}={v}" for k, v in scores.items()), *tail])
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="video-reviews.csv"'
    return response


@login_required
def video_review_detail(request, pk: int):
    """A review as the user may see it; a rater who has not rated yet gets the tool's form."""
    require_role(request.user, *READERS)
    review = get_visible_or_404(selectors.video_reviews_visible_to(request.user), pk)
    seen = selectors.video_review_seen_by(request.user, review)
    form = None
    if seen.is_rater and review.status == "open" and not seen.ratings[0].rated:
        form = VideoReviewRatingForm(request.POST or None, tool=review.tool)
        response = submit_form(
            request, form,
            lambda data: video_reviews.video_review_rate(actor=request.user, review=review, scores=form.scores()),
            success="Your rating is recorded.", then=lambda _r: ("accreditation:video-review", review.pk),
            form_statuses=(400, 409), show_refusal=lambda exc: _show_assessment_refusal(form, exc))
        if response:
            return response
    elif request.method == "POST":
        require(False, "Only a named rater who has not rated yet may rate this review.")
    return render(request, "accreditation/signoff/video_review_detail.html", {
        "seen": seen, "review": review, "form": form,
        "domains": list(review.tool.domains.all()),
    })
