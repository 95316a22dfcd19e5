"""The labs' web pages: directory, calendar, booking without JavaScript, my bookings, and
the managers' pages for equipment, sessions and attendance."""

import datetime
import re

import pytest
import time_machine

from labs import services
from labs.models import Booking, BookingStatus, Equipment, LabSession
from tests.builders.curriculum import make_framework, make_pathway
from tests.builders.labs import book_in_past, make_session, when
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode()


def _no_inline_code(html: str) -> None:
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs and not body.strip(), "inline script"
    assert "style=" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_the_nav_links_by_role(client, trainee, lab_manager, assigned_trainer, lead):
    client.force_login(trainee)
    html = _html(client.get("/"))
    assert "/labs/" in html and "/labs/bookings/" in html and "/labs/manage/" not in html
    client.force_login(lab_manager)
    html = _html(client.get("/"))
    assert "/labs/manage/" in html and "/labs/bookings/" not in html
    client.force_login(assigned_trainer)
    html = _html(client.get("/"))
    assert "Skills labs" in html and "/labs/manage/" not in html
    login_verified(client, lead)
    assert "/labs/capacity/" in _html(client.get("/"))


def test_the_directory_lists_labs_by_region(client, trainee, lab, other_lab):
    client.force_login(trainee)
    response = client.get("/labs/")
    html = _html(response)
    assert response.status_code == 200
    assert html.index("London") < html.index(lab.name) < html.index("North West") < html.index(other_lab.name)
    assert "Mon 08:00–18:00" in html
    _no_inline_code(html)
    detail = client.get(f"/labs/{lab.pk}/")
    assert detail.status_code == 200 and "Manage sessions" not in _html(detail)
    assert client.get("/labs/999999/").status_code == 404


def test_the_week_calendar_shows_seats_left_and_moves_by_week(client, trainee, other_trainee, lab, lab_manager):
    session = make_session(lab, lab_manager, seats=2, title="Suturing on the simulator")
    services.booking_create(trainee=other_trainee, session=session)
    client.force_login(trainee)
    week = f"{session.starts_at:%G-W%V}"
    response = client.get(f"/labs/calendar/?week={week}")
    html = _html(response)
    assert response.status_code == 200
    assert "Suturing on the simulator" in html and "1 of 2 seats left" in html
    assert f'action="/labs/sessions/{session.pk}/book/"' in html
    monday = datetime.date.fromisocalendar(*map(int, week.split("-W")), 1)
    previous = monday - datetime.timedelta(days=7)
    assert f"week={previous:%G-W%V}" in html
    assert f"week={monday + datetime.timedelta(days=7):%G-W%V}" in html
    _no_inline_code(html)
    # ?start= any day of the week shows the same week; another week does not show it.
    assert "Suturing on the simulator" in _html(client.get(f"/labs/calendar/?start={monday + datetime.timedelta(days=3)}"))
    assert "Suturing on the simulator" not in _html(client.get(f"/labs/calendar/?week={previous:%G-W%V}"))
    # A bad week falls back to this week rather than failing.
    assert client.get("/labs/calendar/?week=garbage").status_code == 200
    assert "Suturing" in _html(client.get(f"/labs/calendar/?week={week}&lab={lab.pk}"))


def test_booking_joining_the_waitlist_and_cancelling_work_without_javascript(client, trainee, other_trainee,
                                                                            lab, lab_manager):
    session = make_session(lab, lab_manager, seats=1)
    client.force_login(trainee)
    calendar = f"/labs/calendar/?week={session.starts_at:%G-W%V}"
    response = client.post(f"/labs/sessions/{session.pk}/book/", {"next": calendar})
    assert response.status_code == 302 and response["Location"] == calendar
    assert Booking.objects.get(trainee=trainee).status == BookingStatus.CONFIRMED
    assert "Booked" in _html(client.get(calendar))

    client.force_login(other_trainee)
    assert "Join the waitlist" in _html(client.get(calendar))
    client.post(f"/labs/sessions/{session.pk}/book/", {"next": "https://evil.example.org/"})
    waiting = Booking.objects.get(trainee=other_trainee)
    assert waiting.status == BookingStatus.WAITLISTED
    again = client.post(f"/labs/sessions/{session.pk}/book/")
    assert again.status_code == 409 and "You already have a booking" in _html(again)

    client.force_login(trainee)
    mine = Booking.objects.get(trainee=trainee)
    page = client.get("/labs/bookings/")
    assert page.status_code == 200 and f"/labs/bookings/{mine.pk}/cancel/" in _html(page)
    check = client.post(f"/labs/bookings/{mine.pk}/cancel/")  # someone waits: asked first
    assert check.status_code == 200 and "yours goes to the next of them" in _html(check)
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.WAITLISTED
    assert client.post(f"/labs/bookings/{mine.pk}/cancel/", {"confirmed": "yes"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CONFIRMED
    client.force_login(other_trainee)
    assert client.post(f"/labs/bookings/{mine.pk}/cancel/").status_code == 404  # not theirs


def test_a_refused_booking_shows_what_is_missing(client, admin, trainee, lab, lab_manager):
    pathway = make_pathway(admin, make_framework(admin))
    session = make_session(lab, lab_manager, kind="console_practice",
                           prerequisite=pathway.modules.get(title="Platform e-learning"))
    client.force_login(trainee)
    response = client.post(f"/labs/sessions/{session.pk}/book/")
    assert response.status_code == 400
    assert "Platform e-learning" in _html(response) and "There is a problem" in _html(response)


def test_my_bookings_is_for_trainees(client, lab_manager):
    client.force_login(lab_manager)
    assert client.get("/labs/bookings/").status_code == 403


def test_a_manager_runs_sessions_and_attendance_from_the_pages(client, lab, lab_manager, trainee, simulators,
                                                               faculty_trainer):
    client.force_login(lab_manager)
    assert client.get("/labs/manage/").status_code == 200
    assert lab.name in _html(client.get("/labs/manage/"))
    form = client.get(f"/labs/{lab.pk}/sessions/new/")
    assert form.status_code == 200 and "da Vinci SimNow" in _html(form)
    _no_inline_code(_html(form))
    day = when(weeks=2).date()
    data = {"kind": "simulation", "date": day.isoformat(), "starts": "09:00", "ends": "11:00", "seats": "2",
            "equipment": [simulators.pk], "faculty": [faculty_trainer.pk], "title": "Page-made session"}
    outside = client.post(f"/labs/{lab.pk}/sessions/new/", {**data, "starts": "06:00"})
    assert outside.status_code == 400 and "open 08:00-18:00" in _html(outside)
    too_many = client.post(f"/labs/{lab.pk}/sessions/new/", {**data, "seats": "5"})
    assert too_many.status_code == 400 and "at most 2 seat" in _html(too_many)
    created = client.post(f"/labs/{lab.pk}/sessions/new/", data)
    assert created.status_code == 302
    session = LabSession.objects.get(title="Page-made session")
    assert list(session.faculty.all()) == [faculty_trainer]
    assert "Page-made session" in _html(client.get(f"/labs/{lab.pk}/sessions/"))

    booking = services.booking_create(trainee=trainee, session=session)
    page = client.get(f"/labs/sessions/{session.pk}/")
    assert trainee.full_name in _html(page) and "After it starts" in _html(page)
    assert client.post(f"/labs/bookings/{booking.pk}/attendance/", {"attendance": "attended"}).status_code == 409
    with time_machine.travel(session.starts_at + datetime.timedelta(minutes=10), tick=False):
        client.force_login(lab_manager)  # the sign-in of two weeks ago has expired by then
        check = client.post(f"/labs/bookings/{booking.pk}/attendance/", {"attendance": "no_show"})
        assert check.status_code == 200 and "Did not attend" in check.content.decode()
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED  # asked first
        response = client.post(f"/labs/bookings/{booking.pk}/attendance/",
                               {"attendance": "no_show", "confirmed": "yes"})
        assert response.status_code == 302 and response["Location"].startswith(f"/labs/sessions/{session.pk}/")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.NO_SHOW


def test_the_sessions_faculty_marks_attendance_on_the_page(client, lab, lab_manager, trainee, faculty_trainer):
    session = make_session(lab, lab_manager, starts_at=when(weeks=-1), faculty=[faculty_trainer])
    booking = book_in_past(trainee, session)
    client.force_login(faculty_trainer)
    page = client.get(f"/labs/sessions/{session.pk}/")
    assert "Did not attend" in _html(page)
    assert "Sessions you teach" not in _html(client.get("/labs/"))  # only upcoming ones are listed
    assert client.post(f"/labs/bookings/{booking.pk}/attendance/",
                       {"attendance": "attended", "confirmed": "yes"}).status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.ATTENDED


def test_a_manager_cancels_a_session_from_its_page(client, session, lab_manager, trainee):
    services.booking_create(trainee=trainee, session=session)
    client.force_login(lab_manager)
    assert "Cancel the session" in _html(client.get(f"/labs/sessions/{session.pk}/"))
    response = client.post(f"/labs/sessions/{session.pk}/cancel/", {"reason": "Fire drill in the building."})
    assert response.status_code == 302
    assert LabSession.objects.get(pk=session.pk).is_cancelled
    assert Booking.objects.get(trainee=trainee).status == BookingStatus.CANCELLED


def test_equipment_page(client, lab, lab_manager, simulators):
    client.force_login(lab_manager)
    page = client.get(f"/labs/{lab.pk}/equipment/")
    assert page.status_code == 200 and "da Vinci SimNow" in _html(page)
    _no_inline_code(_html(page))
    added = client.post(f"/labs/{lab.pk}/equipment/", {"kind": "wet_lab_station", "model": "Wet-lab bench",
                                                       "count": "3", "notes": ""})
    assert added.status_code == 302
    assert Equipment.objects.filter(lab=lab, model="Wet-lab bench", count=3).exists()
    bad = client.post(f"/labs/{lab.pk}/equipment/", {"kind": "wet_lab_station", "model": "", "count": "0"})
    assert bad.status_code == 400
    assert client.post(f"/labs/equipment/{simulators.pk}/", {"status": "out_of_service", "count": "2"}
                       ).status_code == 302
    simulators.refresh_from_db()
    assert simulators.status == "out_of_service"


@pytest.mark.parametrize(("persona", "code"), [("other_lab_manager", 403), ("trainee", 403), ("admin", 403)])
def test_managers_pages_are_for_the_labs_own_managers(client, request, lab, simulators, session, persona, code):
    user = request.getfixturevalue(persona)
    login_verified(client, user) if persona == "admin" else client.force_login(user)
    for path in (f"/labs/{lab.pk}/equipment/", f"/labs/{lab.pk}/sessions/", f"/labs/{lab.pk}/sessions/new/"):
        assert client.get(path).status_code == code, path
    assert client.post(f"/labs/equipment/{simulators.pk}/", {"status": "out_of_service"}).status_code == code
    assert client.post(f"/labs/sessions/{session.pk}/cancel/").status_code == code
    assert client.get("/labs/999999/sessions/").status_code == 404


def test_another_labs_bookings_are_not_found_on_the_pages(client, session, trainee, other_lab_manager):
    booking = services.booking_create(trainee=trainee, session=session)
    client.force_login(other_lab_manager)
    assert client.post(f"/labs/bookings/{booking.pk}/attendance/", {"attendance": "attended"}).status_code == 404
    assert trainee.full_name not in _html(client.get(f"/labs/sessions/{session.pk}/"))


def test_the_session_form_reports_every_error_at_once(client, lab, lab_manager, simulators):
    """The form's own refusals (no seats) and the service's (a day already past, equipment
    too small) on one page, at the top and by their fields; nothing is scheduled."""
    client.force_login(lab_manager)
    past = (when(weeks=-1)).date()
    data = {"kind": "simulation", "date": past.isoformat(), "starts": "09:00", "ends": "11:00", "seats": "",
            "equipment": [simulators.pk], "title": "Never made"}
    response = client.post(f"/labs/{lab.pk}/sessions/new/", data)
    html = _html(response)
    assert response.status_code == 400 and "There is a problem" in html
    summary = html.split('class="nhsuk-error-summary"')[1].split("</ul>")[0]
    assert 'href="#id_seats"' in summary and 'href="#id_starts"' in summary
    assert "A session must start in the future." in summary
    assert not LabSession.objects.filter(title="Never made").exists()
    # The service's check also runs when only the form's text rules refuse.
    long_title = {**data, "date": when(weeks=2).date().isoformat(), "seats": "5", "title": "x" * 201}
    html = _html(client.post(f"/labs/{lab.pk}/sessions/new/", long_title))
    summary = html.split('class="nhsuk-error-summary"')[1].split("</ul>")[0]
    assert "at most 2 seat" in summary and 'href="#id_title"' in summary
    assert not LabSession.objects.exists()


def test_a_refusal_told_after_a_redirect_is_an_error_summary_at_the_top(client, lab, lab_manager, simulators):
    client.force_login(lab_manager)
    from django.urls import reverse

    response = client.post(reverse("labs:equipment-update", args=[simulators.pk]), {"status": "broken-ish"},
                           follow=True)
    html = _html(response)
    assert response.redirect_chain and response.status_code == 200
    summary = html.split("data-message-error")[1].split("</div>\n      </div>")[0]
    assert "There is a problem" in summary and "Choose a status and a number of units." in summary
    # Before the page's own heading: at the top.
    assert html.index("data-message-error") < html.index("<h1")
