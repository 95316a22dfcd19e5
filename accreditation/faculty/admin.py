"""Django admin for the faculty: the configurable rules (one row, every change audited) and
read-only records.

Decisions are never made here: they go through the services (audit trail, notifications,
rights), from the web pages or the API.
"""

from django.contrib import admin

from accreditation.faculty.models import Accreditation, Assignment, FacultyRules, TrainerApplication
from accreditation.faculty.selectors import faculty_rules
from rastrack.audit.admin import AuditedAdmin
from rastrack.core.admin import ReadOnlyAdmin


@admin.register(FacultyRules)
class FacultyRulesAdmin(AuditedAdmin):
    list_display = ["__str__", "min_independent_console_cases_initial", "train_the_trainer_required_initial",
                    "min_independent_console_cases_renewal", "accreditation_period_years",
                    "max_trainees_per_trainer", "expiry_warning_days", "updated_at"]
    readonly_fields = ["updated_at"]

    def changelist_view(self, request, extra_context=None):
        faculty_rules()  # the one row always exists, with the defaults, to be edited
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return not FacultyRules.objects.exists()



@admin.register(TrainerApplication)
class TrainerApplicationAdmin(ReadOnlyAdmin):
    list_display = ["applicant", "kind", "specialty", "status", "created_at", "decided_by"]
    list_filter = ["status", "kind", "specialty"]
    list_select_related = ["applicant", "decided_by"]
    search_fields = ["applicant__email", "applicant__full_name"]


@admin.register(Accreditation)
class AccreditationAdmin(ReadOnlyAdmin):
    list_display = ["trainer", "status", "accredited_on", "expires_on", "specialty"]
    list_filter = ["status", "specialty", "trainer__region"]
    list_select_related = ["trainer"]
    search_fields = ["trainer__email", "trainer__full_name"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["trainer", "trainee", "kind", "starts_on", "ends_on"]
    list_filter = ["kind"]
    list_select_related = ["trainer", "trainee"]
    search_fields = ["trainer__full_name", "trainee__full_name"]
