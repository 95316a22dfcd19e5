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
