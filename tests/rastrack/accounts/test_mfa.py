"""Second factor (TOTP): required of programme admins and regional leads, never of others."""

import datetime as dt
import re
from base64 import b32encode

import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice

from rastrack.accounts.mfa import WRONG_CODE
from tests.builders.people import PASSWORD
from tests.support.mfa import confirmed_device, current_code, login_verified

pytestmark = pytest.mark.django_db

SETUP = "/accounts/mfa/setup/"
VERIFY = "/accounts/mfa/verify/"
MFA_PERSONAS = ["admin", "lead"]
OTHER_PERSONAS = ["trainee", "assigned_trainer", "lab_manager"]


@pytest.fixture
def clock():
    """A frozen clock, mid-way through a 30-second TOTP step: codes are deterministic."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 10, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def _password_sign_in(client, user):
    response = client.post("/signin/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302


def _wrong(code: str) -> str:
    return f"{(int(code) + 500000) % 1000000:06d}"


def _token(api, user, **extra):
    return api.post("/api/v1/auth/token/", {"username": user.email, "password": PASSWORD, **extra})


# --- Web pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", MFA_PERSONAS)
def test_after_the_password_admins_and_leads_are_sent_to_set_up(client, request, persona):
    _password_sign_in(client, request.getfixturevalue(persona))
    assert client.get("/")["Location"] == f"{SETUP}?next=%2F"
    assert client.get("/accounts/people/")["Location"] == f"{SETUP}?next=%2Faccounts%2Fpeople%2F"
    assert client.get("/admin/")["Location"].startswith(SETUP)
    assert client.get("/accounts/password/change/")["Location"].startswith(SETUP)


@pytest.mark.parametrize("persona", MFA_PERSONAS)
def test_set_up_with_a_correct_code_reaches_the_home_page(client, request, persona, clock):
    user = request.getfixturevalue(persona)
    _password_sign_in(client, user)
    page = client.get(f"{SETUP}?next=%2F")
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "<svg" in html and "style=" not in html
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs and not body.strip(), "inline script"
    secret = b32encode(device.bin_key).decode()
    assert secret[:4] in html and secret[-4:] in html
    assert client.get(SETUP).status_code == 200  # a reload shows the same secret
    assert TOTPDevice.objects.filter(user=user).count() == 1

    wrong = client.post(SETUP, {"token": _wrong(current_code(device)), "next": "/"})
    assert wrong.status_code == 400
    assert "There is a problem" in wrong.content.decode() and WRONG_CODE in wrong.content.decode()
    assert client.get("/").status_code == 302
    device.refresh_from_db()
    assert not device.confirmed

    clock.shift(2)  # django-otp makes the next try after a wrong code wait a second
    response = client.post(SETUP, {"token": current_code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/accounts/people/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_code_typed_with_a_space_is_accepted(client, lead, clock):
    _password_sign_in(client, lead)
    client.get(SETUP)
    code = current_code(TOTPDevice.objects.get(user=lead))
    assert client.post(SETUP, {"token": f"{code[:3]} {code[3:]}"}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_right_code_straight_after_a_wrong_one_must_wait(client, lead, clock):
    _password_sign_in(client, lead)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=lead)
    client.post(SETUP, {"token": _wrong(current_code(device))})
    # The failure is on record (not rolled back with the refusal), so guessing is slowed.
    assert client.post(SETUP, {"token": current_code(device)}).status_code == 400
    clock.shift(5)
    assert client.post(SETUP, {"token": current_code(device)}).status_code == 302


@pytest.mark.parametrize("persona", OTHER_PERSONAS)
def test_other_roles_are_never_asked(client, request, persona):
    user = request.getfixturevalue(persona)
    _password_sign_in(client, user)
    assert client.get("/").status_code == 200
    assert client.get(SETUP)["Location"] == "/"
    assert client.get(VERIFY)["Location"] == "/"
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get("/api/v1/me/").status_code == 200


def test_signing_out_and_in_again_asks_for_the_code_again(client, admin, clock):
    _password_sign_in(client, admin)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=admin)
    first_code = current_code(device)
    assert client.post(SETUP, {"token": first_code}).status_code == 302
    assert client.get("/").status_code == 200

    client.post("/signout/")
    _password_sign_in(client, admin)
    assert client.get("/")["Location"] == f"{VERIFY}?next=%2F"
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200
    # The code just used is refused (no replay), even within its 30 seconds.
    assert client.post(VERIFY, {"token": first_code, "next": "/"}).status_code == 400
    clock.shift(35)
    response = client.post(VERIFY, {"token": current_code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_code_on_the_verify_page_is_a_form_error(client, lead):
    device = confirmed_device(lead)
    _password_sign_in(client, lead)
    response = client.post(VERIFY, {"token": _wrong(current_code(device))})
    assert response.status_code == 400
    assert WRONG_CODE in response.content.decode()
    assert client.post(VERIFY, {"token": "12ab"}).status_code == 400
    assert client.get("/").status_code == 302


def test_a_deactivated_device_asks_for_set_up_again(client, lead):
    device = login_verified(client, lead)
    assert client.get("/").status_code == 200
    device.confirmed = False
    device.save()
    assert client.get("/")["Location"].startswith(SETUP)


def test_with_a_device_the_password_alone_cannot_add_another(client, lead):
    confirmed_device(lead)
    _password_sign_in(client, lead)
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    assert client.post(SETUP, {"token": "123456"})["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=lead).count() == 1


def test_next_never_leads_off_the_site(client, lead, clock):
    device = confirmed_device(lead)
    _password_sign_in(client, lead)
    response = client.post(VERIFY, {"token": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_an_unverified_lead_may_still_sign_out_reset_a_password_and_see_status(client, lead):
    client.force_login(lead)
    assert client.get("/accounts/password/reset/").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/static/css/rastrack.css").status_code == 200
    assert client.post("/signout/").status_code == 302


# --- API --------------------------------------------------------------------------------------


def test_the_session_api_refuses_an_unverified_lead(client, lead):
    client.force_login(lead)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Two-factor authentication is required")
    # Another kind of Authorization header does not skip the check.
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Basic Zm9vOmJhcg==").status_code == 403
    # A token header is for the token to decide: a bad one is 401, never the session.
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-token").status_code == 401
    assert client.get("/api/v1/docs/")["Location"].startswith(SETUP)
    login_verified(client, lead)
    assert client.get("/api/v1/me/").status_code == 200


def test_a_token_for_an_admin_needs_the_code(api, admin, clock):
    device = confirmed_device(admin)
    missing = _token(api, admin)
    assert missing.status_code == 400 and missing.json() == {"otp_token": [WRONG_CODE]}
    assert _token(api, admin, otp_token="12345").status_code == 400
    wrong = _token(api, admin, otp_token=_wrong(current_code(device)))
    assert wrong.status_code == 400 and wrong.json() == {"otp_token": [WRONG_CODE]}
    clock.shift(2)
    code = current_code(device)
    response = _token(api, admin, otp_token=code)
    assert response.status_code == 200 and response.json()["token"]
    clock.shift(2)
    assert _token(api, admin, otp_token=code).status_code == 400  # no replay


def test_without_a_device_an_admin_gets_no_token(api, admin):
    assert set(_token(api, admin, otp_token="123456").json()) == {"otp_token"}


def test_the_wrong_password_is_refused_before_the_code_is_asked(api, lead):
    response = api.post("/api/v1/auth/token/", {"username": lead.email, "password": "wrong-one!"})
    assert response.status_code == 400 and set(response.json()) == {"non_field_errors"}


@pytest.mark.parametrize("persona", OTHER_PERSONAS)
def test_other_roles_get_a_token_with_the_password_only(api, request, persona):
    assert _token(api, request.getfixturevalue(persona)).status_code == 200
