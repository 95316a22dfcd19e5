"""Django admin for editing drafts: frameworks with their standards and competencies, pathways
with their modules, components and requirements. Published and retired versions are
read-only here (the models refuse edits to them anyway); lifecycle changes are admin
actions that call the services, so they are audited like the API's."""

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
    Lifecycle,
    Module,
    Pathway,
    Requirement,
    ResourceTopic,
    Standard,
)
from rastrack.core.exceptions import ApplicationError


def _is_draft(obj) -> bool:
    return obj is None or obj.status == Lifecycle.DRAFT


class DraftOnlyAdminMixin:
    """Objects whose owner (framework or pathway) is published are shown read-only."""

    def owner_of(self, obj):  # the framework or pathway the object belongs to
        return obj

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or _is_draft(self.owner_of(obj)))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or _is_draft(self.owner_of(obj)))


class DraftOnlyInlineMixin:
    """Inlines of a published parent: no adding, changing or deleting."""

    def owner_of(self, parent):
        return parent

    def _editable(self, obj) -> bool:
        return obj is None or _is_draft(self.owner_of(obj))

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)


def _run(modeladmin, request, queryset, service, label: str, **kwargs) -> None:
    for obj in queryset:
        try:
            service(actor=request.user, **{modeladmin.model._meta.model_name: obj}, **kwargs)
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", messages.WARNING)
        else:
            modeladmin.message_user(request, f"{obj}: {label}.", messages.SUCCESS)


# --- Frameworks -------------------------------------------------------------------------------


class StandardInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = Standard
    extra = 0
    fields = ["order", "code", "title", "domain"]
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(DraftOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "code", "version", "status", "published_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "created_from", "created_at", "published_at", "retired_at"]
    inlines = [StandardInline]
    actions = ["publish", "retire", "new_version"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["code", "version"] if obj is not None else fields

    @admin.action(description="Publish the selected drafts (they are then frozen)")
    def publish(self, request, queryset):
        _run(self, request, queryset, services.framework_publish, "published")

    @admin.action(description="Retire the selected published versions")
    def retire(self, request, queryset):
        _run(self, request, queryset, services.framework_retire, "retired")

    @admin.action(description="Make a new draft version of the selected versions")
    def new_version(self, request, queryset):
        _run(self, request, queryset, services.framework_new_version, "new draft version made")


class CompetencyInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = Competency
    extra = 0
    fields = ["order", "code", "key", "title", "descriptors"]

    def owner_of(self, parent):
        return parent.framework


@admin.register(Standard)
class StandardAdmin(DraftOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title", "domain", "framework"]
    list_filter = ["framework", "domain"]
    list_select_related = ["framework"]
    search_fields = ["code", "title"]
    inlines = [CompetencyInline]

    def owner_of(self, obj):
        return obj.framework

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "framework" in form.base_fields:
            form.base_fields["framework"].queryset = Framework.objects.filter(status=Lifecycle.DRAFT)
        return form

    def save_formset(self, request, form, formset, change):
        # Competencies of a standard belong to its framework (denormalised for unique keys).
        for inline_form in formset.forms:
            if isinstance(inline_form.instance, Competency) and inline_form.instance.framework_id is None:
                inline_form.instance.framework_id = form.instance.framework_id
        super().save_formset(request, form, formset, change)


@admin.register(Competency)
class CompetencyAdmin(DraftOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title", "key", "standard", "framework"]
    list_filter = ["framework"]
    list_select_related = ["standard", "framework"]
    search_fields = ["code", "title", "key"]
    exclude = ["framework"]

    def owner_of(self, obj):
        return obj.framework


# --- Pathways --------------------------------------------------------------------------------


class ModuleInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = Module
    extra = 0
    fields = ["order", "title", "description"]
    show_change_link = True


@admin.register(Pathway)
class PathwayAdmin(DraftOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "code", "version", "audience", "status", "self_enrol", "framework"]
    list_filter = ["status", "audience"]
    list_select_related = ["framework"]
    readonly_fields = ["status", "created_from", "created_at", "published_at", "retired_at"]
    inlines = [ModuleInline]
    actions = ["publish", "retire", "new_version"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["code", "version"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new pathway comes with its final sign-off, as through the API.
        created = services.pathway_create(
            actor=request.user, code=obj.code, title=obj.title, audience=obj.audience, framework=obj.framework,
            description=obj.description, self_enrol=obj.self_enrol, duration_weeks=obj.duration_weeks)
        obj.pk = created.pk
        obj._state.adding = False

    @admin.action(description="Publish the selected drafts (they are then frozen)")
    def publish(self, request, queryset):
        _run(self, request, queryset, services.pathway_publish, "published")

    @admin.action(description="Retire the selected published versions")
    def retire(self, request, queryset):
        _run(self, request, queryset, services.pathway_retire, "retired")

    @admin.action(description="Make a new draft version of the selected versions")
    def new_version(self, request, queryset):
        _run(self, request, queryset, services.pathway_new_version, "new draft version made")


class ComponentInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = Component
    extra = 0
    fields = ["order", "title", "kind", "description"]
    show_change_link = True

    def owner_of(self, parent):
        return parent.pathway


@admin.register(Module)
class ModuleAdmin(DraftOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "order", "pathway", "is_final"]
    list_filter = ["pathway"]
    list_select_related = ["pathway"]
    inlines = [ComponentInline]

    def owner_of(self, obj):
        return obj.pathway


class RequirementInline(DraftOnlyInlineMixin, admin.StackedInline):
    model = Requirement
    extra = 0
    fields = ["type", ("count", "hours", "score", "consecutive"), ("tool", "min_total"), "exercise", "competency",
              ("platform", "procedure", "procedure_step")]
    autocomplete_fields = ["procedure"]
    raw_id_fields = ["competency", "procedure_step"]

    def owner_of(self, parent):
        return parent.module.pathway


@admin.register(Component)
class ComponentAdmin(DraftOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "module"]
    list_filter = ["kind"]
    list_select_related = ["module"]
    inlines = [RequirementInline]

    def owner_of(self, obj):
        return obj.module.pathway


# --- Enrolments, evidence, resources (read-mostly) ------------------------------------------


class EnrolmentPauseInline(admin.TabularInline):
    model = EnrolmentPause
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "reason", "started_on", "ended_on", "created_by", "ended_by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    """Enrolments change through the services (pages and API), where they are audited."""

    list_display = ["trainee", "pathway", "status", "enrolled_on", "target_date"]
    list_filter = ["status", "pathway"]
    list_select_related = ["trainee", "pathway"]
    search_fields = ["trainee__full_name", "trainee__email"]
    inlines = [EnrolmentPauseInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ELearningCompletion)
class ELearningCompletionAdmin(admin.ModelAdmin):
    list_display = ["trainee", "component", "completed_on", "provider"]
    list_select_related = ["trainee", "component"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ResourceTopicInline(admin.TabularInline):
    model = ResourceTopic
    extra = 0


@admin.register(LearningResource)
class LearningResourceAdmin(admin.ModelAdmin):
    """Moderate on the moderation page (audited); map to modules and competencies here."""

    list_display = ["title", "provider", "format", "status"]
    list_filter = ["status", "format", "audience"]
    search_fields = ["title", "provider", "url"]
    readonly_fields = ["submission", "url", "normalised_url", "status", "moderated_by", "moderated_at",
                       "rejection_reason", "open_access_confirmed"]
    filter_horizontal = ["modules", "competencies"]
    inlines = [ResourceTopicInline]

    def has_add_permission(self, request):
        return False
