"""Writes of bookings: booking a seat or the waitlist, cancelling (the first on the waitlist
takes the seat), and attendance marked by the lab's managers or the session's faculty."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from labs import policies, summaries
from labs.models import (
    LIVE_BOOKING,
    NOT_CANCELLED,
    SEAT_HOLDING,
    Booking,
    BookingStatus,
    LabSession,
    LabSessionStatus,
)
from labs.prerequisites import module_check
from labs.selectors import overlapping_seat_bookings, waitlist_of
from labs.services import teams
from labs.services.common import (
    BOOKING_FIELDS,
    SEAT_COUNTER,
    audit,
    day_label,
    now_or_given,
    session_label,
)
from rastrack.accounts.models import User
from rastrack.audit.services import audit_record, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.summary_tables import merge
from rastrack.notifications.services import notify


def _lock_trainee(trainee_id: int) -> None:
    # Serialises one trainee's bookings and promotions, so that the overlap check below
    # cannot be raced by the same trainee booking two overlapping sessions at once.
    list(User.objects.select_for_update().filter(pk=trainee_id).values_list("pk", flat=True))


def _check_bookable(session: LabSession, now: datetime.datetime) -> None:
    if session.status == LabSessionStatus.CANCELLED:
        raise Conflict("This session is cancelled.")
    if session.starts_at <= now:
        raise Conflict("This session has already started: it can no longer be booked.")


@transaction.atomic
def booking_create(*, trainee: User, session: LabSession, role: str = "", booked_by: User | None = None,
                   now: datetime.datetime | None = None) -> Booking:
    """A trainee books a session for themself (or a team lead for them, `booked_by`):
    confirmed while seats remain, else waitlisted (not an error). A team session's booking
    names a role and waits when that role is full (labs/services/teams.py). Refused:
    prerequisite module not met (400, naming what is missing); no role, or one the session
    lacks (400); a live booking of the same session (409); a confirmed booking overlapping
    it (409); a cancelled or started session (409)."""
    now = now_or_given(now)
    if not policies.can_book(trainee):
        raise NotPermitted("Only trainees book lab sessions.")
    current = LabSession.objects.select_related("prerequisite", "prerequisite__pathway").get(pk=session.pk)
    _check_bookable(current, now)
    if current.prerequisite_id:
        # Read before taking the lock: the progress engine runs several queries.
        check = module_check(trainee=trainee, module=current.prerequisite)
        if not check.met:
            raise ApplicationError(errors={"session": [check.message()]})

    session = LabSession.objects.select_for_update().get(pk=session.pk)  # the seat lock
    _check_bookable(session, now)
    role_row = teams.check_role(session, role)
    _lock_trainee(trainee.pk)
    if Booking.objects.filter(session=session, trainee=trainee, status__in=NOT_CANCELLED).exists():
        raise Conflict("You already have a booking for this session.")
    clash = overlapping_seat_bookings(trainee_id=trainee.pk, starts_at=session.starts_at,
                                      ends_at=session.ends_at, exclude_session_id=session.pk).first()
    if clash is not None:
        raise Conflict(f"You already have a place at that time: {session_label(clash.session)}. "
                       "Cancel it first to book this one.")
    confirmed = session.seats_booked < session.seats and (role_row is None or role_row.seats_left > 0)
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                session=session, trainee=trainee, created_at=now, role=role,
                booked_by=booked_by if booked_by is not None and booked_by.pk != trainee.pk else None,
                status=BookingStatus.CONFIRMED if confirmed else BookingStatus.WAITLISTED,
                confirmed_at=now if confirmed else None, waitlisted_at=None if confirmed else now,
            )
            if confirmed:
                # The CHECK (seats_booked <= seats) refuses an overbooking even without the lock.
                LabSession.objects.filter(pk=session.pk).unaudited_update(SEAT_COUNTER, seats_booked=F("seats_booked") + 1)
                teams.take_role_seat(session.pk, role)
    except IntegrityError:
        raise Conflict("You already have a booking for this session.") from None
    summaries.apply(summaries.booking_change(session, before=None, after=(booking.status, booking.waitlisted_at)))
    audit(actor=booked_by or trainee, action="labs.booking.create", obj=booking, fields=BOOKING_FIELDS)
    return booking


def _promote_waitlist(session: LabSession, *, actor: User, now: datetime.datetime) -> list[Booking]:
    """Fill free seats from the waitlist, first come first served (created_at, id). A trainee
    who meanwhile holds an overlapping place is skipped (stays waitlisted), and so is one
    whose team role has no seat left (a role's waitlist waits for that role's seats).
    Called with the session row locked, in the caller's transaction, which applies the
    promotions to the lab session summary (`promotions_change`)."""
    promoted = []
    free = session.seats - session.seats_booked
    if free <= 0:
        return promoted
    for candidate in waitlist_of(session.pk).select_for_update(of=("self",)):
        if free <= 0:
            break
        if not teams.role_has_seat(session.pk, candidate.role):
            continue
        _lock_trainee(candidate.trainee_id)
        if overlapping_seat_bookings(trainee_id=candidate.trainee_id, starts_at=session.starts_at,
                                     ends_at=session.ends_at, exclude_session_id=session.pk).exists():
            continue
        candidate.status = BookingStatus.CONFIRMED
        candidate.confirmed_at = now
        candidate.save(update_fields=["status", "confirmed_at"])
        LabSession.objects.filter(pk=session.pk).unaudited_update(SEAT_COUNTER, seats_booked=F("seats_booked") + 1)
        teams.take_role_seat(session.pk, candidate.role)
        free -= 1
        audit_record(actor=actor, action="labs.booking.promote", obj=candidate,
                     before={"status": BookingStatus.WAITLISTED}, after={"status": BookingStatus.CONFIRMED})
        notify(recipient=candidate.trainee, kind="labs.booking_promoted",
               subject=f"You have a place: {session.display_title} on {day_label(session.starts_at)}",
               body=(f"A place came free and your waitlisted booking is now confirmed: "
                     f"{session_label(session)}. If you cannot come, cancel it so that the next "
                     "person on the waitlist gets the place."),
               key=f"labs.booking_promoted:{candidate.pk}", link=reverse("labs:my-bookings"))
        promoted.append(candidate)
    return promoted


def promotions_change(session: LabSession, promoted: list[Booking]) -> dict:
    """The summary's change for bookings `_promote_waitlist` moved from the waitlist to a seat."""
    return merge(*(summaries.booking_change(session, before=(BookingStatus.WAITLISTED, b.waitlisted_at),
                                            after=(b.status, b.waitlisted_at)) for b in promoted))


@transaction.atomic
def booking_cancel(*, actor: User, booking: Booking, now: datetime.datetime | None = None) -> Booking:
    """The trainee cancels their own booking until the session starts. A freed seat goes to
    the first waitlisted booking in the same transaction (notified through the outbox)."""
    now = now_or_given(now)
    session = LabSession.objects.select_for_update().select_related("lab").get(pk=booking.session_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if not policies.can_cancel_booking(actor, booking):
        raise NotPermitted("Only the trainee who booked can cancel this booking.")
    if booking.status not in LIVE_BOOKING:
        raise Conflict(f"This booking is {booking.get_status_display().lower()}: it cannot be cancelled.")
    if session.starts_at <= now:
        raise Conflict("The session has started: bookings can be cancelled only until it starts.")
    before = snapshot(booking, BOOKING_FIELDS)
    was = (booking.status, booking.waitlisted_at)
    held_seat = booking.status == BookingStatus.CONFIRMED
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = actor
    booking.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    audit_record(actor=actor, action="labs.booking.cancel", obj=booking, before=before,
                 after=snapshot(booking, BOOKING_FIELDS))
    promoted = []
    if held_seat:
        LabSession.objects.filter(pk=session.pk).unaudited_update(SEAT_COUNTER, seats_booked=F("seats_booked") - 1)
        teams.release_role_seat(session.pk, booking.role)
        session.refresh_from_db(fields=["seats_booked"])
        if session.status == LabSessionStatus.SCHEDULED:
            promoted = _promote_waitlist(session, actor=actor, now=now)
    summaries.apply(summaries.booking_change(session, before=was, after=(booking.status, booking.waitlisted_at)),
                    promotions_change(session, promoted))
    return booking


@transaction.atomic
def booking_mark_attendance(*, actor: User, booking: Booking, attended: bool,
                            now: datetime.datetime | None = None) -> Booking:
    """The lab's managers or the session's faculty record attended / no-show on a confirmed
    booking once the session has started (a mark may be corrected later)."""
    now = now_or_given(now)
    booking = Booking.objects.select_for_update(of=("self",)).select_related("session").get(pk=booking.pk)
    refusal = policies.refusal_to_mark_attendance(actor, booking)
    if refusal:
        raise NotPermitted(refusal)
    session = booking.session
    if session.status == LabSessionStatus.CANCELLED:
        raise Conflict("This session was cancelled: there is no attendance to record.")
    if session.starts_at > now:
        raise Conflict("The session has not started yet: attendance is recorded once it starts.")
    if booking.status not in SEAT_HOLDING:
        raise Conflict(f"This booking is {booking.get_status_display().lower()}: only a confirmed "
                       "booking has attendance.")
    status = BookingStatus.ATTENDED if attended else BookingStatus.NO_SHOW
    if booking.status == status:
        return booking
    before = snapshot(booking, BOOKING_FIELDS)
    summaries.apply(summaries.booking_change(session, before=(booking.status, booking.waitlisted_at),
                                             after=(status, booking.waitlisted_at)))
    booking.status = status
    booking.attendance_marked_at = now
    booking.attendance_marked_by = actor
    booking.save(update_fields=["status", "attendance_marked_at", "attendance_marked_by"])
    audit_record(actor=actor, action=f"labs.booking.{status}", obj=booking, before=before,
                 after=snapshot(booking, BOOKING_FIELDS))
    return booking
