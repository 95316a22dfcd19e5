"""Evidence uploads: accepted by content, stored under random names, served only to who may see them."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from rastrack.accounts.documents import can_view_document, document_upload, documents_visible_to
from rastrack.accounts.models import User
from rastrack.accounts.roles import MFA_ROLES, Role
from rastrack.accounts.services import user_move_region, user_revoke_role
from rastrack.core.exceptions import ApplicationError, NotPermitted
from rastrack.core.models import EvidenceDocument
from rastrack.core.uploads import MAX_UPLOAD_BYTES, sniff_content_type, validate_evidence_file
from tests.builders.faculty import blank_pdf
from tests.builders.people import region
from tests.support.personas import PERSONAS

pytestmark = pytest.mark.django_db

API = "/api/v1/documents/"
STORED_NAME = re.compile(r"^evidence/\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|png|jpg)$")


# --- Real files, made here ---------------------------------------------------------------------


PDF = blank_pdf()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# A 1x1 white RGB PNG: signature, IHDR, one IDAT row (filter byte 0 + one pixel), IEND.
PNG = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
    + _png_chunk(b"IEND", b"")
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300 + b"This program cannot be run in DOS mode."
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("certificate.pdf", PDF)
    return buffer.getvalue()


def upload_file(content: bytes, name: str = "certificate.pdf", content_type: str = "application/pdf"):
    # The browser's content type is what the uploader claims: always "application/pdf" here.
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_upload(client, content: bytes, name: str = "certificate.pdf", **extra):
    return client.post(API, {"file": upload_file(content, name), **extra}, format="multipart")


def stored_files() -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def sign_in(client, user):
    """A web session; leads and admins also pass the second factor (RequireMFAMiddleware)."""
    client.force_login(user)
    if user.has_role(*MFA_ROLES):
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def body(response) -> bytes:
    # Reading the stream to its end closes the response the way Django's test client
    # expects; closing it by hand would fire request_finished and close the test's
    # database connection.
    return b"".join(response.streaming_content)


@pytest.fixture
def document(trainee):
    return document_upload(owner=trainee, uploaded_by=trainee, file=upload_file(PDF, "BLS certificate.pdf"))


# --- Content, not name -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "content_type", "ext"),
    [
        (PDF, "BLS certificate.pdf", "application/pdf", "pdf"),
        (PNG, "scan.png", "image/png", "png"),
        (JPEG, "photo.jpeg", "image/jpeg", "jpg"),
        # Named .pdf but a PNG: accepted as what it is, stored with the content's extension.
        (PNG, "misnamed.pdf", "image/png", "png"),
    ],
)
def test_accepted_files_are_stored_under_a_random_name(api, trainee, content, name, content_type, ext):
    response = post_upload(api.as_user(trainee), content, name)

    assert response.status_code == 201, response.content
    payload = response.json()
    assert set(payload) == {"id", "owner", "original_name", "content_type", "size", "uploaded_at"}
    assert payload["owner"] == trainee.pk
    # The kept name's extension is the content's: a PNG named .pdf is kept as .png.
    assert payload["original_name"].rsplit(".", 1)[-1].lower() in ({ext, "jpeg"} if ext == "jpg" else {ext})
    assert payload["original_name"].rsplit(".", 1)[0] == name.rsplit(".", 1)[0]
    assert payload["content_type"] == content_type
    assert payload["size"] == len(content)
    document = EvidenceDocument.objects.get()
    assert STORED_NAME.match(document.file.name), document.file.name
    assert document.file.name.endswith(f".{ext}")
    assert document.uploaded_by == trainee
    (path,) = stored_files()
    assert path.read_bytes() == content
    assert name.rsplit(".", 1)[0] not in str(path)


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        (EXE, "application/x-msdownload"),
        (_zip(), "application/zip"),
        (HTML, "unknown"),
        (b"just some text, not a certificate", "unknown"),
    ],
)
def test_a_file_of_the_wrong_type_is_refused_whatever_its_name(api, trainee, content, looks_like):
    response = post_upload(api.as_user(trainee), content, "certificate.pdf")

    assert response.status_code == 400
    assert response.json() == {"file": [
        f"This file is not a PDF, PNG or JPEG (it looks like {looks_like}), whatever its name says."
    ]}
    assert EvidenceDocument.objects.count() == 0
    assert stored_files() == []


def test_an_empty_file_is_refused(api, trainee):
    response = post_upload(api.as_user(trainee), b"", "certificate.pdf")

    assert response.status_code == 400
    assert response.json() == {"file": ["The file is empty."]}
    assert EvidenceDocument.objects.count() == 0
    assert stored_files() == []


def test_a_file_over_10_mb_is_refused(api, trainee):
    oversize = PDF[:9] + b"\x00" * (MAX_UPLOAD_BYTES + 1 - 9)

    response = post_upload(api.as_user(trainee), oversize, "big.pdf")

    assert response.status_code == 400
    assert response.json() == {"file": ["The file is 10.1 MB; the limit is 10 MB."]}
    assert EvidenceDocument.objects.count() == 0
    assert stored_files() == []


def test_a_body_far_over_the_limit_is_refused_before_it_is_parsed(api, trainee):
    huge = PDF[:9] + b"\x00" * (MAX_UPLOAD_BYTES + 200 * 1024)

    response = post_upload(api.as_user(trainee), huge, "huge.pdf")

    assert response.status_code == 400
    assert "the limit for a file" in response.json()["file"][0]
    assert stored_files() == []


def test_a_file_of_exactly_10_mb_is_accepted(trainee):
    # A real PDF padded to the limit (the padding is a PDF comment after the header).
    exact = PDF[:9] + b"%" + b"\x00" * (MAX_UPLOAD_BYTES - len(PDF) - 2) + b"\n" + PDF[9:]
    assert len(exact) == MAX_UPLOAD_BYTES

    document = document_upload(owner=trainee, uploaded_by=trainee, file=upload_file(exact))

    assert document.size == MAX_UPLOAD_BYTES


def test_sniffing_reads_the_content_and_rewinds():
    file = upload_file(b"\n\n% some generator junk\n" + PDF)
    assert sniff_content_type(file) == "application/pdf"  # header within the first 1024 bytes
    assert file.tell() == 0
    assert sniff_content_type(upload_file(b"x" * 1100 + PDF)) is None  # too far in
    # An EXE carrying "%PDF-" in its header is still an EXE.
    assert sniff_content_type(upload_file(EXE[:20] + b"%PDF-1.4" + EXE[20:])) == "application/x-msdownload"
    with pytest.raises(ValidationError):
        validate_evidence_file(upload_file(EXE[:20] + b"%PDF-1.4" + EXE[20:]))


def test_the_original_name_is_reduced_to_a_safe_base_name(trainee):
    document = document_upload(
        owner=trainee, uploaded_by=trainee,
        file=upload_file(PDF, "C:\\Users\\tara\\Desktop\\cert\r\nificate.pdf"),
    )
    assert document.original_name == "certificate.pdf"
    assert STORED_NAME.match(document.file.name)


def test_the_service_turns_a_refusal_into_a_field_error(trainee):
    with pytest.raises(ApplicationError) as refused:
        document_upload(owner=trainee, uploaded_by=trainee, file=upload_file(HTML))
    assert list(refused.value.errors) == ["file"]
    assert EvidenceDocument.objects.count() == 0


def test_a_stored_file_is_removed_when_its_row_cannot_be_saved(trainee, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(EvidenceDocument, "save", fail)
    with pytest.raises(RuntimeError):
        document_upload(owner=trainee, uploaded_by=trainee, file=upload_file(PDF))
    assert stored_files() == []


# --- Uploading for someone else ----------------------------------------------------------------


def test_a_trainee_cannot_upload_to_another_trainees_record(api, trainee, other_trainee):
    response = post_upload(api.as_user(trainee), PDF, owner=other_trainee.pk)

    assert response.status_code == 403
    assert EvidenceDocument.objects.count() == 0
    assert stored_files() == []


def test_an_unknown_owner_id_is_the_same_403_for_a_trainee(api, trainee):
    unknown = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    response = post_upload(api.as_user(trainee), PDF, owner=unknown)
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["lead", "assigned_trainer"])
def test_only_programme_admins_upload_for_others(api, request, trainee, persona):
    response = post_upload(api.as_user(request.getfixturevalue(persona)), PDF, owner=trainee.pk)
    assert response.status_code == 403


def test_a_programme_admin_uploads_to_a_trainees_record(api, admin, trainee):
    response = post_upload(api.as_user(admin), PDF, owner=trainee.pk)

    assert response.status_code == 201
    document = EvidenceDocument.objects.get()
    assert (document.owner, document.uploaded_by) == (trainee, admin)
    assert can_view_document(trainee, document)


def test_a_programme_admin_naming_an_unknown_owner_gets_a_field_error(api, admin):
    unknown = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    response = post_upload(api.as_user(admin), PDF, owner=unknown)
    assert response.status_code == 400
    assert response.json() == {"owner": ["No person has this id."]}


def test_the_service_itself_refuses_uploads_for_others(trainee, other_trainee):
    with pytest.raises(NotPermitted):
        document_upload(owner=other_trainee, uploaded_by=trainee, file=upload_file(PDF))


# --- Download: who may see it ------------------------------------------------------------------


def _assert_is_the_pdf(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="BLS certificate.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert body(response) == PDF


def test_the_owner_downloads_the_exact_bytes(api, client, trainee, document):
    _assert_is_the_pdf(api.as_user(trainee).get(f"{API}{document.pk}/download/"))
    sign_in(client, trainee)
    _assert_is_the_pdf(client.get(f"/documents/{document.pk}/"))


@pytest.mark.parametrize("persona", ["trainee", "lead", "assigned_trainer", "admin"])
def test_those_who_may_see_the_record_download_it(api, client, request, document, persona):
    user = request.getfixturevalue(persona)

    _assert_is_the_pdf(api.as_user(user).get(f"{API}{document.pk}/download/"))
    assert api.get(f"{API}{document.pk}/").json()["original_name"] == "BLS certificate.pdf"
    sign_in(client, user)
    _assert_is_the_pdf(client.get(f"/documents/{document.pk}/"))


@pytest.mark.parametrize("persona", ["other_trainee", "unassigned_trainer", "other_lead", "lab_manager"])
def test_anyone_else_gets_404_not_403(api, client, request, document, persona):
    user = request.getfixturevalue(persona)
    missing = document.pk + 1000

    as_user = api.as_user(user)
    for url in (API + "{}/", API + "{}/download/"):
        hidden = as_user.get(url.format(document.pk))
        absent = as_user.get(url.format(missing))
        assert hidden.status_code == absent.status_code == 404
        assert hidden.json() == absent.json()
    sign_in(client, user)
    assert client.get(f"/documents/{document.pk}/").status_code == 404
    assert client.get(f"/documents/{missing}/").status_code == 404


def test_the_download_ignores_a_specific_accept_header(api, trainee, document):
    response = api.as_user(trainee).get(f"{API}{document.pk}/download/", HTTP_ACCEPT="application/pdf")
    _assert_is_the_pdf(response)


def test_anonymous_callers_get_401_from_the_api_and_sign_in_on_the_web(api, client, document):
    for url in (API, f"{API}{document.pk}/", f"{API}{document.pk}/download/"):
        assert api.get(url).status_code == 401
    assert post_upload(api, PDF).status_code == 401

    response = client.get(f"/documents/{document.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


def test_a_trainer_without_the_trainer_role_loses_access_despite_the_guardian_row(
    api, assigned_trainer, document
):
    user_revoke_role(user=assigned_trainer, role=Role.TRAINER)
    assert api.as_user(assigned_trainer).get(f"{API}{document.pk}/download/").status_code == 404


def test_a_lead_sees_by_the_owners_current_region(api, trainee, lead, other_lead, document):
    user_move_region(user=trainee, region=region("north-west"))

    assert api.as_user(lead).get(f"{API}{document.pk}/").status_code == 404
    assert api.as_user(other_lead).get(f"{API}{document.pk}/").status_code == 200


# --- Lists -------------------------------------------------------------------------------------


@pytest.fixture
def two_records(trainee, other_trainee, lab_manager, document):
    theirs = document_upload(owner=other_trainee, uploaded_by=other_trainee, file=upload_file(PNG, "o.png"))
    # A lab manager has no portfolio: supervising trainers must simply not see it.
    staff = document_upload(owner=lab_manager, uploaded_by=lab_manager, file=upload_file(JPEG, "l.jpg"))
    return {"trainee": document, "other_trainee": theirs, "lab_manager": staff}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("trainee", {"trainee"}),
        ("other_trainee", {"other_trainee"}),
        ("assigned_trainer", {"trainee"}),
        ("unassigned_trainer", set()),
        ("lab_manager", {"lab_manager"}),
        ("lead", {"trainee", "other_trainee", "lab_manager"}),
        ("other_lead", set()),
        ("admin", {"trainee", "other_trainee", "lab_manager"}),
    ],
)
def test_the_list_shows_only_visible_documents(api, request, two_records, persona, expected):
    user = request.getfixturevalue(persona)

    response = api.as_user(user).get(API)

    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {two_records[key].pk for key in expected}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_policy_and_the_selector_agree(request, two_records, assigned_trainer, persona):
    user = request.getfixturevalue(persona)
    visible = set(documents_visible_to(user).values_list("pk", flat=True))
    for doc in two_records.values():
        assert can_view_document(user, doc) == (doc.pk in visible), (persona, doc)
