"""Hostile input: every validator under hypothesis, oversized bodies and fields, NUL
characters, unicode / emoji / right-to-left text, hostile CSV files and lying uploads.

A validator may accept or refuse, with a message; it must never crash (a TypeError, a
KeyError, an IndexError is a 500 in production). Already covered elsewhere, not repeated
here (see docs/security.md): NHS-number properties (tests/rastrack/core/test_pii.py), uploads by
content and the 10 MB limit (tests/rastrack/core/test_uploads.py), the CSV template's errors and
formula escaping (tests/accreditation/logbook/test_csv.py).
"""

# Hypothesis tests accept either outcome (a value or a refusal with a message) and check the
# refusal's message, which pytest.raises cannot express.
# ruff: noqa: PT017
from __future__ import annotations

import datetime
import os
from contextlib import contextmanager

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accreditation.logbook import csv_template as logbook_csv
from accreditation.logbook import services as logbook_services
from accreditation.logbook.models import Case
from accreditation.logbook.services import case_check
from accreditation.signoff.models import AssessmentTool
from accreditation.signoff.services import assessment_scores_check
from curriculum.normalise import normalise_url
from curriculum.rules import check_requirement
from rastrack import env
from rastrack.accounts.validators import (
    RegistrationBody,
    normalise_registration_number,
    validate_registration,
)
from rastrack.core import csv_export
from rastrack.core.exceptions import ApplicationError
from rastrack.core.pii import find_pii, validate_no_pii
from rastrack.core.uploads import validate_evidence_file
from tests.builders.security import days_ago
from tests.security.requests import BODIES
from tests.support.api_clients import client_for

pytestmark = pytest.mark.django_db

FAST = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=10,
)
HOSTILE_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=200) | st.sampled_from([
    "\x00", "a\x00b", "=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "\u202eevil\u202c",
    "👩🏽‍⚕️" * 30, "שלום عليكم", "\ufeff", "'; DROP TABLE accounts_user; --", "<script>alert(1)</script>",
    "../../etc/passwd", "%00", "\ud7ff", "A" * 5000,
])


# --- Validators under hypothesis --------------------------------------------------------------


@FAST
@given(HOSTILE_TEXT)
def test_the_pii_guard_answers_every_text(text):
    findings = find_pii(text)
    assert isinstance(findings, list)
    try:
        validate_no_pii(text)
    except ValidationError as exc:
        assert findings and exc.messages


@FAST
@given(st.sampled_from([*RegistrationBody.values, "", "nmc ", "XYZ", "\x00"]), HOSTILE_TEXT)
def test_registration_numbers_are_accepted_or_refused_with_a_message(body, number):
    try:
        validate_registration(body, number)
    except ValidationError as exc:
        assert exc.message_dict
    once = normalise_registration_number(number)
    assert normalise_registration_number(once) == once


@FAST
@given(HOSTILE_TEXT | st.builds(lambda h, p: f"https://{h}/{p}", st.text(max_size=20), st.text(max_size=20)))
def test_url_normalisation_is_a_value_error_or_idempotent(url):
    try:
        once = normalise_url(url)
    except ValueError:
        return
    assert normalise_url(once) == once


@FAST
@given(JSONISH)
def test_assessment_scores_are_checked_never_crash(world, scores):
    gears = AssessmentTool.objects.get(code="gears")
    clean, errors = assessment_scores_check(tool=gears, scores=scores)
    assert bool(clean) != bool(errors) or (not clean and errors)
    if not errors:
        assert set(clean) == set(gears.domains.values_list("code", flat=True))


@FAST
@given(st.sampled_from(["min_count", "min_hours", "min_score", "competency_signoff", "assessment_threshold",
                        "final_signoff", "nonsense", ""]),
       st.dictionaries(st.sampled_from(["count", "hours", "score", "consecutive", "competency_key", "tool",
                                        "min_total", "x"]), JSONISH, max_size=4) | JSONISH)
def test_requirement_rules_answer_per_field(world, type_, params):
    component = world.objects["components"]["others"]
    try:
        columns, errors = check_requirement(component=component, type=type_,
                                            params=params if isinstance(params, dict) else {"count": params})
    except ApplicationError as exc:  # pragma: no cover - the contract is errors, not raising
        pytest.fail(f"check_requirement raised {exc!r}")
    assert isinstance(errors, dict)


@FAST
@given(st.fixed_dictionaries({}, optional={
    "date": st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 1, 1)),
    "role": st.sampled_from(["console_whole", "console_part", "bedside_assistant", "observer", "x", ""]),
    "console_minutes": st.none() | st.integers(-10**6, 10**6),
    "docking_minutes": st.none() | st.integers(-10**6, 10**6),
    "total_minutes": st.none() | st.integers(-10**6, 10**6),
    "supervision": st.sampled_from(["P", "S-TS", "O", "Z"]),
    "platform": st.sampled_from(["davinci_xi", "nope"]),
    "notes": HOSTILE_TEXT, "case_reference": HOSTILE_TEXT, "supervisor_name": HOSTILE_TEXT,
}))
def test_the_case_rules_refuse_per_field_and_never_crash(world, data):
    base = {"site": world.objects["sites"]["own"], "procedure": world.objects["procedures"]["own"],
            "date": days_ago(1), "platform": "davinci_xi", "role": "console_part", "supervision": "S-TS",
            "console_minutes": 30, "total_minutes": 60}
    try:
        case_check(trainee=world.trainee, data={**base, **data}, steps=[])
    except ApplicationError as exc:
        assert exc.errors


@FAST
@given(st.binary(max_size=2000) | st.sampled_from([
    b"", b"%PDF", b"%PDF-1.4\n" + b"\x00" * 400, b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"<html><script>x</script>",
    b"PK\x03\x04" + b"\x00" * 300, b"MZ" + b"\x00" * 300,
]), st.sampled_from(["evidence.pdf", "photo.png", "scan.jpg", "x.exe", "..\\..\\boot.ini", "a\x00.pdf", ""]))
def test_uploads_are_judged_by_content_whatever_the_name(content, name):
    upload = SimpleUploadedFile(name or "file", content)
    try:
        validate_evidence_file(upload)
    except ValidationError as exc:
        assert exc.messages
    else:
        assert content[:4] in (b"%PDF", b"\x89PNG") or content[:3] == b"\xff\xd8\xff"


@FAST
@given(st.binary(max_size=3000) | st.builds(
    lambda rows: (",".join(logbook_csv.COLUMNS) + "\n" + "\n".join(rows)).encode(),
    st.lists(st.text(max_size=80), max_size=5)))
def test_the_csv_import_reports_or_refuses_and_imports_nothing_on_a_dry_run(world, content):
    before = Case.objects.count()
    try:
        result = logbook_csv.import_cases(trainee=world.trainee, actor=world.trainee, file_bytes=content,
                                          dry_run=True)
    except ApplicationError as exc:
        assert exc.errors or exc.message
    else:
        assert result.imported == 0
    assert Case.objects.count() == before


@FAST
@given(HOSTILE_TEXT)
def test_exported_cells_never_start_a_formula_and_round_trip(text):
    cell = csv_export.escape_cell(text)
    assert not cell.startswith(csv_export.FORMULA_STARTS)
    assert csv_export.unescape_cell(cell) == text


@contextmanager
def _env(name, value):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40))
def test_settings_helpers_read_a_value_or_stop_naming_the_variable(raw):
    name = "RASTRACK_HYPOTHESIS_PROBE"
    with _env(name, raw):
        for read in (lambda: env.env_bool(name, False), lambda: env.env_int(name, 1, minimum=0),
                     lambda: env.env_list(name, []), lambda: env.env_int_list(name, []),
                     lambda: env.env_url(name, None, schemes=("https",))):
            try:
                read()
            except ImproperlyConfigured as exc:
                assert name in str(exc)


# --- Sizes --------------------------------------------------------------------------------------


def test_a_json_body_over_the_request_limit_is_refused_before_parsing(world, settings):
    body = b'{"notes": "' + b"A" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + b'"}'
    response = client_for(world, "trainee").generic("POST", "/api/v1/cases/", body,
                                                    content_type="application/json")
    assert response.status_code in (400, 413)
    assert Case.objects.filter(trainee=world.trainee, notes__startswith="AAAA").count() == 0


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/cases/", "notes"), ("/api/v1/cases/", "case_reference"), ("/api/v1/cases/", "supervisor_name"),
    ("/api/v1/simulator-sessions/", "exercise"), ("/api/v1/signoff-requests/", "note"),
    ("/api/v1/trainer-applications/", "statement"),
])
def test_an_oversized_field_is_a_400_on_that_field(world, path, field):
    persona = "lab_manager" if "trainer-applications" in path else "trainee"
    body = {**BODIES[("POST", path)](world, persona, None), field: "Z" * 100_000}
    response = client_for(world, persona).post(path, body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()


# --- NUL characters (PostgreSQL refuses them in text) -------------------------------------------


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/cases/", "notes"), ("/api/v1/cases/", "supervisor_name"),
    ("/api/v1/simulator-sessions/", "exercise"), ("/api/v1/signoff-requests/", "note"),
    ("/api/v1/resources/submissions/", "items"),
])
def test_a_nul_in_a_body_field_is_a_400(world, path, field):
    body = BODIES[("POST", path)](world, "trainee", None)
    if field == "items":
        body = {"items": [{**body["items"][0], "title": "Docking\x00guide", "topics": ["a\x00b"]}]}
    else:
        body = {**body, field: "before\x00after"}
    response = client_for(world, "trainee").post(path, body, format="json")
    assert response.status_code == 400, response.content[:300]


@pytest.mark.parametrize("url", [
    "/api/v1/cases/?status=draft%00", "/api/v1/resources/?search=dock%00ing", "/api/v1/resources/?topic=%00",
    "/api/v1/accreditations/?specialty=uro%00logy", "/api/v1/assessments/?tool=gears%00",
    "/api/v1/assessment-tools/gea%00rs/", "/api/v1/frameworks/?code=%00", "/api/v1/pathways/?code=a%00",
    "/api/v1/competencies/?key=%00", "/logbook/?q=%00", "/verify/ABC%00DEF/",
])
def test_a_nul_in_the_address_is_a_400_never_a_500(world, url):
    response = client_for(world, "admin").get(url)
    assert response.status_code == 400


def test_a_nul_in_a_json_object_key_or_list_is_refused(world):
    client = client_for(world, "assigned_trainer")
    body = {**BODIES[("POST", "/api/v1/assessments/")](world, "assigned_trainer", None),
            "scores": {"auto\x00nomy": 3}}
    assert client.post("/api/v1/assessments/", body, format="json").status_code == 400
    admin = client_for(world, "admin")
    requirement = {**BODIES[("POST", "/api/v1/requirements/")](world, "admin", None),
                   "params": {"count": "1\x00"}}
    assert admin.post("/api/v1/requirements/", requirement, format="json").status_code == 400


# --- Unicode, emoji and right-to-left text ------------------------------------------------------

WORLD_TEXT = "Docking 👩🏽‍⚕️🤖 — שלום, مرحبا بالعالم; \u202bRTL\u202c; Zoë Ŝtraße; 漢字; 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"


def test_unicode_is_stored_and_shown_intact_through_the_api_page_and_csv(world):
    client = client_for(world, "trainee")
    body = {**BODIES[("POST", "/api/v1/cases/")](world, "trainee", None), "notes": WORLD_TEXT,
            "supervisor_name": "Dr Zoë O'Brien-حداد", "case_reference": "Ref №7 ✓"}
    created = client.post("/api/v1/cases/", body, format="json")
    assert created.status_code == 201, created.json()
    case_id = created.json()["id"]
    assert Case.objects.get(pk=case_id).notes == WORLD_TEXT
    shown = client.get(f"/api/v1/cases/{case_id}/").json()
    assert (shown["notes"], shown["supervisor_name"], shown["case_reference"]) == (
        WORLD_TEXT, "Dr Zoë O'Brien-حداد", "Ref №7 ✓")
    # The assigned trainer sees the same text, and the CSV export keeps it (UTF-8).
    theirs = client_for(world, "assigned_trainer").get(f"/api/v1/cases/{case_id}/").json()
    assert theirs["notes"] == WORLD_TEXT
    exported = client.get("/api/v1/cases/export/").content.decode("utf-8")
    assert WORLD_TEXT in exported


def test_unicode_is_shown_intact_and_escaped_on_the_web_page(world, client):
    client.force_login(world.trainee)
    case = world.extra["case_draft_own"]
    logbook_services.case_update(case=case, actor=world.trainee, data={"notes": WORLD_TEXT + " <b>bold</b>"})
    page = client.get(f"/logbook/cases/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode("utf-8")
    assert WORLD_TEXT in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


# --- CSV import: hostile files, nothing imported ------------------------------------------------


def _import(world, content: bytes, dry_run=False):
    upload = SimpleUploadedFile("logbook.csv", content, content_type="text/csv")
    return client_for(world, "trainee").post("/api/v1/cases/import/", {"file": upload, "dry_run": dry_run},
                                             format="multipart")


def _row(world, **overrides) -> str:
    row = {c: "" for c in logbook_csv.COLUMNS}
    row.update(date=days_ago(2).isoformat(), site=world.objects["sites"]["own"].name, platform="davinci_xi",
               procedure=world.objects["procedures"]["own"].name, role="console_part", supervision="S-TS",
               console_minutes="60", total_minutes="120")
    row.update(overrides)
    return ",".join(f'"{row[c]}"' for c in logbook_csv.COLUMNS)


HEADER = ",".join(logbook_csv.COLUMNS)


@pytest.mark.parametrize(("name", "content", "where"), [
    ("latin-1", (HEADER + "\n" + "2026-01-01,Hôpital,davinci_xi").encode("latin-1"), "file"),
    ("utf-16", (HEADER + "\n").encode("utf-16"), "file"),
    ("NUL bytes", HEADER.encode() + b"\n\x00\x00\x00", "file"),
    ("binary", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "file"),
    ("header only", HEADER.encode() + b"\n", "file"),
    ("empty", b"", "file"),
    ("no header", b"2026-01-01,x,y\n", "file"),
])
def test_a_malformed_or_wrongly_encoded_file_is_a_clear_400_and_imports_nothing(world, name, content, where):
    before = Case.objects.count()
    response = _import(world, content)
    assert response.status_code == 400, name
    assert response.json()[where]
    assert Case.objects.count() == before


def test_a_truncated_file_names_its_bad_rows_and_imports_nothing(world):
    good = _row(world)
    truncated = good[: len(good) // 2]
    content = f"{HEADER}\n{good}\n{truncated}".encode()
    before = Case.objects.count()
    response = _import(world, content)
    assert response.status_code == 400
    rows = {r["row"]: r["errors"] for r in response.json()["rows"]}
    assert rows[2] == {} and rows[3]
    assert Case.objects.count() == before


def test_an_unclosed_quote_and_an_extra_cell_are_row_errors(world):
    content = f'{HEADER}\n{_row(world)},"extra"\n{_row(world, notes="unclosed)")}'.encode()
    content += b'\n"2026-01-01,"unterminated'
    before = Case.objects.count()
    response = _import(world, content)
    assert response.status_code == 400
    assert Case.objects.count() == before


def test_formula_cells_are_imported_as_text_and_exported_escaped(world):
    formulas = ["=HYPERLINK(\"http://evil\",\"x\")", "+SUM(1,2)", "-1+2", "@cmd", "\t=1"]
    rows = [_row(world, notes=f.replace('"', '""'), case_reference=f"r{i}") for i, f in enumerate(formulas)]
    response = _import(world, (f"{HEADER}\n" + "\n".join(rows) + "\n").encode())
    assert response.status_code == 200, response.json()
    stored = set(Case.objects.filter(trainee=world.trainee, case_reference__in=[f"r{i}" for i in range(5)])
                 .values_list("notes", flat=True))
    assert stored == {f.strip() for f in formulas}
    exported = client_for(world, "trainee").get("/api/v1/cases/export/").content.decode()
    import csv
    import io

    for record in csv.DictReader(io.StringIO(exported)):
        for value in record.values():
            assert not (value or "").startswith(("=", "+", "-", "@", "\t", "\r")) or value.startswith("-") and \
                value[1:].replace(".", "").isdigit(), value


def test_the_portfolio_export_escapes_formula_cells(world):
    from rastrack.accounts.models import User

    # Names are typed by people: a trainer called "=HYPERLINK(...)" must stay text.
    User.objects.filter(pk__in=[world.trainee.pk, world.assigned_trainer.pk]).update(
        full_name="=HYPERLINK(\"http://x\")")
    response = client_for(world, "trainee").get("/api/v1/portfolio/export/", {"as": "csv"})
    assert response.status_code == 200
    import csv
    import io

    cells = [c for row in csv.reader(io.StringIO(response.content.decode())) for c in row]
    assert cells and not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    assert any(c.startswith("'=HYPERLINK") for c in cells)


def test_an_upload_with_a_lying_extension_is_refused(world):
    client = client_for(world, "trainee")
    for name, content in [("cv.pdf", b"<html><script>alert(1)</script></html>" + b" " * 200),
                          ("photo.png", b"%!PS-Adobe-3.0\n" + b" " * 300),
                          ("scan.jpg", b"MZ\x90\x00" + b"\x00" * 300)]:
        response = client.post("/api/v1/documents/", {"file": SimpleUploadedFile(name, content)},
                               format="multipart")
        assert response.status_code == 400, name
        assert "file" in response.json()
    # A PNG named .pdf is stored as what it is, a PNG, never served as a PDF.
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
           b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    stored = client.post("/api/v1/documents/", {"file": SimpleUploadedFile("report.pdf", png)}, format="multipart")
    if stored.status_code == 201:
        assert stored.json()["content_type"] == "image/png"
        download = client.get(f"/api/v1/documents/{stored.json()['id']}/download/")
        assert download["Content-Type"] == "image/png"
        assert download["X-Content-Type-Options"] == "nosniff"
    else:
        assert stored.status_code == 400
