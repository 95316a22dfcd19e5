"""eLogbook import: preview with per-row statuses, mapping to the catalogue, choosing rows
(robotic by default), drafts or submitted, duplicates refused per row, XLSX, and RASTrack's
own export round-tripping to zero new rows. Every row goes through the logbook's case_check."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accreditation.logbook.models import Case, CaseSource, CaseStatus
from rastrack.reference.models import Procedure
from tests.builders.people import SiteFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/import-elogbook/"
HEADER = ["Date", "Procedure", "Supervision", "Hospital", "Consultant", "eLogbook ID", "Approach", "Console minutes"]


def day(days_ago: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).strftime("%d/%m/%Y")


def csv_file(rows, header=HEADER, name="elogbook.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


@pytest.fixture
def site(london):
    return SiteFactory(region=london, name="Guy's Hospital", ods_code="RJ121")


@pytest.fixture
def rarp(db):
    return Procedure.objects.get(code="rarp")


@pytest.fixture
def export_rows(site, rarp):
    return [
        [day(10), rarp.name, "S-TS", "Guy's Hospital", "Mr A Consultant", "E-1", "Robotic", "95"],    # 2 new
        [day(9), "Robotic partial nephrectomy (left)", "P", "RJ121", "", "E-2", "Robotic", "120"],    # 3 unmapped
        [day(8), rarp.name, "P", "Guy's Hospital", "", "E-3", "Open", "50"],                       # 4 not robotic
        [day(7), rarp.name, "S-TS", "Guy's Hospital", "", "E-4", "Robotic", ""],                      # 5 console, no time
        ["31/02/2024", rarp.name, "A", "Guy's Hospital", "", "E-5", "Robotic", ""],                   # 6 bad date
        [day(10), rarp.name, "S TS", "guy's hospital", "Mr A Consultant", "E-1", "Robotic", "95"],    # 7 = row 2
        [day(6), rarp.name, "A", "Nowhere General", "", "E-6", "Robotic", ""],                        # 8 unmapped site
    ]


def rows_by_number(body) -> dict:
    return {r["row"]: r for r in body["rows"]}


def test_the_preview_gives_every_row_a_status_and_writes_nothing(api, trainee, export_rows):
    response = api.as_user(trainee).post(URL, {"file": csv_file(export_rows)}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    rows = rows_by_number(body)
    assert {n: r["status"] for n, r in rows.items()} == {
        2: "new", 3: "unmapped", 4: "new", 5: "error", 6: "error", 7: "duplicate", 8: "unmapped"}
    assert body["dry_run"] is True and body["imported"] == 0 and not Case.objects.exists()
    assert body["unmapped_procedures"] == ["Robotic partial nephrectomy (left)"]
    assert body["unmapped_hospitals"] == ["Nowhere General"]
    assert rows[2]["selected"] and rows[2]["robotic"]
    assert not rows[4]["robotic"] and not rows[4]["selected"]  # robotic only, by default
    assert any("console time" in m.lower() for m in rows[5]["messages"])  # case_check's own message
    assert rows[6]["errors"]["date"]
    assert "row 2" in rows[7]["messages"][0]


def test_mapping_a_procedure_makes_its_rows_importable(api, trainee, export_rows, rarp, site):
    partial = Procedure.objects.exclude(pk=rarp.pk).filter(specialty="urology").first()
    body = api.as_user(trainee).post(URL, {
        "file": csv_file(export_rows),
        "procedures": json.dumps({"Robotic partial nephrectomy (left)": partial.pk}),
        "sites": json.dumps({"Nowhere General": site.pk}),
    }, format="multipart").json()
    rows = rows_by_number(body)
    assert rows[3]["status"] == "new" and rows[3]["procedure"] == partial.pk
    assert rows[8]["status"] == "new" and rows[8]["site"] == site.pk
    assert body["unmapped_procedures"] == []


def test_import_makes_drafts_marked_as_imported_and_refuses_a_reimport(api, trainee, export_rows, rarp):
    client = api.as_user(trainee)
    body = client.post(URL, {"file": csv_file(export_rows), "dry_run": "false"}, format="multipart").json()
    assert body["imported"] == 1  # row 2 only: row 4 is not robotic, the rest are not new
    case = Case.objects.get()
    assert (case.trainee, case.procedure, case.status, case.source) == (trainee, rarp, CaseStatus.DRAFT,
                                                                       CaseSource.ELOGBOOK)
    assert case.case_reference == "E-1" and case.supervisor_name == "Mr A Consultant"
    assert case.role == "console_whole" and case.console_minutes == 95 and case.supervision == "S-TS"
    assert rows_by_number(body)[2]["case"] == case.pk
    assert client.get(f"/api/v1/cases/{case.pk}/").json()["source"] == "elogbook"

    again = client.post(URL, {"file": csv_file(export_rows), "dry_run": "false", "rows": "2"},
                        format="multipart").json()
    assert again["imported"] == 0 and rows_by_number(again)[2]["status"] == "duplicate"
    assert "Not imported." in rows_by_number(again)[2]["messages"]
    assert Case.objects.count() == 1


def test_chosen_rows_can_include_non_robotic_ones_and_be_submitted(api, trainee, assigned_trainer, export_rows):
    body = api.as_user(trainee).post(URL, {"file": csv_file(export_rows), "dry_run": "false", "rows": "[2, 4]",
                                           "status": "submitted"}, format="multipart").json()
    assert body["imported"] == 2
    assert set(Case.objects.values_list("status", "validator")) == {(CaseStatus.SUBMITTED, assigned_trainer.pk)}


def test_an_xlsx_export_with_its_own_column_names(api, trainee, rarp, site):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Op date", "Operation", "Level", "Trust site", "Ref", "Console (min)"])
    sheet.append([timezone.localdate() - datetime.timedelta(days=3), rarp.code, "P", site.name, 101, 80])
    sheet.append([datetime.datetime.combine(timezone.localdate() - datetime.timedelta(days=2), datetime.time(9)),
                  "Robot-assisted RARP", "O", site.name, 102, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    mapping = {"date": "Op date", "procedure": "Operation", "supervision": "Level", "hospital": "Trust site",
               "reference": "Ref", "console_minutes": "Console (min)"}
    body = api.as_user(trainee).post(URL, {
        "file": SimpleUploadedFile("elogbook.xlsx", buffer.getvalue()), "mapping": json.dumps(mapping),
        "procedures": json.dumps({"Robot-assisted RARP": rarp.pk}), "dry_run": "false"}, format="multipart").json()
    assert [r["status"] for r in body["rows"]] == ["new", "new"]
    assert body["imported"] == 2
    observed = Case.objects.get(case_reference="102")
    assert observed.role == "observer" and observed.console_minutes is None


def test_rastracks_own_export_round_trips_to_zero_new_rows(api, trainee, export_rows):
    client = api.as_user(trainee)
    client.post(URL, {"file": csv_file(export_rows), "dry_run": "false", "rows": "2,4"}, format="multipart")
    exported = client.get("/api/v1/cases/export/").content
    body = client.post(URL, {"file": SimpleUploadedFile("logbook.csv", exported), "dry_run": "false"},
                       format="multipart").json()
    assert body["counts"]["new"] == 0 and body["imported"] == 0
    assert [r["status"] for r in body["rows"]] == ["duplicate", "duplicate"]
    assert Case.objects.count() == 2


def test_missing_columns_and_bad_files_are_a_400_naming_them(api, trainee):
    client = api.as_user(trainee)
    missing = client.post(URL, {"file": csv_file([["x"]], header=["Date", "Procedure"])}, format="multipart")
    assert missing.status_code == 400 and "Supervision (supervision)" in missing.json()["file"][0]
    broken = client.post(URL, {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04not a zip")}, format="multipart")
    assert broken.status_code == 400
    unknown = client.post(URL, {"file": csv_file([["x"]]), "mapping": json.dumps({"colour": "Colour"})},
                          format="multipart")
    assert unknown.status_code == 400 and "colour" in unknown.json()["mapping"][0]


def test_only_a_trainee_imports_into_their_own_logbook(api, assigned_trainer, lead, export_rows):
    for person in (assigned_trainer, lead):
        response = api.as_user(person).post(URL, {"file": csv_file(export_rows)}, format="multipart")
        assert response.status_code == 403


def test_the_page_previews_maps_and_imports(client, trainee, export_rows, rarp):
    client.force_login(trainee)
    assert client.get("/logbook/import-elogbook/").status_code == 200
    preview = client.post("/logbook/import-elogbook/", {"file": csv_file(export_rows), "platform": "davinci_xi"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'data-row="3" data-status="unmapped"' in html and "Robotic partial nephrectomy (left)" in html
    partial = Procedure.objects.exclude(pk=rarp.pk).filter(specialty="urology").first()
    remapped = client.post("/logbook/import-elogbook/", {
        "action": "preview", "procedure_text_1": "Robotic partial nephrectomy (left)", "procedure_1": partial.pk})
    assert 'data-row="3" data-status="new"' in remapped.content.decode()
    done = client.post("/logbook/import-elogbook/", {"action": "draft", "rows_chosen": "1", "row": ["2", "3"]})
    assert done.status_code == 302
    assert set(Case.objects.values_list("case_reference", "platform", "source")) == {
        ("E-1", "davinci_xi", "elogbook"), ("E-2", "davinci_xi", "elogbook")}


def test_an_elogbook_row_that_contradicts_the_role_code_table_is_an_error(api, trainee, rarp, site):
    header = [*HEADER, "Role"]
    rows = [[day(4), rarp.name, "A", site.name, "", "R-1", "Robotic", "90", "console"],   # whole + A
            [day(3), rarp.name, "S-TS", site.name, "", "R-2", "Robotic", "90", "console"]]
    body = api.as_user(trainee).post(URL, {"file": csv_file(rows, header=header), "dry_run": "true",
                                           "mapping": json.dumps({"role": "Role"})}, format="multipart").json()
    by_row = rows_by_number(body)
    assert by_row[2]["status"] == "error" and "supervision" in by_row[2]["errors"]
    assert by_row[3]["status"] == "new"
