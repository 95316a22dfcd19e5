"""Transactional tests leave nothing behind (tests/support/fast_flush.py): what a test wrote is
emptied, the rows the data migrations made are kept, and a test that changed those rows gets
Django's full flush and the restore instead."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from rastrack.audit.models import AuditEntry
from rastrack.audit.services import audit_record
from rastrack.reference.models import Procedure, Region
from tests.support import fast_flush

pytestmark = pytest.mark.django_db(transaction=True)


def test_what_a_transactional_test_wrote_is_emptied_and_the_migrated_rows_are_kept(trainee):
    procedures, regions = Procedure.objects.count(), Region.objects.count()
    with transaction.atomic():
        audit_record(actor=trainee, action="test.write", obj=trainee)  # append-only on PostgreSQL
    assert AuditEntry.objects.exists()

    assert fast_flush.flush(connection) is True
    assert not AuditEntry.objects.exists()
    assert not type(trainee).objects.exists()
    assert (Procedure.objects.count(), Region.objects.count()) == (procedures, regions) != (0, 0)
    assert fast_flush.is_pristine(connection)


def test_a_change_to_the_migrated_rows_needs_the_full_flush(trainee):
    region = Region.objects.order_by("pk").first()
    Region.objects.filter(pk=region.pk).update(name=region.name + " (renamed)")

    assert fast_flush.flush(connection) is False
    assert type(trainee).objects.exists(), "nothing is emptied when the full flush must run"
