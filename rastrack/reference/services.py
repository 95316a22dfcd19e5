"""Writes of the catalogue: programme admins maintain procedures as versioned data. Each
change keeps the version it replaces (`ProcedureRevision`: who, when, what it was) and raises
the procedure's `version`; the steps stay as they are (cases point at them)."""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils import timezone

from rastrack.core.exceptions import ApplicationError, NotPermitted
from rastrack.core.free_text import free_text
from rastrack.reference.models import Procedure, ProcedureRevision
from rastrack.reference.specialties import Specialty, Subspecialty, split_specialty

OPCS4 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9])?$")
SNOMED = re.compile(r"^[0-9]{6,18}$")


def procedure_snapshot(procedure: Procedure) -> dict:
    return {"name": procedure.name, "specialty": procedure.specialty, "subspecialty": procedure.subspecialty,
            "opcs4": procedure.opcs4, "snomed": procedure.snomed,
            "steps": list(procedure.steps.order_by("order").values_list("name", flat=True))}


@transaction.atomic
def procedure_update(*, actor, procedure: Procedure, name: str | None = None, opcs4: str | None = None,
                     snomed: str | None = None, specialty: str | None = None, subspecialty: str | None = None,
                     now: datetime.datetime | None = None) -> Procedure:
    if not (getattr(actor, "is_authenticated", False) and actor.has_role("programme_admin")):
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
    if errors:
        raise ApplicationError(errors=errors)
    after = procedure_snapshot(procedure)
    if after == before:
        return procedure
    ProcedureRevision.objects.create(procedure=procedure, version=procedure.version, snapshot=before,
                                     replaced_by=actor, replaced_at=now or timezone.now())
    procedure.version += 1
    procedure.save()
    return procedure
