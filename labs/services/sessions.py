"""Writes of lab sessions: scheduling within opening hours with accredited faculty and free
equipment, cancelling (everyone booked is told), and the reminders the day before."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accreditation.faculty.eligibility import is_accredited_on
from curriculum.models import Component, Lifecycle, Module
from labs import policies, summaries
from labs.models import (
    LIVE_BOOKING,
    Booking,
    BookingStatus,
    Equipment,
    EquipmentStatus,
    Lab,
    LabOpeningHours,
    LabSession,
    LabSessionKind,
    LabSessionStatus,
    Weekday,
)
from labs.services import platforms, teams
from labs.services.common import (
    SESSION_FIELDS,
    day_label,
    now_or_given,
    session_label,
    session_link,
)
from rastrack.accounts.models import User
from rastrack.audit.services import audit_record, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.free_text import free_text, free_text_into
from rastrack.core.summary_tables import delta
from rastrack.notifications.services import notify, notify_unsent

MAX_SEATS = 200


def _check_opening_hours(lab: Lab, starts_at: datetime.datetime, ends_at: datetime.datetime) -> list[str]:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() != end.date():
        return ["A session starts and ends on the same day, within the lab's opening hours."]
    hours = LabOpeningHours.objects.filter(lab=lab, weekday=start.weekday()).first()
    day = Weekday(start.weekday()).label
    if hours is None:
        return [f"{lab.name} is closed on {day}s."]
    if start.time() < hours.opens or end.time() > hours.closes:
        return [f"{lab.name} is open {hours.opens:%H:%M}-{hours.closes:%H:%M} on {day}s: "
                f"the session must lie within those hours."]
    return []


def _check_faculty(faculty: list[User], day: datetime.date) -> list[str]:
    problems = []
    for person in faculty:
        if not (person.is_active and is_accredited_on(person, day)):
            problems.append(f"{person.full_name} is not an accredited trainer on {day.day} {day:%B %Y}: "
                            "lab faculty must be accredited on the day of the session.")
    return problems


def _equipment_clash(equipment_ids: list[int], starts_at, ends_at, *, exclude_session_id: int | None = None
                     ) -> str | None:
    through = LabSession.equipment.through
    clash = (through.objects.filter(equipment_id__in=equipment_ids,
                                    labsession__status=LabSessionStatus.SCHEDULED,
                                    labsession__starts_at__lt=ends_at, labsession__ends_at__gt=starts_at)
             .exclude(labsession_id=exclude_session_id)
             .select_related("equipment", "labsession", "labsession__lab")
             .order_by("labsession__starts_at").first())
    if clash is None:
        return None
    return (f"{clash.equipment.model} is already in use by another session at that time: "
            f"{session_label(clash.labsession)}.")


@transaction.atomic
def session_create(*, actor: User, lab: Lab, kind: str, starts_at: datetime.datetime,
                   ends_at: datetime.datetime, seats: int | None = None, title: str = "",
                   faculty: Iterable[User] = (), equipment: Iterable[Equipment] = (),
                   component: Component | None = None, prerequisite: Module | None = None,
                   notes: str = "", roles: Iterable[dict] | None = None, platform: str = "",
                   now: datetime.datetime | None = None) -> LabSession:
    """A lab's manager schedules a session. Refused (400, per field) when it is in the past,
    outside the lab's opening hours, has faculty not accredited on its date, names equipment
    of another lab or out of service, offers more seats than the equipment's available units,
    or overlaps another session on the same equipment (a session reserves every unit of each
    equipment item it names). A team session gives its seats by role (`roles`, see
    labs/services/teams.py; `seats` may then be omitted); the platform and the seats the
    equipment gives follow labs/services/platforms.py."""
    now = now_or_given(now)
    if not policies.can_create_session(actor, lab):
        raise NotPermitted("Only this lab's managers can schedule its sessions.")
    errors: dict[str, list[str]] = {}
    title = free_text_into(errors, "title", title, max_length=200)
    notes = free_text_into(errors, "notes", notes)
    if kind not in LabSessionKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(LabSessionKind.values)}."]
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ApplicationError(errors={"starts_at": ["Give the times with their UTC offset."]})
    if ends_at <= starts_at:
        errors["ends_at"] = ["A session must end after it starts."]
    elif starts_at <= now:
        errors["starts_at"] = ["A session must start in the future."]
    else:
        hours_problems = _check_opening_hours(lab, starts_at, ends_at)
        if hours_problems:
            errors["starts_at"] = hours_problems
    role_pairs, role_errors = teams.clean_roles(kind=kind, roles=roles, seats=seats)
    if role_pairs and seats is None:
        seats = sum(n for _, n in role_pairs)
    if not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        errors["seats"] = [f"Offer 1 to {MAX_SEATS} seats."]
    for field, messages in role_errors.items():
        errors.setdefault(field, []).extend(messages)

    faculty = list(dict.fromkeys(faculty))
    problems = _check_faculty(faculty, timezone.localtime(starts_at).date())
    if problems:
        errors["faculty"] = problems

    # Lock the equipment rows: two managers scheduling the same kit at once queue here, so
    # the overlap check below sees the other's session.
    equipment_ids = sorted({e.pk for e in equipment})
    kit = list(Equipment.objects.select_for_update().filter(pk__in=equipment_ids).order_by("pk"))
    elsewhere = [e.model for e in kit if e.lab_id != lab.pk]
    broken = [e.model for e in kit if e.lab_id == lab.pk and e.status != EquipmentStatus.AVAILABLE]
    if elsewhere:
        errors.setdefault("equipment", []).append(f"Not equipment of {lab.name}: {', '.join(elsewhere)}.")
    if broken:
        errors.setdefault("equipment", []).append(f"Out of service: {', '.join(broken)}.")
    platform, platform_errors = platforms.session_platform(platform or "", kit)
    for field, messages in platform_errors.items():
        errors.setdefault(field, []).extend(messages)
    if kit and not elsewhere and not broken and "seats" not in errors:
        problem = platforms.seat_units_problem(kind=kind, kit=kit, seats=seats, team=bool(role_pairs))
        if problem:
            errors.setdefault("seats", []).append(problem)
    if kit and "ends_at" not in errors:
        clash = _equipment_clash(equipment_ids, starts_at, ends_at)
        if clash:
            errors.setdefault("equipment", []).append(clash)

    if component is not None and not Component.objects.filter(
            pk=component.pk, module__pathway__status=Lifecycle.PUBLISHED).exists():
        errors["component"] = ["Choose a component of a published pathway."]
    if prerequisite is not None and not Module.objects.filter(
            pk=prerequisite.pk, pathway__status=Lifecycle.PUBLISHED).exists():
        errors["prerequisite"] = ["Choose a module of a published pathway."]
    if errors:
        raise ApplicationError(errors=errors)

    session = LabSession.objects.create(
        lab=lab, title=title, kind=kind, starts_at=starts_at, ends_at=ends_at, seats=seats, platform=platform,
        component=component, prerequisite=prerequisite, notes=notes, created_by=actor,
    )
    session.faculty.set(faculty)
    session.equipment.set(kit)
    teams.roles_create(session, role_pairs)
    summaries.apply(summaries.session_contribution(session))
    audit_record(actor=actor, action="labs.session.create", obj=session, after={
        **snapshot(session, SESSION_FIELDS), "faculty": sorted(f.pk for f in faculty), "equipment": equipment_ids,
        "roles": [{"role": r, "seats": n} for r, n in role_pairs]})
    return session


@transaction.atomic
def session_cancel(*, actor: User, session: LabSession, reason: str = "",
                   now: datetime.datetime | None = None) -> LabSession:
    """A lab's manager cancels a session before it starts: every live booking is cancelled
    and its trainee told; the faculty are told too."""
    now = now_or_given(now)
    session = LabSession.objects.select_for_update().get(pk=session.pk)
    if not policies.can_cancel_session(actor, session):
        raise NotPermitted("Only this lab's managers can cancel its sessions.")
    reason = free_text("reason", reason)
    if session.status == LabSessionStatus.CANCELLED:
        raise Conflict("This session is already cancelled.")
    if session.starts_at <= now:
        raise Conflict("This session has started: it can no longer be cancelled.")
    before = snapshot(session, SESSION_FIELDS)
    # Its whole cell leaves the summary: the seats and every booking's figures.
    summaries.apply(delta(summaries.session_contribution(session, summaries.session_booking_figures(session.pk)), {}))
    bookings = list(Booking.objects.select_for_update().filter(session=session, status__in=LIVE_BOOKING)
                    .order_by("created_at", "id"))
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).unaudited_update(
        "each booking is audited below (labs.booking.cancel_with_session)",
        status=BookingStatus.CANCELLED, cancelled_at=now, cancelled_by=actor)
    session.status = LabSessionStatus.CANCELLED
    session.seats_booked = 0
    session.cancelled_at = now
    session.cancelled_by = actor
    session.cancel_reason = reason
    session.save(update_fields=["status", "seats_booked", "cancelled_at", "cancelled_by", "cancel_reason"])
    teams.release_all_role_seats(session)
    session = LabSession.objects.select_related("lab").get(pk=session.pk)
    audit_record(actor=actor, action="labs.session.cancel", obj=session, before=before,
                 after={**snapshot(session, SESSION_FIELDS), "bookings_cancelled": [b.pk for b in bookings]})
    label = session_label(session)
    why = f"\n\nReason: {reason}" if reason else ""
    trainees = User.objects.in_bulk([b.trainee_id for b in bookings])
    for booking in bookings:
        audit_record(actor=actor, action="labs.booking.cancel_with_session", obj=booking,
                     before={"status": booking.status}, after={"status": BookingStatus.CANCELLED})
        notify(recipient=trainees[booking.trainee_id], kind="labs.session_cancelled",
               subject=f"Cancelled: {session.display_title} on {day_label(session.starts_at)}",
               body=(f"The lab session {label} is cancelled, and your "
                     f"{'place' if booking.status != BookingStatus.WAITLISTED else 'place on the waitlist'} "
                     f"with it.{why}"),
               key=f"labs.session_cancelled:{session.pk}:{booking.pk}", link=reverse("labs:my-bookings"))
    for member in session.faculty.all():
        notify(recipient=member, kind="labs.session_cancelled",
               subject=f"Cancelled: {session.display_title} on {day_label(session.starts_at)}",
               body=f"The lab session {label}, where you were faculty, is cancelled.{why}",
               key=f"labs.session_cancelled:{session.pk}:faculty:{member.pk}", link=session_link(session))
    return session


def session_reminders_send(*, now: datetime.datetime | None = None,
                           within: datetime.timedelta = datetime.timedelta(hours=24)) -> int:
    """Remind trainees with a confirmed place of sessions starting within `within` (PRODUCT
    §5: 24 hours before). Idempotent: one reminder per booking, whenever it runs."""
    now = now_or_given(now)
    bookings = (Booking.objects.filter(status=BookingStatus.CONFIRMED, session__status=LabSessionStatus.SCHEDULED,
                                       session__starts_at__gt=now, session__starts_at__lte=now + within)
                .select_related("session", "session__lab", "trainee"))
    bookings = list(bookings)
    link = reverse("labs:my-bookings")
    return notify_unsent(
        {"recipient_id": booking.trainee_id, "kind": "labs.session_reminder", "key": f"labs.session_reminder:{booking.pk}",
         "subject": f"Soon: {booking.session.display_title} at {booking.session.lab.name}",
         "body": f"A reminder of your lab session: {session_label(booking.session)}.", "link": link}
        for booking in bookings)
