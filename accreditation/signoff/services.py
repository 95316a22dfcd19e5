"""Writes for assessments and sign-off. Every rule lives here; the API, the pages and the
demo seeder all call these, so no door skips one.

Assessments (`assessment_create`): a trainer who may supervise the trainee (today, and on
the assessment's date) rates them with a tool; or a trainee rates one of their own cases
(a self-assessment). Scores are checked against the tool's domains and scale. Immutable.

Sign-off requests, a small state machine (anything else is a 409)::

    pending --approve (the trainer)--> approved --reverse (a programme admin)--> reversed
    pending --return (the trainer, with feedback)--> returned
    pending --withdraw (the trainee)--> withdrawn

One pending or approved request per trainee and target (`target_key`: a competency by its
stable key, so a v2 competency is the same target as v1; a component by its stable key;
a final sign-off by enrolment): a second one is a 409, by this check and by a conditional
unique constraint in the database. The trainer must be able to supervise the trainee when
the request is made (400 on `trainer`) and when it is decided (403). Nobody signs off their
own evidence (403). Each write is audited in the trainee's portfolio stream and notifies the
other side through the outbox (`notify`, idempotent keys `signoff.new:<id>`,
`signoff.decided:<id>`, `signoff.reversed:<id>`, `signoff.withdrawn:<id>`, `assessment.new:<id>`).

Hooks for later issues: `on_final_signoff_approved(listener)` and
`on_final_signoff_reversed(listener)`; listeners run inside the decision's transaction
with `(request=..., actor=...)`, so a certificate can be issued (or revoked) atomically.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accreditation.faculty.eligibility import can_supervise
from accreditation.logbook.models import Case, SimulatorSession
from accreditation.signoff import policies, summaries
from accreditation.signoff import xapi as signoff_xapi
from accreditation.signoff.assessment_checks import (
    AssessmentInvalid,
    assessment_scores_check,
    competency_check,
    level_check,
    mode_check,
    resolve_tool,
    step_levels_check,
)
from accreditation.signoff.models import (
    Assessment,
    AssessmentStep,
    SignoffRequest,
    SignoffStatus,
    SignoffTarget,
)
from accreditation.signoff.selectors import (
    EVIDENCE_CASE_STATUSES,
    blocking_request_for,
    signoff_rules,
    trainers_for_request,
)
from curriculum.models import (
    Competency,
    Component,
    ComponentKind,
    ELearningCompletion,
    Enrolment,
    EnrolmentStatus,
)
from rastrack.accounts.models import User
from rastrack.audit.services import audit_record, portfolio_stream, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.free_text import free_text_into
from rastrack.core.permissions import refuse_unless
from rastrack.notifications.services import notify

MAX_EVIDENCE = 200

SIGNOFF_FIELDS = ["status", "decided_at", "decided_by", "feedback", "reversed_at", "reversed_by",
                  "reversal_reason", "withdrawn_at"]

Listener = Callable[..., None]
_final_approved_listeners: list[Listener] = []
_final_reversed_listeners: list[Listener] = []


def on_final_signoff_approved(listener: Listener) -> Listener:
    """Call `listener(request=..., actor=...)` inside the transaction that approves a final
    sign-off (e.g. to issue the certificate and complete the enrolment). Idempotent."""
    if listener not in _final_approved_listeners:
        _final_approved_listeners.append(listener)
    return listener


def on_final_signoff_reversed(listener: Listener) -> Listener:
    """Call `listener(request=..., actor=...)` inside the transaction that reverses an
    approved final sign-off (e.g. to revoke its certificate). Idempotent."""
    if listener not in _final_reversed_listeners:
        _final_reversed_listeners.append(listener)
    return listener


# --- Helpers ---------------------------------------------------------------------------------------


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(errors=errors)


def _pk(value) -> Any:
    return getattr(value, "pk", value)



# --- Assessments -----------------------------------------------------------------------------------


@transaction.atomic
def assessment_create(*, actor: User, trainee: User, tool, scores, case: Case | int | None = None,
                      date: datetime.date | None = None, feedback: str = "",
                      mode: str | None = None, entrustment=None, step_entrustment=None, competency=None,
                      today: datetime.date | None = None) -> Assessment:
    """Record an assessment: a trainer's of a trainee, or a trainee's self-assessment of one
    of their own cases (`trainee` is the actor). `date` defaults to the case's date, or today.

    403: a trainer who may not supervise the trainee today, or a person who is neither.
    400 per field: unknown tool, case not the trainee's (or a draft), date in the future or
    when the trainer could not supervise, feedback with patient data, scores per domain.
    409: the case already rated by the actor with the tool; a self-assessment once the
    trainer's rating of the case is final (it would not be blind).
    """
    today = today or timezone.localdate()
    is_self = actor.pk == trainee.pk
    refuse_unless(policies.refusal_to_assess(actor, trainee, on=today))

    errors: dict[str, list[str]] = {}
    tool_obj = resolve_tool(tool)
    if tool_obj is None:
        errors["tool"] = ["Unknown assessment tool: choose one from /api/v1/assessment-tools/."]
    elif not is_self and (out_of_scope := policies.refusal_for_faculty_tool(actor, tool_obj.code)):
        errors["tool"] = [out_of_scope]

    case_obj = None
    if case not in (None, ""):
        # Locked: the ratings of a case are written one at a time, so that a trainer's rating
        # and the self-rating arriving together each see the other when they count the pair
        # (the calibration summary), and a change of procedure waits for them.
        case_obj = (Case.objects.select_for_update(of=("self",)).select_related("procedure")
                    .filter(pk=_pk(case)).first())
        if case_obj is None or case_obj.trainee_id != trainee.pk:
            errors["case"] = ["Choose one of the trainee's own cases." if not is_self
                              else "Choose one of your own cases."]
            case_obj = None
        elif case_obj.status not in EVIDENCE_CASE_STATUSES:
            errors["case"] = ["Only a submitted or validated case can be rated: a draft or returned case "
                              "may still change."]
            case_obj = None
    elif is_self:
        errors["case"] = ["A self-assessment rates one of your own cases: choose the case."]

    if (case_obj is not None and not is_self
            and not can_supervise(actor, trainee, on=today, platform=case_obj.platform)):
        raise NotPermitted(f"Your trainer accreditation does not cover the {case_obj.get_platform_display()}: "
                           "a trainer accredited on it assesses this case.")
    if date is None:
        date = case_obj.date if case_obj is not None else today
    if date > today:
        errors.setdefault("date", []).append("The date cannot be in the future.")
    elif not is_self and date != today and not can_supervise(actor, trainee, on=date):
        errors.setdefault("date", []).append("You could not supervise this trainee on that date.")

    feedback = free_text_into(errors, "feedback", feedback)
    mode = mode_check(mode, errors)
    level = level_check(entrustment, errors, "entrustment")
    step_levels = step_levels_check(step_entrustment, case_obj, errors)
    competency_obj = competency_check(competency, errors)
    clean, score_errors = ({}, {}) if tool_obj is None else assessment_scores_check(tool=tool_obj, scores=scores)
    if errors or score_errors:
        if set(score_errors) == {"scores"}:
            errors.setdefault("scores", []).extend(score_errors.pop("scores"))
        raise AssessmentInvalid(errors, score_errors)

    # The case's ratings with this tool, read once: the two checks below and the calibration
    # summary's before-and-after of the group.
    group = summaries.rated_group(case_obj.pk, tool_obj.pk) if case_obj is not None else []
    if case_obj is not None:
        if any(r.assessor_id == actor.pk for r in group):
            raise Conflict(f"You have already rated this case with {tool_obj.name}.")
        if is_self and any(not r.is_self and r.blind_until is not None and r.blind_until <= today for r in group):
            raise Conflict("Your trainer's rating of this case is already open to you, so a self-assessment "
                           "now would not be blind. Rate your next case before you read the trainer's.")

    window = signoff_rules().blind_window_days
    assessment = Assessment(
        trainee=trainee, assessor=actor, tool=tool_obj, case=case_obj, date=date, is_self=is_self,
        scores=clean, total=sum(clean.values()), feedback=feedback, mode=mode, entrustment=level,
        competency=competency_obj, blind_until=(today + datetime.timedelta(days=window)) if (case_obj and not is_self) else None,
    )
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:
        raise Conflict(f"You have already rated this case with {tool_obj.name}.") from None
    if case_obj is not None:
        summaries.calibration_rated(group, assessment, procedure=case_obj.procedure)
    AssessmentStep.objects.bulk_create(
        AssessmentStep(assessment=assessment, step_id=step_id, level=step_level)
        for step_id, step_level in step_levels.items())
    audit_record(actor=actor, action="assessment.self_create" if is_self else "assessment.create",
                 obj=assessment, stream=portfolio_stream(trainee.pk),
                 after={**snapshot(assessment), "step_entrustment": {str(k): v for k, v in step_levels.items()}})
    if not is_self:
        _notify_assessed(assessment)
    signoff_xapi.assessment_recorded(assessment)
    return assessment


def _notify_assessed(assessment: Assessment) -> None:
    """Tell the trainee (never the scores: they may be blinded)."""
    tool = assessment.tool.name
    body = f"{assessment.assessor.full_name} assessed you with {tool}."
    if assessment.case_id:
        body += (f" It rates your {assessment.case.procedure.name} case of {assessment.case.date:%-d %B %Y}. "
                 f"Rate the case yourself to compare blind: the scores open to you when you do, or from "
                 f"{assessment.blind_until:%-d %B %Y}.")
    notify(recipient=assessment.trainee, kind="assessment.new", subject=f"New {tool} assessment",
           body=body, key=f"assessment.new:{assessment.pk}",
           link=reverse("accreditation:assessment", args=[assessment.pk]))


# --- Sign-off requests: making one -----------------------------------------------------------------


def _own_ids(model, ids: Iterable, *, trainee: User, field: str, label: str, errors: dict,
             owner_field: str = "trainee_id", extra=None) -> list:
    ids = list(dict.fromkeys(ids or []))
    if len(ids) > MAX_EVIDENCE:
        errors.setdefault(field, []).append(f"Attach at most {MAX_EVIDENCE}.")
        return []
    wanted = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
    bad = [i for i in ids if i not in wanted]
    rows = model.objects.filter(pk__in=wanted, **{owner_field: trainee.pk})
    if extra is not None:
        rows = rows.filter(**extra)
    found = set(rows.values_list("pk", flat=True))
    bad += [i for i in wanted if i not in found]
    if bad:
        errors.setdefault(field, []).append(
            f"Not your own {label}: {', '.join(map(str, bad))}. Attach only your own evidence.")
    return [i for i in wanted if i in found]


def _resolve_target(*, trainee: User, competency, component, enrolment, errors: dict
                    ) -> tuple[str, Competency | Component | Enrolment | None]:
    given = [(name, value) for name, value in
             (("competency", competency), ("component", component), ("enrolment", enrolment))
             if value not in (None, "")]
    if len(given) != 1:
        errors.setdefault("non_field_errors", []).append(
            "Give exactly one target: a competency, a module component, or an enrolment (its final sign-off).")
        return "", None
    name, value = given[0]
    pk = _pk(value)
    if name == "competency":
        return SignoffTarget.COMPETENCY, competency_check(pk, errors)
    if name == "component":
        obj = Component.objects.select_related("module", "module__pathway").filter(pk=pk).first()
        live_pathways = Enrolment.objects.filter(
            trainee=trainee, status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED]).values("pathway_id")
        if obj is None or not Component.objects.filter(pk=obj.pk, module__pathway_id__in=live_pathways).exists():
            errors["component"] = [f"No component with id {pk} in a pathway you are enrolled on."]
            return SignoffTarget.COMPONENT, None
        if obj.kind == ComponentKind.FINAL_SIGNOFF:
            errors["component"] = ["For the final sign-off of a pathway, give your enrolment instead."]
            return SignoffTarget.COMPONENT, None
        return SignoffTarget.COMPONENT, obj
    obj = Enrolment.objects.select_related("pathway", "trainee").filter(pk=pk, trainee=trainee).first()
    if obj is None:
        errors["enrolment"] = [f"No enrolment of yours with id {pk}."]
    elif obj.status != EnrolmentStatus.ACTIVE:
        errors["enrolment"] = [f"This enrolment is {obj.get_status_display().lower()}: only an active "
                               "training can be signed off."]
        obj = None
    return SignoffTarget.FINAL, obj


def target_key_of(target: str, obj) -> str:
    if target == SignoffTarget.COMPETENCY:
        return f"competency:{obj.key}"
    if target == SignoffTarget.COMPONENT:
        return f"component:{obj.key}"
    return f"enrolment:{obj.pk}"


def _unmet_except_final(enrolment: Enrolment) -> list[str]:
    from curriculum.progress import progress_for

    progress = progress_for(enrolment)
    if progress.all_met_except_final():
        return []
    return [f"{item.requirement.component.title}: {item.requirement}" for item in progress.unmet()
            if item.requirement.type != "final_signoff"]


def _final_too_early_message(unmet: list[str]) -> str:
    listed = "; ".join(unmet[:5]) + ("; ..." if len(unmet) > 5 else "")
    return (f"The final sign-off can be asked for once every other requirement of the pathway is met; "
            f"{len(unmet)} still {'is' if len(unmet) == 1 else 'are'} not: {listed}.")


@transaction.atomic
def signoff_request_create(*, trainee: User, trainer: User | int | None, competency=None, component=None,
                           enrolment=None, evidence_cases: Iterable[int] = (),
                           evidence_simulator_sessions: Iterable[int] = (),
                           evidence_assessments: Iterable[int] = (),
                           evidence_elearning_completions: Iterable[int] = (),
                           note: str = "", now: datetime.datetime | None = None) -> SignoffRequest:
    """A trainee (the caller) asks a trainer who may supervise them to sign off one target.

    403: not a trainee, or asking themself. 400 per field: the target, the trainer (must be
    able to supervise the trainee today), evidence that is not the trainee's own, a final
    sign-off before every other requirement is met. 409: a pending or approved request for
    the same target exists.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    trainer_obj = trainer if isinstance(trainer, User) else User.objects.filter(pk=_pk(trainer)).first()
    refuse_unless(policies.refusal_to_request_signoff(trainee, trainer_obj))

    errors: dict[str, list[str]] = {}
    target, obj = _resolve_target(trainee=trainee, competency=competency, component=component,
                                  enrolment=enrolment, errors=errors)
    if trainer_obj is None or not can_supervise(trainer_obj, trainee, on=today):
        names = ", ".join(f"{t.full_name} ({t.pk})" for t in trainers_for_request(trainee)) or "none yet"
        errors["trainer"] = [f"Ask a trainer who may supervise you today (yours: {names})."]
    elif obj is not None:
        field = {"competency": "competency", "component": "component", "final": "enrolment"}.get(target)
        out_of_scope = policies.refusal_for_faculty_scope(trainer_obj, **{field: obj}) if field else None
        if out_of_scope:
            errors["trainer"] = [out_of_scope]
    cases = _own_ids(Case, evidence_cases, trainee=trainee, field="evidence_cases", label="submitted or "
                     "validated cases", errors=errors, extra={"status__in": EVIDENCE_CASE_STATUSES})
    sessions = _own_ids(SimulatorSession, evidence_simulator_sessions, trainee=trainee,
                        field="evidence_simulator_sessions", label="simulator sessions", errors=errors)
    assessments = _own_ids(Assessment, evidence_assessments, trainee=trainee, field="evidence_assessments",
                           label="assessments", errors=errors)
    completions = _own_ids(ELearningCompletion, evidence_elearning_completions, trainee=trainee,
                           field="evidence_elearning_completions", label="e-learning completions", errors=errors)
    note = free_text_into(errors, "note", note)
    if target == SignoffTarget.FINAL and obj is not None and "enrolment" not in errors:
        unmet = _unmet_except_final(obj)
        if unmet:
            errors["enrolment"] = [_final_too_early_message(unmet)]
    _raise(errors)

    key = target_key_of(target, obj)
    existing = blocking_request_for(trainee, key)
    if existing is not None:
        raise Conflict("This is already signed off." if existing.status == SignoffStatus.APPROVED
                       else "You already have a pending request for this; wait for the decision or withdraw it.")
    request = SignoffRequest(
        trainee=trainee, trainer=trainer_obj, target=target, target_key=key, note=note,
        competency=obj if target == SignoffTarget.COMPETENCY else None,
        component=obj if target == SignoffTarget.COMPONENT else None,
        enrolment=obj if target == SignoffTarget.FINAL else None,
        due_on=today + datetime.timedelta(days=signoff_rules().due_days), created_at=now,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:  # a concurrent request for the same target won the race
        raise Conflict("You already have a pending or approved request for this.") from None
    summaries.signoff_request_changed(None, request)
    request.evidence_cases.set(cases)
    request.evidence_simulator_sessions.set(sessions)
    request.evidence_assessments.set(assessments)
    request.evidence_elearning_completions.set(completions)
    audit_record(actor=trainee, action="signoff.request", obj=request, stream=portfolio_stream(trainee.pk),
                 after={**snapshot(request), "evidence_cases": cases, "evidence_simulator_sessions": sessions,
                        "evidence_assessments": assessments, "evidence_elearning_completions": completions})
    notify(recipient=trainer_obj, kind="signoff.new",
           subject=f"Sign-off requested by {trainee.full_name}",
           body=f"{trainee.full_name} asks you to sign off {request.target_label}. "
                f"Due by {request.due_on:%-d %B %Y}.",
           key=f"signoff.new:{request.pk}", link=_link(request))
    return request


def _link(request: SignoffRequest) -> str:
    return reverse("accreditation:signoff", args=[request.pk])


# --- Sign-off requests: deciding ------------------------------------------------------------------


def _locked(request: SignoffRequest) -> SignoffRequest:
    return (SignoffRequest.objects.select_for_update(of=("self",))
            .select_related("trainee", "trainer", "competency", "component", "component__module",
                            "enrolment", "enrolment__pathway")
            .get(pk=request.pk))


def _change(*, actor: User, action: str, request: SignoffRequest, mutate) -> None:
    before = snapshot(request, SIGNOFF_FIELDS)
    counted = summaries.signoff_contributions(request)
    mutate(request)
    request.save(update_fields=SIGNOFF_FIELDS)
    summaries.signoff_request_changed(counted, request)
    audit_record(actor=actor, action=action, obj=request, stream=portfolio_stream(request.trainee_id),
                 before=before, after=snapshot(request, SIGNOFF_FIELDS))


def _require_decider(request: SignoffRequest, actor: User, today: datetime.date) -> None:
    refuse_unless(policies.refusal_to_decide(actor, request, on=today))
    if request.status != SignoffStatus.PENDING:
        raise Conflict(f"This request is already {request.get_status_display().lower()}: a decision is final.")


def _notify_decision(request: SignoffRequest) -> None:
    verb = "approved" if request.status == SignoffStatus.APPROVED else "returned"
    body = f"{request.trainer.full_name} {verb} your request: {request.target_label}."
    if request.feedback:
        body += f"\n\nFeedback: {request.feedback}"
    notify(recipient=request.trainee, kind=f"signoff.{verb}", subject=f"Sign-off {verb}",
           body=body, key=f"signoff.decided:{request.pk}", link=_link(request))


@transaction.atomic
def signoff_request_approve(*, request: SignoffRequest, actor: User, feedback: str = "",
                            now: datetime.datetime | None = None) -> SignoffRequest:
    now = now or timezone.now()
    request = _locked(request)
    _require_decider(request, actor, timezone.localdate(now))
    errors: dict[str, list[str]] = {}
    feedback = free_text_into(errors, "feedback", feedback)
    _raise(errors)
    if request.target == SignoffTarget.FINAL:
        unmet = _unmet_except_final(request.enrolment)
        if unmet:
            raise Conflict(_final_too_early_message(unmet))

    def mutate(r):
        r.status, r.decided_at, r.decided_by, r.feedback = SignoffStatus.APPROVED, now, actor, feedback

    _change(actor=actor, action="signoff.approve", request=request, mutate=mutate)
    _notify_decision(request)
    signoff_xapi.signoff_approved(request)
    if request.target == SignoffTarget.FINAL:
        for listener in list(_final_approved_listeners):
            listener(request=request, actor=actor)
    return request


@transaction.atomic
def signoff_request_return(*, request: SignoffRequest, actor: User, feedback: str,
                           now: datetime.datetime | None = None) -> SignoffRequest:
    now = now or timezone.now()
    request = _locked(request)
    _require_decider(request, actor, timezone.localdate(now))
    errors: dict[str, list[str]] = {}
    feedback = free_text_into(errors, "feedback", feedback,
                     required_message="Say what is missing or needs doing, so the trainee can act on it.")
    _raise(errors)

    def mutate(r):
        r.status, r.decided_at, r.decided_by, r.feedback = SignoffStatus.RETURNED, now, actor, feedback

    _change(actor=actor, action="signoff.return", request=request, mutate=mutate)
    _notify_decision(request)
    return request


@transaction.atomic
def signoff_request_reverse(*, request: SignoffRequest, actor: User, reason: str,
                            now: datetime.datetime | None = None) -> SignoffRequest:
    """A programme admin withdraws an approval: the target counts as not signed off again."""
    now = now or timezone.now()
    request = _locked(request)
    refuse_unless(policies.refusal_to_reverse(actor, request))
    if request.status != SignoffStatus.APPROVED:
        raise Conflict(f"Only an approved sign-off can be reversed; this one is "
                       f"{request.get_status_display().lower()}.")
    errors: dict[str, list[str]] = {}
    reason = free_text_into(errors, "reason", reason,
                   required_message="Say why the sign-off is reversed: the trainee and trainer are told.")
    _raise(errors)

    def mutate(r):
        r.status, r.reversed_at, r.reversed_by, r.reversal_reason = SignoffStatus.REVERSED, now, actor, reason

    _change(actor=actor, action="signoff.reverse", request=request, mutate=mutate)
    for recipient, key in ((request.trainee, f"signoff.reversed:{request.pk}"),
                           (request.trainer, f"signoff.reversed.trainer:{request.pk}")):
        notify(recipient=recipient, kind="signoff.reversed", subject="Sign-off reversed",
               body=f"A programme admin reversed the sign-off of {request.target_label} "
                    f"({request.trainee.full_name}): {reason}",
               key=key, link=_link(request))
    if request.target == SignoffTarget.FINAL:
        for listener in list(_final_reversed_listeners):
            listener(request=request, actor=actor)
    return request


@transaction.atomic
def signoff_request_withdraw(*, request: SignoffRequest, actor: User,
                             now: datetime.datetime | None = None) -> SignoffRequest:
    """The trainee takes back a pending request (e.g. to ask another trainer)."""
    now = now or timezone.now()
    request = _locked(request)
    refuse_unless(policies.refusal_to_withdraw(actor, request))
    if request.status != SignoffStatus.PENDING:
        raise Conflict(f"Only a pending request can be withdrawn; this one is "
                       f"{request.get_status_display().lower()}.")

    def mutate(r):
        r.status, r.withdrawn_at = SignoffStatus.WITHDRAWN, now

    _change(actor=actor, action="signoff.withdraw", request=request, mutate=mutate)
    notify(recipient=request.trainer, kind="signoff.withdrawn", subject="Sign-off request withdrawn",
           body=f"{request.trainee.full_name} withdrew the request: {request.target_label}.",
           key=f"signoff.withdrawn:{request.pk}", link=_link(request))
    return request


def evidence_ids(request: SignoffRequest) -> dict[str, list[int]]:
    """The request's evidence as ids by kind (uses the prefetched rows when present)."""
    return {name: [row.pk for row in getattr(request, name).all()] for name in (
        "evidence_cases", "evidence_simulator_sessions", "evidence_assessments",
        "evidence_elearning_completions")}


__all__ = [
    "AssessmentInvalid", "assessment_create", "assessment_scores_check", "evidence_ids",
    "on_final_signoff_approved", "on_final_signoff_reversed", "signoff_request_approve",
    "signoff_request_create", "signoff_request_return", "signoff_request_reverse",
    "signoff_request_withdraw", "target_key_of",
]
