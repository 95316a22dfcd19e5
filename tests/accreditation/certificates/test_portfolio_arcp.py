"""The portfolio export's ARCP identifiers and its consolidation table (procedure x supervision code)."""

from __future__ import annotations

import csv
import io

import pytest

from accreditation.certificates.portfolio_export import (
    SUPERVISION_CODES,
    build_portfolio,
    portfolio_pdf,
)
from accreditation.logbook import services as logbook
from tests.builders.certificates import pdf_text
from tests.builders.logbook import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def arcp_trainee(trainee):
    trainee.registration_body, trainee.registration_number = "gmc", "7654321"
    trainee.grade, trainee.training_programme = "ST6", "Urology higher surgical training, London"
    trainee.save()
    return trainee


def test_the_export_names_the_arcp_identifiers_and_consolidates_by_code(api, arcp_trainee, assigned_trainer):
    make_case(arcp_trainee, assigned_trainer, days=5)
    make_case(arcp_trainee, assigned_trainer, days=6)
    corrected = make_case(arcp_trainee, status="submitted", days=7)
    logbook.case_validate(case=corrected, actor=assigned_trainer, supervision="A")  # the trainer's code counts
    make_case(arcp_trainee, status="draft", days=8)  # not evidence: left out

    response = api.as_user(assigned_trainer).get("/api/v1/portfolio/export/", {"trainee": arcp_trainee.pk,
                                                                               "as": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    ids = {r["item"]: r["value"] for r in rows if r["section"] == "identifier"}
    assert ids == {"registration number": "GMC 7654321", "grade": "ST6",
                   "training programme": "Urology higher surgical training, London",
                   "educational supervisor": assigned_trainer.full_name}
    table = {(r["item"], r["status"]): r["value"] for r in rows if r["section"] == "consolidation"}
    name = "Robot-assisted radical prostatectomy"
    assert table == {(name, "S-TS"): "2", (name, "A"): "1", (name, "total"): "3",
                     ("all procedures", "S-TS"): "2", ("all procedures", "A"): "1", ("all procedures", "total"): "3"}


def test_the_pdf_has_the_identifiers_and_the_table(arcp_trainee, assigned_trainer):
    make_case(arcp_trainee, assigned_trainer)
    portfolio = build_portfolio(viewer=arcp_trainee, trainee=arcp_trainee)
    (row,) = portfolio.consolidation
    assert row.by_code[SUPERVISION_CODES.index("S-TS")] == 1 and row.total == 1
    text = pdf_text(portfolio_pdf(portfolio))
    assert "For the ARCP panel" in text and "GMC 7654321" in text and "ST6" in text
    assert "Consolidation" in text and assigned_trainer.full_name in text


def test_without_identifiers_the_export_says_not_recorded(trainee, client):
    client.force_login(trainee)
    page = client.get(f"/portfolio/{trainee.pk}/")
    assert b"data-arcp" in page.content and b"not recorded" in page.content
