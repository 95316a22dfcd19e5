"""Lab sessions remind their booked trainees 24 hours before, once."""

import datetime

import pytest

from labs import services
from rastrack.notifications.models import Notification
from tests.builders.labs import make_session, when

pytestmark = pytest.mark.django_db


def test_booked_trainees_are_reminded_once_within_24_hours(lab, lab_manager, trainee, other_trainee):
    soon = make_session(lab, lab_manager, starts_at=when(weeks=1, weekday=1, hour=10), seats=1)
    confirmed = services.booking_create(trainee=trainee, session=soon)
    waitlisted = services.booking_create(trainee=other_trainee, session=soon)
    assert (confirmed.status, waitlisted.status) == ("confirmed", "waitlisted")
    day_before = soon.starts_at - datetime.timedelta(hours=20)
    assert services.session_reminders_send(now=soon.starts_at - datetime.timedelta(hours=30)) == 0  # too early
    assert services.session_reminders_send(now=day_before) == 1
    assert services.session_reminders_send(now=day_before + datetime.timedelta(hours=1)) == 0      # once
    reminders = Notification.objects.filter(kind="labs.session_reminder")
    assert [n.recipient for n in reminders] == [trainee]  # the waitlisted trainee has no place


def test_a_missed_hour_is_caught_up_and_cancelled_bookings_are_not_reminded(lab, lab_manager, trainee,
                                                                           other_trainee):
    session = make_session(lab, lab_manager, starts_at=when(weeks=1, weekday=2, hour=9), seats=2)
    kept = services.booking_create(trainee=trainee, session=session)
    cancelled = services.booking_create(trainee=other_trainee, session=session)
    services.booking_cancel(booking=cancelled, actor=other_trainee)
    # Beat was down until 2 hours before the start: the reminder still goes.
    assert services.session_reminders_send(now=session.starts_at - datetime.timedelta(hours=2)) == 1
    assert Notification.objects.get(kind="labs.session_reminder").recipient == kept.trainee
