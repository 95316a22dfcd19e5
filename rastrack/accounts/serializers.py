from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import APIException

from rastrack.accounts import mfa
from rastrack.accounts.models import Invitation, Profession, User
from rastrack.accounts.roles import Role
from rastrack.reference.models import Region


class LockedOut(APIException):
    status_code = 429
    default_detail = (
        "Too many failed attempts to sign in: this account is locked from this address "
        "for a while. Try again later."
    )
    default_code = "locked_out"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.EmailField(help_text="The user's e-mail address.")
    password = serializers.CharField(trim_whitespace=False, write_only=True)
    otp_token = serializers.CharField(
        required=False, allow_blank=True, write_only=True,
        help_text="Programme admins and regional leads only: the 6-digit code from their "
                  "authenticator app. Others leave it out.",
    )

    def validate(self, attrs):
        request = self.context.get("request")
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            # django-axes refused (or has just locked) this e-mail and address: its backend
            # flags the request it was given, here DRF's, which its middleware never sees.
            if getattr(request, "axes_locked_out", False):
                raise LockedOut()
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with these credentials."]}
            )
        # A token stands in for a verified session, so the second factor comes first.
        if mfa.mfa_required_for(user) and mfa.totp_verify(
            user=user, token=attrs.get("otp_token", "").replace(" ", "")
        ) is None:
            raise serializers.ValidationError({"otp_token": [mfa.WRONG_CODE]})
        attrs["user"] = user
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class UserSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), read_only=True
    )
    region_name = serializers.CharField(source="region.name", read_only=True, default=None)

    class Meta:
        model = User
        fields = [
            "id", "email", "full_name", "roles", "region", "region_name", "profession",
            "registration_body", "registration_number", "grade", "training_programme", "is_active",
        ]
        read_only_fields = fields


class MeSerializer(UserSerializer):
    sites = serializers.SerializerMethodField(help_text="The sites whose robotic privileges you lead (site_lead).")

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "sites"]
        read_only_fields = fields

    def get_sites(self, obj) -> list[int]:
        from rastrack.accounts.site_leads import led_site_ids

        return led_site_ids(obj)


class OwnDetailsSerializer(serializers.Serializer):
    """What a person may change about themself; every other field is ignored. The rules
    (free text, length, one line) are the service's."""

    grade = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False,
                                  help_text="Training grade, e.g. ST5; empty to clear.")
    training_programme = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False,
        help_text="e.g. Urology higher surgical training, London; empty to clear.")


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=150)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), min_length=1)
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), required=False, allow_null=True
    )


class InvitationSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "email", "full_name", "roles", "region", "invited_by", "created_at",
                  "expires_at", "accepted_at", "revoked_at", "status"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["open", "expired", "accepted", "revoked"]))
    def get_status(self, obj) -> str:
        if obj.accepted_at:
            return "accepted"
        if obj.revoked_at:
            return "revoked"
        return "open" if obj.is_open else "expired"


__all__ = ["Profession"]
