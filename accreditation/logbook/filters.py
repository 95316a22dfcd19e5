"""The logbook's list filters, shared by the API (`?status=` ...) and the My logbook page."""

from django_filters import rest_framework as filters

from accreditation.logbook.models import Case


class CaseFilter(filters.FilterSet):
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Case
        fields = ["status", "procedure", "platform", "role", "trainee", "date_from", "date_to"]
