"""The trainer's dashboard on a phone: each trainee's stored progress (fresh, waiting for
recalculation, not yet computed) stacks into rows that fit a 390 px screen, with no serious
accessibility finding, and a pathway's link opens the trainee's progress page."""

from __future__ import annotations

import pytest

from curriculum.progress_summary import mark_stale, refresh_enrolment
from rastrack.accounts.roles import Role
from tests.builders.curriculum import make_framework
from tests.builders.faculty import assign
from tests.builders.people import UserFactory
from tests.builders.signoff import enrol, small_pathway
from tests.support.browser import PHONE, axe_violations, navigating, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_trainees_progress_fits_a_phone_and_links_to_the_progress_page(tabs, admin, trainee, assigned_trainer):
    pathway = small_pathway(admin, make_framework(admin))
    stale = enrol(trainee, pathway)
    refresh_enrolment(stale)
    mark_stale([trainee.pk])
    fresh_person = UserFactory(full_name="Philippa Montgomery-Fotheringham", roles=[Role.TRAINEE],
                               region=trainee.region)
    assign(assigned_trainer, fresh_person)
    refresh_enrolment(enrol(fresh_person, pathway))
    waiting = UserFactory(full_name="Mo Missing", roles=[Role.TRAINEE], region=trainee.region)
    assign(assigned_trainer, waiting)
    enrol(waiting, pathway)

    page = tabs(phone=True).page
    sign_in(page, assigned_trainer)
    page.goto("/dashboards/trainer/")
    table = page.get_by_role("table", name="Trainees you supervise and their progress on each live enrolment")
    assert table.get_by_role("row").count() == 4  # the heading row and one per enrolment
    assert "Recalculating" in table.inner_text() and "Not yet computed" in table.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert not serious, serious

    with navigating(page):
        table.get_by_role("link", name=f"Console test (progress of {trainee.full_name})").tap()
    page.wait_for_url(f"**/curriculum/enrolments/{stale.pk}/")
    assert page.get_by_role("heading", level=1).is_visible()
