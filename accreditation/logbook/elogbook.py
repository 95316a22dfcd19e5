"""Import from an eLogbook export (CSV or XLSX): preview, map, choose, import without duplicates.

**Columns.** A mapping says which column holds each field; the default is shaped on the
eLogbook's export (`DEFAULT_MAPPING`; a deployment overrides it with `ELOGBOOK_COLUMNS`, a
request with its own `mapping`). Headers match without regard to case or spaces round them.

    field            default column      required  what
    date             Date                yes       DD/MM/YYYY (also YYYY-MM-DD, or a spreadsheet date)
    procedure        Procedure           yes       mapped to the catalogue (below)
    supervision      Supervision         yes       P, S-TS, S-TU, A, O, T (STS, "S TS" ... are read too)
    hospital         Hospital            yes       a site's name or ODS code (or mapped, below)
    consultant       Consultant          no        becomes the supervisor's name
    reference        eLogbook ID         no        the case's reference (part of the duplicate key)
    approach         Approach            no        "Robotic" marks a robotic row
    role             Role                no        default from the code: P, S-TS, S-TU, T console
                                                   surgeon (whole case); A bedside assistant; O observer
    platform         Platform            no        default: the platform chosen for the import
    console_minutes  Console minutes     no        required by the logbook for console roles
    total_minutes    Total minutes       no

RASTrack's own CSV export (accreditation/logbook/csv_template.py) is recognised by its header
and read with its own columns, so exporting and importing again finds every row a duplicate.

**Preview.** Every row gets a status: `new` (it would be imported), `duplicate` (a case of the
trainee with the same date, procedure, hospital and reference exists, or an earlier row of the
file is the same), `unmapped` (its procedure or hospital matches nothing: the row is listed
with the text to map, `procedures` / `sites` maps of text to id, never dropped), or `error`
(with every message). Each row is checked by the logbook's one rule, `case_check`, exactly as
the form and the API check a case.

**Choosing.** By default the robotic rows that are new are chosen: a row is robotic when its
approach says so, or, without an approach, when its procedure names a robot (robot, robotic,
RAS, da Vinci, Versius, Hugo) or is a catalogue procedure's own name or code (the catalogue
holds robotic procedures), or it comes from RASTrack's own export. `rows` chooses by row number instead.

**Import.** The chosen new rows become cases (`source` = eLogbook), as drafts or submitted for
validation, through `case_create` (and `case_submit`): in one transaction. A chosen row that is
not new is refused on its own (its status says why); the others are imported. Imported cases
count as evidence only once validated, like any case.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from accreditation.logbook import policies
from accreditation.logbook.csv_template import COLUMNS as RASTRACK_COLUMNS
from accreditation.logbook.models import Case, CaseRole, CaseSource, CaseStatus, Supervision
from accreditation.logbook.services import case_check, case_create, case_submit
from rastrack.accounts.models import User
from rastrack.core.exceptions import ApplicationError
from rastrack.core.permissions import refuse_unless
from rastrack.reference.models import Platform, Procedure, Site

FIELDS = ["date", "procedure", "supervision", "hospital", "consultant", "reference", "approach", "role",
          "platform", "console_minutes", "total_minutes"]
REQUIRED = ["date", "procedure", "supervision", "hospital"]
DEFAULT_MAPPING = {
    "date": "Date", "procedure": "Procedure", "supervision": "Supervision", "hospital": "Hospital",
    "consultant": "Consultant", "reference": "eLogbook ID", "approach": "Approach", "role": "Role",
    "platform": "Platform", "console_minutes": "Console minutes", "total_minutes": "Total minutes",
}
# RASTrack's own export, read back.
RASTRACK_MAPPING = {
    "date": "date", "procedure": "procedure", "supervision": "supervision", "hospital": "site",
    "consultant": "supervisor_name", "reference": "case_reference", "role": "role", "platform": "platform",
    "console_minutes": "console_minutes", "total_minutes": "total_minutes",
}
NEW, DUPLICATE, UNMAPPED, ERROR = "new", "duplicate", "unmapped", "error"
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# CSV, or an Excel workbook (read as one when it starts as a ZIP does): what the file input offers.
ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y")
_ROBOTIC = re.compile(r"\b(robot\w*|ras|da\s*vinci|versius|hugo)\b", re.I)
_ROLE_BY_CODE = {
    Supervision.P: CaseRole.CONSOLE_WHOLE, Supervision.S_TS: CaseRole.CONSOLE_WHOLE,
    Supervision.S_TU: CaseRole.CONSOLE_WHOLE, Supervision.T: CaseRole.CONSOLE_WHOLE,
    Supervision.A: CaseRole.BEDSIDE_ASSISTANT, Supervision.O: CaseRole.OBSERVER,
}
_ROLE_WORDS = {"console": CaseRole.CONSOLE_WHOLE, "console surgeon": CaseRole.CONSOLE_WHOLE,
               "bedside": CaseRole.BEDSIDE_ASSISTANT, "assistant": CaseRole.BEDSIDE_ASSISTANT,
               "observer": CaseRole.OBSERVER}


def default_mapping() -> dict[str, str]:
    """The eLogbook default, with the deployment's ELOGBOOK_COLUMNS ("field=Header,...") over it."""
    mapping = dict(DEFAULT_MAPPING)
    for item in settings.ELOGBOOK_COLUMNS:
        name, _, header = item.partition("=")
        if name.strip() in FIELDS and header.strip():
            mapping[name.strip()] = header.strip()
    return mapping


@dataclass
class Row:
    row: int  # line in the file (the header is line 1)
    status: str = NEW
    messages: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    robotic: bool = False
    selected: bool = False
    date: datetime.date | None = None
    procedure_text: str = ""
    procedure: Procedure | None = None
    hospital_text: str = ""
    site: Site | None = None
    supervision: str = ""
    reference: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    case: Case | None = None

    def as_dict(self) -> dict:
        return {
            "row": self.row, "status": self.status, "messages": self.messages, "errors": self.errors,
            "robotic": self.robotic, "selected": self.selected,
            "date": self.date.isoformat() if self.date else None,
            "procedure_text": self.procedure_text, "procedure": self.procedure.pk if self.procedure else None,
            "procedure_name": self.procedure.name if self.procedure else None,
            "hospital_text": self.hospital_text, "site": self.site.pk if self.site else None,
            "supervision": self.supervision, "reference": self.reference,
            "case": self.case.pk if self.case else None,
        }


@dataclass
class Preview:
    rows: list[Row]
    mapping: dict[str, str]
    dry_run: bool = True
    imported: int = 0

    @property
    def unmapped_procedures(self) -> list[str]:
        return sorted({r.procedure_text for r in self.rows if r.procedure is None and r.procedure_text})

    @property
    def unmapped_hospitals(self) -> list[str]:
        return sorted({r.hospital_text for r in self.rows if r.site is None and r.hospital_text})

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "imported": self.imported, "mapping": self.mapping,
                "counts": {s: self.count(s) for s in (NEW, DUPLICATE, UNMAPPED, ERROR)},
                "unmapped_procedures": self.unmapped_procedures, "unmapped_hospitals": self.unmapped_hospitals,
                "rows": [r.as_dict() for r in self.rows]}


# --- Reading the file ------------------------------------------------------------------------------


def _file_error(message: str) -> ApplicationError:
    return ApplicationError(errors={"file": [message]})


def _cell(value) -> str | datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a broken workbook
        raise _file_error("The spreadsheet cannot be read: save it again as .xlsx or CSV.") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # older exports from Excel on Windows
    if "\x00" in text:
        raise _file_error("The file contains NUL characters: it is not a CSV file.")
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise _file_error(f"The CSV cannot be read: {exc}.") from None


def read_table(content: bytes) -> tuple[list[str], list[list]]:
    """(header, rows) of a CSV or XLSX file; blank rows skipped."""
    if not content:
        raise _file_error("The file is empty.")
    if len(content) > MAX_BYTES:
        raise _file_error(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: export fewer years at a time.")
    rows = _read_xlsx(content) if content[:4] == b"PK\x03\x04" else _read_csv(content)
    rows = [r for r in rows if any(str(c).strip() for c in r)]
    if not rows:
        raise _file_error("The file has no rows.")
    header = [str(h).strip() for h in rows[0]]
    body = rows[1:]
    if not body:
        raise _file_error("The file has a header but no cases.")
    if len(body) > MAX_ROWS:
        raise _file_error(f"At most {MAX_ROWS} rows per file.")
    return header, body


def resolve_mapping(header: list[str], mapping: dict[str, str] | None) -> tuple[dict[str, int], dict[str, str], bool]:
    """(field -> column index, the mapping used, whether it is RASTrack's own export)."""
    # RASTrack's export: the template's columns first, then its optional and export-only ones.
    ours = mapping is None and [h.casefold() for h in header[:len(RASTRACK_COLUMNS)]] == [
        c.casefold() for c in RASTRACK_COLUMNS]
    if mapping:
        unknown = sorted(set(mapping) - set(FIELDS))
        if unknown:
            raise ApplicationError(errors={"mapping": [f"Unknown fields: {', '.join(unknown)}. Map any of "
                                                       f"{', '.join(FIELDS)}."]})
    used = dict(RASTRACK_MAPPING) if ours else {**default_mapping(), **(mapping or {})}
    where = {h.casefold(): i for i, h in reversed(list(enumerate(header)))}
    columns = {name: where[column.strip().casefold()] for name, column in used.items()
               if column and column.strip().casefold() in where}
    missing = [f"{used[name]} ({name})" for name in REQUIRED if name not in columns]
    if missing:
        raise _file_error(f"Missing columns: {', '.join(missing)}. Name the columns of your file in the mapping.")
    return columns, used, ours


# --- Reading a row -----------------------------------------------------------------------------------


class _Catalogue:
    def __init__(self, procedures: dict[str, int] | None, sites: dict[str, int] | None):
        self.procedures: dict[str, Procedure] = {}
        by_id = {}
        for p in Procedure.objects.all():
            by_id[p.pk] = p
            self.procedures.setdefault(p.name.casefold(), p)
            self.procedures.setdefault(p.code.casefold(), p)
        # The catalogue's own names and codes are robotic procedures.
        self.robotic_names = set(self.procedures)
        self.sites: dict[str, Site] = {}
        sites_by_id = {}
        for s in Site.objects.all():
            sites_by_id[s.pk] = s
            self.sites.setdefault(s.name.casefold(), s)
            if s.ods_code:
                self.sites.setdefault(s.ods_code.casefold(), s)
        # The trainee's own choices win over the names.
        for text, pk in (procedures or {}).items():
            if _as_int(pk) in by_id:
                self.procedures[text.strip().casefold()] = by_id[_as_int(pk)]
        for text, pk in (sites or {}).items():
            if _as_int(pk) in sites_by_id:
                self.sites[text.strip().casefold()] = sites_by_id[_as_int(pk)]


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def _supervision(value: str) -> str | None:
    code = re.sub(r"[\s_]+", "", value).upper()
    code = {"STS": "S-TS", "STU": "S-TU"}.get(code.replace("-", ""), code)
    return code if code in Supervision.values else None


def _minutes(value, name: str, row: Row) -> int | None:
    text = str(value).strip()
    if not text:
        return None
    number = _as_int(text)
    if number is None or number < 0:
        row.errors.setdefault(name, []).append(f"“{text}” is not a whole number of minutes.")
    return number


def _read_row(number: int, cells: list, columns: dict[str, int], catalogue: _Catalogue, *, ours: bool,
              platform: str) -> Row:
    def value(name: str):
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    def text(name: str) -> str:
        raw = value(name)
        raw = raw.isoformat() if isinstance(raw, datetime.date) else str(raw).strip()
        return raw[1:] if raw.startswith("'") and raw[1:2] in ("=", "+", "-", "@") else raw

    row = Row(row=number)
    raw_date = value("date")
    row.date = _date(raw_date if isinstance(raw_date, datetime.date) else text("date"))
    if row.date is None:
        row.errors["date"] = [f"“{text('date')}” is not a date (DD/MM/YYYY)."]
    row.procedure_text, row.hospital_text = text("procedure"), text("hospital")
    row.procedure = catalogue.procedures.get(row.procedure_text.casefold()) if row.procedure_text else None
    row.site = catalogue.sites.get(row.hospital_text.casefold()) if row.hospital_text else None
    if not row.procedure_text:
        row.errors["procedure"] = ["The procedure is empty."]
    if not row.hospital_text:
        row.errors["site"] = ["The hospital is empty."]
    row.supervision = _supervision(text("supervision")) or ""
    if not row.supervision:
        row.errors["supervision"] = [f"“{text('supervision')}” is not a supervision code (P, S-TS, S-TU, A, O, T)."]
    role_text = text("role")
    role = role_text if role_text in CaseRole.values else _ROLE_WORDS.get(role_text.casefold())
    if role_text and role is None:
        row.errors["role"] = [f"“{role_text}” is not a role ({', '.join(CaseRole.values)})."]
    role = role or _ROLE_BY_CODE.get(row.supervision, "")
    chosen_platform = text("platform") or platform
    if chosen_platform not in Platform.values:
        row.errors["platform"] = [f"“{chosen_platform}” is not a platform ({', '.join(Platform.values)})."]
    row.reference = text("reference")
    approach = text("approach")
    row.robotic = ours or (bool(_ROBOTIC.search(approach)) if approach else (
        bool(_ROBOTIC.search(row.procedure_text)) or row.procedure_text.casefold() in catalogue.robotic_names))
    row.data = {
        "date": row.date, "site": row.site, "procedure": row.procedure, "platform": chosen_platform, "role": role,
        "supervision": row.supervision, "console_minutes": _minutes(value("console_minutes"), "console_minutes", row),
        "total_minutes": _minutes(value("total_minutes"), "total_minutes", row), "supervisor_name": text("consultant"),
        "case_reference": row.reference, "supervisor": None, "conversion": "none", "complication_grade": "none",
    }
    return row


def _duplicate_key(date, procedure_id, site_id, reference: str) -> tuple:
    return (date, procedure_id, site_id, reference.strip().casefold())


# --- Preview and import --------------------------------------------------------------------------------


def elogbook_preview(*, trainee: User, actor: User, content: bytes, mapping: dict[str, str] | None = None,
                     procedures: dict[str, int] | None = None, sites: dict[str, int] | None = None,
                     platform: str = Platform.OTHER, rows: list[int] | None = None,
                     include_non_robotic: bool = False) -> Preview:
    """Read, map, check and choose every row; nothing is written."""
    refuse_unless(policies.refusal_to_log(actor, trainee))
    header, body = read_table(content)
    columns, used, ours = resolve_mapping(header, mapping)
    catalogue = _Catalogue(procedures, sites)
    existing = {_duplicate_key(*key) for key in Case.objects.filter(trainee=trainee).values_list(
        "date", "procedure_id", "site_id", "case_reference")}
    seen: dict[tuple, int] = {}
    preview = Preview(rows=[], mapping=used)
    for number, cells in enumerate(body, start=2):
        row = _read_row(number, cells, columns, catalogue, ours=ours, platform=platform)
        preview.rows.append(row)
        if row.errors:
            row.status = ERROR
        elif row.procedure is None or row.site is None:
            row.status = UNMAPPED
            if row.procedure is None:
                row.messages.append(f"Choose the catalogue procedure for “{row.procedure_text}”.")
            if row.site is None:
                row.messages.append(f"Choose the site for “{row.hospital_text}”.")
        else:
            key = _duplicate_key(row.date, row.procedure.pk, row.site.pk, row.reference)
            if key in existing:
                row.status = DUPLICATE
                row.messages.append("Already in your logbook (same date, procedure, hospital and reference).")
            elif key in seen:
                row.status = DUPLICATE
                row.messages.append(f"The same case as row {seen[key]} of this file.")
            else:
                seen[key] = number
                try:
                    case_check(trainee=trainee, data=row.data, steps=[])
                except ApplicationError as exc:
                    row.status = ERROR
                    row.errors = exc.errors or {"non_field_errors": [exc.message]}
        for name, messages in row.errors.items():
            row.messages += [f"{name}: {m}" for m in messages]
        row.selected = (number in rows) if rows is not None else (row.status == NEW and
                                                                  (row.robotic or include_non_robotic))
    return preview


def elogbook_import(*, trainee: User, actor: User, content: bytes, submit: bool = False, **options) -> Preview:
    """Import the chosen new rows (drafts, or submitted for validation) in one transaction; a
    chosen row that is not new stays as it is, its status saying why."""
    preview = elogbook_preview(trainee=trainee, actor=actor, content=content, **options)
    preview.dry_run = False
    chosen = [r for r in preview.rows if r.selected and r.status == NEW]
    for row in preview.rows:
        if row.selected and row.status != NEW:
            row.messages.append("Not imported.")
    with transaction.atomic():
        for row in chosen:
            row.case = case_create(trainee=trainee, actor=actor, data=row.data, source=CaseSource.ELOGBOOK)
            if submit:
                row.case = case_submit(case=row.case, actor=actor)
            row.messages.append("Imported as " + (CaseStatus.SUBMITTED.label if submit else CaseStatus.DRAFT.label)
                                .lower() + ".")
    preview.imported = len(chosen)
    return preview
