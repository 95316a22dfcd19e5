"""No overbooking under concurrency (PostgreSQL: real row locks and CHECK constraints)."""

import threading

import pytest
from django.db import connection

from labs import services
from labs.models import Booking, BookingStatus, LabSession
from rastrack.accounts.roles import Role
from tests.builders.labs import make_session
from tests.builders.people import UserFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_trainees_racing_for_three_seats_get_exactly_three(lab, lab_manager, london):
    session = make_session(lab, lab_manager, seats=3)
    trainees = [UserFactory(roles=[Role.TRAINEE], region=london) for _ in range(8)]
    start = threading.Barrier(len(trainees))
    results, errors = [], []

    def book(trainee):
        try:
            start.wait()
            results.append(services.booking_create(trainee=trainee, session=session).status)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(t,)) for t in trainees]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(results) == ["confirmed"] * 3 + ["waitlisted"] * 5
    session.refresh_from_db()
    assert session.seats_booked == 3
    assert Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).count() == 3
    assert Booking.objects.filter(session=session, status=BookingStatus.WAITLISTED).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cancellations_racing_with_bookings_never_overbook(lab, lab_manager, london):
    session = make_session(lab, lab_manager, seats=2)
    holders = [UserFactory(roles=[Role.TRAINEE], region=london) for _ in range(2)]
    held = [services.booking_create(trainee=t, session=session) for t in holders]
    newcomers = [UserFactory(roles=[Role.TRAINEE], region=london) for _ in range(6)]
    start = threading.Barrier(len(held) + len(newcomers))
    errors = []

    def run(action):
        try:
            start.wait()
            action()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    actions = [lambda b=b: services.booking_cancel(actor=b.trainee, booking=b) for b in held]
    actions += [lambda t=t: services.booking_create(trainee=t, session=session) for t in newcomers]
    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    session = LabSession.objects.get(pk=session.pk)
    confirmed = Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).count()
    assert session.seats_booked == confirmed == 2
    assert Booking.objects.filter(session=session, status=BookingStatus.WAITLISTED).count() == 4
