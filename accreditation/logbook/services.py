"""Writes for the logbook: logging, editing, submitting, validating and rejecting cases.

Every field rule lives in `case_check`, which the API, the web form and the CSV import all
go through, so a rule cannot be skipped by choosing another door.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accreditation.faculty.eligibility import (
    can_supervise,
    educational_supervisor_of,
    is_assigned_proctor,
    platform_trainer_of,
)
from accreditation.logbook import policies, simulation, summaries
from accreditation.logbook.case_watchers import procedure_changing
from accreditation.logbook.evidence_locks import evidence_lock_refusal
from accreditation.logbook.models import (
    CONSOLE_ROLES,
    EDITABLE_STATUSES,
    Case,
    CaseOutcome,
    CaseRole,
    CaseSource,
    CaseStatus,
    CaseStep,
    PassRule,
    Provenance,
    SimulatorExercise,
    SimulatorImportFile,
    SimulatorSession,
    StepRole,
    Supervision,
    TrainerPosition,
)
from accreditation.logbook.semantics import contradictions
from accreditation.logbook.verification import verify_evidence
from accreditation.logbook.xapi import case_validated
from rastrack.accounts.models import User
from rastrack.audit.services import audit_record, audited, portfolio_stream
from rastrack.core.exceptions import ApplicationError, Conflict
from rastrack.core.permissions import refuse_unless
from rastrack.notifications.services import notify
from rastrack.reference.models import ProcedureStep

CASE_FIELDS = [
    "date", "site", "platform", "procedure", "role", "supervision", "console_minutes",
    "docking_minutes", "total_minutes", "conversion", "complication_grade", "supervisor",
    "supervisor_name", "case_reference", "notes", "trainer_position", "asa_grade", "urgency", "proctor",
]


@dataclass(frozen=True)
class StepEntry:
    step: ProcedureStep
    role: str = StepRole.CONSOLE
    takeover: bool = False
    console_minutes: int | None = None


def _errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(errors=errors)


def case_validator(*, trainee: User, supervisor: User | None, date: datetime.date,
                   platform: str | None = None) -> User | None:
    """Who validates a case: the named supervisor when that trainer may supervise the
    trainee on the case date and is accredited for its platform; otherwise the trainee's
    current educational supervisor, or another assigned trainer, accredited for it."""
    if supervisor is not None and can_supervise(supervisor, trainee, on=date, platform=platform):
        return supervisor
    if not platform:
        return educational_supervisor_of(trainee, on=timezone.localdate())
    return platform_trainer_of(trainee, platform=platform, on=timezone.localdate())


MAX_NOTES = 5000
MAX_STEP_MINUTES = 600


def case_check(*, trainee: User, data: dict[str, Any], steps: list[StepEntry],
               instance: Case | None = None) -> Case:
    """Apply every field rule; return an unsaved Case, or raise ApplicationError per field."""
    case = instance or Case(trainee=trainee)
    kept_supervisor = instance.supervisor_id if instance is not None else None
    for field in CASE_FIELDS:
        if field in data:
            setattr(case, field, data[field])
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if case.date and case.date > today:
        errors.setdefault("date", []).append("The date cannot be in the future.")
    if case.role in CONSOLE_ROLES and case.console_minutes is None:
        errors.setdefault("console_minutes", []).append(
            "Enter the console time: it is required when you were the console surgeon.")
    if (case.console_minutes is not None and case.total_minutes is not None
            and case.console_minutes > case.total_minutes):
        errors.setdefault("console_minutes", []).append(
            "Console time cannot be longer than the total operative time.")
    # A TextField has no length of its own: without this one case could carry megabytes.
    if case.notes and len(case.notes) > MAX_NOTES:
        errors.setdefault("notes", []).append(f"Keep the notes to {MAX_NOTES} characters at most.")
    if case.supervisor_id and case.supervisor_name.strip():
        errors.setdefault("supervisor_name", []).append(
            "Give either a registered supervisor or the name of one who is not registered, not both.")
    supervisor_refusal = policies.refusal_to_name_supervisor(trainee, case.supervisor_id, on=case.date,
                                                            kept=kept_supervisor)
    if supervisor_refusal:
        errors.setdefault("supervisor", []).append(supervisor_refusal)
    if case.proctor_id:
        if case.proctor_id == trainee.pk:
            errors.setdefault("proctor", []).append("You cannot proctor your own case.")
        elif case.date and not is_assigned_proctor(case.proctor, trainee, on=case.date):
            errors.setdefault("proctor", []).append(
                "This person was not your assigned proctor on the case date: name the proctor "
                "assigned to you, or leave it empty.")
    if case.role and case.supervision:
        for field, messages in contradictions(role=case.role, code=case.supervision,
                                              position=case.trainer_position or "",
                                              proctored=bool(case.proctor_id)).items():
            errors.setdefault(field, []).extend(messages)
    procedure_id = case.procedure_id
    seen: set[int] = set()
    # A retired step stays on the cases logged with it, and new ones see the current steps only.
    logged_with = set(CaseStep.objects.filter(case=instance).values_list("step_id", flat=True)) if (
        instance is not None and instance.pk and any(e.step.retired_in is not None for e in steps)) else set()
    step_minutes = 0
    for entry in steps:
        if entry.role != StepRole.CONSOLE and (entry.takeover or entry.console_minutes is not None):
            errors.setdefault("steps", []).append(
                f"“{entry.step.name}”: a takeover and console minutes belong to a step done at the console.")
        if entry.console_minutes is not None:
            if entry.console_minutes < 0 or entry.console_minutes > MAX_STEP_MINUTES:
                errors.setdefault("steps", []).append(
                    f"“{entry.step.name}”: give the step's console minutes between 0 and {MAX_STEP_MINUTES}.")
            step_minutes += max(entry.console_minutes, 0)
        if entry.step.procedure_id != procedure_id:
            errors.setdefault("steps", []).append(
                f"“{entry.step.name}” is not a step of the chosen procedure.")
        elif entry.step.retired_in is not None and entry.step.pk not in logged_with:
            errors.setdefault("steps", []).append(
                f"“{entry.step.name}” is no longer a step of this procedure: choose from its current steps.")
        elif entry.step.pk in seen:
            errors.setdefault("steps", []).append(f"“{entry.step.name}” is listed twice.")
        if entry.role not in StepRole.values:
            errors.setdefault("steps", []).append(f"Unknown step role “{entry.role}”.")
        seen.add(entry.step.pk)
    if step_minutes and case.console_minutes is not None and step_minutes > case.console_minutes:
        errors.setdefault("steps", []).append(
            f"The steps' console minutes ({step_minutes}) add up to more than the case's console time "
            f"({case.console_minutes}).")
    if (case.total_minutes is not None and case.console_minutes is not None and case.docking_minutes is not None
            and case.console_minutes + case.docking_minutes > case.total_minutes):
        errors.setdefault("total_minutes", []).append(
            "The total operative time cannot be shorter than console time plus docking time.")
    try:
        # validate_constraints=False: the CHECK constraints this could evaluate are each
        # checked above (console time) or by a field validator (docking, total), and the
        # database enforces them all again; evaluating them in Python costs a savepoint and a
        # query each on the busiest write there is.
        # Foreign keys given as instances the caller just read (the API's and the form's
        # fields fetch them) exist: checking them again costs a query each.
        fetched = [name for name in ("site", "procedure", "supervisor", "proctor")
                   if _holds_fetched(case, name)]
        case.full_clean(exclude=["trainee", "validator", "decided_by", "status", *fetched],
                        validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            key = "non_field_errors" if field == "__all__" else field
            for message in messages:
                if message not in errors.get(key, []):
                    errors.setdefault(key, []).append(message)
    _errors(errors)
    return case


def _holds_fetched(case: Case, name: str) -> bool:
    field = Case._meta.get_field(name)
    if not field.is_cached(case):
        return False
    related = field.get_cached_value(case)
    return (related is not None and related.pk is not None and not related._state.adding
            and related.pk == getattr(case, field.attname))


def _save_steps(case: Case, steps: list[StepEntry], *, new: bool = False) -> None:
    if not new:  # a new case has no steps to replace
        CaseStep.objects.filter(case=case).delete()
    CaseStep.objects.bulk_create([CaseStep(case=case, step=e.step, role=e.role, takeover=e.takeover,
                                           console_minutes=e.console_minutes) for e in steps])


def _snapshot_steps(steps: list[StepEntry]) -> list[list]:
    return [[e.step.pk, e.role, e.takeover, e.console_minutes] for e in steps]


@transaction.atomic
def case_create(*, trainee: User, actor: User, data: dict[str, Any],
                steps: list[StepEntry] | None = None, source: str = CaseSource.ENTERED) -> Case:
    """Log a case. A trainee logs for themself only. `source` marks an imported case."""
    refuse_unless(policies.refusal_to_log(actor, trainee))
    steps = steps or []
    case = case_check(trainee=trainee, data=data, steps=steps)
    case.validator = case_validator(trainee=trainee, supervisor=case.supervisor, date=case.date, platform=case.platform)
    case.source = source
    case.save()
    _save_steps(case, steps, new=True)
    summaries.case_summary_apply({}, case)  # a draft (every case but an import's) counts nothing: no query
    audit_record(actor=actor, action="case.create", obj=case, stream=portfolio_stream(trainee.pk),
                 after={**_case_values(case), "steps": _snapshot_steps(steps), "source": source})
    return case


def _case_values(case: Case) -> dict:
    return {f: getattr(case, f + "_id") if f in ("site", "procedure", "supervisor", "proctor") else getattr(case, f)
            for f in CASE_FIELDS}


def _lock(case: Case) -> Case:
    # Lock the case row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join that select_related("supervisor") makes.
    # The procedure comes with it: the case summary's key names its specialty.
    return (Case.objects.select_for_update(of=("self",)).select_related("trainee", "supervisor", "procedure")
            .get(pk=case.pk))


def _refuse_if_evidence_of_a_decision(case: Case) -> None:
    message = evidence_lock_refusal(case)
    if message:
        raise Conflict(message)


@transaction.atomic
def case_update(*, case: Case, actor: User, data: dict[str, Any],
                steps: list[StepEntry] | None = None) -> Case:
    case = _lock(case)
    refuse_unless(policies.refusal_to_change(actor, case, verb="edit"))
    if case.status == CaseStatus.VALIDATED:
        raise Conflict("A validated case is frozen: it cannot be edited.")
    if case.status == CaseStatus.SUBMITTED:
        raise Conflict("This case is awaiting validation: it can be edited again if it is returned.")
    _refuse_if_evidence_of_a_decision(case)
    before = _case_values(case)
    counted = summaries.case_contribution(case)
    case = case_check(trainee=case.trainee, data=data, steps=steps or [], instance=case)
    case.validator = case_validator(trainee=case.trainee, supervisor=case.supervisor, date=case.date,
                               platform=case.platform)
    if case.procedure_id != before["procedure"]:
        procedure_changing(case, case.procedure)
    case.save()
    if steps is not None:
        _save_steps(case, steps)
    summaries.case_summary_apply(counted, case)
    audit_record(actor=actor, action="case.update", obj=case, stream=portfolio_stream(case.trainee_id),
                 before=before, after=_case_values(case))
    return case


@transaction.atomic
def case_delete(*, case: Case, actor: User) -> None:
    case = _lock(case)
    refuse_unless(policies.refusal_to_change(actor, case, verb="delete"))
    if case.status == CaseStatus.VALIDATED:
        raise Conflict("A validated case is frozen: it cannot be deleted.")
    if case.status == CaseStatus.SUBMITTED:
        raise Conflict("This case is awaiting validation: it cannot be deleted now.")
    _refuse_if_evidence_of_a_decision(case)
    audit_record(actor=actor, action="case.delete", obj=case, stream=portfolio_stream(case.trainee_id),
                 before=_case_values(case))
    procedure_changing(case, None)
    counted = summaries.case_contribution(case)
    case.delete()
    summaries.case_summary_apply(counted, None)


@transaction.atomic
def case_submit(*, case: Case, actor: User) -> Case:
    case = _lock(case)
    refuse_unless(policies.refusal_to_change(actor, case, verb="submit"))
    if case.status not in EDITABLE_STATUSES:
        raise Conflict(f"A {case.status} case cannot be submitted.")
    validator = case_validator(trainee=case.trainee, supervisor=case.supervisor, date=case.date,
                               platform=case.platform)
    if validator is None:
        if educational_supervisor_of(case.trainee, on=timezone.localdate()) is None:
            raise ApplicationError(
                "Nobody can validate this case yet: you have no educational supervisor. "
                "Ask your regional training lead to assign one.")
        raise ApplicationError(
            f"Nobody can validate this case yet: none of your trainers is accredited on the "
            f"{case.get_platform_display()}. Ask your regional training lead to assign one who is.")
    counted = summaries.case_contribution(case)
    with audited(actor=actor, action="case.submit", instance=case,
                 fields=["status", "validator", "submitted_at"], stream=portfolio_stream(case.trainee_id)):
        case.status = CaseStatus.SUBMITTED
        case.validator = validator
        case.submitted_at = timezone.now()
        case.save(update_fields=["status", "validator", "submitted_at", "updated_at"])
    summaries.case_summary_apply(counted, case)
    return case


@transaction.atomic
def case_withdraw(*, case: Case, actor: User) -> Case:
    """The trainee takes a submitted case back to draft, until a trainer decides it (then it
    is validated or returned: 409). It leaves the validator's queue."""
    case = _lock(case)
    refuse_unless(policies.refusal_to_change(actor, case, verb="withdraw"))
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict(f"Only a submitted case can be withdrawn; this one is {case.get_status_display().lower()}.")
    counted = summaries.case_contribution(case)
    with audited(actor=actor, action="case.withdraw", instance=case,
                 fields=["status", "validator", "submitted_at"], stream=portfolio_stream(case.trainee_id)):
        case.status = CaseStatus.DRAFT
        case.validator = None
        case.submitted_at = None
        case.save(update_fields=["status", "validator", "submitted_at", "updated_at"])
    summaries.case_summary_apply(counted, case)
    return case


def _require_validator(case: Case, actor: User) -> None:
    current = case_validator(trainee=case.trainee, supervisor=case.supervisor, date=case.date,
                               platform=case.platform)
    refuse_unless(policies.refusal_to_validate(actor, case, current))
    if case.validator_id != current.pk:
        case.validator = current  # the rule's answer changed since submission (e.g. reassignment)


@transaction.atomic
def case_validate(*, case: Case, actor: User, role: str | None = None,
                  supervision: str | None = None, trainer_position: str | None = None) -> Case:
    """Validate a submitted case, confirming or correcting the role, supervision code and
    trainer position in one action, held to the same role x code x position table."""
    case = _lock(case)
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict(f"Only a submitted case can be validated; this one is {case.status}.")
    _require_validator(case, actor)
    errors = {}
    if role is not None and role not in CaseRole.values:
        errors["role"] = [f"“{role}” is not a valid role."]
    if supervision is not None and supervision not in Supervision.values:
        errors["supervision"] = [f"“{supervision}” is not a valid supervision code."]
    if trainer_position not in (None, "") and trainer_position not in TrainerPosition.values:
        errors["trainer_position"] = [f"“{trainer_position}” is not a trainer position."]
    _errors(errors)
    new_role = role or case.role
    new_code = supervision or case.supervision
    new_position = case.trainer_position if trainer_position is None else trainer_position
    _errors(contradictions(role=new_role, code=new_code, position=new_position, proctored=bool(case.proctor_id)))
    if new_role in CONSOLE_ROLES and case.console_minutes is None:
        _errors({"role": [f"Role “{new_role}” needs the case's console time, which was not logged: "
                          "return the case so that the trainee adds it."]})
    counted = summaries.case_contribution(case)
    with audited(actor=actor, action="case.validate", instance=case, stream=portfolio_stream(case.trainee_id),
                 fields=["status", "validated_role", "validated_supervision", "validated_trainer_position",
                         "disagreement", "decided_by"]):
        case.validated_role = new_role
        case.validated_supervision = new_code
        case.validated_trainer_position = new_position
        case.disagreement = (case.validated_role != case.role
                             or case.validated_supervision != case.supervision
                             or case.validated_trainer_position != case.trainer_position)
        case.status = CaseStatus.VALIDATED
        case.decided_by = actor
        case.decided_at = timezone.now()
        case.save()
    summaries.case_summary_apply(counted, case)
    case_validated(case)  # the xAPI statement, sent after commit
    _tell_validated(case, actor)
    return case


def _tell_validated(case: Case, actor: User) -> None:
    """The trainee hears that the case counts now, and, plainly, what the trainer corrected."""
    corrections = []
    if case.validated_role != case.role:
        corrections.append(f"role: {CaseRole(case.validated_role).label} (you logged {CaseRole(case.role).label})")
    if case.validated_supervision != case.supervision:
        corrections.append(f"supervision: {case.validated_supervision} (you logged {case.supervision})")
    corrected = (" They corrected the " + "; the ".join(corrections) + ". The corrected values are the ones "
                 "that count." if corrections else "")
    notify(recipient=case.trainee, kind="case.corrected" if corrections else "case.validated",
           subject=f"Your case of {case.date:%-d %B %Y} was validated{' with a correction' if corrections else ''}",
           body=(f"{actor.full_name} validated your {case.procedure.name} case of {case.date:%-d %B %Y}: it now "
                 f"counts as evidence for your progress.{corrected}"),
           link=f"/logbook/cases/{case.pk}/", key=f"case.validated:{case.pk}")


@transaction.atomic
def case_reject(*, case: Case, actor: User, reason: str) -> Case:
    case = _lock(case)
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict(f"Only a submitted case can be rejected; this one is {case.status}.")
    _require_validator(case, actor)
    if not (reason or "").strip():
        raise ApplicationError(errors={"reason": ["Say why the case is rejected, so it can be put right."]})
    counted = summaries.case_contribution(case)
    with audited(actor=actor, action="case.reject", instance=case, stream=portfolio_stream(case.trainee_id),
                 fields=["status", "rejection_reason", "decided_by"]):
        case.status = CaseStatus.REJECTED
        case.rejection_reason = reason.strip()
        case.decided_by = actor
        case.decided_at = timezone.now()
        try:
            case.full_clean(exclude=["trainee", "validator", "decided_by", "status"])
        except ValidationError as exc:
            raise ApplicationError(errors={"reason": exc.message_dict.get("rejection_reason", exc.messages)}) from None
        case.save()
    summaries.case_summary_apply(counted, case)
    notify(recipient=case.trainee, kind="case.rejected",
           subject=f"Your case of {case.date:%-d %B %Y} was returned",
           body=f"{actor.full_name} returned your {case.procedure.name} case: {case.rejection_reason}",
           link=f"/logbook/cases/{case.pk}/",
           key=f"case.rejected:{case.pk}:{case.decided_at.isoformat()}")
    return case


OUTCOME_FIELDS = ["followup_days", "complication_grade", "readmitted", "length_of_stay_days", "conversion_confirmed"]


@transaction.atomic
def case_outcome_add(*, case: Case, actor: User, data: dict[str, Any]) -> CaseOutcome:
    """Add a 30- or 90-day outcome to a validated case: an audited addendum of its own; the
    operative record (the case row) is not touched, so it stays frozen."""
    case = _lock(case)
    refuse_unless(policies.refusal_to_add_outcome(actor, case))
    if case.status != CaseStatus.VALIDATED:
        raise Conflict(f"Outcomes are added to validated cases only; this one is {case.status}.")
    outcome = CaseOutcome(case=case, recorded_by=actor, **{f: data[f] for f in OUTCOME_FIELDS if f in data})
    errors: dict[str, list[str]] = {}
    try:
        outcome.full_clean(exclude=["case", "recorded_by"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    _errors(errors)
    if CaseOutcome.objects.filter(case=case, followup_days=outcome.followup_days).exists():
        raise Conflict(f"This case already has its {outcome.followup_days}-day outcome.")
    outcome.save()
    audit_record(actor=actor, action="case.outcome_add", obj=outcome, stream=portfolio_stream(case.trainee_id),
                 after={"case": case.pk, **{f: getattr(outcome, f) for f in OUTCOME_FIELDS}})
    return outcome


@dataclass
class BatchResult:
    id: int
    ok: bool
    status: str | None = None
    error: str | None = None
    code: int = 200


def cases_validate_batch(*, actor: User, items: list[dict], visible) -> list[BatchResult]:
    """Validate several cases in one request; each succeeds or fails on its own."""
    results = []
    for item in items:
        pk = item.get("id")
        case = visible.filter(pk=pk).first() if isinstance(pk, int) else None
        if case is None:
            results.append(BatchResult(id=pk, ok=False, error="Not found.", code=404))
            continue
        try:
            case = case_validate(case=case, actor=actor, role=item.get("role"),
                                 supervision=item.get("supervision"),
                                 trainer_position=item.get("trainer_position"))
        except ApplicationError as exc:
            results.append(BatchResult(id=pk, ok=False, code=exc.status_code,
                                       error=exc.message or "; ".join(
                                           m for ms in exc.errors.values() for m in ms)))
        else:
            results.append(BatchResult(id=pk, ok=True, status=case.status))
    return results


# --- Simulator sessions ---------------------------------------------------------------------

SESSION_FIELDS = ["date", "simulator", "exercise", "exercise_name", "score", "minutes", "metrics"]


def simulator_session_check(*, trainee: User, data: dict[str, Any], provenance: str = Provenance.SELF_REPORTED,
                            import_file: SimulatorImportFile | None = None) -> SimulatorSession:
    """The one rule for a session, whichever door it comes through (the API, the import):
    the unsaved session, judged against its exercise's benchmarks now, or 400 per field."""
    data = dict(data)
    exercise: SimulatorExercise | None = data.pop("exercise", None)
    metrics = data.pop("metrics", None)
    errors: dict[str, list[str]] = {}
    session = SimulatorSession(trainee=trainee, provenance=provenance, import_file=import_file, **data)
    if exercise is None:
        # Legacy sessions (a typed exercise and score) are no longer recorded.
        errors["exercise"] = ["Choose the exercise (see /api/v1/simulator-exercises/)."]
    else:
        if not exercise.active:
            errors["exercise"] = ["This exercise is no longer in use."]
        if data.get("simulator") and data["simulator"] != exercise.simulator:
            errors["simulator"] = [f"{exercise.name} is an exercise of the "
                                   f"{exercise.get_simulator_display()}; leave the simulator out."]
        session.exercise = exercise
        session.simulator = exercise.simulator
        session.exercise_name = exercise.name
        clean, metric_errors = simulation.check_metric_values(exercise, metrics if metrics is not None else {})
        errors.update(metric_errors)
        session.metrics = clean
        if exercise.pass_rule == PassRule.OVERALL_SCORE and session.score is None:
            errors["score"] = [f"Enter the simulator's overall score: {exercise.name} passes on it."]
        session.benchmarks = simulation.benchmarks_of(exercise)
        session.meets_benchmark = simulation.meets(session.benchmarks, clean, session.score)
    if session.date and session.date > timezone.localdate():
        errors.setdefault("date", []).append("The date cannot be in the future.")
    try:
        session.full_clean(exclude=["trainee", "verified_by", "exercise", "import_file", "metrics", "benchmarks"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field not in errors:
                errors.setdefault(field, []).extend(messages)
    _errors(errors)
    return session


@transaction.atomic
def simulator_session_create(*, trainee: User, actor: User, data: dict[str, Any]) -> SimulatorSession:
    # Like cases: simulator sessions are logbook evidence, and only trainees keep a logbook.
    refuse_unless(policies.refusal_to_log(actor, trainee, what="simulator sessions"))
    session = simulator_session_check(trainee=trainee, data=data)
    session.save()
    audit_record(actor=actor, action="simulator_session.create", obj=session,
                 stream=portfolio_stream(trainee.pk), after=_session_snapshot(session))
    return session


def _session_snapshot(session: SimulatorSession) -> dict[str, Any]:
    return {"date": session.date, "exercise": session.exercise_id, "exercise_name": session.exercise_name,
            "simulator": session.simulator, "score": session.score, "minutes": session.minutes,
            "metrics": session.metrics, "meets_benchmark": session.meets_benchmark,
            "provenance": session.provenance}


def simulator_session_verify(*, session: SimulatorSession, actor: User) -> SimulatorSession:
    return verify_evidence(model=SimulatorSession, record=session, actor=actor, action="simulator_session.verify",
                           what="session")


# --- The simulator catalogue --------------------------------------------------------------------

EXERCISE_FIELDS = ["simulator", "platform", "name", "frs_task", "metrics", "pass_rule", "score_threshold", "active"]


def _exercise_check(exercise: SimulatorExercise) -> None:
    errors: dict[str, list[str]] = {}
    metric_errors = simulation.metric_definition_errors(exercise.metrics)
    if metric_errors:
        errors["metrics"] = metric_errors
    if exercise.pass_rule == PassRule.OVERALL_SCORE and exercise.score_threshold is None:
        errors["score_threshold"] = ["An exercise that passes on the overall score needs its threshold (0-100)."]
    if exercise.pass_rule == PassRule.ALL_METRICS and exercise.score_threshold is not None:
        errors["score_threshold"] = ["Leave this out: the exercise passes on its metrics."]
    try:
        exercise.full_clean(exclude=["metrics"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    _errors(errors)


@transaction.atomic
def simulator_exercise_create(*, actor: User, data: dict[str, Any]) -> SimulatorExercise:
    refuse_unless(policies.refusal_to_edit_catalogue(actor))
    exercise = SimulatorExercise(**data)
    _exercise_check(exercise)
    exercise.save()
    audit_record(actor=actor, action="simulator_exercise.create", obj=exercise,
                 after={name: getattr(exercise, name) for name in ["code", *EXERCISE_FIELDS]})
    return exercise


@transaction.atomic
def simulator_exercise_update(*, actor: User, exercise: SimulatorExercise, changes: dict[str, Any]) -> SimulatorExercise:
    """Edit an exercise (its benchmarks, say). Sessions keep the benchmarks they were judged
    against: the change applies to sessions recorded after it."""
    refuse_unless(policies.refusal_to_edit_catalogue(actor))
    exercise = SimulatorExercise.objects.select_for_update().get(pk=exercise.pk)
    unknown = sorted(set(changes) - set(EXERCISE_FIELDS))
    if unknown:
        _errors({name: ["This cannot be changed."] for name in unknown})
    if "simulator" in changes and changes["simulator"] != exercise.simulator and exercise.sessions.exists():
        raise Conflict("Sessions were recorded on this exercise: its simulator cannot change.")
    with audited(actor=actor, action="simulator_exercise.update", instance=exercise, fields=EXERCISE_FIELDS):
        for name, value in changes.items():
            setattr(exercise, name, value)
        _exercise_check(exercise)
        exercise.save()
    return exercise
