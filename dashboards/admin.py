"""Django admin for the dashboards: the nightly summary rebuilds, read-only, so that an
operator sees when a summary drifted and by how much."""

from django.contrib import admin

from dashboards.models import SummaryRebuild
from rastrack.core.admin import ReadOnlyAdmin


@admin.register(SummaryRebuild)
class SummaryRebuildAdmin(ReadOnlyAdmin):
    list_display = ["name", "ran_at", "rows", "corrected"]
    list_filter = ["name"]
