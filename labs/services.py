"""Writes for the skills labs: labs and their managers and opening hours, equipment, sessions,
bookings (with the waitlist) and attendance.

Every service runs in one transaction, writes its audit entry in it and stores its
notifications in it (their e-mails go out from the outbox after commit).

Concurrency: the booking services lock the session row (`SELECT ... FOR UPDATE`) before
reading its seat counter, then change the booking and the counter in the same transaction.
Seat-holding bookings are counted in `LabSession.seats_booked`, which a CHECK constraint
keeps between 0 and `seats`: even a writer that skipped the lock could not overbook. The
trainee's user row is locked too, so that one trainee's concurrent bookings cannot create
two overlapping confirmed places. Lock order is always session, then trainee.

Answers (see rastrack.core.exceptions): 400 `ApplicationError` with per-field messages,
403 `NotPermitted`, 409 `Conflict` (duplicates, overlaps with one's own bookings, and actions
the object's state does not allow: cancelled sessions, sessions that have started, ...).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accreditation.faculty.eligibility import is_accredited_on
from curriculum.models import Component, Lifecycle, Module
from labs import policies
from labs.models import (
    LIVE_BOOKING,
    NOT_CANCELLED,
    SEAT_HOLDING,
    Booking,
    BookingStatus,
    Equipment,
    EquipmentKind,
    EquipmentStatus,
    Lab,
    LabManager,
    LabOpeningHours,
    LabSession,
    LabSessionKind,
    LabSessionStatus,
    Weekday,
)
from labs.prerequisites import module_check
from labs.selectors import overlapping_seat_bookings, waitlist_of
from rastrack.accounts.models import User
from rastrack.accounts.roles import Role
from rastrack.audit.services import audit_record, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.pii import validate_no_pii
from rastrack.notifications.models import Notification
from rastrack.notifications.services import notify
from rastrack.reference.models import Region, Site

MAX_TEXT = 5000
MAX_SEATS = 200
# The seat counter moves with a booking, under the session's row lock; the booking's own
# audit entry records the change (rastrack/audit/querysets.py).
SEAT_COUNTER = "seat counter kept in step with an audited booking"
DEFAULT_OPENING_HOURS = [
    {"weekday": day, "opens": datetime.time(8, 0), "closes": datetime.time(18, 0)} for day in range(5)
]
SESSION_FIELDS = ["lab", "title", "kind", "starts_at", "ends_at", "seats", "seats_booked", "component",
                  "prerequisite", "notes", "status", "equipment_flagged", "cancelled_at", "cancel_reason"]
BOOKING_FIELDS = ["session", "trainee", "status", "created_at", "waitlisted_at", "confirmed_at",
                  "cancelled_at", "attendance_marked_at"]


# --- Helpers ---------------------------------------------------------------------------------


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _text(field: str, value: str | None, *, required: bool = False, label: str = "a value",
          max_length: int = MAX_TEXT) -> str:
    """Strip, require when asked, refuse patient-identifiable data: as a field error."""
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(errors={field: [f"Give {label}."]})
    if len(value) > max_length:
        raise ApplicationError(errors={field: [f"Keep it under {max_length} characters."]})
    try:
        validate_no_pii(value)
    except ValidationError as exc:
        raise ApplicationError(errors={field: list(exc.messages)}) from None
    return value


def _day(value: datetime.datetime) -> str:
    local = timezone.localtime(value)
    return f"{local:%A} {local.day} {local:%B %Y}"


def _when(session: LabSession) -> str:
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return f"{_day(session.starts_at)}, {start:%H:%M}-{end:%H:%M}"


def _session_label(session: LabSession) -> str:
    return f"{session.display_title} at {session.lab.name}, {_when(session)}"


def _session_link(session: LabSession) -> str:
    return reverse("labs:session", args=[session.pk])


def _audit(*, actor, action: str, obj, before=None, fields=None):
    return audit_record(actor=actor, action=action, obj=obj, before=before, after=snapshot(obj, fields))


# --- Labs ------------------------------------------------------------------------------------


def _clean_opening_hours(opening_hours: Iterable[dict]) -> list[dict]:
    rows, seen, errors = [], set(), []
    for row in opening_hours:
        weekday, opens, closes = row.get("weekday"), row.get("opens"), row.get("closes")
        if weekday not in Weekday.values:
            errors.append("A weekday is 0 (Monday) to 6 (Sunday).")
            continue
        name = Weekday(weekday).label
        if weekday in seen:
            errors.append(f"{name} is given twice.")
        elif not isinstance(opens, datetime.time) or not isinstance(closes, datetime.time):
            errors.append(f"{name}: give the opening and closing times.")
        elif closes <= opens:
            errors.append(f"{name}: the lab must close after it opens.")
        else:
            rows.append({"weekday": weekday, "opens": opens, "closes": closes})
        seen.add(weekday)
    if errors:
        raise ApplicationError(errors={"opening_hours": errors})
    return sorted(rows, key=lambda r: r["weekday"])


def _check_managers(managers: Iterable[User]) -> list[User]:
    managers = list(dict.fromkeys(managers))
    wrong = [m.full_name or m.email for m in managers if not (m.is_active and m.has_role(Role.LAB_MANAGER))]
    if wrong:
        raise ApplicationError(errors={"managers": [
            f"{name} is not an active lab manager: give them the lab manager role first." for name in wrong]})
    return managers


def _set_opening_hours(lab: Lab, rows: list[dict]) -> None:
    LabOpeningHours.objects.filter(lab=lab).delete()
    LabOpeningHours.objects.bulk_create([LabOpeningHours(lab=lab, **row) for row in rows])


def _hours_snapshot(lab: Lab) -> list:
    return [[h.weekday, h.opens.isoformat(), h.closes.isoformat()]
            for h in LabOpeningHours.objects.filter(lab=lab).order_by("weekday")]


@transaction.atomic
def lab_create(*, actor: User, name: str, region: Region, site: Site, address: str = "",
               description: str = "", opening_hours: Iterable[dict] | None = None,
               managers: Iterable[User] = ()) -> Lab:
    """A programme admin opens a lab at a site of its region. Opening hours default to
    Monday-Friday 08:00-18:00."""
    if not policies.can_create_lab(actor):
        raise NotPermitted("Only a programme admin can add a lab.")
    name = _text("name", name, required=True, label="the lab's name", max_length=200)
    if site.region_id != region.pk:
        raise ApplicationError(errors={"site": [f"{site.name} is not in {region.name}: choose a site of the region."]})
    address = _text("address", address)
    description = _text("description", description)
    hours = _clean_opening_hours(DEFAULT_OPENING_HOURS if opening_hours is None else opening_hours)
    managers = _check_managers(managers)
    if Lab.objects.filter(name__iexact=name).exists():
        raise Conflict(f"A lab called “{name}” already exists.")
    try:
        with transaction.atomic():
            lab = Lab.objects.create(name=name, region=region, site=site, address=address, description=description)
    except IntegrityError:
        raise Conflict(f"A lab called “{name}” already exists.") from None
    _set_opening_hours(lab, hours)
    LabManager.objects.bulk_create([LabManager(lab=lab, user=m) for m in managers])
    audit_record(actor=actor, action="labs.lab.create", obj=lab, after={
        **snapshot(lab), "opening_hours": _hours_snapshot(lab), "managers": sorted(m.pk for m in managers)})
    return lab


@transaction.atomic
def lab_update(*, actor: User, lab: Lab, name: str | None = None, region: Region | None = None,
               site: Site | None = None, address: str | None = None, description: str | None = None,
               opening_hours: Iterable[dict] | None = None, managers: Iterable[User] | None = None) -> Lab:
    """Change a lab. Its managers (and programme admins) edit the address, description and
    opening hours; only programme admins rename it, move it or name its managers. `None`
    leaves a field as it is."""
    lab = Lab.objects.select_for_update().get(pk=lab.pk)
    if not policies.can_edit_lab(actor, lab):
        raise NotPermitted("Only this lab's managers or a programme admin can change it.")
    # Restating a value unchanged (a PUT sends name, region and site) is not renaming or moving.
    current_managers = set(lab.manager_links.values_list("user_id", flat=True))
    managers = None if managers is None else list(managers)
    changes_admin_only = (
        (name is not None and name.strip() != lab.name)
        or (region is not None and region.pk != lab.region_id)
        or (site is not None and site.pk != lab.site_id)
        or (managers is not None and {m.pk for m in managers} != current_managers)
    )
    if changes_admin_only and not policies.can_set_lab_managers(actor, lab):
        raise NotPermitted("Only a programme admin can rename or move a lab or change its managers.")
    before = {**snapshot(lab), "opening_hours": _hours_snapshot(lab),
              "managers": sorted(lab.manager_links.values_list("user_id", flat=True))}
    if name is not None:
        name = _text("name", name, required=True, label="the lab's name", max_length=200)
        if Lab.objects.filter(name__iexact=name).exclude(pk=lab.pk).exists():
            raise Conflict(f"A lab called “{name}” already exists.")
        lab.name = name
    if region is not None:
        lab.region = region
    if site is not None:
        lab.site = site
    if lab.site.region_id != lab.region_id:
        raise ApplicationError(errors={"site": [f"{lab.site.name} is not in {lab.region.name}: "
                                                "choose a site of the region."]})
    if address is not None:
        lab.address = _text("address", address)
    if description is not None:
        lab.description = _text("description", description)
    lab.save()
    if opening_hours is not None:
        _set_opening_hours(lab, _clean_opening_hours(opening_hours))
    if managers is not None:
        wanted = _check_managers(managers)
        LabManager.objects.filter(lab=lab).exclude(user__in=wanted).delete()
        have = set(LabManager.objects.filter(lab=lab).values_list("user_id", flat=True))
        LabManager.objects.bulk_create([LabManager(lab=lab, user=m) for m in wanted if m.pk not in have])
    audit_record(actor=actor, action="labs.lab.update", obj=lab, before=before, after={
        **snapshot(lab), "opening_hours": _hours_snapshot(lab),
        "managers": sorted(lab.manager_links.values_list("user_id", flat=True))})
    return lab


# --- Equipment -------------------------------------------------------------------------------


def _check_equipment_fields(*, kind=None, model=None, count=None, status=None) -> dict:
    errors: dict[str, list[str]] = {}
    if kind is not None and kind not in EquipmentKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(EquipmentKind.values)}."]
    if status is not None and status not in EquipmentStatus.values:
        errors["status"] = [f"Choose one of: {', '.join(EquipmentStatus.values)}."]
    if count is not None and not (isinstance(count, int) and 1 <= count <= 500):
        errors["count"] = ["Give the number of units, 1 to 500."]
    if errors:
        raise ApplicationError(errors=errors)
    cleaned = {}
    if model is not None:
        cleaned["model"] = _text("model", model, required=True, label="the make and model", max_length=200)
    return cleaned


@transaction.atomic
def equipment_create(*, actor: User, lab: Lab, kind: str, model: str, count: int = 1,
                     status: str = EquipmentStatus.AVAILABLE, notes: str = "") -> Equipment:
    if not policies.can_manage_lab(actor, lab):
        raise NotPermitted("Only this lab's managers can add equipment to it.")
    cleaned = _check_equipment_fields(kind=kind, model=model, count=count, status=status)
    equipment = Equipment.objects.create(lab=lab, kind=kind, model=cleaned["model"], count=count, status=status,
                                         notes=_text("notes", notes), status_changed_at=timezone.now())
    _audit(actor=actor, action="labs.equipment.create", obj=equipment)
    return equipment


@transaction.atomic
def equipment_update(*, actor: User, equipment: Equipment, kind: str | None = None, model: str | None = None,
                     count: int | None = None, status: str | None = None, notes: str | None = None,
                     now: datetime.datetime | None = None) -> Equipment:
    """Change equipment. Putting it out of service (or reducing its units) flags the future
    sessions that need it and tells the lab's managers which ones."""
    now = _now(now)
    equipment = Equipment.objects.select_for_update().select_related("lab").get(pk=equipment.pk)
    if not policies.can_manage_lab(actor, equipment.lab):
        raise NotPermitted("Only this lab's managers can change its equipment.")
    cleaned = _check_equipment_fields(kind=kind, model=model, count=count, status=status)
    before = snapshot(equipment)
    if kind is not None:
        equipment.kind = kind
    if "model" in cleaned:
        equipment.model = cleaned["model"]
    if count is not None:
        equipment.count = count
    if notes is not None:
        equipment.notes = _text("notes", notes)
    status_changed = status is not None and status != equipment.status
    if status_changed:
        equipment.status = status
        equipment.status_changed_at = now
    equipment.save()
    entry = audit_record(actor=actor, action="labs.equipment.update", obj=equipment, before=before,
                         after=snapshot(equipment))
    newly_flagged = sessions_reflag(equipment_ids=[equipment.pk], now=now)
    if newly_flagged:
        _tell_managers_of_flagged(equipment=equipment, sessions=newly_flagged, key=f"{entry.pk}")
    return equipment


def equipment_set_status(*, actor: User, equipment: Equipment, status: str,
                         now: datetime.datetime | None = None) -> Equipment:
    return equipment_update(actor=actor, equipment=equipment, status=status, now=now)


def sessions_reflag(*, equipment_ids: Sequence[int], now: datetime.datetime | None = None) -> list[LabSession]:
    """Recompute `equipment_flagged` of the future scheduled sessions using this equipment:
    flagged when any of their equipment is out of service or their seats exceed the units
    still available. Returns the sessions that became flagged. Three queries, no per-row ones."""
    now = _now(now)
    ids = list(LabSession.objects.filter(status=LabSessionStatus.SCHEDULED, ends_at__gt=now,
                                         equipment__id__in=equipment_ids)
               .values_list("pk", flat=True).distinct())
    if not ids:
        return []
    stats = (LabSession.objects.filter(pk__in=ids).select_related("lab")
             .annotate(units=Coalesce(Sum("equipment__count", filter=Q(equipment__status=EquipmentStatus.AVAILABLE)),
                                      0, output_field=IntegerField()),
                       broken=Count("equipment", filter=Q(equipment__status=EquipmentStatus.OUT_OF_SERVICE))))
    needing = [s for s in stats if s.broken or s.seats > s.units]
    needing_ids = [s.pk for s in needing]
    LabSession.objects.filter(pk__in=needing_ids, equipment_flagged=False).unaudited_update(
        "equipment_flagged is derived from the equipment, not an audited field", equipment_flagged=True)
    LabSession.objects.filter(pk__in=ids, equipment_flagged=True).exclude(pk__in=needing_ids).unaudited_update(
        "equipment_flagged is derived from the equipment, not an audited field", equipment_flagged=False)
    return [s for s in needing if not s.equipment_flagged]


def _tell_managers_of_flagged(*, equipment: Equipment, sessions: list[LabSession], key: str) -> None:
    listing = "\n".join(f"- {_session_label(s)}" for s in sessions)
    state = ("is out of service" if equipment.status == EquipmentStatus.OUT_OF_SERVICE
             else f"now has {equipment.count} unit(s)")
    for manager in User.objects.filter(lab_manager_links__lab_id=equipment.lab_id, is_active=True):
        notify(recipient=manager, kind="labs.equipment_flagged",
               subject=f"{equipment.model} {state}: {len(sessions)} session(s) need attention",
               body=(f"{equipment.model} at {equipment.lab.name} {state}. These upcoming sessions need it; "
                     f"find other equipment, reduce their seats or cancel them:\n{listing}"),
               key=f"labs.equipment_flagged:{equipment.pk}:{key}:{manager.pk}",
               link=reverse("labs:manage-sessions", args=[equipment.lab_id]))


# --- Sessions --------------------------------------------------------------------------------


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


def _equipment_clash(equipment_ids: list[int], starts_at, ends_at) -> str | None:
    through = LabSession.equipment.through
    clash = (through.objects.filter(equipment_id__in=equipment_ids,
                                    labsession__status=LabSessionStatus.SCHEDULED,
                                    labsession__starts_at__lt=ends_at, labsession__ends_at__gt=starts_at)
             .select_related("equipment", "labsession", "labsession__lab")
             .order_by("labsession__starts_at").first())
    if clash is None:
        return None
    return (f"{clash.equipment.model} is already in use by another session at that time: "
            f"{_session_label(clash.labsession)}.")


@transaction.atomic
def session_create(*, actor: User, lab: Lab, kind: str, starts_at: datetime.datetime,
                   ends_at: datetime.datetime, seats: int, title: str = "",
                   faculty: Iterable[User] = (), equipment: Iterable[Equipment] = (),
                   component: Component | None = None, prerequisite: Module | None = None,
                   notes: str = "", now: datetime.datetime | None = None) -> LabSession:
    """A lab's manager schedules a session. Refused (400, per field) when it is in the past,
    outside the lab's opening hours, has faculty not accredited on its date, names equipment
    of another lab or out of service, offers more seats than the equipment's available units,
    or overlaps another session on the same equipment (a session reserves every unit of each
    equipment item it names)."""
    now = _now(now)
    if not policies.can_create_session(actor, lab):
        raise NotPermitted("Only this lab's managers can schedule its sessions.")
    errors: dict[str, list[str]] = {}
    title = _text("title", title, max_length=200)
    notes = _text("notes", notes)
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
    if not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        errors["seats"] = [f"Offer 1 to {MAX_SEATS} seats."]

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
    if kit and not elsewhere and not broken and "seats" not in errors:
        units = sum(e.count for e in kit)
        if seats > units:
            errors.setdefault("seats", []).append(
                f"The equipment named has {units} available unit(s): the session can offer at most {units} "
                "seat(s).")
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
        lab=lab, title=title, kind=kind, starts_at=starts_at, ends_at=ends_at, seats=seats,
        component=component, prerequisite=prerequisite, notes=notes, created_by=actor,
    )
    session.faculty.set(faculty)
    session.equipment.set(kit)
    audit_record(actor=actor, action="labs.session.create", obj=session, after={
        **snapshot(session, SESSION_FIELDS), "faculty": sorted(f.pk for f in faculty), "equipment": equipment_ids})
    return session


@transaction.atomic
def session_cancel(*, actor: User, session: LabSession, reason: str = "",
                   now: datetime.datetime | None = None) -> LabSession:
    """A lab's manager cancels a session before it starts: every live booking is cancelled
    and its trainee told; the faculty are told too."""
    now = _now(now)
    session = LabSession.objects.select_for_update().get(pk=session.pk)
    if not policies.can_cancel_session(actor, session):
        raise NotPermitted("Only this lab's managers can cancel its sessions.")
    reason = _text("reason", reason)
    if session.status == LabSessionStatus.CANCELLED:
        raise Conflict("This session is already cancelled.")
    if session.starts_at <= now:
        raise Conflict("This session has started: it can no longer be cancelled.")
    before = snapshot(session, SESSION_FIELDS)
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
    session = LabSession.objects.select_related("lab").get(pk=session.pk)
    audit_record(actor=actor, action="labs.session.cancel", obj=session, before=before,
                 after={**snapshot(session, SESSION_FIELDS), "bookings_cancelled": [b.pk for b in bookings]})
    label = _session_label(session)
    why = f"\n\nReason: {reason}" if reason else ""
    trainees = User.objects.in_bulk([b.trainee_id for b in bookings])
    for booking in bookings:
        audit_record(actor=actor, action="labs.booking.cancel_with_session", obj=booking,
                     before={"status": booking.status}, after={"status": BookingStatus.CANCELLED})
        notify(recipient=trainees[booking.trainee_id], kind="labs.session_cancelled",
               subject=f"Cancelled: {session.display_title} on {_day(session.starts_at)}",
               body=(f"The lab session {label} is cancelled, and your "
                     f"{'place' if booking.status != BookingStatus.WAITLISTED else 'place on the waitlist'} "
                     f"with it.{why}"),
               key=f"labs.session_cancelled:{session.pk}:{booking.pk}", link=reverse("labs:my-bookings"))
    for member in session.faculty.all():
        notify(recipient=member, kind="labs.session_cancelled",
               subject=f"Cancelled: {session.display_title} on {_day(session.starts_at)}",
               body=f"The lab session {label}, where you were faculty, is cancelled.{why}",
               key=f"labs.session_cancelled:{session.pk}:faculty:{member.pk}", link=_session_link(session))
    return session


# --- Bookings --------------------------------------------------------------------------------


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
def booking_create(*, trainee: User, session: LabSession, now: datetime.datetime | None = None) -> Booking:
    """A trainee books a session for themself: confirmed while seats remain, else waitlisted
    (not an error). Refused: prerequisite module not met (400, naming what is missing); a
    live booking of the same session (409); a confirmed booking overlapping it (409);
    a cancelled or started session (409)."""
    now = _now(now)
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
    _lock_trainee(trainee.pk)
    if Booking.objects.filter(session=session, trainee=trainee, status__in=NOT_CANCELLED).exists():
        raise Conflict("You already have a booking for this session.")
    clash = overlapping_seat_bookings(trainee_id=trainee.pk, starts_at=session.starts_at,
                                      ends_at=session.ends_at, exclude_session_id=session.pk).first()
    if clash is not None:
        raise Conflict(f"You already have a place at that time: {_session_label(clash.session)}. "
                       "Cancel it first to book this one.")
    confirmed = session.seats_booked < session.seats
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                session=session, trainee=trainee, created_at=now,
                status=BookingStatus.CONFIRMED if confirmed else BookingStatus.WAITLISTED,
                confirmed_at=now if confirmed else None, waitlisted_at=None if confirmed else now,
            )
            if confirmed:
                # The CHECK (seats_booked <= seats) refuses an overbooking even without the lock.
                LabSession.objects.filter(pk=session.pk).unaudited_update(SEAT_COUNTER, seats_booked=F("seats_booked") + 1)
    except IntegrityError:
        raise Conflict("You already have a booking for this session.") from None
    _audit(actor=trainee, action="labs.booking.create", obj=booking, fields=BOOKING_FIELDS)
    return booking


def _promote_waitlist(session: LabSession, *, actor: User, now: datetime.datetime) -> list[Booking]:
    """Fill free seats from the waitlist, first come first served (created_at, id). A trainee
    who meanwhile holds an overlapping place is skipped (stays waitlisted). Called with the
    session row locked, in the caller's transaction."""
    promoted = []
    free = session.seats - session.seats_booked
    if free <= 0:
        return promoted
    for candidate in waitlist_of(session.pk).select_for_update(of=("self",)):
        if free <= 0:
            break
        _lock_trainee(candidate.trainee_id)
        if overlapping_seat_bookings(trainee_id=candidate.trainee_id, starts_at=session.starts_at,
                                     ends_at=session.ends_at, exclude_session_id=session.pk).exists():
            continue
        candidate.status = BookingStatus.CONFIRMED
        candidate.confirmed_at = now
        candidate.save(update_fields=["status", "confirmed_at"])
        LabSession.objects.filter(pk=session.pk).unaudited_update(SEAT_COUNTER, seats_booked=F("seats_booked") + 1)
        free -= 1
        audit_record(actor=actor, action="labs.booking.promote", obj=candidate,
                     before={"status": BookingStatus.WAITLISTED}, after={"status": BookingStatus.CONFIRMED})
        notify(recipient=candidate.trainee, kind="labs.booking_promoted",
               subject=f"You have a place: {session.display_title} on {_day(session.starts_at)}",
               body=(f"A place came free and your waitlisted booking is now confirmed: "
                     f"{_session_label(session)}. If you cannot come, cancel it so that the next "
                     "person on the waitlist gets the place."),
               key=f"labs.booking_promoted:{candidate.pk}", link=reverse("labs:my-bookings"))
        promoted.append(candidate)
    return promoted


@transaction.atomic
def booking_cancel(*, actor: User, booking: Booking, now: datetime.datetime | None = None) -> Booking:
    """The trainee cancels their own booking until the session starts. A freed seat goes to
    the first waitlisted booking in the same transaction (notified through the outbox)."""
    now = _now(now)
    session = LabSession.objects.select_for_update().select_related("lab").get(pk=booking.session_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if not policies.can_cancel_booking(actor, booking):
        raise NotPermitted("Only the trainee who booked can cancel this booking.")
    if booking.status not in LIVE_BOOKING:
        raise Conflict(f"This booking is {booking.get_status_display().lower()}: it cannot be cancelled.")
    if session.starts_at <= now:
        raise Conflict("The session has started: bookings can be cancelled only until it starts.")
    before = snapshot(booking, BOOKING_FIELDS)
    held_seat = booking.status == BookingStatus.CONFIRMED
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = actor
    booking.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    audit_record(actor=actor, action="labs.booking.cancel", obj=booking, before=before,
                 after=snapshot(booking, BOOKING_FIELDS))
    if held_seat:
        LabSession.objects.filter(pk=session.pk).unaudited_update(SEAT_COUNTER, seats_booked=F("seats_booked") - 1)
        session.refresh_from_db(fields=["seats_booked"])
        if session.status == LabSessionStatus.SCHEDULED:
            _promote_waitlist(session, actor=actor, now=now)
    return booking


@transaction.atomic
def booking_mark_attendance(*, actor: User, booking: Booking, attended: bool,
                            now: datetime.datetime | None = None) -> Booking:
    """The lab's managers or the session's faculty record attended / no-show on a confirmed
    booking once the session has started (a mark may be corrected later)."""
    now = _now(now)
    booking = Booking.objects.select_for_update(of=("self",)).select_related("session").get(pk=booking.pk)
    if not policies.can_mark_attendance(actor, booking):
        raise NotPermitted("Only the lab's managers or the session's faculty record attendance.")
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
    booking.status = status
    booking.attendance_marked_at = now
    booking.attendance_marked_by = actor
    booking.save(update_fields=["status", "attendance_marked_at", "attendance_marked_by"])
    audit_record(actor=actor, action=f"labs.booking.{status}", obj=booking, before=before,
                 after=snapshot(booking, BOOKING_FIELDS))
    return booking


# --- Reminders -------------------------------------------------------------------------------


def session_reminders_send(*, now: datetime.datetime | None = None,
                           within: datetime.timedelta = datetime.timedelta(hours=24)) -> int:
    """Remind trainees with a confirmed place of sessions starting within `within` (PRODUCT
    §5: 24 hours before). Idempotent: one reminder per booking, whenever it runs."""
    now = _now(now)
    bookings = (Booking.objects.filter(status=BookingStatus.CONFIRMED, session__status=LabSessionStatus.SCHEDULED,
                                       session__starts_at__gt=now, session__starts_at__lte=now + within)
                .select_related("session", "session__lab", "trainee"))
    bookings = list(bookings)
    keys = {b.pk: f"labs.session_reminder:{b.pk}" for b in bookings}
    done = set(Notification.objects.filter(idempotency_key__in=keys.values()).values_list("idempotency_key", flat=True))
    sent = 0
    for booking in bookings:
        if keys[booking.pk] in done:
            continue
        with transaction.atomic():
            notify(recipient=booking.trainee, kind="labs.session_reminder",
                   subject=f"Soon: {booking.session.display_title} at {booking.session.lab.name}",
                   body=f"A reminder of your lab session: {_session_label(booking.session)}.",
                   key=keys[booking.pk], link=reverse("labs:my-bookings"))
        sent += 1
    return sent
