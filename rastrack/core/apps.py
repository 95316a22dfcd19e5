from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "rastrack.core"
    label = "core"
    verbose_name = "RASTrack core"

    def ready(self) -> None:
        # kombu's filesystem transport needs its folders before the first publish or poll,
        # in the web process as in the worker and beat.
        options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
        if settings.CELERY_BROKER_URL.startswith("filesystem"):
            for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
                if options.get(key):
                    Path(options[key]).mkdir(parents=True, exist_ok=True)

        from celery.signals import task_failure

        from rastrack.core.tasks import record_task_failure

        task_failure.connect(record_task_failure, weak=False, dispatch_uid="rastrack-task-failure")
