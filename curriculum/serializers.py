"""API representations. Serializers check types and shapes; the services decide the rules."""

from __future__ import annotations

import datetime
import decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from curriculum.models import (
    Competency,
    Component,
    ELearningCompletion,
    Enrolment,
    EnrolmentPause,
    Framework,
    LearningResource,
    Licence,
    Module,
    Pathway,
    PauseKind,
    Requirement,
    ResourceAudience,
    ResourceFormat,
    ResourceSubmission,
    Standard,
    Topic,
)
from curriculum.rules import requirement_description, target_of, unit_of
from rastrack.core.models import EvidenceDocument
from rastrack.reference.models import Procedure, ProcedureStep


def _number(value):
    """Decimals (hours) as JSON numbers; ints stay ints."""
    return float(value) if isinstance(value, decimal.Decimal) else value


# --- Standards --------------------------------------------------------------------------------


class FrameworkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Framework
        fields = ["id", "code", "version", "title", "description", "status", "created_from",
                  "created_at", "published_at", "retired_at"]
        read_only_fields = ["version", "status", "created_from", "created_at", "published_at", "retired_at"]
        validators: list = []  # uniqueness is the service's 409, not a serializer 400


class CompetencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Competency
        fields = ["id", "key", "code", "title"]
        read_only_fields = fields


class StandardSerializer(serializers.ModelSerializer):
    framework = serializers.PrimaryKeyRelatedField(queryset=Framework.objects.all())
    competencies = CompetencyBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Standard
        fields = ["id", "framework", "code", "title", "domain", "description", "order", "competencies"]
        extra_kwargs = {"order": {"required": False}}
        validators: list = []


class CompetencySerializer(serializers.ModelSerializer):
    standard = serializers.PrimaryKeyRelatedField(queryset=Standard.objects.all())
    standard_code = serializers.CharField(source="standard.code", read_only=True)

    class Meta:
        model = Competency
        fields = ["id", "framework", "standard", "standard_code", "key", "code", "title", "descriptors", "order",
                  "setting"]
        read_only_fields = ["framework"]
        extra_kwargs = {
            "key": {"required": False, "help_text": "Stable across framework versions; made from the title when omitted."},
            "order": {"required": False},
            "setting": {"required": False},
        }
        validators: list = []


# --- Pathways --------------------------------------------------------------------------------


class RequirementSerializer(serializers.ModelSerializer):
    component = serializers.PrimaryKeyRelatedField(queryset=Component.objects.all())
    params = serializers.DictField(
        required=False, default=dict,
        help_text='By type: min_count {"count"}; min_hours {"hours"}; min_score {"score", "consecutive", '
                  '"exercise"}; competency_signoff {"competency_key"} or {"competency"}; '
                  'assessment_threshold {"tool", "min_total" and / or "min_domain", "consecutive", "modes"}; '
                  'entrustment_level {"level" (I-V), "count", "modes", "competency_key" or "competency"} (narrow to a procedure_step for a '
                  'per-step level); video_review_passed {"tool", "min_total", "min_agreement"}; '
                  'simulator_proficiency {"exercises" (codes) or "all_frs_tasks", "consecutive"}; '
                  'accredited_course {"count"} (courses from an accredited provider). '
                  'A bad parameter is a 400 '
                  'keyed by its name, e.g. {"count": ["..."]}.',
    )
    procedure = serializers.PrimaryKeyRelatedField(queryset=Procedure.objects.all(), required=False, allow_null=True)
    procedure_step = serializers.PrimaryKeyRelatedField(queryset=ProcedureStep.objects.all(), required=False,
                                                        allow_null=True)
    provenances = serializers.ListField(
        child=serializers.ChoiceField(choices=["self_reported", "trainer_verified", "device_import"]),
        required=False, help_text="Which simulator sessions and e-learning completions count "
                                  "(default: trainer_verified and device_import).")
    competency_key = serializers.CharField(read_only=True, allow_null=True)
    description = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()

    class Meta:
        model = Requirement
        fields = ["id", "component", "type", "params", "platform", "procedure", "procedure_step",
                  "provenances", "competency", "competency_key", "description", "unit", "target"]
        read_only_fields = ["competency"]
        validators: list = []

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["params"] = instance.params
        return data

    def get_description(self, obj) -> str:
        return requirement_description(obj)

    def get_unit(self, obj) -> str:
        return unit_of(obj)

    @extend_schema_field(OpenApiTypes.NUMBER)
    def get_target(self, obj):
        return _number(target_of(obj))


class ComponentSerializer(serializers.ModelSerializer):
    module = serializers.PrimaryKeyRelatedField(queryset=Module.objects.all())
    requirements = RequirementSerializer(many=True, read_only=True)

    class Meta:
        model = Component
        fields = ["id", "module", "key", "order", "title", "kind", "description", "requirements"]
        read_only_fields = ["key"]
        extra_kwargs = {"order": {"required": False}}
        validators: list = []


class ModuleSerializer(serializers.ModelSerializer):
    pathway = serializers.PrimaryKeyRelatedField(queryset=Pathway.objects.all())
    components = ComponentSerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["id", "pathway", "order", "title", "description", "is_final", "components"]
        read_only_fields = ["is_final"]
        extra_kwargs = {"order": {"required": False}}
        validators: list = []


class ModuleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "order", "title", "is_final"]
        read_only_fields = fields


class PathwaySerializer(serializers.ModelSerializer):
    framework = serializers.PrimaryKeyRelatedField(queryset=Framework.objects.all())
    framework_version = serializers.IntegerField(source="framework.version", read_only=True)
    modules = ModuleBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Pathway
        fields = ["id", "code", "version", "title", "audience", "framework", "framework_version", "description",
                  "self_enrol", "duration_weeks", "status", "created_from", "published_at", "retired_at", "modules"]
        read_only_fields = ["version", "status", "created_from", "published_at", "retired_at"]
        extra_kwargs = {"duration_weeks": {"required": False}, "self_enrol": {"required": False}}
        validators: list = []


class PathwayNewVersionSerializer(serializers.Serializer):
    framework = serializers.PrimaryKeyRelatedField(
        queryset=Framework.objects.all(), required=False, allow_null=True,
        help_text="Another framework version to bind the copy to; the same one when omitted.")


# --- Enrolments ------------------------------------------------------------------------------


class EnrolmentPauseSerializer(serializers.ModelSerializer):
    days = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = EnrolmentPause
        fields = ["id", "kind", "reason", "started_on", "ended_on", "days"]
        read_only_fields = fields


class EnrolmentSerializer(serializers.ModelSerializer):
    trainee_name = serializers.CharField(source="trainee.full_name", read_only=True)
    pathway_title = serializers.CharField(source="pathway.title", read_only=True)
    pauses = EnrolmentPauseSerializer(many=True, read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "trainee", "trainee_name", "pathway", "pathway_title", "status", "enrolled_on",
                  "target_date", "enrolled_by", "completed_on", "withdrawn_on", "pauses", "created_at"]
        read_only_fields = fields


class EnrolmentCreateSerializer(serializers.Serializer):
    pathway = serializers.PrimaryKeyRelatedField(queryset=Pathway.objects.none())
    trainee = serializers.PrimaryKeyRelatedField(
        queryset=Enrolment.trainee.field.related_model.objects.none(), required=False,
        help_text="The trainee to enrol (regional leads and programme admins); yourself when omitted.")
    target_date = serializers.DateField(required=False, help_text="Enrolment date + the pathway's length when omitted.")
    enrolled_on = serializers.DateField(required=False, help_text="Today when omitted.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from curriculum.selectors import pathways_visible_to, trainees_enrollable_by

        request = self.context.get("request")
        if request is not None:
            user = request.user
            self.fields["pathway"].queryset = pathways_visible_to(user)
            self.fields["trainee"].queryset = trainees_enrollable_by(user) | type(user).objects.filter(pk=user.pk)


class PauseRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PauseKind.choices)
    reason = serializers.CharField(help_text="Why the training is paused (no patient-identifiable data).")
    started_on = serializers.DateField(required=False, help_text="Today when omitted; not in the future.")


class ResumeRequestSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, help_text="Today when omitted; not in the future.")


class WithdrawRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


def evidence_json(item) -> dict:
    return {"kind": str(item.kind), "id": int(item.id), "label": str(item.label),
            "date": None if item.date is None else item.date.isoformat()}


class EvidenceItemSerializer(serializers.Serializer):
    """One piece of evidence, once per progress answer (a case counts for several requirements)."""

    kind = serializers.CharField()
    id = serializers.IntegerField()
    label = serializers.CharField()
    date = serializers.DateField(allow_null=True)


class EvidenceRefListSerializer(serializers.ListSerializer):
    """Built directly, not through fields: a trainee with hundreds of cases has hundreds of
    references per requirement, and serialising each through fields was most of the
    progress page's time."""

    def to_representation(self, data):
        items = data.all() if hasattr(data, "all") else data
        return [{"kind": str(item.kind), "id": int(item.id)} for item in items]


class EvidenceRefSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField(help_text="With `kind`, names an item of the answer's `evidence`.")

    class Meta:
        list_serializer_class = EvidenceRefListSerializer


class RequirementProgressSerializer(serializers.Serializer):
    requirement = serializers.IntegerField(source="requirement.pk")
    module = serializers.IntegerField(source="requirement.component.module_id")
    module_title = serializers.CharField(source="requirement.component.module.title")
    component = serializers.IntegerField(source="requirement.component_id")
    component_title = serializers.CharField(source="requirement.component.title")
    component_kind = serializers.CharField(source="requirement.component.kind")
    type = serializers.CharField(source="requirement.type")
    description = serializers.SerializerMethodField()
    met = serializers.BooleanField()
    value = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    unit = serializers.CharField()
    provider = serializers.CharField(allow_null=True, help_text="Null: no app measures this requirement yet.")
    evidence = EvidenceRefSerializer(many=True, help_text="What counts, by kind and id: each item's label and "
                                                          "date are in the answer's `evidence`, once.")
    notes = serializers.ListField(child=serializers.CharField(), read_only=True,
                                  help_text="What is done, the current run, what waits for verification, the next step.")

    def get_description(self, obj) -> str:
        return requirement_description(obj.requirement)

    @extend_schema_field(OpenApiTypes.NUMBER)
    def get_value(self, obj):
        return _number(obj.value)

    @extend_schema_field(OpenApiTypes.NUMBER)
    def get_target(self, obj):
        return _number(obj.target)


class EnrolmentProgressSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField(source="enrolment.pk")
    pathway = serializers.IntegerField(source="enrolment.pathway_id")
    met_count = serializers.IntegerField()
    total = serializers.IntegerField()
    complete = serializers.BooleanField()
    share = serializers.FloatField(help_text="met_count / total, 0 to 1.")
    requirements = RequirementProgressSerializer(many=True)
    evidence = serializers.SerializerMethodField(
        help_text="Every item of evidence the requirements name, once each (oldest first): a case that "
                  "counts for five requirements is sent once, not five times.")

    @extend_schema_field(EvidenceItemSerializer(many=True))
    def get_evidence(self, obj) -> list[dict]:
        seen: dict[tuple[str, int], object] = {}
        for requirement in obj.requirements:
            for item in requirement.evidence:
                seen.setdefault((str(item.kind), int(item.id)), item)
        return [evidence_json(item) for item in sorted(
            seen.values(), key=lambda i: (i.date is None, i.date or datetime.date.min, str(i.kind), int(i.id)))]


# --- E-learning evidence ---------------------------------------------------------------------


class ELearningCompletionSerializer(serializers.ModelSerializer):
    component = serializers.PrimaryKeyRelatedField(queryset=Component.objects.none())
    component_title = serializers.CharField(source="component.title", read_only=True)
    pathway = serializers.IntegerField(source="component.module.pathway_id", read_only=True)
    certificate = serializers.PrimaryKeyRelatedField(
        queryset=EvidenceDocument.objects.none(), required=False, allow_null=True,
        help_text="An evidence document you uploaded (POST /api/v1/documents/ first).")

    class Meta:
        model = ELearningCompletion
        fields = ["id", "trainee", "component", "component_title", "pathway", "completed_on", "provider",
                  "certificate", "provenance", "verified_by", "verified_at", "created_at"]
        read_only_fields = ["trainee", "provenance", "verified_by", "verified_at", "created_at"]
        validators: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from curriculum.selectors import components_visible_to

        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["component"].queryset = components_visible_to(request.user).filter(kind="e_learning")
            self.fields["certificate"].queryset = EvidenceDocument.objects.filter(owner=request.user)


# --- Learning resources ----------------------------------------------------------------------


class LearningResourceSerializer(serializers.ModelSerializer):
    topics = serializers.SerializerMethodField()
    submitted_by = serializers.IntegerField(source="submission.submitted_by_id", read_only=True)
    submitted_at = serializers.DateTimeField(source="submission.submitted_at", read_only=True)
    modules = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    competencies = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = LearningResource
        fields = ["id", "submission", "title", "url", "provider", "format", "description", "topics", "audience",
                  "licence", "open_access_confirmed", "status", "submitted_by", "submitted_at", "moderated_by",
                  "moderated_at", "rejection_reason", "modules", "competencies"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Topic.choices)))
    def get_topics(self, obj) -> list[str]:
        return [row.topic for row in obj.topics.all()]


class ResourceItemSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    url = serializers.CharField(max_length=500, help_text="http(s) address of the free, open-access material.")
    provider = serializers.CharField(max_length=200, help_text="Who publishes it.")
    format = serializers.ChoiceField(choices=ResourceFormat.choices)
    description = serializers.CharField(max_length=2000)
    topics = serializers.ListField(child=serializers.ChoiceField(choices=Topic.choices), required=False,
                                   default=list)
    audience = serializers.ChoiceField(choices=ResourceAudience.choices)
    licence = serializers.ChoiceField(choices=Licence.choices)
    open_access_confirmed = serializers.BooleanField(
        help_text="Must be true: you confirm the resource is free and open to access.")


class ResourceSubmissionCreateSerializer(serializers.Serializer):
    items = ResourceItemSerializer(many=True, help_text="One to three resources.")


class ResourceSubmissionSerializer(serializers.ModelSerializer):
    items = LearningResourceSerializer(many=True, read_only=True)

    class Meta:
        model = ResourceSubmission
        fields = ["id", "submitted_by", "submitted_at", "items"]
        read_only_fields = fields


class ResourceMappingSerializer(serializers.Serializer):
    modules = serializers.PrimaryKeyRelatedField(many=True, queryset=Module.objects.all(), required=False)
    competencies = serializers.PrimaryKeyRelatedField(many=True, queryset=Competency.objects.all(), required=False)


class ResourceRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="Required: the submitter reads it.")
