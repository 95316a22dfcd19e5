"""Lab sessions by lab x month x kind (`LabSessionSummary`), with the capacity figures of
`labs.capacity`: sessions, seats offered, booked, attended, no-shows, waitlist demand and
still waitlisted. The dashboards' labs section and the capacity report by month read it.

What each figure counts is written here twice, once per row (the contributions the services
apply) and once set-based (`live_figures`, which the rebuild and the capacity report's other
groupings use); the tests hold the two equal. Only scheduled sessions count: a cancelled
session's seats were never offered, and its bookings leave every figure with it.

- A session contributes `sessions` 1, `seats_offered` its seats and `booked` its seat
  counter (`seats_booked`) to the cell of its lab, month (of its start, local time) and kind.
- Each of its bookings contributes `attended`, `no_shows` and `waitlisted` by its status and
  `waitlist_demand` when it ever joined the waitlist. A booking's own contribution also holds
  `booked` 1 while it holds a seat: the services move the seat counter exactly when a booking
  starts or stops holding a seat, so that is the change of `seats_booked`.

Writers (labs/services/): booking create, cancel, waitlist promotion and attendance apply
their booking's change (no extra read); a session's creation, seat change or cancellation
its own; a session moved to another month moves its whole cell, reading its bookings' figures
once (`session_booking_figures`). The lab's region is not in the key: the dashboards filter
by `Lab.region` through a join, so a lab changing region needs nothing. Bulk loaders (the
benchmark world) call `rebuild_lab_session_summary()` at the end; the nightly rebuild
corrects anything written behind the services' back.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from labs.models import (
    SEAT_HOLDING,
    Booking,
    BookingStatus,
    Lab,
    LabSession,
    LabSessionStatus,
    LabSessionSummary,
)
from rastrack.core.summary_tables import apply_deltas, delta, merge, rebuild

FIGURES = LabSessionSummary.SUMMARY_SUMS
BOOKING_FIGURES = ("attended", "no_shows", "waitlist_demand", "waitlisted")


# --- One row's contribution ---------------------------------------------------------------------


def session_key(session: LabSession) -> tuple:
    return (session.lab_id, timezone.localtime(session.starts_at).date().replace(day=1), session.kind)


def session_contribution(session: LabSession, bookings: Mapping[str, int] | None = None) -> dict:
    """What `session` (as it is in memory) adds to the summary, with its bookings' figures
    (`session_booking_figures`) when they are given."""
    if session.status != LabSessionStatus.SCHEDULED:
        return {}
    return {session_key(session): {"sessions": 1, "seats_offered": session.seats, "booked": session.seats_booked,
                                   **{name: (bookings or {}).get(name, 0) for name in BOOKING_FIGURES}}}


def booking_contribution(session: LabSession, *, status: str, waitlisted_at) -> dict:
    """What one booking of `session` in `status` adds (the seat it holds included)."""
    if session.status != LabSessionStatus.SCHEDULED:
        return {}
    return {session_key(session): {
        "booked": int(status in SEAT_HOLDING), "attended": int(status == BookingStatus.ATTENDED),
        "no_shows": int(status == BookingStatus.NO_SHOW), "waitlist_demand": int(waitlisted_at is not None),
        "waitlisted": int(status == BookingStatus.WAITLISTED)}}


def booking_change(session: LabSession, *, before: tuple[str, object] | None,
                   after: tuple[str, object] | None) -> dict:
    """The change of one booking from (status, waitlisted_at) `before` to `after` (None: the
    booking does not exist on that side)."""
    return delta(booking_contribution(session, status=before[0], waitlisted_at=before[1]) if before else {},
                 booking_contribution(session, status=after[0], waitlisted_at=after[1]) if after else {})


def session_booking_figures(session_id: int) -> dict[str, int]:
    """The booking figures of one session (one aggregate query), for moving its whole cell."""
    return Booking.objects.filter(session_id=session_id).aggregate(**_booking_counts())


_deferred: ContextVar[list | None] = ContextVar("lab_summary_deferred", default=None)


def apply(*changes: Mapping) -> None:
    """Apply the changes (deltas) in the caller's transaction: one upsert for all of them
    (kept until the end of `deferred()` when inside it)."""
    pending = _deferred.get()
    if pending is not None:
        pending.extend(changes)
        return
    apply_deltas(LabSessionSummary, merge(*changes))


@contextmanager
def deferred():
    """Services that call other services several times (a team booked or recorded at once)
    apply the summary's change once, after their last row lock: one upsert instead of one
    per member, and no summary row held while they wait for a member's lock, which another
    writer of the same cell might hold (a deadlock)."""
    if _deferred.get() is not None:  # already inside: the outer one applies
        yield
        return
    pending: list = []
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    apply(*pending)


# --- Set-based: the live figures, the rebuild -------------------------------------------------


def _booking_counts() -> dict:
    return {"attended": Count("id", filter=Q(status=BookingStatus.ATTENDED)),
            "no_shows": Count("id", filter=Q(status=BookingStatus.NO_SHOW)),
            "waitlist_demand": Count("id", filter=Q(waitlisted_at__isnull=False)),
            "waitlisted": Count("id", filter=Q(status=BookingStatus.WAITLISTED))}


def live_figures(sessions: QuerySet[LabSession], keys: Iterable[str]) -> dict[tuple, dict]:
    """The figures of the scheduled ones of `sessions`, grouped by month (a date, the first of
    the month) and `keys` (session fields, e.g. "lab_id", "lab__region__name"), read from the
    sessions and bookings: {(month, *keys): {key: value, ..., figure: n}}. Two aggregate
    queries whatever the number of rows."""
    keys = tuple(keys)
    # The bookings' model through the sessions' one: the migration that fills the summary
    # passes its historical models.
    bookings = sessions.model._meta.get_field("bookings").related_model
    sessions = sessions.filter(status=LabSessionStatus.SCHEDULED)
    seat_rows = (sessions.annotate(month=TruncMonth("starts_at", output_field=DateField()))
                 .values("month", *keys)
                 .annotate(sessions=Count("id"), seats_offered=Sum("seats"), booked=Sum("seats_booked"))
                 .order_by())
    booking_rows = (bookings.objects.filter(session__in=sessions.values("pk"))
                    .annotate(month=TruncMonth("session__starts_at", output_field=DateField()))
                    .values("month", *(f"session__{k}" for k in keys))
                    .annotate(**_booking_counts())
                    .order_by())
    rows: dict[tuple, dict] = {}
    for seat in seat_rows:
        rows[(seat["month"], *(seat[k] for k in keys))] = {
            **{k: seat[k] for k in keys}, "sessions": seat["sessions"],
            "seats_offered": seat["seats_offered"] or 0, "booked": seat["booked"] or 0,
            **dict.fromkeys(BOOKING_FIGURES, 0)}
    for counted in booking_rows:
        key = (counted["month"], *(counted[f"session__{k}"] for k in keys))
        if key in rows:
            rows[key].update({name: counted[name] for name in BOOKING_FIGURES})
    return rows


def compute_lab_session_summary(sessions: QuerySet[LabSession] | None = None) -> dict[tuple, dict]:
    """Every summary row from the source tables: {(lab_id, month, kind): figures}."""
    sessions = LabSession.objects.all() if sessions is None else sessions
    return {(lab_id, month, kind): {name: row[name] for name in FIGURES}
            for (month, lab_id, kind), row in live_figures(sessions, ("lab_id", "kind")).items()}


def rebuild_lab_session_summary() -> int:
    """Recompute the summary from the sessions and bookings; returns the rows corrected."""
    return rebuild(LabSessionSummary, compute_lab_session_summary)


# --- Reading ---------------------------------------------------------------------------------


def figures_by_month(*, labs: QuerySet[Lab] | Iterable[int], start: datetime.date,
                     end: datetime.date) -> list[dict]:
    """The figures of `labs`' sessions by month, from `start`'s month to `end`'s (inclusive):
    [{"month": date, figure: n, ...}] ordered by month; months without sessions have no row.
    One aggregate query over the summary."""
    lab_filter = Q(lab__in=labs) if isinstance(labs, QuerySet) else Q(lab_id__in=list(labs))
    return list(LabSessionSummary.objects
                .filter(lab_filter, month__gte=start.replace(day=1), month__lte=end.replace(day=1), sessions__gt=0)
                .values("month").annotate(**{name: Sum(name) for name in FIGURES}).order_by("month"))
