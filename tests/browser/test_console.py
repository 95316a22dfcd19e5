"""No page writes an error to the browser's console: every main page of the demo world, for
each of its users, the programme admin's authoring pages and the API docs (Swagger UI, served
from the site's own static files under its Content-Security-Policy). Every `console.error`
counts, and every uncaught script error, failed sub-resource and CSP refusal (`tabs`).

The tour (test_tour.py) checks accessibility and takes the screenshots; this file only
listens to the console, so its page list is its own and a little longer."""

from __future__ import annotations

import pytest

from rastrack.accounts.models import User
from tests.support.browser import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DEMO = "@demo.rastrack.org"


def _user(name: str) -> User:
    return User.objects.get(email=name + DEMO)


def _pages() -> dict[str | None, list[str]]:
    from accreditation.certificates.models import Certificate
    from accreditation.faculty.models import TrainerApplication
    from accreditation.signoff.models import SignoffRequest
    from curriculum.models import Framework, Lifecycle, Pathway
    from labs.models import LabSession

    trainer = _user("trainer1")
    lead = _user("lead.london")
    certificate = Certificate.objects.first()
    pending = SignoffRequest.objects.filter(trainer=trainer, status="pending").order_by("pk").first()
    application = TrainerApplication.objects.filter(status="pending").order_by("pk").first()
    framework = Framework.objects.filter(status=Lifecycle.PUBLISHED).first()
    pathway = Pathway.objects.filter(status=Lifecycle.PUBLISHED).first()
    session = LabSession.objects.order_by("starts_at", "pk").last()
    return {
        None: ["/signin/", f"/verify/{certificate.verification_code}/", "/verify/"],
        "trainee1": ["/", "/dashboards/mine/", "/logbook/", "/logbook/new/", "/logbook/learning-curve/",
                     "/signoff/", "/signoff/new/", "/assessments/", "/curriculum/enrolments/", "/labs/calendar/",
                     "/labs/bookings/", "/notifications/", "/faculty/mine/", "/api/v1/docs/"],
        "trainer1": ["/logbook/queue/", "/signoff/queue/", f"/signoff/{pending.pk}/", "/dashboards/trainer/",
                     "/assessments/new/"],
        "lead.london": [f"/dashboards/regions/{lead.region_id}/", "/faculty/", "/accounts/people/",
                        "/labs/capacity/"],
        "admin": ["/dashboards/", "/faculty/applications/", f"/faculty/applications/{application.pk}/",
                  "/curriculum/resources/moderation/", "/curriculum/versions/",
                  f"/curriculum/versions/framework/{framework.pk}/",
                  f"/curriculum/versions/pathway/{pathway.pk}/contents/",
                  "/curriculum/versions/pathway/new/", "/api/v1/docs/"],
        "labmanager1": ["/labs/manage/", f"/labs/sessions/{session.pk}/"],
    }


def _listen(tab, where: list[str]) -> list[str]:
    """Every console error and uncaught script error of the tab, with the page it was on."""
    heard: list[str] = []
    tab.page.on("console", lambda message: heard.append(f"{where[0]}: console.{message.type}: {message.text}")
                if message.type == "error" else None)
    tab.page.on("pageerror", lambda error: heard.append(f"{where[0]}: script error: {error}"))
    return heard


def _visit(tab, url: str, where: list[str]) -> None:
    where[0] = url
    response = tab.page.goto(url)
    assert response.status == 200, (url, response.status)
    tab.page.wait_for_load_state("networkidle")


@pytest.mark.timeout(600)  # the demo world and about forty pages: allow for a busy machine
def test_no_page_writes_an_error_to_the_console(tabs):
    from rastrack.demo import seed_demo_world

    seed_demo_world()
    heard: list[str] = []
    for who, urls in _pages().items():
        tab = tabs()
        where = ["(signing in)"]
        heard += _listen(tab, where)
        if who is not None:
            sign_in(tab.page, _user(who), password="rastrack-demo")
        for url in urls:
            _visit(tab, url, where)
        if who == "trainee1":
            # Swagger UI drew the operations from the schema (nothing failed before it could).
            _visit(tab, "/api/v1/docs/", where)
            tab.page.wait_for_selector(".opblock", timeout=30_000)
        # Playwright hands over a page's events only while it is called: take the last ones.
        tab.page.wait_for_timeout(300)
    assert not heard, "\n".join(heard)


def test_the_listener_hears_a_console_error(tabs, trainee):
    tab = tabs()
    where = ["/signin/"]
    heard = _listen(tab, where)
    tab.page.goto("/signin/")
    tab.page.evaluate("() => console.error('on purpose')")
    assert heard == ["/signin/: console.error: on purpose"]
