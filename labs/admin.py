"""Django admin for the labs: read-only.

Labs, their managers and opening hours, equipment, sessions and bookings change only through
the labs' services (the pages under /labs/ and the API), which keep the seat counter, the
waitlist, the audit trail and the notifications right.
"""

from django.contrib import admin

from labs.models import Booking, Equipment, Lab, LabManager, LabOpeningHours, LabSession
from rastrack.core.admin import ReadOnlyAdmin


class LabManagerInline(admin.TabularInline):
    model = LabManager
    extra = 0
    can_delete = False
    readonly_fields = ["user"]

    def has_add_permission(self, request, obj=None):
        return False


class OpeningHoursInline(admin.TabularInline):
    model = LabOpeningHours
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Lab)
class LabAdmin(ReadOnlyAdmin):
    list_display = ["name", "region", "site"]
    list_filter = ["region"]
    search_fields = ["name"]
    inlines = [OpeningHoursInline, LabManagerInline]


@admin.register(Equipment)
class EquipmentAdmin(ReadOnlyAdmin):
    list_display = ["model", "kind", "count", "status", "lab"]
    list_filter = ["kind", "status", "lab"]


@admin.register(LabSession)
class LabSessionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "lab", "kind", "starts_at", "seats", "seats_booked", "status"]
    list_filter = ["kind", "status", "lab"]
    date_hierarchy = "starts_at"


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["id", "session", "trainee", "status", "created_at"]
    list_filter = ["status"]


# --- Accredited centres and courses ---------------------------------------------------------
# Schemes and their criteria are configuration (data programme admins edit, audited); centres,
# courses, accreditations and returns change through their services only; feedback is never
# shown one by one, so it has no admin page at all.

from labs.centres.models import (  # noqa: E402
    AccreditationScheme,
    AnnualReturn,
    Centre,
    CentreAccreditation,
    Course,
    SchemeCriterion,
)
from rastrack.audit.admin import AuditedAdmin  # noqa: E402


class SchemeCriterionInline(admin.TabularInline):
    model = SchemeCriterion
    extra = 0
    can_delete = False


@admin.register(AccreditationScheme)
class AccreditationSchemeAdmin(AuditedAdmin):
    list_display = ["name", "code", "applies_to", "period_years"]
    inlines = [SchemeCriterionInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Centre)
class CentreAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind", "region"]


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ["title", "centre", "kind", "platform"]


@admin.register(CentreAccreditation)
class CentreAccreditationAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "centre", "course", "status", "accredited_on", "expires_on"]
    list_filter = ["scheme", "status"]


@admin.register(AnnualReturn)
class AnnualReturnAdmin(ReadOnlyAdmin):
    list_display = ["accreditation", "year", "due_on", "status"]
    list_filter = ["status"]
