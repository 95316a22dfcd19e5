from django.contrib.auth import authenticate
from rest_framework import serializers

from rastrack.accounts.models import Invitation, Profession, User
from rastrack.accounts.roles import Role
from rastrack.reference.models import Region


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.EmailField(help_text="The user's e-mail address.")
    password = serializers.CharField(trim_whitespace=False, write_only=True)

    def validate(self, attrs):
        user = authenticate(
            request=self.context.get("request"),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with these credentials."]}
            )
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
            "registration_body", "registration_number", "is_active",
        ]
        read_only_fields = fields


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
                  "expires_at", "accepted_at", "status"]
        read_only_fields = fields

    def get_status(self, obj) -> str:
        if obj.accepted_at:
            return "accepted"
        return "open" if obj.is_open else "expired"


__all__ = ["Profession"]
