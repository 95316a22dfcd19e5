"""The read replica: dashboard, export and report reads go to the alias "replica" (here
Django's test mirror of the default database), writes and everything else to the primary,
and reads inside a transaction stay on the primary."""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from rastrack.accounts.models import User
from rastrack.core.replica import ReplicaRouter, replica_reads

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def _replica_reads_on(settings):
    settings.REPLICA_READS = True


def test_without_replica_reads_everything_reads_the_primary(settings):
    settings.REPLICA_READS = False
    with replica_reads():
        assert ReplicaRouter().db_for_read(User) is None


def _reads_on(alias, fn) -> int:
    with CaptureQueriesContext(connections[alias]) as queries:
        fn()
    return len(queries)


def test_the_router_sends_reads_of_a_replica_block_to_the_replica_and_writes_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(User) is None
    with replica_reads():
        assert router.db_for_read(User) == "replica"
        assert router.db_for_write(User) == "default"
        with transaction.atomic():
            assert router.db_for_read(User) is None  # locks and own writes: the primary
    assert router.allow_migrate("replica", "accounts") is False
    assert router.allow_migrate("default", "accounts") is True


def test_the_mirror_serves_the_rows_of_the_primary(admin):
    with replica_reads():
        assert _reads_on("replica", lambda: User.objects.get(pk=admin.pk)) == 1
    assert _reads_on("replica", lambda: User.objects.get(pk=admin.pk)) == 0


def test_dashboard_requests_read_from_the_replica_other_requests_do_not(api, admin):
    client = api.as_user(admin)
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get("/api/v1/dashboards/national/").status_code == 200
    assert len(replica) > 0
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get("/api/v1/me/").status_code == 200
    assert len(replica) == 0
