"""Uploaded evidence (certificates, course documents): which files we accept and where they go.

A file is judged by its content, never by its name or the browser's Content-Type: both are
whatever the uploader says. Stored names are random, so a file name chosen by a user never
reaches a path in the storage (local disk or S3); the original name is kept in the database.
"""

from __future__ import annotations

import math
import uuid

import filetype
from django.core.exceptions import ValidationError
from django.utils import timezone

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ALLOWED_TYPES = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
# What a file input offers (its `accept`): the same types, by MIME type and by the file name
# endings people's files carry. The content still decides on the server.
EVIDENCE_ACCEPT = ",".join([*ALLOWED_TYPES, *(f".{ext}" for ext in ALLOWED_TYPES.values()), ".jpeg"])

# filetype looks at up to 8 KB (its matchers need at least 261 bytes); PDF readers accept a
# "%PDF-" header anywhere in the first 1024 bytes, so some valid PDFs start with junk.
_SNIFF_BYTES = 8192
_PDF_HEADER_WINDOW = 1024
_MB = 1024 * 1024


def sniff_content_type(file) -> str | None:
    """The MIME type the file's first bytes show, or None when they show nothing we know.

    Leaves the file at position 0 so that whoever stores it next reads it whole.
    """
    file.seek(0)
    head = file.read(_SNIFF_BYTES)
    file.seek(0)
    if isinstance(head, str):  # a file opened in text mode: judge its bytes all the same
        head = head.encode("utf-8", "surrogateescape")
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    # Only when filetype recognises nothing: an EXE or ZIP that carries "%PDF-" somewhere in
    # its header is still an EXE or a ZIP.
    if b"%PDF-" in head[:_PDF_HEADER_WINDOW]:
        return "application/pdf"
    return None


def _megabytes(size: int) -> str:
    # Rounded up, so a file just over the limit never reads as "10.0 MB; the limit is 10 MB".
    return f"{math.ceil(size * 10 / _MB) / 10:.1f} MB"


def _readable_pdf(file) -> bool:
    """Does the file parse as a PDF with at least one page (pypdf)? A "%PDF-" header alone
    is easy to forge: an HTML page that carries one in its first kilobyte is not a PDF."""
    import logging

    from pypdf import PdfReader

    file.seek(0)
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)  # a refused file is the answer, not a warning
    try:
        return len(PdfReader(file).pages) > 0
    except Exception:
        return False
    finally:
        pypdf_log.setLevel(level)
        file.seek(0)


def validate_evidence_file(file) -> None:
    """Refuse an empty file, one over 10 MB, or one whose content is not PDF, PNG or JPEG;
    a PDF must also parse as one."""
    size = file.size
    if size is None or size <= 0:
        raise ValidationError("The file is empty.", code="empty")
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"The file is {_megabytes(size)}; the limit is {MAX_UPLOAD_BYTES // _MB} MB.",
            code="too_large",
        )
    content_type = sniff_content_type(file)
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(
            "This file is not a PDF, PNG or JPEG (it looks like "
            f"{content_type or 'unknown'}), whatever its name says.",
            code="wrong_type",
        )
    if content_type == "application/pdf" and not _readable_pdf(file):
        raise ValidationError("This file starts like a PDF but cannot be read as one.", code="bad_pdf")


def name_for_type(name: str, content_type: str) -> str:
    """The uploader's file name with the extension of what the content is: `page.html` that
    is a PDF is kept as `page.pdf`, so a download never offers it under another type."""
    extension = ALLOWED_TYPES[content_type]
    stem, dot, suffix = name.rpartition(".")
    if dot and suffix.lower() in ({extension, "jpeg"} if extension == "jpg" else {extension}):
        return name
    return f"{stem if dot and stem else name}.{extension}"


def evidence_upload_to(instance, filename: str) -> str:
    """`evidence/<yyyy>/<mm>/<random>.<ext>`: the extension comes from the content, not the name.

    `filename` (the uploader's) is deliberately unused; `instance.original_name` keeps it.
    """
    content_type = getattr(instance, "content_type", "") or sniff_content_type(instance.file)
    if content_type not in ALLOWED_TYPES:
        # Callers validate first; this is the last guard before anything reaches the storage.
        raise ValidationError("Only PDF, PNG or JPEG files may be stored as evidence.")
    now = timezone.now()
    return f"evidence/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{ALLOWED_TYPES[content_type]}"
