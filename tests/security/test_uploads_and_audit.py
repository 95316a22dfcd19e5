"""Uploads: the stored name's extension is the sniffed type's, and a PDF must parse as one.
Audit: a client's X-Request-ID is kept only as a UUID, beside the server's own id, and every
upload is audited with who put it into whose record."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rastrack.accounts.documents import document_upload
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import ApplicationError
from tests.builders.faculty import PDF

pytestmark = pytest.mark.django_db

HTML_WITH_PDF_HEADER = b"<html><body>%PDF-1.4 <script>alert(document.cookie)</script></body></html>" + b" " * 300


def test_html_with_a_pdf_header_in_its_first_kilobyte_is_refused(trainee):
    with pytest.raises(ApplicationError) as refused:
        document_upload(owner=trainee, uploaded_by=trainee,
                        file=SimpleUploadedFile("page.html", HTML_WITH_PDF_HEADER))
    assert "cannot be read as one" in " ".join(refused.value.errors["file"])


def test_a_real_pdf_named_html_is_kept_under_a_pdf_name(api, trainee):
    document = document_upload(owner=trainee, uploaded_by=trainee, file=SimpleUploadedFile("page.html", PDF))
    assert document.original_name == "page.pdf"
    response = api.as_user(trainee).get(f"/api/v1/documents/{document.pk}/download/")
    assert response.status_code == 200
    assert 'filename="page.pdf"' in response["Content-Disposition"]
    kept = document_upload(owner=trainee, uploaded_by=trainee, file=SimpleUploadedFile("Scan.PDF", PDF))
    assert kept.original_name == "Scan.PDF"


def test_an_upload_is_audited_with_its_uploader_and_owner(admin, trainee):
    document = document_upload(owner=trainee, uploaded_by=admin, file=SimpleUploadedFile("cv.pdf", PDF))
    entry = AuditEntry.objects.get(action="document.upload", object_id=str(document.pk))
    assert entry.actor_id == admin.pk
    assert entry.after["owner"] == trainee.pk and entry.after["uploaded_by"] == admin.pk
    assert entry.stream == f"portfolio:{trainee.pk}"


@pytest.mark.parametrize("incoming", ["forged-id-1234; DROP", "x" * 64, "req-1234567890", "../../etc/passwd"])
def test_a_client_request_id_that_is_not_a_uuid_is_not_stored(api, lead, trainee, incoming):
    response = api.as_user(lead).post(f"/api/v1/users/{trainee.pk}/deactivate/", HTTP_X_REQUEST_ID=incoming)
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="user.deactivate")
    assert incoming not in entry.request_id
    assert entry.request_id == response["X-Request-ID"]


def test_a_uuid_request_id_is_kept_beside_the_servers_own(api, lead, trainee):
    incoming = "6F1C2D3E-4B5A-4978-8695-A4B3C2D1E0F9"
    response = api.as_user(lead).post(f"/api/v1/users/{trainee.pk}/deactivate/", HTTP_X_REQUEST_ID=incoming)
    entry = AuditEntry.objects.get(action="user.deactivate")
    server = response["X-Request-ID"]
    assert len(server) == 24 and server != incoming
    assert entry.request_id == f"{server};client={incoming.replace('-', '').lower()}"
    assert response["X-Client-Request-ID"] == incoming.replace("-", "").lower()
