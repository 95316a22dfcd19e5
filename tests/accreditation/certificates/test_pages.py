"""Certificate web pages: my certificates, the list with revoke, the detail and its PDF; same
scope as the API; NHS.UK markup with nothing inline (CSP); nav links by role."""

import re

import pytest

from accreditation.certificates.models import CertificateStatus
from rastrack.audit.models import AuditEntry
from rastrack.navigation import links_for
from tests.builders.certificates import certificate_fixture, pdf_text  # noqa: F401 - fixtures
from tests.builders.signoff import (  # noqa: F401 - fixtures
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
)
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


def _sign_in(client, user):
    client.logout()
    if user.has_role("programme_admin", "regional_lead"):
        login_verified(client, user)
    else:
        client.force_login(user)


def _assert_clean_html(html: str):
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs and not body.strip(), "inline script"
    assert "style=" not in html


def test_my_certificates(client, trainee, certificate):
    _sign_in(client, trainee)
    response = client.get("/certificates/mine/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/certificates/{certificate.pk}/pdf/"' in html
    assert f'href="http://127.0.0.1:8000/verify/{certificate.verification_code}/"' in html
    assert certificate.code_display in html
    _assert_clean_html(html)
    pdf = client.get(f"/certificates/{certificate.pk}/pdf/")
    assert pdf.status_code == 200 and "Tara Trainee" in pdf_text(pdf.content)


DETAIL = {"trainee": 200, "assigned_trainer": 200, "lead": 200, "admin": 200,
          "other_trainee": 404, "unassigned_trainer": 404, "other_lead": 404, "lab_manager": 403}


@pytest.mark.parametrize(("persona", "expected"), DETAIL.items())
def test_the_detail_and_pdf_both_ways(client, request, certificate, persona, expected):
    _sign_in(client, request.getfixturevalue(persona))
    page = client.get(f"/certificates/{certificate.pk}/")
    assert page.status_code == expected
    assert client.get(f"/certificates/{certificate.pk}/pdf/").status_code == expected
    if expected == 200:
        html = page.content.decode()
        _assert_clean_html(html)
        assert 'class="rastrack-qr"' in html  # the QR code of the verification page
        assert ("/revoke/" in html) == (persona == "admin")


@pytest.mark.parametrize(("persona", "listed"), [("admin", True), ("lead", True), ("assigned_trainer", True),
                                                 ("other_lead", False), ("unassigned_trainer", False)])
def test_the_list_is_scoped(client, request, certificate, persona, listed):
    _sign_in(client, request.getfixturevalue(persona))
    html = client.get("/certificates/").content.decode()
    assert (f'data-certificate="{certificate.pk}"' in html) == listed
    assert (f"/certificates/{certificate.pk}/revoke/" in html) == (persona == "admin" and listed)


def test_the_admin_revokes_from_the_web_with_a_reason(client, admin, trainee, certificate):
    _sign_in(client, admin)
    form = client.get(f"/certificates/{certificate.pk}/revoke/")
    assert form.status_code == 200
    _assert_clean_html(form.content.decode())
    empty = client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": ""})
    assert empty.status_code == 400 and "Say why the certificate is revoked." in empty.content.decode()
    pii = client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "Patient MRN 1234567 case."})
    assert pii.status_code == 400
    done = client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "Issued in error."})
    assert done.status_code == 302 and done["Location"] == f"/certificates/{certificate.pk}/"
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED and certificate.revocation_reason == "Issued in error."
    assert AuditEntry.objects.filter(action="certificate.revoke", actor=admin).count() == 1
    again = client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "Again."})
    assert again.status_code == 409
    # The public page now says so.
    client.logout()
    assert "Revoked" in client.get(f"/verify/{certificate.verification_code}/").content.decode()


@pytest.mark.parametrize(("persona", "expected"), [("lead", 403), ("assigned_trainer", 403), ("trainee", 403),
                                                   ("other_lead", 403), ("unassigned_trainer", 403)])
def test_others_may_not_revoke(client, request, certificate, persona, expected):
    _sign_in(client, request.getfixturevalue(persona))
    assert client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "No."}).status_code == expected
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_nav_links_by_role(trainee, assigned_trainer, lead, admin, lab_manager):
    def labels(user):
        return {link.label for link in links_for(user)}

    assert {"My certificates", "Portfolio export"} <= labels(trainee) and "Certificates" not in labels(trainee)
    for user in (assigned_trainer, lead, admin):
        assert {"Certificates", "Portfolio export"} <= labels(user) and "My certificates" not in labels(user)
    assert not {"Certificates", "My certificates", "Portfolio export"} & labels(lab_manager)


def test_the_pages_for_someone_without_certificates(client, other_trainee):
    _sign_in(client, other_trainee)
    html = client.get("/certificates/mine/").content.decode()
    assert "You have no certificates yet." in html
    assert client.get("/certificates/").status_code == 200
