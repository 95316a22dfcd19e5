"""The journeys of PRODUCT.md, in Chromium, as the people who make them.

Each test builds the world it starts from with the factories and services, then acts only
through the pages: a trainee on a phone (390 x 844, touch), trainers and admins on a desktop,
mostly by keyboard (every form here is filled and sent without the mouse). The database is
checked at the end, and every page must have kept working under the site's strict CSP
(`tabs` checks that when the test ends).
"""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.utils import timezone

from accreditation.faculty.models import Accreditation, AccreditationStatus, TrainerApplication
from accreditation.faculty.services import trainer_application_create
from accreditation.logbook.models import Case, CaseStatus
from accreditation.signoff.models import Assessment, SignoffRequest
from labs.models import Booking
from rastrack.accounts.roles import Role
from rastrack.reference.models import Procedure
from tests.builders.certificates import certificate_fixture  # noqa: F401 - fixtures
from tests.builders.labs import make_session, when
from tests.builders.logbook import make_case
from tests.builders.people import SiteFactory, UserFactory
from tests.builders.signoff import (  # noqa: F401 - fixtures
    GEARS,
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
)
from tests.support.browser import (
    choose_by_keyboard,
    navigating,
    open_menu_if_needed,
    sign_in,
    tab_to,
)
from tests.support.mfa import confirmed_device

pytestmark = pytest.mark.django_db(transaction=True)

RARP = "Robot-assisted radical prostatectomy"


def _submitted_case(trainee, *, supervision="S-TU", days=4):
    from accreditation.logbook.services import StepEntry, case_create, case_submit

    procedure = Procedure.objects.get(code="rarp")
    data = {"date": timezone.localdate() - datetime.timedelta(days=days), "site": SiteFactory(region=trainee.region),
            "platform": "davinci_xi", "procedure": procedure, "role": "console_part", "supervision": supervision,
            "console_minutes": 95, "total_minutes": 210}
    steps = [StepEntry(step=procedure.steps.get(name="Bladder neck dissection"), role="console")]
    case = case_create(trainee=trainee, actor=trainee, data=data, steps=steps)
    return case_submit(case=case, actor=trainee)


# --- (a) A trainee logs a case on a phone --------------------------------------------------------


def test_a_trainee_on_a_phone_logs_a_case_with_steps_and_submits_it(tabs, trainee, assigned_trainer):
    SiteFactory(region=trainee.region, name="Guy's Hospital")
    tab = tabs(phone=True)
    page = tab.page
    sign_in(page, trainee)
    with navigating(page):
        page.get_by_role("main").get_by_role("link", name="Log a case").tap()
    page.wait_for_url("**/logbook/new/")

    page.get_by_label("Site").select_option(label="Guy's Hospital")
    page.get_by_label("Platform").select_option(label="da Vinci Xi")
    page.get_by_label("Procedure").select_option(label=RARP)
    # The steps of the procedure arrive without a reload.
    page.get_by_role("checkbox", name="Bladder neck dissection").wait_for()
    page.get_by_label("Console surgeon, part of the case").check()
    page.get_by_label("Console time (minutes)").fill("85")
    page.get_by_label("S-TS: supervised, trainer scrubbed").check()
    page.get_by_role("checkbox", name="Bladder neck dissection").check()
    page.get_by_role("checkbox", name="Port placement and docking").check()
    page.get_by_label("Your role in “Port placement and docking”").select_option("bedside")
    page.get_by_label("Supervising trainer").select_option(str(assigned_trainer.pk))
    # Nothing runs off the side of a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with navigating(page):
        page.get_by_role("button", name="Save and submit").tap()

    page.wait_for_url("**/logbook/cases/*/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(RARP)
    assert "Submitted" in page.get_by_role("main").inner_text()
    case = Case.objects.get(trainee=trainee)
    assert case.status == CaseStatus.SUBMITTED and case.validator == assigned_trainer
    assert (case.role, case.supervision, case.console_minutes) == ("console_part", "S-TS", 85)
    assert sorted((s.step.name, s.role) for s in case.steps.select_related("step")) == [
        ("Bladder neck dissection", "console"), ("Port placement and docking", "bedside")]
    # My logbook on the phone lists it.
    open_menu_if_needed(page)
    with navigating(page):
        page.get_by_role("link", name="My logbook").first.tap()
    assert page.locator(f'[data-case="{case.pk}"]').count() == 1


# --- (b) The trainer validates it from the queue, then assesses with GEARS -------------------------


def test_the_trainer_validates_from_the_queue_correcting_the_code_then_assesses_with_gears(
        tabs, trainee, assigned_trainer):
    case = _submitted_case(trainee, supervision="S-TU")
    page = tabs().page
    sign_in(page, assigned_trainer)

    # The queue, by keyboard alone: correct the supervision code, tick the case, validate.
    page.goto("/logbook/queue/")
    tab_to(page, page.locator(f"#supervision-{case.pk}"))
    page.keyboard.type("S-TS")
    tab_to(page, page.locator(f"#case-{case.pk}"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Validate selected"))
    with navigating(page):
        page.keyboard.press("Enter")
    results = page.locator("[data-batch-results]")
    assert "Validated" in results.inner_text()
    case.refresh_from_db()
    assert case.status == CaseStatus.VALIDATED and case.decided_by == assigned_trainer
    assert case.supervision == "S-TU" and case.validated_supervision == "S-TS" and case.disagreement

    # GEARS: choose the trainee and the tool, then one score per domain, by keyboard.
    page.goto("/assessments/")
    tab_to(page, page.get_by_role("link", name="Assess a trainee"))
    with navigating(page):
        page.keyboard.press("Enter")
    page.wait_for_url("**/assessments/new/")
    tab_to(page, page.get_by_label("Trainee"))
    page.keyboard.type(trainee.full_name)
    tab_to(page, page.get_by_role("button", name="Continue"))
    with navigating(page):
        page.keyboard.press("Enter")
    page.get_by_role("heading", name=f"Assess {trainee.full_name}").wait_for()
    tab_to(page, page.get_by_label("Case (optional)"))
    page.keyboard.press("ArrowDown")  # the only case open to rating: the one just validated
    scores = {"depth_perception": 4, "bimanual_dexterity": 3, "efficiency": 4, "force_sensitivity": 3,
              "autonomy": 3, "robotic_control": 4}
    for code in GEARS:
        choose_by_keyboard(page, page.locator(f'input[name="score_{code}"]').first, scores[code] - 1)
    tab_to(page, page.get_by_label("Feedback"))
    page.keyboard.type("Smooth bladder neck; watch the traction.")
    tab_to(page, page.get_by_role("button", name="Record the assessment"))
    with navigating(page):
        page.keyboard.press("Enter")
    # Check your answers first: the scores in words and the total; nothing recorded yet.
    assert "Check your answers" in page.get_by_role("heading", level=1).inner_text()
    answers = page.locator("[data-confirm-answers]").inner_text()
    assert trainee.full_name in answers and "Smooth bladder neck" in answers and "21" in answers
    assert not Assessment.objects.exists()
    tab_to(page, page.get_by_role("button", name="Confirm and record"))
    with navigating(page):
        page.keyboard.press("Enter")
    page.wait_for_url("**/assessments/*/")
    assessment = Assessment.objects.get()
    assert assessment.case == case and assessment.assessor == assigned_trainer and not assessment.is_self
    assert assessment.total == sum(scores.values()) == 21
    assert "21" in page.get_by_role("main").inner_text()


# --- (c) A sign-off, asked for and approved -----------------------------------------------------


def test_the_trainee_asks_for_a_signoff_and_the_trainer_approves_it(tabs, trainee, assigned_trainer,
                                                                   competency, enrolment):
    evidence = make_case(trainee, assigned_trainer)
    trainee_page = tabs(phone=True).page
    sign_in(trainee_page, trainee)
    trainee_page.goto("/signoff/")
    with navigating(trainee_page):
        trainee_page.get_by_role("link", name="Ask for a sign-off").tap()
    trainee_page.get_by_label("What should be signed off").select_option(f"competency:{competency.pk}")
    trainee_page.get_by_label("Trainer", exact=True).select_option(str(assigned_trainer.pk))
    trainee_page.locator(f'input[name="evidence_cases"][value="{evidence.pk}"]').check()
    trainee_page.get_by_label("Note to the trainer (optional)").fill("Docked four times unaided.")
    with navigating(trainee_page):
        trainee_page.get_by_role("button", name="Send the request").tap()
    trainee_page.wait_for_url("**/signoff/*/")
    request = SignoffRequest.objects.get()
    assert request.status == "pending" and list(request.evidence_cases.all()) == [evidence]
    assert "Pending" in trainee_page.get_by_role("main").inner_text()

    # The trainer, on a desktop and by keyboard: the queue, the request, "Sign off".
    page = tabs().page
    sign_in(page, assigned_trainer)
    page.goto("/signoff/queue/")
    tab_to(page, page.get_by_role("link", name=request.target_label))
    with navigating(page):
        page.keyboard.press("Enter")
    page.wait_for_url(f"**/signoff/{request.pk}/")
    tab_to(page, page.get_by_label("Feedback (optional)"))
    page.keyboard.type("Safe and efficient docking.")
    tab_to(page, page.get_by_role("button", name="Sign off"))
    with navigating(page):
        page.keyboard.press("Enter")
    # Check your answers first: nothing is decided until the trainer confirms.
    assert "Check before you sign off" in page.get_by_role("heading", level=1).inner_text()
    assert "Safe and efficient docking." in page.get_by_role("main").inner_text()
    request.refresh_from_db()
    assert request.status == "pending"
    tab_to(page, page.get_by_role("button", name="Confirm and sign off"))
    with navigating(page):
        page.keyboard.press("Enter")
    request.refresh_from_db()
    assert request.status == "approved" and request.feedback == "Safe and efficient docking."

    trainee_page.reload()
    main = trainee_page.get_by_role("main").inner_text()
    assert "Approved" in main and "Safe and efficient docking." in main


# --- (d) The last seat, the waitlist and the promotion ---------------------------------------------


def test_the_last_seat_goes_to_the_waitlist_when_the_first_trainee_cancels(tabs, trainee, other_trainee,
                                                                          lab, lab_manager):
    session = make_session(lab, lab_manager, seats=1, starts_at=when(weeks=1, weekday=2, hour=9))
    label = f"{session.display_title}, {timezone.localtime(session.starts_at):%-d %b %H:%M}"

    def button(verb: str) -> re.Pattern:
        # The verb shows; the session is said to screen readers only (a visually hidden span).
        return re.compile(rf"^{verb}\s*: {re.escape(label)}$")

    first = tabs(phone=True).page
    sign_in(first, trainee)
    first.goto("/labs/calendar/")
    with navigating(first):
        first.get_by_role("link", name="Next week").tap()
    with navigating(first):
        first.get_by_role("button", name=button("Book")).tap()
    assert Booking.objects.get(trainee=trainee).status == "confirmed"

    second = tabs().page
    sign_in(second, other_trainee)
    second.goto(f"/labs/sessions/{session.pk}/")
    tab_to(second, second.get_by_role("button", name=button("Join the waitlist")))
    with navigating(second):
        second.keyboard.press("Enter")
    assert "You are on the waitlist" in second.get_by_role("main").inner_text()
    assert Booking.objects.get(trainee=other_trainee).status == "waitlisted"

    first.goto("/labs/bookings/")
    with navigating(first):
        first.get_by_role("button", name=button("Cancel")).tap()
    # Someone is waiting: the page says the place goes to them, and asks first.
    assert "yours goes to the next of them" in first.get_by_role("main").inner_text()
    assert Booking.objects.get(trainee=trainee).status == "confirmed"
    with navigating(first):
        first.get_by_role("button", name="Confirm and cancel my booking").tap()
    assert Booking.objects.get(trainee=trainee).status == "cancelled"

    second.goto("/labs/bookings/")
    upcoming = second.get_by_role("table", name="Upcoming bookings")
    assert session.display_title in upcoming.inner_text() and "Booked" in upcoming.inner_text()
    second.goto("/notifications/")
    assert f"You have a place: {session.display_title}" in second.get_by_role("main").inner_text()
    assert Booking.objects.get(trainee=other_trainee).status == "confirmed"


# --- (e) The London lead's regional dashboard ------------------------------------------------------


def test_the_london_lead_sees_the_regional_dashboard_charts_and_downloads_the_csv(
        tabs, lead, trainee, assigned_trainer, enrolment, lab, lab_manager):
    make_case(trainee, assigned_trainer, days=20)
    make_session(lab, lab_manager, seats=4, starts_at=when(weeks=-2, weekday=1, hour=10))
    confirmed_device(lead)
    page = tabs().page
    sign_in(page, lead)
    open_menu_if_needed(page)
    with navigating(page):
        page.get_by_role("main").get_by_role("link", name="Dashboard").click()
    page.wait_for_url(f"**/dashboards/regions/{lead.region_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == "London dashboard"

    for chart in ("chart-faculty", "chart-labs", "chart-trainees"):
        canvas = page.locator(f"#{chart}")
        assert canvas.is_visible(), chart
        drawn = page.evaluate("""(id) => {
            const canvas = document.getElementById(id);
            const {data} = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
            let inked = 0;
            for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) inked++; }
            return {chart: !!window.Chart.getChart(canvas), inked, width: canvas.width};
        }""", chart)
        assert drawn["chart"] and drawn["width"] > 300 and drawn["inked"] > 1000, (chart, drawn)
        # The same figures as a table, right under the chart.
        assert canvas.evaluate("(c) => c.nextElementSibling.querySelector('table caption') !== null"), chart
    faculty = page.get_by_role("table", name="Trainer accreditations by region and status")
    assert "London" in faculty.inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download faculty figures (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert [row["region_name"] for row in rows] == ["London"] and rows[0]["accredited"] == "1", rows


# --- (f) A programme admin approves a trainer application -----------------------------------------


def test_a_programme_admin_approves_a_trainer_application(tabs, admin, london):
    applicant = UserFactory(full_name="Alex Applicant", roles=[Role.TRAINEE], region=london)
    application = trainer_application_create(
        applicant=applicant, kind="initial", specialty="urology", platforms=["davinci_xi"],
        independent_console_cases=72, statement="I teach on the dry lab every month.",
        train_the_trainer_completed_on=timezone.localdate() - datetime.timedelta(days=30))
    confirmed_device(admin)
    page = tabs().page
    sign_in(page, admin)
    page.goto("/faculty/applications/")
    tab_to(page, page.get_by_role("link", name="Alex Applicant"))
    with navigating(page):
        page.keyboard.press("Enter")
    page.wait_for_url(f"**/faculty/applications/{application.pk}/")
    tab_to(page, page.locator("#id_approve-reason"))
    page.keyboard.type("Meets the faculty rules.")
    tab_to(page, page.get_by_role("button", name="Approve", exact=True))
    with navigating(page):
        page.keyboard.press("Enter")
    assert "Meets the faculty rules." in page.get_by_role("main").inner_text()
    tab_to(page, page.get_by_role("button", name="Confirm and approve"))
    with navigating(page):
        page.keyboard.press("Enter")
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_by == admin
    accreditation = Accreditation.objects.get(trainer=applicant)
    assert accreditation.status == AccreditationStatus.ACCREDITED
    assert TrainerApplication.objects.filter(status="pending").count() == 0
    assert "The application of Alex Applicant is approved." in page.get_by_role("main").inner_text()


# --- (g) Anyone checks a certificate ----------------------------------------------------------------


def test_anyone_checks_a_certificate_on_its_public_page(tabs, certificate, trainee):
    page = tabs(phone=True).page  # no account, no sign-in
    page.goto(f"/verify/{certificate.verification_code}/")
    facts = page.locator("[data-verification]").inner_text()
    assert trainee.full_name in facts and certificate.enrolment.pathway.title in facts and "Valid" in facts
    assert page.locator('meta[name="robots"]').get_attribute("content").startswith("noindex")

    # Typing the code from the paper certificate, by keyboard.
    page = tabs().page
    page.goto("/verify/")
    tab_to(page, page.get_by_role("textbox"))
    page.keyboard.type(certificate.verification_code)
    with navigating(page):
        page.keyboard.press("Enter")
    page.wait_for_url(f"**/verify/{certificate.verification_code}/")
    assert trainee.full_name in page.locator("[data-verification]").inner_text()
