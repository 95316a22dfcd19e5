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


@shared_task(name="dashboards.rebuild_summaries", **RETRYING)
def rebuild_summaries() -> dict[str, int]:
    """Nightly: recompute every summary table and report the drift corrected
    (dashboards/summary_rebuild.py). Safe to run twice: the second run corrects nothing."""
    from dashboards.summary_rebuild import rebuild_summaries as rebuild

    return rebuild()
