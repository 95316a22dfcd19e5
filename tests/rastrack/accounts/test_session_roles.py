"""A page signed in by session reads the user and their roles in one query (the password and
the OpenID Connect backends alike), afresh on every request."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rastrack.accounts.models import User
from rastrack.accounts.roles import Role

pytestmark = pytest.mark.django_db

QUEUE = "/logbook/queue/"


def _signed_in(user, backend="rastrack.accounts.backends.PasswordBackend") -> Client:
    client = Client()
    client.force_login(user, backend=backend)
    return client


@pytest.mark.parametrize("backend", ["rastrack.accounts.backends.PasswordBackend",
                                     "rastrack.accounts.oidc.OIDCBackend"])
def test_the_session_user_comes_with_their_roles_in_one_query(assigned_trainer, backend):
    client = _signed_in(assigned_trainer, backend)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200
    sql = [query["sql"] for query in queries]
    user_reads = [text for text in sql if text.startswith('SELECT "accounts_user"."id"')
                  and f'WHERE "accounts_user"."id" = {assigned_trainer.pk}' in text]
    assert len(user_reads) == 1 and "accounts_user_groups" in user_reads[0]
    assert not [text for text in sql if 'FROM "auth_group" INNER JOIN "accounts_user_groups"' in text], \
        "the user's groups were read apart from the user"


def test_a_role_taken_away_behind_every_signal_is_gone_from_the_next_request(assigned_trainer):
    client = _signed_in(assigned_trainer)
    assert client.get(QUEUE).status_code == 200
    User.groups.through.objects.filter(user=assigned_trainer, group__name=Role.TRAINER).delete()
    assert client.get(QUEUE).status_code == 403


def test_a_deactivated_accounts_session_is_nobody(assigned_trainer):
    client = _signed_in(assigned_trainer)
    User.objects.filter(pk=assigned_trainer.pk).update(is_active=False)  # behind the service
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith("/signin/")
