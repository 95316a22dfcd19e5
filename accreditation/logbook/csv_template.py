"""The logbook's one CSV template, for export and for import (all or nothing).

Columns: date, site, platform, procedure, role, supervision, console_minutes,
docking_minutes, total_minutes, conversion, complication_grade, supervisor_email,
supervisor_name, case_reference, notes, steps.

- date: YYYY-MM-DD; site and procedure: their names as in RASTrack (or ids); platform, role,
  supervision, conversion, complication_grade: the API's codes (e.g. davinci_xi,
  console_whole, S-TS, none, IIIa); minutes: whole numbers, may be empty where allowed.
- steps: step names of the procedure separated by ";"; a step done at the bedside or only
  observed is written "Step name (bedside)" / "Step name (observed)"; a console step the
  trainer took over "Step name (taken over)"; a step's own console minutes "Step name [25 min]".
- Optional columns trainer_position, asa_grade, urgency (the API's codes; empty: not recorded).
- The export adds status, elogbook_code (the code to copy into the eLogbook, by its 70% rules)
  and the 30- and 90-day outcomes; the import ignores them.
- Exported cells that begin with =, +, - or @ are prefixed with ' so that a spreadsheet
  never runs them as formulas; the import removes that prefix again.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F

from accreditation.logbook import policies
from accreditation.logbook.models import Case, CaseOutcome, CaseSource, StepRole
from accreditation.logbook.semantics import elogbook_code
from accreditation.logbook.services import StepEntry, case_check, case_create
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.csv_export import csv_text, unescape_cell
from rastrack.core.exceptions import ApplicationError, NotPermitted
from rastrack.core.wording import counted
from rastrack.reference.models import Procedure, ProcedureStep, Site

COLUMNS = [
    "date", "site", "platform", "procedure", "role", "supervision", "console_minutes",
    "docking_minutes", "total_minutes", "conversion", "complication_grade", "supervisor_email",
    "supervisor_name", "case_reference", "notes", "steps",
]
# Read when present (files made before these columns existed still import); always exported.
OPTIONAL_COLUMNS = ["trainer_position", "asa_grade", "urgency"]
# Export only: what the validator confirmed, the eLogbook code to copy, and the follow-up outcomes.
EXPORT_ONLY = ["status", "elogbook_code", "outcome_30d", "outcome_90d"]
MAX_IMPORT_ROWS = 5000
# The import reads CSV (UTF-8) only: what its file input offers.
IMPORT_ACCEPT = ".csv,text/csv"
_STEP_ROLE = re.compile(r"^(?P<name>.*?)\s*\((?P<role>bedside|observed|console|taken over)\)\s*$", re.I)
_STEP_MINUTES = re.compile(r"^(?P<name>.*?)\s*\[(?P<minutes>\d{1,3})\s*min\]\s*$", re.I)




def _steps_cell(case: Case) -> str:
    parts = []
    for case_step in case.steps.all():
        suffix = "" if case_step.role == StepRole.CONSOLE else f" ({case_step.role})"
        if case_step.takeover:
            suffix = " (taken over)"
        if case_step.console_minutes is not None:
            suffix += f" [{case_step.console_minutes} min]"
        parts.append(case_step.step.name + suffix)
    return "; ".join(parts)


def _outcome_cell(outcome) -> str:
    if outcome is None:
        return ""
    parts = [f"Clavien-Dindo {outcome.complication_grade}", "readmitted" if outcome.readmitted else "not readmitted"]
    if outcome.length_of_stay_days is not None:
        parts.append(f"stay {counted(outcome.length_of_stay_days, 'day')}")
    if outcome.conversion_confirmed is not None:
        parts.append("conversion confirmed" if outcome.conversion_confirmed else "conversion not confirmed")
    return "; ".join(parts)


def export_cases(cases) -> str:
    """The cases as CSV text in the template's columns (cases with steps prefetched; outcomes
    are read in one query for them all)."""
    cases = list(cases)
    outcomes = {(o.case_id, o.followup_days): o
                for o in CaseOutcome.objects.filter(case_id__in=[c.pk for c in cases])}
    return csv_text(COLUMNS + OPTIONAL_COLUMNS + EXPORT_ONLY, (_case_row(case, outcomes) for case in cases))


def _case_row(case: Case, outcomes: dict) -> list:
    return [
        case.date.isoformat(), case.site.name, case.platform, case.procedure.name, case.role,
        case.supervision, case.console_minutes, case.docking_minutes, case.total_minutes,
        case.conversion, case.complication_grade,
        case.supervisor.email if case.supervisor_id else "", case.supervisor_name,
        case.case_reference, case.notes, _steps_cell(case),
        case.trainer_position, case.asa_grade, case.urgency,
        case.status, elogbook_code(case),
        _outcome_cell(outcomes.get((case.pk, 30))), _outcome_cell(outcomes.get((case.pk, 90))),
    ]


@dataclass
class RowResult:
    row: int  # the line number in the file, the header being line 1
    errors: dict[str, list[str]] = field(default_factory=dict)
    summary: str = ""


@dataclass
class ImportResult:
    rows: list[RowResult]
    imported: int = 0
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return all(not r.errors for r in self.rows)


class _Lookups:
    """Reference data read once per import, not once per row."""

    def __init__(self):
        self.sites = {}
        for site in Site.objects.all():
            self.sites.setdefault(site.name.casefold(), site)
            self.sites[str(site.pk)] = site
        self.procedures = {}
        for procedure in Procedure.objects.all():
            for key in (procedure.name.casefold(), procedure.code.casefold(), str(procedure.pk)):
                self.procedures[key] = procedure
        self.steps: dict[tuple[int, str], ProcedureStep] = {
            # A current step wins over a retired one of the same name (it comes last).
            (s.procedure_id, s.name.casefold()): s
            for s in ProcedureStep.objects.order_by(F("retired_in").asc(nulls_last=True), "pk")
        }
        self.users: dict[str, User | None] = {}

    def user(self, email: str) -> User | None:
        key = email.casefold()
        if key not in self.users:
            self.users[key] = User.objects.filter(email__iexact=email, is_active=True).first()
        return self.users[key]


def _int(value: str, field_name: str, errors: dict) -> int | None:
    if value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        errors.setdefault(field_name, []).append(f"“{value}” is not a whole number of minutes.")
        return None
    if number < 0:
        errors.setdefault(field_name, []).append("Minutes cannot be negative.")
    return number


def _parse_row(raw: dict[str, str], lookups: _Lookups) -> tuple[dict, list[StepEntry], dict]:
    errors: dict[str, list[str]] = {}
    value = {k: unescape_cell((raw.get(k) or "").strip()) for k in COLUMNS + OPTIONAL_COLUMNS}
    data: dict[str, Any] = {}
    try:
        data["date"] = datetime.date.fromisoformat(value["date"])
    except ValueError:
        errors["date"] = [f"“{value['date']}” is not a date in the form YYYY-MM-DD."]
    site = lookups.sites.get(value["site"].casefold())
    if site is None:
        errors["site"] = [f"No site called “{value['site']}”."]
    data["site"] = site
    procedure = lookups.procedures.get(value["procedure"].casefold())
    if procedure is None:
        errors["procedure"] = [f"No procedure called “{value['procedure']}”."]
    data["procedure"] = procedure
    for name in ("platform", "role", "supervision"):
        data[name] = value[name]
    data["conversion"] = value["conversion"] or "none"
    data["complication_grade"] = value["complication_grade"] or "none"
    for name in ("console_minutes", "docking_minutes", "total_minutes"):
        data[name] = _int(value[name], name, errors)
    if value["supervisor_email"]:
        supervisor = lookups.user(value["supervisor_email"])
        if supervisor is None:
            errors["supervisor_email"] = [policies.SUPERVISOR_NOT_NAMEABLE]
        data["supervisor"] = supervisor
    else:
        data["supervisor"] = None
    data["supervisor_name"] = value["supervisor_name"]
    data["trainer_position"] = value["trainer_position"]
    data["urgency"] = value["urgency"]
    if value["asa_grade"]:
        if value["asa_grade"] in ("1", "2", "3", "4", "5"):
            data["asa_grade"] = int(value["asa_grade"])
        else:
            errors["asa_grade"] = [f"“{value['asa_grade']}” is not an ASA grade (1 to 5)."]
    data["case_reference"] = value["case_reference"]
    data["notes"] = value["notes"]
    steps = []
    for part in filter(None, (p.strip() for p in value["steps"].split(";"))):
        minutes = None
        timed = _STEP_MINUTES.match(part)
        if timed:
            part, minutes = timed["name"], int(timed["minutes"])
        match = _STEP_ROLE.match(part)
        name, role = (match["name"], match["role"].lower()) if match else (part, StepRole.CONSOLE)
        takeover = role == "taken over"
        if takeover:
            role = StepRole.CONSOLE
        step = lookups.steps.get((procedure.pk, name.casefold())) if procedure else None
        if step is None and procedure is not None:
            errors.setdefault("steps", []).append(f"“{name}” is not a step of {procedure.name}.")
        elif step is not None:
            steps.append(StepEntry(step=step, role=role, takeover=takeover, console_minutes=minutes))
    return data, steps, errors


def _read(file_bytes: bytes) -> list[dict[str, str]]:
    try:
        text = file_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError(errors={"file": [
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."]}) from None
    if "\x00" in text:
        raise ApplicationError(errors={"file": ["The file contains NUL characters: it is not a CSV file."]})
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ApplicationError(errors={"file": [f"Missing columns: {', '.join(missing)}. "
                                                 "Download the template to see them all."]})
    reader.fieldnames = header
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ApplicationError(errors={"file": [f"The CSV cannot be read: {exc}."]}) from None
    if not rows:
        raise ApplicationError(errors={"file": ["The file has no cases in it."]})
    if len(rows) > MAX_IMPORT_ROWS:
        raise ApplicationError(errors={"file": [f"At most {MAX_IMPORT_ROWS} cases per file."]})
    return rows


def import_cases(*, trainee: User, actor: User, file_bytes: bytes, dry_run: bool) -> ImportResult:
    """Check every row; import them all in one transaction only if none has an error."""
    # Checked before reading, so that a dry run answers exactly as the real import would.
    if actor.pk != trainee.pk:
        raise NotPermitted("You can log cases only in your own logbook.")
    if not trainee.has_role(Role.TRAINEE):
        raise NotPermitted("Only trainees keep a logbook.")
    rows = _read(file_bytes)
    lookups = _Lookups()
    parsed = []
    results = []
    for line, raw in enumerate(rows, start=2):
        if None in raw:  # more cells than columns
            results.append(RowResult(row=line, errors={"non_field_errors": ["This row has more cells than the header."]}))
            continue
        data, steps, errors = _parse_row(raw, lookups)
        if not errors:
            try:
                case_check(trainee=trainee, data=data, steps=steps)
            except ApplicationError as exc:
                errors = exc.errors or {"non_field_errors": [exc.message]}
        summary = f"{raw.get('date', '')} {raw.get('procedure', '')} ({raw.get('role', '')})".strip()
        results.append(RowResult(row=line, errors=errors, summary=summary))
        parsed.append((data, steps))
    result = ImportResult(rows=results, dry_run=dry_run)
    if not result.ok or dry_run:
        return result
    with transaction.atomic():
        for data, steps in parsed:
            case_create(trainee=trainee, actor=actor, data=data, steps=steps, source=CaseSource.CSV)
    result.imported = len(parsed)
    return result
