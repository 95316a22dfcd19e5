from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from guardian.admin import GuardedModelAdmin

from rastrack.accounts import services
from rastrack.accounts.models import Invitation, Portfolio, RegionStay, User
from rastrack.core.exceptions import ApplicationError


class RegionStayInline(admin.TabularInline):
    model = RegionStay
    extra = 0
    readonly_fields = ["region", "started_on", "ended_on"]
    can_delete = False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "profession", "region", "is_active"]
    list_filter = ["is_active", "profession", "region", "groups"]
    list_select_related = ["region"]
    search_fields = ["email", "full_name", "registration_number"]
    readonly_fields = ["last_login", "date_joined", "region"]
    inlines = [RegionStayInline]
    actions = ["deactivate"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "profession", "registration_body",
                               "registration_number", "region")}),
        ("Roles and access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": (
        "email", "full_name", "password1", "password2")}),)

    def has_delete_permission(self, request, obj=None):
        return False  # people are deactivated, never deleted: their records are evidence

    @admin.action(description="Deactivate and end every session")
    def deactivate(self, request, queryset):
        for user in queryset:
            try:
                services.user_deactivate(user=user, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.WARNING)


@admin.register(Portfolio)
class PortfolioAdmin(GuardedModelAdmin):
    list_display = ["trainee", "created_at"]
    search_fields = ["trainee__full_name", "trainee__email"]
    list_select_related = ["trainee"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "region", "invited_by", "created_at", "accepted_at"]
    list_select_related = ["region", "invited_by"]
    readonly_fields = ["token_hash"]
