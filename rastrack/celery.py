"""The Celery application. Configuration lives in settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

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


@worker_ready.connect
def _freeze_main_process_after_warm_up(**kwargs):
    # The main process, once the worker is up: with the solo or thread pools it runs the
    # tasks itself (no pool process ever sends worker_process_init), and with prefork it is
    # the parent every replacement pool process is forked from, which then starts frozen.
    from rastrack.warm_up import warm_up_and_freeze

    warm_up_and_freeze()
