"""Every total says what it counts: My logbook gives the cases by status (validated first)
and the validated totals, and the portfolio and the trainee's dashboard give the same figures."""

import re

import pytest

from accreditation.certificates.portfolio_export import build_portfolio
from accreditation.logbook import services as logbook
from accreditation.logbook.models import Case
from accreditation.logbook.selectors import STATUS_ORDER, case_status_counts, logbook_summary
from dashboards.selectors import trainee_dashboard
from tests.builders.logbook import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_logbook(trainee, assigned_trainer):
    """3 validated (2 console, 1 bedside), 2 submitted, 1 draft, 1 returned."""
    make_case(trainee, assigned_trainer, status="validated")
    make_case(trainee, assigned_trainer, status="validated", procedure="right-hemicolectomy")
    make_case(trainee, assigned_trainer, status="validated", role="bedside_assistant")
    make_case(trainee, status="submitted")
    make_case(trainee, status="submitted")
    make_case(trainee, status="draft")
    returned = make_case(trainee, status="submitted")
    logbook.case_reject(case=returned, actor=assigned_trainer, reason="Console time looks too long.")


def _counts(rows) -> dict:
    return {row["status"]: row["cases"] for row in rows}


def test_the_summary_counts_by_status_validated_first(trainee, mixed_logbook):
    summary = logbook_summary(Case.objects.filter(trainee=trainee))
    assert [row["status"] for row in summary["by_status"]] == list(STATUS_ORDER) == [
        "validated", "submitted", "draft", "rejected"]
    assert _counts(summary["by_status"]) == {"validated": 3, "submitted": 2, "draft": 1, "rejected": 1}
    assert summary["all_cases"] == 7 and summary["waiting"] == 2
    assert summary["validated"]["cases"] == 3 and summary["validated"]["console_hours"] == 3.0
    # 2 validated console cases, 3 submitted or returned and 1 draft of 90 minutes each.
    assert summary["all_console_hours"] == 9.0


def test_an_empty_logbook_lists_every_status_at_zero(trainee):
    assert _counts(case_status_counts(Case.objects.filter(trainee=trainee))) == dict.fromkeys(STATUS_ORDER, 0)


def test_logbook_portfolio_and_dashboard_agree(client, trainee, mixed_logbook):
    client.force_login(trainee)
    page = client.get("/logbook/").content.decode()
    assert re.search(r"data-validated-cases>3<", page) and re.search(r"data-validated-hours>3\.0<", page)
    assert re.search(r"data-total-cases>7<", page) and re.search(r"data-console-hours>9\.0<", page)
    listed = re.findall(r'<li data-status="(\w+)">[^:]+: (\d+) case', page)
    assert listed == [("validated", "3"), ("submitted", "2"), ("draft", "1"), ("rejected", "1")]
    assert "Validated cases by role" in page and "Bedside assistant: 1" in page

    portfolio = build_portfolio(viewer=trainee, trainee=trainee)
    assert portfolio.totals == logbook_summary(Case.objects.filter(trainee=trainee))["validated"]
    assert [(code, n) for code, _label, n in portfolio.status_counts] == [(s, int(n)) for s, n in listed]
    own = client.get("/portfolio/").content.decode()
    assert re.search(r"data-validated-cases>3<", own) and re.search(r"data-validated-hours>3\.0<", own)
    assert re.findall(r'<li data-status="(\w+)">[^:]+: (\d+) case', own) == listed

    dashboard = trainee_dashboard(trainee)
    assert [(row["status"], str(row["cases"])) for row in dashboard["logbook"]] == listed
    mine = client.get("/dashboards/mine/").content.decode()
    assert re.findall(r'<li data-status="(\w+)">[^:]+: (\d+) case', mine) == listed
