"""Evidence documents: who may upload and see them (policies), reading (selectors), storing (services).

One module rather than an app: every later app (trainer applications, e-learning
certificates, course documents) attaches these, and the rules for seeing one are the rules
for seeing the owner's record, which live here once.
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.accounts.trainee_scope import may_read_records_of, trainee_scope
from rastrack.audit.services import audit_record, portfolio_stream
from rastrack.core.exceptions import ApplicationError, NotPermitted
from rastrack.core.models import EvidenceDocument
from rastrack.core.permissions import signed_in
from rastrack.core.uploads import (
    ALLOWED_TYPES,
    name_for_type,
    sniff_content_type,
    validate_evidence_file,
)

# --- Policies --------------------------------------------------------------------------------


def can_upload_document(user: User, owner: User) -> bool:
    """A person uploads to their own record; a programme admin to anyone's."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.pk == owner.pk or user.has_role(Role.PROGRAMME_ADMIN)


def can_view_document(user: User, document: EvidenceDocument) -> bool:
    """Same people as `documents_visible_to`; anyone else gets a 404, never a 403."""
    if signed_in(user) and user.pk == document.uploaded_by_id:
        return True
    return may_read_records_of(user, document.owner)


# --- Selectors -------------------------------------------------------------------------------


def documents_visible_to(user: User) -> QuerySet[EvidenceDocument]:
    """The documents `user` may see: the owner's records (the one trainee-scope rule), and
    what they uploaded themself; keep in step with `can_view_document`."""
    qs = EvidenceDocument.objects.select_related("owner", "uploaded_by").order_by(
        "-uploaded_at", "-id"
    )
    scope = trainee_scope(user, "owner")
    if scope is None:
        return qs
    return qs.filter(scope | Q(uploaded_by_id=user.pk)) if signed_in(user) else qs.none()


def resolve_upload_owner(*, uploader: User, owner_id: int | None) -> User:
    """The person an upload is for: the uploader unless `owner_id` names someone else.

    Someone who may only upload for themself gets the same 403 whether the id exists or
    not, so the endpoint cannot be used to probe which user ids exist.
    """
    if owner_id is None or owner_id == uploader.pk:
        return uploader
    owner = User.objects.filter(pk=owner_id).first()
    if owner is None:
        if not (uploader.is_active and uploader.has_role(Role.PROGRAMME_ADMIN)):
            raise NotPermitted("You may upload documents only to your own record.")
        raise ApplicationError(errors={"owner": ["No person has this id."]})
    return owner


# --- Services --------------------------------------------------------------------------------


def _clean_original_name(name: str, content_type: str) -> str:
    # Browsers may send a full Windows path; control characters would break the
    # Content-Disposition header when the file is served back.
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if not base:
        base = f"document.{ALLOWED_TYPES[content_type]}"
    return name_for_type(base[:250], content_type)


@transaction.atomic
def document_upload(*, owner: User, uploaded_by: User, file) -> EvidenceDocument:
    if not can_upload_document(uploaded_by, owner):
        raise NotPermitted("You may upload documents only to your own record.")
    try:
        validate_evidence_file(file)
    except ValidationError as exc:
        raise ApplicationError(errors={"file": list(exc.messages)}) from None
    content_type = sniff_content_type(file)
    document = EvidenceDocument(
        owner=owner,
        uploaded_by=uploaded_by,
        original_name=_clean_original_name(getattr(file, "name", ""), content_type),
        content_type=content_type,
        size=file.size,
    )
    # The storage is not part of the database transaction: if the row cannot be saved,
    # remove the file we just stored rather than leave an orphan behind.
    document.file.save(document.original_name, file, save=False)
    try:
        with transaction.atomic():
            document.save()
            # Who put what into whose record: uploads are evidence too.
            audit_record(actor=uploaded_by, action="document.upload", obj=document,
                         stream=portfolio_stream(owner.pk), after={
                             "owner": owner.pk, "uploaded_by": uploaded_by.pk,
                             "original_name": document.original_name,
                             "content_type": content_type, "size": document.size})
    except Exception:
        document.file.delete(save=False)
        raise
    return document
