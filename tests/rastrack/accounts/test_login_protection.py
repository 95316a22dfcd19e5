"""Login protection (django-axes): lockout by e-mail + client address, and no spoofing it.

Five failures (AXES_FAILURE_LIMIT) lock that e-mail address from that client address for
30 minutes (AXES_COOLOFF_MINUTES), on the sign-in page and the API token endpoint alike.
The client address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT says proxies of ours stand in
front; a client's own X-Forwarded-For never moves it.
"""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from rastrack.accounts.login_protection import client_ip
from tests.builders.people import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 5


def _sign_in(client, email, password, **headers):
    return client.post("/signin/", {"username": email, "password": password}, **headers)


def _token(api, email, password, **headers):
    return api.post("/api/v1/auth/token/", {"username": email, "password": password}, **headers)


def _fail_until_locked(client, email, **headers):
    codes = [_sign_in(client, email, "wrong-password", **headers).status_code for _ in range(LIMIT)]
    assert codes == [200] * (LIMIT - 1) + [429]


def _is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


# --- Lockout ---------------------------------------------------------------------------------


def test_five_wrong_passwords_then_even_the_right_one_is_refused(client, trainee):
    _fail_until_locked(client, trainee.email)
    response = _sign_in(client, trainee.email, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts to sign in" in html and "Wait 30 minutes" in html
    assert 'class="nhsuk-header' in html  # the NHS layout, not a bare message
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not _is_signed_in(client)


def test_the_same_email_from_another_address_still_signs_in(client, trainee):
    _fail_until_locked(client, trainee.email)
    elsewhere = Client(REMOTE_ADDR="192.0.2.44")
    assert _sign_in(elsewhere, trainee.email, PASSWORD).status_code == 302
    assert _is_signed_in(elsewhere)


def test_another_email_from_the_locked_address_still_signs_in(client, trainee, other_trainee):
    _fail_until_locked(client, trainee.email)
    assert _sign_in(client, other_trainee.email, PASSWORD).status_code == 302


def test_changing_the_case_of_the_email_does_not_buy_more_attempts(client, trainee):
    spellings = [trainee.email, trainee.email.upper(), trainee.email.title(), f" {trainee.email}",
                 trainee.email.swapcase()]
    codes = [_sign_in(client, email, "wrong-password").status_code for email in spellings]
    assert codes[-1] == 429
    assert _sign_in(client, trainee.email, PASSWORD).status_code == 429


def test_after_the_cool_off_signing_in_works_again(client, trainee):
    _fail_until_locked(client, trainee.email)
    assert _sign_in(client, trainee.email, PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31), tick=False):
        assert _sign_in(client, trainee.email, PASSWORD).status_code == 302
        assert _is_signed_in(client)


def test_a_successful_sign_in_clears_the_failures(client, trainee):
    for _ in range(LIMIT - 1):
        _sign_in(client, trainee.email, "wrong-password")
    assert _sign_in(client, trainee.email, PASSWORD).status_code == 302
    client.post("/signout/")
    for _ in range(LIMIT - 1):
        assert _sign_in(client, trainee.email, "wrong-password").status_code == 200
    assert _sign_in(client, trainee.email, PASSWORD).status_code == 302


def test_the_api_token_endpoint_locks_with_a_json_429(api, trainee):
    codes = [_token(api, trainee.email, "wrong-password").status_code for _ in range(LIMIT)]
    assert codes == [400] * (LIMIT - 1) + [429]
    response = _token(api, trainee.email, PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"} and "Try again later" in response.json()["detail"]
    # Another client address is not locked.
    assert _token(APIClient(REMOTE_ADDR="192.0.2.44"), trainee.email, PASSWORD).status_code == 200


def test_failures_on_the_web_lock_the_api_too(client, api, trainee):
    _fail_until_locked(client, trainee.email)
    assert _token(api, trainee.email, PASSWORD).status_code == 429


# --- The client address: a spoofed X-Forwarded-For changes nothing -------------------------------


def test_with_no_trusted_proxy_a_changing_forwarded_header_still_locks(trainee):
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    codes = [
        _sign_in(attacker, trainee.email, "wrong-password",
                 HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(LIMIT)
    ]
    assert codes == [200] * (LIMIT - 1) + [429]
    assert _sign_in(attacker, trainee.email, PASSWORD,
                    HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_with_no_trusted_proxy_a_forwarded_header_cannot_frame_another_address(client, trainee):
    # An attacker naming the victim's address in the header locks only themself.
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    _fail_until_locked(attacker, trainee.email, HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert _sign_in(client, trainee.email, PASSWORD).status_code == 302


def test_the_api_ignores_the_forwarded_header_too(trainee):
    attacker = APIClient(REMOTE_ADDR="198.51.100.7")
    codes = [
        _token(attacker, trainee.email, "wrong-password",
               HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(LIMIT + 1)
    ]
    assert codes[-1] == 429


def test_behind_one_trusted_proxy_the_lock_follows_the_address_it_appended(settings, trainee):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    # The left part is whatever the client sent; the proxy appended the real address.
    codes = [
        _sign_in(proxy, trainee.email, "wrong-password",
                 HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.5").status_code
        for i in range(LIMIT)
    ]
    assert codes == [200] * (LIMIT - 1) + [429]
    assert _sign_in(proxy, trainee.email, PASSWORD,
                    HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    # Another client through the same proxy is not locked.
    other = Client(REMOTE_ADDR="10.0.0.1")
    assert _sign_in(other, trainee.email, PASSWORD,
                    HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302


@pytest.mark.parametrize(("proxies", "remote_addr", "forwarded", "expected"), [
    (0, "198.51.100.7", None, "198.51.100.7"),
    (0, "198.51.100.7", "203.0.113.1", "198.51.100.7"),           # header ignored
    (1, "10.0.0.1", "203.0.113.5", "203.0.113.5"),
    (1, "10.0.0.1", "6.6.6.6, 203.0.113.5", "203.0.113.5"),       # right-most only
    (1, "10.0.0.1", "6.6.6.6 ,203.0.113.5 ", "203.0.113.5"),
    (2, "10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
    (1, "10.0.0.1", None, "10.0.0.1"),                            # did not come through it
    (2, "10.0.0.2", "203.0.113.5", "10.0.0.2"),                   # too few entries
    (1, "10.0.0.1", "6.6.6.6, not-an-address", "10.0.0.1"),
    (1, "10.0.0.1", "2001:db8::1", "2001:db8::1"),
])
def test_client_ip(settings, proxies, remote_addr, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().post("/signin/", **headers)) == expected


def test_the_defaults():
    from django.conf import settings

    assert settings.TRUSTED_PROXY_COUNT == 0
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    assert settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=30)
