"""Django admin for the logbook: the counting table and follow-up outcomes, read-only here.
The counting of a draft pathway version is changed through `counting.rules_set` (audited; a
published version keeps its counting)."""

from django.contrib import admin

from accreditation.logbook.models import CaseOutcome, CountingRule
from rastrack.core.admin import ReadOnlyAdmin


@admin.register(CountingRule)
class CountingRuleAdmin(ReadOnlyAdmin):
    list_display = ["pathway", "counted_as", "role", "supervision", "takeover"]
    list_filter = ["counted_as", "pathway"]
    list_select_related = ["pathway"]


@admin.register(CaseOutcome)
class CaseOutcomeAdmin(ReadOnlyAdmin):
    list_display = ["case", "followup_days", "complication_grade", "readmitted", "recorded_by", "created_at"]
    list_select_related = ["recorded_by"]
