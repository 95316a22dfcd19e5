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
    steps = ProcedureStepSerializer(many=True, read_only=True)
    legacy_specialty = serializers.SerializerMethodField(
        help_text="The specialty's code before the JCST list (e.g. colorectal), for old clients.")

    class Meta:
        model = Procedure
        fields = ["id", "name", "code", "specialty", "subspecialty", "legacy_specialty", "opcs4", "snomed",
                  "version", "steps"]
        read_only_fields = fields

    def get_legacy_specialty(self, obj) -> str:
        return legacy_code(obj.specialty, obj.subspecialty)


class ProcedureUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200)
    opcs4 = serializers.CharField(required=False, max_length=6)
    snomed = serializers.CharField(required=False, allow_blank=True, max_length=18)
    specialty = serializers.ChoiceField(choices=specialty_choices_with_legacy(), required=False)
    subspecialty = serializers.ChoiceField(choices=Subspecialty.choices, required=False, allow_blank=True)
