"""The dashboards API (API.md "Dashboards"):

- `GET /api/v1/dashboards/national/`: programme admins (other roles 403).
- `GET /api/v1/dashboards/regions/<id>/`: programme admins, or that region's lead (another
  region's lead, or a region that does not exist: 404; other roles 403).

Query parameters: `from` / `to` (months, YYYY-MM; default five months back to two ahead) for
the labs and cases sections. Each section (`faculty`, `labs`, `signoffs`, `trainees`,
`cases`) is a list of rows; `?section=<name>&as=csv` downloads one section as CSV with the
same columns as its JSON rows.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from labs import capacity, dashboards
from labs.api import CapacityFiguresSerializer
from rastrack.accounts.roles import Role
from rastrack.core.exceptions import ApplicationError
from rastrack.core.permissions import RoleRequired, get_visible_or_404

# --- Serializers (for the schema) -------------------------------------------------------------


class FacultyRowSerializer(serializers.Serializer):
    region = serializers.IntegerField(allow_null=True)
    region_name = serializers.CharField()
    accredited = serializers.IntegerField()
    suspended = serializers.IntegerField()
    lapsed = serializers.IntegerField()
    revoked = serializers.IntegerField()
    total = serializers.IntegerField()
    expiring_soon = serializers.IntegerField(help_text="Accredited and expiring within `expiry_warning_days`.")
    active_assignments = serializers.IntegerField(help_text="Active assignments of accredited trainers.")
    assignments_per_trainer = serializers.FloatField(
        allow_null=True, help_text="Trainer-to-trainee ratio: active assignments per accredited trainer.")


class LabsRowSerializer(CapacityFiguresSerializer):
    """The labs section: `labs.capacity` by month, the same columns as the capacity API."""


class SignoffsRowSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    overdue = serializers.IntegerField()
    decided = serializers.IntegerField()
    turnaround_median_days = serializers.FloatField(allow_null=True)
    turnaround_p90_days = serializers.FloatField(
        allow_null=True, help_text="90th percentile, linear interpolation (as percentile_cont).")


class TraineesRowSerializer(serializers.Serializer):
    pathway = serializers.IntegerField()
    pathway_code = serializers.CharField()
    pathway_title = serializers.CharField()
    band_0_25 = serializers.IntegerField()
    band_25_50 = serializers.IntegerField()
    band_50_75 = serializers.IntegerField()
    band_75_99 = serializers.IntegerField()
    complete = serializers.IntegerField()
    total = serializers.IntegerField()


class CasesRowSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM (of the case date)")
    platform = serializers.CharField()
    validated = serializers.IntegerField()
    submitted = serializers.IntegerField(help_text="Waiting for validation.")


class DashboardScopeSerializer(serializers.Serializer):
    region = serializers.IntegerField(allow_null=True)
    region_name = serializers.CharField()


class DashboardPeriodSerializer(serializers.Serializer):
    # "from" is a keyword: declared below.
    to = serializers.CharField()


DashboardPeriodSerializer._declared_fields["from"] = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    scope = DashboardScopeSerializer()
    period = DashboardPeriodSerializer()
    expiry_warning_days = serializers.IntegerField()
    trainees_truncated = serializers.BooleanField()
    faculty = FacultyRowSerializer(many=True)
    labs = LabsRowSerializer(many=True)
    signoffs = SignoffsRowSerializer(many=True)
    trainees = TraineesRowSerializer(many=True)
    cases = CasesRowSerializer(many=True)


# --- Shared by the API and the web pages ------------------------------------------------------


def dashboard_params(params) -> dict:
    """`from`, `to`, `section` and `as` from query parameters; 400 per field when wrong."""
    errors: dict[str, list[str]] = {}
    found = {}
    for name, key in (("from", "start"), ("to", "end")):
        try:
            found[key] = capacity.parse_month(params.get(name))
        except ValueError:
            errors[name] = ["Give a month as YYYY-MM."]
    if found.get("start") and found.get("end") and found["end"] < found["start"]:
        errors["to"] = ["The last month comes after the first."]
    section = params.get("section") or ""
    if section and section not in dashboards.SECTIONS:
        errors["section"] = [f"Choose one of: {', '.join(dashboards.SECTIONS)}."]
    as_ = params.get("as") or ""
    if as_ and as_ != "csv":
        errors["as"] = ["Only csv."]
    if as_ == "csv" and not section:
        errors["section"] = ["Choose the section to download."]
    if errors:
        raise ApplicationError(errors=errors)
    return {"start": found.get("start"), "end": found.get("end"), "section": section, "csv": as_ == "csv"}


def csv_response(data: dict, section: str) -> HttpResponse:
    scope = data["scope"]["region_name"].lower().replace(" ", "-") or "national"
    response = HttpResponse(dashboards.section_csv(data[section], section), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{scope}-{section}.csv"'
    return response


def dashboard_answer(params, *, region=None):
    """The dashboard (or one section's CSV) for the region (None: national)."""
    chosen = dashboard_params(params)
    data = dashboards.dashboard(region=region, start=chosen["start"], end=chosen["end"])
    if chosen["csv"]:
        return csv_response(data, chosen["section"])
    return data


_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.STR, description="First month, YYYY-MM (default: 5 months ago)."),
    OpenApiParameter("to", OpenApiTypes.STR, description="Last month, YYYY-MM (default: 2 months ahead)."),
    OpenApiParameter("section", OpenApiTypes.STR, enum=list(dashboards.SECTIONS),
                     description="With as=csv: the section to download."),
    OpenApiParameter("as", OpenApiTypes.STR, enum=["csv"],
                     description="csv: download `section` as CSV (same columns as its JSON rows)."),
]
_RESPONSES = {200: OpenApiResponse(DashboardSerializer, description="The dashboard; with as=csv, text/csv.")}


class NationalDashboardView(APIView):
    permission_classes = [RoleRequired(Role.PROGRAMME_ADMIN)]

    @extend_schema(parameters=_PARAMETERS, responses=_RESPONSES, operation_id="dashboards_national")
    def get(self, request):
        """The national dashboard: programme admins only (other roles 403)."""
        answer = dashboard_answer(request.query_params)
        return answer if isinstance(answer, HttpResponse) else Response(answer)


class RegionDashboardView(APIView):
    permission_classes = [RoleRequired(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD)]

    @extend_schema(parameters=_PARAMETERS, responses=_RESPONSES, operation_id="dashboards_region")
    def get(self, request, pk: int):
        """A region's dashboard: programme admins, or that region's lead (another region's
        lead: 404; other roles 403)."""
        region = get_visible_or_404(dashboards.dashboard_regions_visible_to(request.user), pk)
        answer = dashboard_answer(request.query_params, region=region)
        return answer if isinstance(answer, HttpResponse) else Response(answer)
