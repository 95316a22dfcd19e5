"""Django admin for sign-off: the rules (one row), the assessment tools (data: add an
instrument here as a draft with its domains, then publish it) and read-only views of
assessments, requests and video reviews.

Every change here is audited; a tool is retired (inactive), never deleted. A published tool
version is read-only: "new version" copies it into a draft, and publishing the draft retires
the version in use (the services in `signoff/services.py`). Decisions are never made here:
they go through the services (audit trail, notifications).
"""

from django.contrib import admin, messages

from accreditation.signoff import tool_versions
from accreditation.signoff.models import (
    Assessment,
    AssessmentDomain,
    AssessmentTool,
    SignoffRequest,
    SignoffRules,
    VideoReview,
)
from accreditation.signoff.selectors import signoff_rules
from rastrack.audit.admin import AuditedAdmin
from rastrack.core.admin import ReadOnlyAdmin
from rastrack.core.exceptions import ApplicationError


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

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.published_at is not None

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


def _run(modeladmin, request, queryset, service, done: str) -> None:
    for tool in queryset:
        try:
            service(actor=request.user, tool=tool)
        except ApplicationError as refused:
            modeladmin.message_user(request, f"{tool}: {refused}", messages.ERROR)
        else:
            modeladmin.message_user(request, f"{tool} v{tool.version}: {done}.")


@admin.action(description="Publish (freezes it; retires the version in use)")
def publish(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, tool_versions.assessment_tool_publish, "published")


@admin.action(description="Retire (no new assessments)")
def retire(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, tool_versions.assessment_tool_retire, "retired")


@admin.action(description="New version (a draft copy)")
def new_version(modeladmin, request, queryset):
    _run(modeladmin, request, queryset, tool_versions.assessment_tool_new_version, "copied into a new draft")


@admin.register(AssessmentTool)
class AssessmentToolAdmin(AuditedAdmin):
    list_display = ["code", "version", "name", "scale_min", "scale_max", "total_meaningful", "is_active",
                    "published_at"]
    inlines = [AssessmentDomainInline]
    actions = [publish, retire, new_version]
    readonly_fields = ["published_at"]

    def get_readonly_fields(self, request, obj=None):
        # A published version never changes its scale or domains: new versions are drafts.
        if obj is not None and obj.published_at is not None:
            return ["code", "version", "scale_min", "scale_max", "total_meaningful", "is_active", "published_at"]
        if obj is not None and obj.assessments.exists():
            return ["code", "scale_min", "scale_max", "published_at"]
        return ["published_at"]



@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "trainee", "assessor", "tool", "date", "is_self", "case"]
    list_filter = ["tool", "is_self"]
    raw_id_fields = ["trainee", "assessor", "case"]


@admin.register(VideoReview)
class VideoReviewAdmin(ReadOnlyAdmin):
    # Read-only, and without the ratings: scores are read through the blinding selector only.
    list_display = ["id", "trainee", "tool", "status", "due_on", "mean_total", "agreement_value"]
    list_filter = ["status", "tool"]
    fields = ["trainee", "case", "tool", "video_reference", "status", "due_on", "closed_at", "mean_total",
              "agreement_method", "agreement_value"]
    raw_id_fields = ["trainee", "case"]


@admin.register(SignoffRequest)
class SignoffRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "trainee", "trainer", "target", "target_key", "status", "due_on", "created_at"]
    list_filter = ["status", "target"]
    raw_id_fields = ["trainee", "trainer", "competency", "component", "enrolment"]
