"""Writes of the catalogue: programme admins maintain procedures as versioned data. Each
change keeps the version it replaces (`ProcedureRevision`: who, when, what it was) and raises
the procedure's `version`. Step rows are never rewritten: a renamed or removed step is retired
(cases logged with it keep pointing at it), a renamed or added one is a new row, and a reorder
moves the current steps only."""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils import timezone

from rastrack.core.audit_signal import audit_requested
from rastrack.core.exceptions import ApplicationError, NotPermitted
from rastrack.core.free_text import free_text, free_text_messages
from rastrack.reference.models import Procedure, ProcedureRevision, ProcedureStep
from rastrack.reference.specialties import Specialty, Subspecialty, split_specialty

OPCS4 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9])?$")
SNOMED = re.compile(r"^[0-9]{6,18}$")


def can_maintain_catalogue(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role("programme_admin"))


def procedure_snapshot(procedure: Procedure) -> dict:
    return {"name": procedure.name, "specialty": procedure.specialty, "subspecialty": procedure.subspecialty,
            "opcs4": procedure.opcs4, "snomed": procedure.snomed,
            **_steps_snapshot(current_steps(procedure))}


def current_steps(procedure: Procedure) -> list[ProcedureStep]:
    return list(ProcedureStep.objects.filter(procedure=procedure, retired_in__isnull=True).order_by("order"))


def _steps_snapshot(steps: list[ProcedureStep]) -> dict:
    return {"steps": [s.name for s in steps], "step_ids": [s.pk for s in steps]}


MAX_STEPS = 40


def _clean_steps(procedure: Procedure, steps, errors: dict[str, list[str]]) -> list[tuple[ProcedureStep | None, str]]:
    """The wanted ordered steps as (current row or None, name); an error per bad item."""
    problems: list[str] = []
    if not isinstance(steps, list) or not steps:
        errors["steps"] = ["Give the procedure's steps in order: at least one."]
        return []
    if len(steps) > MAX_STEPS:
        errors["steps"] = [f"Give at most {MAX_STEPS} steps."]
        return []
    rows = {s.pk: s for s in current_steps(procedure)}
    wanted: list[tuple[ProcedureStep | None, str]] = []
    names: set[str] = set()
    ids: set[int] = set()
    for n, item in enumerate(steps, start=1):
        if not isinstance(item, dict):
            problems.append(f"Step {n}: give its name (and its id when it is an existing step).")
            continue
        step_id, raw = item.get("id"), item.get("name")
        row = None
        if step_id is not None:
            if isinstance(step_id, bool) or not isinstance(step_id, int) or step_id not in rows:
                problems.append(f"Step {n}: not a current step of this procedure.")
                continue
            if step_id in ids:
                problems.append(f"Step {n}: the same step is listed twice.")
                continue
            ids.add(step_id)
            row = rows[step_id]
        name, messages = free_text_messages(raw if isinstance(raw, str) else "",
                                            required_message="give its name.", max_length=200)
        if messages:
            problems.extend(f"Step {n}: {m}" for m in messages)
            continue
        if name.casefold() in names:
            problems.append(f"Step {n}: “{name}” is listed twice.")
            continue
        names.add(name.casefold())
        wanted.append((row, name))
    if problems:
        errors["steps"] = problems
    return wanted


def _apply_steps(procedure: Procedure, wanted: list[tuple[ProcedureStep | None, str]], new_version: int) -> None:
    """Retire what goes or is renamed, move what stays, add what is new (or renamed)."""
    kept = {row.pk for row, name in wanted if row is not None and row.name == name}
    ProcedureStep.objects.filter(procedure=procedure, retired_in__isnull=True).exclude(pk__in=kept).update(
        retired_in=new_version)
    staying = [(order, row) for order, (row, name) in enumerate(wanted, start=1)
               if row is not None and row.pk in kept]
    # Two passes: the current orders are unique at every statement.
    for offset in (10_000, 0):
        for order, row in staying:
            row.order = order + offset
        ProcedureStep.objects.bulk_update([row for _order, row in staying], ["order"])
    ProcedureStep.objects.bulk_create([
        ProcedureStep(procedure=procedure, order=order, name=name, added_in=new_version)
        for order, (row, name) in enumerate(wanted, start=1) if row is None or row.pk not in kept])


@transaction.atomic
def procedure_update(*, actor, procedure: Procedure, name: str | None = None, opcs4: str | None = None,
                     snomed: str | None = None, specialty: str | None = None, subspecialty: str | None = None,
                     steps: list[dict] | None = None, now: datetime.datetime | None = None) -> Procedure:
    """Change a procedure; `steps` is the whole ordered list wanted, each `{"id", "name"}` for a
    current step kept (renamed when the name differs) and `{"name"}` for a new one."""
    if not can_maintain_catalogue(actor):
        raise NotPermitted("Only a programme admin changes the procedure catalogue.")
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    before = procedure_snapshot(procedure)
    errors: dict[str, list[str]] = {}
    if name is not None:
        procedure.name = free_text("name", name, required_message="Give the procedure's name.", max_length=200)
        if Procedure.objects.filter(name__iexact=procedure.name).exclude(pk=procedure.pk).exists():
            errors["name"] = ["Another procedure has this name."]
    if opcs4 is not None:
        if not OPCS4.match(opcs4.strip().upper()):
            errors["opcs4"] = ["An OPCS-4 code is a letter and two digits, then a point and a digit (e.g. M61.1)."]
        procedure.opcs4 = opcs4.strip().upper()
    if snomed is not None:
        if snomed.strip() and not SNOMED.match(snomed.strip()):
            errors["snomed"] = ["A SNOMED CT concept id is 6 to 18 digits."]
        procedure.snomed = snomed.strip()
    if specialty is not None or subspecialty is not None:
        new = split_specialty(specialty if specialty is not None else procedure.specialty,
                              subspecialty if subspecialty is not None else procedure.subspecialty)
        if new[0] not in Specialty.values:
            errors["specialty"] = ["Choose a specialty from the list."]
        elif new[1] and (new[0] != Specialty.GENERAL or new[1] not in Subspecialty.values):
            errors["subspecialty"] = ["Only general surgery has subspecialties: choose one from the list, or none."]
        procedure.specialty, procedure.subspecialty = new
    wanted = _clean_steps(procedure, steps, errors) if steps is not None else None
    if errors:
        raise ApplicationError(errors=errors)
    after = procedure_snapshot(procedure)
    if wanted is not None:
        after = {**after, "steps": [name for _row, name in wanted],
                 "step_ids": [row.pk if row is not None and row.name == name else None for row, name in wanted]}
    if after == before:
        return procedure
    ProcedureRevision.objects.create(procedure=procedure, version=procedure.version, snapshot=before,
                                     replaced_by=actor, replaced_at=now or timezone.now())
    procedure.version += 1
    procedure.save()
    if wanted is not None:
        _apply_steps(procedure, wanted, procedure.version)
    # The audit trail is a sibling of reference data in the kernel: it records through a signal.
    audit_requested.send(sender=Procedure, actor=actor, action="procedure.update", obj=procedure,
                         before=before, after=procedure_snapshot(procedure))
    return procedure


def procedure_versions(procedure: Procedure) -> list[dict]:
    """Every version of a procedure, newest first: the current one, then each replaced one with
    who replaced it and when; a version's steps as it had them (ids of the rows cases point at)."""
    current = {"version": procedure.version, "current": True, "replaced_by": None, "replaced_at": None,
               **procedure_snapshot(procedure)}
    older = [{"version": r.version, "current": False, "replaced_by": r.replaced_by_id,
              "replaced_at": r.replaced_at, **r.snapshot}
             for r in ProcedureRevision.objects.filter(procedure=procedure).order_by("-version")]
    return [current, *older]
