"""Deployment safety: security headers and the Content-Security-Policy on every page and API
response; a deactivated user's and a revoked trainer's tokens and sessions stop working on
the very next request, on every endpoint.

Covered elsewhere and cited in docs/security.md: `check --deploy` with production settings
(tests/rastrack/test_settings.py), the sign-in lockout and the token endpoint's 429
(tests/rastrack/accounts/test_login_protection.py), the verification page's throttle and its single 404
(tests/accreditation/certificates/test_verify.py).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accreditation.faculty import services as faculty_services
from rastrack.accounts import services as accounts
from tests.security.matrix import SIDES, call, expected, is_detail, operations
from tests.security.permission_table import TABLE
from tests.support.api_clients import client_for

pytestmark = pytest.mark.django_db

HEADERS = {
    "Content-Security-Policy": lambda v: "default-src 'self'" in v and "frame-ancestors 'none'" in v
    and "unsafe-inline" not in v and "unsafe-eval" not in v,
    "X-Content-Type-Options": lambda v: v == "nosniff",
    "X-Frame-Options": lambda v: v == "DENY",
    "Referrer-Policy": lambda v: v == "same-origin",
    "Cross-Origin-Opener-Policy": lambda v: v == "same-origin",
}


def _missing_headers(response) -> list[str]:
    return [name for name, ok in HEADERS.items() if name not in response or not ok(response[name])]


GETS = [(m, p) for m, p, _ in operations() if m == "GET"]


@pytest.mark.parametrize("persona", ["admin", "trainee", "anon"])
def test_every_api_response_carries_the_security_headers(world, persona):
    problems = {}
    for method, path in GETS:
        response = call(world, client_for(world, persona), persona, method, path, "own" if is_detail(path) else None)
        if _missing_headers(response):
            problems[path] = (response.status_code, _missing_headers(response))
    assert not problems


def test_hsts_is_sent_on_https(world, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client_for(world, "trainee").get("/api/v1/me/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def _pages():
    """Every web page of the URL conf that takes at most one integer: `<int:...>` becomes 1."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                found.append(route)

    walk(get_resolver().url_patterns)
    pages = set()
    for route in found:
        if route.startswith(("api/", "admin/", "^", "static/", "media/")) or "(?P" in route:
            continue
        path = re.sub(r"<int:[^>]+>", "1", route)
        if "<" in path:
            continue
        pages.add("/" + path)
    return sorted(pages)


PAGES = _pages()


def test_pages_are_enumerated():
    assert len(PAGES) >= 30, PAGES


@pytest.mark.parametrize("persona", ["trainee", "lab_manager", "anon"])
def test_every_page_carries_the_security_headers_and_never_errors(world, persona):
    browser = Client()
    if persona != "anon":
        browser.force_login(getattr(world, persona))
    problems = {}
    for page in PAGES:
        if page.endswith(("logout/", "sign-out/")):
            continue
        response = browser.get(page)
        if response.status_code >= 500 or _missing_headers(response):
            problems[page] = (response.status_code, _missing_headers(response))
    assert not problems


def _visible_ok(persona: str) -> list[tuple[str, str, str | None]]:
    """The GET cells that answer 200 for this persona: what they could read before."""
    out = []
    for method, path in GETS:
        sides = SIDES if (method, path) in TABLE and "own" in TABLE[(method, path)] else (None,)
        for side in sides:
            if expected(TABLE, method, path, persona, side) == 200:
                out.append((method, path, side))
    return out


def test_a_deactivated_users_token_and_session_stop_on_every_endpoint_at_once(world):
    token_client = client_for(world, "lead")
    browser = Client()
    browser.force_login(world.trainee)
    assert browser.get("/logbook/").status_code == 200
    accounts.user_deactivate(user=world.trainee, actor=world.admin)
    for method, path, side in _visible_ok("trainee"):
        response = call(world, client_for(world, "trainee"), "trainee", method, path, side)
        assert response.status_code == 401, (path, response.status_code)
    assert browser.get("/logbook/").status_code == 302
    assert browser.get("/api/v1/me/").status_code in (401, 403)
    # Others are untouched.
    assert token_client.get("/api/v1/me/").status_code == 200


# The trainee's own records. What the trainer authored or is addressed in (their
# assessments, their assignment, a sign-off request addressed to them) stays readable to
# them as history, by design (tests/accreditation/signoff/test_requests.py).
TRAINEE_RECORDS = tuple(f"/api/v1/{kind}/" for kind in (
    "cases", "simulator-sessions", "documents", "enrolments", "certificates", "elearning-completions",
    "portfolio", "assessments/calibration/"))


def test_a_revoked_trainer_loses_the_trainees_records_at_once_by_token_and_session(world):
    accreditation = world.objects["accreditations"]["own"]
    browser = Client()
    browser.force_login(world.assigned_trainer)
    case = world.extra["case_submitted_own"]
    assert browser.get(f"/logbook/cases/{case.pk}/").status_code == 200
    faculty_services.accreditation_revoke(accreditation=accreditation, actor=world.admin, reason="Upheld.")
    trainer = client_for(world, "assigned_trainer")
    still = {}
    for method, path, side in _visible_ok("assigned_trainer"):
        if side != "own" or not path.startswith(TRAINEE_RECORDS):
            continue
        response = call(world, trainer, "assigned_trainer", method, path, side)
        if response.status_code == 200:
            still[path] = response.status_code
    assert not still, f"a revoked trainer still reads the trainee's records: {still}"
    assert browser.get(f"/logbook/cases/{case.pk}/").status_code == 404
    assert trainer.post(f"/api/v1/cases/{case.pk}/validate/", {}, format="json").status_code in (403, 404)
    # Attendance is evidence: a revoked member of a session's faculty may no longer mark it.
    booking = world.extra["booking_past_own"]
    assert trainer.post(f"/api/v1/bookings/{booking.pk}/attended/", {}, format="json").status_code == 403


def test_the_token_endpoint_does_not_tell_unknown_accounts_from_wrong_passwords(world):
    anon = client_for(world, "anon")
    unknown = anon.post("/api/v1/auth/token/", {"username": "nobody@example.org", "password": "x" * 12},
                        format="json")
    wrong = anon.post("/api/v1/auth/token/", {"username": world.trainee.email, "password": "x" * 12},
                      format="json")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()
