"""Backup and restore (`make backup` / `make restore`, scripts/db_backup.sh): a database
restored from a backup into a new database holds the same rows, serves the same data,
passes `verify_audit`, and keeps the audit trail's append-only trigger."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection, connections

from tests.support.celery_workers import ROOT
from tests.support.celery_workers import database_url as source_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCRIPT = ROOT / "scripts" / "db_backup.sh"
KEY_TABLES = ["accounts_user", "audit_auditentry", "audit_auditstreamhead", "accreditation_case",
              "accreditation_signoffrequest", "accreditation_accreditation", "labs_labsession",
              "labs_booking", "notifications_notification"]


def _script(command: str, database_url: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), command], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": database_url, **env}, stdin=subprocess.DEVNULL)


def _psycopg(dbname: str):
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                           password=db.get("PASSWORD") or None, dbname=dbname, autocommit=True)


def _tables(dbname: str) -> dict[str, list[tuple]]:
    """Every table's rows (ordered by primary key), read straight from the database."""
    with _psycopg(dbname) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {name: conn.execute(f'SELECT * FROM "{name}" ORDER BY 1').fetchall() for name in names}


@pytest.fixture
def restored_db():
    name = f"rastrack_restore_{uuid.uuid4().hex[:10]}"
    with _psycopg("postgres") as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with _psycopg("postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def world(trainee, assigned_trainer, admin, london, lab_manager):
    """Some of everything, made through the services, so the audit trail has entries."""
    from accreditation.signoff import services as signoff_services
    from labs import services as labs
    from tests.builders.curriculum import make_framework
    from tests.builders.labs import make_session
    from tests.builders.logbook import make_case
    from tests.builders.people import SiteFactory
    from tests.builders.signoff import request_signoff

    cases = [make_case(trainee, assigned_trainer, days=d) for d in (3, 4, 5)]
    make_case(trainee, assigned_trainer, status="submitted", days=2)
    competency = make_framework(admin).competencies.get(key="comp-1-1")
    request = request_signoff(trainee, assigned_trainer, competency=competency.pk,
                              evidence_cases=[c.pk for c in cases])
    signoff_services.signoff_request_approve(request=request, actor=assigned_trainer, feedback="Good.")
    lab = labs.lab_create(actor=admin, name="Backup Lab", region=london, site=SiteFactory(region=london),
                          address="Education Centre", managers=[lab_manager])
    labs.booking_create(trainee=trainee, session=make_session(lab, lab_manager, seats=2))


def _restored_url(name: str) -> str:
    return source_url().rsplit("/", 1)[0] + f"/{name}"


def test_a_restored_database_holds_the_same_data_and_passes_verify_audit(world, trainee, restored_db,
                                                                          tmp_path):
    from rastrack.audit.models import AuditEntry

    source = connection.settings_dict["NAME"]
    dump = tmp_path / "rastrack.dump"
    backup = _script("backup", source_url(), BACKUP_FILE=str(dump))
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout.strip() == str(dump) and dump.stat().st_size > 0

    restore = _script("restore", _restored_url(restored_db), BACKUP_FILE=str(dump), CONFIRM="yes")
    assert restore.returncode == 0, restore.stderr

    # The same rows in every table, key tables non-empty.
    original, copied = _tables(source), _tables(restored_db)
    assert copied.keys() == original.keys()
    for table in original:
        assert copied[table] == original[table], f"{table} differs after the restore"
    assert all(original[table] for table in KEY_TABLES), [t for t in KEY_TABLES if not original[t]]
    entries = AuditEntry.objects.count()
    assert entries >= 10

    # verify_audit, run as an operator would, against the restored database.
    check = subprocess.run([sys.executable, "manage.py", "verify_audit"], cwd=ROOT, capture_output=True,
                           text=True, timeout=120,
                           env={**os.environ, "DJANGO_SETTINGS_MODULE": "rastrack.settings_test",
                                "DATABASE_URL": _restored_url(restored_db)})
    assert check.returncode == 0, check.stderr
    assert f"intact: {entries} entries" in check.stdout

    # The append-only trigger came back with the table.
    import psycopg

    with _psycopg(restored_db) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        conn.execute("DELETE FROM audit_auditentry")

    # The API serves the same data from the copy as from the original.
    def cases_json():
        from tests.support.api_clients import token_client

        return token_client(trainee).get("/api/v1/cases/?page_size=100").json()

    expected = cases_json()
    with _connected_to(restored_db):
        assert cases_json() == expected
    assert expected["count"] == 4


def test_restore_over_a_changed_database_puts_the_backup_back(world, admin, restored_db, tmp_path):
    dump = tmp_path / "rastrack.dump"
    assert _script("backup", source_url(), BACKUP_FILE=str(dump)).returncode == 0
    url = _restored_url(restored_db)
    assert _script("restore", url, BACKUP_FILE=str(dump), CONFIRM="yes").returncode == 0
    before = _tables(restored_db)

    # Changes after the backup, including new audit rows (which the trigger protects).
    with _psycopg(restored_db) as conn:
        conn.execute("UPDATE accounts_user SET full_name = 'Changed' WHERE id = %s", [admin.pk])
        conn.execute("INSERT INTO audit_auditstreamhead (stream, seq, hash) VALUES ('later:1', 1, %s)",
                     ["a" * 64])

    # Without CONFIRM and without a terminal, nothing happens.
    refused = _script("restore", url, BACKUP_FILE=str(dump))
    assert refused.returncode == 1 and "CONFIRM=yes" in refused.stderr
    assert _tables(restored_db) != before

    # --clean drops the tables (the row trigger does not stop DROP) and restores them.
    again = _script("restore", url, BACKUP_FILE=str(dump), CONFIRM="yes")
    assert again.returncode == 0, again.stderr
    assert _tables(restored_db) == before


def test_a_missing_or_broken_backup_changes_nothing(restored_db, tmp_path):
    url = _restored_url(restored_db)
    missing = _script("restore", url, BACKUP_FILE=str(tmp_path / "nope.dump"), CONFIRM="yes")
    assert missing.returncode == 1 and "No such backup" in missing.stderr
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really a dump")
    assert _script("restore", url, BACKUP_FILE=str(broken), CONFIRM="yes").returncode != 0
    assert _tables(restored_db) == {}
    assert _script("backup", "sqlite:///var/x.sqlite3").returncode == 2


class _connected_to:
    """Point Django's default connection at another database for a while (same thread)."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.original = connections["default"]
        settings_dict = copy.deepcopy(self.original.settings_dict)
        settings_dict["NAME"] = self.name
        self.other = self.original.__class__(settings_dict, alias="default")
        connections["default"] = self.other

    def __exit__(self, *exc):
        self.other.close()
        connections["default"] = self.original
