"""The free-text rule, for every field a person types into (notes, feedback, reasons,
statements, descriptions): surrounding white space is dropped, a required field must say
something, a field has a length limit, and no patient-identifiable data (the PII guard,
`rastrack.core.pii`) is ever stored.

`free_text` raises a 400 naming the field; `free_text_into` collects the messages into an
errors dict, for services that report every field at once.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from rastrack.core.exceptions import ApplicationError
from rastrack.core.pii import validate_no_pii

MAX_TEXT = 5000


def free_text_messages(value: str | None, *, required_message: str = "",
                       max_length: int = MAX_TEXT) -> tuple[str, list[str]]:
    """The cleaned text and what is wrong with it (an empty list when nothing is)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return text, [required_message] if required_message else []
    if len(text) > max_length:
        return text, [f"Keep it under {max_length} characters."]
    try:
        validate_no_pii(text)
    except ValidationError as exc:
        return text, list(exc.messages)
    return text, []


def free_text(field: str, value: str | None, *, required_message: str = "",
              max_length: int = MAX_TEXT) -> str:
    """The cleaned text, or a 400 on `field` saying what is wrong."""
    text, messages = free_text_messages(value, required_message=required_message, max_length=max_length)
    if messages:
        raise ApplicationError(errors={field: messages})
    return text


def free_text_into(errors: dict[str, list[str]], field: str, value: str | None, *,
                   required_message: str = "", max_length: int = MAX_TEXT) -> str:
    """The cleaned text; what is wrong with it is added to `errors[field]`."""
    text, messages = free_text_messages(value, required_message=required_message, max_length=max_length)
    if messages:
        errors.setdefault(field, []).extend(messages)
    return text
