"""The centres API: /api/v1/centres/ (with /{id}/feedback/, the aggregate),
/api/v1/courses/, /api/v1/centre-accreditations/ (with /{id}/withdraw/),
/api/v1/accreditation-schemes/ (criteria as data), /api/v1/annual-returns/ (with /{id}/submit/
and /{id}/review/) and /api/v1/feedback/ (a trainee's own).

Views only translate: selectors scope, services decide (403, 400 per field, 409)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from labs.centres import feedback as feedback_rules
from labs.centres import selectors, services
from labs.centres.criteria import criteria_check
from labs.centres.models import (
    AccreditationScheme,
    AnnualReturn,
    AnnualReturnStatus,
    Centre,
    CentreAccreditation,
    Course,
    CourseKind,
    Feedback,
    SchemeCriterion,
)
from labs.models import Lab, LabSession
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.free_text import MAX_TEXT
from rastrack.core.permissions import SIGNED_IN, ActionRolesMixin, ScopedViewSetMixin
from rastrack.reference.models import Platform, Site

ADMIN, LEAD, MANAGER, TRAINER, TRAINEE = (Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD, Role.LAB_MANAGER,
                                          Role.TRAINER, Role.TRAINEE)


class AccreditationBriefSerializer(serializers.ModelSerializer):
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)

    class Meta:
        model = CentreAccreditation
        fields = ["id", "scheme", "scheme_name", "status", "accredited_on", "expires_on"]
        read_only_fields = fields


class CentreSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    lab = serializers.PrimaryKeyRelatedField(queryset=Lab.objects.all(), required=False, allow_null=True)
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), required=False, allow_null=True)
    leads = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True,
                                               required=False)
    accreditations = AccreditationBriefSerializer(many=True, read_only=True)
    courses = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Centre
        fields = ["id", "name", "kind", "lab", "site", "region", "region_name", "leads", "accreditations",
                  "courses"]
        read_only_fields = ["kind", "region"]


class CourseSerializer(serializers.ModelSerializer):
    centre = serializers.PrimaryKeyRelatedField(queryset=Centre.objects.all())
    kind = serializers.ChoiceField(choices=CourseKind.choices)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True)
    sessions = serializers.PrimaryKeyRelatedField(queryset=LabSession.objects.all(), many=True, required=False)
    accreditations = AccreditationBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Course
        fields = ["id", "centre", "title", "kind", "platform", "sessions", "accreditations"]


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchemeCriterion
        fields = ["figure", "minimum", "description"]
        read_only_fields = fields


class SchemeSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = AccreditationScheme
        fields = ["id", "code", "name", "applies_to", "period_years", "description", "criteria"]
        read_only_fields = fields


class CentreAccreditationSerializer(serializers.ModelSerializer):
    scheme = serializers.PrimaryKeyRelatedField(queryset=AccreditationScheme.objects.all())
    centre = serializers.PrimaryKeyRelatedField(queryset=Centre.objects.all(), required=False, allow_null=True)
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all(), required=False, allow_null=True)
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    holder_name = serializers.SerializerMethodField()
    expires_on = serializers.DateField(required=False, help_text="Default: the scheme's period (3 years).")

    class Meta:
        model = CentreAccreditation
        fields = ["id", "scheme", "scheme_name", "centre", "course", "holder_name", "status", "accredited_on",
                  "expires_on"]
        read_only_fields = ["status"]

    def get_holder_name(self, obj) -> str:
        return str(obj.holder)


class AnnualReturnSerializer(serializers.ModelSerializer):
    accreditation = AccreditationBriefSerializer(read_only=True)
    centre = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()

    class Meta:
        model = AnnualReturn
        fields = ["id", "accreditation", "centre", "year", "due_on", "status", "figures", "narrative",
                  "submitted_at", "reviewed_at", "review_note", "criteria"]
        read_only_fields = fields

    def get_centre(self, obj) -> int:
        return obj.accreditation.holder_centre.pk

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_criteria(self, obj):
        return criteria_check(obj.accreditation.scheme, obj.figures or {})


class AnnualReturnSubmitSerializer(serializers.Serializer):
    figures = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=services.MAX_FIGURE),
                                    help_text="figure code -> whole number (see the scheme's criteria).")
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)


class AnnualReturnReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[AnnualReturnStatus.ACCEPTED, AnnualReturnStatus.RETURNED])
    note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)


class FeedbackSerializer(serializers.ModelSerializer):
    session = serializers.PrimaryKeyRelatedField(queryset=LabSession.objects.all(), required=False, allow_null=True)
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all(), required=False, allow_null=True)
    overall = serializers.IntegerField(min_value=1, max_value=5)
    content = serializers.IntegerField(min_value=1, max_value=5)
    faculty = serializers.IntegerField(min_value=1, max_value=5)
    facilities = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)

    class Meta:
        model = Feedback
        fields = ["id", "session", "course", "overall", "content", "faculty", "facilities", "would_recommend",
                  "comment", "created_at"]
        read_only_fields = ["created_at"]


class CentreViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                    mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Accredited centres (a lab or a training hospital): everyone signed in reads them;
    programme admins add them. `feedback` is the trainees' feedback in aggregate."""

    model = Centre
    serializer_class = CentreSerializer
    filterset_fields = ["region", "kind"]
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": (ADMIN,), "feedback": SIGNED_IN}

    def visible_queryset(self, user):
        return selectors.centres_visible_to(user)

    def create(self, request, *args, **kwargs):
        data = self.validated(CentreSerializer)
        centre = services.centre_create(actor=request.user, **data)
        return self.answer(centre, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def feedback(self, request, pk=None):
        """Counts always; means only once FEEDBACK_MIN_RESPONSES answered; never one person's."""
        return Response(feedback_rules.centre_feedback_summary(viewer=request.user, centre=self.get_object()))


class CourseViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                    mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Courses of the centres (train-the-trainer, platform, team): read by everyone signed
    in; added by the centre's leads or a programme admin."""

    model = Course
    serializer_class = CourseSerializer
    filterset_fields = ["centre", "kind", "platform"]
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": SIGNED_IN}

    def visible_queryset(self, user):
        return selectors.courses_visible_to(user)

    def create(self, request, *args, **kwargs):
        data = self.validated(CourseSerializer)
        course = services.course_create(actor=request.user, **data)
        return self.answer(course, status.HTTP_201_CREATED)


class SchemeViewSet(ActionRolesMixin, viewsets.ReadOnlyModelViewSet):
    """Accreditation schemes and their criteria (data, edited in the audited Django admin)."""

    queryset = AccreditationScheme.objects.prefetch_related("criteria").order_by("name", "id")
    serializer_class = SchemeSerializer
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN}


class CentreAccreditationViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                                 mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Accreditation of centres and courses: read by everyone signed in; granted and withdrawn
    by programme admins. Granting makes the annual returns due on each anniversary."""

    model = CentreAccreditation
    serializer_class = CentreAccreditationSerializer
    filterset_fields = ["scheme", "centre", "course", "status"]
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": (ADMIN,), "withdraw": (ADMIN,)}

    def visible_queryset(self, user):
        return selectors.centre_accreditations_visible_to(user)

    def create(self, request, *args, **kwargs):
        data = self.validated(CentreAccreditationSerializer)
        accreditation = services.centre_accreditation_grant(actor=request.user, **data)
        return self.answer(accreditation, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CentreAccreditationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        accreditation = services.centre_accreditation_withdraw(actor=request.user, accreditation=self.get_object())
        return self.answer(accreditation)


class AnnualReturnViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Annual returns: the centre's leads submit the figures, a programme admin accepts or
    returns them. Read by the centre's leads, its regional lead and programme admins (others:
    404); `criteria` checks the figures against the scheme's criteria."""

    model = AnnualReturn
    serializer_class = AnnualReturnSerializer
    filterset_fields = ["status"]
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "submit": SIGNED_IN, "review": (ADMIN,)}

    def visible_queryset(self, user):
        return selectors.annual_returns_visible_to(user)

    @extend_schema(request=AnnualReturnSubmitSerializer, responses=AnnualReturnSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        annual_return = self.get_object()
        data = self.validated(AnnualReturnSubmitSerializer)
        services.annual_return_submit(actor=request.user, annual_return=annual_return, **data)
        return self.answer(annual_return)

    @extend_schema(request=AnnualReturnReviewSerializer, responses=AnnualReturnSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        annual_return = self.get_object()
        data = self.validated(AnnualReturnReviewSerializer)
        services.annual_return_review(actor=request.user, annual_return=annual_return, **data)
        return self.answer(annual_return)


class FeedbackViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                      viewsets.GenericViewSet):
    """A trainee's own feedback on sessions they attended and courses (others read it only
    in aggregate, at /api/v1/centres/{id}/feedback/)."""

    model = Feedback
    serializer_class = FeedbackSerializer
    action_roles = {"list": (TRAINEE,), "create": (TRAINEE,)}

    def visible_queryset(self, user):
        return Feedback.objects.filter(trainee=user).order_by("-created_at", "-id")

    def create(self, request, *args, **kwargs):
        data = self.validated(FeedbackSerializer)
        feedback = feedback_rules.feedback_give(trainee=request.user, **data)
        return self.answer(feedback, status.HTTP_201_CREATED)
