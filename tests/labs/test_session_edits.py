"""Editing a scheduled session: the lab's managers change time, seats, faculty, equipment and
component through `labs.services.session_update`; bookings stay, seats never drop below the
confirmed places, more seats fill from the waitlist in order, a new time is told once."""

import datetime

import pytest

from labs import services
from labs.models import BookingStatus, EquipmentStatus
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.notifications.models import Notification
from tests.builders.labs import make_session, when

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_session(lab, lab_manager, trainee, other_trainee, third_trainee):
    """2 seats, both confirmed; third_trainee on the waitlist."""
    session = make_session(lab, lab_manager, seats=2)
    for person in (trainee, other_trainee, third_trainee):
        services.booking_create(trainee=person, session=session)
    return session


def _statuses(session) -> dict:
    return {b.trainee.full_name: b.status for b in session.bookings.select_related("trainee")}


def test_seats_below_the_confirmed_places_are_refused_with_the_count(full_session, lab_manager):
    with pytest.raises(ApplicationError) as refused:
        services.session_update(actor=lab_manager, session=full_session, seats=1)
    assert refused.value.errors["seats"] == [
        "2 trainees have a confirmed place: offer at least 2 seats, or cancel places first."]
    full_session.refresh_from_db()
    assert full_session.seats == 2


def test_more_seats_fill_from_the_waitlist_in_order(full_session, lab_manager, third_trainee):
    changed = services.session_update(actor=lab_manager, session=full_session, seats=4)
    assert changed.seats == 4 and changed.seats_booked == 3
    assert full_session.bookings.get(trainee=third_trainee).status == BookingStatus.CONFIRMED
    assert Notification.objects.filter(recipient=third_trainee, kind="labs.booking_promoted").count() == 1
    entry = AuditEntry.objects.filter(action="labs.session.update").get()
    assert entry.before["seats"] == 2 and entry.after["seats"] == 4 and len(entry.after["promoted"]) == 1


def test_a_new_time_is_told_once_to_everyone_booked_and_waitlisted(full_session, lab_manager, trainee,
                                                                   other_trainee, third_trainee, faculty_trainer):
    before = _statuses(full_session)
    later = when(hour=14)
    for _twice in range(2):
        services.session_update(actor=lab_manager, session=full_session, starts_at=later,
                                ends_at=later + datetime.timedelta(hours=2), faculty=[faculty_trainer])
    full_session.refresh_from_db()
    assert full_session.starts_at == later and _statuses(full_session) == before  # the waitlist order is kept
    told = Notification.objects.filter(kind="labs.session_moved")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [trainee.pk, other_trainee.pk, third_trainee.pk, faculty_trainer.pk])
    body = told.get(recipient=third_trainee).body
    assert "waitlist" in body and "10:00-12:00" in body and "14:00-16:00" in body
    assert AuditEntry.objects.filter(action="labs.session.update").count() == 2


def test_unchanged_time_tells_nobody(full_session, lab_manager):
    services.session_update(actor=lab_manager, session=full_session, seats=3)
    assert not Notification.objects.filter(kind="labs.session_moved").exists()


def test_the_scheduling_rules_hold_for_the_new_values(session, lab, lab_manager, simulators, assigned_trainer,
                                                      other_lab_manager):
    with pytest.raises(ApplicationError) as refused:
        services.session_update(actor=lab_manager, session=session, starts_at=when(hour=19),
                                ends_at=when(hour=20), seats=5, equipment=[simulators])
    errors = refused.value.errors
    assert "is open 08:00-18:00" in errors["starts_at"][0]
    assert "at most 2 seats" in errors["seats"][0]
    # The other session on the same kit clashes; the session's own booking of it does not.
    make_session(lab, lab_manager, starts_at=when(weekday=2), seats=2, equipment=[simulators])
    services.session_update(actor=lab_manager, session=session, seats=2, equipment=[simulators])
    with pytest.raises(ApplicationError) as clash:
        services.session_update(actor=lab_manager, session=session, starts_at=when(weekday=2),
                                ends_at=when(weekday=2, hour=12))
    assert "already in use" in clash.value.errors["equipment"][0]
    services.equipment_set_status(actor=lab_manager, equipment=simulators, status=EquipmentStatus.OUT_OF_SERVICE)
    with pytest.raises(ApplicationError) as broken:
        services.session_update(actor=lab_manager, session=session, equipment=[simulators])
    assert "Out of service" in broken.value.errors["equipment"][0]
    with pytest.raises(NotPermitted):
        services.session_update(actor=other_lab_manager, session=session, seats=3)


def test_a_cancelled_or_started_session_is_a_conflict(session, lab_manager):
    with pytest.raises(Conflict):
        services.session_update(actor=lab_manager, session=session, seats=4,
                                now=session.starts_at + datetime.timedelta(minutes=1))
    services.session_cancel(actor=lab_manager, session=session)
    with pytest.raises(Conflict):
        services.session_update(actor=lab_manager, session=session, seats=4)


def test_the_edit_page_both_ways(client, full_session, lab_manager, other_lab_manager, trainee):
    url = f"/labs/sessions/{full_session.pk}/edit/"
    client.force_login(trainee)
    assert client.get(url).status_code == 403
    assert f"/labs/sessions/{full_session.pk}/edit/" not in client.get(f"/labs/sessions/{full_session.pk}/").content.decode()
    client.force_login(other_lab_manager)
    assert client.get(url).status_code == 403
    client.force_login(lab_manager)
    assert url in client.get(f"/labs/sessions/{full_session.pk}/").content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "2 confirmed places" in page.content.decode()
    day = when().date().isoformat()
    refused = client.post(url, {"date": day, "starts": "10:00", "ends": "12:00", "seats": "1"})
    html = refused.content.decode()
    assert refused.status_code == 400 and "nhsuk-error-summary" in html and "offer at least 2 seats" in html
    moved = client.post(url, {"date": day, "starts": "13:00", "ends": "15:00", "seats": "3"})
    assert moved.status_code == 302
    full_session.refresh_from_db()
    assert full_session.seats == 3 and full_session.seats_booked == 3
    assert Notification.objects.filter(kind="labs.session_moved").count() == 3


def test_the_api_patch(api, full_session, lab_manager, other_lab_manager, trainee):
    url = f"/api/v1/lab-sessions/{full_session.pk}/"
    assert api.as_user(trainee).patch(url, {"seats": 5}, format="json").status_code == 403
    assert api.as_user(other_lab_manager).patch(url, {"seats": 5}, format="json").status_code == 403
    client = api.as_user(lab_manager)
    refused = client.patch(url, {"seats": 1}, format="json")
    assert refused.status_code == 400 and "offer at least 2 seats" in refused.json()["seats"][0]
    changed = client.patch(url, {"seats": 3}, format="json")
    assert changed.status_code == 200 and changed.json()["seats"] == 3
    services.session_cancel(actor=lab_manager, session=full_session)
    assert client.patch(url, {"seats": 4}, format="json").status_code == 409
