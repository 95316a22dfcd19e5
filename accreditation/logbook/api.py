"""Logbook API: /api/v1/cases/ and /api/v1/simulator-sessions/."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accreditation.logbook import csv_template as logbook_csv
from accreditation.logbook import elogbook
from accreditation.logbook import selectors as logbook_selectors
from accreditation.logbook import services as logbook_services
from accreditation.logbook.filters import CaseFilter
from accreditation.logbook.models import (
    Case,
    CaseRole,
    CaseStep,
    SimulatorSession,
    StepRole,
    Supervision,
)
from rastrack.accounts.models import User
from rastrack.accounts.trainee_scope import trainees_visible_to
from rastrack.core.api.parsers import BoundedJSONParser
from rastrack.core.permissions import ScopedViewSetMixin, get_visible_or_404
from rastrack.reference.models import ProcedureStep


class StepRows(list):
    """A case's steps already in their JSON shape (`{"step", "step_name", "role"}`), read with
    one `values_list` query for a whole page of cases (`with_step_rows`)."""


class CaseStepListSerializer(serializers.ListSerializer):
    """Writes as usual; reads `case.step_rows` when the view attached them, which costs no
    model instances (a page of 25 cases has a few hundred steps)."""

    def get_attribute(self, instance):
        rows = getattr(instance, "step_rows", None)
        return rows if rows is not None else super().get_attribute(instance)

    def to_representation(self, data):
        if isinstance(data, StepRows):
            return list(data)
        return super().to_representation(data)


class CaseStepSerializer(serializers.ModelSerializer):
    step = serializers.PrimaryKeyRelatedField(queryset=ProcedureStep.objects.all())
    step_name = serializers.CharField(source="step.name", read_only=True)
    role = serializers.ChoiceField(choices=StepRole.choices, default=StepRole.CONSOLE)

    class Meta:
        model = CaseStep
        fields = ["step", "step_name", "role"]
        list_serializer_class = CaseStepListSerializer


def with_step_rows(cases: list[Case]) -> list[Case]:
    """Attach each case's steps as `StepRows`, in step order: one query for the whole page,
    the same JSON as the nested serializer."""
    rows: dict[int, StepRows] = {}
    for case_id, step_id, name, role in (
            CaseStep.objects.filter(case_id__in=[case.pk for case in cases])
            .order_by("case_id", "step__order").values_list("case_id", "step_id", "step__name", "role")):
        rows.setdefault(case_id, StepRows()).append({"step": step_id, "step_name": name, "role": role})
    for case in cases:
        case.step_rows = rows.get(case.pk, StepRows())
    return cases


def list_queryset(queryset):
    """A page of cases for the list and the queue: only the joins the serializer reads
    (trainee, site and procedure names; supervisor and validator are written as ids), and
    the steps read by `with_step_rows` instead of a prefetch."""
    return queryset.select_related(None).select_related("trainee", "site", "procedure").prefetch_related(None)


class CaseSerializer(serializers.ModelSerializer):
    supervisor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True,
        help_text="User id of a registered trainer; or give supervisor_name instead.")
    steps = CaseStepSerializer(many=True, required=False)
    site_name = serializers.CharField(source="site.name", read_only=True)
    procedure_name = serializers.CharField(source="procedure.name", read_only=True)
    trainee_name = serializers.CharField(source="trainee.full_name", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id", "trainee", "trainee_name", "date", "site", "site_name", "platform", "procedure",
            "procedure_name", "role", "supervision", "console_minutes", "docking_minutes",
            "total_minutes", "conversion", "complication_grade", "supervisor", "supervisor_name",
            "case_reference", "notes", "steps", "status", "validator", "submitted_at",
            "decided_at", "rejection_reason", "validated_role", "validated_supervision",
            "disagreement", "source", "created_at", "updated_at",
        ]
        read_only_fields = [
            "trainee", "status", "validator", "submitted_at", "decided_at", "rejection_reason",
            "validated_role", "validated_supervision", "disagreement", "source", "created_at", "updated_at",
        ]

    def service_arguments(self) -> tuple[dict, list | None]:
        data = dict(self.validated_data)
        steps = data.pop("steps", None)
        entries = None if steps is None else [
            logbook_services.StepEntry(step=s["step"], role=s["role"]) for s in steps]
        return data, entries


class ValidateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=CaseRole.choices, required=False,
                                   help_text="The role as the trainer saw it; omitted: as logged.")
    supervision = serializers.ChoiceField(choices=Supervision.choices, required=False,
                                          help_text="The agreed supervision code; omitted: as logged.")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField()


class BatchItemSerializer(ValidateSerializer):
    id = serializers.IntegerField()


class BatchSerializer(serializers.Serializer):
    cases = BatchItemSerializer(many=True, allow_empty=False, max_length=100)


BatchResultSerializer = inline_serializer("CaseBatchResult", {
    "results": serializers.ListField(child=inline_serializer("CaseBatchItemResult", {
        "id": serializers.IntegerField(), "ok": serializers.BooleanField(),
        "status": serializers.CharField(allow_null=True), "error": serializers.CharField(allow_null=True),
    }))})

LearningCurveSerializer = inline_serializer("LearningCurve", {
    "trainee": serializers.IntegerField(),
    "procedure": serializers.IntegerField(),
    "learning_phase_end": serializers.IntegerField(allow_null=True),
    "points": serializers.ListField(child=inline_serializer("LearningCurvePoint", {
        "n": serializers.IntegerField(), "date": serializers.DateField(),
        "console_minutes": serializers.IntegerField(), "cusum": serializers.FloatField(),
    })),
})


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=True)


class JSONObjectField(serializers.JSONField):
    """A JSON object sent as a multipart field (a string) or as JSON."""

    def __init__(self, *, of_ints: bool = False, **kwargs):
        self.of_ints = of_ints
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            import json

            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
            raise serializers.ValidationError("Give a JSON object.")
        if self.of_ints and not all(isinstance(v, int) and not isinstance(v, bool) for v in data.values()):
            raise serializers.ValidationError("Give a JSON object of text to id, e.g. {\"RALP\": 3}.")
        if not self.of_ints and not all(isinstance(v, str) for v in data.values()):
            raise serializers.ValidationError("Give a JSON object of field to column header.")
        return data


@extend_schema_field(OpenApiTypes.STR)
class RowListField(serializers.Field):
    """Row numbers: a JSON list, or comma-separated."""

    def to_internal_value(self, data):
        import json

        if isinstance(data, str):
            text = data.strip()
            try:
                data = json.loads(text) if text.startswith("[") else [int(p) for p in text.split(",") if p.strip()]
            except ValueError:
                raise serializers.ValidationError("Give row numbers, e.g. 2,3,7.") from None
        if not isinstance(data, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in data):
            raise serializers.ValidationError("Give row numbers, e.g. [2, 3, 7].")
        return data

    def to_representation(self, value):
        return value


class ELogbookImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The eLogbook export: CSV or XLSX (or RASTrack's own CSV export).")
    dry_run = serializers.BooleanField(default=True, help_text="Preview only (the default).")
    mapping = JSONObjectField(required=False, help_text="Field to column header, e.g. {\"date\": \"Op date\"}; "
                                                        "default: the eLogbook's columns (README).")
    procedures = JSONObjectField(required=False, of_ints=True,
                                 help_text="Procedure text of the file to catalogue procedure id.")
    sites = JSONObjectField(required=False, of_ints=True, help_text="Hospital text of the file to site id.")
    rows = RowListField(required=False, help_text="Row numbers to import; default: the robotic rows that are new.")
    include_non_robotic = serializers.BooleanField(default=False)
    platform = serializers.ChoiceField(choices=elogbook.Platform.choices, default=elogbook.Platform.OTHER,
                                       help_text="For rows without a platform column.")
    status = serializers.ChoiceField(choices=[("draft", "Draft"), ("submitted", "Submitted")], default="draft",
                                     help_text="Import as drafts, or submitted for validation.")


ELogbookRowSerializer = inline_serializer("ELogbookRow", {
    "row": serializers.IntegerField(),
    "status": serializers.ChoiceField(choices=[(s, s) for s in ("new", "duplicate", "error", "unmapped")]),
    "messages": serializers.ListField(child=serializers.CharField()),
    "errors": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    "robotic": serializers.BooleanField(), "selected": serializers.BooleanField(),
    "date": serializers.DateField(allow_null=True), "procedure_text": serializers.CharField(),
    "procedure": serializers.IntegerField(allow_null=True), "procedure_name": serializers.CharField(allow_null=True),
    "hospital_text": serializers.CharField(), "site": serializers.IntegerField(allow_null=True),
    "supervision": serializers.CharField(), "reference": serializers.CharField(),
    "case": serializers.IntegerField(allow_null=True),
})
ELogbookResultSerializer = inline_serializer("ELogbookImportResult", {
    "dry_run": serializers.BooleanField(), "imported": serializers.IntegerField(),
    "mapping": serializers.DictField(child=serializers.CharField()),
    "counts": serializers.DictField(child=serializers.IntegerField()),
    "unmapped_procedures": serializers.ListField(child=serializers.CharField()),
    "unmapped_hospitals": serializers.ListField(child=serializers.CharField()),
    "rows": serializers.ListField(child=ELogbookRowSerializer),
})


def _visible_trainee(user: User, trainee_id) -> User:
    """The trainee whose records the caller asks for (default: themself); 404 if not theirs to see."""
    if trainee_id in (None, ""):
        return user
    return get_visible_or_404(trainees_visible_to(user), trainee_id)


class CaseViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """A trainee's robotic case entries. Others' cases outside your scope are a 404."""

    model = Case
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]

    def visible_queryset(self, user):
        return logbook_selectors.cases_visible_to(user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(list_queryset(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(CaseSerializer(with_step_rows(page), many=True).data)

    def create(self, request, *args, **kwargs):
        serializer = CaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, steps = serializer.service_arguments()
        case = logbook_services.case_create(trainee=request.user, actor=request.user, data=data, steps=steps)
        return self.answer(case, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        case = self.get_object()
        serializer = CaseSerializer(case, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data, steps = serializer.service_arguments()
        case = logbook_services.case_update(case=case, actor=request.user, data=data, steps=steps)
        return self.answer(case)

    def destroy(self, request, *args, **kwargs):
        logbook_services.case_delete(case=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.answer(logbook_services.case_submit(case=self.get_object(), actor=request.user))

    @extend_schema(request=ValidateSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        case = self.get_object()
        body = self.validated(ValidateSerializer)
        return self.answer(logbook_services.case_validate(case=case, actor=request.user, **body))

    @extend_schema(request=RejectSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        case = self.get_object()
        body = self.validated(RejectSerializer)
        return self.answer(logbook_services.case_reject(case=case, actor=request.user, **body))

    @extend_schema(responses=CaseSerializer(many=True))
    @action(detail=False, methods=["get"], filterset_class=None)
    def queue(self, request):
        """Cases waiting for the caller's validation, oldest first."""
        page = self.paginate_queryset(list_queryset(logbook_selectors.validation_queue(request.user)))
        return self.get_paginated_response(CaseSerializer(with_step_rows(page), many=True).data)

    @extend_schema(request=BatchSerializer, responses=BatchResultSerializer)
    @action(detail=False, methods=["post"], url_path="validate-batch")
    def validate_batch(self, request):
        """Validate several cases; each gets its own result (ok, or the error)."""
        body = self.validated(BatchSerializer)
        results = logbook_services.cases_validate_batch(
            actor=request.user, items=body["cases"],
            visible=self.visible_queryset(request.user))
        return Response({"results": [
            {"id": r.id, "ok": r.ok, "status": r.status, "error": r.error} for r in results]})

    @extend_schema(
        parameters=[OpenApiParameter("procedure", int, required=True),
                    OpenApiParameter("trainee", int, required=False)],
        responses=LearningCurveSerializer)
    @action(detail=False, methods=["get"], url_path="learning-curve", filterset_class=None,
            pagination_class=None)
    def learning_curve(self, request):
        """Console time by case number and its CUSUM, per procedure."""
        trainee = _visible_trainee(request.user, request.query_params.get("trainee"))
        procedure = request.query_params.get("procedure", "")
        if not procedure.isdigit():
            return Response({"procedure": ["Give the procedure's id: ?procedure=<id>."]}, status=400)
        from accreditation.logbook.learning_curve import learning_phase_end

        points = logbook_selectors.learning_curve(trainee=trainee, procedure_id=int(procedure))
        return Response({
            "trainee": trainee.pk, "procedure": int(procedure),
            "learning_phase_end": learning_phase_end(points),
            "points": [{"n": p.n, "date": p.date, "console_minutes": p.console_minutes,
                        "cusum": float(p.cusum)} for p in points],
        })

    @extend_schema(parameters=[OpenApiParameter("trainee", int, required=False)],
                   responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)})
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def export(self, request):
        """The logbook as CSV in the import template's columns."""
        trainee = _visible_trainee(request.user, request.query_params.get("trainee"))
        cases = self.visible_queryset(request.user).filter(trainee=trainee).order_by("date", "id")
        response = HttpResponse(logbook_csv.export_cases(cases), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="logbook-{trainee.pk}.csv"'
        return response

    @extend_schema(request={"multipart/form-data": ImportSerializer},
                   responses=inline_serializer("CaseImportResult", {
                       "ok": serializers.BooleanField(), "dry_run": serializers.BooleanField(),
                       "imported": serializers.IntegerField(),
                       "rows": serializers.ListField(child=serializers.DictField())}))
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_csv(self, request):
        """Import one's own cases from the CSV template; nothing is imported if any row fails."""
        body = self.validated(ImportSerializer)
        result = logbook_csv.import_cases(
            trainee=request.user, actor=request.user, file_bytes=body["file"].read(),
            dry_run=body["dry_run"])
        payload = {"ok": result.ok, "dry_run": result.dry_run, "imported": result.imported,
                   "rows": [{"row": r.row, "summary": r.summary, "errors": r.errors} for r in result.rows]}
        return Response(payload, status=200 if result.ok else 400)


    @extend_schema(request={"multipart/form-data": ELogbookImportSerializer}, responses=ELogbookResultSerializer)
    @action(detail=False, methods=["post"], url_path="import-elogbook", parser_classes=[MultiPartParser, FormParser])
    def import_elogbook(self, request):
        """Import one's own cases from an eLogbook export (CSV or XLSX). Every row comes back with
        its status (`new`, `duplicate`, `error`, `unmapped`) and messages; with `dry_run` false the
        chosen new rows are imported (robotic ones by default), the others refused row by row."""
        body = self.validated(ELogbookImportSerializer)
        options = {"mapping": body.get("mapping"), "procedures": body.get("procedures"), "sites": body.get("sites"),
                   "rows": body.get("rows"), "include_non_robotic": body["include_non_robotic"],
                   "platform": body["platform"]}
        content = body["file"].read(elogbook.MAX_BYTES + 1)
        if body["dry_run"]:
            result = elogbook.elogbook_preview(trainee=request.user, actor=request.user, content=content, **options)
        else:
            result = elogbook.elogbook_import(trainee=request.user, actor=request.user, content=content,
                                              submit=body["status"] == "submitted", **options)
        return Response(result.as_dict())


class SimulatorSessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SimulatorSession
        fields = ["id", "trainee", "date", "simulator", "exercise", "score", "minutes",
                  "verified_by", "verified_at", "created_at"]
        read_only_fields = ["trainee", "verified_by", "verified_at", "created_at"]


class SimulatorSessionViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                              mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = SimulatorSession
    serializer_class = SimulatorSessionSerializer
    filterset_fields = ["trainee", "simulator"]

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
