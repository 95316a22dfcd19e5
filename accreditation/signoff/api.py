"""Sign-off API: /api/v1/assessments/, /api/v1/assessment-tools/ and
/api/v1/signoff-requests/.

Views only translate: selectors scope and blind what a caller sees (404 outside the scope),
`RoleRequired` refuses roles that may never use an endpoint or action (403), services decide
the rest (400 per field, 403, 409).

Score errors are per domain under `scores`: `{"scores": {"autonomy": ["Enter a whole number
from 1 to 5."], "speed": ["Unknown domain for GEARS: use ..."]}}`; a `scores` that is not an
object at all is `{"scores": ["..."]}`.
"""

from __future__ import annotations

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accreditation.signoff import selectors, services
from accreditation.signoff.fields import ScoresField
from accreditation.signoff.models import (
    Assessment,
    AssessmentDomain,
    AssessmentTool,
    SignoffRequest,
    SignoffStatus,
    SignoffTarget,
    SupervisionLevel,
)
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.accounts.trainee_scope import trainees_visible_to
from rastrack.core.edges import MAX_INT
from rastrack.core.free_text import MAX_TEXT
from rastrack.core.permissions import (
    ActionRolesMixin,
    ScopedViewSetMixin,
    get_visible_or_404,
)

ADMIN, LEAD, TRAINER, TRAINEE = (Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD, Role.TRAINER, Role.TRAINEE)
READERS = (ADMIN, LEAD, TRAINER, TRAINEE)

# --- Assessment tools ----------------------------------------------------------------------------


class AssessmentDomainSerializer(serializers.ModelSerializer):
    anchors = serializers.DictField(child=serializers.CharField(), read_only=True,
                                    help_text="What a score means: {\"1\": \"...\", \"3\": \"...\"}.")
    min = serializers.IntegerField(source="tool.scale_min", read_only=True)
    max = serializers.IntegerField(source="tool.scale_max", read_only=True)

    class Meta:
        model = AssessmentDomain
        fields = ["code", "name", "description", "order", "min", "max", "anchors"]
        read_only_fields = fields


class AssessmentToolSerializer(serializers.ModelSerializer):
    domains = AssessmentDomainSerializer(many=True, read_only=True)
    total_min = serializers.IntegerField(read_only=True)
    total_max = serializers.IntegerField(read_only=True)
    total_range = serializers.SerializerMethodField(help_text="[lowest, highest] total.")
    published = serializers.SerializerMethodField(help_text="A published version never changes.")

    class Meta:
        model = AssessmentTool
        fields = ["code", "name", "version", "description", "scale_min", "scale_max", "total_min", "total_max",
                  "total_range", "total_meaningful", "published", "domains"]
        read_only_fields = fields

    def get_total_range(self, obj) -> list[int]:
        return [obj.total_min, obj.total_max]

    def get_published(self, obj) -> bool:
        return obj.published_at is not None


class AssessmentToolViewSet(viewsets.ReadOnlyModelViewSet):
    """The assessment tools in use (GEARS, the entrustment scale, ...): their domains and scale.
    Tools are data: new ones are added in Django admin. Readable by everyone signed in."""

    serializer_class = AssessmentToolSerializer
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self):
        return selectors.assessment_tools()


# --- Assessments ---------------------------------------------------------------------------------


LEVELS = [numeral for numeral in SupervisionLevel.names]


class StepLevelSerializer(serializers.Serializer):
    step = serializers.IntegerField(help_text="A procedure step id the trainee did in the case.")
    level = serializers.ChoiceField(choices=LEVELS, help_text="ISCP 2021 supervision level, I-V.")


class StepLevelReadSerializer(serializers.Serializer):
    step = serializers.IntegerField(source="step_id")
    step_name = serializers.CharField(source="step.name")
    level = serializers.SerializerMethodField()
    level_label = serializers.SerializerMethodField()

    def get_level(self, obj) -> str:
        return SupervisionLevel.numeral(obj.level)

    def get_level_label(self, obj) -> str:
        return SupervisionLevel(obj.level).label


@extend_schema_field(StepLevelSerializer(many=True))
class StepLevelsField(serializers.JSONField):
    """Any JSON in, so that the service can say which row is wrong."""


class AssessmentSerializer(serializers.ModelSerializer):
    trainee_name = serializers.CharField(source="trainee.full_name", read_only=True)
    assessor_name = serializers.CharField(source="assessor.full_name", read_only=True)
    tool = serializers.SlugRelatedField(slug_field="code", read_only=True)
    tool_name = serializers.CharField(source="tool.name", read_only=True)
    blinded = serializers.BooleanField(
        read_only=True, help_text="True while the other side's rating of the case is hidden from you: "
                                  "scores, total and feedback are then null / empty.")
    scores = ScoresField(source="visible_scores", read_only=True, allow_null=True)
    total = serializers.IntegerField(source="visible_total", read_only=True, allow_null=True)
    feedback = serializers.CharField(source="visible_feedback", read_only=True)
    entrustment = serializers.SerializerMethodField(help_text="ISCP 2021 supervision level I-V, or null "
                                                              "(none given, or blinded).")
    entrustment_label = serializers.SerializerMethodField()
    step_entrustment = serializers.SerializerMethodField(help_text="Per step of the case; empty while blinded.")
    competency_key = serializers.CharField(source="competency.key", read_only=True, allow_null=True, default=None)
    competency_title = serializers.CharField(source="competency.title", read_only=True, allow_null=True,
                                             default=None)

    class Meta:
        model = Assessment
        fields = ["id", "trainee", "trainee_name", "assessor", "assessor_name", "tool", "tool_name", "case",
                  "competency", "competency_key", "competency_title",
                  "date", "mode", "is_self", "blinded", "scores", "total", "entrustment", "entrustment_label",
                  "step_entrustment", "feedback", "blind_until", "created_at"]
        read_only_fields = fields

    def get_entrustment(self, obj) -> str | None:
        return SupervisionLevel.numeral(obj.visible_entrustment)

    def get_entrustment_label(self, obj) -> str | None:
        return None if obj.visible_entrustment is None else SupervisionLevel(obj.visible_entrustment).label

    @extend_schema_field(StepLevelReadSerializer(many=True))
    def get_step_entrustment(self, obj) -> list:
        if obj.blinded:
            return []
        return StepLevelReadSerializer(obj.step_levels.all(), many=True).data


class AssessmentCreateSerializer(serializers.Serializer):
    trainee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        help_text="The trainee assessed; yourself for a self-assessment of one of your cases.")
    tool = serializers.SlugField(max_length=20, help_text="The tool's code, e.g. gears (see /api/v1/assessment-tools/).")
    scores = ScoresField()
    case = serializers.IntegerField(required=False, allow_null=True,
                                    help_text="One of the trainee's submitted or validated cases; "
                                              "required for a self-assessment.")
    date = serializers.DateField(required=False, help_text="Default: the case's date, or today.")
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                     help_text="Feedback (or, for a self-assessment, reflection). "
                                               "No patient-identifiable data.")
    mode = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                 help_text="live (default), video, simulator or dry_lab.")
    entrustment = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=5,
                                        help_text="Global ISCP 2021 supervision level, I-V.")
    step_entrustment = StepLevelsField(
        required=False, allow_null=True,
        help_text='Per step the trainee did in the case: [{"step": id, "level": "I"-"V"}, ...].')
    competency = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_INT,
        help_text="The competency assessed (id, of a published framework): an entrustment requirement on "
                  "a competency counts only assessments of it.")


class CalibrationSideSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assessor = serializers.IntegerField()
    assessor_name = serializers.CharField()
    date = serializers.DateField()
    scores = ScoresField()
    total = serializers.IntegerField()


class CalibrationPairSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    tool = serializers.CharField()
    date = serializers.DateField()
    self_assessment = CalibrationSideSerializer()
    trainer_assessment = CalibrationSideSerializer()
    difference = serializers.DictField(child=serializers.IntegerField(),
                                       help_text="Self minus trainer, per domain (positive: rated higher by "
                                                 "the trainee).")
    total_difference = serializers.IntegerField()


class CalibrationSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    revealed = serializers.BooleanField(help_text="Both sides have rated the case and you may see both.")
    pairs = CalibrationPairSerializer(many=True)


class CalibrationHistorySerializer(serializers.Serializer):
    trainee = serializers.IntegerField()
    pairs = CalibrationPairSerializer(many=True)


def _side(a: Assessment) -> dict:
    return {"id": a.pk, "assessor": a.assessor_id, "assessor_name": a.assessor.full_name, "date": a.date,
            "scores": a.visible_scores, "total": a.visible_total}


def _pair_data(pair: selectors.CalibrationPair) -> dict:
    return {"case": pair.self_assessment.case_id, "tool": pair.self_assessment.tool.code, "date": pair.date,
            "self_assessment": _side(pair.self_assessment),
            "trainer_assessment": _side(pair.trainer_assessment),
            "difference": pair.difference, "total_difference": pair.total_difference}


class AssessmentFilter(filters.FilterSet):
    tool = filters.CharFilter(field_name="tool__code", help_text="The tool's code, e.g. gears.")
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")
    blinded = filters.BooleanFilter(help_text="Hidden from you for now (blinded) or not.")
    total_min = filters.NumberFilter(method="filter_total_min",
                                     help_text="Total at least this; blinded assessments never match.")

    class Meta:
        model = Assessment
        fields = ["trainee", "assessor", "case", "tool", "is_self", "blinded", "date_from", "date_to",
                  "total_min"]

    def filter_total_min(self, queryset, name, value):
        return queryset.filter(blinded=False, visible_total__gte=value)


class AssessmentViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                        mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Assessments with a tool (GEARS, entrustment level, ...), and blinded self-assessments.

    Created by a trainer for a trainee they may supervise (403 otherwise), or by a trainee for
    one of their own cases (`trainee` = themself, `case` required: `is_self` true). While
    one side has rated a case and the other has not (and the trainer's rating is not final,
    `blind_until`), the other side sees the row with `blinded: true` and no scores, total or
    feedback; this holds for the list, every filter, the detail and the calibration. The
    trainee's own view, trainers of supervised trainees, the regional lead of the trainee's
    region and programme admins may read (others: 404; lab managers: 403).
    """

    model = Assessment
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    action_roles = {"list": READERS, "retrieve": READERS, "calibration": READERS,
                    "calibration_history": READERS, "create": (TRAINER, TRAINEE)}

    def visible_queryset(self, user):
        return selectors.assessments_visible_to(user)

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def create(self, request, *args, **kwargs):
        body = self.validated(AssessmentCreateSerializer)
        data = body
        assessment = services.assessment_create(
            actor=request.user, trainee=data["trainee"], tool=data["tool"], scores=data["scores"],
            case=data.get("case"), date=data.get("date"), feedback=data.get("feedback", ""),
            mode=data.get("mode"), entrustment=data.get("entrustment"),
            step_entrustment=data.get("step_entrustment"), competency=data.get("competency"))
        fresh = self.visible_queryset(request.user).get(pk=assessment.pk)
        return Response(AssessmentSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=CalibrationSerializer)
    @action(detail=True, methods=["get"], filterset_class=None)
    def calibration(self, request, pk=None):
        """Self-assessment against the trainer's, per domain, once both exist (else `revealed`
        is false and `pairs` empty)."""
        assessment = self.get_object()
        pairs = selectors.calibration_of(request.user, assessment)
        return Response({"assessment": assessment.pk, "revealed": bool(pairs),
                         "pairs": [_pair_data(p) for p in pairs]})

    @extend_schema(operation_id="assessments_calibration_history",
                   parameters=[OpenApiParameter("trainee", int, required=False, description="Default: yourself.")],
                   responses=CalibrationHistorySerializer)
    @action(detail=False, methods=["get"], url_path="calibration", url_name="calibration-history",
            filterset_class=None, pagination_class=None)
    def calibration_history(self, request):
        """Every revealed self/trainer pair of a trainee, oldest first: the calibration over time."""
        trainee_id = request.query_params.get("trainee")
        trainee = request.user if trainee_id in (None, "") else get_visible_or_404(
            trainees_visible_to(request.user), trainee_id)
        pairs = selectors.calibration_history(request.user, trainee)
        return Response({"trainee": trainee.pk, "pairs": [_pair_data(p) for p in pairs]})


# --- Sign-off requests ---------------------------------------------------------------------------


class SignoffRequestSerializer(serializers.ModelSerializer):
    trainee_name = serializers.CharField(source="trainee.full_name", read_only=True)
    trainer_name = serializers.CharField(source="trainer.full_name", read_only=True)
    competency_key = serializers.SerializerMethodField(help_text="Stable across framework versions.")
    pathway = serializers.SerializerMethodField(help_text="The pathway of a component or final sign-off.")
    target_label = serializers.CharField(read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True,
                                       help_text="Pending and past `due_on`.")
    evidence_cases = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    evidence_simulator_sessions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    evidence_assessments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    evidence_elearning_completions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = SignoffRequest
        fields = ["id", "trainee", "trainee_name", "trainer", "trainer_name", "target", "competency",
                  "competency_key", "component", "enrolment", "pathway", "target_label", "evidence_cases",
                  "evidence_simulator_sessions", "evidence_assessments", "evidence_elearning_completions",
                  "note", "status", "due_on", "overdue", "created_at", "decided_at", "decided_by", "feedback",
                  "reversed_at", "reversed_by", "reversal_reason", "withdrawn_at"]
        read_only_fields = fields

    def get_competency_key(self, obj) -> str | None:
        return obj.competency.key if obj.competency_id else None

    def get_pathway(self, obj) -> int | None:
        if obj.component_id:
            return obj.component.module.pathway_id
        if obj.enrolment_id:
            return obj.enrolment.pathway_id
        return None


def _ids(help_text: str):
    return serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                 max_length=services.MAX_EVIDENCE, help_text=help_text)


class SignoffRequestCreateSerializer(serializers.Serializer):
    competency = serializers.IntegerField(required=False, allow_null=True,
                                          help_text="A competency to sign off (give exactly one target).")
    component = serializers.IntegerField(required=False, allow_null=True,
                                         help_text="A module component of a pathway you are enrolled on.")
    enrolment = serializers.IntegerField(
        required=False, allow_null=True,
        help_text="Your enrolment, for the final sign-off of its pathway (once every other requirement is met).")
    trainer = serializers.IntegerField(help_text="User id of a trainer who may supervise you.")
    evidence_cases = _ids("Ids of your own submitted or validated cases; may be empty.")
    evidence_simulator_sessions = _ids("Ids of your own simulator sessions.")
    evidence_assessments = _ids("Ids of assessments of you (including your self-assessments).")
    evidence_elearning_completions = _ids("Ids of your own e-learning completions.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                 help_text="A note to the trainer. No patient-identifiable data.")


class ApproveSerializer(serializers.Serializer):
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)


class ReturnSerializer(serializers.Serializer):
    feedback = serializers.CharField(max_length=MAX_TEXT, help_text="What is missing or needs doing.")


class ReverseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_TEXT, help_text="Why the approval is reversed.")


class SignoffRequestFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=SignoffStatus.choices)
    target = filters.ChoiceFilter(choices=SignoffTarget.choices)
    overdue = filters.BooleanFilter(method="filter_overdue", help_text="Pending and past due.")

    class Meta:
        model = SignoffRequest
        fields = ["status", "target", "trainee", "trainer", "competency", "component", "enrolment", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status": SignoffStatus.PENDING, "due_on__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class ReassignSerializer(serializers.Serializer):
    trainer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class SignoffRequestViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                            mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sign-off requests: a trainee asks a trainer who may supervise them to sign off a
    competency, a module component, or the final sign-off of a pathway (an enrolment).

    A second request for the same target (a competency by its key, across framework versions)
    while one is pending or after one was approved: 409. The addressed trainer approves
    (optional feedback) or returns (feedback required); a decision is final (409 after); a
    trainer who may no longer supervise the trainee, or anyone else, gets 403. A programme
    admin may reverse an approval (reason required). The trainee may withdraw a pending
    request. Readers: the trainee, the addressed trainer, trainers of supervised trainees,
    the regional lead of the trainee's region, programme admins (others: 404).
    """

    model = SignoffRequest
    serializer_class = SignoffRequestSerializer
    filterset_class = SignoffRequestFilter
    action_roles = {"list": READERS, "retrieve": READERS, "create": (TRAINEE,), "approve": (TRAINER,),
                    "return_": (TRAINER,), "reverse": (ADMIN,), "withdraw": (TRAINEE,), "queue": (TRAINER,),
                    "reassign": (ADMIN, LEAD)}

    def visible_queryset(self, user):
        return selectors.signoff_requests_visible_to(user)

    @extend_schema(request=SignoffRequestCreateSerializer, responses={201: SignoffRequestSerializer})
    def create(self, request, *args, **kwargs):
        body = self.validated(SignoffRequestCreateSerializer)
        data = body
        created = services.signoff_request_create(
            trainee=request.user, trainer=data["trainer"], competency=data.get("competency"),
            component=data.get("component"), enrolment=data.get("enrolment"),
            evidence_cases=data.get("evidence_cases", []),
            evidence_simulator_sessions=data.get("evidence_simulator_sessions", []),
            evidence_assessments=data.get("evidence_assessments", []),
            evidence_elearning_completions=data.get("evidence_elearning_completions", []),
            note=data.get("note", ""))
        return self.answer(created, status.HTTP_201_CREATED)

    @extend_schema(request=ApproveSerializer, responses=SignoffRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve (the addressed trainer; optional feedback)."""
        obj = self.get_object()
        body = self.validated(ApproveSerializer)
        services.signoff_request_approve(request=obj, actor=request.user,
                                         feedback=body.get("feedback", ""))
        return self.answer(obj)

    @extend_schema(request=ReturnSerializer, responses=SignoffRequestSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Return with feedback (the addressed trainer; feedback required)."""
        obj = self.get_object()
        body = self.validated(ReturnSerializer)
        services.signoff_request_return(request=obj, actor=request.user, feedback=body["feedback"])
        return self.answer(obj)

    @extend_schema(request=ReverseSerializer, responses=SignoffRequestSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Reverse an approval (a programme admin; reason required): not signed off any more."""
        obj = self.get_object()
        body = self.validated(ReverseSerializer)
        services.signoff_request_reverse(request=obj, actor=request.user, reason=body["reason"])
        return self.answer(obj)

    @extend_schema(request=ReassignSerializer, responses=SignoffRequestSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """Hand an overdue request to another trainer who may supervise the trainee (the
        trainee's regional lead or a programme admin); the due date starts again."""
        from accreditation.signoff.workflows import signoff_request_reassign

        obj = self.get_object()
        body = self.validated(ReassignSerializer)
        signoff_request_reassign(request=obj, actor=request.user, trainer=body["trainer"])
        return self.answer(obj)

    @extend_schema(request=None, responses=SignoffRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a pending request (the trainee who made it)."""
        obj = self.get_object()
        services.signoff_request_withdraw(request=obj, actor=request.user)
        return self.answer(obj)

    @extend_schema(responses=SignoffRequestSerializer(many=True))
    @action(detail=False, methods=["get"], filterset_class=None)
    def queue(self, request):
        """Pending requests addressed to you, oldest first (`overdue` marks those past due)."""
        page = self.paginate_queryset(selectors.signoff_queue(request.user))
        return self.get_paginated_response(SignoffRequestSerializer(page, many=True).data)


# --- Blinded video reviews -----------------------------------------------------------------------
