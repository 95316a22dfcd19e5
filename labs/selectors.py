"""Reads about labs, scoped to what the caller may see (`<things>_visible_to(user)`).

- Labs, their equipment and sessions: everyone signed in (trainees browse and book).
- Bookings: trainees their own; a lab's managers its bookings; a session's faculty that
  session's bookings; regional leads the bookings of their region's labs; programme admins
  all. Anything else is a 404, like a booking that does not exist.

Every list here takes a constant number of queries whatever its length (annotations and
prefetches, never a query per row).
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from labs.models import (
    LIVE_BOOKING,
    Booking,
    BookingStatus,
    Equipment,
    Lab,
    LabManager,
    LabOpeningHours,
    LabSession,
    LabSessionStatus,
    SessionRole,
    TeamOutcome,
)
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.core.permissions import signed_in

# --- Labs ------------------------------------------------------------------------------------


def _labs_qs() -> QuerySet[Lab]:
    return (Lab.objects.select_related("region", "site")
            .prefetch_related(
                Prefetch("opening_hours", queryset=LabOpeningHours.objects.order_by("weekday")),
                Prefetch("managers", queryset=User.objects.order_by("full_name", "id")),
            )
            .order_by("region__name", "name", "id"))


def labs_visible_to(user) -> QuerySet[Lab]:
    """Every lab, for everyone signed in (the directory)."""
    return _labs_qs() if signed_in(user) else Lab.objects.none()


def managed_lab_ids(user) -> set[int]:
    if not (signed_in(user) and user.has_role(Role.LAB_MANAGER)):
        return set()
    return set(LabManager.objects.filter(user=user).values_list("lab_id", flat=True))


def managed_labs(user) -> QuerySet[Lab]:
    """The labs `user` manages (LabManager rows, lab_manager role)."""
    if not (signed_in(user) and user.has_role(Role.LAB_MANAGER)):
        return Lab.objects.none()
    return _labs_qs().filter(manager_links__user=user)


def lab_with_equipment(user, pk) -> Lab:
    from rastrack.core.permissions import get_visible_or_404

    return get_visible_or_404(labs_visible_to(user).prefetch_related(
        Prefetch("equipment", queryset=Equipment.objects.order_by("kind", "model", "id"))), pk)


# --- Equipment -------------------------------------------------------------------------------


def equipment_visible_to(user) -> QuerySet[Equipment]:
    if not signed_in(user):
        return Equipment.objects.none()
    return Equipment.objects.select_related("lab", "lab__region").order_by("lab__name", "kind", "model", "id")


# --- Sessions --------------------------------------------------------------------------------


def _count_of(queryset: QuerySet) -> Subquery:
    """COUNT(*) of a correlated queryset, as a subquery (0 when empty)."""
    counted = queryset.order_by().values("session_id").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def annotate_sessions(qs: QuerySet[LabSession]) -> QuerySet[LabSession]:
    return qs.annotate(
        waitlist_length=_count_of(Booking.objects.filter(session=OuterRef("pk"), status=BookingStatus.WAITLISTED)),
    )


def session_roles_qs() -> QuerySet[SessionRole]:
    """A team session's roles, each with its own waitlist length."""
    waiting = (Booking.objects.filter(session_id=OuterRef("session_id"), role=OuterRef("role"),
                                      status=BookingStatus.WAITLISTED)
               .order_by().values("session_id").annotate(n=Count("id")).values("n"))
    return SessionRole.objects.annotate(
        waitlist_length=Coalesce(Subquery(waiting, output_field=IntegerField()), Value(0))).order_by("id")


def _sessions_qs() -> QuerySet[LabSession]:
    return annotate_sessions(
        LabSession.objects.select_related("lab", "lab__region", "lab__site", "component", "prerequisite",
                                          "prerequisite__pathway")
        .prefetch_related(Prefetch("faculty", queryset=User.objects.order_by("full_name", "id")),
                          Prefetch("equipment", queryset=Equipment.objects.order_by("kind", "model", "id")),
                          Prefetch("roles", queryset=session_roles_qs()),
                          Prefetch("outcomes", queryset=TeamOutcome.objects.order_by("measure", "label", "id")))
        .order_by("starts_at", "id")
    )


def lab_sessions_visible_to(user) -> QuerySet[LabSession]:
    """Every session, for everyone signed in: trainees browse upcoming ones to book."""
    return _sessions_qs() if signed_in(user) else LabSession.objects.none()


def with_bookings_of(qs: QuerySet[LabSession], user) -> QuerySet[LabSession]:
    """Adds `session.my_bookings`: the user's bookings of each session that are not cancelled."""
    return qs.prefetch_related(Prefetch(
        "bookings", to_attr="my_bookings",
        queryset=Booking.objects.filter(trainee_id=user.pk).exclude(status=BookingStatus.CANCELLED)
        .annotate(ahead_on_waitlist=_waitlist_position()).order_by("created_at", "id"),
    ))


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def sessions_in_week(user, *, start: datetime.date, lab_id: int | None = None,
                     region_id: int | None = None) -> list[LabSession]:
    """The sessions starting in the 7 days from `start` (local time), with the caller's own
    bookings, in a constant number of queries."""
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(start + datetime.timedelta(days=7), datetime.time.min, tzinfo=tz)
    qs = lab_sessions_visible_to(user).filter(starts_at__gte=begin, starts_at__lt=end)
    if lab_id:
        qs = qs.filter(lab_id=lab_id)
    if region_id:
        qs = qs.filter(lab__region_id=region_id)
    return list(with_bookings_of(qs, user))


def sessions_taught_by(user, *, since: datetime.datetime | None = None) -> QuerySet[LabSession]:
    qs = lab_sessions_visible_to(user).filter(faculty=user)
    if since is not None:
        qs = qs.filter(ends_at__gte=since)
    return qs


# --- Bookings --------------------------------------------------------------------------------


def _waitlist_position() -> Subquery:
    """1-based position on the session's waitlist (NULL when not waitlisted)."""
    ahead = Booking.objects.filter(
        session_id=OuterRef("session_id"), status=BookingStatus.WAITLISTED,
    ).filter(Q(created_at__lt=OuterRef("created_at"))
             | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id")))
    return _count_of(ahead)


def _bookings_qs() -> QuerySet[Booking]:
    return (Booking.objects.select_related("session", "session__lab", "session__lab__region", "trainee")
            .annotate(ahead_on_waitlist=_waitlist_position())
            .order_by("session__starts_at", "created_at", "id"))


def booking_scope(user) -> Q | None:
    """The bookings `user` may see, as a filter; None means all of them."""
    if user.has_role(Role.PROGRAMME_ADMIN):
        return None
    scope = Q(trainee_id=user.pk)
    if user.has_role(Role.LAB_MANAGER):
        scope |= Q(session__lab_id__in=LabManager.objects.filter(user_id=user.pk).values("lab_id"))
    if user.has_role(Role.REGIONAL_LEAD) and user.region_id:
        scope |= Q(session__lab__region_id=user.region_id)
    if user.has_role(Role.TRAINER):
        taught = LabSession.faculty.through.objects.filter(user_id=user.pk).values("labsession_id")
        scope |= Q(session_id__in=taught)
    return scope


def bookings_visible_to(user) -> QuerySet[Booking]:
    qs = _bookings_qs()
    if not signed_in(user):
        return qs.none()
    scope = booking_scope(user)
    return qs if scope is None else qs.filter(scope)


def bookings_of(trainee) -> QuerySet[Booking]:
    """The trainee's own bookings (the "My bookings" page), soonest session first."""
    return _bookings_qs().filter(trainee_id=trainee.pk)


def upcoming_bookings_of(trainee, *, now: datetime.datetime | None = None) -> QuerySet[Booking]:
    """For the trainee's dashboard: live bookings of sessions that have not ended."""
    now = now or timezone.now()
    return bookings_of(trainee).filter(status__in=LIVE_BOOKING, session__ends_at__gt=now,
                                       session__status=LabSessionStatus.SCHEDULED)


def session_bookings(session: LabSession) -> QuerySet[Booking]:
    """A session's bookings for its managers and faculty: seat holders first, then the
    waitlist in order, then cancelled ones."""
    rank = Case(
        When(status__in=[BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW], then=Value(0)),
        When(status=BookingStatus.WAITLISTED, then=Value(1)),
        default=Value(2), output_field=IntegerField(),
    )
    return _bookings_qs().filter(session_id=session.pk).order_by(rank, "created_at", "id")


def waitlist_of(session_id: int) -> QuerySet[Booking]:
    """The waitlist, in promotion order (created_at, id)."""
    return (Booking.objects.filter(session_id=session_id, status=BookingStatus.WAITLISTED)
            .select_related("trainee").order_by("created_at", "id"))


def overlapping_seat_bookings(*, trainee_id: int, starts_at, ends_at,
                              exclude_session_id: int | None = None) -> QuerySet[Booking]:
    """The trainee's seat-holding bookings of scheduled sessions overlapping [starts_at, ends_at)."""
    from labs.models import SEAT_HOLDING

    qs = Booking.objects.filter(
        trainee_id=trainee_id, status__in=SEAT_HOLDING, session__status=LabSessionStatus.SCHEDULED,
        session__starts_at__lt=ends_at, session__ends_at__gt=starts_at,
    ).select_related("session", "session__lab")
    if exclude_session_id is not None:
        qs = qs.exclude(session_id=exclude_session_id)
    return qs
