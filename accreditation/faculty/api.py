"""The faculty API: /api/v1/trainer-applications/, /api/v1/accreditations/ (also the faculty
register: region, specialty, platforms, trainee load, expiry) and /api/v1/assignments/.

Views only translate: selectors scope what a caller sees (404 outside it), `RoleRequired`
refuses roles that may never use an endpoint or action (403), services decide the rest.
"""

from __future__ import annotations

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accreditation.faculty import selectors, services
from accreditation.faculty.figures import application_figures
from accreditation.faculty.models import (
    Accreditation,
    AccreditationStatus,
    ApplicationKind,
    ApplicationStatus,
    Assignment,
    AssignmentKind,
    Platform,
    TrainerApplication,
)
from accreditation.faculty.policies import can_decide_application
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.accounts.selectors import users_visible_to
from rastrack.core.free_text import MAX_TEXT
from rastrack.core.permissions import SIGNED_IN, ActionRolesMixin, ScopedViewSetMixin
from rastrack.core.pii import NoPIIValidator
from rastrack.reference.models import Specialty, Subspecialty  # noqa: F401
from rastrack.reference.specialties import legacy_code, specialty_choices_with_legacy

ADMIN, LEAD, TRAINER, TRAINEE = (Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD, Role.TRAINER, Role.TRAINEE)





class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_TEXT, validators=[NoPIIValidator()],
                                   help_text="Why: shown to the person it concerns and kept in the audit trail.")


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                   validators=[NoPIIValidator()], help_text="Optional note to the applicant.")


# --- Trainer applications ----------------------------------------------------------------------


class TrainerApplicationSerializer(serializers.ModelSerializer):
    applicant_name = serializers.CharField(source="applicant.full_name", read_only=True)
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=Platform.choices))
    documents = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    legacy_specialty = serializers.SerializerMethodField(
        help_text="The specialty's code before the JCST list (e.g. colorectal), for old clients.")

    def get_legacy_specialty(self, obj) -> str:
        return legacy_code(obj.specialty, obj.subspecialty)

    class Meta:
        model = TrainerApplication
        fields = [
            "id", "applicant", "applicant_name", "kind", "scope", "specialty", "subspecialty", "legacy_specialty",
            "platforms",
            "independent_console_cases", "train_the_trainer_completed_on", "statement",
            "documents", "status", "created_at", "decided_by", "decided_at", "decision_reason",
        ]
        read_only_fields = fields


class PlatformCasesSerializer(serializers.Serializer):
    platform = serializers.CharField()
    cases = serializers.IntegerField()


class TeachingFigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()


class ApplicantFiguresSerializer(serializers.Serializer):
    since = serializers.DateField(help_text="The teaching figures count from this day to today.")
    cases_by_platform = PlatformCasesSerializer(many=True, help_text="The applicant's own validated console cases "
                                                                     "(all time), by platform.")
    teaching = TeachingFigureSerializer(many=True, help_text="Cases validated, assessments given, sign-offs "
                                                             "decided, lab sessions taught, since `since`.")


class TrainerApplicationDetailSerializer(TrainerApplicationSerializer):
    applicant_figures = serializers.SerializerMethodField(
        help_text="What RASTrack holds beside what the applicant typed; null unless you may decide the "
                  "application (the applicant's regional lead or a programme admin).")

    @extend_schema_field(ApplicantFiguresSerializer(allow_null=True))
    def get_applicant_figures(self, obj) -> dict | None:
        if not can_decide_application(self.context["request"].user, obj):
            return None
        figures = application_figures(obj)
        return ApplicantFiguresSerializer({
            "since": figures["since"],
            "cases_by_platform": [{"platform": p, "cases": n} for p, n in figures["cases_by_platform"].items()],
            "teaching": [{"label": label, "count": n} for label, n in figures["teaching"].items()],
        }).data

    class Meta(TrainerApplicationSerializer.Meta):
        fields = [*TrainerApplicationSerializer.Meta.fields, "applicant_figures"]
        read_only_fields = fields


class TrainerApplicationCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicationKind.choices)
    specialty = serializers.ChoiceField(choices=specialty_choices_with_legacy(),
                                        help_text="A JCST specialty (or a code of the first catalogue, e.g. colorectal).")
    subspecialty = serializers.ChoiceField(choices=Subspecialty.choices, required=False, allow_blank=True,
                                           help_text="General surgery only.")
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=Platform.choices),
                                      allow_empty=False, max_length=len(Platform.values))
    independent_console_cases = serializers.IntegerField(min_value=0, max_value=100_000)
    train_the_trainer_completed_on = serializers.DateField(required=False, allow_null=True)
    statement = serializers.CharField(max_length=MAX_TEXT, validators=[NoPIIValidator()])
    documents = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=20,
        help_text="Ids of your own evidence documents (upload them at /api/v1/documents/ first).",
    )


class TrainerApplicationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ApplicationStatus.choices)
    kind = filters.ChoiceFilter(choices=ApplicationKind.choices)

    class Meta:
        model = TrainerApplication
        fields = ["status", "kind"]


class TrainerApplicationViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                                mixins.ListModelMixin, mixins.RetrieveModelMixin,
                                viewsets.GenericViewSet):
    """Applications to become (initial) or stay (renewal) an accredited RAS trainer.

    Any signed-in surgeon applies (others: 403); applicants see their own, regional leads
    their region's, programme admins all, oldest first. Approve / reject: the applicant's
    regional lead or a programme admin, never the applicant (403); a decided application
    is final (409).
    """

    model = TrainerApplication
    serializer_class = TrainerApplicationSerializer
    filterset_class = TrainerApplicationFilter
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": SIGNED_IN, "approve": (ADMIN, LEAD),
                    "reject": (ADMIN, LEAD)}

    def visible_queryset(self, user):
        return selectors.trainer_applications_visible_to(user)

    def get_serializer_class(self):
        # The figures cost a few queries each: on the detail only, never per row of the list.
        return TrainerApplicationDetailSerializer if self.action == "retrieve" else TrainerApplicationSerializer

    @extend_schema(request=TrainerApplicationCreateSerializer, responses={201: TrainerApplicationSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated(TrainerApplicationCreateSerializer)
        application = services.trainer_application_create(applicant=request.user, **data)
        return self.answer(application, status.HTTP_201_CREATED)

    @extend_schema(request=OptionalReasonSerializer, responses=TrainerApplicationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve: grants the trainer role, creates or renews the accreditation."""
        application = self.get_object()
        data = self.validated(OptionalReasonSerializer)
        services.trainer_application_approve(application=application, actor=request.user,
                                             reason=data.get("reason", ""))
        return self.answer(application)

    @extend_schema(request=ReasonSerializer, responses=TrainerApplicationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        application = self.get_object()
        data = self.validated(ReasonSerializer)
        services.trainer_application_reject(application=application, actor=request.user,
                                            reason=data["reason"])
        return self.answer(application)


# --- Accreditations (and the faculty register) -------------------------------------------------


class AccreditationSerializer(serializers.ModelSerializer):
    trainer_name = serializers.CharField(source="trainer.full_name", read_only=True)
    trainer_email = serializers.EmailField(source="trainer.email", read_only=True)
    region = serializers.IntegerField(source="trainer.region_id", read_only=True, allow_null=True,
                                      help_text="The trainer's current region.")
    region_name = serializers.CharField(source="trainer.region.name", read_only=True, default=None)
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=Platform.choices), read_only=True)
    trainee_load = serializers.IntegerField(read_only=True,
                                            help_text="Trainees with an assignment active today.")
    expiring_soon = serializers.SerializerMethodField(
        help_text="Current and expiring within FacultyRules.expiry_warning_days.")
    legacy_specialty = serializers.SerializerMethodField(
        help_text="The specialty's code before the JCST list (e.g. colorectal), for old clients.")

    def get_legacy_specialty(self, obj) -> str:
        return legacy_code(obj.specialty, obj.subspecialty)

    class Meta:
        model = Accreditation
        fields = [
            "id", "trainer", "trainer_name", "trainer_email", "region", "region_name", "status",
            "accredited_on", "expires_on", "specialty", "subspecialty", "legacy_specialty", "platforms", "scope",
            "trainee_load",
            "expiring_soon", "status_reason", "status_changed_at",
        ]
        read_only_fields = fields

    def get_expiring_soon(self, obj) -> bool:
        return selectors.expiring_soon(obj, today=self.context["today"],
                                       warning_days=self.context["warning_days"])


class AccreditationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=AccreditationStatus.choices)
    region = filters.NumberFilter(field_name="trainer__region", help_text="The trainer's current region (id).")
    specialty = filters.ChoiceFilter(choices=specialty_choices_with_legacy(), method="filter_specialty",
                                     help_text="A specialty, or an old code (colorectal: general surgery, colorectal).")
    platform = filters.ChoiceFilter(choices=Platform.choices, method="filter_platform",
                                    help_text="Trainers who train on this platform.")

    class Meta:
        model = Accreditation
        fields = ["status", "region", "specialty", "platform"]

    def filter_specialty(self, queryset, name, value):
        return selectors.filter_register(queryset, specialty=value)

    def filter_platform(self, queryset, name, value):
        return selectors.filter_register(queryset, platform=value)


class AccreditationViewSet(ActionRolesMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Accreditations, which are also the faculty register: filter by `region` (the
    trainer's current region), `specialty`, `platform` and `status`; each row has the
    trainer's current `trainee_load` and `expiring_soon`.

    Programme admins see all, regional leads their region's trainers, trainers their own;
    other roles 403. Suspend / reinstate / revoke (reason required): a programme admin or
    the trainer's regional lead; a transition the state machine does not allow is 409.
    """

    model = Accreditation
    serializer_class = AccreditationSerializer
    filterset_class = AccreditationFilter
    action_roles = {
        "list": (ADMIN, LEAD, TRAINER), "retrieve": (ADMIN, LEAD, TRAINER),
        "suspend": (ADMIN, LEAD), "reinstate": (ADMIN, LEAD), "revoke": (ADMIN, LEAD),
    }

    def visible_queryset(self, user):
        return selectors.accreditations_visible_to(user, today=self._today())

    def _today(self):
        if not hasattr(self, "_today_value"):
            self._today_value = timezone.localdate()
        return self._today_value

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context.update(today=self._today(),
                           warning_days=selectors.faculty_rules().expiry_warning_days)
        return context

    def _transition(self, request, service):
        accreditation = self.get_object()
        data = self.validated(ReasonSerializer)
        service(accreditation=accreditation, actor=request.user, reason=data["reason"])
        fresh = self.visible_queryset(request.user).get(pk=accreditation.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(request=ReasonSerializer, responses=AccreditationSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """accredited -> suspended; the trainer's supervision rights end at once."""
        return self._transition(request, services.accreditation_suspend)

    @extend_schema(request=ReasonSerializer, responses=AccreditationSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        """suspended -> accredited (409 if it expired meanwhile: renew instead)."""
        return self._transition(request, services.accreditation_reinstate)

    @extend_schema(request=ReasonSerializer, responses=AccreditationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """accredited or suspended -> revoked, for good."""
        return self._transition(request, services.accreditation_revoke)


# --- Assignments -----------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    trainer_name = serializers.CharField(source="trainer.full_name", read_only=True)
    trainee_name = serializers.CharField(source="trainee.full_name", read_only=True)
    active = serializers.SerializerMethodField(help_text="Active today (started, not ended).")

    class Meta:
        model = Assignment
        fields = ["id", "trainer", "trainer_name", "trainee", "trainee_name", "kind", "starts_on",
                  "ends_on", "active", "created_by", "created_at", "ended_by", "ended_at"]
        read_only_fields = fields

    def get_active(self, obj) -> bool:
        today = self.context.get("today") or timezone.localdate()
        return obj.covers(today)


class AssignmentCreateSerializer(serializers.Serializer):
    trainer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), help_text="An accredited trainer (on `starts_on`).")
    trainee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), help_text="A trainee you manage (your region; all for admins).",
        error_messages={"does_not_exist": "No trainee with id {pk_value} among the people you manage."},
    )
    kind = serializers.ChoiceField(choices=AssignmentKind.choices)
    starts_on = serializers.DateField(required=False, help_text="Default: today.")
    ends_on = serializers.DateField(required=False, allow_null=True,
                                    help_text="The last day it covers; omit for open-ended.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["trainee"].queryset = users_visible_to(request.user)


class AssignmentEndSerializer(serializers.Serializer):
    ends_on = serializers.DateField(required=False, allow_null=True,
                                    help_text="Its last covered day; default today (takes effect at once).")


class AssignmentFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=AssignmentKind.choices)
    active = filters.BooleanFilter(method="filter_active", help_text="Active today.")

    class Meta:
        model = Assignment
        fields = ["trainer", "trainee", "kind", "active"]

    def filter_active(self, queryset, name, value):
        q = selectors.active_on(timezone.localdate())
        return queryset.filter(q) if value else queryset.exclude(q)


class AssignmentViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                        mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Trainers assigned to trainees (educational supervisor, clinical supervisor, proctor).

    Created and ended by the trainee's regional lead or a programme admin. Only a trainer
    accredited on `starts_on` can be assigned (400 on `trainer`), up to
    FacultyRules.max_trainees_per_trainer trainees at a time (400). Trainers and trainees
    see their own; lab managers 403.
    """

    model = Assignment
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    action_roles = {
        "list": (ADMIN, LEAD, TRAINER, TRAINEE), "retrieve": (ADMIN, LEAD, TRAINER, TRAINEE),
        "create": (ADMIN, LEAD), "end": (ADMIN, LEAD),
    }

    def visible_queryset(self, user):
        return selectors.assignments_visible_to(user)

    @extend_schema(request=AssignmentCreateSerializer, responses={201: AssignmentSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated(AssignmentCreateSerializer)
        assignment = services.assignment_create(actor=request.user, **data)
        return self.answer(assignment, status.HTTP_201_CREATED)

    @extend_schema(request=AssignmentEndSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the assignment (default today): the trainer's rights on the trainee end at once."""
        assignment = self.get_object()
        data = self.validated(AssignmentEndSerializer)
        services.assignment_end(assignment=assignment, actor=request.user,
                                ends_on=data.get("ends_on"))
        return self.answer(assignment)
