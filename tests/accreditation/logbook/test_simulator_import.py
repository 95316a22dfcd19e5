"""Importing a simulator's export: formats detected or chosen, a preview per row with errors,
device_import sessions, the same file never twice, error text safe to paste in a spreadsheet."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accreditation.logbook.models import (
    SimulatorExportFormat,
    SimulatorImportFile,
    SimulatorSession,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/simulator-sessions/import/"
SAMPLES = Path(__file__).resolve().parents[2] / "support" / "simulator_exports"


def _upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else (SAMPLES / name).read_bytes())


def test_a_vendor_export_is_detected_previewed_then_imported_once(api, trainee):
    client = api.as_user(trainee)
    preview = client.post(URL, {"file": _upload("mimic-mscore-example.csv")}, format="multipart")
    assert preview.status_code == 200, preview.json()
    body = preview.json()
    assert (body["format"], body["dry_run"], body["ok"], body["imported"]) == ("mimic-mscore-example", True,
                                                                               True, 0)
    assert [r["meets_benchmark"] for r in body["rows"]] == [True, True, False]
    assert not SimulatorSession.objects.exists()

    done = client.post(URL, {"file": _upload("mimic-mscore-example.csv"), "dry_run": "false"}, format="multipart")
    assert done.status_code == 200 and done.json()["imported"] == 3
    sessions = SimulatorSession.objects.filter(trainee=trainee)
    assert {s.provenance for s in sessions} == {"device_import"}
    assert {s.exercise.code for s in sessions} == {"mimic-pick-and-place", "mimic-peg-board-1"}
    record = SimulatorImportFile.objects.get()
    assert record.sessions == 3 and len(record.checksum) == 64

    again = client.post(URL, {"file": _upload("mimic-mscore-example.csv"), "dry_run": "false"}, format="multipart")
    assert again.status_code == 409
    assert client.post(URL, {"file": _upload("mimic-mscore-example.csv")}, format="multipart").status_code == 409
    assert sessions.count() == 3


def test_a_second_vendor_shape_and_xlsx(api, trainee):
    client = api.as_user(trainee)
    response = client.post(URL, {"file": _upload("dvss-example.csv")}, format="multipart")
    assert response.json()["format"] == "dvss-example"
    assert [r["meets_benchmark"] for r in response.json()["rows"]] == [True, False]  # overall score 80

    book = Workbook()
    sheet = book.active
    for line in (SAMPLES / "dvss-example.csv").read_text().splitlines():
        sheet.append([int(c) if c.isdigit() else c for c in line.split(",")])
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = client.post(URL, {"file": _upload("export.xlsx", buffer.getvalue()), "format": "dvss-example",
                             "dry_run": "false"}, format="multipart")
    assert xlsx.status_code == 200, xlsx.json()
    assert xlsx.json()["imported"] == 2


def test_rows_with_errors_import_nothing_and_echo_safely(api, trainee):
    client = api.as_user(trainee)
    response = client.post(URL, {"file": _upload("bad-rows.csv"), "dry_run": "false"}, format="multipart")
    assert response.status_code == 400
    rows = response.json()["rows"]
    assert rows[0]["errors"] == {}
    assert rows[1]["exercise"].startswith("'=") and rows[1]["errors"]["exercise"][0].count("'=HYPERLINK") == 1
    assert {"date", "metrics.time"} <= set(rows[2]["errors"])
    assert not SimulatorSession.objects.exists() and not SimulatorImportFile.objects.exists()


def test_a_format_added_as_data_and_a_wrong_choice(api, trainee):
    SimulatorExportFormat.objects.create(code="lab-sheet", name="Our lab's sheet", simulator="versius_trainer",
                                         mapping={"exercise": "Task", "date": "Day", "minutes": "Mins",
                                                  "metrics": {"time": "Secs", "economy_of_motion": "Path",
                                                              "instrument_collisions": "Hits",
                                                              "excessive_force": "Force",
                                                              "instruments_out_of_view": "Out", "drops": "Drops"}})
    text = "Task,Day,Mins,Secs,Path,Hits,Force,Out,Drops\nPegboard,2025-04-01,15,100,250,1,2,4,0\n"
    client = api.as_user(trainee)
    response = client.post(URL, {"file": _upload("lab.csv", text.encode()), "format": "lab-sheet"},
                           format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["rows"][0]["meets_benchmark"] is True
    wrong = client.post(URL, {"file": _upload("lab.csv", text.encode()), "format": "mimic-mscore-example"},
                        format="multipart")
    assert wrong.status_code == 400 and "file" in wrong.json()
    unknown = client.post(URL, {"file": _upload("lab.csv", text.encode()), "format": "nope"}, format="multipart")
    assert unknown.status_code == 400 and "format" in unknown.json()


def test_a_programme_admin_adds_a_format_in_the_audited_admin(client, admin):
    import json

    from rastrack.audit.models import AuditEntry
    from tests.support.mfa import login_verified

    admin.is_staff = admin.is_superuser = True
    admin.save()
    login_verified(client, admin)
    mapping = {"exercise": "Task", "date": "Day", "metrics": "*", "exercises": {"Peg": "no-such-code"}}
    form = {"code": "our-sheet", "name": "Our sheet", "simulator": "", "mapping": json.dumps(mapping)}
    refused = client.post("/admin/accreditation/simulatorexportformat/add/", form)
    assert refused.status_code == 200 and "no-such-code" in refused.content.decode()
    mapping["exercises"] = {"Peg": "versius-pegboard"}
    saved = client.post("/admin/accreditation/simulatorexportformat/add/", {**form, "mapping": json.dumps(mapping)})
    assert saved.status_code == 302
    assert SimulatorExportFormat.objects.filter(code="our-sheet").exists()
    assert AuditEntry.objects.filter(action="simulatorexportformat.create").exists()
    # Exercises are read-only in admin: their benchmarks change through the audited API service.
    assert client.get("/admin/accreditation/simulatorexercise/add/").status_code == 403
