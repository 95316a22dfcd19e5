"""Django admin for reference data: read-only (loaded by data migration)."""

from django.contrib import admin

from rastrack.core.admin import ReadOnlyAdmin
from rastrack.reference.models import Procedure, ProcedureStep, Region, Site


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["name", "code"]
    search_fields = ["name"]


@admin.register(Site)
class SiteAdmin(ReadOnlyAdmin):
    list_display = ["name", "region", "ods_code"]
    list_filter = ["region"]
    search_fields = ["name", "ods_code"]
    list_select_related = ["region"]


class ProcedureStepInline(admin.TabularInline):
    model = ProcedureStep
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(ReadOnlyAdmin):
    list_display = ["name", "specialty", "code"]
    list_filter = ["specialty"]
    search_fields = ["name"]
    inlines = [ProcedureStepInline]
