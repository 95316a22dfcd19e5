"""Bookings over the API: a trainee books, cancels and reads their places; a lab's managers and
faculty read and mark the session's."""

from __future__ import annotations

from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action

from labs import selectors, services
from labs.models import (
    Booking,
    BookingStatus,
    LabSession,
    TeamRole,
)
from rastrack.accounts.roles import Role
from rastrack.core.permissions import SIGNED_IN, ActionRolesMixin, ScopedViewSetMixin

ADMIN, LEAD, MANAGER, TRAINER, TRAINEE = (Role.PROGRAMME_ADMIN, Role.REGIONAL_LEAD, Role.LAB_MANAGER,
                                          Role.TRAINER, Role.TRAINEE)


# --- Bookings --------------------------------------------------------------------------------


class SessionDetailSerializer(serializers.ModelSerializer):
    lab_name = serializers.CharField(source="lab.name", read_only=True)

    class Meta:
        model = LabSession
        fields = ["id", "lab", "lab_name", "title", "kind", "starts_at", "ends_at", "status"]
        read_only_fields = fields


class BookingSerializer(serializers.ModelSerializer):
    trainee_name = serializers.CharField(source="trainee.full_name", read_only=True)
    session_detail = SessionDetailSerializer(source="session", read_only=True)
    waitlist_position = serializers.SerializerMethodField(help_text="1 = next to get a place; null unless waitlisted.")

    class Meta:
        model = Booking
        fields = ["id", "session", "session_detail", "trainee", "trainee_name", "role", "booked_by", "status",
                  "waitlist_position",
                  "created_at", "waitlisted_at", "confirmed_at", "cancelled_at", "attendance_marked_at",
                  "attendance_marked_by"]
        read_only_fields = fields

    def get_waitlist_position(self, obj) -> int | None:
        if obj.status != BookingStatus.WAITLISTED:
            return None
        return getattr(obj, "ahead_on_waitlist", 0) + 1


class BookingCreateSerializer(serializers.Serializer):
    session = serializers.PrimaryKeyRelatedField(queryset=LabSession.objects.all())
    role = serializers.ChoiceField(choices=TeamRole.choices, required=False,
                                   help_text="The team role booked: required for a session with roles.")


class BookingFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=BookingStatus.choices)
    lab = filters.NumberFilter(field_name="session__lab")
    upcoming = filters.BooleanFilter(method="filter_upcoming", help_text="Sessions that have not started.")

    class Meta:
        model = Booking
        fields = ["status", "session", "trainee", "lab"]

    def filter_upcoming(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(session__starts_at__gt=now) if value else queryset.filter(session__starts_at__lte=now)


class BookingViewSet(ActionRolesMixin, ScopedViewSetMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                     mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bookings. Trainees book for themselves (`{"session": id}`): 201 `confirmed` while seats
    remain, else `waitlisted`. A second live booking of the same session, or a confirmed
    place overlapping another of one's own: 409. Prerequisite module not met: 400 naming
    what is missing. `cancel` (the trainee who booked, until the session starts) promotes
    the first waitlisted booking. `attended` / `no_show` (the lab's managers or the
    session's faculty, once it has started).

    Visible: trainees their own; lab managers their labs' bookings; faculty their sessions';
    regional leads their region's labs'; programme admins all (else 404)."""

    model = Booking
    serializer_class = BookingSerializer
    filterset_class = BookingFilter
    action_roles = {"list": SIGNED_IN, "retrieve": SIGNED_IN, "create": (TRAINEE,), "cancel": (TRAINEE,),
                    "attended": (MANAGER, TRAINER), "no_show": (MANAGER, TRAINER)}

    def visible_queryset(self, user):
        return selectors.bookings_visible_to(user)

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSerializer})
    def create(self, request, *args, **kwargs):
        data = self.validated(BookingCreateSerializer)
        booking = services.booking_create(trainee=request.user, session=data["session"], role=data.get("role", ""))
        return self.answer(booking, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = self.get_object()
        services.booking_cancel(actor=request.user, booking=booking)
        return self.answer(booking)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def attended(self, request, pk=None):
        booking = self.get_object()
        services.booking_mark_attendance(actor=request.user, booking=booking, attended=True)
        return self.answer(booking)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def no_show(self, request, pk=None):
        booking = self.get_object()
        services.booking_mark_attendance(actor=request.user, booking=booking, attended=False)
        return self.answer(booking)
