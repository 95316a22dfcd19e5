"""Audit tampering that the existing trail tests (tests/rastrack/audit/test_audit_trail.py) leave out:
bulk `QuerySet.update()` on audited models is impossible, and rows forged or wiped behind
Django's back are found by `verify_audit`.

Covered there, not repeated here: raw-SQL UPDATE and DELETE refused by PostgreSQL's trigger,
an edited and a removed row named by `verify_audit`, updates and deletes through Django's
model and queryset refused.
"""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from accreditation.certificates.models import Certificate
from accreditation.faculty.models import Accreditation, Assignment, TrainerApplication
from accreditation.logbook.models import Case, SimulatorSession
from accreditation.signoff.models import Assessment, SignoffRequest
from curriculum.models import Enrolment
from labs.models import Booking, Equipment, Lab, LabSession
from rastrack.audit.querysets import AuditedQuerySet, UnauditedWriteError
from rastrack.audit.services import audit_record
from rastrack.audit.verify import first_broken_link

pytestmark = pytest.mark.django_db

AUDITED_MODELS = [Case, SimulatorSession, Assessment, SignoffRequest, Certificate, TrainerApplication,
                  Accreditation, Assignment, Enrolment, Lab, Equipment, LabSession, Booking]


@pytest.mark.parametrize("model", AUDITED_MODELS, ids=lambda m: m.__name__)
def test_a_bulk_update_on_an_audited_model_is_refused(model):
    assert isinstance(model.objects.all(), AuditedQuerySet)
    with pytest.raises(UnauditedWriteError, match="without an audit entry"):
        model.objects.all().update(pk=0)
    with pytest.raises(UnauditedWriteError, match="bulk_update"):
        model.objects.bulk_update([], ["pk"])


def test_a_related_manager_cannot_bulk_update_either(trainee, assigned_trainer):
    from tests.builders.logbook import make_case

    case = make_case(trainee, assigned_trainer)
    with pytest.raises(UnauditedWriteError):
        trainee.cases.update(status="draft")
    case.refresh_from_db()
    assert case.status == "validated"


def test_a_refused_bulk_update_changes_nothing_and_the_service_path_audits(trainee, assigned_trainer):
    from accreditation.logbook import services as logbook
    from rastrack.audit.models import AuditEntry
    from tests.builders.logbook import make_case

    case = make_case(trainee, assigned_trainer, status="submitted")
    with pytest.raises(UnauditedWriteError):
        Case.objects.filter(pk=case.pk).update(status="validated")
    assert Case.objects.get(pk=case.pk).status == "submitted"
    logbook.case_validate(case=case, actor=assigned_trainer)
    assert AuditEntry.objects.filter(action="case.validate", object_id=str(case.pk)).count() == 1


def test_the_explicit_path_needs_a_reason(trainee, assigned_trainer):
    from tests.builders.logbook import make_case

    case = make_case(trainee, assigned_trainer)
    with pytest.raises(ValueError, match="Say why"):
        Case.objects.filter(pk=case.pk).unaudited_update("", status="draft")
    assert Case.objects.filter(pk=case.pk).unaudited_update("test: the named path", updated_at=case.updated_at) == 1


# --- Forged and wiped rows, found by verify_audit ------------------------------------------------


def _behind_djangos_back(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # a superuser's bypass
        cursor.execute(sql, params)


@pytest.fixture
def trail(admin):
    for n in range(3):
        audit_record(actor=admin, action="thing.change", object_type="demo.thing", object_id=1, after={"n": n})
    assert first_broken_link() is None


def test_a_forged_entry_appended_to_a_stream_is_found(trail, admin):
    _behind_djangos_back(
        "INSERT INTO audit_auditentry (stream, seq, occurred_at, actor_id, action, object_type, object_id,"
        " before, after, request_id, prev_hash, hash) VALUES"
        " ('demo.thing:1', 4, %s, %s, 'thing.change', 'demo.thing', '1', NULL, '{\"n\": 9}', '', %s, %s)",
        ["2026-01-01T00:00:00+00:00", admin.pk, "f" * 64, "e" * 64])
    with pytest.raises(CommandError, match=r"demo.thing:1' at #4"):
        call_command("verify_audit")


def test_a_stream_removed_entirely_is_found(trail):
    _behind_djangos_back("DELETE FROM audit_auditentry WHERE stream = 'demo.thing:1'")
    with pytest.raises(CommandError, match="every entry of the stream is missing"):
        call_command("verify_audit")
