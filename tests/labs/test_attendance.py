"""Attendance: only the lab's managers or the session's faculty, only once it has started."""

import datetime

import pytest
import time_machine

from labs import services
from labs.models import Booking, BookingStatus
from rastrack.audit.models import AuditEntry
from tests.builders.labs import book_in_past, make_session, when

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_session(lab, lab_manager, faculty_trainer):
    return make_session(lab, lab_manager, starts_at=when(weeks=-1), faculty=[faculty_trainer])


@pytest.fixture
def past_booking(past_session, trainee):
    return book_in_past(trainee, past_session)


def _mark(api, user, booking, verb="attended"):
    return api.as_user(user).post(f"/api/v1/bookings/{booking.pk}/{verb}/")


def test_the_labs_manager_marks_attended_and_no_show(api, lab_manager, past_booking):
    response = _mark(api, lab_manager, past_booking)
    assert response.status_code == 200
    assert response.json()["status"] == "attended"
    assert response.json()["attendance_marked_by"] == lab_manager.pk
    # A mark can be corrected; it keeps the seat either way.
    assert _mark(api, lab_manager, past_booking, "no_show").json()["status"] == "no_show"
    past_booking.session.refresh_from_db()
    assert past_booking.session.seats_booked == 1
    actions = list(AuditEntry.objects.filter(object_type="labs.booking", object_id=str(past_booking.pk))
                   .values_list("action", flat=True))
    assert actions[-2:] == ["labs.booking.attended", "labs.booking.no_show"]


def test_the_sessions_faculty_marks_attendance(api, faculty_trainer, past_booking):
    assert _mark(api, faculty_trainer, past_booking, "no_show").status_code == 200


@pytest.mark.parametrize(("persona", "code"), [
    ("trainee", 403),             # the booking's own trainee: not a role that marks attendance
    ("lead", 403),                # sees the booking (their region) but may not mark
    ("admin", 403),
    ("other_lab_manager", 404),   # another lab's bookings are invisible
    ("assigned_trainer", 404),    # a trainer who is not the session's faculty
])
def test_attendance_by_anyone_else_is_refused(api, request, past_booking, persona, code):
    user = request.getfixturevalue(persona)
    assert _mark(api, user, past_booking).status_code == code
    assert Booking.objects.get(pk=past_booking.pk).status == BookingStatus.CONFIRMED


def test_attendance_only_once_the_session_has_started(api, lab, lab_manager, trainee):
    session = make_session(lab, lab_manager)
    booking = services.booking_create(trainee=trainee, session=session)
    early = _mark(api, lab_manager, booking)
    assert early.status_code == 409
    assert "has not started yet" in early.json()["detail"]
    with time_machine.travel(session.starts_at + datetime.timedelta(minutes=5), tick=False):
        assert _mark(api, lab_manager, booking).status_code == 200


def test_a_waitlisted_or_cancelled_booking_has_no_attendance(api, lab, lab_manager, trainee, other_trainee):
    session = make_session(lab, lab_manager, starts_at=when(weeks=-1), seats=1)
    book_in_past(trainee, session)
    waiting = book_in_past(other_trainee, session)
    assert waiting.status == BookingStatus.WAITLISTED
    response = _mark(api, lab_manager, waiting)
    assert response.status_code == 409 and "only a confirmed booking" in response.json()["detail"]
