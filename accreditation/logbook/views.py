"""The logbook's web pages: log a case (phone-first), my logbook, a case's page, the
trainer's validation queue, CSV import and the learning curve.

Same rules as the API: selectors scope (404 outside), services decide and refuse; a
service's refusal becomes a form error (400) or the error page (403 / 404 / 409, through
`DomainErrorMiddleware`). The views hold no rule of their own: where a page hides a button
(editing a validated case, say) the service would refuse the action anyway.
"""

from __future__ import annotations

import base64
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accreditation.logbook import elogbook, policies, selectors, services, verification
from accreditation.logbook.csv_template import COLUMNS, import_cases
from accreditation.logbook.forms import (
    CaseForm,
    ELogbookImportForm,
    ImportForm,
    LogbookFilter,
    OutcomeForm,
    RejectForm,
    ValidateForm,
)
from accreditation.logbook.learning_curve import DEFAULT_STAY, chart_data, learning_phase_cases
from accreditation.logbook.models import (
    CONSOLE_ROLES,
    EDITABLE_STATUSES,
    Case,
    CaseRole,
    CaseStatus,
    FollowUp,
    Supervision,
)
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.accounts.trainee_scope import trainees_visible_to
from rastrack.core.csv_export import csv_text
from rastrack.core.exceptions import ApplicationError, Conflict
from rastrack.core.forms import add_errors, form_status, submit_form
from rastrack.core.permissions import get_visible_or_404, refuse_unless, require_role
from rastrack.reference.models import Platform, Procedure, Site

# One-shot session flags.
CLEAR_DRAFT = "logbook.clear_draft"  # the next page tells the phone to forget its unsent draft
BATCH_RESULTS = "logbook.batch_results"  # the queue shows the last batch's result per case
IMPORT_FILE = "logbook.import"  # the previewed CSV, kept until it is imported or replaced
ELOGBOOK_FILE = "logbook.elogbook"  # the previewed eLogbook export and the trainee's choices

PAGE_SIZE = 25
QUEUE_PAGE_SIZE = 50
# The role's short names for the queue's narrow columns.
SHORT_ROLES = [(CaseRole.CONSOLE_WHOLE, "Console, whole case"), (CaseRole.CONSOLE_PART, "Console, part"),
               (CaseRole.BEDSIDE_ASSISTANT, "Bedside assistant"), (CaseRole.OBSERVER, "Observer")]


def draft_key(user: User) -> str:
    """The key of the unsent case kept in the phone's localStorage, one per person."""
    return f"rastrack:case-draft:{user.pk}"


# --- Log and edit a case --------------------------------------------------------------------

def _own_cases(user: User):
    return selectors.cases_visible_to(user).filter(trainee=user)


def _prefill(user: User, supervisors) -> dict:
    """Today, and the site, platform, procedure and supervisor of the latest case."""
    initial = {"date": timezone.localdate()}
    last = _own_cases(user).prefetch_related(None).first()
    if last is None:
        return initial
    initial.update(site=last.site_id, platform=last.platform, procedure=last.procedure_id)
    if last.supervisor_id and supervisors.filter(pk=last.supervisor_id).exists():
        initial["supervisor"] = last.supervisor_id
    elif last.supervisor_name:
        initial["supervisor_name"] = last.supervisor_name
    return initial


def _submit(request, case: Case) -> None:
    try:
        services.case_submit(case=case, actor=request.user)
    except ApplicationError as exc:
        if exc.status_code != 400:
            raise
        messages.error(request, f"Saved as a draft, but not submitted: {exc.message}")
    else:
        messages.success(request, "Case submitted: your trainer will validate it.")


def _save(request, form: CaseForm, case: Case | None):
    """Create or update from a posted form; return the redirect, or None (errors on the form)."""
    creating = case is None
    submitting = request.POST.get("action") == "submit"

    def save(_data) -> Case:
        data, steps = form.service_arguments()
        if creating:
            return services.case_create(trainee=request.user, actor=request.user, data=data, steps=steps)
        return services.case_update(case=case, actor=request.user, data=data, steps=steps)

    def then(saved: Case):
        if creating:  # the new case is on the server now: the phone may forget its copy
            request.session[CLEAR_DRAFT] = True
        if submitting:
            _submit(request, saved)
        return ("accreditation:logbook-case", saved.pk)

    return submit_form(request, form, save, then=then,
                       success=None if submitting else "Draft saved. Submit it when you are ready.")


def _case_form_page(request, *, case: Case | None):
    user = request.user
    supervisors = policies.nameable_supervisors(user)
    initial = CaseForm.initial_from_case(case) if case else _prefill(user, supervisors)
    if request.method == "POST" and request.POST.get("action") == "steps":
        # Without JavaScript: show the steps of the procedure just chosen, keep the rest.
        refreshed = {k: v for k, v in request.POST.items() if k not in ("steps", "action")}
        form = CaseForm(initial={**initial, **refreshed}, trainee=user, supervisors=supervisors, case=case)
    else:
        form = CaseForm(request.POST or None, initial=initial, trainee=user, supervisors=supervisors, case=case)
        response = _save(request, form, case)
        if response:
            return response
    return render(request, "accreditation/logbook/case_form.html", {
        "form": form, "case": case,
        "draft_key": draft_key(user) if case is None else "",
    }, status=400 if form.is_bound and form.errors else 200)


@login_required
def case_new(request):
    """Log a case: phone-first, prefilled, the unsent draft kept on the device."""
    require_role(request.user, Role.TRAINEE)
    return _case_form_page(request, case=None)


def _own_editable(request, pk: int) -> Case:
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk)
    refuse_unless(policies.refusal_to_change(request.user, case, verb="edit"))
    if case.status not in EDITABLE_STATUSES:
        raise Conflict(f"This case is {case.get_status_display().lower()}: it cannot be changed now.")
    return case


@login_required
def case_edit(request, pk: int):
    return _case_form_page(request, case=_own_editable(request, pk))


@login_required
@require_GET
def steps_partial(request):
    """The steps of a procedure as the log form shows them (fetched when it changes)."""
    procedure = request.GET.get("procedure", "")
    form = CaseForm(initial={"procedure": procedure if procedure.isdigit() else None},
                    trainee=request.user, supervisors=User.objects.none())
    return render(request, "accreditation/logbook/_steps.html", {"form": form})


# --- A case's page and its actions ----------------------------------------------------------

def _detail(request, case: Case, *, validate_form=None, reject_form=None, outcome_form=None, status=200):
    user = request.user
    own = case.trainee_id == user.pk
    decidable = policies.can_validate(user, case)
    outcomes = list(case.outcomes.select_related("recorded_by")) if case.status == CaseStatus.VALIDATED else []
    may_add = policies.can_add_outcome(user, case) and len(outcomes) < len(FollowUp.values)
    return render(request, "accreditation/logbook/case_detail.html", {
        "case": case, "own": own,
        "editable": policies.can_change(user, case),
        "withdrawable": own and case.status == CaseStatus.SUBMITTED,
        "decidable": decidable,
        "outcomes": outcomes,
        "outcome_form": (outcome_form or OutcomeForm(prefix="outcome")) if may_add else None,
        "validate_form": validate_form or ValidateForm(
            prefix="validate", initial={"role": case.role, "supervision": case.supervision,
                                        "trainer_position": case.trainer_position}),
        "reject_form": reject_form or RejectForm(prefix="reject"),
        "clear_draft": draft_key(user) if own and request.session.pop(CLEAR_DRAFT, False) else "",
    }, status=status)


@login_required
def case_detail(request, pk: int):
    return _detail(request, get_visible_or_404(selectors.cases_visible_to(request.user), pk))


@login_required
@require_POST
def case_submit(request, pk: int):
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk)
    _submit(request, case)
    return redirect("accreditation:logbook-case", case.pk)


@login_required
@require_POST
def case_withdraw(request, pk: int):
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk)
    services.case_withdraw(case=case, actor=request.user)
    messages.success(request, "Withdrawn: the case is a draft again. Change it and submit it when you are ready.")
    return redirect("accreditation:logbook-case", case.pk)


@login_required
def case_delete(request, pk: int):
    case = _own_editable(request, pk)
    if request.method == "POST":
        services.case_delete(case=case, actor=request.user)
        messages.success(request, f"The {case.procedure.name} case of {case.date:%-d %B %Y} is deleted.")
        return redirect("accreditation:logbook")
    return render(request, "accreditation/logbook/case_delete.html", {"case": case})


def _back(request, case: Case):
    if request.POST.get("next") == "queue":
        return redirect("accreditation:logbook-queue")
    return redirect("accreditation:logbook-case", case.pk)


@login_required
@require_POST
def case_validate(request, pk: int):
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk)
    form = ValidateForm(request.POST, prefix="validate")
    response = submit_form(
        request, form, lambda data: services.case_validate(case=case, actor=request.user, **data),
        success=lambda validated: f"Validated: {validated.trainee.full_name}, {validated.procedure.name} of "
                                  f"{validated.date:%-d %B %Y}.",
        then=lambda validated: _back(request, validated))
    if response:
        return response
    return _detail(request, case, validate_form=form, status=form_status(request))


@login_required
@require_POST
def case_outcome(request, pk: int):
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk)
    form = OutcomeForm(request.POST, prefix="outcome")
    response = submit_form(
        request, form, lambda data: services.case_outcome_add(case=case, actor=request.user, data=data),
        success=lambda outcome: f"The {outcome.followup_days}-day outcome is added.",
        then=lambda outcome: redirect("accreditation:logbook-case", case.pk))
    if response:
        return response
    return _detail(request, case, outcome_form=form, status=form_status(request))


@login_required
@require_POST
def case_reject(request, pk: int):
    case = get_visible_or_404(selectors.cases_visible_to(request.user), pk)
    form = RejectForm(request.POST, prefix="reject")
    response = submit_form(
        request, form, lambda data: services.case_reject(case=case, actor=request.user, reason=data["reason"]),
        success=lambda returned: f"Returned to {returned.trainee.full_name}: {returned.procedure.name} of "
                                 f"{returned.date:%-d %B %Y}.",
        then=lambda returned: _back(request, returned))
    if response:
        return response
    return _detail(request, case, reject_form=form, status=form_status(request))


@login_required
@require_POST
def simulator_session_verify(request, pk: int):
    session = get_visible_or_404(selectors.simulator_sessions_visible_to(request.user), pk)
    verified = services.simulator_session_verify(session=session, actor=request.user)
    messages.success(request, f"Verified: {verified.trainee.full_name}, {verified.exercise_name} of "
                              f"{verified.date:%-d %B %Y}.")
    return redirect("accreditation:logbook-queue")


@login_required
@require_POST
def elearning_completion_verify(request, pk: int):
    from curriculum.selectors import elearning_completions_visible_to

    completion = get_visible_or_404(elearning_completions_visible_to(request.user), pk)
    verified = verification.elearning_completion_verify(completion=completion, actor=request.user)
    messages.success(request, f"Verified: {verified.trainee.full_name}, {completion.component.title} completed on "
                              f"{verified.completed_on:%-d %B %Y}.")
    return redirect("accreditation:logbook-queue")


# --- My logbook (and a trainee's, for those who may read it) ---------------------------------

def _labelled(counts: dict, choices) -> list[tuple[str, int]]:
    return [(label, counts[code]) for code, label in choices if counts.get(code)]


@login_required
def logbook(request, trainee_id: int | None = None):
    user = request.user
    if trainee_id is None:
        trainee = user
    else:
        trainee = get_visible_or_404(trainees_visible_to(user), trainee_id)
    cases = selectors.cases_visible_to(user).filter(trainee=trainee).prefetch_related(None)
    filterset = LogbookFilter(request.GET or None, queryset=cases)
    filtered = filterset.qs
    summary = selectors.logbook_summary(filtered)
    totals = summary["validated"]
    page = Paginator(filtered, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    own = trainee.pk == user.pk
    export = reverse("case-export") + ("" if own else f"?trainee={trainee.pk}")
    return render(request, "accreditation/logbook/logbook.html", {
        "trainee": trainee, "own": own, "filter_form": filterset.form, "page": page,
        "query": query.urlencode(), "filtered": bool(filterset.is_bound and any(
            v for k, v in request.GET.items() if k != "page")),
        "summary": summary, "totals": totals,
        "by_role": _labelled(totals["by_role"], CaseRole.choices),
        "by_platform": _labelled(totals["by_platform"], Platform.choices),
        "export_url": export,
        "curve_url": reverse("accreditation:logbook-curve") + ("" if own else f"?trainee={trainee.pk}"),
        "can_log": own and policies.can_log(user),
    })


# --- The trainer's validation queue ----------------------------------------------------------

def _ids(values) -> list[int]:
    return [int(v) for v in values if v.isdigit()][:QUEUE_PAGE_SIZE * 2]


@login_required
def queue(request):
    """Cases waiting for the trainer's validation, oldest first; validate several at once."""
    user = request.user
    require_role(user, Role.TRAINER)
    if request.method == "POST":
        ids = _ids(request.POST.getlist("cases"))
        if not ids:
            messages.error(request, "Select at least one case to validate.")
            return redirect("accreditation:logbook-queue")
        visible = selectors.cases_visible_to(user)
        names = {case.pk: f"{case.trainee.full_name}, {case.procedure.name} of {case.date:%-d %b %Y}"
                 for case in visible.filter(pk__in=ids).prefetch_related(None)}
        items = [{"id": pk, "role": request.POST.get(f"role_{pk}") or None,
                  "supervision": request.POST.get(f"supervision_{pk}") or None} for pk in ids]
        results = services.cases_validate_batch(actor=user, items=items, visible=visible)
        request.session[BATCH_RESULTS] = [
            {"id": r.id, "ok": r.ok, "case": names.get(r.id, f"Case {r.id}"), "error": r.error or ""}
            for r in results]
        return redirect("accreditation:logbook-queue")
    page = Paginator(selectors.validation_queue(user).prefetch_related(None), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page"))
    trainees = (trainees_visible_to(user).exclude(pk=user.pk)
                .filter(groups__name=Role.TRAINEE).order_by("full_name", "id"))
    # Self-reported simulator sessions wait beside the cases: only verified ones count.
    sessions = list(selectors.verification_queue(user)[:QUEUE_PAGE_SIZE])
    completions = list(selectors.elearning_verification_queue(user)[:QUEUE_PAGE_SIZE])
    return render(request, "accreditation/logbook/queue.html", {
        "page": page, "results": request.session.pop(BATCH_RESULTS, None), "sessions": sessions,
        "completions": completions,
        "roles": SHORT_ROLES, "supervisions": [(code, code) for code in Supervision.values],
        "supervision_codes": Supervision.choices, "trainees": trainees,
    })


# --- Import -----------------------------------------------------------------------------------

def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@login_required
def import_page(request):
    """Upload, see a dry-run preview with every row's errors, then confirm (all or nothing)."""
    user = request.user
    require_role(user, Role.TRAINEE)
    result = None
    token = ""
    if request.method == "POST" and "confirm" in request.POST:
        form = ImportForm()
        stored = request.session.get(IMPORT_FILE)
        if not stored or stored["digest"] != request.POST.get("confirm"):
            messages.error(request, "That preview has expired: upload the file again.")
            return redirect("accreditation:logbook-import")
        result = import_cases(trainee=user, actor=user, file_bytes=stored["text"].encode(), dry_run=False)
        if result.ok:
            del request.session[IMPORT_FILE]
            messages.success(request, f"{result.imported} case{'s' if result.imported != 1 else ''} "
                                      "imported as drafts: submit them for validation.")
            return redirect("accreditation:logbook")
    else:
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            content = form.cleaned_data["file"].read()
            try:
                result = import_cases(trainee=user, actor=user, file_bytes=content, dry_run=True)
            except ApplicationError as exc:
                add_errors(form, exc)
            else:
                if result.ok:
                    text = content.decode("utf-8-sig")
                    token = _digest(text)
                    request.session[IMPORT_FILE] = {"text": text, "digest": token}
                else:
                    request.session.pop(IMPORT_FILE, None)
    failed = bool(form.errors) or (result is not None and not result.ok)
    return render(request, "accreditation/logbook/import.html", {
        "form": form, "result": result, "token": token, "columns": COLUMNS,
        "rows_with_errors": [r for r in result.rows if r.errors] if result else [],
    }, status=400 if failed else 200)


@login_required
@require_GET
def import_template(request):
    response = HttpResponse(csv_text(COLUMNS, []), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rastrack-logbook-template.csv"'
    return response


# --- Learning curve ---------------------------------------------------------------------------

def _console_procedures(user: User, trainee: User) -> list[Procedure]:
    """The procedures the trainee has console cases of (that the user may see), most first."""
    counts = dict(selectors.cases_visible_to(user).filter(trainee=trainee, role__in=CONSOLE_ROLES)
                  .order_by().values_list("procedure_id").annotate(n=Count("id")).values_list("procedure_id", "n"))
    found = list(Procedure.objects.filter(pk__in=list(counts)))
    for procedure in found:
        procedure.console_cases = counts[procedure.pk]
    return sorted(found, key=lambda p: (-p.console_cases, p.name))


@login_required
def learning_curve(request):
    """Console time by case number and its CUSUM, per procedure, as a chart and a table."""
    user = request.user
    trainee_id = request.GET.get("trainee", "")
    trainee = user if trainee_id in ("", str(user.pk)) else get_visible_or_404(
        trainees_visible_to(user), trainee_id)
    procedures = _console_procedures(user, trainee)
    wanted = request.GET.get("procedure", "")
    chosen = next((p for p in procedures if str(p.pk) == wanted), procedures[0] if procedures else None)
    curve = selectors.learning_curve_of(trainee=trainee, procedure_id=chosen.pk) if chosen else None
    points = curve.points if curve else []
    end = learning_phase_cases(points)
    chart = chart_data(chosen.name if chosen else "", points)
    excluded = [(selectors.EXCLUSION_REASONS[reason], n) for reason, n in (curve.excluded.items() if curve else [])]
    trainees = None
    if user.has_role(Role.TRAINER, Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN):
        trainees = list(trainees_visible_to(user).exclude(pk=user.pk)
                        .filter(groups__name=Role.TRAINEE).order_by("full_name", "id"))
    return render(request, "accreditation/logbook/curve.html", {
        "trainee": trainee, "own": trainee.pk == user.pk, "procedures": procedures, "chosen": chosen,
        "points": points, "end": end, "chart": chart, "trainees": trainees, "excluded": excluded,
        "stay": DEFAULT_STAY,
        "user_is_trainee": user.has_role(Role.TRAINEE),
        "mean": round(sum(p.console_minutes for p in points) / len(points)) if points else None,
    })


def _elogbook_choices(request, stored: dict) -> None:
    """The trainee's procedure and site choices for unmapped texts, kept across previews."""
    for kind in ("procedures", "sites"):
        prefix = "procedure" if kind == "procedures" else "site"
        for key, text in request.POST.items():
            if key.startswith(f"{prefix}_text_"):
                chosen = request.POST.get(f"{prefix}_{key.rsplit('_', 1)[-1]}", "")
                if chosen.isdigit():
                    stored[kind][text] = int(chosen)


@login_required
def elogbook_import_page(request):
    """Upload an eLogbook export, see every row's status, map unmatched procedures and sites,
    choose the rows (robotic ones by default), import them as drafts or submitted."""
    user = request.user
    require_role(user, Role.TRAINEE)
    form = ELogbookImportForm(request.POST or None, request.FILES or None)
    stored = request.session.get(ELOGBOOK_FILE)
    preview, status = None, 200
    if request.method == "POST" and "file" in request.FILES:
        if form.is_valid():
            content = form.cleaned_data["file"].read()
            stored = {"content": base64.b64encode(content).decode(), "procedures": {}, "sites": {},
                      "platform": form.cleaned_data["platform"],
                      "include_non_robotic": form.cleaned_data["include_non_robotic"]}
        else:
            stored, status = None, 400
    elif request.method == "POST" and stored is None:
        messages.error(request, "That preview has expired: upload the file again.")
        return redirect("accreditation:logbook-import-elogbook")
    if request.method == "POST" and stored is not None:
        _elogbook_choices(request, stored)
        options = {"procedures": stored["procedures"], "sites": stored["sites"], "platform": stored["platform"],
                   "include_non_robotic": stored["include_non_robotic"]}
        if "rows_chosen" in request.POST:
            options["rows"] = [int(r) for r in request.POST.getlist("row") if r.isdigit()]
        content = base64.b64decode(stored["content"])
        try:
            if request.POST.get("action") in ("draft", "submitted"):
                preview = elogbook.elogbook_import(trainee=user, actor=user, content=content,
                                                   submit=request.POST["action"] == "submitted", **options)
            else:
                preview = elogbook.elogbook_preview(trainee=user, actor=user, content=content, **options)
        except ApplicationError as exc:
            if exc.status_code != 400:
                raise
            add_errors(form, exc)
            stored, status = None, 400
        if preview is not None and not preview.dry_run:
            request.session.pop(ELOGBOOK_FILE, None)
            messages.success(request, f"{preview.imported} case{'s' if preview.imported != 1 else ''} imported "
                                      f"from the eLogbook.")
            return redirect("accreditation:logbook")
        if stored is not None:
            request.session[ELOGBOOK_FILE] = stored
        else:
            request.session.pop(ELOGBOOK_FILE, None)
    return render(request, "accreditation/logbook/import_elogbook.html", {
        "form": form, "preview": preview, "mapping": elogbook.default_mapping(),
        "procedures": Procedure.objects.order_by("name"), "sites": Site.objects.order_by("name"),
    }, status=status)
