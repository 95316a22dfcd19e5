"""The programme admin runs the curriculum on its pages, in Chromium: a new draft of a
pathway, an added component and requirement (the requirement's own form, errors at the top),
the comparison with the version it came from, publishing (the old version retires), and the
cohort move: the dry run that shows whose progress changes, then the move."""

from __future__ import annotations

import pytest

from curriculum.models import Component, Enrolment, Lifecycle, Pathway, Requirement
from rastrack.audit.models import AuditEntry
from tests.builders.signoff import (  # noqa: F401 - fixtures
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
)
from tests.support.browser import navigating, sign_in
from tests.support.mfa import confirmed_device

pytestmark = pytest.mark.django_db(transaction=True)


def _click(page, locator) -> None:
    with navigating(page):
        locator.click()


def test_a_programme_admin_drafts_compares_publishes_and_moves_a_cohort(tabs, admin, pathway, enrolment):
    confirmed_device(admin)
    page = tabs().page
    sign_in(page, admin)
    _click(page, page.get_by_role("main").get_by_role("link", name="Curriculum authoring"))
    _click(page, page.locator(f'[data-version="pathway-{pathway.pk}"]').get_by_role("link"))
    _click(page, page.get_by_role("button", name="Start a new draft from version 1"))
    draft = Pathway.objects.get(code=pathway.code, status=Lifecycle.DRAFT)
    assert page.url.endswith(f"/versions/pathway/{draft.pk}/")

    # Edit what the draft holds: a component, then its requirement on the form of its type.
    _click(page, page.get_by_role("link", name="Edit what this draft holds"))
    _click(page, page.get_by_role("link", name="Add a component to Skills"))
    page.get_by_label("Title").fill("Porcine wet lab")
    page.get_by_label("Kind").select_option(label="Wet lab")
    _click(page, page.get_by_role("button", name="Save"))
    _click(page, page.get_by_role("link", name="Add a requirement to Porcine wet lab"))
    page.get_by_label("Minimum count").check()
    _click(page, page.get_by_role("button", name="Continue"))
    page.get_by_label("How many").fill("0")
    _click(page, page.get_by_role("button", name="Save"))
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible() and "How many" in summary.inner_text()
    assert page.evaluate("document.querySelector('.nhsuk-error-summary').getBoundingClientRect().top") < 400
    page.get_by_label("How many").fill("3")
    _click(page, page.get_by_role("button", name="Save"))
    component = Component.objects.get(module__pathway=draft, title="Porcine wet lab")
    assert Requirement.objects.get(component=component).count == 3

    # Preview, then compare and publish.
    _click(page, page.get_by_role("link", name="see what a trainee would see"))
    assert "At least 3 wet-lab sessions" in page.get_by_role("main").inner_text()
    _click(page, page.get_by_role("link", name="Back"))
    added = page.locator("[data-added]").inner_text()
    assert "Component Porcine wet lab" in added and "Requirement minimum count of Porcine wet lab" in added
    assert "retires version 1" in page.get_by_role("main").inner_text()
    _click(page, page.get_by_role("button", name="Publish version 2"))
    assert Pathway.objects.get(pk=pathway.pk).status == Lifecycle.RETIRED
    assert Pathway.objects.get(pk=draft.pk).status == Lifecycle.PUBLISHED

    # The trainee stays on version 1 until moved: the dry run first, then the move.
    assert Enrolment.objects.get(pk=enrolment.pk).pathway_id == pathway.pk
    _click(page, page.get_by_role("link", name="Move enrolments onto this version"))
    page.get_by_label("Move the enrolments on").select_option(label="Version 1 (retired)")
    _click(page, page.get_by_role("button", name="Check who would change"))
    row = page.locator(f'[data-trainee="{enrolment.trainee.full_name}"]')
    text = row.inner_text()
    assert "0 of 3 met" in text and "0 of 4 met" in text
    assert Enrolment.objects.get(pk=enrolment.pk).pathway_id == pathway.pk  # a dry run moves nobody
    _click(page, page.get_by_role("button", name="Move 1 enrolment"))
    assert "1 enrolment moved from version 1 to version 2." in page.get_by_role("main").inner_text()
    assert Enrolment.objects.get(pk=enrolment.pk).pathway_id == draft.pk
    assert AuditEntry.objects.filter(action="enrolment.move").count() == 1


def test_the_authoring_pages_fit_a_phone_and_pass_axe(tabs, admin, pathway, enrolment):
    from curriculum import services
    from tests.support.browser import axe_violations

    draft = services.pathway_new_version(actor=admin, pathway=pathway)
    component = Component.objects.filter(module__pathway=draft).exclude(kind="final_signoff").first()
    confirmed_device(admin)
    page = tabs(phone=True).page
    sign_in(page, admin)
    problems = {}
    for path in (f"/curriculum/versions/pathway/{draft.pk}/contents/",
                 f"/curriculum/versions/requirement/new/{component.pk}/",
                 f"/curriculum/versions/requirement/new/{component.pk}/?type=assessment_threshold",
                 f"/curriculum/versions/pathway/{draft.pk}/preview/",
                 f"/curriculum/versions/pathway/{pathway.pk}/move/?source={pathway.pk}"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        found = axe_violations(page)
        if width > 390 or found:
            problems[path] = (width, found)
    assert not problems


def test_a_programme_admin_creates_a_framework_and_a_pathway_from_nothing(tabs, admin):
    from curriculum.models import Framework

    confirmed_device(admin)
    page = tabs().page
    sign_in(page, admin)
    _click(page, page.get_by_role("main").get_by_role("link", name="Curriculum authoring"))
    _click(page, page.get_by_role("link", name="Create a new standards framework"))
    page.get_by_label("Code").fill("Theatre team")  # not a code: refused at the top, in words
    page.get_by_label("Title").fill("Theatre team standards")
    _click(page, page.get_by_role("button", name="Create the draft"))
    summary = page.locator(".nhsuk-error-summary")
    assert "Use only letters, numbers, hyphens" in summary.inner_text()
    page.get_by_label("Code").fill("theatre-team")
    _click(page, page.get_by_role("button", name="Create the draft"))
    framework = Framework.objects.get(code="theatre-team")
    assert page.url.endswith(f"/versions/framework/{framework.pk}/contents/")

    page.goto("/curriculum/versions/")
    _click(page, page.get_by_role("link", name="Create a new pathway"))
    page.get_by_label("Code").fill("team-drills")
    page.get_by_label("Title").fill("Team crisis drills")
    page.get_by_label("Who it is for").select_option(label="Bedside assistants (theatre team)")
    page.get_by_label("Standards framework version").select_option(label="Theatre team standards, version 1 (draft)")
    page.get_by_label("Nominal length in weeks").fill("26")
    _click(page, page.get_by_role("button", name="Create the draft"))
    pathway = Pathway.objects.get(code="team-drills")
    assert (pathway.status, pathway.framework, pathway.duration_weeks) == (Lifecycle.DRAFT, framework, 26)
    assert page.url.endswith(f"/versions/pathway/{pathway.pk}/contents/")
    assert "Final sign-off" in page.get_by_role("main").inner_text()
