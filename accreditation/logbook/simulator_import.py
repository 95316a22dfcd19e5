"""Import a simulator's export (CSV or XLSX): choose or detect the format, preview, import once.

**Formats** are data (`SimulatorExportFormat`, seeded from `simulation.EXPORT_FORMATS`; a
programme admin adds one in the admin). A format is a column mapping:

    exercise     header of the exercise column: an exercise code, or a vendor's name mapped
                 by `exercises` ({vendor name: code}), or the exercise's name on the format's simulator
    date         header of the date column (`date_format`, else YYYY-MM-DD or DD/MM/YYYY)
    minutes      header of the session's length (optional: else the `time` metric, rounded up)
    score        header of the overall score (optional; required by overall_score exercises)
    metrics      {metric name: header}, or "*" when the headers are the metric names

Without a format, the first one whose exercise and date headers are all in the file is used
(vendor formats before the generic one). Only `generic` is RASTrack's own layout; the vendor
formats are examples shaped on what those exports show, not verified vendor layouts.

**Preview** gives every row with its exercise, date, result and errors (per field, as the API
answers a session); **import** makes the sessions, `device_import`, only when no row has an
error (all or nothing), in one transaction. The file's SHA-256 is kept: the same file again
is a 409. Text echoed from the file is escaped (a leading = + - @ gets a quote) so that an
error list pasted into a spreadsheet never runs as a formula.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from accreditation.logbook import policies
from accreditation.logbook.elogbook import read_table
from accreditation.logbook.models import (
    Provenance,
    SimulatorExercise,
    SimulatorExportFormat,
    SimulatorImportFile,
    SimulatorSession,
)
from accreditation.logbook.services import simulator_session_check
from rastrack.accounts.models import User
from rastrack.audit.services import audit_record, portfolio_stream
from rastrack.core.csv_export import escape_cell
from rastrack.core.exceptions import ApplicationError, Conflict
from rastrack.core.permissions import refuse_unless


@dataclass
class ImportRow:
    row: int
    exercise: str = ""
    date: str = ""
    meets_benchmark: bool | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    session: SimulatorSession | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "exercise": self.exercise, "date": self.date,
                "meets_benchmark": self.meets_benchmark, "errors": self.errors,
                "session": self.session.pk if self.session is not None and self.session.pk else None}


@dataclass
class ImportResult:
    format: str
    checksum: str
    dry_run: bool
    rows: list[ImportRow]
    imported: int = 0

    @property
    def ok(self) -> bool:
        return not any(row.errors for row in self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {"format": self.format, "checksum": self.checksum, "dry_run": self.dry_run, "ok": self.ok,
                "imported": self.imported, "rows": [row.as_dict() for row in self.rows]}


def _fold(text: Any) -> str:
    return str(text).strip().casefold()


def _columns(fmt: SimulatorExportFormat) -> list[str]:
    mapping = fmt.mapping
    needed = [mapping.get("exercise", ""), mapping.get("date", "")]
    if isinstance(mapping.get("metrics"), dict):
        needed += list(mapping["metrics"].values())
    return [h for h in needed if h]


def detect_format(header: list[str]) -> SimulatorExportFormat | None:
    present = {_fold(h) for h in header}
    formats = sorted(SimulatorExportFormat.objects.all(), key=lambda f: (f.code == "generic", f.code))
    for fmt in formats:
        if all(_fold(h) in present for h in _columns(fmt)):
            return fmt
    return None


def _date(value: Any, pattern: str | None) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for candidate in ([pattern] if pattern else []) + ["%Y-%m-%d", "%d/%m/%Y"]:
        try:
            return datetime.datetime.strptime(text, candidate).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


class _Exercises:
    def __init__(self, fmt: SimulatorExportFormat):
        self.fmt = fmt
        everything = list(SimulatorExercise.objects.all())  # one query; the catalogue is small
        self.by_code = {e.code: e for e in everything}
        self.by_name = {_fold(e.name): e for e in everything if not fmt.simulator or e.simulator == fmt.simulator}
        self.aliases = {_fold(k): v for k, v in (fmt.mapping.get("exercises") or {}).items()}

    def find(self, text: str) -> SimulatorExercise | None:
        key = _fold(text)
        if key in self.aliases:
            return self.by_code.get(self.aliases[key])
        return self.by_code.get(text.strip()) or self.by_name.get(key)


def _read_row(number: int, cells: list, index: dict[str, int], fmt: SimulatorExportFormat,
              exercises: _Exercises, trainee: User, import_file: SimulatorImportFile | None) -> ImportRow:
    mapping = fmt.mapping

    def cell(header: str | None) -> Any:
        if not header or _fold(header) not in index:
            return ""
        at = index[_fold(header)]
        return cells[at] if at < len(cells) else ""

    exercise_text = str(cell(mapping.get("exercise"))).strip()
    raw_date = cell(mapping.get("date"))
    row = ImportRow(row=number, exercise=escape_cell(exercise_text), date=escape_cell(raw_date))
    exercise = exercises.find(exercise_text) if exercise_text else None
    if exercise is None:
        row.errors["exercise"] = [f"No exercise in the catalogue matches “{escape_cell(exercise_text)}”."
                                  if exercise_text else "The exercise is missing."]
        return row
    date = _date(raw_date, mapping.get("date_format"))
    if date is None:
        row.errors["date"] = [f"“{escape_cell(raw_date)}” is not a date."]
    metric_columns = mapping.get("metrics")
    metrics: dict[str, Any] = {}
    for metric in exercise.metrics:
        header = metric["name"] if metric_columns == "*" else (metric_columns or {}).get(metric["name"])
        value = cell(header)
        if value != "":
            metrics[metric["name"]] = value
    score = cell(mapping.get("score"))
    minutes = cell(mapping.get("minutes"))
    if minutes in ("", None) and isinstance(metrics.get("time"), int | float):
        minutes = max(1, math.ceil(metrics["time"] / 60))
    data = {"exercise": exercise, "date": date, "metrics": metrics,
            "score": score if score != "" else None, "minutes": minutes if minutes != "" else None}
    try:
        session = simulator_session_check(trainee=trainee, data=data, provenance=Provenance.DEVICE_IMPORT,
                                          import_file=import_file)
    except ApplicationError as exc:
        for name, messages in exc.errors.items():
            row.errors.setdefault(name, []).extend(escape_cell(m) for m in messages)
        return row
    row.meets_benchmark = session.meets_benchmark
    row.session = session
    return row


def _format(code: str | None, header: list[str]) -> SimulatorExportFormat:
    if code:
        fmt = SimulatorExportFormat.objects.filter(code=code).first()
        if fmt is None:
            raise ApplicationError(errors={"format": [
                f"Choose one of: {', '.join(SimulatorExportFormat.objects.values_list('code', flat=True))}."]})
        missing = [h for h in _columns(fmt) if _fold(h) not in {_fold(x) for x in header}]
        if missing:
            raise ApplicationError(errors={"file": [
                f"The file has no column {', '.join(escape_cell(m) for m in missing)} of the {fmt.name} format."]})
        return fmt
    fmt = detect_format(header)
    if fmt is None:
        raise ApplicationError(errors={"format": ["The file's columns match no known format: choose one."]})
    return fmt


def simulator_import(*, trainee: User, actor: User, content: bytes, file_name: str = "",
                     format_code: str | None = None, dry_run: bool = True) -> ImportResult:
    """Preview (dry run) or import a simulator export as the trainee's `device_import` sessions."""
    refuse_unless(policies.refusal_to_log(actor, trainee, what="simulator sessions"))
    checksum = hashlib.sha256(content or b"").hexdigest()
    if SimulatorImportFile.objects.filter(checksum=checksum).exists():
        raise Conflict("This file was imported already.")
    header, body = read_table(content)
    fmt = _format(format_code, header)
    index = {_fold(h): i for i, h in enumerate(header)}
    exercises = _Exercises(fmt)
    if dry_run:
        rows = [_read_row(n, cells, index, fmt, exercises, trainee, None) for n, cells in enumerate(body, start=2)]
        return ImportResult(format=fmt.code, checksum=checksum, dry_run=True, rows=rows)
    try:
        with transaction.atomic():
            record = SimulatorImportFile.objects.create(
                trainee=trainee, imported_by=actor, file_name=file_name[:200], checksum=checksum, format=fmt.code)
            rows = [_read_row(n, cells, index, fmt, exercises, trainee, record)
                    for n, cells in enumerate(body, start=2)]
            result = ImportResult(format=fmt.code, checksum=checksum, dry_run=False, rows=rows)
            if not result.ok:
                transaction.set_rollback(True)
                for row in rows:
                    row.session = None
                return result
            for row in rows:
                row.session.save()
            record.sessions = len(rows)
            record.save(update_fields=["sessions"])
            result.imported = len(rows)
            audit_record(actor=actor, action="simulator_session.import", obj=record,
                         stream=portfolio_stream(trainee.pk),
                         after={"format": fmt.code, "checksum": checksum, "sessions": len(rows)})
            return result
    except IntegrityError:
        # The same file, imported at the same moment by another request.
        raise Conflict("This file was imported already.") from None


def mapping_errors(mapping: Any) -> list[str]:
    """What is wrong with a format's column mapping (empty: nothing)."""
    if not isinstance(mapping, dict):
        return ["The mapping is an object: {\"exercise\": header, \"date\": header, \"metrics\": ...}."]
    errors = []
    for name in ("exercise", "date"):
        if not isinstance(mapping.get(name), str) or not mapping[name].strip():
            errors.append(f"Name the {name} column's header (“{name}”).")
    for name in ("minutes", "score", "date_format"):
        if name in mapping and not isinstance(mapping[name], str):
            errors.append(f"“{name}” is a header (text).")
    metrics = mapping.get("metrics")
    if metrics != "*" and not (isinstance(metrics, dict) and metrics
                               and all(isinstance(v, str) and v for v in metrics.values())):
        errors.append("“metrics” is \"*\" (headers are the metric names) or {metric name: header}.")
    exercises = mapping.get("exercises", {})
    if not isinstance(exercises, dict) or not all(isinstance(v, str) for v in exercises.values()):
        errors.append("“exercises” maps a vendor's exercise name to an exercise code.")
    elif exercises:
        known = set(SimulatorExercise.objects.filter(code__in=list(exercises.values())).values_list("code", flat=True))
        unknown = sorted(set(exercises.values()) - known)
        if unknown:
            errors.append(f"No exercise has the code {', '.join(unknown)}.")
    unknown_keys = sorted(set(mapping) - {"exercise", "date", "minutes", "score", "date_format", "metrics",
                                           "exercises"})
    if unknown_keys:
        errors.append(f"Leave out {', '.join(unknown_keys)}.")
    return errors
