"""Team sessions: seats by team role, bookings and waitlists per role, a team lead booking a
named team, the team's attendance and outcomes recorded once and credited to each member."""

import datetime
import threading

import pytest
from django.db import connection

from curriculum import services as curriculum
from curriculum.progress import progress_for
from labs import services
from labs.models import Booking, BookingStatus, SessionRole, TeamOutcome
from rastrack.accounts.models import Profession
from rastrack.accounts.roles import Role
from rastrack.core.exceptions import ApplicationError, Conflict, NotPermitted
from tests.builders.curriculum import make_framework
from tests.builders.dates import days_ago
from tests.builders.labs import make_session, when
from tests.builders.people import UserFactory

pytestmark = pytest.mark.django_db

ROSTER = [{"role": "console_surgeon", "seats": 1}, {"role": "bedside_assistant", "seats": 1},
          {"role": "scrub_nurse", "seats": 2}]


def _team_session(lab, manager, **kwargs):
    kwargs.setdefault("roles", ROSTER)
    return make_session(lab, manager, kind="team_training", seats=None, title="Emergency undocking drill", **kwargs)


def _nurse(london, name="Nell Nurse"):
    return UserFactory(full_name=name, roles=[Role.TRAINEE], region=london, profession=Profession.NURSE)


def test_a_team_session_has_seats_by_role_and_as_many_seats_as_its_roles(lab, lab_manager):
    session = _team_session(lab, lab_manager)
    assert session.seats == 4
    assert dict(SessionRole.objects.filter(session=session).values_list("role", "seats")) == {
        "console_surgeon": 1, "bedside_assistant": 1, "scrub_nurse": 2}
    with pytest.raises(ApplicationError) as exc:
        make_session(lab, lab_manager, kind="team_training", starts_at=when(weeks=2))
    assert "roles" in exc.value.errors
    with pytest.raises(ApplicationError) as exc:
        make_session(lab, lab_manager, kind="team_training", starts_at=when(weeks=2), seats=5, roles=ROSTER)
    assert "as many seats as its roles" in exc.value.errors["seats"][0]
    with pytest.raises(ApplicationError) as exc:
        make_session(lab, lab_manager, kind="team_training", starts_at=when(weeks=2), seats=None,
                     roles=[{"role": "juggler", "seats": 1}, {"role": "odp", "seats": 0}])
    assert len(exc.value.errors["roles"]) == 2


def test_bookings_name_a_role_of_the_session(lab, lab_manager, trainee, session):
    team = _team_session(lab, lab_manager, starts_at=when(weeks=2))
    with pytest.raises(ApplicationError) as exc:
        services.booking_create(trainee=trainee, session=team)
    assert "Choose the team role" in exc.value.errors["role"][0]
    with pytest.raises(ApplicationError) as exc:
        services.booking_create(trainee=trainee, session=team, role="anaesthetist")
    assert "no anaesthetist seats" in exc.value.errors["role"][0]
    with pytest.raises(ApplicationError) as exc:
        services.booking_create(trainee=trainee, session=session, role="scrub_nurse")
    assert "no team roles" in exc.value.errors["role"][0]
    booking = services.booking_create(trainee=trainee, session=team, role="console_surgeon")
    assert (booking.status, booking.role) == (BookingStatus.CONFIRMED, "console_surgeon")


def test_a_full_role_waitlists_although_other_roles_have_seats_and_its_own_waitlist_is_promoted(
        lab, lab_manager, trainee, other_trainee, third_trainee, london):
    team = _team_session(lab, lab_manager)
    first = services.booking_create(trainee=trainee, session=team, role="console_surgeon")
    waiting = services.booking_create(trainee=other_trainee, session=team, role="console_surgeon")
    assert waiting.status == BookingStatus.WAITLISTED
    nurse = services.booking_create(trainee=_nurse(london), session=team, role="scrub_nurse")
    assert nurse.status == BookingStatus.CONFIRMED
    # A scrub nurse cancelling frees a scrub-nurse seat: the surgeon waiting stays waiting.
    services.booking_cancel(actor=nurse.trainee, booking=nurse)
    assert Booking.objects.get(pk=waiting.pk).status == BookingStatus.WAITLISTED
    # The console surgeon cancelling gives the console seat to the surgeon waiting.
    services.booking_cancel(actor=trainee, booking=first)
    assert Booking.objects.get(pk=waiting.pk).status == BookingStatus.CONFIRMED
    roles = dict(SessionRole.objects.filter(session=team).values_list("role", "seats_booked"))
    assert roles == {"console_surgeon": 1, "bedside_assistant": 0, "scrub_nurse": 0}
    team.refresh_from_db()
    assert team.seats_booked == 1
    services.session_cancel(actor=lab_manager, session=team)
    assert set(SessionRole.objects.filter(session=team).values_list("seats_booked", flat=True)) == {0}


def test_a_team_lead_books_a_named_team_all_or_nothing(lab, lab_manager, trainee, other_trainee, london):
    team = _team_session(lab, lab_manager)
    nurse, scrub2, scrub3 = _nurse(london), _nurse(london, "Sam Scrub"), _nurse(london, "Sid Scrub")
    members = [(trainee, "console_surgeon"), (other_trainee, "bedside_assistant"), (nurse, "scrub_nurse"),
               (scrub2, "scrub_nurse"), (scrub3, "scrub_nurse")]
    bookings = services.team_booking_create(actor=trainee, session=team, members=members)
    assert [b.status for b in bookings] == ["confirmed"] * 4 + ["waitlisted"]
    assert {b.booked_by_id for b in bookings} == {None, trainee.pk}
    assert Booking.objects.get(trainee=nurse).booked_by_id == trainee.pk
    # A trainee outside the team may not book it; a refused member refuses the whole team.
    other_team = _team_session(lab, lab_manager, starts_at=when(weeks=2))
    with pytest.raises(NotPermitted):
        services.team_booking_create(actor=nurse, session=other_team, members=[(trainee, "console_surgeon")])
    with pytest.raises(ApplicationError) as exc:
        services.team_booking_create(actor=lab_manager, session=other_team,
                                     members=[(trainee, "console_surgeon"), (lab_manager, "scrub_nurse")])
    assert "is not a trainee" in exc.value.errors["members"][0]
    assert not Booking.objects.filter(session=other_team).exists()
    with pytest.raises(Conflict):
        services.team_booking_create(actor=lab_manager, session=team, members=[(trainee, "scrub_nurse")])


@pytest.fixture
def drill_pathway(admin):
    framework = make_framework(admin)
    pathway = curriculum.pathway_create(actor=admin, code="team-path", title="Team pathway", audience="trainee",
                                        framework=framework, self_enrol=True)
    module = curriculum.module_create(actor=admin, pathway=pathway, title="Theatre team")
    drill = curriculum.component_create(actor=admin, module=module, title="Emergency undocking drill",
                                        kind="dry_lab")
    curriculum.requirement_create(actor=admin, component=drill, type="min_count", params={"count": 1})
    return curriculum.pathway_publish(actor=admin, pathway=pathway)


def _item(progress):
    return next(i for i in progress.requirements if i.requirement.component.title == "Emergency undocking drill")


def test_the_teams_attendance_and_outcomes_are_recorded_once_and_credited_to_each_member(
        api, lab, lab_manager, faculty_trainer, trainee, other_trainee, london, drill_pathway):
    component = drill_pathway.modules.get(title="Theatre team").components.get()
    team = _team_session(lab, lab_manager, starts_at=when(weeks=-1), component=component, faculty=[faculty_trainer])
    nurse = _nurse(london)
    before = team.starts_at - datetime.timedelta(days=3)
    bookings = services.team_booking_create(
        actor=lab_manager, session=team, now=before,
        members=[(trainee, "console_surgeon"), (other_trainee, "bedside_assistant"), (nurse, "scrub_nurse")])
    enrolments = [curriculum.enrolment_create(actor=p, trainee=p, pathway=drill_pathway, enrolled_on=days_ago(60))
                  for p in (trainee, other_trainee, nurse)]
    body = {"attended": [bookings[0].pk, bookings[2].pk],
            "outcomes": [{"measure": "undocking_time_s", "value": "25"},
                         {"measure": "otas_score", "label": "Teamwork", "value": "5.5"}]}
    # Trainees and another lab's faculty may not record it.
    assert api.as_user(trainee).post(f"/api/v1/lab-sessions/{team.pk}/record_team/", body,
                                     format="json").status_code == 403
    response = api.as_user(faculty_trainer).post(f"/api/v1/lab-sessions/{team.pk}/record_team/", body,
                                                 format="json")
    assert response.status_code == 200, response.json()
    assert [(o["measure"], o["value"]) for o in response.json()["outcomes"]] == [
        ("otas_score", "5.5"), ("undocking_time_s", "25.0")]
    statuses = dict(Booking.objects.filter(session=team).values_list("trainee_id", "status"))
    assert statuses == {trainee.pk: "attended", other_trainee.pk: "no_show", nurse.pk: "attended"}
    # Recorded again (a correction), the outcomes are replaced, not added.
    body["outcomes"] = [{"measure": "undocking_time_s", "value": "24"}]
    assert api.as_user(lab_manager).post(f"/api/v1/lab-sessions/{team.pk}/record_team/", body,
                                         format="json").status_code == 200
    assert list(TeamOutcome.objects.filter(session=team).values_list("value", flat=True)) == [24]

    surgeon, assistant, scrub = (_item(progress_for(e)) for e in enrolments)
    assert surgeon.met and scrub.met and not assistant.met
    assert "as console surgeon" in surgeon.evidence[0].label
    assert "Emergency undocking time (seconds): 24.0" in scrub.evidence[0].label


def test_team_outcomes_are_checked(lab, lab_manager, trainee):
    team = _team_session(lab, lab_manager, starts_at=when(weeks=-1))
    booking = services.booking_create(trainee=trainee, session=team, role="console_surgeon",
                                      now=team.starts_at - datetime.timedelta(days=1))
    with pytest.raises(ApplicationError) as exc:
        services.team_record(actor=lab_manager, session=team, attended=[booking.pk],
                             outcomes=[{"measure": "heart_rate", "value": 1}, {"measure": "otas_score", "value": -1}])
    assert len(exc.value.errors["outcomes"]) == 2
    with pytest.raises(ApplicationError):
        services.team_record(actor=lab_manager, session=team, attended=[booking.pk + 1000])
    future = _team_session(lab, lab_manager, starts_at=when(weeks=2))
    with pytest.raises(Conflict):
        services.team_record(actor=lab_manager, session=future, attended=[])


def test_the_api_books_a_role_and_a_team(api, lab, lab_manager, other_lab_manager, trainee, other_trainee):
    response = api.as_user(lab_manager).post("/api/v1/lab-sessions/", {
        "lab": lab.pk, "kind": "team_training", "starts_at": when().isoformat(),
        "ends_at": (when() + datetime.timedelta(hours=2)).isoformat(), "roles": ROSTER}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["seats"] == 4
    assert [r["role"] for r in response.json()["roles"]] == ["console_surgeon", "bedside_assistant", "scrub_nurse"]
    pk = response.json()["id"]
    assert api.as_user(trainee).post("/api/v1/bookings/", {"session": pk}, format="json").status_code == 400
    booked = api.as_user(trainee).post("/api/v1/bookings/", {"session": pk, "role": "console_surgeon"},
                                       format="json")
    assert booked.status_code == 201 and booked.json()["role"] == "console_surgeon"
    team = {"members": [{"trainee": other_trainee.pk, "role": "bedside_assistant"}]}
    assert api.as_user(other_lab_manager).post(f"/api/v1/lab-sessions/{pk}/book_team/", team,
                                               format="json").status_code == 403
    response = api.as_user(lab_manager).post(f"/api/v1/lab-sessions/{pk}/book_team/", team, format="json")
    assert response.status_code == 200
    roles = {r["role"]: (r["seats_booked"], r["waitlist_length"]) for r in response.json()["roles"]}
    assert roles == {"console_surgeon": (1, 0), "bedside_assistant": (1, 0), "scrub_nurse": (0, 0)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_last_seat_of_a_role_raced_by_two_goes_to_one(lab, lab_manager, london):
    team = _team_session(lab, lab_manager)
    racers = [UserFactory(roles=[Role.TRAINEE], region=london) for _ in range(2)]
    start = threading.Barrier(len(racers))
    results, errors = [], []

    def book(person):
        try:
            start.wait()
            results.append(services.booking_create(trainee=person, session=team, role="console_surgeon").status)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(p,)) for p in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(results) == ["confirmed", "waitlisted"]
    assert SessionRole.objects.get(session=team, role="console_surgeon").seats_booked == 1


def test_the_session_list_with_team_roles_and_outcomes_takes_constant_queries(
        api, lab, lab_manager, trainee, django_assert_num_queries):
    def drill(week):
        team = _team_session(lab, lab_manager, starts_at=when(weeks=-week))
        booking = services.booking_create(trainee=trainee, session=team, role="console_surgeon",
                                          now=team.starts_at - datetime.timedelta(days=1))
        services.team_record(actor=lab_manager, session=team, attended=[booking.pk],
                             outcomes=[{"measure": "undocking_time_s", "value": "30"}])

    client = api.as_user(trainee)
    client.get("/api/v1/lab-sessions/")  # warm the caller's session and token caches
    drill(1)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/lab-sessions/")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    one, n = count()
    assert n == 1
    for week in (2, 3, 4):
        drill(week)
    with django_assert_num_queries(one):
        response = client.get("/api/v1/lab-sessions/")
    assert response.json()["count"] == 4
    assert all(s["roles"] and s["outcomes"] for s in response.json()["results"])


def test_a_team_sessions_total_seats_cannot_be_edited_apart_from_its_roles(lab, lab_manager):
    session = _team_session(lab, lab_manager)
    with pytest.raises(ApplicationError) as exc:
        services.session_update(actor=lab_manager, session=session, seats=6)
    assert exc.value.errors["seats"] == ["A team session's seats are set per team role, not as a total."]
    session.refresh_from_db()
    assert session.seats == 4
    # The rest of the session stays editable.
    services.session_update(actor=lab_manager, session=session, seats=4)
