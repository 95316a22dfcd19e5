"""Django admin for the labs: reference-style editing of labs, managers and equipment.

Sessions and bookings are read-only here: they change only through the services, which keep
the seat counter, the waitlist, the audit trail and the notifications right.
"""

from django.contrib import admin

from labs.models import Booking, Equipment, Lab, LabManager, LabOpeningHours, LabSession


class LabManagerInline(admin.TabularInline):
    model = LabManager
    extra = 0
    autocomplete_fields = ["user"]


class OpeningHoursInline(admin.TabularInline):
    model = LabOpeningHours
    extra = 0


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "site"]
    list_filter = ["region"]
    search_fields = ["name"]
    inlines = [OpeningHoursInline, LabManagerInline]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["model", "kind", "count", "status", "lab"]
    list_filter = ["kind", "status", "lab"]


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LabSession)
class LabSessionAdmin(_ReadOnly):
    list_display = ["__str__", "lab", "kind", "starts_at", "seats", "seats_booked", "status"]
    list_filter = ["kind", "status", "lab"]
    date_hierarchy = "starts_at"


@admin.register(Booking)
class BookingAdmin(_ReadOnly):
    list_display = ["id", "session", "trainee", "status", "created_at"]
    list_filter = ["status"]
