"""The patient-identifiable-data (PII) guard every free-text field uses.

RASTrack records training, not patients: case notes and references, feedback, reasons,
statements and resource descriptions must never identify a patient. `find_pii(text)` looks
for the three things that do, and `validate_no_pii` / `NoPIIValidator` refuse them as a
Django validator (model fields, forms, and DRF model serializers, which run Django
validators and answer 400 per field).

What is refused, and why the rules are no wider:

1. **NHS numbers**: 10 digits, unspaced or grouped 3-3-4 by spaces or hyphens
   ("9434765919", "943 476 5919", "943-476-5919"), that pass the NHS modulus-11 check
   (weights 10..2 on the first nine digits, check = 11 - sum % 11, 11 means 0, 10 means
   the number cannot be an NHS number). Only about one 10-digit number in eleven passes,
   so phone numbers, serial numbers and other figures are not refused.
2. **Dates of birth**: a full date (day, month and year) within a few words of a birth
   cue (DOB, D.O.B., born, date of birth, birth date, birthday, b.), whatever its age;
   and any full date more than 16 years before today, cue or not, because it could be a
   date of birth and a training log never needs one that old. Recent dates without a
   cue (when a case was done) are fine. Two-digit years ("12/03/61") count only next to a
   birth cue: alone they are too often scores or ranges. Day comes before month (UK).
3. **Hospital numbers**: an identifier containing a digit after a hospital-number cue
   (MRN, hospital number, hosp no, patient ID, ...). Hospital numbers have no common
   format, so the cue is what makes the token identifying. Trusts name them differently,
   so the cue list is a setting: `PII_HOSPITAL_NUMBER_CUES` (defaults to
   `DEFAULT_HOSPITAL_NUMBER_CUES`), read at call time.

Every message says what was found and why it is refused, so the user can fix the text
rather than guess. "Today" is `timezone.localdate()` at call time.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

DEFAULT_HOSPITAL_NUMBER_CUES: tuple[str, ...] = (
    "MRN",
    "hospital number",
    "hosp no",
    "hosp. no.",
    "patient ID",
    "patient number",
)

# A date older than this (in whole years before today) could be a patient's date of birth.
OLD_DATE_YEARS = 16

# How far a birth cue may be from its date: "born on 3 March 1961", "DOB was recorded as ...".
_MAX_WORDS_BETWEEN_CUE_AND_DATE = 4

_REMOVE = "remove patient-identifiable data"


@dataclass(frozen=True)
class PIIFinding:
    """One piece of patient-identifiable data in a text.

    `kind` is "nhs_number", "birth_date", "old_date" or "hospital_number"; `text` is the
    identifying part as written (the number, the date, the identifier after the cue).
    """

    kind: str
    text: str
    message: str


# --- NHS numbers -------------------------------------------------------------------------

# 3-3-4 with optional space or hyphen separators; no digit may touch either end, so a
# 10-digit window inside a longer number is not taken for an NHS number.
_NHS_RE = re.compile(r"(?<!\d)[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}(?!\d)")
_TEN_DIGITS_RE = re.compile(r"[0-9]{10}")


def is_valid_nhs_number(digits: str) -> bool:
    """True when `digits` (10 digits; spaces and hyphens ignored) passes the modulus-11 check."""
    digits = re.sub(r"[ -]", "", digits or "")
    if not _TEN_DIGITS_RE.fullmatch(digits):
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:  # no NHS number is issued with this check digit
        return False
    return check == int(digits[9])


def _nhs_numbers(text: str) -> Iterator[tuple[int, PIIFinding]]:
    for match in _NHS_RE.finditer(text):
        if is_valid_nhs_number(match.group()):
            yield (
                match.start(),
                PIIFinding(
                    kind="nhs_number",
                    text=match.group(),
                    message=f"Looks like an NHS number ({match.group()}): {_REMOVE}.",
                ),
            )


# --- Dates ---------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![a-z])"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>[0-9]{4}|[0-9]{2})(?![0-9])"

# No digit or date separator may touch a numeric date: "1.2.3.2019" or "v10.11.2000" are not
# dates, and "1961-03-12" must not also be read as "61-03-12".
_DATE_RES = (
    # dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy (and two-digit years): the separators must agree.
    re.compile(
        r"(?<![\w/.-])(?P<day>[0-9]{1,2})(?P<sep>[/.-])(?P<month>[0-9]{1,2})(?P=sep)"
        r"(?P<year>[0-9]{4}|[0-9]{2})(?![0-9]|[/.-][0-9])"
    ),
    # yyyy-mm-dd (ISO), also with / or . as some systems print it.
    re.compile(
        r"(?<![\w/.-])(?P<year>[0-9]{4})(?P<sep>[/.-])(?P<month>[0-9]{1,2})(?P=sep)"
        r"(?P<day>[0-9]{1,2})(?![0-9]|[/.-][0-9])"
    ),
    # 3 March 1961, 3rd Mar 1961, 3rd of March, 1961
    re.compile(
        rf"(?<![\w.])(?P<day>[0-9]{{1,2}}){_ORDINAL}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}",
        re.IGNORECASE,
    ),
    # March 3, 1961, Mar 3rd 1961
    re.compile(
        rf"(?<![\w.]){_MONTH}\s+(?P<day>[0-9]{{1,2}}){_ORDINAL},?\s+{_YEAR}",
        re.IGNORECASE,
    ),
)

# "dob" must not be the start of "dobutamine", nor "b." of "b.d." (twice daily).
_BIRTH_CUE_RE = re.compile(
    r"(?<![\w.])(?:date[\s-]+of[\s-]+birth|birth[\s-]*date|birthday|d\.?o\.?b\.?|born|b\.)"
    r"(?![a-z])",
    re.IGNORECASE,
)
# Between a cue and the date after it: no digits (the cue belongs to the first date after
# it) and no end of sentence ("Seen 12/03/2024. DOB not given" is not a date of birth).
_CUE_GAP_BREAK_RE = re.compile(r"[0-9]|[;!?]|\.\s+[A-Z]|\n\s*\n")
# A cue after its date may be only bracketed or dashed onto it: "12/03/1961 (DOB)".
_CUE_AFTER_GAP_RE = re.compile(r"[\s(\[:-]*")


@dataclass(frozen=True)
class _DateMatch:
    start: int
    end: int
    text: str
    value: datetime.date
    two_digit_year: bool


def _date_candidates(text: str, *, today: datetime.date) -> list[_DateMatch]:
    """Every valid full date in `text`, once each (overlapping readings: the first, longest)."""
    found: list[_DateMatch] = []
    for pattern in _DATE_RES:
        for match in pattern.finditer(text):
            year_text = match.group("year")
            month_text = match.group("month")
            month = int(month_text) if month_text.isdigit() else _MONTHS[month_text[:3].lower()]
            year = int(year_text)
            if len(year_text) == 2:
                # A birth year: this century if that is not in the future, else the last.
                year += 2000 if 2000 + year <= today.year else 1900
            try:
                value = datetime.date(year, month, int(match.group("day")))
            except ValueError:  # 31/02/1990, 12/13/2020: not dates
                continue
            found.append(
                _DateMatch(match.start(), match.end(), match.group(), value, len(year_text) == 2)
            )
    found.sort(key=lambda d: (d.start, -d.end))
    kept: list[_DateMatch] = []
    for candidate in found:
        if not kept or candidate.start >= kept[-1].end:
            kept.append(candidate)
    return kept


def _birth_cue_next_to(text: str, date: _DateMatch, cues: Iterable[re.Match]) -> str | None:
    """The birth cue this date belongs to, as written, or None."""
    for cue in cues:
        if cue.end() <= date.start:
            gap = text[cue.end() : date.start]
            words = re.findall(r"\w+", gap)
            if len(words) <= _MAX_WORDS_BETWEEN_CUE_AND_DATE and not _CUE_GAP_BREAK_RE.search(gap):
                return " ".join(cue.group().split())
        elif cue.start() >= date.end:
            if _CUE_AFTER_GAP_RE.fullmatch(text[date.end : cue.start()]):
                return " ".join(cue.group().split())
    return None


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _dates(text: str, *, today: datetime.date) -> Iterator[tuple[int, PIIFinding]]:
    cutoff = _years_before(today, OLD_DATE_YEARS)
    cues = list(_BIRTH_CUE_RE.finditer(text))
    for date in _date_candidates(text, today=today):
        cue = _birth_cue_next_to(text, date, cues)
        if cue is not None:
            yield (
                date.start,
                PIIFinding(
                    kind="birth_date",
                    text=date.text,
                    message=f"A date of birth ({date.text}) next to '{cue}': {_REMOVE}.",
                ),
            )
        elif not date.two_digit_year and date.value < cutoff:
            yield (
                date.start,
                PIIFinding(
                    kind="old_date",
                    text=date.text,
                    message=(
                        f"A date more than {OLD_DATE_YEARS} years ago ({date.text}) could be a date "
                        f"of birth: {_REMOVE}; give the year only if you must."
                    ),
                ),
            )


# --- Hospital numbers ----------------------------------------------------------------------


@lru_cache(maxsize=8)
def _hospital_number_re(cues: tuple[str, ...]) -> re.Pattern:
    # Longest first, so "hosp. no." wins over a shorter cue that starts the same way.
    alternatives = "|".join(
        r"\s+".join(re.escape(word) for word in cue.split())
        for cue in sorted(cues, key=len, reverse=True)
        if cue.strip()
    )
    if not alternatives:
        return re.compile(r"(?!)")  # no cues configured: never matches
    # The cue may run straight into digits ("MRN12345678") but not into letters ("mRNA",
    # "patient numbers"). Then optional ":", "#", "-", "is", "no" and the identifier, which
    # must contain a digit ("patient ID not recorded" is not an identifier).
    return re.compile(
        rf"(?<![A-Za-z0-9])(?P<cue>{alternatives})(?![A-Za-z])"
        r"[\s:#.-]*(?:(?:is|no|number)\b\.?[\s:#.-]*)?"
        r"(?P<id>(?=[A-Za-z0-9/-]*[0-9])[A-Za-z0-9]+(?:[/-][A-Za-z0-9]+)*)",
        re.IGNORECASE,
    )


def _hospital_numbers(text: str) -> Iterator[tuple[int, PIIFinding]]:
    cues = tuple(getattr(settings, "PII_HOSPITAL_NUMBER_CUES", DEFAULT_HOSPITAL_NUMBER_CUES))
    for match in _hospital_number_re(cues).finditer(text):
        identifier = match.group("id")
        if not any(ch.isdigit() for ch in identifier):
            continue
        cue = " ".join(match.group("cue").split())
        yield (
            match.start("id"),
            PIIFinding(
                kind="hospital_number",
                text=identifier,
                message=(
                    f"An identifier after '{cue}' ({identifier}) looks like a hospital number: "
                    f"{_REMOVE}."
                ),
            ),
        )


# --- Public API ----------------------------------------------------------------------------


def find_pii(text: str | None) -> list[PIIFinding]:
    """Every piece of patient-identifiable data in `text`, in the order it appears."""
    if not text:
        return []
    text = str(text)
    today = timezone.localdate()
    found = [*_nhs_numbers(text), *_dates(text, today=today), *_hospital_numbers(text)]
    found.sort(key=lambda pair: pair[0])
    return [finding for _, finding in found]


def validate_no_pii(value: str | None) -> None:
    """Django validator: refuse `value` with one message per finding (code "pii")."""
    findings = find_pii(value)
    if findings:
        raise ValidationError([ValidationError(f.message, code="pii") for f in findings])


@deconstructible
class NoPIIValidator:
    """`validate_no_pii` as a class, for model fields that migrations must serialise."""

    code = "pii"

    def __call__(self, value: str | None) -> None:
        validate_no_pii(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoPIIValidator)

    def __hash__(self) -> int:
        return hash(NoPIIValidator)
