import datetime

import pytest
from django.utils import timezone

from rastrack.core import health
from rastrack.core.models import Heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_database_and_broker_are_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["beat"] in {"ok", "stale", "unknown"}


def test_healthz_needs_no_sign_in_and_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "check_database", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_healthz_is_503_when_the_broker_is_down(client, monkeypatch, settings, tmp_path):
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
        options["data_folder_in"] = str(tmp_path / "missing-broker-folder")
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    else:
        from rastrack.celery import app

        monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"


def test_beat_is_unknown_without_a_heartbeat_and_never_causes_a_503(client):
    Heartbeat.objects.all().delete()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["beat"] == "unknown"


def test_beat_is_ok_after_a_recent_heartbeat_and_stale_after_an_old_one(client, settings):
    Heartbeat.objects.update_or_create(name="beat", defaults={"beat_at": timezone.now()})
    assert client.get("/healthz").json()["beat"] == "ok"
    old = timezone.now() - datetime.timedelta(seconds=10 * settings.BEAT_HEARTBEAT_SECONDS)
    Heartbeat.objects.filter(name="beat").update(beat_at=old)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["beat"] == "stale"


def test_the_heartbeat_task_records_beat():
    from rastrack.core.tasks import beat_heartbeat

    beat_heartbeat.apply()
    assert Heartbeat.objects.filter(name="beat").exists()
