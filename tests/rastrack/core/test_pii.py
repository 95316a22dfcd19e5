"""The PII guard: what it refuses, what it lets through, and the messages it gives."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from rastrack.core.pii import (
    DEFAULT_HOSPITAL_NUMBER_CUES,
    NoPIIValidator,
    PIIFinding,
    find_pii,
    is_valid_nhs_number,
    validate_no_pii,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
# Every date-dependent test runs on this day unless it travels elsewhere itself.
TODAY = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True, scope="module")
def _frozen_today():
    # Module scope: hypothesis refuses function-scoped fixtures around @given tests.
    with time_machine.travel(TODAY, tick=False):
        yield


def kinds_and_texts(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # NHS numbers that pass the modulus-11 check, in each common spacing.
        ("NHS no 943 476 5919, seen in clinic", [("nhs_number", "943 476 5919")]),
        ("Label read 943-476-5919.", [("nhs_number", "943-476-5919")]),
        ("9434765919", [("nhs_number", "9434765919")]),
        ("ref 4857773457 on the list", [("nhs_number", "4857773457")]),
        # Dates next to a birth cue, whatever their age, in each format.
        ("DOB 12/03/1961", [("birth_date", "12/03/1961")]),
        ("D.O.B. 12-03-1961", [("birth_date", "12-03-1961")]),
        ("d.o.b: 12.03.1961", [("birth_date", "12.03.1961")]),
        ("born on 3 March 1961", [("birth_date", "3 March 1961")]),
        ("Date of birth: 1961-03-12", [("birth_date", "1961-03-12")]),
        ("birth date 3rd Mar 1961", [("birth_date", "3rd Mar 1961")]),
        ("b. March 3, 1961", [("birth_date", "March 3, 1961")]),
        ("DOB was recorded as 12/03/2024", [("birth_date", "12/03/2024")]),
        ("12/03/1961 (DOB)", [("birth_date", "12/03/1961")]),
        # Two-digit years count next to a birth cue.
        ("DOB 12/03/61", [("birth_date", "12/03/61")]),
        ("born 3 Mar 61", [("birth_date", "3 Mar 61")]),
        # Any full date more than 16 years ago.
        ("seen 12/03/1961", [("old_date", "12/03/1961")]),
        ("operated on 1990-07-01", [("old_date", "1990-07-01")]),
        ("first visit 3rd Mar 1961", [("old_date", "3rd Mar 1961")]),
        ("on March 3, 1961 he", [("old_date", "March 3, 1961")]),
        ("29/02/1960 leap day", [("old_date", "29/02/1960")]),
        # Identifiers after a hospital-number cue.
        ("MRN 12345678", [("hospital_number", "12345678")]),
        ("mrn: 12345678", [("hospital_number", "12345678")]),
        ("MRN12345678", [("hospital_number", "12345678")]),
        ("MRN is 1234567", [("hospital_number", "1234567")]),
        ("hosp no: RX1234567", [("hospital_number", "RX1234567")]),
        ("Hosp. No. RX-12/345", [("hospital_number", "RX-12/345")]),
        ("Patient ID#A12345", [("hospital_number", "A12345")]),
        ("hospital number - K998877", [("hospital_number", "K998877")]),
        ("patient number no 55501", [("hospital_number", "55501")]),
        # Several at once, in the order they appear.
        (
            "MRN 12345678, DOB 12/03/1961, NHS 943 476 5919",
            [
                ("hospital_number", "12345678"),
                ("birth_date", "12/03/1961"),
                ("nhs_number", "943 476 5919"),
            ],
        ),
    ],
)
def test_finds_patient_identifiable_data(text, expected):
    assert kinds_and_texts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "console time 95 minutes",
        "GEARS 24/30",
        "ASA 2",
        "case 12 of 2026",
        "Clavien-Dindo IIIa",
        "first case in 2019",
        "started at 14:30",
        "steps 1-4 done by the trainee",
        "seen 12/03/2024",  # recent, no birth cue
        "2019-11-05 docking",
        "3 March 2020 list",
        "9434765918",  # fails the modulus-11 check: a phone number or other figure
        "call 020 7946 0018",
        "31/02/1990",  # not a date
        "12/13/1990",  # not a date (day first)
        "12/03/61",  # two-digit year without a birth cue
        "March 1961",  # month and year only
        "born in 1961",  # year only
        "dobutamine started 12/03/2024",  # "dob" inside a word is not a cue
        "b.d. from 12/03/2024",  # twice daily, not "b."
        "Seen 12/03/2024. DOB not recorded.",  # the cue is in another sentence
        "Surgery 12/03/2024, born 1961",
        "patient ID not recorded",  # no digit in the identifier
        "patient numbers 12 and 13",  # "numbers" is not the cue
        "mRNA 1234 vaccine",
        "version 10.11.2000.3",
        "12345678901 is an 11-digit number",
    ],
)
def test_lets_clinical_text_through(text):
    assert find_pii(text) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "NHS 943 476 5919",
            "Looks like an NHS number (943 476 5919): remove patient-identifiable data.",
        ),
        (
            "DOB 12/03/1961",
            "A date of birth (12/03/1961) next to 'DOB': remove patient-identifiable data.",
        ),
        (
            "seen 12/03/1961",
            "A date more than 16 years ago (12/03/1961) could be a date of birth: remove "
            "patient-identifiable data; give the year only if you must.",
        ),
        (
            "MRN 12345678",
            "An identifier after 'MRN' (12345678) looks like a hospital number: remove "
            "patient-identifiable data.",
        ),
    ],
)
def test_messages_say_what_was_found_and_why(text, message):
    assert [f.message for f in find_pii(text)] == [message]


def test_findings_are_frozen_dataclasses():
    finding = find_pii("MRN 12345678")[0]
    assert isinstance(finding, PIIFinding)
    with pytest.raises(AttributeError):
        finding.text = "x"  # type: ignore[misc]


# --- The configurable cue list --------------------------------------------------------------


def test_hospital_number_cues_come_from_settings(settings):
    settings.PII_HOSPITAL_NUMBER_CUES = ("unit number", "K no")

    assert kinds_and_texts("unit number 778899") == [("hospital_number", "778899")]
    assert kinds_and_texts("K no. 123456") == [("hospital_number", "123456")]
    assert find_pii("MRN 12345678") == []  # not a cue any more
    assert "'Unit Number' (X1)" in find_pii("Unit Number: X1")[0].message  # as written


def test_default_cues_when_the_setting_is_absent(settings):
    del settings.PII_HOSPITAL_NUMBER_CUES  # pytest-django restores it (or its absence)
    assert "MRN" in DEFAULT_HOSPITAL_NUMBER_CUES
    assert kinds_and_texts("MRN 1") == [("hospital_number", "1")]


def test_an_empty_cue_list_refuses_no_identifier(settings):
    settings.PII_HOSPITAL_NUMBER_CUES = ()
    assert find_pii("MRN 12345678") == []


# --- The 16-year boundary -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "refused"),
    [
        ("14/06/2010", True),  # 16 years + 1 day ago
        ("15/06/2010", False),  # exactly 16 years ago: not "more than"
        ("16/06/2010", False),  # 16 years - 1 day ago
    ],
)
def test_sixteen_year_boundary(written, refused):
    with time_machine.travel(datetime.datetime(2026, 6, 15, 0, 30, tzinfo=LONDON), tick=False):
        found = kinds_and_texts(f"list on {written}")
    assert found == ([("old_date", written)] if refused else [])


def test_today_is_read_at_call_time():
    text = "list on 16/06/2010"
    assert find_pii(text) == []
    with time_machine.travel(datetime.datetime(2026, 6, 17, 12, tzinfo=LONDON), tick=False):
        assert kinds_and_texts(text) == [("old_date", "16/06/2010")]


def test_today_is_the_local_date_not_utc():
    # 23:30 UTC on 14 June is 00:30 on 15 June in London (BST), so 14/06/2010 is 16 years
    # and a day ago there; by the UTC date it would be exactly 16 years, and let through.
    with time_machine.travel(
        datetime.datetime(2026, 6, 14, 23, 30, tzinfo=datetime.UTC), tick=False
    ):
        assert kinds_and_texts("list on 14/06/2010") == [("old_date", "14/06/2010")]


# --- NHS numbers, generated -----------------------------------------------------------------


def _check_digit(first_nine: list[int]) -> int:
    check = 11 - sum(d * w for d, w in zip(first_nine, range(10, 1, -1), strict=True)) % 11
    return 0 if check == 11 else check


nine_digits = st.lists(st.integers(0, 9), min_size=9, max_size=9)


@given(nine_digits.filter(lambda digits: _check_digit(digits) != 10))
def test_every_valid_nhs_number_is_found(first_nine):
    number = "".join(map(str, first_nine)) + str(_check_digit(first_nine))
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert is_valid_nhs_number(number)
    for written in (number, spaced):
        text = f"Patient seen today, {written} on the label."
        assert ("nhs_number", written) in kinds_and_texts(text)


@given(nine_digits, st.integers(0, 9))
def test_a_wrong_check_digit_is_not_an_nhs_number(first_nine, last):
    # A check of 10 means no NHS number has these nine digits: every last digit is wrong.
    if last == _check_digit(first_nine):
        last = (last + 1) % 10
    number = "".join(map(str, first_nine)) + str(last)
    assert not is_valid_nhs_number(number)
    for written in (number, f"{number[:3]} {number[3:6]} {number[6:]}"):
        kinds = [f.kind for f in find_pii(f"Call {written} about the list.")]
        assert "nhs_number" not in kinds


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("9434765919", True),
        ("943 476 5919", True),
        ("943-476-5919", True),
        ("9434765918", False),
        ("943476591", False),  # nine digits
        ("94347659190", False),  # eleven
        ("94347659a9", False),
        ("", False),
    ],
)
def test_is_valid_nhs_number(digits, valid):
    assert is_valid_nhs_number(digits) is valid


# --- As a Django validator ------------------------------------------------------------------


def test_validate_no_pii_passes_clean_text():
    validate_no_pii("Console time 95 minutes, GEARS 24/30.")
    validate_no_pii("")
    validate_no_pii(None)


def test_validate_no_pii_raises_every_message_with_code_pii():
    with pytest.raises(ValidationError) as caught:
        validate_no_pii("MRN 12345678, DOB 12/03/1961")

    error = caught.value
    assert [e.code for e in error.error_list] == ["pii", "pii"]
    assert error.messages == [
        "An identifier after 'MRN' (12345678) looks like a hospital number: remove "
        "patient-identifiable data.",
        "A date of birth (12/03/1961) next to 'DOB': remove patient-identifiable data.",
    ]


def test_no_pii_validator_behaves_like_the_function_and_deconstructs():
    validator = NoPIIValidator()
    validator("nothing to see")
    with pytest.raises(ValidationError) as caught:
        validator("NHS 943 476 5919")
    assert caught.value.error_list[0].code == "pii"

    path, args, kwargs = validator.deconstruct()
    assert path == "rastrack.core.pii.NoPIIValidator"
    assert (args, kwargs) == ((), {})
    assert NoPIIValidator() == NoPIIValidator()
    assert NoPIIValidator() != validate_no_pii
    assert len({NoPIIValidator(), NoPIIValidator()}) == 1
