"""The dashboards API:

- `GET /api/v1/dashboards/national/`: programme admins (other roles 403).
- `GET /api/v1/dashboards/regions/<id>/`: programme admins, or that region's lead (another
  region's lead, or a region that does not exist: 404; other roles 403).

Query parameters: `from` / `to` (months, YYYY-MM; default five months back to two ahead) for
the figures by month; `specialty` (a specialty code) for what has one; `region` (a region id,
national dashboard only) to narrow it to one region. Each section (`faculty`, `labs`,
`signoffs`, `trainees`, `cases`, `privileges` (privileged surgeons by platform), `capacity`, `trainers`, `overlogging`, `calibration`) is a
list of rows; `?section=<name>&as=csv` downloads one section as CSV with the same columns as
its JSON rows.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards import selectors as dashboards
from dashboards.answer import dashboard_answer
from labs.api import CapacityFiguresSerializer
from rastrack.accounts.roles import Role
from rastrack.core.permissions import RoleRequired, get_visible_or_404
from rastrack.reference.models import Specialty
from rastrack.reference.specialties import LEGACY_LABELS

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
    not_computed = serializers.IntegerField(help_text="Live enrolments whose progress summary is not computed yet.")
    total = serializers.IntegerField()


class CasesRowSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM (of the case date)")
    platform = serializers.CharField()
    platform_name = serializers.CharField(required=False, help_text="The platform's name, as people read it.")
    validated = serializers.IntegerField()
    submitted = serializers.IntegerField(help_text="Waiting for validation.")


class PrivilegesRowSerializer(serializers.Serializer):
    platform = serializers.CharField()
    platform_name = serializers.CharField()
    provisional = serializers.IntegerField(help_text="Surgeons with provisional (proctored) privileges.")
    full = serializers.IntegerField(help_text="Surgeons with full privileges.")
    surgeons = serializers.IntegerField(help_text="Surgeons with privileges in force on the platform.")


class CapacityNeedPlatformSerializer(serializers.Serializer):
    platform = serializers.CharField(help_text="Empty: platform-neutral (requirements and sessions of no platform).")
    still_required = serializers.IntegerField()
    booked_ahead = serializers.IntegerField()
    need = serializers.IntegerField()
    sessions = serializers.IntegerField()
    seats_free = serializers.IntegerField()
    shortfall = serializers.IntegerField()


class CapacityNeedRowSerializer(serializers.Serializer):
    region = serializers.IntegerField()
    region_name = serializers.CharField()
    kind = serializers.CharField(help_text="Lab session kind.")
    still_required = serializers.IntegerField(
        help_text="Sessions the region's trainees' active enrolments still require (hours turned into sessions).")
    booked_ahead = serializers.IntegerField(help_text="Seats those trainees have booked in sessions still to come.")
    need = serializers.IntegerField(help_text="still_required - booked_ahead, never below zero.")
    sessions = serializers.IntegerField(help_text="Sessions in the region's labs in the next three months.")
    seats_free = serializers.IntegerField(help_text="Seats not yet booked in those sessions.")
    shortfall = serializers.IntegerField(help_text="need - seats_free, never below zero.")
    by_platform = CapacityNeedPlatformSerializer(many=True, required=False,
                                                 help_text="The same figures by platform.")


class TrainerCapacityRowSerializer(serializers.Serializer):
    region = serializers.IntegerField()
    region_name = serializers.CharField()
    accredited_trainers = serializers.IntegerField()
    trainee_cap = serializers.IntegerField(help_text="Trainees a trainer may have at the same time.")
    places_free = serializers.IntegerField(help_text="Sum over accredited trainers of (cap - current trainees).")
    trainees_without_trainer = serializers.IntegerField(help_text="Trainees with an active enrolment and no trainer.")
    shortfall = serializers.IntegerField(help_text="trainees_without_trainer - places_free, never below zero.")


class OverloggingRowSerializer(serializers.Serializer):
    region = serializers.IntegerField()
    region_name = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM (of the case date)")
    validated = serializers.IntegerField()
    disagreements = serializers.IntegerField(help_text="Validated cases the trainer corrected.")
    role_corrected = serializers.IntegerField()
    supervision_corrected = serializers.IntegerField()
    disagreement_rate = serializers.FloatField(help_text="disagreements / validated")
    # default: a snapshot saved before the figure existed still answers until its refresh.
    overlogged = serializers.IntegerField(default=0, help_text="Corrected cases whose claimed role and code count as a "
                                                    "higher kind of own work than the validated ones, under "
                                                    "the trainee's pathway version's counting table.")


class CalibrationRowSerializer(serializers.Serializer):
    region = serializers.IntegerField()
    region_name = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM (of the trainer's rating)")
    tool = serializers.CharField()
    pairs = serializers.IntegerField(help_text="Cases rated by the trainee and a trainer with the tool.")
    mean_gap = serializers.FloatField(help_text="Mean of self - trainer total (positive: trainees rate higher).")
    mean_abs_gap = serializers.FloatField()


class ProgressFreshnessSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField(allow_null=True, help_text="The oldest progress summary counted.")
    stale = serializers.IntegerField(help_text="Summaries waiting to be recomputed after new evidence.")
    not_computed = serializers.IntegerField()


class DashboardFiltersSerializer(serializers.Serializer):
    region = serializers.IntegerField(allow_null=True)
    specialty = serializers.CharField()


class CapacityPeriodSerializer(serializers.Serializer):
    to = serializers.DateField()


CapacityPeriodSerializer._declared_fields["from"] = serializers.DateField()


class DashboardScopeSerializer(serializers.Serializer):
    region = serializers.IntegerField(allow_null=True)
    region_name = serializers.CharField()


class DashboardPeriodSerializer(serializers.Serializer):
    # "from" is a keyword: declared below.
    to = serializers.CharField()


DashboardPeriodSerializer._declared_fields["from"] = serializers.CharField()


class SnapshotSectionsSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField(help_text="When the (older) snapshot these sections come from was computed.")
    sections = serializers.ListField(child=serializers.CharField())


class DashboardSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField(
        help_text="When these figures were computed: the default view comes from a snapshot the "
                  "beat task refreshes every few minutes; a filtered view computes its sections by "
                  "month on request (see snapshot_sections for the others).")
    snapshot_sections = SnapshotSectionsSerializer(
        allow_null=True, required=False,
        help_text="In a filtered view, the sections its months do not change (those of the scope "
                  "alone, and faculty and trainer capacity), taken from the snapshots of the scope "
                  "and of the chosen specialty while they are fresh; null when every section was "
                  "computed on request.")
    scope = DashboardScopeSerializer()
    period = DashboardPeriodSerializer()
    filters = DashboardFiltersSerializer()
    expiry_warning_days = serializers.IntegerField()
    capacity_period = CapacityPeriodSerializer(help_text="The three months capacity versus need looks at.")
    progress_freshness = ProgressFreshnessSerializer()
    faculty = FacultyRowSerializer(many=True)
    labs = LabsRowSerializer(many=True)
    signoffs = SignoffsRowSerializer(many=True)
    trainees = TraineesRowSerializer(many=True)
    cases = CasesRowSerializer(many=True)
    privileges = PrivilegesRowSerializer(many=True)
    capacity = CapacityNeedRowSerializer(many=True)
    trainers = TrainerCapacityRowSerializer(many=True)
    overlogging = OverloggingRowSerializer(many=True)
    calibration = CalibrationRowSerializer(many=True)


_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.STR, description="First month, YYYY-MM (default: 5 months ago)."),
    OpenApiParameter("to", OpenApiTypes.STR, description="Last month, YYYY-MM (default: 2 months ahead)."),
    OpenApiParameter("specialty", OpenApiTypes.STR, enum=[*Specialty.values, *LEGACY_LABELS],
                     description="Only this specialty where figures have one (accreditations; cases by procedure)."),
    OpenApiParameter("section", OpenApiTypes.STR, enum=list(dashboards.SECTIONS),
                     description="With as=csv: the section to download."),
    OpenApiParameter("as", OpenApiTypes.STR, enum=["csv"],
                     description="csv: download `section` as CSV (same columns as its JSON rows)."),
]
_RESPONSES = {200: OpenApiResponse(DashboardSerializer, description="The dashboard; with as=csv, text/csv.")}


class NationalDashboardView(APIView):
    permission_classes = [RoleRequired(Role.PROGRAMME_ADMIN)]

    @extend_schema(parameters=[*_PARAMETERS, OpenApiParameter(
        "region", OpenApiTypes.INT, description="Narrow the national dashboard to one region.")],
        responses=_RESPONSES, operation_id="dashboards_national")
    def get(self, request):
        """The national dashboard: programme admins only (other roles 403)."""
        answer = dashboard_answer(request.query_params, user=request.user)
        return answer if isinstance(answer, HttpResponse) else Response(answer)


class RegionDashboardView(APIView):
    permission_classes = [RoleRequired(Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD)]

    @extend_schema(parameters=_PARAMETERS, responses=_RESPONSES, operation_id="dashboards_region")
    def get(self, request, pk: int):
        """A region's dashboard: programme admins, or that region's lead (another region's
        lead: 404; other roles 403)."""
        region = get_visible_or_404(dashboards.dashboard_regions_visible_to(request.user), pk)
        answer = dashboard_answer(request.query_params, user=request.user, region=region)
        return answer if isinstance(answer, HttpResponse) else Response(answer)
