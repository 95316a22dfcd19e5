"""/api/v1/certificates/: the contract's fields, scope both ways, revoke, the PDF."""

import pytest

from accreditation.certificates.models import CertificateStatus
from rastrack.audit.models import AuditEntry
from rastrack.notifications.models import Notification
from tests.builders.certificates import certificate_fixture, pdf_text  # noqa: F401 - fixtures
from tests.builders.signoff import (  # noqa: F401 - fixtures
    competency_fixture,
    enrolment_fixture,
    framework_fixture,
    pathway_fixture,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/certificates/"

# Who reads the trainee's certificate: 200 in the list and the detail, or not at all (404).
READ = {
    "trainee": 200, "assigned_trainer": 200, "lead": 200, "admin": 200,
    "other_trainee": 404, "unassigned_trainer": 404, "other_lead": 404,
}


def test_anonymous_is_401(client, certificate):
    for url in (URL, f"{URL}{certificate.pk}/", f"{URL}{certificate.pk}/pdf/"):
        assert client.get(url).status_code == 401
    assert client.post(f"{URL}{certificate.pk}/revoke/", {"reason": "x"}).status_code == 401


def test_the_contract_fields(api, trainee, certificate):
    body = api.as_user(trainee).get(f"{URL}{certificate.pk}/").json()
    assert {k: body[k] for k in ("id", "trainee", "pathway", "issued_on", "status", "verification_code")} == {
        "id": certificate.pk, "trainee": trainee.pk, "pathway": certificate.pathway_id,
        "issued_on": certificate.issued_on.isoformat(), "status": "valid",
        "verification_code": certificate.verification_code}
    assert body["verification_url"] == f"http://127.0.0.1:8000/verify/{certificate.verification_code}/"
    assert body["trainee_name"] == "Tara Trainee" and body["revoked_on"] is None


@pytest.mark.parametrize(("persona", "expected"), READ.items())
def test_scope_both_ways(api, request, certificate, persona, expected):
    client = api.as_user(request.getfixturevalue(persona))
    listed = [row["id"] for row in client.get(URL).json()["results"]]
    assert (certificate.pk in listed) == (expected == 200)
    assert client.get(f"{URL}{certificate.pk}/").status_code == expected
    assert client.get(f"{URL}{certificate.pk}/pdf/").status_code == expected


def test_a_lab_manager_may_never_read_them(api, lab_manager, certificate):
    assert api.as_user(lab_manager).get(URL).status_code == 403


def test_a_trainer_who_loses_the_assignment_loses_the_certificate(api, assigned_trainer, certificate):
    from accreditation.faculty.models import Assignment
    from accreditation.faculty.services import supervision_right_refresh
    from tests.builders.dates import days_ago

    Assignment.objects.filter(trainer=assigned_trainer).unaudited_update("test setup", ends_on=days_ago(1))
    supervision_right_refresh(trainer=assigned_trainer, trainee=certificate.trainee)
    assert api.as_user(assigned_trainer).get(f"{URL}{certificate.pk}/").status_code == 404


def test_filters(api, admin, certificate):
    client = api.as_user(admin)
    assert client.get(f"{URL}?status=valid").json()["count"] == 1
    assert client.get(f"{URL}?status=revoked").json()["count"] == 0
    assert client.get(f"{URL}?trainee={certificate.trainee_id}").json()["count"] == 1
    assert client.get(f"{URL}?status=nonsense").status_code == 400


# --- Revoke ------------------------------------------------------------------------------------------


def test_a_programme_admin_revokes_with_a_reason(api, admin, trainee, certificate):
    client = api.as_user(admin)
    assert client.post(f"{URL}{certificate.pk}/revoke/", {}, format="json").status_code == 400
    assert "reason" in client.post(f"{URL}{certificate.pk}/revoke/", {"reason": "  "}, format="json").json()
    response = client.post(f"{URL}{certificate.pk}/revoke/", {"reason": "Issued against the wrong pathway."},
                           format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "revoked" and body["revoked_by"] == admin.pk
    assert body["revocation_reason"] == "Issued against the wrong pathway."
    assert client.post(f"{URL}{certificate.pk}/revoke/", {"reason": "Again."}, format="json").status_code == 409

    entry = AuditEntry.objects.get(action="certificate.revoke")
    assert entry.actor_id == admin.pk and entry.before["status"] == "valid" and entry.after["status"] == "revoked"
    assert entry.stream == f"portfolio:{trainee.pk}"
    note = Notification.objects.get(recipient=trainee, kind="certificate.revoked")
    assert "Issued against the wrong pathway." in note.body


def test_the_reason_is_checked_for_patient_data(api, admin, certificate):
    response = api.as_user(admin).post(f"{URL}{certificate.pk}/revoke/",
                                       {"reason": "Case of patient MRN 12345678 was not theirs."}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


@pytest.mark.parametrize("persona", ["trainee", "assigned_trainer", "lead", "other_lead", "unassigned_trainer"])
def test_only_programme_admins_revoke(api, request, certificate, persona):
    response = api.as_user(request.getfixturevalue(persona)).post(
        f"{URL}{certificate.pk}/revoke/", {"reason": "Because."}, format="json")
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


# --- PDF ----------------------------------------------------------------------------------------------


def test_the_pdf_opens_and_carries_holder_pathway_date_and_code(api, trainee, certificate):
    response = api.as_user(trainee).get(f"{URL}{certificate.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert "Tara Trainee" in text
    assert certificate.pathway.title in text
    assert certificate.code_display in text
    assert f"/verify/{certificate.verification_code}/" in text
    assert f"{certificate.issued_on:%-d %B %Y}" in text
    assert "REVOKED" not in text


def test_the_pdf_asked_for_by_accept_header_or_format(api, trainee, certificate):
    client = api.as_user(trainee)
    assert client.get(f"{URL}{certificate.pk}/pdf/", HTTP_ACCEPT="application/pdf").status_code == 200
    assert client.get(f"{URL}{certificate.pk}/pdf/?format=pdf").status_code == 200
    missing = client.get(f"{URL}999999/pdf/", HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")


def test_the_pdf_draws_a_qr_code_of_the_verification_url(api, trainee, certificate, monkeypatch):
    from reportlab.graphics.barcode.qr import QrCodeWidget

    from accreditation.certificates import pdf as certificate_pdf

    drawn = []

    class Recording(QrCodeWidget):
        def __init__(self, value, **kwargs):
            drawn.append(value)
            super().__init__(value, **kwargs)

    monkeypatch.setattr(certificate_pdf, "QrCodeWidget", Recording)
    assert api.as_user(trainee).get(f"{URL}{certificate.pk}/pdf/").status_code == 200
    assert drawn == [f"http://127.0.0.1:8000/verify/{certificate.verification_code}/"]


def test_a_revoked_certificates_pdf_says_so(api, admin, trainee, certificate):
    from accreditation.certificates.services import certificate_revoke

    certificate_revoke(certificate=certificate, actor=admin, reason="Issued in error.")
    text = pdf_text(api.as_user(trainee).get(f"{URL}{certificate.pk}/pdf/").content)
    assert "REVOKED" in text and "Tara Trainee" in text


def test_odd_names_are_drawn_as_text(api, admin, trainee, certificate):
    trainee.full_name = "Zoë O'Brien <b>&amp; Sons</b>"
    trainee.save(update_fields=["full_name"])
    response = api.as_user(admin).get(f"{URL}{certificate.pk}/pdf/")
    assert response.status_code == 200
    assert "O'Brien <b>&amp; Sons</b>" in pdf_text(response.content)


def test_the_verification_address_comes_from_site_url(api, settings, trainee, certificate):
    settings.SITE_URL = "https://rastrack.example.org"
    body = api.as_user(trainee).get(f"{URL}{certificate.pk}/").json()
    assert body["verification_url"] == f"https://rastrack.example.org/verify/{certificate.verification_code}/"
    text = pdf_text(api.as_user(trainee).get(f"{URL}{certificate.pk}/pdf/").content)
    assert f"https://rastrack.example.org/verify/{certificate.verification_code}/" in text
