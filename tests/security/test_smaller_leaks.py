"""Smaller leaks: the password-reset link comes from SITE_URL, never the Host header; the token
endpoint's throttle counts per account and address, so one address (a hospital's) is not
shared by everyone behind it."""

from __future__ import annotations

import pytest
from django.core import mail
from rest_framework.test import APIClient

from rastrack.accounts.api import AccountAndAddressThrottle

pytestmark = pytest.mark.django_db


def test_the_reset_link_is_built_from_the_site_url_not_the_host_header(client, settings, trainee):
    settings.SITE_URL = "https://rastrack.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    response = client.post("/accounts/password/reset/", {"email": trainee.email}, HTTP_HOST="evil.example.com")
    assert response.status_code == 302
    body = mail.outbox[-1].body
    assert "evil.example.com" not in body
    assert "https://rastrack.example.org/accounts/password/reset/" in body


def test_the_token_throttle_counts_per_account_and_address(monkeypatch, trainee, other_trainee):
    monkeypatch.setattr(AccountAndAddressThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    client = APIClient()

    def attempt(email):
        return client.post("/api/v1/auth/token/", {"username": email, "password": "wrong-password!"},
                           format="json", REMOTE_ADDR="10.9.8.7").status_code

    assert [attempt(trainee.email) for _ in range(4)] == [400, 400, 400, 429]
    # A colleague behind the same address is not held back by someone else's attempts.
    assert attempt(other_trainee.email) == 400
