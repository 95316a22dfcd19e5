"""Celery tasks of the dashboards: thin, safe to run twice."""

from celery import shared_task

from rastrack.core.task_options import RETRYING


# The task keeps the name it had when the dashboards lived in the labs app: beat schedules
# and queued messages name it.
@shared_task(name="labs.refresh_dashboards", **RETRYING)
def refresh_dashboards() -> int:
    """Recompute the default national and regional dashboards (dashboards/snapshots.py)."""
    from dashboards.snapshots import refresh_dashboards as refresh

    return refresh()
