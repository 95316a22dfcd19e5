"""CSV import (dry run, row errors, all or nothing) and export (formula escaping)."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from accreditation.logbook.csv_template import COLUMNS, EXPORT_ONLY, OPTIONAL_COLUMNS
from accreditation.logbook.models import Case
from rastrack.core.csv_export import escape_cell
from tests.builders.people import SiteFactory

pytestmark = pytest.mark.django_db

DAY = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()


@pytest.fixture
def site(london):
    return SiteFactory(region=london, name="Guy's Hospital")


def _row(**overrides):
    row = {
        "date": DAY, "site": "Guy's Hospital", "platform": "davinci_xi",
        "procedure": "Robot-assisted radical prostatectomy", "role": "console_part",
        "supervision": "S-TS", "console_minutes": "95", "docking_minutes": "8",
        "total_minutes": "200", "conversion": "none", "complication_grade": "none",
        "supervisor_email": "", "supervisor_name": "", "case_reference": "Case 3",
        "notes": "", "steps": "Bladder neck dissection; Apical dissection (observed)",
    }
    row.update(overrides)
    return row


def _csv(rows, columns=COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def _upload(api, user, content: bytes, dry_run: bool):
    return api.as_user(user).post("/api/v1/cases/import/", {
        "file": SimpleUploadedFile("logbook.csv", content, content_type="text/csv"),
        "dry_run": "true" if dry_run else "false"}, format="multipart")


def test_a_dry_run_previews_and_imports_nothing(api, trainee, site):
    response = _upload(api, trainee, _csv([_row(), _row(role="bedside_assistant", supervision="A", console_minutes="")]), True)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] and body["dry_run"] and body["imported"] == 0
    assert [r["row"] for r in body["rows"]] == [2, 3]
    assert not Case.objects.exists()


def test_an_import_creates_every_case_with_its_steps(api, trainee, site):
    response = _upload(api, trainee, _csv([_row(), _row(date=DAY, platform="hugo")]), False)
    assert response.status_code == 200 and response.json()["imported"] == 2
    case = Case.objects.filter(trainee=trainee, platform="davinci_xi").get()
    assert {(s.step.name, s.role) for s in case.steps.all()} == {
        ("Bladder neck dissection", "console"), ("Apical dissection", "observed")}


def test_one_bad_row_imports_nothing_and_names_row_and_field(api, trainee, site):
    rows = [
        _row(),
        _row(date="31/02/2026"),
        _row(console_minutes="300", total_minutes="200"),
        _row(site="Nowhere General"),
        _row(steps="Bladder neck dissection; Making tea"),
        _row(notes="NHS no 9434765919"),
    ]
    response = _upload(api, trainee, _csv(rows), False)
    assert response.status_code == 400
    errors = {r["row"]: r["errors"] for r in response.json()["rows"]}
    assert errors[2] == {}
    assert "date" in errors[3]
    assert "console_minutes" in errors[4]
    assert "site" in errors[5]
    assert "steps" in errors[6] and "Making tea" in errors[6]["steps"][0]
    assert "notes" in errors[7]
    assert not Case.objects.exists()


@pytest.mark.parametrize(("content", "message"), [
    (b"date,site\n2026-01-01,x\n", "Missing columns"),
    ("\ufeff".encode() + _csv([]), "no cases"),
    ("date,site".encode("utf-16"), "not UTF-8"),
])
def test_malformed_files_get_a_clear_message(api, trainee, site, content, message):
    response = _upload(api, trainee, content, False)
    assert response.status_code == 400
    assert message in " ".join(response.json()["file"])


def test_export_escapes_formula_cells_and_round_trips(api, trainee, site):
    _upload(api, trainee, _csv([_row(case_reference="=HYPERLINK(\"http://evil\")", notes="+1 extra port")]), False)
    response = api.as_user(trainee).get("/api/v1/cases/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == COLUMNS + OPTIONAL_COLUMNS + EXPORT_ONLY
    assert rows[0]["case_reference"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["notes"] == "'+1 extra port"
    assert rows[0]["steps"] == "Bladder neck dissection; Apical dissection (observed)"
    # Re-importing an export gives the same cases back (the escape is undone).
    Case.objects.all().delete()
    assert _upload(api, trainee, text.encode(), False).json()["imported"] == 1
    assert Case.objects.get().case_reference == "=HYPERLINK(\"http://evil\")"


@pytest.mark.parametrize("value", ["=1+1", "+44", "-3", "@SUM(A1)", "\tx"])
def test_escape_cell(value):
    assert escape_cell(value) == "'" + value
    assert escape_cell("plain") == "plain"
    assert escape_cell(None) == ""


def test_export_of_someone_else_is_404_and_a_trainer_exports_an_assigned_trainee(
        api, trainee, other_trainee, assigned_trainer, site):
    _upload(api, trainee, _csv([_row()]), False)
    assert api.as_user(other_trainee).get(f"/api/v1/cases/export/?trainee={trainee.pk}").status_code == 404
    response = api.as_user(assigned_trainer).get(f"/api/v1/cases/export/?trainee={trainee.pk}")
    assert response.status_code == 200
    assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) == 1


def test_the_management_command_imports_all_or_nothing(trainee, site, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(_csv([_row(), _row()]))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([_row(), _row(platform="steam-powered")]))
    with pytest.raises(CommandError, match="row 3"):
        call_command("import_logbook", trainee.email, str(bad))
    assert not Case.objects.exists()
    call_command("import_logbook", trainee.email, str(good), "--dry-run")
    assert not Case.objects.exists()
    call_command("import_logbook", trainee.email, str(good))
    assert Case.objects.filter(trainee=trainee).count() == 2
    assert "Imported 2 cases" in capsys.readouterr().out


def test_the_import_holds_rows_to_the_role_code_position_table(api, trainee, site):
    rows = [_row(role="observer", supervision="P", steps=""),
            _row(trainer_position="remote"),
            _row(trainer_position="dual_console", asa_grade="2", urgency="urgent",
                 steps="Bladder neck dissection (taken over); Apical dissection [20 min]")]
    columns = [*COLUMNS, *OPTIONAL_COLUMNS]
    body = _upload(api, trainee, _csv(rows, columns), False).json()
    errors = {r["row"]: r["errors"] for r in body["rows"] if r["errors"]}
    assert set(errors) == {2, 3} and "supervision" in errors[2] and "trainer_position" in errors[3]
    assert not Case.objects.exists()  # all or nothing
    body = _upload(api, trainee, _csv(rows[2:], columns), False).json()
    assert body["imported"] == 1
    case = Case.objects.get()
    assert (case.trainer_position, case.asa_grade, case.urgency) == ("dual_console", 2, "urgent")
    assert {(s.step.name, s.takeover, s.console_minutes) for s in case.steps.all()} == {
        ("Bladder neck dissection", True, None), ("Apical dissection", False, 20)}
    export = api.as_user(trainee).get("/api/v1/cases/export/").content.decode()
    assert "Bladder neck dissection (taken over); Apical dissection [20 min]" in export
