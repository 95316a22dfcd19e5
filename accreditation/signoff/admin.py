"""Django admin for sign-off: the rules (one row), the assessment tools (data: add RACE or
NOTSS here, with their domains) and read-only views of assessments and requests.

Every change here is audited; a tool is retired (inactive), never deleted. Decisions are never
made here: they go through the services (audit trail, notifications).
"""

from django.contrib import admin

from accreditation.signoff.models import (
    Assessment,
    AssessmentDomain,
    AssessmentTool,
    SignoffRequest,
    SignoffRules,
)
from accreditation.signoff.selectors import signoff_rules
from rastrack.audit.admin import AuditedAdmin
from rastrack.core.admin import ReadOnlyAdmin


@admin.register(SignoffRules)
class SignoffRulesAdmin(AuditedAdmin):
    list_display = ["__str__", "due_days", "blind_window_days", "updated_at"]
    readonly_fields = ["updated_at"]

    def changelist_view(self, request, extra_context=None):
        signoff_rules()  # the one row always exists, with the defaults, to be edited
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return not SignoffRules.objects.exists()


class AssessmentDomainInline(admin.TabularInline):
    model = AssessmentDomain
    extra = 1
    fields = ["order", "code", "name", "description", "anchors"]


@admin.register(AssessmentTool)
class AssessmentToolAdmin(AuditedAdmin):
    list_display = ["code", "name", "scale_min", "scale_max", "is_active"]
    inlines = [AssessmentDomainInline]

    def get_readonly_fields(self, request, obj=None):
        # A tool in use keeps its code and scale: recorded scores were checked against them.
        if obj is not None and obj.assessments.exists():
            return ["code", "scale_min", "scale_max"]
        return []



@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "trainee", "assessor", "tool", "date", "is_self", "case"]
    list_filter = ["tool", "is_self"]
    raw_id_fields = ["trainee", "assessor", "case"]


@admin.register(SignoffRequest)
class SignoffRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "trainee", "trainer", "target", "target_key", "status", "due_on", "created_at"]
    list_filter = ["status", "target"]
    raw_id_fields = ["trainee", "trainer", "competency", "component", "enrolment"]
