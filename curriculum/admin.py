"""Django admin for the curriculum: read-only, with the lifecycle steps as actions.

Standards, pathways and their parts are written through the curriculum services (the API and
the authoring pages), which check the editor, refuse edits to published versions and audit
every change; admin only looks. Publishing, retiring and making a new draft version are
admin actions that call those same services, so they are audited like the API's.
"""

from __future__ import annotations

from django.contrib import admin, messages

from curriculum import services
from curriculum.models import (
    Competency,
    Component,
    ELearningCompletion,
    Enrolment,
    EnrolmentPause,
    Framework,
    LearningResource,
    Module,
    Pathway,
    Requirement,
    Standard,
)
from rastrack.core.admin import ReadOnlyAdmin
from rastrack.core.exceptions import ApplicationError


def _run(modeladmin, request, queryset, service, label: str) -> None:
    for obj in queryset:
        try:
            # The service's answer, not the row as selected: its status is the new one.
            result = service(actor=request.user, **{modeladmin.model._meta.model_name: obj})
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", messages.WARNING)
        else:
            modeladmin.message_user(request, f"{result}: {label}.", messages.SUCCESS)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or ()


class VersionedAdmin(ReadOnlyAdmin):
    """A framework or pathway version: publish, retire or copy into a new draft."""

    actions = ["publish", "retire", "new_version"]
    publish_service = retire_service = new_version_service = None

    @admin.action(description="Publish the selected drafts (they are then frozen)")
    def publish(self, request, queryset):
        _run(self, request, queryset, type(self).publish_service, "published")

    @admin.action(description="Retire the selected published versions")
    def retire(self, request, queryset):
        _run(self, request, queryset, type(self).retire_service, "retired")

    @admin.action(description="Make a new draft version of the selected versions")
    def new_version(self, request, queryset):
        _run(self, request, queryset, type(self).new_version_service, "new draft version made")


# --- Standards --------------------------------------------------------------------------------


class StandardInline(_ReadOnlyInline):
    model = Standard
    fields = ["order", "code", "title", "domain"]


@admin.register(Framework)
class FrameworkAdmin(VersionedAdmin):
    list_display = ["title", "code", "version", "status", "published_at"]
    list_filter = ["status"]
    inlines = [StandardInline]
    publish_service = staticmethod(services.framework_publish)
    retire_service = staticmethod(services.framework_retire)
    new_version_service = staticmethod(services.framework_new_version)


class CompetencyInline(_ReadOnlyInline):
    model = Competency
    fields = ["order", "code", "title", "key"]


@admin.register(Standard)
class StandardAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "domain", "framework"]
    list_filter = ["framework", "domain"]
    list_select_related = ["framework"]
    search_fields = ["code", "title"]
    inlines = [CompetencyInline]


@admin.register(Competency)
class CompetencyAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "key", "standard", "framework"]
    list_filter = ["framework"]
    list_select_related = ["standard", "framework"]
    search_fields = ["code", "title", "key"]


# --- Pathways ---------------------------------------------------------------------------------


class ModuleInline(_ReadOnlyInline):
    model = Module
    fields = ["order", "title", "is_final"]


@admin.register(Pathway)
class PathwayAdmin(VersionedAdmin):
    list_display = ["title", "code", "version", "audience", "status", "self_enrol", "framework"]
    list_filter = ["status", "audience"]
    list_select_related = ["framework"]
    inlines = [ModuleInline]
    publish_service = staticmethod(services.pathway_publish)
    retire_service = staticmethod(services.pathway_retire)
    new_version_service = staticmethod(services.pathway_new_version)


class ComponentInline(_ReadOnlyInline):
    model = Component
    fields = ["order", "title", "kind", "key"]


@admin.register(Module)
class ModuleAdmin(ReadOnlyAdmin):
    list_display = ["title", "order", "pathway", "is_final"]
    list_filter = ["pathway"]
    list_select_related = ["pathway"]
    inlines = [ComponentInline]


class RequirementInline(_ReadOnlyInline):
    model = Requirement
    fields = ["type", "count", "hours", "score", "consecutive", "tool", "min_total", "competency"]


@admin.register(Component)
class ComponentAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "module"]
    list_filter = ["kind"]
    list_select_related = ["module"]
    inlines = [RequirementInline]


# --- Enrolments and evidence ------------------------------------------------------------------


class EnrolmentPauseInline(_ReadOnlyInline):
    model = EnrolmentPause
    show_change_link = False


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["trainee", "pathway", "status", "enrolled_on", "target_date"]
    list_filter = ["status", "pathway"]
    list_select_related = ["trainee", "pathway"]
    search_fields = ["trainee__full_name", "trainee__email"]
    inlines = [EnrolmentPauseInline]


@admin.register(ELearningCompletion)
class ELearningCompletionAdmin(ReadOnlyAdmin):
    list_display = ["trainee", "component", "completed_on", "provider"]
    list_select_related = ["trainee", "component"]


@admin.register(LearningResource)
class LearningResourceAdmin(ReadOnlyAdmin):
    list_display = ["title", "provider", "format", "status"]
    list_filter = ["status", "format", "audience"]
    search_fields = ["title", "provider", "url"]
