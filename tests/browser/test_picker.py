"""A long evidence list on the sign-off request form, on a phone: typing in the filter box
narrows the list and the live count follows; what is chosen stays in sight and is sent."""

from __future__ import annotations

import pytest

from accreditation.signoff.models import SignoffRequest
from rastrack.reference.models import Procedure
from tests.builders.logbook import make_case
from tests.builders.signoff import (  # noqa: F401 - fixtures
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
)
from tests.support.browser import navigating, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_evidence_filter_narrows_the_list_and_counts(tabs, trainee, assigned_trainer, competency, enrolment):
    prostatectomies = [make_case(trainee, assigned_trainer, days=day) for day in range(1, 10)]
    cholecystectomies = [make_case(trainee, assigned_trainer, days=day, procedure="cholecystectomy")
                         for day in range(10, 13)]
    cholecystectomy = Procedure.objects.get(code="cholecystectomy").name
    page = tabs(phone=True).page
    sign_in(page, trainee)
    page.goto("/signoff/new/")

    cases = page.get_by_role("group", name="Your cases (optional)")
    count = cases.locator("[data-picker-count]")
    assert count.inner_text() == "12 of 12 shown, 0 selected"
    box = cases.get_by_label("Filter this list")
    box.fill(cholecystectomy.lower())
    assert count.inner_text() == "3 of 12 shown, 0 selected"
    assert cases.locator(".nhsuk-checkboxes__item:visible").count() == 3
    first = cholecystectomies[0]
    cases.locator(f'input[value="{first.pk}"]').check()
    assert count.inner_text() == "3 of 12 shown, 1 selected"
    # Enter filters, it does not send the form.
    box.press("Enter")
    assert page.url.endswith("/signoff/new/")
    # A chosen case stays in sight whatever the filter says.
    box.fill("no such words")
    assert count.inner_text() == "1 of 12 shown, 1 selected"
    assert cases.locator(f'input[value="{first.pk}"]').is_visible()
    assert not cases.locator(f'input[value="{prostatectomies[0].pk}"]').is_visible()
    box.fill("")
    assert count.inner_text() == "12 of 12 shown, 1 selected"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_label("What should be signed off").select_option(f"competency:{competency.pk}")
    page.get_by_label("Trainer", exact=True).select_option(str(assigned_trainer.pk))
    with navigating(page):
        page.get_by_role("button", name="Send the request").tap()
    page.wait_for_url("**/signoff/*/")
    assert list(SignoffRequest.objects.get().evidence_cases.all()) == [first]
