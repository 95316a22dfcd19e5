"""The privileges API: /api/v1/privileges/ (request, decisions), /api/v1/privilege-rules/,
/api/v1/procedure-groups/, /api/v1/proctor-reports/ and GET /api/v1/clearance/.

Views only translate: selectors scope what a caller sees (404 outside it), `action_roles`
refuses roles that may never use an action (403), services decide the rest.
"""

from __future__ import annotations

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accreditation.privileges import proctoring, selectors, services
from accreditation.privileges.clearance import clearance
from accreditation.privileges.models import (
    CHECKLIST,
    Privilege,
    PrivilegeRules,
    PrivilegeStatus,
    ProcedureGroup,
    ProctorReport,
    Recommendation,
)
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.free_text import MAX_TEXT
from rastrack.core.permissions import SIGNED_IN, ActionRolesMixin, ScopedViewSetMixin
from rastrack.core.pii import NoPIIValidator
from rastrack.reference.models import Platform, Procedure, Site

ADMIN, SITE_LEAD, TRAINER = Role.PROGRAMME_ADMIN, Role.SITE_LEAD, Role.TRAINER
DECIDERS = (ADMIN, SITE_LEAD)


class PrivilegeSerializer(serializers.ModelSerializer):
    surgeon_name = serializers.CharField(source="surgeon.full_name", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)
    procedure_group_name = serializers.CharField(source="procedure_group.name", read_only=True)
    proctor_name = serializers.CharField(source="proctor.full_name", read_only=True, default=None)

    class Meta:
        model = Privilege
        fields = ["id", "surgeon", "surgeon_name", "site", "site_name", "platform", "procedure_group",
                  "procedure_group_name", "status", "requested_on", "granted_on", "full_on", "ended_on",
                  "review_due_on", "proctor", "proctor_name", "status_reason", "status_changed_at", "decided_by",
                  "evidence"]
        read_only_fields = fields


class PrivilegeRequestSerializer(serializers.Serializer):
    surgeon = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False,
        help_text="Default: yourself. The site's robotic lead or a programme admin may file it for a surgeon.")
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all())
    platform = serializers.ChoiceField(choices=Platform.choices)
    procedure_group = serializers.PrimaryKeyRelatedField(queryset=ProcedureGroup.objects.filter(active=True))


class PrivilegeReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_TEXT, validators=[NoPIIValidator()],
                                   help_text="Why: shown to the surgeon and kept in the audit trail.")


class PrivilegeOptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                   validators=[NoPIIValidator()])


class GrantProvisionalSerializer(PrivilegeOptionalReasonSerializer):
    proctor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True,
        help_text="A trainer accredited on the platform; assign one later with assign_proctor otherwise.")


class AssignProctorSerializer(serializers.Serializer):
    proctor = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class PrivilegeFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=PrivilegeStatus.choices)
    platform = filters.ChoiceFilter(choices=Platform.choices)

    class Meta:
        model = Privilege
        fields = ["status", "platform", "site", "surgeon", "procedure_group"]


class PrivilegeViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                       mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Robotic privileges per surgeon, site, platform and procedure group.

    Listed for any signed-in person: their own (and those they proctor); site robotic leads
    their sites'; regional leads their region's; programme admins all. A surgeon requests
    (POST, for themself). The site's robotic lead or a programme admin decides: grant_provisional
    (proctored), grant_full (409 naming every site rule unmet), suspend and revoke (reason
    required), reinstate; never their own (403). A transition the state machine refuses: 409.
    """

    model = Privilege
    serializer_class = PrivilegeSerializer
    filterset_class = PrivilegeFilter
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": SIGNED_IN,
                    "grant_provisional": DECIDERS, "grant_full": DECIDERS, "suspend": DECIDERS,
                    "reinstate": DECIDERS, "revoke": DECIDERS, "assign_proctor": DECIDERS}

    def visible_queryset(self, user):
        return selectors.privileges_visible_to(user)

    @extend_schema(request=PrivilegeRequestSerializer, responses={201: PrivilegeSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated(PrivilegeRequestSerializer)
        surgeon = data.pop("surgeon", None) or request.user
        privilege = services.privilege_request(actor=request.user, surgeon=surgeon, **data)
        return self.answer(privilege, status.HTTP_201_CREATED)

    def _decide(self, service, body_serializer):
        privilege = self.get_object()
        data = self.validated(body_serializer)
        service(privilege=privilege, actor=self.request.user, **data)
        return self.answer(privilege)

    @extend_schema(request=GrantProvisionalSerializer, responses=PrivilegeSerializer)
    @action(detail=True, methods=["post"])
    def grant_provisional(self, request, pk=None):
        """requested -> provisional: operating under a proctor."""
        return self._decide(services.privilege_grant_provisional, GrantProvisionalSerializer)

    @extend_schema(request=PrivilegeOptionalReasonSerializer, responses=PrivilegeSerializer)
    @action(detail=True, methods=["post"])
    def grant_full(self, request, pk=None):
        """requested | provisional -> full, when the evidence meets every site rule."""
        return self._decide(services.privilege_grant_full, PrivilegeOptionalReasonSerializer)

    @extend_schema(request=PrivilegeReasonSerializer, responses=PrivilegeSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """provisional | full -> suspended, at once."""
        return self._decide(services.privilege_suspend, PrivilegeReasonSerializer)

    @extend_schema(request=PrivilegeOptionalReasonSerializer, responses=PrivilegeSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        """suspended -> the status it had."""
        return self._decide(services.privilege_reinstate, PrivilegeOptionalReasonSerializer)

    @extend_schema(request=PrivilegeReasonSerializer, responses=PrivilegeSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Any open privilege (or a request, declined) -> revoked, for good."""
        return self._decide(services.privilege_revoke, PrivilegeReasonSerializer)

    @extend_schema(request=AssignProctorSerializer, responses=PrivilegeSerializer)
    @action(detail=True, methods=["post"])
    def assign_proctor(self, request, pk=None):
        """The proctor of a provisional privilege (a trainer accredited on its platform)."""
        return self._decide(services.privilege_assign_proctor, AssignProctorSerializer)


# --- Rules and procedure groups ------------------------------------------------------------------


class PrivilegeRulesSerializer(serializers.ModelSerializer):
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), allow_null=True, required=False,
                                              help_text="Empty: the defaults (programme admins only).")

    class Meta:
        model = PrivilegeRules
        fields = ["id", "site", *services.RULE_FIELDS, "updated_at"]
        read_only_fields = ["id", "updated_at"]


class PrivilegeRulesViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                            mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """A site's privilege rules (the row without a site: the defaults every other site follows).
    Readable by every signed-in person; a site's robotic lead sets their site's (create it,
    then PATCH), a programme admin any. A second row for a site: 409."""

    model = PrivilegeRules
    serializer_class = PrivilegeRulesSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": DECIDERS, "partial_update": DECIDERS}

    def visible_queryset(self, user):
        return selectors.privilege_rules_visible_to(user)

    def create(self, request, *args, **kwargs):
        data = self.validated(PrivilegeRulesSerializer)
        site = data.pop("site", None)
        if PrivilegeRules.objects.filter(site=site).exists():
            from rastrack.core.exceptions import Conflict

            raise Conflict("This site has its rules already: change them with PATCH.")
        rules = services.privilege_rules_set(actor=request.user, site=site, values=data)
        return self.answer(rules, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        rules = self.get_object()
        body = PrivilegeRulesSerializer(rules, data=request.data, partial=True, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        values = {k: v for k, v in body.validated_data.items() if k != "site"}
        services.privilege_rules_set(actor=request.user, site=rules.site, values=values)
        return self.answer(rules)


class ProcedureGroupSerializer(serializers.ModelSerializer):
    procedures = serializers.PrimaryKeyRelatedField(many=True, queryset=Procedure.objects.all())

    class Meta:
        model = ProcedureGroup
        fields = ["id", "code", "name", "procedures", "active"]


class ProcedureGroupViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                            mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Named sets of catalogue procedures, the unit of a privilege: readable by everyone signed
    in, edited by programme admins."""

    model = ProcedureGroup
    serializer_class = ProcedureGroupSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": (ADMIN,), "partial_update": (ADMIN,)}

    def visible_queryset(self, user):
        return selectors.procedure_groups()

    def create(self, request, *args, **kwargs):
        data = self.validated(ProcedureGroupSerializer)
        group = services.procedure_group_save(actor=request.user, group=None, **data)
        return self.answer(group, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        group = self.get_object()
        body = ProcedureGroupSerializer(group, data=request.data, partial=True, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        services.procedure_group_save(actor=request.user, group=group, **body.validated_data)
        return self.answer(group)


# --- Proctor reports -----------------------------------------------------------------------------


class ProctorReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProctorReport
        fields = ["id", "privilege", "case", "proctor", "tool", "checklist", "scores", "total", "recommendation",
                  "comments", "created_at"]
        read_only_fields = fields


class ProctorReportCreateSerializer(serializers.Serializer):
    privilege = serializers.PrimaryKeyRelatedField(queryset=Privilege.objects.none())
    case = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    checklist = serializers.JSONField(help_text="Each item true or false: " + ", ".join(c for c, _ in CHECKLIST))
    scores = serializers.JSONField(help_text="Keyed by the tool's domain codes (GEARS by default).")
    tool = serializers.CharField(required=False, default="gears", max_length=30)
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    comments = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                     validators=[NoPIIValidator()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["privilege"].queryset = selectors.privileges_visible_to(request.user)


class ProctorReportViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                           mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Proctor reports, one per proctored case, filed by the privilege's assigned proctor
    (others 403). "not_safe" suspends the privilege at once and tells the site lead. Seen by
    whoever sees the privilege."""

    model = ProctorReport
    serializer_class = ProctorReportSerializer
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": (TRAINER,)}

    def visible_queryset(self, user):
        return selectors.proctor_reports_visible_to(user)

    @extend_schema(request=ProctorReportCreateSerializer, responses={201: ProctorReportSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated(ProctorReportCreateSerializer)
        report = proctoring.proctor_report_create(actor=request.user, **data)
        return self.answer(report, status.HTTP_201_CREATED)


# --- Clearance ------------------------------------------------------------------------------------


class ClearanceQuerySerializer(serializers.Serializer):
    surgeon = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    site = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    platform = serializers.ChoiceField(choices=Platform.choices)
    procedure = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    on = serializers.DateField(required=False, help_text="Default: today.")


class ClearanceSerializer(serializers.Serializer):
    cleared = serializers.BooleanField()
    privilege = serializers.IntegerField(allow_null=True)
    supervision = serializers.ChoiceField(choices=[("none", "none"), ("proctor", "proctor")])
    proctor = serializers.IntegerField(allow_null=True)
    proctor_name = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


class ClearanceView(APIView):
    """Is this surgeon cleared, at this site, on this platform, for this procedure, on this day
    (default today)? Under what supervision, and why not otherwise. Asked by the surgeon, the
    site's robotic lead, the site's regional lead or a programme admin (others: 404)."""

    @extend_schema(operation_id="clearance_retrieve", parameters=[ClearanceQuerySerializer],
                   responses=ClearanceSerializer)
    def get(self, request):
        query = ClearanceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        answer = clearance(user=request.user, surgeon=data["surgeon"], site=data["site"],
                           platform=data["platform"], procedure=data["procedure"],
                           on=data.get("on") or timezone.localdate())
        return Response(ClearanceSerializer(answer).data)
