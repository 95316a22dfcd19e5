"""Dashboard snapshots: the default national and regional dashboards as last computed."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class DashboardSnapshot(models.Model):
    """The national or one region's dashboard with its default filters, or the national
    sections that follow one specialty, as computed by the beat task `labs.refresh_dashboards`
    (dashboards/snapshots.py). At national scale a dashboard costs seconds of database time;
    the default view is read from here and says when it was computed; a filtered view computes
    its sections by month and takes the rest from here."""

    scope = models.CharField(max_length=40, unique=True,
                             help_text='"national", "region:<id>" or "specialty:<code>".')
    data = models.JSONField(encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField()

    class Meta:
        # The table was created by the labs app before the dashboards had an app of their
        # own; it keeps its name, so moving the model touched no data.
        db_table = "labs_dashboardsnapshot"

    def __str__(self) -> str:
        return f"Dashboard {self.scope} at {self.computed_at:%Y-%m-%d %H:%M}"


class SummaryRebuild(models.Model):
    """One summary table's nightly rebuild (dashboards/summary_rebuild.py): how many rows it
    holds and how many the rebuild had to correct, which is zero unless the source rows changed
    without the services (or through a change no service sees, such as a region move)."""

    name = models.CharField(max_length=60)
    ran_at = models.DateTimeField()
    rows = models.PositiveIntegerField(null=True, blank=True,
                                       help_text="Rows in the summary after the rebuild; empty when its model is not named.")
    corrected = models.PositiveIntegerField(help_text="Rows the rebuild wrote or deleted.")

    class Meta:
        ordering = ["-ran_at", "name"]
        indexes = [models.Index(fields=["name", "-ran_at"], name="summary_rebuild_latest_idx")]

    def __str__(self) -> str:
        return f"{self.name} rebuilt at {self.ran_at:%Y-%m-%d %H:%M}: {self.corrected} corrected"
