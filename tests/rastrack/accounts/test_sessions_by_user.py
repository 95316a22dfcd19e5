"""Sessions are stored with their user: deactivation ends them at once with one indexed
delete, whatever the number of live sessions of other people."""

import pytest
from django.test import Client

from rastrack.accounts.models import UserSession
from rastrack.accounts.roles import Role
from rastrack.accounts.services import user_deactivate
from tests.builders.people import UserFactory

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_sign_in_stores_the_user_and_sign_out_removes_the_session(london):
    user = UserFactory(roles=[Role.TRAINEE], region=london)
    client = _signed_in(user)
    assert UserSession.objects.filter(user=user).count() == 1
    client.logout()
    assert not UserSession.objects.filter(user=user).exists()


@pytest.mark.parametrize("others", [2, 20])
def test_deactivation_ends_the_users_sessions_in_constant_queries(
        others, london, admin, django_assert_num_queries):
    user = UserFactory(roles=[Role.TRAINEE], region=london)
    mine = [_signed_in(user) for _ in range(2)]
    theirs = [_signed_in(UserFactory(roles=[Role.TRAINEE], region=london)) for _ in range(others)]
    admin = type(admin).objects.get(pk=admin.pk)
    with django_assert_num_queries(13):
        user_deactivate(user=user, actor=admin)
    assert not UserSession.objects.filter(user=user).exists()
    assert UserSession.objects.count() == others
    for client in mine:  # signed out at once, on the very next request
        assert client.get("/api/v1/me/").status_code in (401, 403)
    assert theirs[0].get("/api/v1/me/").status_code == 200
