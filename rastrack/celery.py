"""The Celery application. Configuration lives in settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rastrack.settings")

# Every task counts its deliveries, so one that kills its worker is not run for ever.
app = Celery("rastrack", task_cls="rastrack.core.task_guard:GuardedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

