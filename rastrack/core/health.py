"""`/healthz`: is the database reachable, is the broker reachable, is beat alive."""

from __future__ import annotations

import datetime
import os

from celery import current_app as celery_app
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def check_broker() -> bool:
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        # The filesystem transport "connects" without touching its folder: check that the
        # folder a publish writes to is there and writable.
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        return os.path.isdir(folder) and os.access(folder, os.W_OK)
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def beat_status() -> str:
    from rastrack.core.models import Heartbeat

    try:
        heartbeat = Heartbeat.objects.filter(name="beat").first()
    except Exception:
        return "unknown"
    if heartbeat is None:
        return "unknown"
    allowed = datetime.timedelta(seconds=3 * settings.BEAT_HEARTBEAT_SECONDS)
    return "ok" if timezone.now() - heartbeat.beat_at <= allowed else "stale"


def check_static() -> bool:
    """With a manifest storage (production), is its manifest there? Without it every page
    that names a static file is a 500, so the service is not healthy."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages

    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return True
    try:
        return storage.exists(storage.manifest_name)
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request):
    database = check_database()
    broker = check_broker()
    static = check_static()
    body = {
        "database": "ok" if database else "down",
        "broker": "ok" if broker else "down",
        "beat": beat_status() if database else "unknown",
        "static": "ok" if static else "missing manifest: run collectstatic",
    }
    return JsonResponse(body, status=200 if database and broker and static else 503)
