"""Django admin of the simulator catalogue: export formats are configuration (audited edits);
exercises change through the API's audited service (their metric rules), so are read-only here."""

from django.contrib import admin

from accreditation.logbook.models import (
    SimulatorExercise,
    SimulatorExportFormat,
    SimulatorImportFile,
)
from rastrack.audit.admin import AuditedAdmin
from rastrack.core.admin import ReadOnlyAdmin


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
