"""The labs API: /api/v1/labs/ (with /api/v1/labs/capacity/),
/api/v1/lab-equipment/ and /api/v1/lab-sessions/ (bookings: labs/bookings_api.py).

Views only translate: selectors scope what a caller sees (404 outside it), `RoleRequired`
refuses roles that may never use an endpoint or action (403), services decide the rest
(403 for another lab's manager, 400 per field, 409 for duplicates, overlaps and states).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from curriculum.models import Component, Lifecycle, Module
from labs import capacity, selectors, services
from labs.models import (
    BookingStatus,
    Equipment,
    EquipmentKind,
    EquipmentStatus,
    EquipmentType,
    Lab,
    LabOpeningHours,
    LabSession,
    LabSessionKind,
    LabSessionStatus,
    SessionRole,
    TeamMeasure,
    TeamOutcome,
    TeamRole,
    Weekday,
)
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.free_text import MAX_TEXT
from rastrack.core.permissions import SIGNED_IN, ActionRolesMixin, ScopedViewSetMixin
from rastrack.core.pii import NoPIIValidator
from rastrack.reference.models import Platform, Region, Site

ADMIN, LEAD, MANAGER, TRAINER, TRAINEE = (Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD, Role.LAB_MANAGER,
                                          Role.TRAINER, Role.TRAINEE)




class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name"]
        read_only_fields = fields


# --- Labs ------------------------------------------------------------------------------------


class OpeningHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 Monday ... 6 Sunday.")
    weekday_name = serializers.SerializerMethodField()
    opens = serializers.TimeField(format="%H:%M")
    closes = serializers.TimeField(format="%H:%M")

    def get_weekday_name(self, obj) -> str:
        weekday = obj.weekday if isinstance(obj, LabOpeningHours) else obj["weekday"]
        return Weekday(weekday).label


class LabSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)
    opening_hours = OpeningHoursSerializer(many=True, read_only=True,
                                           help_text="Weekdays without a row are closed.")
    managers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    managers_detail = PersonSerializer(source="managers", many=True, read_only=True)

    class Meta:
        model = Lab
        fields = ["id", "name", "region", "region_name", "site", "site_name", "address", "description",
                  "opening_hours", "managers", "managers_detail"]
        read_only_fields = fields


class LabWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all())
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.all(), help_text="The host site, in the region.")
    address = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                    validators=[NoPIIValidator()])
    description = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                        validators=[NoPIIValidator()])
    opening_hours = OpeningHoursSerializer(many=True, required=False,
                                           help_text="Replaces all opening hours. Default on create: "
                                                     "Monday-Friday 08:00-18:00.")
    managers = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=User.objects.filter(is_active=True),
        help_text="User ids of lab managers (programme admins only).")


class CapacityFiguresSerializer(serializers.Serializer):
    """One month's capacity figures (`labs.capacity`); the dashboards' labs rows too."""

    month = serializers.CharField(help_text="YYYY-MM")
    sessions = serializers.IntegerField()
    seats_offered = serializers.IntegerField()
    booked = serializers.IntegerField()
    attended = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    waitlist_demand = serializers.IntegerField(help_text="Bookings that joined a waitlist.")
    waitlisted = serializers.IntegerField(help_text="Bookings still on a waitlist.")


class CapacityRowSerializer(CapacityFiguresSerializer):
    lab = serializers.IntegerField(required=False)
    lab_name = serializers.CharField(required=False)
    region = serializers.IntegerField(required=False)
    region_name = serializers.CharField(required=False)
    platform = serializers.CharField(required=False, help_text="group_by=platform: empty for platform-neutral.")
    platform_name = serializers.CharField(required=False)


class CapacityTotalsSerializer(serializers.Serializer):
    sessions = serializers.IntegerField()
    seats_offered = serializers.IntegerField()
    booked = serializers.IntegerField()
    attended = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    waitlist_demand = serializers.IntegerField()
    waitlisted = serializers.IntegerField()


class CapacityReportSerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=[(g, g) for g in capacity.GROUPS])
    period_from = serializers.CharField(help_text="First month, YYYY-MM.")
    period_to = serializers.CharField(help_text="Last month, YYYY-MM.")
    rows = CapacityRowSerializer(many=True)
    totals = CapacityTotalsSerializer()


class LabViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                 mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Regional skills labs: everyone signed in reads them. Programme admins create labs and
    name their managers (others 403); a lab's managers and programme admins edit its
    address, description and opening hours (another lab's manager: 403)."""

    model = Lab
    serializer_class = LabSerializer
    filterset_fields = ["region", "site"]
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": (ADMIN,), "update": (ADMIN, MANAGER),
                    "partial_update": (ADMIN, MANAGER), "capacity": (ADMIN, LEAD, MANAGER)}

    def visible_queryset(self, user):
        return selectors.labs_visible_to(user)

    @extend_schema(request=LabWriteSerializer, responses={201: LabSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated(LabWriteSerializer)
        lab = services.lab_create(actor=request.user, **data)
        return self.answer(lab, status.HTTP_201_CREATED)

    @extend_schema(request=LabWriteSerializer, responses=LabSerializer)
    def update(self, request, *args, **kwargs):
        lab = self.get_object()
        data = LabWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        services.lab_update(actor=request.user, lab=lab, **data.validated_data)
        return self.answer(lab)

    @extend_schema(request=LabWriteSerializer, responses=LabSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("region", OpenApiTypes.INT, description="Only this region's labs."),
            OpenApiParameter("lab", OpenApiTypes.INT, description="Only this lab."),
            OpenApiParameter("from", OpenApiTypes.STR, description="First month, YYYY-MM (default: 5 months ago)."),
            OpenApiParameter("to", OpenApiTypes.STR, description="Last month, YYYY-MM (default: 2 months ahead)."),
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(capacity.GROUPS),
                             description="lab (default; with its region), region, or month only."),
        ],
        responses=CapacityReportSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def capacity(self, request):
        """Seats offered, booked, attended, no-shows and waitlist demand by month, per lab,
        region or month: lab managers their own labs, regional leads their region, programme
        admins all (other roles 403; a lab or region outside the caller's scope: 404)."""
        return Response(capacity.capacity_report_for(request.user, request.query_params))




# --- Equipment -------------------------------------------------------------------------------


class EquipmentSerializer(serializers.ModelSerializer):
    lab_name = serializers.CharField(source="lab.name", read_only=True)
    kind = serializers.ChoiceField(choices=EquipmentKind.choices, required=False,
                                   help_text="The old classification (readable; give `type` instead).")
    type = serializers.ChoiceField(choices=EquipmentType.choices, required=False,
                                   help_text="Required unless `kind` is given (then derived from it).")
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True,
                                       help_text="The platform it trains; empty for platform-neutral kit.")
    status = serializers.ChoiceField(choices=EquipmentStatus.choices, default=EquipmentStatus.AVAILABLE)
    count = serializers.IntegerField(min_value=1, max_value=500, default=1)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                  validators=[NoPIIValidator()])

    class Meta:
        model = Equipment
        fields = ["id", "lab", "lab_name", "kind", "type", "platform", "model", "count", "status", "notes",
                  "status_changed_at"]
        read_only_fields = ["status_changed_at"]


class EquipmentUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EquipmentKind.choices, required=False)
    type = serializers.ChoiceField(choices=EquipmentType.choices, required=False)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True)
    model = serializers.CharField(max_length=200, required=False)
    count = serializers.IntegerField(min_value=1, max_value=500, required=False)
    status = serializers.ChoiceField(choices=EquipmentStatus.choices, required=False,
                                     help_text="out_of_service flags the future sessions that need it.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                  validators=[NoPIIValidator()])


class EquipmentFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=EquipmentKind.choices)
    type = filters.ChoiceFilter(choices=EquipmentType.choices)
    platform = filters.ChoiceFilter(choices=Platform.choices)
    status = filters.ChoiceFilter(choices=EquipmentStatus.choices)

    class Meta:
        model = Equipment
        fields = ["lab", "kind", "type", "platform", "status"]


class EquipmentViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                       mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lab equipment: everyone signed in reads it; the lab's managers add and change it
    (other roles, and other labs' managers: 403). Status `out_of_service` flags the future
    sessions that need it and notifies the lab's managers."""

    model = Equipment
    serializer_class = EquipmentSerializer
    filterset_class = EquipmentFilter
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": (MANAGER,), "update": (MANAGER,),
                    "partial_update": (MANAGER,)}

    def visible_queryset(self, user):
        return selectors.equipment_visible_to(user)

    def create(self, request, *args, **kwargs):
        data = self.validated(EquipmentSerializer)
        equipment = services.equipment_create(actor=request.user, **data)
        return self.answer(equipment, status.HTTP_201_CREATED)

    @extend_schema(request=EquipmentUpdateSerializer, responses=EquipmentSerializer)
    def update(self, request, *args, **kwargs):
        equipment = self.get_object()
        data = EquipmentUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.equipment_update(actor=request.user, equipment=equipment, **data.validated_data)
        return self.answer(equipment)

    @extend_schema(request=EquipmentUpdateSerializer, responses=EquipmentSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


# --- Sessions --------------------------------------------------------------------------------


class MyBookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BookingStatus.choices)


class SessionRoleSerializer(serializers.ModelSerializer):
    role_name = serializers.CharField(source="get_role_display", read_only=True)
    seats_left = serializers.IntegerField(read_only=True)
    waitlist_length = serializers.IntegerField(read_only=True, help_text="Bookings of this role waiting.")

    class Meta:
        model = SessionRole
        fields = ["role", "role_name", "seats", "seats_booked", "seats_left", "waitlist_length"]
        read_only_fields = fields


class TeamOutcomeSerializer(serializers.ModelSerializer):
    measure_name = serializers.CharField(source="get_measure_display", read_only=True)

    class Meta:
        model = TeamOutcome
        fields = ["measure", "measure_name", "label", "value", "recorded_at"]
        read_only_fields = fields


class LabSessionSerializer(serializers.ModelSerializer):
    lab_name = serializers.CharField(source="lab.name", read_only=True)
    region = serializers.IntegerField(source="lab.region_id", read_only=True)
    seats_left = serializers.IntegerField(read_only=True)
    waitlist_length = serializers.IntegerField(read_only=True, help_text="Bookings on the waitlist now.")
    faculty = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    faculty_detail = PersonSerializer(source="faculty", many=True, read_only=True)
    equipment = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    component_title = serializers.CharField(source="component.title", read_only=True, default=None)
    prerequisite_title = serializers.CharField(source="prerequisite.title", read_only=True, default=None)
    my_booking = serializers.SerializerMethodField(help_text="The caller's own booking of it, if any.")
    roles = SessionRoleSerializer(many=True, read_only=True, help_text="Team sessions: seats by team role.")
    outcomes = TeamOutcomeSerializer(many=True, read_only=True,
                                     help_text="The team's measured outcomes, recorded once for all.")

    class Meta:
        model = LabSession
        fields = ["id", "lab", "lab_name", "region", "title", "kind", "platform", "starts_at", "ends_at", "seats",
                  "seats_booked", "seats_left", "waitlist_length", "roles", "outcomes", "faculty",
                  "faculty_detail", "equipment",
                  "component", "component_title", "prerequisite", "prerequisite_title", "notes", "status",
                  "equipment_flagged", "created_at", "cancelled_at", "cancel_reason", "my_booking"]
        read_only_fields = fields

    @extend_schema_field(MyBookingSerializer(allow_null=True))
    def get_my_booking(self, obj) -> dict | None:
        mine = getattr(obj, "my_bookings", None)
        if not mine:
            return None
        return {"id": mine[0].pk, "status": mine[0].status}


class RoleSeatsSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=TeamRole.choices)
    seats = serializers.IntegerField(min_value=1, max_value=services.teams.MAX_TEAM)


class LabSessionCreateSerializer(serializers.Serializer):
    lab = serializers.PrimaryKeyRelatedField(queryset=Lab.objects.all())
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, validators=[NoPIIValidator()])
    kind = serializers.ChoiceField(choices=LabSessionKind.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    seats = serializers.IntegerField(min_value=1, max_value=services.MAX_SEATS, required=False,
                                     help_text="Required unless `roles` are given (then their sum).")
    roles = RoleSeatsSerializer(many=True, required=False,
                                help_text="Team sessions (required for team_training): seats by team role.")
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True,
                                       help_text="The platform trained on; default: that of its robotic equipment.")
    faculty = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=User.objects.all(),
        help_text="User ids of trainers accredited on the session's date.")
    equipment = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Equipment.objects.all(),
        help_text="Equipment ids of this lab; seats may not exceed their available units.")
    component = serializers.PrimaryKeyRelatedField(
        required=False, allow_null=True,
        queryset=Component.objects.filter(module__pathway__status=Lifecycle.PUBLISHED),
        help_text="The curriculum component (id) this session trains for.")
    prerequisite = serializers.PrimaryKeyRelatedField(
        required=False, allow_null=True, queryset=Module.objects.filter(pathway__status=Lifecycle.PUBLISHED),
        help_text="A curriculum module (id) the trainee must have met to book.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                  validators=[NoPIIValidator()])


class LabSessionUpdateSerializer(serializers.Serializer):
    """What a lab's manager may change on a scheduled session; fields left out stay as they are."""

    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    seats = serializers.IntegerField(required=False, min_value=1, max_value=services.MAX_SEATS,
                                     help_text="Never fewer than the confirmed places (400 with the count).")
    faculty = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=User.objects.all(),
        help_text="User ids of trainers accredited on the session's date (replaces the list).")
    equipment = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Equipment.objects.all(),
        help_text="Equipment ids of this lab (replaces the list).")
    component = serializers.PrimaryKeyRelatedField(
        required=False, allow_null=True,
        queryset=Component.objects.filter(module__pathway__status=Lifecycle.PUBLISHED),
        help_text="The curriculum component (id) this session trains for.")


class TeamMemberSerializer(serializers.Serializer):
    trainee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=TeamRole.choices)


class BookTeamSerializer(serializers.Serializer):
    members = TeamMemberSerializer(many=True, help_text="Each member (a trainee) with their team role.")


class OutcomeInputSerializer(serializers.Serializer):
    measure = serializers.ChoiceField(choices=TeamMeasure.choices)
    label = serializers.CharField(required=False, allow_blank=True, max_length=120, validators=[NoPIIValidator()])
    value = serializers.DecimalField(max_digits=8, decimal_places=1, min_value=0)


class RecordTeamSerializer(serializers.Serializer):
    attended = serializers.ListField(child=serializers.IntegerField(), allow_empty=True,
                                     help_text="Booking ids that attended; every other place is a no-show.")
    outcomes = OutcomeInputSerializer(many=True, required=False,
                                      help_text="The team's measured outcomes (replace those recorded before).")


class SessionCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                   validators=[NoPIIValidator()], help_text="Told to the trainees.")


class LabSessionFilter(filters.FilterSet):
    region = filters.NumberFilter(field_name="lab__region")
    kind = filters.ChoiceFilter(choices=LabSessionKind.choices)
    status = filters.ChoiceFilter(choices=LabSessionStatus.choices)
    date_from = filters.DateFilter(method="filter_date_from", help_text="Starting on or after this day.")
    date_to = filters.DateFilter(method="filter_date_to", help_text="Starting on or before this day.")
    upcoming = filters.BooleanFilter(method="filter_upcoming", help_text="Only sessions that have not started.")

    class Meta:
        model = LabSession
        fields = ["lab", "region", "kind", "status", "faculty"]

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(starts_at__gte=_day_start(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(starts_at__lt=_day_start(value + datetime.timedelta(days=1)))

    def filter_upcoming(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(starts_at__gt=now) if value else queryset.filter(starts_at__lte=now)


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


class LabSessionViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                        mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lab sessions: everyone signed in reads them (trainees browse and book). Created and
    cancelled by the lab's managers (other roles 403; another lab's managers 403). Cancelling
    cancels every booking and tells each trainee."""

    model = LabSession
    serializer_class = LabSessionSerializer
    filterset_class = LabSessionFilter
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": (MANAGER,), "cancel": (MANAGER,),
                    "partial_update": (MANAGER,),
                    "book_team": (MANAGER, TRAINEE), "record_team": (MANAGER, TRAINER)}

    def visible_queryset(self, user):
        return selectors.with_bookings_of(selectors.lab_sessions_visible_to(user), user)

    @extend_schema(request=BookTeamSerializer, responses=LabSessionSerializer)
    @action(detail=True, methods=["post"])
    def book_team(self, request, pk=None):
        """A team lead (a trainee in the team) or the lab's managers book a named team, each
        member in a role: confirmed while the role has seats, else on that role's waitlist.
        All or nothing (400 naming the member refused; 409 for a member's duplicate)."""
        session = self.get_object()
        data = self.validated(BookTeamSerializer)
        services.team_booking_create(actor=request.user, session=session,
                                     members=[(m["trainee"], m["role"]) for m in data["members"]])
        return self.answer(session)

    @extend_schema(request=RecordTeamSerializer, responses=LabSessionSerializer)
    @action(detail=True, methods=["post"])
    def record_team(self, request, pk=None):
        """The lab's managers or the session's faculty record the whole team's attendance
        (named bookings attended, the other places no-shows) and its measured outcomes, once
        for every member (409 before it starts or when cancelled)."""
        session = self.get_object()
        data = self.validated(RecordTeamSerializer)
        services.team_record(actor=request.user, session=session, attended=data["attended"],
                             outcomes=data.get("outcomes", []))
        return self.answer(session)

    @extend_schema(request=LabSessionCreateSerializer, responses={201: LabSessionSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated(LabSessionCreateSerializer)
        session = services.session_create(actor=request.user, **data)
        return self.answer(session, status.HTTP_201_CREATED)

    @extend_schema(request=LabSessionUpdateSerializer, responses=LabSessionSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change time, seats, faculty, equipment or component (the lab's managers): seats
        below the confirmed places are a 400; a new time is told to everyone booked; 409 once
        cancelled or started."""
        session = self.get_object()
        data = self.validated(LabSessionUpdateSerializer)
        return self.answer(services.session_update(actor=request.user, session=session, **data))

    @extend_schema(request=SessionCancelSerializer, responses=LabSessionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the session before it starts: every booking is cancelled and notified (409
        once it has started or if already cancelled)."""
        session = self.get_object()
        data = self.validated(SessionCancelSerializer)
        services.session_cancel(actor=request.user, session=session, reason=data.get("reason", ""))
        return self.answer(session)
