"""The public verification page: no sign-in, holder, pathway, issue date and status and
nothing else; revoked after a revocation; 404 for unknown and malformed codes; throttled."""

import re

import pytest

from accreditation.certificates.services import certificate_revoke
from tests.builders.certificates import certificate_fixture  # noqa: F401 - fixtures
from tests.builders.people import UserFactory
from tests.builders.signoff import (  # noqa: F401 - fixtures
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
)

pytestmark = pytest.mark.django_db


def _url(certificate) -> str:
    return f"/verify/{certificate.verification_code}/"


def _facts(html: str) -> dict[str, str]:
    """The summary list of the page: key -> text."""
    block = re.search(r"<dl[^>]*data-verification[^>]*>(.*?)</dl>", html, re.S).group(1)
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block, re.S)
    return {key.strip(): re.sub(r"<[^>]+>", "", value).strip() for key, value in pairs}


def _main(html: str) -> str:
    return re.search(r"<main.*?</main>", html, re.S).group(0)


def test_anyone_sees_holder_pathway_date_and_status_only(client, trainee, certificate):
    response = client.get(_url(certificate))
    assert response.status_code == 200
    html = response.content.decode()
    assert _facts(html) == {
        "Holder": "Tara Trainee", "Pathway": certificate.pathway.title,
        "Issued on": f"{certificate.issued_on:%-d %B %Y}", "Status": "Valid"}
    # Nothing else about the holder: no e-mail, no ids, no links into their records.
    assert trainee.email not in html
    main = _main(html)
    for leak in (f"/{trainee.pk}/", f"trainee={trainee.pk}", "/logbook/", "/portfolio/", "/certificates/",
                 "/signoff/", "/curriculum/", "data-certificate", "Verification code", certificate.code_display,
                 trainee.region.name, "enrolment", "Ada Assigned"):
        assert leak not in main, leak
    hrefs = re.findall(r'href="([^"]+)"', main)
    assert hrefs == []
    assert '<meta name="robots" content="noindex' in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    # The anonymous header has no account links.
    assert "Sign out" not in html
    # NHS.UK page, nothing inline (CSP).
    assert 'class="nhsuk-summary-list"' in html and "style=" not in html
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs and not body.strip()


def test_it_then_shows_revoked(client, admin, certificate):
    certificate_revoke(certificate=certificate, actor=admin, reason="Issued against the wrong pathway.")
    html = client.get(_url(certificate)).content.decode()
    assert _facts(html)["Status"] == "Revoked"
    assert "Issued against the wrong pathway." not in html  # the reason is not public
    assert admin.full_name not in html


def test_the_code_is_read_forgivingly(client, certificate):
    assert client.get(f"/verify/{certificate.verification_code.lower()}/").status_code == 200
    assert client.get(f"/verify/{certificate.code_display}/").status_code == 200
    lookup = client.get("/verify/", {"code": certificate.code_display.lower()})
    assert lookup.status_code == 302 and lookup["Location"] == _url(certificate)


@pytest.mark.parametrize("code", ["ABCDEFGHJKMNPQRS", "short", "0000000000000000", "a/b/c",
                                  "%3Cscript%3E", "x" * 300])
def test_unknown_and_malformed_codes_are_the_same_404(client, certificate, code):
    response = client.get(f"/verify/{code}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Certificate not found" in html and '<meta name="robots" content="noindex' in html


def test_no_sign_in_or_second_factor_is_asked_for(client, certificate):
    lead = UserFactory(roles=["regional_lead"])
    client.force_login(lead)  # an MFA role, not verified: every other page redirects
    assert client.get("/certificates/").status_code == 302
    response = client.get(_url(certificate))
    assert response.status_code == 200 and _facts(response.content.decode())["Holder"] == "Tara Trainee"


def test_it_is_throttled_per_client_address(client, settings, certificate):
    settings.VERIFY_THROTTLE = "3/minute"
    for _ in range(3):
        assert client.get(_url(certificate), REMOTE_ADDR="203.0.113.5").status_code == 200
    throttled = client.get(_url(certificate), REMOTE_ADDR="203.0.113.5")
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert "Tara Trainee" not in throttled.content.decode()
    # Misses count too (enumeration is mostly misses), and the lookup form shares the count.
    assert client.get("/verify/ABCDEFGHJKMNPQRS/", REMOTE_ADDR="203.0.113.5").status_code == 429
    assert client.get("/verify/", REMOTE_ADDR="203.0.113.5").status_code == 429
    # Another address has its own allowance.
    assert client.get(_url(certificate), REMOTE_ADDR="198.51.100.7").status_code == 200


def test_the_throttle_trusts_x_forwarded_for_only_as_far_as_our_proxies(client, settings, certificate):
    settings.VERIFY_THROTTLE = "2/minute"
    # No trusted proxy: the header is ignored, so changing it buys nothing.
    for n in range(2):
        client.get(_url(certificate), REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert client.get(_url(certificate), REMOTE_ADDR="10.0.0.1",
                      HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    # One trusted proxy: the address it appended is the client.
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get(_url(certificate), REMOTE_ADDR="10.0.0.1",
                      HTTP_X_FORWARDED_FOR="192.0.2.50").status_code == 200


def test_the_lookup_form(client, certificate):
    page = client.get("/verify/")
    assert page.status_code == 200 and "Verification code" in page.content.decode()
    bad = client.get("/verify/", {"code": "nonsense"})
    assert bad.status_code == 200 and "16 letters and digits" in bad.content.decode()


def test_a_bad_verify_throttle_stops_start_up():
    from tests.support.subprocesses import PRODUCTION, run_manage

    result = run_manage({**PRODUCTION, "VERIFY_THROTTLE": "many"}, "check")
    assert result.returncode != 0 and "VERIFY_THROTTLE" in result.stderr
    assert run_manage({**PRODUCTION, "VERIFY_THROTTLE": "5/second"}, "check").returncode == 0
