"""The Celery application. Configuration lives in settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rastrack.settings")

# Every task counts its deliveries, so one that kills its worker is not run for ever.
app = Celery("rastrack", task_cls="rastrack.core.task_guard:GuardedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()



@worker_process_init.connect
def _freeze_after_warm_up(**kwargs):
    # Each pool process, once forked: what the worker imported is not collected again.
    from rastrack.warm_up import warm_up_and_freeze

    warm_up_and_freeze()
