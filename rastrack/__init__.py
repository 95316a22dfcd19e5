"""RASTrack project package: settings, URLs, the Celery app and the shared core."""

from rastrack.celery import app as celery_app

__all__ = ["celery_app"]
