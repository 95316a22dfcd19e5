"""Accounts API: token, me, people (with deactivate), invitations and site robotic leads."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from rastrack.accounts import selectors, services, site_leads
from rastrack.accounts.models import Invitation, SiteLeadership, User
from rastrack.accounts.roles import Role
from rastrack.accounts.serializers import (
    InvitationCreateSerializer,
    InvitationSerializer,
    MeSerializer,
    OwnDetailsSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserSerializer,
)
from rastrack.accounts.tokens import token_issue
from rastrack.core.api.throttling import ScopedRateThrottle
from rastrack.core.permissions import RoleRequired, ScopedViewSetMixin


class AccountAndAddressThrottle(ScopedRateThrottle):
    """The token endpoint's rate (`THROTTLE_AUTH`) counted per account AND client address,
    like the sign-in lockout: a hospital behind one address does not share ten attempts a
    minute, while guessing one account's password from one address is still held back."""

    def get_cache_key(self, request, view):
        import hashlib

        data = request.data if hasattr(request.data, "get") else {}
        username = str(data.get("username") or "").strip().lower()
        account = hashlib.sha256(username.encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{account}"}


class TokenView(APIView):
    """Exchange an e-mail address and password for an API token.

    Programme admins and regional leads also send `otp_token`, the code from their
    authenticator app; repeated failures lock the e-mail address from that client (429).
    """

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AccountAndAddressThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            429: OpenApiResponse(description="Too many failed attempts from this address: "
                                             '`{"detail": "..."}`; wait and try again.'),
        },
        operation_id="auth_token_create",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return Response({"token": token_issue(serializer.validated_data["user"])})


class MeView(APIView):
    """The signed-in user; PATCH sets their own grade and training programme."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(selectors.user_with_roles(request.user.pk)).data)

    @extend_schema(request=OwnDetailsSerializer, responses=MeSerializer)
    def patch(self, request):
        serializer = OwnDetailsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_update_own_details(user=request.user, **serializer.validated_data)
        return Response(MeSerializer(selectors.user_with_roles(request.user.pk)).data)


class UserViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """People in the caller's scope: everyone for programme admins, own region for leads."""

    model = User
    serializer_class = UserSerializer
    permission_classes = [
        permissions.IsAuthenticated,
        RoleRequired(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD),
    ]
    filterset_fields = ["region", "is_active"]

    def visible_queryset(self, user):
        return selectors.users_visible_to(user).order_by("full_name", "id")

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = services.user_deactivate(user=self.get_object(), actor=request.user)
        return Response(UserSerializer(selectors.user_with_roles(user.pk)).data)


class InvitationViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Invitations the caller may see: all (programme admins), their region's and their own
    (regional leads). Inviting, resending and revoking are for whoever may grant the
    invitation's roles in its region: a programme admin any, a regional lead trainees and lab
    managers in their own region; roles or a region they may not grant are a 400 naming the
    field, a visible invitation they could not have granted a 403."""

    model = Invitation
    serializer_class = InvitationSerializer
    permission_classes = [
        permissions.IsAuthenticated,
        RoleRequired(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD),
    ]

    def visible_queryset(self, user):
        return selectors.invitations_visible_to(user)

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer})
    def create(self, request):
        data = self.validated(InvitationCreateSerializer)
        invitation, _token = services.invitation_create(invited_by=request.user, **data)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """Send a pending invitation again with a fresh link and expiry (the old link stops
        working); 409 once it is accepted or revoked."""
        invitation, _token = services.invitation_resend(actor=request.user, invitation=self.get_object())
        return self.answer(invitation)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Withdraw a pending invitation: its link no longer works; 409 once it is accepted
        or revoked."""
        invitation = services.invitation_revoke(actor=request.user, invitation=self.get_object())
        return self.answer(invitation)


class SiteLeadershipSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.full_name", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)

    class Meta:
        model = SiteLeadership
        fields = ["id", "user", "user_name", "site", "site_name", "granted_by", "granted_at"]
        read_only_fields = ["id", "user_name", "site_name", "granted_by", "granted_at"]


class SiteLeadershipViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                            mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Site robotic leads: a person leads robotic privileges at a site. Granted (POST) and
    ended (`end`) by a regional lead of the site's region or a programme admin (others 403);
    listed for them: all (programme admins) or their region's sites."""

    model = SiteLeadership
    serializer_class = SiteLeadershipSerializer
    permission_classes = [permissions.IsAuthenticated, RoleRequired(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD)]

    def visible_queryset(self, user):
        qs = SiteLeadership.objects.select_related("user", "site")
        if user.has_role(Role.PROGRAMME_ADMIN):
            return qs
        return qs.filter(site__region_id=user.region_id)

    def create(self, request):
        body = SiteLeadershipSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        leadership = site_leads.site_lead_grant(actor=request.user, user=body.validated_data["user"],
                                                site=body.validated_data["site"])
        return Response(SiteLeadershipSerializer(leadership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        site_leads.site_lead_end(actor=request.user, leadership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
