"""Editing a scheduled session: its time, seats, faculty, equipment and linked component.

The same rules as scheduling one (opening hours, accredited faculty, free equipment with
enough units), checked against the session as it would be after the change, plus what its
bookings need: seats never below the confirmed places (400 with the count), more seats fill
from the waitlist in its order, and a new time is told once to everyone booked or waitlisted.
Lock order as in bookings: the session row, then (through the promotion) the trainees.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from curriculum.models import Component, Lifecycle
from labs import policies, summaries
from labs.models import (
    LIVE_BOOKING,
    Booking,
    BookingStatus,
    Equipment,
    EquipmentStatus,
    LabSession,
    LabSessionStatus,
)
from labs.services.bookings import _promote_waitlist, promotions_change
from labs.services.common import (
    SESSION_FIELDS,
    day_label,
    now_or_given,
    session_label,
    session_link,
    when_label,
)
from labs.services.sessions import MAX_SEATS, _check_faculty, _check_opening_hours, _equipment_clash
from rastrack.accounts.models import User
from rastrack.audit.services import audit_record, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.summary_tables import delta
from rastrack.notifications.services import notify


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


def _record(session: LabSession) -> dict:
    return {**snapshot(session, SESSION_FIELDS), "faculty": sorted(session.faculty.values_list("pk", flat=True)),
            "equipment": sorted(session.equipment.values_list("pk", flat=True))}


@transaction.atomic
def session_update(*, actor: User, session: LabSession, starts_at=UNCHANGED, ends_at=UNCHANGED,
                   seats=UNCHANGED, faculty: Iterable[User] | _Unchanged = UNCHANGED,
                   equipment: Iterable[Equipment] | _Unchanged = UNCHANGED,
                   component: Component | None | _Unchanged = UNCHANGED,
                   now: datetime.datetime | None = None) -> LabSession:
    """A lab's manager changes a scheduled session that has not started. Only the arguments
    given change. Refused: 403 for anyone but the lab's managers; 409 once cancelled or
    started; 400 per field for what scheduling refuses and for fewer seats than confirmed
    places."""
    now = now_or_given(now)
    session = LabSession.objects.select_for_update().select_related("lab").get(pk=session.pk)
    if not policies.can_edit_session(actor, session):
        raise NotPermitted("Only this lab's managers can change its sessions.")
    if session.status != LabSessionStatus.SCHEDULED:
        raise Conflict("This session is cancelled: it can no longer be changed.")
    if session.starts_at <= now:
        raise Conflict("This session has started: it can no longer be changed.")
    before = _record(session)
    lab = session.lab
    new_start = session.starts_at if starts_at is UNCHANGED else starts_at
    new_end = session.ends_at if ends_at is UNCHANGED else ends_at
    new_seats = session.seats if seats is UNCHANGED else seats
    new_faculty = list(session.faculty.all()) if faculty is UNCHANGED else list(dict.fromkeys(faculty))
    equipment_ids = (sorted(session.equipment.values_list("pk", flat=True)) if equipment is UNCHANGED
                     else sorted({e.pk for e in equipment}))
    moved = new_start != session.starts_at or new_end != session.ends_at

    errors: dict[str, list[str]] = {}
    if timezone.is_naive(new_start) or timezone.is_naive(new_end):
        raise ApplicationError(errors={"starts_at": ["Give the times with their UTC offset."]})
    if new_end <= new_start:
        errors["ends_at"] = ["A session must end after it starts."]
    elif moved and new_start <= now:
        errors["starts_at"] = ["A session must start in the future."]
    elif moved:
        problems = _check_opening_hours(lab, new_start, new_end)
        if problems:
            errors["starts_at"] = problems
    if not isinstance(new_seats, int) or not 1 <= new_seats <= MAX_SEATS:
        errors["seats"] = [f"Offer 1 to {MAX_SEATS} seats."]
    elif new_seats != session.seats and session.roles.exists():
        # A team session's seats are the sum of its roles' seats; a bare total would break
        # the per-role places and waitlists.
        errors["seats"] = ["A team session's seats are set per team role, not as a total."]
    elif new_seats < session.seats_booked:
        n = session.seats_booked
        errors["seats"] = [f"{n} trainee{'s have' if n != 1 else ' has'} a confirmed place: offer at least "
                           f"{n} seat{'s' if n != 1 else ''}, or cancel places first."]
    if moved or faculty is not UNCHANGED:
        problems = _check_faculty(new_faculty, timezone.localtime(new_start).date())
        if problems:
            errors["faculty"] = problems

    kit = list(Equipment.objects.select_for_update().filter(pk__in=equipment_ids).order_by("pk"))
    if equipment is not UNCHANGED:
        elsewhere = [e.model for e in kit if e.lab_id != lab.pk]
        broken = [e.model for e in kit if e.lab_id == lab.pk and e.status != EquipmentStatus.AVAILABLE]
        if elsewhere:
            errors.setdefault("equipment", []).append(f"Not equipment of {lab.name}: {', '.join(elsewhere)}.")
        if broken:
            errors.setdefault("equipment", []).append(f"Out of service: {', '.join(broken)}.")
    if kit and "seats" not in errors and "equipment" not in errors:
        units = sum(e.count for e in kit if e.status == EquipmentStatus.AVAILABLE)
        if new_seats > units:
            errors.setdefault("seats", []).append(
                f"The equipment named has {units} available unit{'s' if units != 1 else ''}: the session can "
                f"offer at most {units} seat{'s' if units != 1 else ''}.")
    if kit and "ends_at" not in errors and (moved or equipment is not UNCHANGED):
        clash = _equipment_clash(equipment_ids, new_start, new_end, exclude_session_id=session.pk)
        if clash:
            errors.setdefault("equipment", []).append(clash)
    if component not in (UNCHANGED, None) and not Component.objects.filter(
            pk=component.pk, module__pathway__status=Lifecycle.PUBLISHED).exists():
        errors["component"] = ["Choose a component of a published pathway."]
    if errors:
        raise ApplicationError(errors=errors)

    old_when = when_label(session)
    was = copy.copy(session)
    session.starts_at, session.ends_at, session.seats = new_start, new_end, new_seats
    fields = ["starts_at", "ends_at", "seats"]
    if component is not UNCHANGED:
        session.component = component
        fields.append("component")
    if equipment is not UNCHANGED:
        session.equipment_flagged = False  # every unit named is available (checked above)
        fields.append("equipment_flagged")
    session.save(update_fields=fields)
    if faculty is not UNCHANGED:
        session.faculty.set(new_faculty)
    if equipment is not UNCHANGED:
        session.equipment.set(kit)
    # Moved to another month: its whole cell moves, its bookings' figures (read before the
    # promotions, which apply their own change) with it.
    figures = (summaries.session_booking_figures(session.pk)
               if summaries.session_key(was) != summaries.session_key(session) else None)
    promoted = _promote_waitlist(session, actor=actor, now=now) if new_seats > before["seats"] else []
    summaries.apply(delta(summaries.session_contribution(was, figures), summaries.session_contribution(session, figures)),
                    promotions_change(session, promoted))
    session.refresh_from_db()
    audit_record(actor=actor, action="labs.session.update", obj=session, before=before,
                 after={**_record(session), "promoted": [b.pk for b in promoted]})
    if moved:
        _tell_new_time(session, old_when=old_when)
    return session


def _tell_new_time(session: LabSession, *, old_when: str) -> None:
    """Everyone booked or waitlisted (and the faculty) hears of a new time once: the key
    names the booking and the new start, so a second save of the same time sends nothing."""
    stamp = session.starts_at.isoformat()
    subject = f"New time: {session.display_title} on {day_label(session.starts_at)}"
    label = session_label(session)
    for booking in (Booking.objects.filter(session=session, status__in=LIVE_BOOKING)
                    .select_related("trainee").order_by("created_at", "id")):
        place = "place on the waitlist" if booking.status == BookingStatus.WAITLISTED else "place"
        notify(recipient=booking.trainee, kind="labs.session_moved", subject=subject,
               body=(f"The lab session you have a {place} on has moved from {old_when} to: {label}. "
                     "Your booking stays as it was; if you cannot come at the new time, cancel it so "
                     "that someone else gets the place."),
               key=f"labs.session_moved:{session.pk}:{booking.pk}:{stamp}", link=reverse("labs:my-bookings"))
    for member in session.faculty.all():
        notify(recipient=member, kind="labs.session_moved", subject=subject,
               body=f"The lab session where you are faculty has moved from {old_when} to: {label}.",
               key=f"labs.session_moved:{session.pk}:faculty:{member.pk}:{stamp}", link=session_link(session))
