"""Django admin for people: read-only, with deactivation as an action.

People are invited, change their own details and passwords, and gain or lose roles and
per-object rights only through the accounts' and the faculty's services (audited, and the
rights follow the rules). So admin never edits a person, a role (a group) or a right:
they are shown here, never changed. API tokens and second-factor secrets are credentials and
are not shown at all.
"""

from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from rastrack.accounts import services
from rastrack.accounts.models import Invitation, Portfolio, RegionStay, User
from rastrack.core.admin import ReadOnlyAdmin
from rastrack.core.exceptions import ApplicationError


class RegionStayInline(admin.TabularInline):
    model = RegionStay
    extra = 0
    readonly_fields = ["region", "started_on", "ended_on"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "profession", "region", "is_active"]
    list_filter = ["is_active", "profession", "region", "groups"]
    list_select_related = ["region"]
    search_fields = ["email", "full_name", "registration_number"]
    fields = ["email", "full_name", "profession", "registration_body", "registration_number", "region",
              "is_active", "roles", "last_login", "date_joined"]
    readonly_fields = fields
    inlines = [RegionStayInline]
    actions = ["deactivate"]

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(sorted(obj.groups.values_list("name", flat=True))) or "none"

    @admin.action(description="Deactivate and end every session")
    def deactivate(self, request, queryset):
        for user in queryset:
            try:
                services.user_deactivate(user=user, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.WARNING)


@admin.register(Portfolio)
class PortfolioAdmin(ReadOnlyAdmin):
    list_display = ["trainee", "created_at"]
    search_fields = ["trainee__full_name", "trainee__email"]
    list_select_related = ["trainee"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "full_name", "region", "invited_by", "created_at", "accepted_at", "revoked_at"]
    list_select_related = ["region", "invited_by"]
    exclude = ["token_hash"]


# Roles are groups that data migrations create; they are granted through the services.
admin.site.unregister(Group)
# TOTP secrets are credentials: an admin page would show them to staff. API tokens (stored
# hashed) have no admin page either.
admin.site.unregister(TOTPDevice)
