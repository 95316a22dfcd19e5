"""The database goes away: `/healthz` says so (503 JSON), pages answer a plain 503 page and
the API a 503 JSON error (never a 500 or a stack trace), and a request cut off mid-transaction
leaves nothing behind."""

from __future__ import annotations

import copy

import pytest
from django.db import connection, connections
from django.test import Client
from rest_framework.test import APIClient

from tests.support.celery_workers import free_port


@pytest.fixture
def database_down(django_db_blocker):
    """Swap in a default connection to a database that is not there (a closed port on
    PostgreSQL, a missing folder on SQLite), as if the server had stopped. The test
    database's own connection is left alone and put back afterwards."""
    original = connections["default"]
    settings_dict = copy.deepcopy(original.settings_dict)
    if original.vendor == "postgresql":
        settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
        settings_dict["OPTIONS"] = {**settings_dict.get("OPTIONS", {}), "connect_timeout": 2}
    else:
        settings_dict["NAME"] = "/nonexistent-rastrack-folder/db.sqlite3"
    broken = original.__class__(settings_dict, alias="default")
    with django_db_blocker.unblock():
        connections["default"] = broken
        try:
            yield
        finally:
            broken.close()
            connections["default"] = original


def _no_leak(response) -> str:
    text = response.content.decode()
    for leak in ("Traceback", "OperationalError", "psycopg", "sqlite3", "connection refused"):
        assert leak.lower() not in text.lower(), f"the 503 shows technical detail: {leak}"
    return text


def test_healthz_is_503_json_when_the_database_is_down(database_down):
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["beat"] == "unknown"


def test_a_page_answers_a_clear_503_page(database_down):
    client = Client(raise_request_exception=False)
    response = client.get("/verify/ABCD-EFGH-JKMN-PQRS/")  # a public page that reads the database
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "30"
    text = _no_leak(response)
    assert "Sorry, the service is unavailable" in text and "Nothing was saved" in text
    assert "nhsuk-header" in text  # the service's own page, not a bare server error


def test_a_signed_in_page_answers_the_503_page_too(database_down):
    # The session is read in a middleware, before any view: the 500 handler answers 503.
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    response = client.get("/")
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in _no_leak(response)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("get", "/api/v1/me/", None),
    ("post", "/api/v1/bookings/", {"session": 1}),
    ("post", "/api/v1/auth/token/", {"username": "someone@example.org", "password": "x" * 12}),
])
def test_an_api_call_answers_503_json(database_down, method, path, body):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = getattr(client, method)(path, body, format="json") if body else client.get(path)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "temporarily unavailable" in response.json()["detail"]
    _no_leak(response)


# --- Lost mid-transaction (PostgreSQL: the server really drops the connection) ------------------


def _kill_own_backend() -> None:
    """Have another session terminate this request's connection, as a crash would."""
    import psycopg

    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         password=db.get("PASSWORD") or None, dbname=db["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_booking_cut_off_mid_transaction_leaves_nothing(monkeypatch, lab_session, trainee):
    from labs.models import Booking, LabSession
    from labs.services import bookings as services
    from rastrack.audit.models import AuditEntry
    from tests.support.api_clients import token_client

    real_audit = services.audit

    def audit_after_losing_the_database(**kwargs):
        # The booking row and the seat counter are written; the database goes before the
        # audit entry and the commit.
        _kill_own_backend()
        return real_audit(**kwargs)

    monkeypatch.setattr(services, "audit", audit_after_losing_the_database)
    audit_before = AuditEntry.objects.count()
    response = token_client(trainee).post("/api/v1/bookings/", {"session": lab_session.pk}, format="json")

    assert response.status_code == 503
    assert "Nothing was saved" in response.json()["detail"]
    connection.close()
    assert not Booking.objects.filter(session=lab_session).exists()
    assert LabSession.objects.get(pk=lab_session.pk).seats_booked == 0
    assert AuditEntry.objects.count() == audit_before
    # And the next request, on a new connection, works.
    monkeypatch.setattr(services, "audit", real_audit)
    again = token_client(trainee).post("/api/v1/bookings/", {"session": lab_session.pk}, format="json")
    assert again.status_code == 201, again.content


@pytest.fixture
def lab_session(admin, london, lab_manager):
    from labs import services
    from tests.builders.labs import make_session
    from tests.builders.people import SiteFactory

    lab = services.lab_create(actor=admin, name="Outage Lab", region=london,
                              site=SiteFactory(region=london), address="Education Centre",
                              managers=[lab_manager])
    return make_session(lab, lab_manager, seats=2)
