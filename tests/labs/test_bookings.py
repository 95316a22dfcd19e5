"""Bookings: confirmed then waitlisted, duplicates, overlaps, cancellation and promotion,
prerequisites, and cancelling a whole session."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from curriculum import services as curriculum
from labs import services
from labs.models import Booking, BookingStatus, LabSession
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.notifications.models import Notification
from tests.builders.curriculum import make_framework, make_pathway
from tests.builders.dates import days_ago
from tests.builders.labs import make_session, when

pytestmark = pytest.mark.django_db


def _book(api, user, session):
    return api.as_user(user).post("/api/v1/bookings/", {"session": session.pk}, format="json")


def test_bookings_are_confirmed_while_seats_remain_then_waitlisted(api, lab, lab_manager, trainee, other_trainee,
                                                                   third_trainee):
    session = make_session(lab, lab_manager, seats=2)
    first, second, third = (_book(api, t, session) for t in (trainee, other_trainee, third_trainee))
    assert [r.status_code for r in (first, second, third)] == [201, 201, 201]
    assert [r.json()["status"] for r in (first, second, third)] == ["confirmed", "confirmed", "waitlisted"]
    assert third.json()["waitlist_position"] == 1 and first.json()["waitlist_position"] is None
    session.refresh_from_db()
    assert session.seats_booked == 2
    listed = api.as_user(trainee).get(f"/api/v1/lab-sessions/{session.pk}/").json()
    assert (listed["seats_booked"], listed["seats_left"], listed["waitlist_length"]) == (2, 0, 1)
    assert listed["my_booking"] == {"id": first.json()["id"], "status": "confirmed"}


def test_a_second_live_booking_of_the_same_session_is_409(api, session, trainee):
    assert _book(api, trainee, session).status_code == 201
    again = _book(api, trainee, session)
    assert again.status_code == 409
    assert again.json() == {"detail": "You already have a booking for this session."}
    assert Booking.objects.filter(trainee=trainee).count() == 1


def test_the_database_refuses_a_duplicate_too(session, trainee):
    booking = services.booking_create(trainee=trainee, session=session)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(session=session, trainee=trainee, status=BookingStatus.WAITLISTED,
                               created_at=timezone.now(), waitlisted_at=timezone.now())
    # After cancelling, booking again is allowed.
    services.booking_cancel(actor=trainee, booking=booking)
    assert services.booking_create(trainee=trainee, session=session).status == BookingStatus.CONFIRMED


def test_overlapping_confirmed_bookings_of_one_trainee_are_refused_409(api, lab, lab_manager, other_lab,
                                                                        other_lab_manager, trainee):
    morning = make_session(lab, lab_manager, starts_at=when(hour=9), hours=3)
    overlapping = make_session(other_lab, other_lab_manager, starts_at=when(hour=11), hours=2)
    after = make_session(lab, lab_manager, starts_at=when(hour=12), hours=2)
    assert _book(api, trainee, morning).status_code == 201
    refused = _book(api, trainee, overlapping)
    assert refused.status_code == 409
    assert "You already have a place at that time" in refused.json()["detail"]
    assert "London Test Skills Lab" in refused.json()["detail"]
    assert _book(api, trainee, after).status_code == 201  # back to back is not an overlap


def test_an_overlap_refuses_joining_a_waitlist_too(lab, lab_manager, other_lab, other_lab_manager, trainee,
                                                   other_trainee):
    mine = make_session(lab, lab_manager, starts_at=when(hour=9), hours=3)
    full = make_session(other_lab, other_lab_manager, starts_at=when(hour=10), hours=1, seats=1)
    services.booking_create(trainee=other_trainee, session=full)
    services.booking_create(trainee=trainee, session=mine)
    with pytest.raises(Conflict):
        services.booking_create(trainee=trainee, session=full)


def test_cancelling_promotes_the_first_waitlisted_booking_and_notifies_it(api, lab, lab_manager, trainee,
                                                                         other_trainee, third_trainee,
                                                                         django_capture_on_commit_callbacks):
    session = make_session(lab, lab_manager, seats=1)
    mine = _book(api, trainee, session).json()
    first_waiting = _book(api, other_trainee, session).json()
    second_waiting = _book(api, third_trainee, session).json()
    assert [first_waiting["status"], second_waiting["status"]] == ["waitlisted", "waitlisted"]
    assert second_waiting["waitlist_position"] == 2

    with django_capture_on_commit_callbacks() as callbacks:
        response = api.as_user(trainee).post(f"/api/v1/bookings/{mine['id']}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    promoted = Booking.objects.get(pk=first_waiting["id"])
    assert promoted.status == BookingStatus.CONFIRMED and promoted.confirmed_at is not None
    assert Booking.objects.get(pk=second_waiting["id"]).status == BookingStatus.WAITLISTED
    session.refresh_from_db()
    assert session.seats_booked == 1
    note = Notification.objects.get(recipient=other_trainee, kind="labs.booking_promoted")
    assert note.idempotency_key == f"labs.booking_promoted:{promoted.pk}"
    assert "now confirmed" in note.body
    assert callbacks, "the e-mail is enqueued on commit (the outbox)"
    assert api.as_user(third_trainee).get(f"/api/v1/bookings/{second_waiting['id']}/").json()[
        "waitlist_position"] == 1


def test_leaving_the_waitlist_promotes_nobody(lab, lab_manager, trainee, other_trainee, third_trainee):
    session = make_session(lab, lab_manager, seats=1)
    services.booking_create(trainee=trainee, session=session)
    waiting = services.booking_create(trainee=other_trainee, session=session)
    services.booking_create(trainee=third_trainee, session=session)
    services.booking_cancel(actor=other_trainee, booking=waiting)
    assert not Notification.objects.filter(kind="labs.booking_promoted").exists()
    assert list(Booking.objects.filter(session=session).values_list("status", flat=True).order_by("id")) == [
        "confirmed", "cancelled", "waitlisted"]


def test_promotion_skips_a_trainee_who_now_holds_an_overlapping_place(lab, lab_manager, other_lab,
                                                                      other_lab_manager, trainee, other_trainee,
                                                                      third_trainee):
    full = make_session(lab, lab_manager, starts_at=when(hour=10), seats=1)
    elsewhere = make_session(other_lab, other_lab_manager, starts_at=when(hour=14), seats=1)
    holder = services.booking_create(trainee=trainee, session=full)
    services.booking_create(trainee=other_trainee, session=full)  # waitlisted first
    services.booking_create(trainee=third_trainee, session=full)  # waitlisted second
    # other_trainee cannot book an overlapping place, but a non-overlapping one is fine.
    services.booking_create(trainee=other_trainee, session=elsewhere)
    services.booking_cancel(actor=trainee, booking=holder)
    statuses = dict(Booking.objects.filter(session=full).values_list("trainee_id", "status"))
    assert statuses[other_trainee.pk] == BookingStatus.CONFIRMED  # no overlap: promoted
    assert statuses[third_trainee.pk] == BookingStatus.WAITLISTED


def test_cancellation_is_allowed_until_the_session_starts(api, lab, lab_manager, trainee):
    session = make_session(lab, lab_manager)
    booking = services.booking_create(trainee=trainee, session=session)
    with time_machine.travel(session.starts_at + datetime.timedelta(minutes=1), tick=False):
        response = api.as_user(trainee).post(f"/api/v1/bookings/{booking.pk}/cancel/")
        assert response.status_code == 409
        assert "only until it starts" in response.json()["detail"]
        assert api.as_user(trainee).post("/api/v1/bookings/", {"session": session.pk},
                                         format="json").status_code == 409
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_booking_a_started_or_cancelled_session_is_409(api, lab, lab_manager, trainee, other_trainee):
    session = make_session(lab, lab_manager)
    with time_machine.travel(session.starts_at, tick=False):
        assert _book(api, trainee, session).status_code == 409
    services.session_cancel(actor=lab_manager, session=session)
    assert _book(api, other_trainee, session).json() == {"detail": "This session is cancelled."}


def test_cancelling_twice_is_409_and_only_the_owner_cancels(api, session, trainee, other_trainee, lab_manager):
    booking = services.booking_create(trainee=trainee, session=session)
    assert api.as_user(other_trainee).post(f"/api/v1/bookings/{booking.pk}/cancel/").status_code == 404
    assert api.as_user(lab_manager).post(f"/api/v1/bookings/{booking.pk}/cancel/").status_code == 403
    assert api.as_user(trainee).post(f"/api/v1/bookings/{booking.pk}/cancel/").status_code == 200
    assert api.as_user(trainee).post(f"/api/v1/bookings/{booking.pk}/cancel/").status_code == 409
    with pytest.raises(NotPermitted):
        services.booking_cancel(actor=other_trainee, booking=booking)


# --- Prerequisites ---------------------------------------------------------------------------


@pytest.fixture
def literacy(admin):
    return make_pathway(admin, make_framework(admin))


@pytest.fixture
def console_practice(lab, lab_manager, literacy):
    module = literacy.modules.get(title="Platform e-learning")
    return make_session(lab, lab_manager, kind="console_practice", prerequisite=module)


def test_booking_without_the_prerequisite_module_is_refused_naming_what_is_missing(api, console_practice,
                                                                                   trainee, literacy):
    not_enrolled = _book(api, trainee, console_practice)
    assert not_enrolled.status_code == 400
    message = not_enrolled.json()["session"][0]
    assert "“Platform e-learning” of Robotic literacy" in message
    assert "an enrolment on the pathway Robotic literacy" in message

    curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=literacy, enrolled_on=days_ago(30))
    enrolled = _book(api, trainee, console_practice)
    assert enrolled.status_code == 400
    message = enrolled.json()["session"][0]
    assert "Still missing: Platform e-module: At least 1" in message
    assert "(0 of 1)" in message
    assert not Booking.objects.exists()


def test_booking_with_the_prerequisite_met_by_real_evidence(api, console_practice, trainee, literacy):
    curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=literacy, enrolled_on=days_ago(30))
    component = literacy.modules.get(title="Platform e-learning").components.get()
    curriculum.elearning_record(trainee=trainee, component=component, completed_on=days_ago(2),
                                provider="Intuitive Learning")
    response = _book(api, trainee, console_practice)
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "confirmed"


def test_module_check_counts_only_the_modules_requirements(trainee, literacy):
    from labs.prerequisites import module_check

    curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=literacy, enrolled_on=days_ago(30))
    component = literacy.modules.get(title="Platform e-learning").components.get()
    curriculum.elearning_record(trainee=trainee, component=component, completed_on=days_ago(2), provider="X")
    assert module_check(trainee=trainee, module=component.module).met
    skills = module_check(trainee=trainee, module=literacy.modules.get(title="Skills"))
    assert not skills.met and len(skills.missing) == 3


# --- Cancelling a session --------------------------------------------------------------------


def test_cancelling_a_session_cancels_every_booking_and_notifies_everyone(
        api, lab, lab_manager, faculty_trainer, trainee, other_trainee, third_trainee):
    session = make_session(lab, lab_manager, seats=2, faculty=[faculty_trainer])
    bookings = [services.booking_create(trainee=t, session=session) for t in (trainee, other_trainee, third_trainee)]
    assert [b.status for b in bookings] == ["confirmed", "confirmed", "waitlisted"]
    response = api.as_user(lab_manager).post(f"/api/v1/lab-sessions/{session.pk}/cancel/",
                                             {"reason": "The simulator is being serviced."}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["seats_booked"]) == ("cancelled", 0)
    assert set(Booking.objects.filter(session=session).values_list("status", flat=True)) == {"cancelled"}
    notified = set(Notification.objects.filter(kind="labs.session_cancelled").values_list("recipient_id", flat=True))
    assert notified == {trainee.pk, other_trainee.pk, third_trainee.pk, faculty_trainer.pk}
    body = Notification.objects.get(recipient=third_trainee, kind="labs.session_cancelled").body
    assert "place on the waitlist" in body and "The simulator is being serviced." in body
    # A second cancel is a 409; no promotion ever happens on a cancelled session.
    assert api.as_user(lab_manager).post(f"/api/v1/lab-sessions/{session.pk}/cancel/").status_code == 409
    assert not Notification.objects.filter(kind="labs.booking_promoted").exists()


def test_only_the_labs_managers_cancel_a_session_and_only_before_it_starts(api, session, other_lab_manager,
                                                                          trainee, lab_manager):
    assert api.as_user(other_lab_manager).post(f"/api/v1/lab-sessions/{session.pk}/cancel/").status_code == 403
    assert api.as_user(trainee).post(f"/api/v1/lab-sessions/{session.pk}/cancel/").status_code == 403
    with time_machine.travel(session.starts_at, tick=False):
        assert api.as_user(lab_manager).post(f"/api/v1/lab-sessions/{session.pk}/cancel/").status_code == 409
    assert LabSession.objects.get(pk=session.pk).status == "scheduled"


def test_the_seat_counter_cannot_exceed_the_seats_in_the_database(session):
    with pytest.raises(IntegrityError), transaction.atomic():
        LabSession.objects.filter(pk=session.pk).unaudited_update("test setup", seats_booked=session.seats + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LabSession.objects.filter(pk=session.pk).unaudited_update("test setup", seats_booked=-1)


def test_only_trainees_book(session, lab_manager):
    with pytest.raises(NotPermitted):
        services.booking_create(trainee=lab_manager, session=session)
    with pytest.raises(ApplicationError):
        services.booking_create(trainee=lab_manager, session=session)
