"""Logbook API: /api/v1/cases/, /api/v1/simulator-sessions/ and /api/v1/counting-rules/{pathway id}/."""

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
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accreditation.logbook import csv_template as logbook_csv
from accreditation.logbook import elogbook, policies
from accreditation.logbook import learning_curve as lc
from accreditation.logbook import selectors as logbook_selectors
from accreditation.logbook import services as logbook_services
from accreditation.logbook.filters import CaseFilter
from accreditation.logbook.models import (
    Case,
    CaseOutcome,
    CaseRole,
    CaseStep,
    ComplicationGrade,
    FollowUp,
    StepRole,
    Supervision,
    TrainerPosition,
    Urgency,
)
from rastrack.accounts.models import User
from rastrack.accounts.trainee_scope import trainees_visible_to
from rastrack.core.api.parsers import BoundedJSONParser
from rastrack.core.api.serializers import FieldsBuiltOnce
from rastrack.core.compiled import CompiledQuery, Ids
from rastrack.core.permissions import (
    ScopedViewSetMixin,
    get_visible_or_404,
)
from rastrack.reference.models import Procedure, ProcedureStep, Site


class KnownField(serializers.PrimaryKeyRelatedField):
    """A row by id, taken from the rows its serializer already read (`known`) when it is
    there; any other id is looked up (and refused) as by the plain field, with its message."""

    known: dict[int, object] | None = None

    def to_internal_value(self, data):
        if self.known is not None and type(data) is int and data in self.known:
            return self.known[data]
        return super().to_internal_value(data)


class CaseStepSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    step = KnownField(queryset=ProcedureStep.objects.all())
    step_name = serializers.CharField(source="step.name", read_only=True)
    role = serializers.ChoiceField(choices=StepRole.choices, default=StepRole.CONSOLE)
    takeover = serializers.BooleanField(default=False, help_text="The trainer took over this console step.")
    console_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=600,
                                               help_text="This step's own console time, where recorded.")

    class Meta:
        model = CaseStep
        fields = ["step", "step_name", "role", "takeover", "console_minutes"]


def _step_rows_of(case_ids: list[int]) -> dict[int, list[dict]]:
    """The cases' steps in their JSON shape, in step order: one query for the whole page."""
    rows: dict[int, list[dict]] = {}
    if not case_ids:
        return rows
    for case_id, step_id, name, role, takeover, minutes in (
            CaseStep.objects.filter(case_id__in=case_ids)
            .order_by("case_id", "step__order").values_list(
                "case_id", "step_id", "step__name", "role", "takeover", "console_minutes")):
        rows.setdefault(case_id, []).append({"step": step_id, "step_name": name, "role": role,
                                             "takeover": takeover, "console_minutes": minutes})
    return rows


# The steps a case names, with their procedure: compiled once per number of steps.
_STEPS = CompiledQuery(lambda ids: ProcedureStep.objects.select_related("procedure").filter(pk__in=ids),
                       stand_ins={"ids": Ids(-7_100_000_001)})
_SITE = CompiledQuery(lambda pk: Site.objects.filter(pk=pk), stand_ins={"pk": -7_200_000_001})
_COMPILED_STEPS_UP_TO = 32  # longer lists (none in practice) compile each time, and add no plan


def _steps_by_id(ids: list[int]) -> dict[int, ProcedureStep]:
    if not ids:
        return {}
    if len(ids) > _COMPILED_STEPS_UP_TO:
        return ProcedureStep.objects.select_related("procedure").in_bulk(ids)
    return {step.pk: step for step in _STEPS.all(ids=ids)}


class CaseSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    # Any id is looked up and answered alike (the logbook policy names who may be named):
    # "no such user" would tell a prober which ids exist.
    supervisor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True,
        error_messages={"does_not_exist": policies.SUPERVISOR_NOT_NAMEABLE,
                        "incorrect_type": policies.SUPERVISOR_NOT_NAMEABLE},
        help_text="User id of a trainer assigned to you; or give supervisor_name instead.")
    proctor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True,
        help_text="User id of your assigned proctor (established surgeons): the proctor evaluates, "
                  "you are the responsible surgeon.")
    trainer_position = serializers.ChoiceField(
        choices=TrainerPosition.choices, required=False, allow_blank=True,
        help_text="Where the trainer was for most of your console time; empty: not recorded. A given "
                  "position must agree with role and supervision (README, 'The role x code x position table').")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, allow_blank=True)
    asa_grade = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    site = KnownField(queryset=Site.objects.all())
    procedure = KnownField(queryset=Procedure.objects.all())
    steps = CaseStepSerializer(many=True, required=False)
    site_name = serializers.CharField(source="site.name", read_only=True)
    procedure_name = serializers.CharField(source="procedure.name", read_only=True)
    trainee_name = serializers.CharField(source="trainee.full_name", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id", "trainee", "trainee_name", "date", "site", "site_name", "platform", "procedure",
            "procedure_name", "role", "supervision", "trainer_position", "asa_grade", "urgency", "proctor",
            "console_minutes", "docking_minutes",
            "total_minutes", "conversion", "complication_grade", "supervisor", "supervisor_name",
            "case_reference", "notes", "steps", "status", "validator", "submitted_at",
            "decided_at", "rejection_reason", "validated_role", "validated_supervision",
            "validated_trainer_position", "disagreement", "source", "created_at", "updated_at",
        ]
        read_only_fields = [
            "trainee", "status", "validator", "submitted_at", "decided_at", "rejection_reason",
            "validated_role", "validated_supervision", "validated_trainer_position", "disagreement", "source",
            "created_at", "updated_at",
        ]

    def to_internal_value(self, data):
        # Every step id of the request in one query, with the procedure they belong to: not a
        # query per step and another for the procedure (a case lists its procedure's steps).
        steps = data.get("steps") if isinstance(data, dict) else None
        ids = {item.get("step") for item in steps if isinstance(item, dict)} if isinstance(steps, list) else ()
        ids = [pk for pk in ids if type(pk) is int]
        known = _steps_by_id(ids)
        step_field, procedure_field = self.fields["steps"].child.fields["step"], self.fields["procedure"]
        step_field.known = known
        procedure_field.known = {step.procedure_id: step.procedure for step in known.values()}
        site_field = self.fields["site"]
        site = data.get("site") if isinstance(data, dict) else None
        site_field.known = {found.pk: found for found in _SITE.all(pk=site)} if type(site) is int else None
        try:
            return super().to_internal_value(data)
        finally:
            step_field.known = procedure_field.known = site_field.known = None

    def service_arguments(self) -> tuple[dict, list | None]:
        data = dict(self.validated_data)
        steps = data.pop("steps", None)
        entries = None if steps is None else [
            logbook_services.StepEntry(step=s["step"], role=s["role"], takeover=s.get("takeover", False),
                                       console_minutes=s.get("console_minutes")) for s in steps]
        return data, entries


class CaseWriteSerializer(CaseSerializer):
    """CaseSerializer's writable fields alone: what a create or an edit reads. The same
    validation and messages; the read-only fields, which only the answer shows, are not built
    for every write (they were a tenth of a create's work)."""

    site_name = procedure_name = trainee_name = None

    class Meta(CaseSerializer.Meta):
        fields = [name for name in CaseSerializer.Meta.fields
                  if name not in {"id", "site_name", "procedure_name", "trainee_name",
                                  *CaseSerializer.Meta.read_only_fields}]
        read_only_fields: list[str] = []


def _lean_plan() -> list[tuple[str, str, tuple[str, ...], object]]:
    """(JSON name, column path, attribute path, representation) per CaseSerializer field but
    the steps: what its fields would read from an instance, read from a `.values()` row (the
    column path) or straight from the instance's attributes."""
    plan = []
    for name, field in CaseSerializer().fields.items():
        if name == "steps":
            continue
        if isinstance(field, serializers.PrimaryKeyRelatedField):
            # The field writes the id as it is.
            plan.append((name, f"{field.source}_id", (f"{field.source}_id",), None))
        else:
            plan.append((name, field.source.replace(".", "__"), tuple(field.source.split(".")),
                         field.to_representation))
    return plan


_LEAN: list | None = None


def _lean() -> list[tuple[str, str, tuple[str, ...], object]]:
    global _LEAN
    if _LEAN is None:
        _LEAN = _lean_plan()
    return _LEAN


def lean_case_values(queryset):
    """The cases as `.values()` rows of the columns the list JSON needs (names joined in), to
    paginate; `lean_case_rows` turns a page of them into the JSON."""
    return queryset.select_related(None).prefetch_related(None).values(*{path for _, path, _, _ in _lean()})


def lean_case_rows(rows: list[dict]) -> list[dict]:
    """A page of cases in CaseSerializer's JSON, from `lean_case_values` rows and one query
    for their steps: no model instance and no serializer per case, which the big lists (the
    logbook, the validation queue) spent most of their time on. The same JSON as the
    serializer (tests/accreditation/logbook/test_hot_paths.py compares them)."""
    plan = _lean()
    steps = _step_rows_of([row["id"] for row in rows])
    out = []
    for row in rows:
        item = {}
        for name, path, _, represent in plan:
            value = row[path]
            item[name] = value if value is None or represent is None else represent(value)
        item["steps"] = list(steps.get(row["id"], ()))
        out.append({name: item[name] for name in CaseSerializer.Meta.fields})
    return out


def lean_case_answer(case: Case, steps: list[dict]) -> dict:
    """One case in CaseSerializer's JSON, read from the instance and the steps given in their
    JSON shape: the answer to a create, from what the request just read and wrote (its site,
    procedure and trainee are the instances the request fetched), with no serializer built
    for it. The same JSON as the serializer (tests/accreditation/logbook/test_hot_paths.py)."""
    item = {}
    for name, _, attributes, represent in _lean():
        value = case
        for attribute in attributes:
            value = getattr(value, attribute)
            if value is None:
                break
        item[name] = value if value is None or represent is None else represent(value)
    item["steps"] = steps
    return {name: item[name] for name in CaseSerializer.Meta.fields}


class ValidateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=CaseRole.choices, required=False,
                                   help_text="The role as the trainer saw it; omitted: as logged.")
    supervision = serializers.ChoiceField(choices=Supervision.choices, required=False,
                                          help_text="The agreed supervision code; omitted: as logged.")
    trainer_position = serializers.ChoiceField(choices=TrainerPosition.choices, required=False, allow_blank=True,
                                               help_text="Where the trainer was; omitted: as logged.")


class CaseOutcomeSerializer(serializers.ModelSerializer):
    followup_days = serializers.ChoiceField(choices=FollowUp.choices, help_text="30 or 90.")
    complication_grade = serializers.ChoiceField(choices=ComplicationGrade.choices,
                                                 default=ComplicationGrade.NONE, help_text="Clavien-Dindo.")
    length_of_stay_days = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=365)
    conversion_confirmed = serializers.BooleanField(required=False, allow_null=True, default=None)

    class Meta:
        model = CaseOutcome
        fields = ["id", "case", "followup_days", "complication_grade", "readmitted", "length_of_stay_days",
                  "conversion_confirmed", "recorded_by", "created_at"]
        read_only_fields = ["case", "recorded_by", "created_at"]


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

class LearningCurveQuery(serializers.Serializer):
    procedure = serializers.IntegerField(min_value=1, error_messages={
        "required": "Give the procedure's id: ?procedure=<id>.", "invalid": "Give the procedure's id: ?procedure=<id>."})
    step = serializers.IntegerField(required=False, min_value=1)
    target = serializers.FloatField(required=False, min_value=0, max_value=1440)
    stay = serializers.IntegerField(required=False, min_value=1, max_value=100, default=lc.DEFAULT_STAY)
    p0 = serializers.FloatField(required=False, min_value=0.0001, max_value=0.9999, default=lc.DEFAULT_P0)
    p1 = serializers.FloatField(required=False, min_value=0.0001, max_value=0.9999, default=lc.DEFAULT_P1)
    h = serializers.FloatField(required=False, min_value=0.01, max_value=100, default=lc.DEFAULT_H)

    def validate(self, attrs):
        if attrs["p0"] >= attrs["p1"]:
            raise serializers.ValidationError({"p1": ["The unacceptable rate p1 must be above the acceptable p0."]})
        return attrs


_BernoulliSerializer = inline_serializer("BernoulliCusum", {
    "p0": serializers.FloatField(), "p1": serializers.FloatField(), "h": serializers.FloatField(),
    "signal_case": serializers.IntegerField(allow_null=True),
    "points": serializers.ListField(child=inline_serializer("BernoulliPoint", {
        "n": serializers.IntegerField(), "case": serializers.IntegerField(), "failure": serializers.BooleanField(),
        "score": serializers.FloatField()})),
})
LearningCurveSerializer = inline_serializer("LearningCurve", {
    "trainee": serializers.IntegerField(),
    "procedure": serializers.IntegerField(),
    "step": serializers.IntegerField(allow_null=True),
    "target": serializers.FloatField(allow_null=True),
    "stay": serializers.IntegerField(),
    "learning_phase_cases": serializers.IntegerField(allow_null=True),
    "learning_phase_end": serializers.IntegerField(allow_null=True, help_text="The same as learning_phase_cases."),
    "excluded": serializers.DictField(child=serializers.IntegerField(), help_text="Cases left out, by reason."),
    "points": serializers.ListField(child=inline_serializer("LearningCurvePoint", {
        "n": serializers.IntegerField(), "case": serializers.IntegerField(), "date": serializers.DateField(),
        "console_minutes": serializers.IntegerField(), "cusum": serializers.FloatField(),
    })),
    "complications": _BernoulliSerializer,
    "conversions": _BernoulliSerializer,
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
        page = self.paginate_queryset(lean_case_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(lean_case_rows(page))

    def create(self, request, *args, **kwargs):
        serializer = CaseWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, steps = serializer.service_arguments()
        case = logbook_services.case_create(trainee=request.user, actor=request.user, data=data, steps=steps)
        # The caller's own new case, answered from what was just written: reading it back would
        # cost two queries, and serialising it a second serializer, for the same JSON.
        step_rows = [{"step": e.step.pk, "step_name": e.step.name, "role": e.role, "takeover": e.takeover,
                      "console_minutes": e.console_minutes} for e in sorted(steps or [], key=lambda e: e.step.order)]
        return Response(lean_case_answer(case, step_rows), status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        case = self.get_object()
        serializer = CaseWriteSerializer(case, data=request.data, partial=partial)
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

    @extend_schema(request=None, responses=CaseSerializer,
                   description="Take a submitted case back to draft, until its validator decides it "
                               "(409 for any other state). Its trainee only.")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.answer(logbook_services.case_withdraw(case=self.get_object(), actor=request.user))

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
        page = self.paginate_queryset(lean_case_values(logbook_selectors.validation_queue(request.user)))
        return self.get_paginated_response(lean_case_rows(page))

    @extend_schema(methods=["get"], request=None, responses=CaseOutcomeSerializer(many=True))
    @extend_schema(methods=["post"], request=CaseOutcomeSerializer, responses={201: CaseOutcomeSerializer})
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def outcomes(self, request, pk=None):
        """The case's 30- and 90-day outcomes; POST adds one to a validated case (409 otherwise,
        and for a second one of the same follow-up). The case itself stays frozen."""
        case = self.get_object()
        if request.method == "POST":
            body = self.validated(CaseOutcomeSerializer)
            outcome = logbook_services.case_outcome_add(case=case, actor=request.user, data=dict(body))
            return Response(CaseOutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)
        return Response(CaseOutcomeSerializer(case.outcomes.order_by("followup_days"), many=True).data)

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
                    OpenApiParameter("trainee", int, required=False),
                    OpenApiParameter("step", int, required=False,
                                     description="A step's own minutes, over whole and part cases."),
                    OpenApiParameter("target", float, required=False,
                                     description="Target console minutes; default: the trainee's own mean."),
                    OpenApiParameter("stay", int, required=False,
                                     description="Cases at or below target after the turn (default 10)."),
                    OpenApiParameter("p0", float, required=False), OpenApiParameter("p1", float, required=False),
                    OpenApiParameter("h", float, required=False)],
        responses=LearningCurveSerializer)
    @action(detail=False, methods=["get"], url_path="learning-curve", filterset_class=None,
            pagination_class=None)
    def learning_curve(self, request):
        """Console time by case number and its CUSUM over validated cases, per procedure (or one
        step); Bernoulli CUSUMs of complications and conversions; the cases left out, by reason."""
        trainee = _visible_trainee(request.user, request.query_params.get("trainee"))
        query = LearningCurveQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        curve = logbook_selectors.learning_curve_of(
            trainee=trainee, procedure_id=params["procedure"], step_id=params.get("step"),
            target=params.get("target"))
        target = lc.target_of(curve.points, params.get("target"))
        phase = lc.learning_phase_cases(curve.points, target=target, stay=params["stay"])
        cases = [pk for pk, _, _ in curve.outcomes]
        bernoulli = {}
        for name, index in (("complications", 1), ("conversions", 2)):
            result = lc.bernoulli_cusum([o[index] for o in curve.outcomes], p0=params["p0"], p1=params["p1"],
                                        h=params["h"], cases=cases)
            bernoulli[name] = {"p0": result.p0, "p1": result.p1, "h": result.h, "signal_case": result.signal_case,
                               "points": [{"n": p.n, "case": p.case, "failure": p.failure, "score": p.score}
                                          for p in result.points]}
        return Response({
            "trainee": trainee.pk, "procedure": params["procedure"], "step": params.get("step"),
            "target": float(target) if target is not None else None, "stay": params["stay"],
            "learning_phase_cases": phase, "learning_phase_end": phase,
            "excluded": curve.excluded,
            "points": [{"n": p.n, "case": p.case, "date": p.date, "console_minutes": p.console_minutes,
                        "cusum": float(p.cusum)} for p in curve.points],
            **bernoulli,
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
