"""Privileges in Django admin: read-only lists (every change goes through the services, which
audit and notify; the API and pages are the doors that write)."""

from django.contrib import admin

from accreditation.privileges.models import Privilege, PrivilegeRules, ProcedureGroup, ProctorReport
from rastrack.core.admin import ReadOnlyAdmin


@admin.register(Privilege)
class PrivilegeAdmin(ReadOnlyAdmin):
    list_display = ["id", "surgeon", "site", "platform", "procedure_group", "status", "granted_on", "review_due_on"]
    list_filter = ["status", "platform"]


@admin.register(PrivilegeRules)
class PrivilegeRulesAdmin(ReadOnlyAdmin):
    list_display = ["site", "proctored_cases_required", "min_cases_per_12_months", "max_gap_days"]


@admin.register(ProcedureGroup)
class ProcedureGroupAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "active"]


@admin.register(ProctorReport)
class ProctorReportAdmin(ReadOnlyAdmin):
    list_display = ["id", "privilege", "case", "proctor", "recommendation", "created_at"]
