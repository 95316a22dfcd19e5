"""Reference data: readable by every signed-in user, edited in Django admin."""

from rest_framework import viewsets

from rastrack.reference.models import Procedure, Region, Site
from rastrack.reference.serializers import ProcedureSerializer, RegionSerializer, SiteSerializer


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.order_by("name")
    serializer_class = RegionSerializer


class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Site.objects.select_related("region").order_by("name", "id")
    serializer_class = SiteSerializer
    filterset_fields = ["region"]


class ProcedureViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Procedure.objects.prefetch_related("steps").order_by("specialty", "name")
    serializer_class = ProcedureSerializer
    filterset_fields = ["specialty"]
