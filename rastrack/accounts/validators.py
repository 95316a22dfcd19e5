"""Registration numbers, validated by the body that issues them."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models


class RegistrationBody(models.TextChoices):
    GMC = "gmc", "GMC (General Medical Council)"
    NMC = "nmc", "NMC (Nursing and Midwifery Council)"
    HCPC = "hcpc", "HCPC (Health and Care Professions Council)"


# GMC reference numbers are 7 digits. NMC PINs are 2 digits, a letter, 4 digits and a letter
# (e.g. 12A3456E). HCPC numbers are a 2-3 letter profession prefix and digits (ODP12345).
_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    RegistrationBody.GMC: (re.compile(r"^\d{7}$"), "A GMC number is 7 digits, e.g. 1234567."),
    RegistrationBody.NMC: (
        re.compile(r"^\d{2}[A-Z]\d{4}[A-Z]$"),
        "An NMC PIN is 2 digits, a letter, 4 digits and a letter, e.g. 12A3456E.",
    ),
    RegistrationBody.HCPC: (
        re.compile(r"^[A-Z]{2,3}\d{5,6}$"),
        "An HCPC number is a 2 or 3 letter prefix and 5 or 6 digits, e.g. ODP12345.",
    ),
}


def normalise_registration_number(number: str) -> str:
    return re.sub(r"\s+", "", number or "").upper()


def validate_registration(body: str, number: str) -> None:
    """Raise a field-keyed ValidationError unless body and number agree."""
    if not body and not number:
        return
    if body and not number:
        raise ValidationError({"registration_number": "Enter the registration number."})
    if number and not body:
        raise ValidationError({"registration_body": "Choose the body that issued the number."})
    if body not in _PATTERNS:  # clean() runs even when the choice itself was refused
        raise ValidationError({"registration_body": "Choose the body that issued the number."})
    pattern, message = _PATTERNS[body]
    if not pattern.match(normalise_registration_number(number)):
        raise ValidationError({"registration_number": message})
