"""Every main page of the demo world, as its users see it: axe-core finds no serious or
critical WCAG 2.1 A/AA violation (desktop and phone), no page is wider than a 390 px phone
(wide tables stack instead), the strict CSP breaks nothing, and the
screenshots in docs/screenshots/ (shown in the README) are taken from these very pages, and
no page writes an error to the browser's console: every `console.error` and uncaught script
error counts, on these pages and on a few more that only the console pass visits (the
programme admin's authoring pages, a lab session, and the API docs: Swagger UI, served from
the site's own static files under its Content-Security-Policy, must draw its operations).

The demo world is `manage.py seed_demo`'s, so the screenshots show realistic content.
axe is the vendored file (static/vendor/axe/, from the axe-core npm package), added to each
page as a script from the site itself: the CSP allows 'self', so axe checks the page under
its real policy, and the same context must see no CSP refusal, script error or failed
sub-resource (`tabs` checks it).
"""

from __future__ import annotations

import json

import pytest

from accreditation.certificates.models import Certificate
from accreditation.faculty.models import TrainerApplication
from accreditation.signoff.models import SignoffRequest
from rastrack.accounts.models import User
from tests.support.browser import PHONE, axe_violations, listen_for_errors, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DEMO = "@demo.rastrack.org"


def _user(name: str) -> User:
    return User.objects.get(email=name + DEMO)


def _pages() -> dict[str | None, list[tuple[str, str | None]]]:
    """Who sees which page: (url, screenshot name or None)."""
    trainee = _user("trainee1")
    trainer = _user("trainer1")
    lead = _user("lead.london")
    certificate = Certificate.objects.select_related("enrolment").first()
    pending = SignoffRequest.objects.filter(trainer=trainer, status="pending").order_by("pk").first()
    application = TrainerApplication.objects.filter(status="pending").first()
    return {
        None: [
            ("/signin/", "sign-in"),
            (f"/verify/{certificate.verification_code}/", "certificate-verification"),
            ("/verify/", None),
        ],
        "trainee1": [
            ("/", None),
            ("/dashboards/mine/", "trainee-dashboard"),
            ("/logbook/", "logbook"),
            ("/logbook/new/", "log-a-case"),
            ("/logbook/learning-curve/", None),
            ("/signoff/", None),
            ("/signoff/new/", None),
            ("/assessments/", None),
            ("/curriculum/enrolments/", None),
            ("/labs/calendar/?week=" + _busy_week(trainee), "lab-sessions"),
            ("/labs/bookings/", None),
            ("/notifications/", None),
            ("/faculty/mine/", None),
        ],
        "trainer1": [
            ("/logbook/queue/", "validation-queue"),
            ("/signoff/queue/", None),
            (f"/signoff/{pending.pk}/", "sign-off"),
            ("/dashboards/trainer/", None),
            ("/assessments/new/", None),
        ],
        "lead.london": [
            (f"/dashboards/regions/{lead.region_id}/", "regional-dashboard"),
            ("/faculty/", "faculty-register"),
            ("/accounts/people/", None),
            ("/labs/capacity/", None),
        ],
        "admin": [
            ("/dashboards/", None),
            ("/faculty/applications/", None),
            (f"/faculty/applications/{application.pk}/", None),
            ("/curriculum/resources/moderation/", None),
        ],
        "labmanager1": [
            ("/labs/manage/", None),
        ],
    }


def _console_only() -> dict[str, list[str]]:
    """Pages only listened to (desktop, no axe): the console pass's longer list."""
    from curriculum.models import Framework, Lifecycle, Pathway
    from labs.models import LabSession

    framework = Framework.objects.filter(status=Lifecycle.PUBLISHED).first()
    pathway = Pathway.objects.filter(status=Lifecycle.PUBLISHED).first()
    session = LabSession.objects.order_by("starts_at", "pk").last()
    return {
        "trainee1": ["/api/v1/docs/"],
        "admin": ["/curriculum/versions/", f"/curriculum/versions/framework/{framework.pk}/",
                  f"/curriculum/versions/pathway/{pathway.pk}/contents/", "/curriculum/versions/pathway/new/",
                  "/api/v1/docs/"],
        "labmanager1": [f"/labs/sessions/{session.pk}/"],
    }


def _busy_week(trainee) -> str:
    """The ISO week of the trainee's next lab booking (the calendar's busiest view for them)."""
    from django.utils import timezone

    from labs.models import Booking

    booking = (Booking.objects.filter(trainee=trainee, session__starts_at__gte=timezone.now())
               .order_by("session__starts_at").select_related("session").first())
    day = timezone.localtime(booking.session.starts_at) if booking else timezone.localtime()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@pytest.mark.timeout(600)  # the demo world and about forty pages: allow for a busy machine
def test_every_main_page_is_accessible_fits_a_phone_keeps_the_csp_writes_no_console_error_and_is_photographed(tabs):
    from rastrack.demo import seed_demo_world

    seed_demo_world()
    pages, console_only = _pages(), _console_only()
    findings: dict[str, list[dict]] = {}
    serious: list[str] = []
    too_wide: list[str] = []
    heard: list[str] = []

    for who, visits in pages.items():
        where = ["(signing in)"]
        desktop = tabs()
        heard += listen_for_errors(desktop, where)
        if who is not None:
            sign_in(desktop.page, _user(who), password="rastrack-demo")
        phone = tabs(phone=True, storage_state=desktop.context.storage_state())
        heard += listen_for_errors(phone, where)
        for url, shot in visits:
            for tab, kind in ((desktop, "desktop"), (phone, "phone")):
                where[0] = f"{url} ({kind})"
                response = tab.page.goto(url)
                assert response.status == 200, (who, url, response.status)
                if kind == "phone":
                    # Nothing scrolls sideways on a phone: the page is no wider than the screen.
                    width = tab.page.evaluate("document.documentElement.scrollWidth")
                    if width > PHONE["width"]:
                        too_wide.append(f"{who or 'anyone'} {url}: {width} px")
                if shot:
                    if shot == "regional-dashboard":
                        # Show a chart, with its section heading, rather than the filters.
                        tab.page.evaluate("""() => {
                            const canvas = document.querySelector("canvas:not([hidden])");
                            window.scrollTo(0, canvas.getBoundingClientRect().top + window.scrollY - 140);
                        }""")
                    screenshot(tab.page, f"{shot}-{kind}")
                # axe runs for a while in the page: what its scripts do after the load (htmx,
                # charts) reaches the console listener meanwhile.
                found = axe_violations(tab.page)
                if found:
                    findings[f"{who or 'anyone'} {url} ({kind})"] = found
                serious += [f"{who or 'anyone'} {url} ({kind}): {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}"
                            for v in found if v["impact"] in ("serious", "critical")]
        for url in console_only.get(who, []):
            where[0] = url
            response = desktop.page.goto(url)
            assert response.status == 200, (who, url, response.status)
            desktop.page.wait_for_load_state("networkidle")
            if url == "/api/v1/docs/":
                # Swagger UI drew the operations from the schema (nothing failed before it could).
                desktop.page.wait_for_selector(".opblock", timeout=30_000)
        # Playwright hands over a page's events only while it is called: take the last ones.
        desktop.page.wait_for_timeout(300)

    if findings:
        print("axe found:\n" + json.dumps(findings, indent=1))
    problems = ["axe: serious or critical violations:", *serious] if serious else []
    if too_wide:
        problems += [f"wider than a {PHONE['width']} px phone:", *too_wide]
    if heard:
        problems += ["written to the browser's console:", *heard]
    assert not problems, "\n".join(problems)


def test_axe_does_report_a_serious_violation(tabs):
    """The check above is not empty: take the sign-in page's label away and axe says so."""
    page = tabs().page
    page.goto("/signin/")
    page.evaluate("() => document.querySelector('label[for=\"id_username\"]').remove()")
    found = {v["id"]: v["impact"] for v in axe_violations(page)}
    assert found.get("label") == "critical", found
