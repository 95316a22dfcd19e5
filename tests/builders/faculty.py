"""Faculty builders: accredited trainers and assignments, straight into the tables;
evidence documents; a trainer application's body.

The rights still come from the service (`supervision_right_refresh`), exactly as the
faculty's own services grant them, so a persona built here behaves like a real one.
"""

from __future__ import annotations

import datetime

from accreditation.faculty.models import (
    Accreditation,
    AccreditationStatus,
    Assignment,
    AssignmentKind,
)
from accreditation.faculty.services import add_years, supervision_right_refresh
from rastrack.reference.models import Platform
from tests.builders.dates import days_ago


def accredit(trainer, *, since: datetime.date | None = None, years: int = 3,
             expires_on: datetime.date | None = None,
             status: str = AccreditationStatus.ACCREDITED, platforms=None) -> Accreditation:
    """An accreditation from `since` (default two years ago) for `years` (default 3), covering
    `platforms` (default every platform: tests of platform scope name theirs)."""
    since = since or days_ago(730)
    return Accreditation.objects.create(
        trainer=trainer, status=status, accredited_on=since,
        expires_on=expires_on or add_years(since, years),
        specialty="urology", platforms=list(platforms) if platforms is not None else list(Platform.values),
    )


def assign(trainer, trainee, *, kind: str = AssignmentKind.EDUCATIONAL_SUPERVISOR,
           starts_on: datetime.date | None = None, ends_on: datetime.date | None = None) -> Assignment:
    """An assignment from `starts_on` (default a year ago), with the right it justifies today."""
    assignment = Assignment.objects.create(
        trainer=trainer, trainee=trainee, kind=kind,
        starts_on=starts_on or days_ago(365), ends_on=ends_on,
    )
    supervision_right_refresh(trainer=trainer, trainee=trainee)
    return assignment


def blank_pdf() -> bytes:
    """A real one-page PDF (uploads must parse as PDFs)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = blank_pdf()


def pdf_file(name: str = "certificate.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def document_of(owner):
    """An evidence document on `owner`'s record, uploaded by themself."""
    from rastrack.accounts.documents import document_upload

    return document_upload(owner=owner, uploaded_by=owner, file=pdf_file())


def application_payload(**overrides) -> dict:
    """The API body of an initial trainer application that meets the default rules."""
    data = {
        "kind": "initial", "specialty": "urology", "platforms": ["davinci_xi", "versius"],
        "independent_console_cases": 60,
        "train_the_trainer_completed_on": days_ago(30).isoformat(),
        "statement": "I proctor new console surgeons and run our dry-lab sessions.",
    }
    data.update(overrides)
    return data
