from django.contrib import admin

from rastrack.reference.models import Procedure, ProcedureStep, Region, Site


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "ods_code"]
    list_filter = ["region"]
    search_fields = ["name", "ods_code"]
    list_select_related = ["region"]


class ProcedureStepInline(admin.TabularInline):
    model = ProcedureStep
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["name", "specialty", "code"]
    list_filter = ["specialty"]
    search_fields = ["name"]
    inlines = [ProcedureStepInline]
