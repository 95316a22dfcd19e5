from rest_framework import serializers

from rastrack.reference.models import Procedure, ProcedureStep, Region, Site
from rastrack.reference.specialties import Subspecialty, legacy_code, specialty_choices_with_legacy


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name", "code"]


class SiteSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Site
        fields = ["id", "name", "region", "region_name", "ods_code"]


class ProcedureStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcedureStep
        fields = ["id", "order", "name"]


class ProcedureSerializer(serializers.ModelSerializer):
    steps = ProcedureStepSerializer(many=True, read_only=True, source="current_steps",
                                    help_text="The current steps in order: those a new case is logged with.")
    legacy_specialty = serializers.SerializerMethodField(
        help_text="The specialty's code before the JCST list (e.g. colorectal), for old clients.")

    class Meta:
        model = Procedure
        fields = ["id", "name", "code", "specialty", "subspecialty", "legacy_specialty", "opcs4", "snomed",
                  "version", "steps"]
        read_only_fields = fields

    def get_legacy_specialty(self, obj) -> str:
        return legacy_code(obj.specialty, obj.subspecialty)


class StepChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="A current step's id: omit for a new step.")
    name = serializers.CharField(max_length=200)


class ProcedureUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200)
    opcs4 = serializers.CharField(required=False, max_length=6)
    snomed = serializers.CharField(required=False, allow_blank=True, max_length=18)
    specialty = serializers.ChoiceField(choices=specialty_choices_with_legacy(), required=False)
    subspecialty = serializers.ChoiceField(choices=Subspecialty.choices, required=False, allow_blank=True)
    steps = serializers.ListField(
        child=StepChangeSerializer(), required=False, allow_empty=False, max_length=40,
        help_text="The whole ordered list of steps wanted: {id, name} keeps (or renames) a current step, "
                  "{name} adds one; a current step left out is retired. Cases keep the steps they were logged with.")


class ProcedureVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    current = serializers.BooleanField()
    replaced_by = serializers.IntegerField(allow_null=True, help_text="Who replaced this version (user id).")
    replaced_at = serializers.DateTimeField(allow_null=True)
    name = serializers.CharField()
    specialty = serializers.CharField()
    subspecialty = serializers.CharField()
    opcs4 = serializers.CharField()
    snomed = serializers.CharField()
    steps = serializers.ListField(child=serializers.CharField(), help_text="The version's steps in order.")
    step_ids = serializers.ListField(child=serializers.IntegerField(allow_null=True), required=False,
                                     help_text="The step rows of those steps (cases point at them).")


class ProcedureVersionsSerializer(serializers.Serializer):
    results = ProcedureVersionSerializer(many=True, help_text="Newest first: the current version, then each replaced one.")
