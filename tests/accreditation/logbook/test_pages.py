"""The logbook's web pages: same rules as the API (the services decide), phone-first
markup, nothing inline (CSP), constant query counts for the lists."""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.logbook.models import Case, CaseStatus
from accreditation.logbook.services import (
    StepEntry,
    case_create,
    case_submit,
    case_validate,
)
from rastrack.reference.models import Procedure
from tests.builders.people import SiteFactory
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _days_ago(days: int) -> datetime.date:
    return TODAY() - datetime.timedelta(days=days)


@pytest.fixture
def rarp(db):
    return Procedure.objects.get(code="rarp")


@pytest.fixture
def hemi(db):
    return Procedure.objects.get(code="right-hemicolectomy")


@pytest.fixture
def site(london):
    return SiteFactory(region=london, name="Guy's Hospital")


@pytest.fixture
def other_site(london):
    return SiteFactory(region=london, name="University College Hospital")


def _log(trainee, procedure, site, *, days=3, status=CaseStatus.DRAFT, steps=(), validator=None, **overrides):
    """A case through the services, taken to `status`."""
    data = {"date": _days_ago(days), "site": site, "platform": "davinci_xi", "procedure": procedure,
            "role": "console_part", "supervision": "S-TS", "console_minutes": 90, "docking_minutes": 10,
            "total_minutes": 200, "conversion": "none", "complication_grade": "none",
            "supervisor": None, "supervisor_name": "", "case_reference": "", "notes": ""}
    data.update(overrides)
    entries = [StepEntry(step=procedure.steps.get(name=name), role=role) for name, role in steps]
    case = case_create(trainee=trainee, actor=trainee, data=data, steps=entries)
    if status in (CaseStatus.SUBMITTED, CaseStatus.VALIDATED):
        case = case_submit(case=case, actor=trainee)
    if status == CaseStatus.VALIDATED:
        case = case_validate(case=case, actor=validator or case.validator)
    return case


def _html(response) -> str:
    return response.content.decode()


def _assert_clean_html(html: str):
    """No inline script (only external files, or json_script's inert JSON) and no style=."""
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        if 'type="application/json"' in attrs:
            continue
        assert "src=" in attrs and not body.strip(), f"inline script: <script{attrs}>{body[:80]}"
    assert "style=" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def _form_data(procedure, site, **overrides):
    data = {"date": _days_ago(1).isoformat(), "site": site.pk, "platform": "davinci_xi",
            "procedure": procedure.pk, "role": "console_part", "console_minutes": "75",
            "supervision": "S-TS", "supervisor": "", "supervisor_name": "", "docking_minutes": "",
            "total_minutes": "", "conversion": "none", "complication_grade": "none",
            "case_reference": "", "notes": "", "action": "draft"}
    data.update(overrides)
    return data


def _selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(1))
    return chosen.group(1) if chosen and chosen.group(1) else None


# --- Log a case -------------------------------------------------------------------------------

def test_the_log_form_is_prefilled_from_the_last_case(client, trainee, assigned_trainer, rarp, site, other_site):
    _log(trainee, rarp, other_site, days=20, platform="davinci_x", supervisor=assigned_trainer)
    client.force_login(trainee)
    response = client.get("/logbook/new/")
    html = _html(response)
    assert response.status_code == 200
    assert f'value="{TODAY().isoformat()}"' in html  # today's date
    assert _selected(html, "site") == str(other_site.pk)
    assert _selected(html, "platform") == "davinci_x"
    assert _selected(html, "procedure") == str(rarp.pk)
    assert _selected(html, "supervisor") == str(assigned_trainer.pk)
    # The procedure's steps, each a checkbox with a role.
    for step in rarp.steps.all():
        assert f'name="steps" type="checkbox" value="{step.pk}"' in html
        assert f'name="step_role_{step.pk}"' in html
    assert f'data-draft-key="rastrack:case-draft:{trainee.pk}"' in html
    assert "/static/js/logbook-draft.js" in html and "/static/js/logbook-case-form.js" in html
    _assert_clean_html(html)


def test_a_first_case_has_only_todays_date_and_the_current_supervisors(client, trainee, assigned_trainer,
                                                                         unassigned_trainer):
    client.force_login(trainee)
    html = _html(client.get("/logbook/new/"))
    assert _selected(html, "site") is None and _selected(html, "supervisor") is None
    assert assigned_trainer.full_name in html and unassigned_trainer.full_name not in html
    assert "Choose the procedure to see its steps" in html


def test_saving_a_draft_with_steps(client, trainee, assigned_trainer, rarp, site):
    neck = rarp.steps.get(name="Bladder neck dissection")
    dock = rarp.steps.get(name="Port placement and docking")
    client.force_login(trainee)
    response = client.post("/logbook/new/", _form_data(
        rarp, site, supervisor=assigned_trainer.pk, steps=[neck.pk, dock.pk],
        **{f"step_role_{neck.pk}": "console", f"step_role_{dock.pk}": "bedside"}))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/logbook/cases/{case.pk}/"
    assert case.status == "draft" and case.trainee == trainee and case.validator == assigned_trainer
    assert sorted((s.step.name, s.role) for s in case.steps.all()) == [
        ("Bladder neck dissection", "console"), ("Port placement and docking", "bedside")]
    page = _html(client.get(response["Location"]))
    # The page after a successful save tells the phone to forget its unsent draft, once.
    assert f'data-logbook-clear-draft="rastrack:case-draft:{trainee.pk}"' in page
    assert "Draft saved" in page
    assert "data-logbook-clear-draft" not in _html(client.get(response["Location"]))


def test_save_and_submit(client, trainee, assigned_trainer, rarp, site):
    client.force_login(trainee)
    response = client.post("/logbook/new/", _form_data(rarp, site, action="submit"))
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.status == "submitted" and case.validator == assigned_trainer and case.submitted_at


def test_submit_without_a_validator_keeps_the_draft_and_says_why(client, trainee, rarp, site):
    client.force_login(trainee)
    response = client.post("/logbook/new/", _form_data(rarp, site, action="submit"), follow=True)
    assert Case.objects.get().status == "draft"
    assert "no educational supervisor" in _html(response)


def test_invalid_data_shows_field_errors_and_creates_nothing(client, trainee, assigned_trainer, rarp, site):
    client.force_login(trainee)
    response = client.post("/logbook/new/", _form_data(
        rarp, site, date=(TODAY() + datetime.timedelta(days=2)).isoformat(), console_minutes="",
        docking_minutes="300", supervisor=assigned_trainer.pk, supervisor_name="Mr Someone Else"))
    html = _html(response)
    assert response.status_code == 400 and "There is a problem" in html
    assert "The date cannot be in the future." in html
    assert "Enter the console time" in html
    assert "not both" in html
    assert 'href="#id_docking_minutes"' in html  # the summary links to the field
    assert not Case.objects.exists()
    # The posted values are kept, and the draft script is told not to restore over them.
    assert "data-bound" in html and _selected(html, "supervisor") == str(assigned_trainer.pk)
    _assert_clean_html(html)


def test_patient_identifiable_data_in_the_notes_is_refused(client, trainee, rarp, site):
    client.force_login(trainee)
    response = client.post("/logbook/new/", _form_data(rarp, site, notes="NHS number 943 476 5919, tricky"))
    html = _html(response)
    assert response.status_code == 400 and "NHS number" in html
    assert 'id="id_notes-error"' in html
    assert "<details class=\"nhsuk-details\" open>" in html  # the folded field is shown
    assert not Case.objects.exists()


def test_only_trainees_log_cases(client, assigned_trainer, lab_manager):
    for person in (assigned_trainer, lab_manager):
        client.force_login(person)
        assert client.get("/logbook/new/").status_code == 403


def test_the_steps_follow_the_procedure(client, trainee, rarp, hemi, site):
    client.force_login(trainee)
    partial = _html(client.get(f"/logbook/steps/?procedure={hemi.pk}"))
    assert "Ileocolic pedicle ligation" in partial and "Apical dissection" not in partial
    assert "<html" not in partial
    assert "Choose the procedure" in _html(client.get("/logbook/steps/?procedure=x"))
    # Without JavaScript, "show the steps" re-shows the form for the new procedure, saving nothing.
    response = client.post("/logbook/new/", _form_data(hemi, site, action="steps"))
    html = _html(response)
    assert response.status_code == 200 and "Ileocolic pedicle ligation" in html
    assert "There is a problem" not in html and not Case.objects.exists()


def test_editing_a_draft_and_a_validated_case_is_frozen(client, trainee, assigned_trainer, rarp, site):
    draft = _log(trainee, rarp, site, console_minutes=80)
    validated = _log(trainee, rarp, site, status=CaseStatus.VALIDATED)
    client.force_login(trainee)
    form = _html(client.get(f"/logbook/cases/{draft.pk}/edit/"))
    assert 'value="80"' in form and "data-draft-key" not in form
    response = client.post(f"/logbook/cases/{draft.pk}/edit/", _form_data(rarp, site, console_minutes="85"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.console_minutes == 85
    page = _html(client.get(f"/logbook/cases/{validated.pk}/"))
    assert "data-frozen" in page and f"/logbook/cases/{validated.pk}/edit/" not in page
    assert client.get(f"/logbook/cases/{validated.pk}/edit/").status_code == 409
    assert client.post(f"/logbook/cases/{validated.pk}/delete/").status_code == 409


def test_submitting_and_deleting_from_the_case_page(client, trainee, assigned_trainer, rarp, site):
    one, two = _log(trainee, rarp, site), _log(trainee, rarp, site)
    client.force_login(trainee)
    page = _html(client.get(f"/logbook/cases/{one.pk}/"))
    for action in ("submit/", "edit/", "delete/"):
        assert f"/logbook/cases/{one.pk}/{action}" in page
    client.post(f"/logbook/cases/{one.pk}/submit/")
    one.refresh_from_db()
    assert one.status == "submitted"
    assert client.get(f"/logbook/cases/{two.pk}/delete/").status_code == 200
    assert client.post(f"/logbook/cases/{two.pk}/delete/").status_code == 302
    assert not Case.objects.filter(pk=two.pk).exists()


# --- My logbook -------------------------------------------------------------------------------

def test_my_logbook_filters_and_totals(client, trainee, other_trainee, assigned_trainer, rarp, hemi, site):
    _log(trainee, rarp, site, days=40, role="console_whole", console_minutes=120, status=CaseStatus.VALIDATED)
    _log(trainee, rarp, site, days=30, role="bedside_assistant", supervision="A", console_minutes=None,
         platform="davinci_x")
    _log(trainee, hemi, site, days=5, role="console_part", console_minutes=60)
    _log(other_trainee, hemi, site, days=5, console_minutes=500, total_minutes=600)
    client.force_login(trainee)
    html = _html(client.get("/logbook/"))
    assert re.search(r"data-total-cases>3<", html) and re.search(r"data-console-hours>3\.0<", html)
    # The breakdowns count the validated cases only, as the portfolio does.
    assert re.search(r"data-validated-cases>1<", html) and re.search(r"data-validated-hours>2\.0<", html)
    assert "Console surgeon, whole case: 1" in html and "Bedside assistant: 1" not in html
    assert "da Vinci Xi: 1" in html and "da Vinci X: 1" not in html
    assert "Robot-assisted radical prostatectomy: 1" in html and "Robotic right hemicolectomy: 1" not in html
    assert '<li data-status="draft">Draft: 2 cases, 1.0 console hour</li>' in html
    assert html.count("data-case=") == 3
    assert "/api/v1/cases/export/" in html and "/logbook/import/" in html
    _assert_clean_html(html)

    by_procedure = _html(client.get(f"/logbook/?procedure={hemi.pk}"))
    assert by_procedure.count("data-case=") == 1 and re.search(r"data-total-cases>1<", by_procedure)
    assert re.search(r"data-console-hours>1\.0<", by_procedure)
    by_role = _html(client.get("/logbook/?role=bedside_assistant"))
    assert by_role.count("data-case=") == 1 and re.search(r"data-console-hours>0\.0<", by_role)
    by_status = _html(client.get("/logbook/?status=validated&platform=davinci_xi"))
    assert by_status.count("data-case=") == 1
    by_dates = _html(client.get(f"/logbook/?date_from={_days_ago(35).isoformat()}&date_to={_days_ago(10).isoformat()}"))
    assert by_dates.count("data-case=") == 1 and "No cases match" not in by_dates
    assert "No cases match" in _html(client.get(f"/logbook/?date_from={_days_ago(2).isoformat()}"))


def test_my_logbook_paginates(client, trainee, rarp, site):
    for days in range(1, 28):
        _log(trainee, rarp, site, days=days)
    client.force_login(trainee)
    first = _html(client.get("/logbook/?procedure=" + str(rarp.pk)))
    assert first.count("data-case=") == 25 and re.search(r"data-total-cases>27<", first)
    assert f"procedure={rarp.pk}&amp;page=2" in first
    assert _html(client.get(f"/logbook/?procedure={rarp.pk}&page=2")).count("data-case=") == 2


# --- Who sees what -----------------------------------------------------------------------------

def test_a_trainer_reads_a_supervised_trainees_case_and_logbook(client, trainee, assigned_trainer, rarp, site):
    case = _log(trainee, rarp, site, notes="Did the bladder neck.")
    client.force_login(assigned_trainer)
    page = client.get(f"/logbook/cases/{case.pk}/")
    html = _html(page)
    assert page.status_code == 200 and "Did the bladder neck." in html
    assert f"/logbook/cases/{case.pk}/edit/" not in html and "Submit for validation" not in html
    assert client.get(f"/logbook/cases/{case.pk}/edit/").status_code == 403
    assert client.post(f"/logbook/cases/{case.pk}/submit/").status_code == 403
    logbook = client.get(f"/logbook/trainees/{trainee.pk}/")
    assert logbook.status_code == 200 and f"Logbook of {trainee.full_name}" in _html(logbook)
    assert f"/api/v1/cases/export/?trainee={trainee.pk}" in _html(logbook)
    assert "/logbook/new/" not in _html(logbook).split("</header>")[1]


def test_others_get_404(client, request, trainee, assigned_trainer, rarp, site):
    case = _log(trainee, rarp, site)
    for persona in ("other_trainee", "unassigned_trainer", "lab_manager"):
        client.force_login(request.getfixturevalue(persona))
        assert client.get(f"/logbook/cases/{case.pk}/").status_code == 404, persona
        assert client.get(f"/logbook/trainees/{trainee.pk}/").status_code == 404, persona
        assert client.get(f"/logbook/learning-curve/?trainee={trainee.pk}").status_code == 404, persona
        assert client.post(f"/logbook/cases/{case.pk}/delete/").status_code == 404, persona
    client.logout()
    assert client.get(f"/logbook/cases/{case.pk}/").status_code == 302  # to sign in


def test_a_regional_lead_reads_the_region_s_logbooks(client, trainee, lead, other_lead, rarp, site):
    case = _log(trainee, rarp, site)
    login_verified(client, lead)
    assert client.get(f"/logbook/cases/{case.pk}/").status_code == 200
    assert client.get(f"/logbook/trainees/{trainee.pk}/").status_code == 200
    client.logout()
    login_verified(client, other_lead)
    assert client.get(f"/logbook/cases/{case.pk}/").status_code == 404


# --- The validation queue -----------------------------------------------------------------------

def test_the_queue_batch_validates_with_corrections(client, trainee, other_trainee, assigned_trainer, rarp, site):
    from tests.builders.faculty import assign

    assign(assigned_trainer, other_trainee)
    oldest = _log(trainee, rarp, site, days=9, supervision="S-TU", status=CaseStatus.SUBMITTED)
    middle = _log(other_trainee, rarp, site, days=5, status=CaseStatus.SUBMITTED)
    newest = _log(trainee, rarp, site, days=2, status=CaseStatus.SUBMITTED)
    client.force_login(assigned_trainer)
    response = client.get("/logbook/queue/")
    html = _html(response)
    assert response.status_code == 200
    rows = re.findall(r'<tr [^>]*data-case="(\d+)"', html)
    assert rows == [str(oldest.pk), str(middle.pk), str(newest.pk)]  # oldest first
    assert f'name="supervision_{oldest.pk}"' in html and 'form="batch"' in html
    _assert_clean_html(html)

    response = client.post("/logbook/queue/", {
        "cases": [oldest.pk, middle.pk],
        f"role_{oldest.pk}": "console_part", f"supervision_{oldest.pk}": "S-TS",  # corrected
        f"role_{middle.pk}": "console_part", f"supervision_{middle.pk}": "S-TS",  # as logged
        f"role_{newest.pk}": "observer", f"supervision_{newest.pk}": "O",  # not selected
    })
    assert response.status_code == 302 and response["Location"] == "/logbook/queue/"
    for case in (oldest, middle, newest):
        case.refresh_from_db()
    assert oldest.status == middle.status == "validated" and newest.status == "submitted"
    assert oldest.disagreement and oldest.supervision == "S-TU" and oldest.validated_supervision == "S-TS"
    assert not middle.disagreement
    after = _html(client.get("/logbook/queue/"))
    assert f'data-result="{oldest.pk}" data-ok="true"' in after
    assert f'data-result="{middle.pk}" data-ok="true"' in after
    assert re.findall(r'<tr [^>]*data-case="(\d+)"', after) == [str(newest.pk)]
    assert "data-batch-results" not in _html(client.get("/logbook/queue/"))  # shown once


def test_a_batch_reports_each_case_that_fails(client, trainee, other_trainee, assigned_trainer,
                                              unassigned_trainer, rarp, site):
    from tests.builders.faculty import assign

    assign(unassigned_trainer, other_trainee)
    mine = _log(trainee, rarp, site, status=CaseStatus.SUBMITTED)
    not_mine = _log(other_trainee, rarp, site, status=CaseStatus.SUBMITTED)  # another trainer's
    client.force_login(assigned_trainer)
    client.post("/logbook/queue/", {"cases": [mine.pk, not_mine.pk]})
    html = _html(client.get("/logbook/queue/"))
    assert f'data-result="{mine.pk}" data-ok="true"' in html
    assert f'data-result="{not_mine.pk}" data-ok="false"' in html and "Not found." in html
    not_mine.refresh_from_db()
    assert not_mine.status == "submitted"
    assert "Select at least one" in _html(client.post("/logbook/queue/", {}, follow=True))


def test_returning_a_case_from_the_queue_needs_a_reason(client, trainee, assigned_trainer, rarp, site):
    case = _log(trainee, rarp, site, status=CaseStatus.SUBMITTED)
    client.force_login(assigned_trainer)
    refused = client.post(f"/logbook/cases/{case.pk}/reject/", {"reject-reason": "  ", "next": "queue"})
    assert refused.status_code == 400 and "There is a problem" in _html(refused)
    case.refresh_from_db()
    assert case.status == "submitted"
    done = client.post(f"/logbook/cases/{case.pk}/reject/", {"reject-reason": "Wrong date.", "next": "queue"})
    assert done.status_code == 302 and done["Location"] == "/logbook/queue/"
    case.refresh_from_db()
    assert case.status == "rejected" and case.rejection_reason == "Wrong date."
    client.force_login(trainee)
    page = _html(client.get(f"/logbook/cases/{case.pk}/"))
    assert "Wrong date." in page and "Submit again" in page


def test_validating_one_case_from_its_page(client, trainee, assigned_trainer, rarp, site):
    case = _log(trainee, rarp, site, role="console_whole", status=CaseStatus.SUBMITTED)
    client.force_login(assigned_trainer)
    page = _html(client.get(f"/logbook/cases/{case.pk}/"))
    assert f"/logbook/cases/{case.pk}/validate/" in page
    response = client.post(f"/logbook/cases/{case.pk}/validate/",
                           {"validate-role": "console_part", "validate-supervision": "S-TS"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "validated" and case.disagreement and case.validated_role == "console_part"
    client.force_login(trainee)
    assert "data-disagreement" in _html(client.get(f"/logbook/cases/{case.pk}/"))


def test_the_queue_is_for_trainers(client, trainee, lab_manager):
    for person in (trainee, lab_manager):
        client.force_login(person)
        assert client.get("/logbook/queue/").status_code == 403


# --- Learning curve ----------------------------------------------------------------------------

def test_the_learning_curve_page_shows_the_table_and_the_chart_data(client, trainee, assigned_trainer,
                                                                   rarp, hemi, site):
    # Validated whole cases, console minutes 100, 80, 60, 40: mean 70, CUSUM 30, 40, 30, 0. The
    # peak is case 2, but 2 cases at or below the mean are fewer than the 10 a learning phase needs.
    for days, minutes in ((40, 100), (30, 80), (20, 60), (10, 40)):
        _log(trainee, rarp, site, days=days, console_minutes=minutes, status=CaseStatus.VALIDATED,
             role="console_whole", validator=assigned_trainer)
    _log(trainee, rarp, site, days=5, console_minutes=10)  # a draft: not on the curve
    _log(trainee, rarp, site, days=6, console_minutes=30, status=CaseStatus.SUBMITTED)  # not validated
    _log(trainee, hemi, site, days=5, console_minutes=50, status=CaseStatus.SUBMITTED)
    client.force_login(trainee)
    response = client.get(f"/logbook/learning-curve/?procedure={rarp.pk}")
    html = _html(response)
    assert response.status_code == 200
    heading = r'(?:<span class="nhsuk-table-responsive__heading"[^>]*>[^<]*</span>)?'  # shown on a phone
    rows = re.findall(rf'data-point="(\d+)">\s*<th[^>]*>{heading}\d+</th>\s*<td[^>]*>{heading}[^<]*</td>\s*'
                      rf'<td[^>]*>{heading}(\d+)</td>\s*<td[^>]*>{heading}([-\d.]+)', html)
    assert rows == [("1", "100", "30.00"), ("2", "80", "40.00"), ("3", "60", "30.00"), ("4", "40", "0.00")]
    assert "No learning phase is reported yet" in html and "End of learning phase" not in html
    assert "Left out: not validated yet (drafts, submitted and returned cases): 2" in html
    data = json.loads(re.search(r'<script id="curve-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert data["learning_phase_end"] is None
    assert [p["cusum"] for p in data["points"]] == [30.0, 40.0, 30.0, 0.0]
    assert "<caption" in html and "/static/js/logbook-curve.js" in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    # The select offers the procedures with console cases, and defaults to the one with most.
    assert f'<option value="{hemi.pk}"' in html
    default = _html(client.get("/logbook/learning-curve/"))
    assert "Robot-assisted radical prostatectomy</h2>" in default
    _assert_clean_html(html)

    client.force_login(assigned_trainer)
    theirs = _html(client.get(f"/logbook/learning-curve/?trainee={trainee.pk}&procedure={rarp.pk}"))
    assert "No learning phase is reported yet" in theirs and trainee.full_name in theirs


def test_an_empty_learning_curve(client, trainee):
    client.force_login(trainee)
    html = _html(client.get("/logbook/learning-curve/"))
    assert "No console cases logged yet" in html and "chart.umd" not in html


# --- Import -------------------------------------------------------------------------------------

HEADER = ("date,site,platform,procedure,role,supervision,console_minutes,docking_minutes,total_minutes,"
          "conversion,complication_grade,supervisor_email,supervisor_name,case_reference,notes,steps")


def _csv(*rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("cases.csv", ("\n".join([HEADER, *rows]) + "\n").encode(), content_type="text/csv")


def test_the_import_dry_run_shows_row_errors_and_imports_nothing(client, trainee, rarp, site):
    good = f"{_days_ago(5)},Guy's Hospital,davinci_xi,rarp,console_part,S-TS,80,10,200,none,none,,,,,Bladder detachment"
    bad = "2024-13-01,Guy's Hospital,davinci_xi,Unknown op,console_part,S-TS,,10,200,none,none,,,,,"
    client.force_login(trainee)
    response = client.post("/logbook/import/", {"file": _csv(good, bad)})
    html = _html(response)
    assert response.status_code == 400 and "Nothing was imported" in html
    assert 'data-row="3" data-row-errors' in html and 'data-row="2" data-row-errors' not in html
    assert "is not a date in the form YYYY-MM-DD" in html and "No procedure called" in html
    assert 'name="confirm"' not in html
    assert not Case.objects.exists()
    _assert_clean_html(html)


def test_the_import_previews_then_imports_on_confirmation(client, trainee, rarp, site):
    rows = [f"{_days_ago(d)},Guy's Hospital,davinci_xi,rarp,console_part,S-TS,80,10,200,none,none,,,,,"
            "Bladder detachment; Port placement and docking (bedside)" for d in (9, 8)]
    client.force_login(trainee)
    preview = client.post("/logbook/import/", {"file": _csv(*rows)})
    html = _html(preview)
    assert preview.status_code == 200 and "data-import-ready" in html and not Case.objects.exists()
    token = re.search(r'name="confirm" value="([0-9a-f]+)"', html).group(1)
    assert client.post("/logbook/import/", {"confirm": "0" * 64}).status_code == 302
    assert not Case.objects.exists()  # a stale or forged confirmation imports nothing
    done = client.post("/logbook/import/", {"confirm": token})
    assert done.status_code == 302 and done["Location"] == "/logbook/"
    assert Case.objects.filter(trainee=trainee, status="draft").count() == 2
    assert client.post("/logbook/import/", {"confirm": token}).status_code == 302  # used up
    assert Case.objects.count() == 2


def test_an_unreadable_file_is_a_field_error(client, trainee):
    client.force_login(trainee)
    response = client.post("/logbook/import/", {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")})
    assert response.status_code == 400 and "Missing columns" in _html(response)


def test_the_template_download(client, trainee):
    client.force_login(trainee)
    response = client.get("/logbook/import/template.csv")
    assert response.status_code == 200 and response.content.decode().strip() == HEADER


# --- Navigation, markup and query counts --------------------------------------------------------

def test_the_navigation_offers_the_logbook_by_role(client, trainee, assigned_trainer, lab_manager):
    client.force_login(trainee)
    html = _html(client.get("/"))
    for url in ("/logbook/new/", "/logbook/", "/logbook/learning-curve/"):
        assert f'href="{url}"' in html
    assert 'href="/logbook/queue/"' not in html
    client.force_login(assigned_trainer)
    html = _html(client.get("/"))
    assert 'href="/logbook/queue/"' in html and 'href="/logbook/new/"' not in html
    client.force_login(lab_manager)
    assert "/logbook/" not in _html(client.get("/"))


def test_every_page_is_clean_markup(client, trainee, assigned_trainer, rarp, site):
    case = _log(trainee, rarp, site, status=CaseStatus.SUBMITTED, steps=[("Bladder detachment", "console")])
    client.force_login(trainee)
    for url in ("/logbook/", "/logbook/new/", f"/logbook/cases/{case.pk}/", "/logbook/import/",
                "/logbook/learning-curve/", f"/logbook/steps/?procedure={rarp.pk}"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_clean_html(_html(response))
    client.force_login(assigned_trainer)
    for url in ("/logbook/queue/", f"/logbook/cases/{case.pk}/", f"/logbook/trainees/{trainee.pk}/",
                f"/logbook/learning-curve/?trainee={trainee.pk}"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_clean_html(_html(response))


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_my_logbook_and_the_queue_use_a_constant_number_of_queries(client, trainee, other_trainee,
                                                                   assigned_trainer, rarp, hemi, site):
    from tests.builders.faculty import assign

    assign(assigned_trainer, other_trainee)
    _log(trainee, rarp, site, status=CaseStatus.SUBMITTED, steps=[("Bladder detachment", "console")])
    client.force_login(trainee)
    logbook_one = _queries(client, "/logbook/")
    client.force_login(assigned_trainer)
    queue_one = _queries(client, "/logbook/queue/")
    for n in range(29):
        _log(trainee if n % 2 else other_trainee, hemi if n % 3 else rarp, site, days=n + 1,
             status=CaseStatus.SUBMITTED, steps=[("Port placement and docking", "bedside")],
             supervisor=assigned_trainer if n % 4 == 0 else None,
             supervisor_name="" if n % 4 == 0 else "Ms Visiting")
    client.force_login(trainee)
    assert _queries(client, "/logbook/") == logbook_one
    client.force_login(assigned_trainer)
    assert _queries(client, "/logbook/queue/") == queue_one
    print(f"queries: my logbook {logbook_one}, queue {queue_one}")


def test_a_trainer_who_is_not_a_trainee_sees_the_picker(client, trainee, assigned_trainer):
    client.force_login(assigned_trainer)
    html = _html(client.get("/logbook/learning-curve/"))
    assert "Choose a trainee" in html and f'<option value="{trainee.pk}"' in html


def test_a_lab_manager_has_no_logbook_pages_to_act_on(client, lab_manager):
    client.force_login(lab_manager)
    assert client.get("/logbook/import/").status_code == 403
    assert "No cases logged yet" in _html(client.get("/logbook/"))  # only their own: none


# --- Withdrawing a submitted case ---------------------------------------------------------------

def test_a_submitted_case_is_withdrawn_to_draft_by_its_trainee_until_decided(client, trainee, other_trainee,
                                                                             assigned_trainer, rarp, site):
    from rastrack.audit.models import AuditEntry

    case = _log(trainee, rarp, site, status=CaseStatus.SUBMITTED)
    url = f"/logbook/cases/{case.pk}/withdraw/"
    client.force_login(assigned_trainer)
    assert url not in _html(client.get(f"/logbook/cases/{case.pk}/"))
    assert client.post(url).status_code == 403
    client.force_login(other_trainee)
    assert client.post(url).status_code == 404
    client.force_login(trainee)
    assert url in _html(client.get(f"/logbook/cases/{case.pk}/"))
    assert client.post(url).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.validator_id, case.submitted_at) == (CaseStatus.DRAFT, None, None)
    assert AuditEntry.objects.filter(action="case.withdraw", object_id=str(case.pk)).exists()
    assert client.post(url).status_code == 409  # a draft is not withdrawn twice
    decided = _log(trainee, rarp, site, status=CaseStatus.VALIDATED)
    assert client.post(f"/logbook/cases/{decided.pk}/withdraw/").status_code == 409
