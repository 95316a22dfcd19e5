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

from accreditation.faculty.eligibility import can_supervise, educational_supervisor_of
from accreditation.logbook import policies
from accreditation.logbook.evidence_locks import evidence_lock_refusal
from accreditation.logbook.models import (
    CONSOLE_ROLES,
    EDITABLE_STATUSES,
    Case,
    CaseRole,
    CaseSource,
    CaseStatus,
    CaseStep,
    SimulatorSession,
    StepRole,
    Supervision,
)
from accreditation.logbook.xapi import case_validated
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.audit.services import audit_record, audited
from rastrack.core.exceptions import ApplicationError, Conflict
from rastrack.core.permissions import refuse_unless
from rastrack.notifications.services import notify
from rastrack.reference.models import ProcedureStep

CASE_FIELDS = [
    "date", "site", "platform", "procedure", "role", "supervision", "console_minutes",
    "docking_minutes", "total_minutes", "conversion", "complication_grade", "supervisor",
    "supervisor_name", "case_reference", "notes",
]


@dataclass(frozen=True)
class StepEntry:
    step: ProcedureStep
    role: str = StepRole.CONSOLE


def _errors(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(errors=errors)


def case_validator(*, trainee: User, supervisor: User | None, date: datetime.date) -> User | None:
    """Who validates a case: the named supervisor when that trainer may supervise the
    trainee on the case date, otherwise the trainee's current educational supervisor."""
    if supervisor is not None and can_supervise(supervisor, trainee, on=date):
        return supervisor
    return educational_supervisor_of(trainee, on=timezone.localdate())


MAX_NOTES = 5000


def case_check(*, trainee: User, data: dict[str, Any], steps: list[StepEntry],
               instance: Case | None = None) -> Case:
    """Apply every field rule; return an unsaved Case, or raise ApplicationError per field."""
    case = instance or Case(trainee=trainee)
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
    if case.supervisor_id:
        supervisor = case.supervisor
        if supervisor.pk == trainee.pk:
            errors.setdefault("supervisor", []).append("You cannot supervise your own case.")
        elif not supervisor.has_role(Role.TRAINER):
            errors.setdefault("supervisor", []).append(
                "This person is not a registered RAS trainer: give their name in supervisor_name instead.")
    procedure_id = case.procedure_id
    seen: set[int] = set()
    for entry in steps:
        if entry.step.procedure_id != procedure_id:
            errors.setdefault("steps", []).append(
                f"“{entry.step.name}” is not a step of the chosen procedure.")
        elif entry.step.pk in seen:
            errors.setdefault("steps", []).append(f"“{entry.step.name}” is listed twice.")
        if entry.role not in StepRole.values:
            errors.setdefault("steps", []).append(f"Unknown step role “{entry.role}”.")
        seen.add(entry.step.pk)
    try:
        # validate_constraints=False: the CHECK constraints this could evaluate are each
        # checked above (console time) or by a field validator (docking, total), and the
        # database enforces them all again; evaluating them in Python costs a savepoint and a
        # query each on the busiest write there is.
        case.full_clean(exclude=["trainee", "validator", "decided_by", "status"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            key = "non_field_errors" if field == "__all__" else field
            for message in messages:
                if message not in errors.get(key, []):
                    errors.setdefault(key, []).append(message)
    _errors(errors)
    return case


def _save_steps(case: Case, steps: list[StepEntry]) -> None:
    CaseStep.objects.filter(case=case).delete()
    CaseStep.objects.bulk_create([CaseStep(case=case, step=e.step, role=e.role) for e in steps])


def _snapshot_steps(steps: list[StepEntry]) -> list[list]:
    return [[e.step.pk, e.role] for e in steps]


@transaction.atomic
def case_create(*, trainee: User, actor: User, data: dict[str, Any],
                steps: list[StepEntry] | None = None, source: str = CaseSource.ENTERED) -> Case:
    """Log a case. A trainee logs for themself only. `source` marks an imported case."""
    refuse_unless(policies.refusal_to_log(actor, trainee))
    steps = steps or []
    case = case_check(trainee=trainee, data=data, steps=steps)
    case.validator = case_validator(trainee=trainee, supervisor=case.supervisor, date=case.date)
    case.source = source
    case.save()
    _save_steps(case, steps)
    audit_record(actor=actor, action="case.create", obj=case, stream=f"portfolio:{trainee.pk}",
                 after={**_case_values(case), "steps": _snapshot_steps(steps), "source": source})
    return case


def _case_values(case: Case) -> dict:
    return {f: getattr(case, f + "_id") if f in ("site", "procedure", "supervisor") else getattr(case, f)
            for f in CASE_FIELDS}


def _lock(case: Case) -> Case:
    # Lock the case row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join that select_related("supervisor") makes.
    return Case.objects.select_for_update(of=("self",)).select_related("trainee", "supervisor").get(pk=case.pk)


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
    case = case_check(trainee=case.trainee, data=data, steps=steps or [], instance=case)
    case.validator = case_validator(trainee=case.trainee, supervisor=case.supervisor, date=case.date)
    case.save()
    if steps is not None:
        _save_steps(case, steps)
    audit_record(actor=actor, action="case.update", obj=case, stream=f"portfolio:{case.trainee_id}",
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
    audit_record(actor=actor, action="case.delete", obj=case, stream=f"portfolio:{case.trainee_id}",
                 before=_case_values(case))
    case.delete()


@transaction.atomic
def case_submit(*, case: Case, actor: User) -> Case:
    case = _lock(case)
    refuse_unless(policies.refusal_to_change(actor, case, verb="submit"))
    if case.status not in EDITABLE_STATUSES:
        raise Conflict(f"A {case.status} case cannot be submitted.")
    validator = case_validator(trainee=case.trainee, supervisor=case.supervisor, date=case.date)
    if validator is None:
        raise ApplicationError(
            "Nobody can validate this case yet: you have no educational supervisor. "
            "Ask your regional training lead to assign one.")
    with audited(actor=actor, action="case.submit", instance=case,
                 fields=["status", "validator", "submitted_at"], stream=f"portfolio:{case.trainee_id}"):
        case.status = CaseStatus.SUBMITTED
        case.validator = validator
        case.submitted_at = timezone.now()
        case.save(update_fields=["status", "validator", "submitted_at", "updated_at"])
    return case


def _require_validator(case: Case, actor: User) -> None:
    current = case_validator(trainee=case.trainee, supervisor=case.supervisor, date=case.date)
    refuse_unless(policies.refusal_to_validate(actor, case, current))
    if case.validator_id != current.pk:
        case.validator = current  # the rule's answer changed since submission (e.g. reassignment)


@transaction.atomic
def case_validate(*, case: Case, actor: User, role: str | None = None,
                  supervision: str | None = None) -> Case:
    """Validate a submitted case, confirming or correcting the role and supervision code."""
    case = _lock(case)
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict(f"Only a submitted case can be validated; this one is {case.status}.")
    _require_validator(case, actor)
    errors = {}
    if role is not None and role not in CaseRole.values:
        errors["role"] = [f"“{role}” is not a valid role."]
    if supervision is not None and supervision not in Supervision.values:
        errors["supervision"] = [f"“{supervision}” is not a valid supervision code."]
    _errors(errors)
    with audited(actor=actor, action="case.validate", instance=case, stream=f"portfolio:{case.trainee_id}",
                 fields=["status", "validated_role", "validated_supervision", "disagreement", "decided_by"]):
        case.validated_role = role or case.role
        case.validated_supervision = supervision or case.supervision
        case.disagreement = (case.validated_role != case.role
                             or case.validated_supervision != case.supervision)
        case.status = CaseStatus.VALIDATED
        case.decided_by = actor
        case.decided_at = timezone.now()
        case.save()
    case_validated(case)  # the xAPI statement, sent after commit
    return case


@transaction.atomic
def case_reject(*, case: Case, actor: User, reason: str) -> Case:
    case = _lock(case)
    if case.status != CaseStatus.SUBMITTED:
        raise Conflict(f"Only a submitted case can be rejected; this one is {case.status}.")
    _require_validator(case, actor)
    if not (reason or "").strip():
        raise ApplicationError(errors={"reason": ["Say why the case is rejected, so it can be put right."]})
    with audited(actor=actor, action="case.reject", instance=case, stream=f"portfolio:{case.trainee_id}",
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
    notify(recipient=case.trainee, kind="case.rejected",
           subject=f"Your case of {case.date:%-d %B %Y} was returned",
           body=f"{actor.full_name} returned your {case.procedure.name} case: {case.rejection_reason}",
           link=f"/logbook/cases/{case.pk}/",
           key=f"case.rejected:{case.pk}:{case.decided_at.isoformat()}")
    return case


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
                                 supervision=item.get("supervision"))
        except ApplicationError as exc:
            results.append(BatchResult(id=pk, ok=False, code=exc.status_code,
                                       error=exc.message or "; ".join(
                                           m for ms in exc.errors.values() for m in ms)))
        else:
            results.append(BatchResult(id=pk, ok=True, status=case.status))
    return results


# --- Simulator sessions ---------------------------------------------------------------------

@transaction.atomic
def simulator_session_create(*, trainee: User, actor: User, data: dict[str, Any]) -> SimulatorSession:
    # Like cases: simulator sessions are logbook evidence, and only trainees keep a logbook.
    refuse_unless(policies.refusal_to_log(actor, trainee, what="simulator sessions"))
    session = SimulatorSession(trainee=trainee, **data)
    errors = {}
    if session.date and session.date > timezone.localdate():
        errors["date"] = ["The date cannot be in the future."]
    try:
        session.full_clean(exclude=["trainee", "verified_by"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    _errors(errors)
    session.save()
    audit_record(actor=actor, action="simulator_session.create", obj=session,
                 stream=f"portfolio:{trainee.pk}", after={k: data[k] for k in data})
    return session


@transaction.atomic
def simulator_session_verify(*, session: SimulatorSession, actor: User) -> SimulatorSession:
    session = (SimulatorSession.objects.select_for_update(of=("self",)).select_related("trainee")
               .get(pk=session.pk))
    refuse_unless(policies.refusal_to_verify(actor, session))
    if session.verified_by_id:
        raise Conflict("This session is already verified.")
    with audited(actor=actor, action="simulator_session.verify", instance=session,
                 fields=["verified_by", "verified_at"], stream=f"portfolio:{session.trainee_id}"):
        session.verified_by = actor
        session.verified_at = timezone.now()
        session.save(update_fields=["verified_by", "verified_at"])
    return session
