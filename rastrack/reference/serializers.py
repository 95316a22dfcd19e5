from rest_framework import serializers

from rastrack.reference.models import Procedure, ProcedureStep, Region, Site


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

    class Meta:
        model = Procedure
        fields = ["id", "name", "code", "specialty", "steps"]
