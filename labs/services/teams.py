"""Team sessions: seats by theatre-team role, bookings and waitlists per role, a team lead
booking a named team, and the team's attendance and measured outcomes recorded once.

A session with roles offers `sum(role seats)` seats; every booking of it names one of its
roles. A booking is confirmed while its role has a seat left, else it waits on that role's
waitlist (other roles' free seats are not its seats: a scrub nurse does not take the console
surgeon's place). The role counters are changed only here, by callers holding the session's
row lock (labs/services/bookings.py), and a CHECK on each role's counter refuses an
overbooked role whatever the caller.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F

from labs import policies, summaries
from labs.models import (
    SEAT_HOLDING,
    Booking,
    LabSession,
    LabSessionKind,
    LabSessionStatus,
    SessionRole,
    TeamMeasure,
    TeamOutcome,
    TeamRole,
)
from labs.services.common import now_or_given
from rastrack.accounts.models import User
from rastrack.audit.services import audit_record, snapshot
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.core.free_text import free_text

ROLE_COUNTER = "role seat counter kept in step with an audited booking"
# Sessions that are team sessions by nature: they need a roster by role.
TEAM_KINDS = (LabSessionKind.TEAM_TRAINING,)
MAX_TEAM = 30


def clean_roles(*, kind: str, roles: Iterable[dict] | None, seats: int | None) -> tuple[list[tuple[str, int]], dict]:
    """The roles asked for, as (role, seats) pairs, and the errors per field. A team kind
    needs roles; with roles, the session's seats are their sum (a different `seats`: 400)."""
    errors: dict[str, list[str]] = {}
    pairs: list[tuple[str, int]] = []
    for item in roles or ():
        role, count = item.get("role"), item.get("seats")
        if role not in TeamRole.values:
            errors.setdefault("roles", []).append(f"Unknown role {role!r}: choose from {', '.join(TeamRole.values)}.")
        elif any(role == r for r, _ in pairs):
            errors.setdefault("roles", []).append(f"{TeamRole(role).label} is given twice.")
        elif not isinstance(count, int) or not 1 <= count <= MAX_TEAM:
            errors.setdefault("roles", []).append(f"{TeamRole(role).label}: offer 1 to {MAX_TEAM} seats.")
        else:
            pairs.append((role, count))
    if kind in TEAM_KINDS and not pairs and "roles" not in errors:
        errors["roles"] = ["A team session has seats by team role: give at least one role with its seats."]
    if pairs and seats is not None and seats != sum(n for _, n in pairs):
        errors.setdefault("seats", []).append(
            f"A session with team roles has as many seats as its roles together ({sum(n for _, n in pairs)}).")
    return pairs, errors


def roles_create(session: LabSession, pairs: list[tuple[str, int]]) -> None:
    SessionRole.objects.bulk_create([SessionRole(session=session, role=role, seats=n) for role, n in pairs])


def session_has_roles(session: LabSession) -> bool:
    return SessionRole.objects.filter(session_id=session.pk).exists()


def check_role(session: LabSession, role: str) -> SessionRole | None:
    """The role row a booking of `session` as `role` draws from, locked (the caller holds the
    session's lock); None for a session without roles. 400 when the role does not fit."""
    rows = {r.role: r for r in SessionRole.objects.select_for_update().filter(session_id=session.pk)}
    if not rows:
        if role:
            raise ApplicationError(errors={"role": ["This session has no team roles: book it without a role."]})
        return None
    if not role:
        raise ApplicationError(errors={"role": [
            f"Choose the team role you book: {', '.join(TeamRole(r).label.lower() for r in rows)}."]})
    if role not in rows:
        raise ApplicationError(errors={"role": [f"This session has no {TeamRole(role).label.lower()} seats."]
                                       if role in TeamRole.values else [f"Unknown role {role!r}."]})
    return rows[role]


def role_has_seat(session_id: int, role: str) -> bool:
    """Whether a booking of this role may take a seat (always, for a session without roles)."""
    if not role:
        return True
    return SessionRole.objects.filter(session_id=session_id, role=role, seats_booked__lt=F("seats")).exists()


def take_role_seat(session_id: int, role: str) -> None:
    if role:
        SessionRole.objects.filter(session_id=session_id, role=role).update(seats_booked=F("seats_booked") + 1)


def release_role_seat(session_id: int, role: str) -> None:
    if role:
        SessionRole.objects.filter(session_id=session_id, role=role).update(seats_booked=F("seats_booked") - 1)


def release_all_role_seats(session: LabSession) -> None:
    """A cancelled session holds no seats, in any role."""
    SessionRole.objects.filter(session_id=session.pk).update(seats_booked=0)


@transaction.atomic
def team_booking_create(*, actor: User, session: LabSession, members: Iterable[tuple[User, str]],
                        now: datetime.datetime | None = None) -> list[Booking]:
    """A team lead books a named team: each member (a trainee) in their role, confirmed while
    the role has seats, else on that role's waitlist. The lead is a trainee who is one of the
    members, or a manager of the session's lab. All or nothing: one member refused refuses
    the team, naming them."""
    from labs.services.bookings import booking_create

    now = now_or_given(now)
    members = list(members)
    lab_manager = policies.manages_lab_id(actor, session.lab_id)
    if not lab_manager and not (policies.can_book(actor) and any(m.pk == actor.pk for m, _ in members)):
        raise NotPermitted("A team is booked by one of its members (a trainee) or by the lab's managers.")
    if not members:
        raise ApplicationError(errors={"members": ["Name the team: each member with their role."]})
    if len(members) > MAX_TEAM:
        raise ApplicationError(errors={"members": [f"A team has at most {MAX_TEAM} members."]})
    if len({m.pk for m, _ in members}) != len(members):
        raise ApplicationError(errors={"members": ["Each member is named once."]})
    bookings = []
    with summaries.deferred():
        for member, role in members:
            try:
                bookings.append(booking_create(trainee=member, session=session, role=role, booked_by=actor,
                                               now=now))
            except NotPermitted:
                raise ApplicationError(errors={"members": [f"{member.full_name} is not a trainee: only trainees "
                                                           "are booked."]}) from None
            except Conflict as exc:
                raise Conflict(f"{member.full_name}: {exc}") from None
            except ApplicationError as exc:
                messages = [m for msgs in exc.errors.values() for m in msgs] or [exc.message]
                raise ApplicationError(errors={"members": [f"{member.full_name}: {m}" for m in messages]}) from None
    return bookings


def _clean_outcomes(outcomes: Iterable[dict]) -> list[tuple[str, str, Decimal]]:
    cleaned, problems = [], []
    for item in outcomes:
        measure, label = item.get("measure"), free_text("outcomes", item.get("label") or "", max_length=120)
        try:
            value = Decimal(str(item.get("value")))
        except (InvalidOperation, ValueError):
            value = None
        if measure not in TeamMeasure.values:
            problems.append(f"Unknown measure {measure!r}: choose from {', '.join(TeamMeasure.values)}.")
        elif value is None or not value.is_finite() or not Decimal(0) <= value < Decimal(10**7):
            problems.append(f"{TeamMeasure(measure).label}: give a number, 0 or more.")
        elif any(m == measure and lb == label for m, lb, _ in cleaned):
            problems.append(f"{TeamMeasure(measure).label} {label!r} is given twice.")
        else:
            cleaned.append((measure, label, value.quantize(Decimal("0.1"))))
    if problems:
        raise ApplicationError(errors={"outcomes": problems})
    return cleaned


@transaction.atomic
def team_record(*, actor: User, session: LabSession, attended: Iterable[int], outcomes: Iterable[dict] = (),
                now: datetime.datetime | None = None) -> LabSession:
    """The lab's managers or the session's faculty record the team's attendance and its
    measured outcomes once for the whole team: the seat-holding bookings named in `attended`
    are marked attended, the others no-show (each booking audited, as one by one), and the
    outcomes replace any recorded before. Attendance is what credits each member's pathway
    (labs/evidence.py), with the outcomes shown on it."""
    from labs.services.bookings import booking_mark_attendance

    now = now_or_given(now)
    session = LabSession.objects.select_for_update().get(pk=session.pk)
    probe = Booking(session=session)
    if not policies.can_mark_attendance(actor, probe):
        raise NotPermitted("Only the lab's managers or the session's faculty record the team's attendance.")
    if session.status == LabSessionStatus.CANCELLED:
        raise Conflict("This session was cancelled: there is no attendance to record.")
    if session.starts_at > now:
        raise Conflict("The session has not started yet: attendance is recorded once it starts.")
    cleaned = _clean_outcomes(outcomes)
    seat_holders = list(Booking.objects.filter(session=session, status__in=SEAT_HOLDING).order_by("pk"))
    attended = set(attended)
    unknown = attended - {b.pk for b in seat_holders}
    if unknown:
        raise ApplicationError(errors={"attended": [
            "Name bookings of this session that hold a place: "
            f"{', '.join(str(pk) for pk in sorted(unknown))} do not."]})
    with summaries.deferred():
        for booking in seat_holders:
            booking_mark_attendance(actor=actor, booking=booking, attended=booking.pk in attended, now=now)
    before = [snapshot(o, ["measure", "label", "value"]) for o in session.outcomes.all()]
    TeamOutcome.objects.filter(session=session).delete()
    TeamOutcome.objects.bulk_create([TeamOutcome(session=session, measure=m, label=lb, value=v, recorded_by=actor,
                                                 recorded_at=now) for m, lb, v in cleaned])
    audit_record(actor=actor, action="labs.session.team_record", obj=session, before={"outcomes": before},
                 after={"attended": sorted(attended), "no_show": sorted(b.pk for b in seat_holders
                                                                        if b.pk not in attended),
                        "outcomes": [{"measure": m, "label": lb, "value": str(v)} for m, lb, v in cleaned]})
    return session

