"""Simulator evidence over the API: the exercise catalogue, sessions with their metrics and
provenance, verification, and vendor export import."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accreditation.logbook import elogbook, simulation, simulator_import
from accreditation.logbook import policies as logbook_policies
from accreditation.logbook import selectors as logbook_selectors
from accreditation.logbook import services as logbook_services
from accreditation.logbook.models import (
    SimulatorExercise,
    SimulatorSession,
)
from rastrack.core.permissions import (
    ScopedViewSetMixin,
    refuse_unless,
)


class MetricSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    unit = serializers.ChoiceField(choices=sorted(simulation.UNITS))
    better = serializers.ChoiceField(choices=simulation.BETTER)
    benchmark = serializers.DecimalField(max_digits=9, decimal_places=2, coerce_to_string=False)


@extend_schema_field(MetricSerializer(many=True))
class MetricsField(serializers.JSONField):
    """A list of metric definitions, checked by the service (400 keyed `metrics`)."""


class SimulatorExerciseSerializer(serializers.ModelSerializer):
    metrics = MetricsField(help_text='[{"name", "unit" (s, cm, count, %, score), "better" '
                                     '(higher or lower), "benchmark"}]')

    class Meta:
        model = SimulatorExercise
        fields = ["id", "code", "simulator", "platform", "name", "frs_task", "metrics", "pass_rule",
                  "score_threshold", "active"]
        validators: list = []


class SimulatorExerciseViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                               mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The simulator exercise catalogue: readable by everyone signed in; a programme admin adds
    exercises and edits benchmarks (audited; applies to sessions recorded after the change)."""

    model = SimulatorExercise
    serializer_class = SimulatorExerciseSerializer
    filterset_fields = ["simulator", "platform", "frs_task", "active"]

    def visible_queryset(self, user):
        return logbook_selectors.simulator_exercises()

    def create(self, request, *args, **kwargs):
        refuse_unless(logbook_policies.refusal_to_edit_catalogue(request.user))
        body = self.validated(SimulatorExerciseSerializer)
        exercise = logbook_services.simulator_exercise_create(actor=request.user, data=dict(body))
        return self.answer(exercise, code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        refuse_unless(logbook_policies.refusal_to_edit_catalogue(request.user))
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = {name: value for name, value in serializer.validated_data.items() if name != "code"}
        exercise = logbook_services.simulator_exercise_update(actor=request.user, exercise=instance, changes=changes)
        return self.answer(exercise)


class SimulatorSessionSerializer(serializers.ModelSerializer):
    exercise = serializers.PrimaryKeyRelatedField(
        queryset=SimulatorExercise.objects.all(), allow_null=True, required=True,
        help_text="The exercise's id (/api/v1/simulator-exercises/); null only on legacy sessions.")
    simulator = serializers.ChoiceField(choices=SimulatorSession._meta.get_field("simulator").choices,
                                        required=False, help_text="The exercise's; may be omitted.")
    metrics = serializers.DictField(child=serializers.JSONField(), required=False, default=dict,
                                    help_text='{"<metric name>": number}, every metric of the exercise.')

    class Meta:
        model = SimulatorSession
        fields = ["id", "trainee", "date", "simulator", "exercise", "exercise_name", "score", "minutes",
                  "metrics", "meets_benchmark", "provenance", "import_file", "verified_by", "verified_at",
                  "created_at"]
        read_only_fields = ["trainee", "exercise_name", "meets_benchmark", "provenance", "import_file",
                            "verified_by", "verified_at", "created_at"]
        extra_kwargs = {"score": {"required": False}}


class SimulatorImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The simulator's export: CSV or XLSX.")
    format = serializers.CharField(required=False, allow_blank=True,
                                   help_text="A format's code (generic, mimic-mscore-example, dvss-example, ...); "
                                             "omitted: detected from the columns.")
    dry_run = serializers.BooleanField(default=True, help_text="Preview only (the default).")


class SimulatorImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    exercise = serializers.CharField()
    date = serializers.CharField()
    meets_benchmark = serializers.BooleanField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    session = serializers.IntegerField(allow_null=True)


class SimulatorImportResultSerializer(serializers.Serializer):
    format = serializers.CharField()
    checksum = serializers.CharField()
    dry_run = serializers.BooleanField()
    ok = serializers.BooleanField()
    imported = serializers.IntegerField()
    rows = SimulatorImportRowSerializer(many=True)


class SimulatorSessionViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                              mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = SimulatorSession
    serializer_class = SimulatorSessionSerializer
    filterset_fields = ["trainee", "simulator", "exercise", "provenance", "meets_benchmark"]

    def visible_queryset(self, user):
        return logbook_selectors.simulator_sessions_visible_to(user)

    def create(self, request, *args, **kwargs):
        serializer = self.validated(SimulatorSessionSerializer)
        session = logbook_services.simulator_session_create(
            trainee=request.user, actor=request.user, data=dict(serializer))
        return Response(SimulatorSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SimulatorSessionSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        session = logbook_services.simulator_session_verify(session=self.get_object(), actor=request.user)
        return Response(SimulatorSessionSerializer(session).data)

    @extend_schema(request={"multipart/form-data": SimulatorImportSerializer},
                   responses={200: SimulatorImportResultSerializer, 400: SimulatorImportResultSerializer})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_export(self, request):
        """Import one's own sessions from a simulator's export (CSV or XLSX): every row with its
        result and errors; with `dry_run` false the sessions are made (`device_import`) when no
        row has an error. The same file twice: 409."""
        body = self.validated(SimulatorImportSerializer)
        upload = body["file"]
        result = simulator_import.simulator_import(
            trainee=request.user, actor=request.user, content=upload.read(elogbook.MAX_BYTES + 1),
            file_name=getattr(upload, "name", "") or "", format_code=body.get("format") or None,
            dry_run=body["dry_run"])
        return Response(result.as_dict(), status=200 if result.ok else 400)
