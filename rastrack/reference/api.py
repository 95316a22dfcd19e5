"""Reference data: readable by every signed-in user. The procedure catalogue is versioned
data that programme admins change (PATCH); regions and sites are loaded and read-only."""

from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from rastrack.core.permissions import SIGNED_IN, ActionRolesMixin
from rastrack.reference import services
from rastrack.reference.models import Procedure, Region, Site, with_current_steps
from rastrack.reference.platforms import platform_facts
from rastrack.reference.serializers import (
    ProcedureSerializer,
    ProcedureUpdateSerializer,
    ProcedureVersionsSerializer,
    RegionSerializer,
    SiteSerializer,
)
from rastrack.reference.specialties import specialty_choices_with_legacy, specialty_q


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.order_by("name")
    serializer_class = RegionSerializer


class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Site.objects.select_related("region").order_by("name", "id")
    serializer_class = SiteSerializer
    filterset_fields = ["region"]


class ProcedureFilter(filters.FilterSet):
    specialty = filters.ChoiceFilter(choices=specialty_choices_with_legacy(), method="filter_specialty",
                                     help_text="A specialty, or an old code (colorectal: general surgery, colorectal).")

    class Meta:
        model = Procedure
        fields = ["specialty", "subspecialty"]

    def filter_specialty(self, queryset, name, value):
        return queryset.filter(specialty_q(value, specialty_field="specialty", subspecialty_field="subspecialty"))


class ProcedureViewSet(ActionRolesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The procedure catalogue, coded (OPCS-4, optional SNOMED CT). Programme admins change a
    procedure's name, codes, specialty and ordered steps; each change keeps the version it
    replaces (`versions/`), and cases keep the steps they were logged with."""

    queryset = with_current_steps(Procedure.objects.order_by("specialty", "name"))
    serializer_class = ProcedureSerializer
    filterset_class = ProcedureFilter
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "partial_update": ("programme_admin",),
                    "versions": SIGNED_IN}

    @extend_schema(request=ProcedureUpdateSerializer, responses=ProcedureSerializer)
    def partial_update(self, request, *args, **kwargs):
        procedure = self.get_object()
        data = ProcedureUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        procedure = services.procedure_update(actor=request.user, procedure=procedure, **data.validated_data)
        return Response(ProcedureSerializer(self.get_queryset().get(pk=procedure.pk)).data)

    @extend_schema(responses=ProcedureVersionsSerializer)
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def versions(self, request, pk=None):
        """Every version of the procedure, newest first, each with its steps as it had them."""
        versions = services.procedure_versions(self.get_object())
        return Response(ProcedureVersionsSerializer({"results": versions}).data)


class PlatformViewSet(ActionRolesMixin, viewsets.ViewSet):
    """The robotic platforms: type, NICE status and docking steps where they differ."""

    action_roles = {"list": SIGNED_IN}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def list(self, request):
        return Response({"results": platform_facts()})
