"""Labs builders: session times, sessions and past bookings through the services, and the two
labs several folders need (fixtures `london_site`, `lab`, `other_lab_manager`, `other_lab`).

Session times are relative to the current week (`when(weeks=1, weekday=1, hour=10)` is next
week's Tuesday at 10:00, local time), always inside the labs' default opening hours
(Monday-Friday 08:00-18:00) unless a test says otherwise.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from labs import services
from labs.selectors import week_start
from rastrack.accounts.roles import Role
from tests.builders.people import SiteFactory, UserFactory


def when(*, weeks: int = 1, weekday: int = 1, hour: int = 10, minute: int = 0) -> datetime.datetime:
    day = week_start(timezone.localdate()) + datetime.timedelta(weeks=weeks, days=weekday)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def make_session(lab, manager, *, starts_at=None, hours: float = 2, seats: int = 3, kind: str = "simulation",
                 now=None, **kwargs):
    """A session through the service; a past one is created with `now` two weeks before it."""
    starts_at = starts_at or when()
    if now is None and starts_at <= timezone.now():
        now = starts_at - datetime.timedelta(days=14)
    return services.session_create(actor=manager, lab=lab, kind=kind, starts_at=starts_at,
                                   ends_at=starts_at + datetime.timedelta(hours=hours), seats=seats,
                                   now=now, **kwargs)


def book_in_past(trainee, session):
    """A booking of a session that has started, made three days before it."""
    return services.booking_create(trainee=trainee, session=session,
                                   now=session.starts_at - datetime.timedelta(days=3))


@pytest.fixture(name="london_site")
def london_site_fixture(london):
    return SiteFactory(region=london, name="St Thomas' Test Hospital")


@pytest.fixture(name="lab")
def lab_fixture(admin, london, london_site, lab_manager):
    """The London lab, run by `lab_manager`."""
    return services.lab_create(actor=admin, name="London Test Skills Lab", region=london, site=london_site,
                               address="Education Centre", managers=[lab_manager])


@pytest.fixture(name="other_lab_manager")
def other_lab_manager_fixture(north_west):
    """A manager of another lab (North West)."""
    return UserFactory(full_name="Mo Othermanager", roles=[Role.LAB_MANAGER], region=north_west)


@pytest.fixture(name="other_lab")
def other_lab_fixture(admin, north_west, other_lab_manager):
    site = SiteFactory(region=north_west, name="Salford Test Hospital")
    return services.lab_create(actor=admin, name="North West Test Skills Lab", region=north_west, site=site,
                               managers=[other_lab_manager])


def _weekday_in(month_first: datetime.date, weekday: int, week: int = 1) -> datetime.date:
    """The `week`-th `weekday` (0 Monday) of the month."""
    day = month_first + datetime.timedelta(days=(weekday - month_first.weekday()) % 7)
    return day + datetime.timedelta(weeks=week - 1)


def _local(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def lab_summary_world(*, lab, lab_manager, other_lab, other_lab_manager, check=lambda: None) -> dict:
    """A varied labs world made through every session and booking service, calling `check()`
    after each write: two labs in two regions and a second London lab; sessions of several
    kinds over five months (two past, this one, two ahead); attended, no-show (and a
    corrected mark), waitlisted, promoted and cancelled bookings; a cancelled session with
    waitlist demand; a team session booked by its lead and recorded; a session whose seats
    grow (promoting from the waitlist), shrink, and which moves to another month; a trainee
    with no region. Returns the months {-2, -1, 0, 1, 2: first day} and the labs."""
    from labs.models import LabSessionKind
    from rastrack.core.months import add_months

    roster = [{"role": "console_surgeon", "seats": 1}, {"role": "bedside_assistant", "seats": 1},
              {"role": "scrub_nurse", "seats": 1}]

    this_month = timezone.localdate().replace(day=1)
    months = {n: add_months(this_month, n) for n in (-2, -1, 0, 1, 2)}
    people = [UserFactory(full_name=f"Lab Summary Trainee {n}", roles=[Role.TRAINEE], region=region)
              for n, region in enumerate([lab.region, lab.region, lab.region, other_lab.region, other_lab.region])]
    people.append(UserFactory(full_name="Lab Summary Regionless", roles=[Role.TRAINEE]))
    admin = UserFactory(full_name="Lab Summary Admin", roles=[Role.PROGRAMME_ADMIN])
    third_lab = services.lab_create(actor=admin, name="Second London Summary Lab", region=lab.region,
                                    site=lab.site, managers=[lab_manager])
    check()

    def session(at_lab, manager, day, hour, **kw):
        made = make_session(at_lab, manager, starts_at=_local(day, hour), **kw)
        check()
        return made

    def book(person, s, *, days_before=5, role=""):
        kwargs = {"now": s.starts_at - datetime.timedelta(days=days_before)} if s.starts_at <= timezone.now() else {}
        made = services.booking_create(trainee=person, session=s, role=role, **kwargs)
        check()
        return made

    def cancel(person, booking, s):
        kwargs = {"now": s.starts_at - datetime.timedelta(days=1)} if s.starts_at <= timezone.now() else {}
        services.booking_cancel(actor=person, booking=booking, **kwargs)
        check()

    def mark(manager, booking, attended):
        services.booking_mark_attendance(actor=manager, booking=booking, attended=attended)
        check()

    # Two months ago: a simulation (attended, no-show, attended then corrected, a waitlist that
    # never got a place) and, in the other lab, a dry lab.
    s1 = session(lab, lab_manager, _weekday_in(months[-2], 1), 10, seats=3)
    b = [book(p, s1) for p in people[:3]] + [book(people[5], s1)]
    mark(lab_manager, b[0], True)
    mark(lab_manager, b[1], False)
    mark(lab_manager, b[2], True)
    mark(lab_manager, b[2], False)
    s2 = session(other_lab, other_lab_manager, _weekday_in(months[-2], 2), 9, seats=2, kind=LabSessionKind.DRY_LAB)
    mark(other_lab_manager, book(people[3], s2), True)
    mark(other_lab_manager, book(people[4], s2), False)
    # Last month: a one-seat session whose waitlisted trainee is promoted when the first cancels;
    # a session cancelled before it started (its waitlist demand leaves with it); a team drill.
    s3 = session(lab, lab_manager, _weekday_in(months[-1], 1), 10, seats=1, kind=LabSessionKind.CONSOLE_PRACTICE)
    first, waiting = book(people[0], s3, days_before=6), book(people[1], s3)
    cancel(people[0], first, s3)
    waiting.refresh_from_db()
    mark(lab_manager, waiting, True)
    s4 = session(lab, lab_manager, _weekday_in(months[-1], 3), 13, seats=1)
    book(people[2], s4)
    book(people[5], s4)
    services.session_cancel(actor=lab_manager, session=s4, now=s4.starts_at - datetime.timedelta(days=1))
    check()
    drill = session(other_lab, other_lab_manager, _weekday_in(months[-1], 2), 9, hours=3,
                    kind=LabSessionKind.TEAM_TRAINING, seats=None, roles=roster)
    team = services.team_booking_create(
        actor=people[3], session=drill, members=[(people[3], "console_surgeon"), (people[4], "bedside_assistant")],
        now=drill.starts_at - datetime.timedelta(days=4))
    check()
    services.team_record(actor=other_lab_manager, session=drill, attended=[team[0].pk])
    check()
    # Ahead: the second London lab's session; a session whose seats grow (the waitlist is
    # promoted), shrink, and which then moves two months on; a session cancelled with bookings.
    s5 = session(third_lab, lab_manager, _weekday_in(months[1], 4), 11, seats=2, kind=LabSessionKind.WET_LAB)
    book(people[0], s5)
    future = when(weeks=1, weekday=1, hour=10)
    s6 = session(lab, lab_manager, future.date(), 10, seats=1)
    confirmed, *waitlisted = [book(p, s6) for p in (people[1], people[2], people[5])]
    services.session_update(actor=lab_manager, session=s6, seats=2)
    check()
    services.session_update(actor=lab_manager, session=s6, seats=3)
    check()
    cancel(people[5], waitlisted[1], s6)
    services.session_update(actor=lab_manager, session=s6, seats=2)
    check()
    moved_day = _weekday_in(add_months(future.date().replace(day=1), 2), 1)
    services.session_update(actor=lab_manager, session=s6, starts_at=_local(moved_day, 10),
                            ends_at=_local(moved_day, 12))
    check()
    s7 = session(other_lab, other_lab_manager, _weekday_in(months[2], 3), 14, seats=1)
    book(people[3], s7)
    book(people[4], s7)
    services.session_cancel(actor=other_lab_manager, session=s7)
    check()
    return {"months": months, "labs": [lab, other_lab, third_lab]}
