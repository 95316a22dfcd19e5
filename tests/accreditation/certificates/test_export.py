"""The portfolio export (CSV and PDF) against a hand-built portfolio, through the API and the
pages; blinding respected for each viewer; permissions both ways; formula cells escaped."""

import csv
import io
from decimal import Decimal

import pytest

from accreditation.logbook.models import Case
from accreditation.logbook.selectors import logbook_totals
from accreditation.signoff import services as signoff_services
from tests.builders.certificates import certify, pdf_text
from tests.builders.dates import days_ago
from tests.builders.logbook import make_case
from tests.builders.signoff import (  # noqa: F401 - fixtures
    assess,
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
    request_signoff,
    self_assess,
)
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db

URL = "/api/v1/portfolio/export/"


@pytest.fixture
def portfolio(trainee, assigned_trainer, framework, competency, enrolment):
    """Three validated cases (two console, one bedside), one submitted, one draft; three
    trainer GEARS (22 and 24 not of a case, 18 of a case the trainee has not rated: blinded
    to the trainee) and a self-assessment (27) of a case no trainer rated (blinded to
    everyone else); docking approved, camera control returned; progress 2 of 3."""
    console1 = make_case(trainee, assigned_trainer, days=30, role="console_part")
    console2 = make_case(trainee, assigned_trainer, days=25, role="console_whole")
    make_case(trainee, assigned_trainer, days=24, role="bedside_assistant")
    make_case(trainee, assigned_trainer, days=10, role="console_part", status="submitted")
    make_case(trainee, assigned_trainer, days=3, role="console_part", status="draft")
    assess(assigned_trainer, trainee, total=22, date=days_ago(40))
    assess(assigned_trainer, trainee, total=24, date=days_ago(35))
    assess(assigned_trainer, trainee, total=18, case=console1)
    self_assess(trainee, console2, total=27)
    docking = request_signoff(trainee, assigned_trainer, competency=competency.pk)
    signoff_services.signoff_request_approve(request=docking, actor=assigned_trainer)
    other = framework.competencies.get(key="comp-1-2")
    returned = request_signoff(trainee, assigned_trainer, competency=other.pk)
    signoff_services.signoff_request_return(request=returned, actor=assigned_trainer, feedback="More cases.")
    return enrolment


def _rows(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _section(rows, name) -> list[dict]:
    return [r for r in rows if r["section"] == name]


def test_the_csv_of_a_hand_built_portfolio_for_the_trainer(api, trainee, assigned_trainer, portfolio):
    rows = _rows(api.as_user(assigned_trainer).get(URL, {"trainee": trainee.pk, "as": "csv"}))
    assert list(rows[0]) == ["section", "item", "status", "value", "date", "detail"]

    # Logbook: the validated cases' totals, exactly logbook_totals.
    totals = logbook_totals(Case.objects.filter(trainee=trainee, status="validated"))
    logbook = {r["item"]: r["value"] for r in _section(rows, "logbook")}
    assert logbook == {"validated cases": "3", "console hours": "3.0"} and totals["cases"] == 3
    assert {r["status"]: int(r["value"]) for r in _section(rows, "logbook_by_role")} == totals["by_role"] == {
        "console_part": 1, "console_whole": 1, "bedside_assistant": 1}
    assert {r["status"]: int(r["value"]) for r in _section(rows, "logbook_by_platform")} == {"davinci_xi": 3}
    assert [(r["item"], r["value"]) for r in _section(rows, "logbook_by_procedure")] == [
        ("Robot-assisted radical prostatectomy", "3")]
    assert {r["status"]: int(r["value"]) for r in _section(rows, "logbook_status")} == {
        "draft": 1, "submitted": 1, "validated": 3, "rejected": 0}

    # Assessments: the three trainer ratings; the self-assessment is blinded to the trainer.
    assessments = _section(rows, "assessment")
    assert sorted((r["status"], r["value"]) for r in assessments) == [
        ("trainer", "18"), ("trainer", "22"), ("trainer", "24")]
    assert "27" not in {r["value"] for r in rows}
    assert _section(rows, "assessment_blinded")[0]["value"] == "1"
    summary = _section(rows, "assessment_summary")
    assert [(r["item"], r["value"], r["detail"]) for r in summary] == [
        ("GEARS", "3", "latest 18; highest 24; mean 21.3")]

    # Sign-offs: the decided ones.
    assert sorted((r["status"], r["value"]) for r in _section(rows, "signoff")) == [
        ("approved", "Ada Assigned"), ("returned", "Ada Assigned")]

    # Progress: the pathway, 2 of 3, and each requirement met or not.
    progress = _section(rows, "progress")
    assert [(r["item"], r["status"], r["value"]) for r in progress] == [("Console test", "active", "2/3")]
    met = [(r["item"].split(": ")[2], r["status"]) for r in _section(rows, "requirement")]
    assert met == [("Docking", "met"), ("GEARS", "met"), ("Sign-off by an accredited trainer", "not met")]
    assert _section(rows, "certificate") == []


def test_the_trainee_sees_their_own_self_assessment_but_not_a_blinded_trainer_rating(api, trainee, portfolio):
    rows = _rows(api.as_user(trainee).get(URL, {"as": "csv"}))  # default: yourself
    assert sorted((r["status"], r["value"]) for r in _section(rows, "assessment")) == [
        ("self", "27"), ("trainer", "22"), ("trainer", "24")]
    assert "18" not in {r["value"] for r in _section(rows, "assessment")}
    assert _section(rows, "assessment_blinded")[0]["value"] == "1"
    assert [(r["value"], r["detail"]) for r in _section(rows, "assessment_summary")] == [
        ("2", "latest 24; highest 24; mean 23.0")]


def test_once_revealed_both_sides_are_exported(api, trainee, assigned_trainer, portfolio):
    console2 = Case.objects.get(trainee=trainee, role="console_whole")
    assess(assigned_trainer, trainee, total=20, case=console2)
    rows = _rows(api.as_user(assigned_trainer).get(URL, {"trainee": trainee.pk, "as": "csv"}))
    assert ("self", "27") in {(r["status"], r["value"]) for r in _section(rows, "assessment")}
    assert _section(rows, "assessment_blinded") == []


def test_certificates_and_completed_progress_are_exported(api, trainee, assigned_trainer, enrolment, competency):
    certificate = certify(trainee, assigned_trainer, enrolment, competency)
    rows = _rows(api.as_user(trainee).get(URL, {"as": "csv"}))
    [row] = _section(rows, "certificate")
    assert (row["item"], row["status"], row["value"], row["date"]) == (
        "Console test", "valid", certificate.verification_code, certificate.issued_on.isoformat())
    assert row["detail"].endswith(f"/verify/{certificate.verification_code}/")
    [progress] = _section(rows, "progress")
    assert (progress["status"], progress["value"]) == ("completed", "3/3")


def test_the_pdf_export(api, trainee, assigned_trainer, portfolio, competency):
    response = api.as_user(assigned_trainer).get(URL, {"trainee": trainee.pk, "as": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and ".pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in ("Portfolio: Tara Trainee", "Logbook", "3 validated cases", "Console test",
                     "2 of 3 requirements met", "Ada Assigned", "1 assessment still blinded to you"):
        assert expected in text, expected
    # Compare whole table cells (a line each): a date such as "27 Oct" must not match the
    # blinded self-assessment's total.
    cells = {line.strip() for line in text.split("Assessments", 1)[1].split("Sign-offs", 1)[0].splitlines()}
    assert {"22", "24", "18"} <= cells
    assert "27" not in cells


def test_format_also_selects_the_kind_and_bad_kinds_are_400(api, trainee, portfolio):
    client = api.as_user(trainee)
    assert client.get(URL, {"format": "pdf"})["Content-Type"] == "application/pdf"
    assert client.get(URL, HTTP_ACCEPT="text/csv")["Content-Type"].startswith("text/csv")
    bad = client.get(URL, {"as": "xlsx"})
    assert bad.status_code == 400 and "as" in bad.json()
    assert client.get(URL, {"trainee": "abc"}).status_code == 404


EXPORT = {"trainee": 200, "assigned_trainer": 200, "lead": 200, "admin": 200,
          "other_trainee": 404, "unassigned_trainer": 404, "other_lead": 404, "lab_manager": 403}


@pytest.mark.parametrize(("persona", "expected"), EXPORT.items())
def test_who_may_export_a_trainees_portfolio(api, request, trainee, persona, expected):
    client = api.as_user(request.getfixturevalue(persona))
    for kind in ("csv", "pdf"):
        assert client.get(URL, {"trainee": trainee.pk, "as": kind}).status_code == expected


def test_anonymous_is_401(client, trainee):
    assert client.get(URL, {"trainee": trainee.pk}).status_code == 401


def test_cells_are_escaped_against_formula_injection(api, trainee, assigned_trainer, portfolio):
    trainee.full_name = "=HYPERLINK(\"http://evil.example\")"
    trainee.save(update_fields=["full_name"])
    rows = _rows(api.as_user(assigned_trainer).get(URL, {"trainee": trainee.pk}))
    assert rows[0]["item"] == "'=HYPERLINK(\"http://evil.example\")"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@")) and not (value.startswith("-") and len(value) > 1)


# --- Pages -------------------------------------------------------------------------------------------


def _sign_in(client, user):
    if user.has_role("programme_admin", "regional_lead"):
        login_verified(client, user)
    else:
        client.force_login(user)


PAGES = {"trainee": 200, "assigned_trainer": 200, "lead": 200, "admin": 200,
         "other_trainee": 404, "unassigned_trainer": 404, "other_lead": 404, "lab_manager": 403}


@pytest.mark.parametrize(("persona", "expected"), PAGES.items())
def test_the_export_pages_and_buttons_both_ways(client, request, trainee, persona, expected):
    _sign_in(client, request.getfixturevalue(persona))
    page = client.get(f"/portfolio/{trainee.pk}/")
    assert page.status_code == expected
    csv_response = client.get(f"/portfolio/{trainee.pk}/export.csv")
    pdf_response = client.get(f"/portfolio/{trainee.pk}/export.pdf")
    assert csv_response.status_code == pdf_response.status_code == expected
    if expected == 200:
        html = page.content.decode()
        assert f'href="/portfolio/{trainee.pk}/export.pdf"' in html and f'href="/portfolio/{trainee.pk}/export.csv"' in html
        assert pdf_response["Content-Type"] == "application/pdf"
        assert csv_response["Content-Type"].startswith("text/csv")


def test_the_web_csv_is_the_api_csv(client, api, trainee, assigned_trainer, portfolio):
    client.force_login(assigned_trainer)
    web = client.get(f"/portfolio/{trainee.pk}/export.csv").content
    assert web == api.as_user(assigned_trainer).get(URL, {"trainee": trainee.pk}).content


def test_my_portfolio_and_the_trainee_list(client, trainee, assigned_trainer, other_trainee, portfolio):
    client.force_login(trainee)
    html = client.get("/portfolio/").content.decode()
    assert "My portfolio" in html and f"/portfolio/{trainee.pk}/export.pdf" in html
    assert ">Trainees</h2>" not in html
    client.force_login(assigned_trainer)
    html = client.get("/portfolio/").content.decode()
    assert f'data-trainee="{trainee.pk}"' in html and f'data-trainee="{other_trainee.pk}"' not in html
    assert "My portfolio" not in html and ">Trainees</h2>" in html


def test_the_numbers_are_rounded_as_the_logbook_does(trainee, assigned_trainer, portfolio):
    from accreditation.certificates.portfolio_export import build_portfolio

    result = build_portfolio(viewer=assigned_trainer, trainee=trainee)
    assert result.totals["console_hours"] == 3.0
    assert result.tool_summaries[0].mean == Decimal("21.3")
