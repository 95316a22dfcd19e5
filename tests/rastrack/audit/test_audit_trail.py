"""The audit trail: append-only, hash-chained per stream, verifiable, safe under races."""

import datetime
import decimal
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import ProtectedError

from rastrack.audit.canonical import canonical_json
from rastrack.audit.models import GENESIS_HASH, AppendOnlyError, AuditEntry, AuditStreamHead
from rastrack.audit.services import audit_record, audited, hash_of
from rastrack.audit.verify import first_broken_link
from tests.builders.people import UserFactory

pytestmark = pytest.mark.django_db


def _entries(stream):
    return list(AuditEntry.objects.filter(stream=stream).order_by("seq"))


def test_entries_chain_per_stream(admin):
    for n in range(3):
        audit_record(actor=admin, action="thing.change", object_type="demo.thing", object_id=1,
                     after={"n": n})
    audit_record(actor=admin, action="thing.change", object_type="demo.thing", object_id=2)
    one = _entries("demo.thing:1")
    assert [e.seq for e in one] == [1, 2, 3]
    assert one[0].prev_hash == GENESIS_HASH
    assert one[1].prev_hash == one[0].hash and one[2].prev_hash == one[1].hash
    assert all(hash_of(e) == e.hash for e in one)
    assert [e.seq for e in _entries("demo.thing:2")] == [1]
    assert AuditStreamHead.objects.get(stream="demo.thing:1").hash == one[2].hash


def test_an_appended_entry_is_the_row_written_and_the_head_follows_it(admin):
    # After a stream's first entry the entry and the new head are one statement on
    # PostgreSQL, two saves elsewhere: both must leave the same rows.
    first = audit_record(actor=admin, action="thing.change", object_type="demo.thing", object_id=9)
    with transaction.atomic():
        second = audit_record(actor=admin, action="thing.change", object_type="demo.thing", object_id=9,
                              before={"n": 1}, after={"n": 2, "when": datetime.date(2026, 1, 2)},
                              stream="demo.thing:9")
    stored = AuditEntry.objects.get(pk=second.pk)
    assert stored.pk != first.pk and not second._state.adding
    assert (stored.seq, stored.prev_hash, stored.hash) == (2, first.hash, second.hash)
    assert (stored.before, stored.after) == ({"n": 1}, {"n": 2, "when": "2026-01-02"})
    assert (stored.occurred_at, stored.actor_id, stored.action) == (second.occurred_at, admin.pk, "thing.change")
    assert hash_of(stored) == stored.hash
    assert AuditStreamHead.objects.filter(stream="demo.thing:9").values_list("seq", "hash").get() == (2, second.hash)
    with pytest.raises(AppendOnlyError):
        second.save()  # what was appended is an entry like any other: not to be saved again


def test_audited_records_before_and_after_with_the_change(admin, trainee):
    with audited(actor=admin, action="user.rename", instance=trainee, fields=["full_name"]):
        trainee.full_name = "Renamed Person"
        trainee.save(update_fields=["full_name"])
    entry = AuditEntry.objects.get(action="user.rename")
    assert entry.before == {"full_name": "Tara Trainee"}
    assert entry.after == {"full_name": "Renamed Person"}
    assert entry.actor == admin
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(trainee.pk))


def test_a_failed_change_leaves_no_entry_and_no_change(admin, trainee):
    def half_done_service():
        with audited(actor=admin, action="user.rename", instance=trainee):
            trainee.full_name = "Half done"
            trainee.save(update_fields=["full_name"])
            raise RuntimeError("the service refused half-way")

    with pytest.raises(RuntimeError):
        half_done_service()
    trainee.refresh_from_db()
    assert trainee.full_name == "Tara Trainee"
    assert not AuditEntry.objects.filter(action="user.rename").exists()


def test_snapshots_never_contain_the_password(admin, trainee):
    with audited(actor=admin, action="user.touch", instance=trainee):
        pass
    entry = AuditEntry.objects.get(action="user.touch")
    assert "password" not in entry.after


def test_the_request_id_is_recorded(api, lead, trainee):
    client_id = "6f1c2d3e-4b5a-4978-8695-a4b3c2d1e0f9"
    response = api.as_user(lead).post(f"/api/v1/users/{trainee.pk}/deactivate/",
                                      HTTP_X_REQUEST_ID=client_id)
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="user.deactivate")
    assert entry.request_id == f"{response['X-Request-ID']};client={client_id.replace('-', '')}"
    assert entry.before == {"is_active": True} and entry.after == {"is_active": False}


def test_entries_cannot_be_updated_or_deleted_through_django(admin):
    entry = audit_record(actor=admin, action="x.y", object_type="demo.thing", object_id=1)
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "x.y"


@pytest.mark.postgres
@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditentry SET action = 'tampered' WHERE id = %s",
    "DELETE FROM audit_auditentry WHERE id = %s",
])
def test_postgres_refuses_raw_update_and_delete(admin, sql):
    from django.db import DatabaseError

    entry = audit_record(actor=admin, action="x.y", object_type="demo.thing", object_id=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, action="x.y").exists()


def test_the_actor_cannot_be_deleted(admin):
    actor = UserFactory()
    audit_record(actor=actor, action="x.y", object_type="demo.thing", object_id=1)
    with pytest.raises(ProtectedError):
        actor.delete()


def test_canonical_json_sorts_keys_uses_utc_and_decimal_strings():
    london = datetime.timezone(datetime.timedelta(hours=1))
    value = {"b": decimal.Decimal("1.50"), "a": datetime.datetime(2026, 6, 1, 13, 0, tzinfo=london)}
    assert canonical_json(value) == '{"a":"2026-06-01T12:00:00.000000+00:00","b":"1.50"}'
    with pytest.raises(ValueError, match="Naive"):
        canonical_json({"t": datetime.datetime(2026, 6, 1, 12, 0)})  # noqa: DTZ001


# --- verify_audit ---------------------------------------------------------------------------

def _tamper(sql, params):
    """Change the table behind Django's back, as a database administrator could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def chain(admin):
    for n in range(4):
        audit_record(actor=admin, action="thing.change", object_type="demo.thing", object_id=7,
                     after={"n": n})
    audit_record(actor=admin, action="other", object_type="demo.other", object_id=1)
    return _entries("demo.thing:7")


def test_verify_audit_passes_an_intact_trail(chain, capsys):
    call_command("verify_audit")
    assert "intact: 5 entries" in capsys.readouterr().out


def test_verify_audit_names_an_edited_row(chain):
    _tamper("UPDATE audit_auditentry SET after = %s WHERE id = %s", ['{"n": 99}', chain[2].pk])
    with pytest.raises(CommandError, match=r"demo.thing:7' at #3: contents do not match"):
        call_command("verify_audit")


def test_verify_audit_names_a_removed_row(chain):
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [chain[1].pk])
    with pytest.raises(CommandError, match=r"demo.thing:7' at #2: entry missing"):
        call_command("verify_audit")


def test_verify_audit_notices_a_removed_newest_row(chain):
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [chain[3].pk])
    broken = first_broken_link()
    assert (broken.stream, broken.seq) == ("demo.thing:7", 4)


def test_verify_audit_exits_non_zero(chain):
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [chain[0].pk])
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    assert exc.value.returncode == 1  # what `manage.py verify_audit` exits with


# --- Concurrency (PostgreSQL: real row locks and unique-index waits) -----------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_writing_one_stream_do_not_fork_it():
    actor = UserFactory()
    errors = []
    start = threading.Barrier(4)

    def writer(n):
        try:
            start.wait()
            for i in range(10):
                with transaction.atomic():
                    audit_record(actor=actor, action="race", object_type="demo.race", object_id=1,
                                 after={"writer": n, "i": i})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    entries = _entries("demo.race:1")
    assert [e.seq for e in entries] == list(range(1, 41))
    assert first_broken_link() is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writers_to_different_streams_do_not_wait_for_each_other():
    actor = UserFactory()
    first_written = threading.Event()
    release_first = threading.Event()
    second_done = threading.Event()

    def slow_writer():
        with transaction.atomic():
            audit_record(actor=actor, action="slow", object_type="demo.a", object_id=1)
            first_written.set()
            release_first.wait(20)  # holds its transaction open
        connection.close()

    def fast_writer():
        first_written.wait(20)
        with transaction.atomic():
            audit_record(actor=actor, action="fast", object_type="demo.b", object_id=1)
        second_done.set()
        connection.close()

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=fast_writer)]
    for t in threads:
        t.start()
    # The second stream commits while the first stream's transaction is still open.
    finished_without_waiting = second_done.wait(10)
    release_first.set()
    for t in threads:
        t.join(30)
    assert finished_without_waiting
    assert first_broken_link() is None
