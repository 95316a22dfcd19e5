"""Django admin for the logbook. Read-only here: the counting table (a draft pathway version's
counting changes through `counting.rules_set`, audited; a published version keeps its counting),
follow-up outcomes, and simulator exercises (their metric rules change through the API's
audited service). Simulator export formats are configuration, edited here with an audit entry."""

from django.contrib import admin

from accreditation.logbook.models import (
    CaseOutcome,
    CountingRule,
    SimulatorExercise,
    SimulatorExportFormat,
    SimulatorImportFile,
)
from rastrack.audit.admin import AuditedAdmin
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


@admin.register(SimulatorExportFormat)
class SimulatorExportFormatAdmin(AuditedAdmin):
    list_display = ["code", "name", "simulator", "example"]


@admin.register(SimulatorExercise)
class SimulatorExerciseAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "simulator", "platform", "pass_rule", "frs_task", "active"]
    list_filter = ["simulator", "frs_task", "active"]


@admin.register(SimulatorImportFile)
class SimulatorImportFileAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "format", "trainee", "sessions", "created_at"]
