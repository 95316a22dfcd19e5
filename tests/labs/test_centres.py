"""Accredited centres and courses: accreditation (three years by default), annual returns
against criteria as data, reminders before expiry sent exactly once, feedback in aggregate
only, and a requirement that asks for a course from an accredited provider."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from curriculum import services as curriculum
from curriculum.progress import progress_for
from labs import services
from labs.centres import feedback
from labs.centres import services as centres
from labs.centres.models import AccreditationScheme, AnnualReturn, Feedback
from labs.centres.workflows import centre_reminders_send
from rastrack.accounts.roles import Role
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from rastrack.notifications.models import Notification
from tests.builders.curriculum import make_framework
from tests.builders.dates import days_ago
from tests.builders.labs import book_in_past, make_session, when
from tests.builders.people import UserFactory
from tests.support.mfa import login_verified

pytestmark = pytest.mark.django_db

ERUS = "erus-host-centre"


@pytest.fixture
def centre(admin, lab):
    return centres.centre_create(actor=admin, name="London Robotic Training Centre", lab=lab)


@pytest.fixture
def hospital(admin, london_site, unassigned_trainer):
    return centres.centre_create(actor=admin, name="St Thomas' Robotic Centre", site=london_site,
                                 leads=[unassigned_trainer])


def _grant(admin, centre, on=datetime.date(2026, 1, 15), scheme=ERUS, **kwargs):
    return centres.centre_accreditation_grant(actor=admin, scheme=AccreditationScheme.objects.get(code=scheme),
                                              centre=centre, accredited_on=on, **kwargs)


def test_a_centre_is_a_lab_or_a_hospital_and_only_programme_admins_add_one(admin, lab, lab_manager, london_site):
    with pytest.raises(NotPermitted):
        centres.centre_create(actor=lab_manager, name="Mine", lab=lab)
    with pytest.raises(ApplicationError) as exc:
        centres.centre_create(actor=admin, name="Both", lab=lab, site=london_site)
    assert "lab" in exc.value.errors
    centre = centres.centre_create(actor=admin, name="Lab centre", lab=lab)
    assert (centre.kind, centre.region_id) == ("lab", lab.region_id)
    with pytest.raises(Conflict):
        centres.centre_create(actor=admin, name="Again", lab=lab)


def test_accreditation_lasts_three_years_by_default_with_an_annual_return_each_year(admin, centre, lab_manager):
    with pytest.raises(NotPermitted):
        _grant(lab_manager, centre)
    accreditation = _grant(admin, centre)
    assert accreditation.expires_on == datetime.date(2029, 1, 14)
    assert list(accreditation.annual_returns.values_list("year", "due_on", "status")) == [
        (1, datetime.date(2027, 1, 15), "due"), (2, datetime.date(2028, 1, 15), "due")]
    with pytest.raises(Conflict):
        _grant(admin, centre, on=datetime.date(2027, 6, 1))
    with pytest.raises(ApplicationError) as exc:  # a course scheme does not accredit a centre
        _grant(admin, centre, scheme="rcs-accredited-course")
    assert "scheme" in exc.value.errors
    shorter = _grant(admin, centre, scheme="skills-lab-centre", expires_on=datetime.date(2026, 12, 31))
    assert shorter.expires_on == datetime.date(2026, 12, 31) and not shorter.annual_returns.exists()


def test_an_annual_return_is_checked_against_the_criteria_and_reviewed_by_a_programme_admin(
        api, admin, centre, lab_manager, other_lab_manager, lead, other_lead, trainee):
    annual_return = _grant(admin, centre).annual_returns.get(year=1)
    url = f"/api/v1/annual-returns/{annual_return.pk}/"
    # Readers: the centre's leads (its lab's managers), its regional lead, programme admins.
    for person, code in ((lab_manager, 200), (lead, 200), (admin, 200), (other_lab_manager, 404),
                         (other_lead, 404), (trainee, 404)):
        assert api.as_user(person).get(url).status_code == code, person
    figures = {"surgeons_over_250_cases": 1, "accredited_trainers": 3}
    # A figure the criteria name is missing: 400 on figures, nothing changes.
    missing = api.as_user(lab_manager).post(url + "submit/", {"figures": figures}, format="json")
    assert missing.status_code == 400 and "figures" in missing.json()
    figures["robotic_systems"] = 2
    assert api.as_user(lead).post(url + "submit/", {"figures": figures}, format="json").status_code == 403
    response = api.as_user(lab_manager).post(url + "submit/", {"figures": figures, "narrative": "A good year."},
                                             format="json")
    assert response.status_code == 200, response.json()
    criteria = {row["figure"]: row["met"] for row in response.json()["criteria"]}
    assert criteria == {"surgeons_over_250_cases": False, "accredited_trainers": True, "robotic_systems": True}
    assert api.as_user(lab_manager).post(url + "review/", {"decision": "accepted"}).status_code == 403
    returned = api.as_user(admin).post(url + "review/", {"decision": "returned", "note": ""}, format="json")
    assert returned.status_code == 400 and "note" in returned.json()
    returned = api.as_user(admin).post(url + "review/", {"decision": "returned", "note": "Two surgeons needed."},
                                       format="json")
    assert returned.json()["status"] == "returned"
    figures["surgeons_over_250_cases"] = 2
    again = api.as_user(lab_manager).post(url + "submit/", {"figures": figures}, format="json")
    assert all(row["met"] for row in again.json()["criteria"])
    assert api.as_user(admin).post(url + "review/", {"decision": "accepted"}).json()["status"] == "accepted"
    assert api.as_user(lab_manager).post(url + "submit/", {"figures": figures}, format="json").status_code == 409


def test_criteria_are_data(admin, centre):
    scheme = AccreditationScheme.objects.get(code=ERUS)
    criterion = scheme.criteria.get(figure="surgeons_over_250_cases")
    assert (criterion.minimum, criterion.description) == (
        2, "At least two robotic surgeons with more than 250 console cases")
    criterion.minimum = 3
    criterion.save()
    annual_return = _grant(admin, centre).annual_returns.get(year=1)
    lead = centre.lab.managers.get()
    centres.annual_return_submit(actor=lead, annual_return=annual_return, figures={
        "surgeons_over_250_cases": 2, "accredited_trainers": 1, "robotic_systems": 1})
    from labs.centres.criteria import criteria_check
    assert not criteria_check(scheme, AnnualReturn.objects.get(pk=annual_return.pk).figures)[0]["met"]


def _notes(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_an_expiry_reminder_goes_once_when_its_notice_period_starts(settings, admin, hospital,
                                                                     unassigned_trainer, lead):
    days = 180
    settings.CENTRE_ACCREDITATION_NOTICE_DAYS = [180, 60]
    accreditation = _grant(admin, hospital, on=datetime.date(2026, 1, 15))  # last day 14 January 2029
    for annual in accreditation.annual_returns.all():  # returns out of the way: only expiry here
        centres.annual_return_submit(actor=unassigned_trainer, annual_return=annual, figures={
            "surgeons_over_250_cases": 2, "accredited_trainers": 1, "robotic_systems": 1})
    expires = accreditation.expires_on
    with time_machine.travel(datetime.datetime(2028, 1, 1, 9, tzinfo=datetime.UTC)):
        assert centre_reminders_send(today=expires - datetime.timedelta(days=days + 1)) == 0
    for offset in (days, days, days - 1, days - 5):  # the day it starts, again, and days later
        with time_machine.travel(datetime.datetime(2028, 6, 1, 9, tzinfo=datetime.UTC)):
            centre_reminders_send(today=expires - datetime.timedelta(days=offset))
    # The centre's lead and the region's lead, once each for this notice period.
    assert _notes("centre_accreditation.expiring") == sorted([unassigned_trainer.pk, lead.pk])


def test_both_notice_periods_and_the_annual_return_reminder_each_go_exactly_once(
        settings, admin, hospital, unassigned_trainer, lead):
    settings.CENTRE_ACCREDITATION_NOTICE_DAYS = [180, 60]
    settings.ANNUAL_RETURN_NOTICE_DAYS = 30
    accreditation = _grant(admin, hospital, on=datetime.date(2026, 1, 15))
    start = datetime.date(2026, 12, 1)
    sent = 0
    for n in range((accreditation.expires_on - start).days + 2):  # every day up to after the expiry
        day = start + datetime.timedelta(days=n)
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)):
            first = centre_reminders_send(today=day)
            # Beat twice by mistake on a day something went: nothing goes again.
            again = centre_reminders_send(today=day) if first else 0
            sent += first + again
    # Two returns, each due (one reminder) then overdue (one more), to the centre's lead only;
    # two expiry notices to the lead and the regional lead.
    assert _notes("annual_return.due") == [unassigned_trainer.pk] * 4
    assert _notes("centre_accreditation.expiring") == sorted([unassigned_trainer.pk, lead.pk] * 2)
    assert sent == 8


def test_the_beat_schedule_runs_the_centre_reminders(settings):
    assert settings.CELERY_BEAT_SCHEDULE["labs-centre-reminders"]["task"] == "labs.centre_reminders"


# --- Feedback -------------------------------------------------------------------------------


def _rate(trainee, **kwargs):
    values = {"overall": 4, "content": 5, "faculty": 4, "facilities": 3, "would_recommend": True}
    values.update(kwargs)
    return feedback.feedback_give(trainee=trainee, **values)


def test_feedback_needs_an_attended_session_and_is_given_once(lab, lab_manager, trainee, other_trainee):
    session = make_session(lab, lab_manager, starts_at=when(weeks=-1))
    with pytest.raises(ApplicationError):
        _rate(trainee, session=session)
    booking = book_in_past(trainee, session)
    services.booking_mark_attendance(actor=lab_manager, booking=booking, attended=True)
    with pytest.raises(ApplicationError) as exc:
        _rate(trainee, session=session, overall=6)
    assert "overall" in exc.value.errors
    _rate(trainee, session=session)
    with pytest.raises(Conflict):
        _rate(trainee, session=session)
    with pytest.raises(NotPermitted):
        _rate(lab_manager, session=session)


def test_feedback_is_shown_only_in_aggregate_and_only_above_the_minimum(
        api, settings, admin, centre, lab, lab_manager, other_lab_manager, lead, other_lead, london):
    settings.FEEDBACK_MIN_RESPONSES = 3
    session = make_session(lab, lab_manager, starts_at=when(weeks=-1), seats=5)
    course = centres.course_create(actor=lab_manager, centre=centre, title="Console skills course",
                                   kind="platform", platform="davinci_xi", sessions=[session])
    people = [UserFactory(roles=[Role.TRAINEE], region=london) for _ in range(3)]
    for n, person in enumerate(people):
        services.booking_mark_attendance(actor=lab_manager, booking=book_in_past(person, session), attended=True)
        _rate(person, course=course, overall=3 + n, comment=f"Comment {n}", would_recommend=n > 0)
        if n == 1:
            url = f"/api/v1/centres/{centre.pk}/feedback/"
            below = api.as_user(lab_manager).get(url).json()["courses"][0]
            assert below == {"course": course.pk, "title": course.title, "responses": 2, "shown": False,
                             "minimum_responses": 3, "overall": None, "content": None, "faculty": None,
                             "facilities": None, "would_recommend_percent": None}
    summary = api.as_user(lead).get(f"/api/v1/centres/{centre.pk}/feedback/").json()
    assert summary["courses"][0]["overall"] == "4.0" and summary["courses"][0]["would_recommend_percent"] == 67
    assert "Comment" not in str(summary)
    assert set(summary["courses"][0]) == {"course", "title", "responses", "shown", "minimum_responses", "overall",
                                          "content", "faculty", "facilities", "would_recommend_percent"}
    for person, code in ((admin, 200), (other_lead, 403), (other_lab_manager, 403), (people[0], 403)):
        assert api.as_user(person).get(f"/api/v1/centres/{centre.pk}/feedback/").status_code == code
    # A trainee's own feedback, and only theirs.
    mine = api.as_user(people[0]).get("/api/v1/feedback/").json()
    assert [row["overall"] for row in mine["results"]] == [3]
    assert Feedback.objects.count() == 3


# --- A requirement for a course from an accredited provider -----------------------------------


@pytest.fixture
def course_pathway(admin):
    pathway = curriculum.pathway_create(actor=admin, code="trainer-path", title="Trainer pathway",
                                        audience="trainee", framework=make_framework(admin), self_enrol=True)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Teaching")
    component = curriculum.component_create(actor=admin, module=module, title="Train-the-trainer course",
                                            kind="assessment")
    curriculum.requirement_create(actor=admin, component=component, type="accredited_course", params={"count": 1})
    with pytest.raises(ApplicationError) as exc:
        curriculum.requirement_create(actor=admin, component=component, type="accredited_course",
                                      params={"count": 0})
    assert "count" in exc.value.errors
    return curriculum.pathway_publish(actor=admin, pathway=pathway)


def test_a_requirement_counts_only_courses_from_an_accredited_provider(
        admin, centre, lab, lab_manager, trainee, course_pathway):
    session = make_session(lab, lab_manager, starts_at=when(weeks=-1), kind="train_the_trainer")
    course = centres.course_create(actor=admin, centre=centre, title="Train the trainer", kind="train_the_trainer",
                                   sessions=[session])
    services.booking_mark_attendance(actor=lab_manager, booking=book_in_past(trainee, session), attended=True)
    enrolment = curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=course_pathway,
                                            enrolled_on=days_ago(60))

    def item():
        return next(i for i in progress_for(enrolment).requirements if i.requirement.type == "accredited_course")

    assert not item().met  # the centre is not accredited
    day = timezone.localtime(session.starts_at).date()
    _grant(admin, centre, on=day - datetime.timedelta(days=30), scheme="skills-lab-centre")
    met = item()
    assert met.met and met.evidence[0].label == f"Train the trainer, {centre.name}"
    from curriculum.rules import requirement_description
    assert requirement_description(met.requirement) == "At least 1 course from an accredited provider"
    assert course.pk == met.evidence[0].id


# --- Pages ----------------------------------------------------------------------------------


def test_centre_pages_show_returns_and_feedback_only_to_their_readers(
        client, admin, centre, lab_manager, other_lab_manager, trainee):
    annual = _grant(admin, centre, on=datetime.date(2026, 1, 15)).annual_returns.get(year=1)
    client.force_login(trainee)
    assert client.get("/labs/centres/").status_code == 200
    page = client.get(f"/labs/centres/{centre.pk}/").content.decode()
    assert "ERUS-style robotic host centre" in page and "Annual returns" not in page
    assert client.get(f"/labs/annual-returns/{annual.pk}/").status_code == 404
    client.force_login(lab_manager)
    page = client.get(f"/labs/centres/{centre.pk}/").content.decode()
    assert "Annual returns" in page and "Shown from 5 answers" in page
    bad = client.post(f"/labs/annual-returns/{annual.pk}/", {"surgeons_over_250_cases": "x"})
    assert bad.status_code == 400 and "There is a problem" in bad.content.decode()
    good = client.post(f"/labs/annual-returns/{annual.pk}/", {
        "surgeons_over_250_cases": "2", "accredited_trainers": "1", "robotic_systems": "1", "narrative": "Fine."})
    assert good.status_code == 302
    assert AnnualReturn.objects.get(pk=annual.pk).status == "submitted"
    login_verified(client, admin)
    assert client.post(f"/labs/annual-returns/{annual.pk}/", {"decision": "accepted"}).status_code == 302
    assert AnnualReturn.objects.get(pk=annual.pk).status == "accepted"
