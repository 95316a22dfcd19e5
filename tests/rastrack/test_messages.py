"""Refusals in words a clinician understands: Django's, its sign-in form's and Django REST
framework's default messages are reworded in one catalogue (locale/en_GB/LC_MESSAGES/django.po,
above theirs through LOCALE_PATHS). The walk feeds every field of every form of the product
input it must refuse and finds none of the defaults; the refusing pages show our words in the
NHS.UK error summary at the top."""

from __future__ import annotations

import ast
import datetime
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.support.mfa import login_verified
from tests.support.product_forms import product_forms

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en_GB" / "LC_MESSAGES" / "django.po"

# What Django, django.contrib.auth and DRF say by default, in the parts no reworded message keeps.
DEFAULTS = re.compile("|".join(map(re.escape, [
    "This field", "Enter a valid", "Select a valid choice", "is not one of the available choices",
    "Ensure this", "Ensure that there", "Please enter a correct", "case-sensitive", "is not a valid",
    "A valid integer", "A valid number", "has wrong format", "already exists", "is violated",
    "No file was submitted", "Check the encoding type", "Invalid pk", "Incorrect type", "Expected a",
    "may not be blank", "may not be null", "Enter a whole number.", "Enter a number.",
])))


def _catalogue() -> list[tuple[str, list[str]]]:
    """(msgid, msgstrs) of each entry of the .po: the generator writes one line per string."""
    entries, msgid, strings = [], None, []
    for line in CATALOGUE.read_text().splitlines() + [""]:
        if line.startswith("msgid "):
            msgid, strings = ast.literal_eval(line[6:]), []
        elif line.startswith("msgstr"):
            strings.append(ast.literal_eval(line.split(" ", 1)[1]))
        elif not line.strip() and msgid:
            entries.append((msgid, strings))
            msgid = None
    return entries


def test_the_compiled_catalogue_says_what_the_po_file_says():
    entries = _catalogue()
    assert len(entries) > 50
    with translation.override(settings.LANGUAGE_CODE):
        for msgid, strings in entries:
            if len(strings) == 1:
                assert translation.gettext(msgid) == strings[0], msgid
            assert not DEFAULTS.search(" ".join(strings)), (msgid, strings)


def _bad_values(field: forms.Field) -> list:
    bad: list = [None, ""]
    if isinstance(field, forms.CharField) and field.max_length:
        bad.append("x" * (field.max_length + 1))
    if isinstance(field, forms.CharField) and field.min_length:
        bad.append("x")
    if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        bad += ["twelve", "1.5", "-99999999", "99999999", "1.123456789"]
    if isinstance(field, forms.DateField | forms.DateTimeField | forms.TimeField | forms.DurationField):
        bad += ["31 February", "2026-02-31", "25:99"]
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        bad += ["not-a-choice", "999999999"]
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        bad += [["not-a-choice"], "not-a-list", ["999999999"]]
    if isinstance(field, forms.EmailField | forms.URLField | forms.SlugField | forms.RegexField):
        bad += ["not an address at all", "a b"]
    if isinstance(field, forms.FileField):
        from django.core.files.uploadedfile import SimpleUploadedFile
        bad += [SimpleUploadedFile("empty.csv", b""), "not-a-file"]
    return bad


@pytest.mark.django_db
def test_every_form_field_of_the_product_refuses_in_our_words():
    refused, defaults = 0, []
    walked = product_forms()
    assert len(walked) > 40, walked
    with translation.override(settings.LANGUAGE_CODE):
        for form_class in walked:
            for name, field in form_class.base_fields.items():
                if isinstance(field, forms.ModelChoiceField) and field.queryset is None:
                    continue  # given by the form's __init__: the page test below covers some
                for value in _bad_values(field):
                    try:
                        field.clean(value)
                    except ValidationError as exc:
                        refused += 1
                        defaults += [f"{form_class.__qualname__}.{name} {value!r}: {m}"
                                     for m in exc.messages if DEFAULTS.search(m)]
                    except (TypeError, ValueError, AttributeError):
                        pass  # a value the widget would never send for this field
    assert refused > 200
    assert not defaults, "\n".join(defaults)


def _post(client, url: str, data: dict):
    # A browser's POST always carries the CSRF token, even when every field is left empty.
    return client.post(url, {"csrfmiddlewaretoken": "token", **data})


def _refusal(response) -> str:
    html = response.content.decode()
    assert response.status_code in (200, 400), response.status_code
    summary = html.find("nhsuk-error-summary")
    assert summary != -1, "no error summary"
    first_field = html.find("nhsuk-form-group")
    assert first_field == -1 or summary < first_field, "the error summary is not at the top"
    found = DEFAULTS.findall(html)
    assert not found, found
    return html


@pytest.mark.django_db
def test_sign_in_failures_are_in_our_words(client, trainee):
    html = _refusal(_post(client, "/signin/", {"username": trainee.email, "password": "wrong"}))
    assert "The e-mail address or the password is not right" in html
    html = _refusal(_post(client, "/signin/", {"username": "", "password": ""}))
    assert "This cannot be left empty." in html
    trainee.is_active = False
    trainee.save(update_fields=["is_active"])
    assert "not right" in _refusal(_post(client, "/signin/", {"username": trainee.email, "password": "x"}))


@pytest.mark.django_db
def test_refusing_pages_say_it_in_our_words_at_the_top(client, admin, trainee):
    login_verified(client, admin)
    html = _refusal(_post(client, "/curriculum/versions/pathway/new/", {
        "code": "Not a slug", "title": "x" * 201, "audience": "surgeons", "framework": "999999",
        "duration_weeks": "many"}))
    for words in ("Use only letters, numbers, hyphens", "Use 200 characters or fewer (this has 201).",
                  "Choose one of the options shown.", "Enter a whole number, for example 12."):
        assert words in html, words
    client.logout()
    login_verified(client, trainee)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    _refusal(_post(client, "/logbook/new/", {"date": "31/02/2026", "procedure": "999999", "role": "nobody",
                                            "console_minutes": "lots"}))
    _refusal(_post(client, "/logbook/new/", {"date": tomorrow}))
    _refusal(_post(client, "/signoff/new/", {}))


@pytest.mark.django_db
def test_the_people_and_password_pages_refuse_in_our_words_at_the_top(client, lead):
    html = _refusal(_post(client, "/accounts/password/reset/", {"email": "not an address"}))
    assert "Enter an e-mail address in the right form" in html
    login_verified(client, lead)
    html = _refusal(_post(client, "/accounts/people/", {"email": "nobody", "full_name": "x" * 151,
                                                       "roles": ["emperor"], "region": "999999"}))
    for words in ("Enter an e-mail address in the right form", "Use 150 characters or fewer (this has 151).",
                  "Choose only roles you may grant: emperor is not one of them.",
                  "Choose a region you may invite people to."):
        assert words in html, words


@pytest.mark.django_db
def test_the_api_refuses_in_our_words(trainee):
    from tests.support.api_clients import token_client

    response = token_client(trainee).post("/api/v1/cases/", {
        "date": "31 February", "platform": "a-robot", "procedure": "twelve", "console_minutes": "lots",
        "role": "x" * 500}, format="json")
    assert response.status_code == 400
    text = response.content.decode()
    assert not DEFAULTS.findall(text), text
    assert "Enter a real date" in text and "Choose one of the options offered." in text


def _form_pages(demo_world) -> dict[str, list[str]]:
    from labs.models import LabSession
    from rastrack.reference.models import Procedure

    session = LabSession.objects.filter(status="scheduled").order_by("-starts_at", "pk").first()
    return {
        "trainee1": ["/logbook/new/", "/signoff/new/", "/curriculum/elearning/", "/curriculum/resources/submit/",
                     "/accounts/details/", "/faculty/apply/"],
        "applicant": ["/faculty/apply/"],
        "lead.london": ["/accounts/people/"],
        "admin": ["/curriculum/versions/framework/new/", "/curriculum/versions/pathway/new/",
                  f"/reference/catalogue/{Procedure.objects.order_by('pk').first().pk}/"],
        "labmanager1": [f"/labs/{session.lab_id}/sessions/new/", f"/labs/{session.lab_id}/equipment/",
                        f"/labs/sessions/{session.pk}/edit/"],
    }


def test_every_form_page_of_the_demo_world_refuses_an_empty_form_in_our_words_at_the_top(client, demo_world):
    """Each page's form sent empty, as a person who presses the button at once would: a page
    that refuses it (400) says why in the error summary at the top, in none of Django's words."""
    refused, problems = [], {}
    for who, urls in _form_pages(demo_world).items():
        login_verified(client, demo_world.user(who))
        for url in urls:
            assert client.get(url).status_code == 200, (who, url)
            response = _post(client, url, {})
            if response.status_code != 400:
                continue
            refused.append(url)
            try:
                _refusal(response)
            except AssertionError as exc:
                problems[f"{who} {url}"] = str(exc)
        client.logout()
    assert not problems, problems
    assert len(refused) >= 8, refused
