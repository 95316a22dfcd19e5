"""Forms by keyboard alone: Tab to move (the focus always shows, NHS.UK yellow), type, Space
for boxes, arrows for radios and selects, Enter to send. No mouse, no `fill()`.

The journeys (test_journeys.py) do the same for the validation queue, GEARS, sign-off
decisions, bookings, trainer applications and the certificate check; here: signing in with
the second factor, the skip link, logging a case, and asking for a sign-off.
"""

from __future__ import annotations

import pytest

from accreditation.logbook.models import Case
from accreditation.signoff.models import SignoffRequest
from tests.builders.logbook import make_case
from tests.builders.people import PASSWORD, SiteFactory
from tests.builders.signoff import (  # noqa: F401 - fixtures
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
)
from tests.support.browser import focus_is_visible, navigating, tab_to
from tests.support.mfa import confirmed_device, current_code

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in_by_keyboard(page, user, code: str | None = None):
    page.goto("/signin/")
    # The e-mail field has the focus already (autofocus).
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password" and focus_is_visible(page)
    page.keyboard.type(PASSWORD)
    with navigating(page):
        page.keyboard.press("Enter")
    if code is not None:
        assert "/accounts/mfa/verify/" in page.url
        assert page.evaluate("document.activeElement.name") == "token"
        page.keyboard.type(code)
        with navigating(page):
            page.keyboard.press("Enter")


def test_a_regional_lead_signs_in_with_the_second_factor_and_skips_to_the_content(tabs, lead):
    device = confirmed_device(lead)
    page = tabs().page
    _sign_in_by_keyboard(page, lead, code="000000" if current_code(device) != "000000" else "111111")
    # A wrong code: the error summary, and the field keeps the focus for another try.
    assert "There is a problem" in page.get_by_role("main").inner_text()
    tab_to(page, page.get_by_label("Code from your authenticator app"))
    page.wait_for_timeout(1_100)  # django-otp makes the next try after a wrong code wait a second
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(current_code(device))
    with navigating(page):
        page.keyboard.press("Enter")
    assert page.url.endswith("/") and "Welcome" in page.get_by_role("heading", level=1).inner_text()

    # The first Tab reaches the skip link, which shows and takes the focus to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("(el) => el === document.activeElement") and skip.is_visible() and focus_is_visible(page)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('maincontent').contains(document.activeElement)")


def test_a_trainee_logs_a_case_and_asks_for_a_signoff_by_keyboard(tabs, trainee, assigned_trainer,
                                                                   competency, enrolment):
    SiteFactory(region=trainee.region, name="Guy's Hospital")
    evidence = make_case(trainee, assigned_trainer, days=10)
    page = tabs().page
    _sign_in_by_keyboard(page, trainee)

    page.goto("/logbook/new/")
    tab_to(page, page.get_by_label("Site"))
    page.keyboard.type("Guy's")
    tab_to(page, page.get_by_label("Platform"))
    page.keyboard.type("da Vinci Xi")
    tab_to(page, page.get_by_label("Procedure"))
    page.keyboard.type("Robot-assisted radical p")
    # Choosing by keyboard changes the select at once: the steps follow.
    neck = page.get_by_role("checkbox", name="Bladder neck dissection")
    neck.wait_for()
    tab_to(page, page.get_by_label("Console surgeon, whole case"))
    page.keyboard.press("ArrowDown")  # -> "Console surgeon, part of the case"
    tab_to(page, page.get_by_label("Console time (minutes)"))
    page.keyboard.type("70")
    tab_to(page, page.get_by_label("P: performed (trainer present for less than 70% of the operation)"))
    page.keyboard.press("ArrowDown")  # -> S-TS
    tab_to(page, neck)
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Supervising trainer"))
    page.keyboard.type(assigned_trainer.full_name)
    tab_to(page, page.get_by_role("button", name="Save and submit"))
    with navigating(page):
        page.keyboard.press("Enter")
    case = Case.objects.get(trainee=trainee, console_minutes=70)
    assert case.status == "submitted" and case.site.name == "Guy's Hospital"
    assert (case.platform, case.procedure.code, case.role, case.supervision) == (
        "davinci_xi", "rarp", "console_part", "S-TS")
    assert case.supervisor == assigned_trainer
    assert [(s.step.name, s.role) for s in case.steps.select_related("step")] == [
        ("Bladder neck dissection", "console")]

    page.goto("/signoff/new/")
    tab_to(page, page.get_by_label("What should be signed off"))
    page.keyboard.type(competency.code)
    tab_to(page, page.get_by_label("Trainer", exact=True))
    page.keyboard.type(assigned_trainer.full_name)
    tab_to(page, page.locator(f'input[name="evidence_cases"][value="{evidence.pk}"]'))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Note to the trainer (optional)"))
    page.keyboard.type("Ready for the docking sign-off.")
    tab_to(page, page.get_by_role("button", name="Send the request"))
    with navigating(page):
        page.keyboard.press("Enter")
    request = SignoffRequest.objects.get()
    assert request.competency_id == competency.pk and request.trainer == assigned_trainer
    assert list(request.evidence_cases.all()) == [evidence] and request.note == "Ready for the docking sign-off."
