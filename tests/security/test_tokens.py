"""API tokens are stored hashed, expire, and end when what they were issued on changes: a
role granted or removed, a password changed or reset, a deactivation. A new sign-in never
hands back an old key (rastrack/accounts/tokens.py)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from rastrack.accounts import services
from rastrack.accounts.models import ApiToken
from rastrack.accounts.roles import Role
from rastrack.accounts.tokens import token_digest
from tests.builders.people import PASSWORD
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db


def _sign_in(user) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": user.email, "password": PASSWORD},
                                format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _me(key) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/me/").status_code


def test_keys_are_stored_as_digests_and_each_sign_in_issues_a_new_one(trainee):
    first, second = _sign_in(trainee), _sign_in(trainee)
    assert first != second
    assert _me(first) == _me(second) == 200
    stored = set(ApiToken.objects.filter(user=trainee).values_list("digest", flat=True))
    assert stored == {token_digest(first), token_digest(second)}
    assert first not in stored and second not in stored


@pytest.mark.parametrize("role", [Role.REGIONAL_LEAD, Role.PROGRAMME_ADMIN])
def test_a_token_issued_before_a_second_factor_role_ends_when_the_role_is_granted(trainee, role):
    key = _sign_in(trainee)
    services.user_grant_roles(user=trainee, roles=[role])
    assert _me(key) == 401


def test_removing_a_role_ends_the_tokens(assigned_trainer):
    key = _sign_in(assigned_trainer)
    services.user_revoke_role(user=assigned_trainer, role=Role.TRAINER)
    assert _me(key) == 401


def test_deactivation_ends_the_tokens(trainee, admin):
    key = _sign_in(trainee)
    services.user_deactivate(user=trainee, actor=admin)
    assert _me(key) == 401
    assert not ApiToken.objects.filter(user=trainee).exists()


def test_a_password_change_ends_the_tokens(client, trainee):
    key = _sign_in(trainee)
    client.force_login(trainee)
    response = client.post("/accounts/password/change/", {
        "old_password": PASSWORD, "new_password1": "brand-new-passphrase",
        "new_password2": "brand-new-passphrase"})
    assert response.status_code == 302
    assert _me(key) == 401


def test_a_password_reset_ends_the_tokens(client, trainee):
    key = _sign_in(trainee)
    client.post("/accounts/password/reset/", {"email": trainee.email})
    deliver_outbox()
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"})
    trainee.refresh_from_db()
    assert trainee.check_password("brand-new-passphrase")
    assert _me(key) == 401


def test_a_token_ends_after_its_idle_time(settings, trainee):
    settings.API_TOKEN_IDLE_DAYS = 30
    key = _sign_in(trainee)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=29)):
        assert _me(key) == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=29 + 31)):
        assert _me(key) == 401
    assert not ApiToken.objects.filter(user=trainee).exists()


def test_a_token_in_daily_use_still_ends_at_its_absolute_age(settings, trainee):
    settings.API_TOKEN_IDLE_DAYS, settings.API_TOKEN_MAX_AGE_DAYS = 30, 90
    key = _sign_in(trainee)
    start = timezone.now()
    for day in (20, 40, 60, 80):
        with time_machine.travel(start + datetime.timedelta(days=day)):
            assert _me(key) == 200
    with time_machine.travel(start + datetime.timedelta(days=91)):
        assert _me(key) == 401
