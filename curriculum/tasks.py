"""Celery tasks of the curriculum: thin wrappers over services, safe to run twice."""

from celery import shared_task

from rastrack.core.task_options import RETRYING


@shared_task(name="curriculum.refresh_progress_summaries", **RETRYING)
def refresh_progress_summaries() -> int:
    """Recompute stale, missing and old progress snapshots, a bounded batch per run (beat
    runs it every PROGRESS_SUMMARY_SECONDS)."""
    from django.conf import settings

    from curriculum.progress_summary import refresh_due

    return refresh_due(limit=settings.PROGRESS_SUMMARY_BATCH)
