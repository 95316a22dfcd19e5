"""Assignments: who assigns, only accredited trainers, the cap, ending them."""

import datetime

import pytest
from django.utils import timezone

from accreditation.faculty.models import Assignment, AssignmentKind
from accreditation.faculty.selectors import faculty_rules
from accreditation.faculty.services import assignment_create
from rastrack.accounts.roles import Role
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import NotPermitted
from rastrack.notifications.models import Notification
from tests.builders.dates import days_ago
from tests.builders.faculty import accredit, assign
from tests.builders.people import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/assignments/"
TODAY = timezone.localdate


def _create(api, user, trainer, trainee, **extra):
    body = {"trainer": trainer.pk, "trainee": trainee.pk, "kind": "educational_supervisor", **extra}
    return api.as_user(user).post(URL, body, format="json")


@pytest.mark.parametrize("persona", ["lead", "admin"])
def test_the_trainees_lead_or_an_admin_assigns(api, request, unassigned_trainer, other_trainee, persona):
    user = request.getfixturevalue(persona)
    response = _create(api, user, unassigned_trainer, other_trainee)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["trainer"] == unassigned_trainer.pk and body["trainee"] == other_trainee.pk
    assert body["starts_on"] == TODAY().isoformat() and body["ends_on"] is None and body["active"] is True
    assignment = Assignment.objects.get(pk=body["id"])
    entry = AuditEntry.objects.get(action="assignment.create", object_id=str(assignment.pk))
    assert entry.actor == user and entry.before is None
    assert Notification.objects.filter(recipient=unassigned_trainer, kind="assignment.created").exists()
    assert Notification.objects.filter(recipient=other_trainee, kind="assignment.created").exists()
    assert unassigned_trainer.has_perm("accounts.supervise_portfolio", other_trainee.portfolio)


def test_a_lead_of_another_region_cannot_assign_or_see(api, other_lead, unassigned_trainer, other_trainee,
                                                        assigned_trainer, trainee):
    response = _create(api, other_lead, unassigned_trainer, other_trainee)
    assert response.status_code == 400 and "trainee" in response.json()  # not among their people
    assignment = Assignment.objects.get(trainer=assigned_trainer, trainee=trainee)
    assert api.as_user(other_lead).get(f"{URL}{assignment.pk}/").status_code == 404
    assert api.as_user(other_lead).post(f"{URL}{assignment.pk}/end/", {}, format="json").status_code == 404
    assert api.as_user(other_lead).get(URL).json()["results"] == []


def test_the_service_refuses_a_lead_of_another_region(other_lead, unassigned_trainer, other_trainee):
    with pytest.raises(NotPermitted):
        assignment_create(actor=other_lead, trainer=unassigned_trainer, trainee=other_trainee,
                          kind=AssignmentKind.PROCTOR)


@pytest.mark.parametrize("persona", ["assigned_trainer", "trainee", "lab_manager"])
def test_other_roles_may_not_assign_or_end(api, request, unassigned_trainer, other_trainee, trainee,
                                           assigned_trainer, persona):
    user = request.getfixturevalue(persona)
    assert _create(api, user, unassigned_trainer, other_trainee).status_code == 403
    assignment = Assignment.objects.get(trainer=assigned_trainer, trainee=trainee)
    assert api.as_user(user).post(f"{URL}{assignment.pk}/end/", {}, format="json").status_code == 403


def test_anonymous_callers_get_401(api, assigned_trainer, trainee):
    assignment = Assignment.objects.get(trainer=assigned_trainer)
    assert api.get(URL).status_code == 401
    assert api.get(f"{URL}{assignment.pk}/").status_code == 401
    assert api.post(URL, {}, format="json").status_code == 401
    assert api.post(f"{URL}{assignment.pk}/end/", {}, format="json").status_code == 401


@pytest.mark.parametrize(("persona", "sees"), [
    ("admin", True), ("lead", True), ("assigned_trainer", True), ("trainee", True),
    ("other_lead", False), ("unassigned_trainer", False), ("other_trainee", False),
])
def test_who_sees_an_assignment(api, request, assigned_trainer, trainee, persona, sees):
    assignment = Assignment.objects.get(trainer=assigned_trainer, trainee=trainee)
    user = request.getfixturevalue(persona)
    assert api.as_user(user).get(f"{URL}{assignment.pk}/").status_code == (200 if sees else 404)
    ids = [row["id"] for row in api.as_user(user).get(URL).json()["results"]]
    assert (assignment.pk in ids) is sees


def test_lab_managers_may_not_list_assignments(api, lab_manager):
    assert api.as_user(lab_manager).get(URL).status_code == 403


# --- Only an accredited trainer, on the start date ----------------------------------------------


def test_an_unaccredited_trainer_cannot_be_assigned(api, lead, london, other_trainee):
    nobody = UserFactory(full_name="Nick Notyet", roles=[Role.TRAINER], region=london)
    response = _create(api, lead, nobody, other_trainee)
    assert response.status_code == 400
    assert "Nick Notyet is not an accredited trainer" in response.json()["trainer"][0]
    assert not Assignment.objects.filter(trainer=nobody).exists()


def test_an_expired_trainer_cannot_be_assigned_even_before_the_lapse_job(api, lead, london, other_trainee):
    expired = UserFactory(roles=[Role.TRAINER], region=london)
    accredit(expired, since=days_ago(1100), expires_on=days_ago(1))  # still "accredited" in the row
    response = _create(api, lead, expired, other_trainee)
    assert response.status_code == 400 and "trainer" in response.json()


@pytest.mark.parametrize("status", ["suspended", "lapsed", "revoked"])
def test_a_trainer_not_in_good_standing_cannot_be_assigned(api, lead, london, other_trainee, status):
    trainer = UserFactory(roles=[Role.TRAINER], region=london)
    accredit(trainer, status=status)
    assert _create(api, lead, trainer, other_trainee).status_code == 400


def test_the_start_date_must_be_within_the_accreditation(api, lead, london, other_trainee):
    trainer = UserFactory(roles=[Role.TRAINER], region=london)
    acc = accredit(trainer, since=days_ago(100), years=3)
    after = (acc.expires_on + datetime.timedelta(days=1)).isoformat()
    before = (acc.accredited_on - datetime.timedelta(days=1)).isoformat()
    assert _create(api, lead, trainer, other_trainee, starts_on=after).status_code == 400
    assert _create(api, lead, trainer, other_trainee, starts_on=before).status_code == 400
    assert _create(api, lead, trainer, other_trainee, starts_on=acc.expires_on.isoformat()).status_code == 201


def test_the_trainee_must_hold_the_trainee_role(api, lead, unassigned_trainer, lab_manager):
    response = _create(api, lead, unassigned_trainer, lab_manager)
    assert response.status_code == 400 and "trainee" in response.json()


def test_dates_and_kind_are_checked(api, lead, unassigned_trainer, other_trainee):
    backwards = _create(api, lead, unassigned_trainer, other_trainee, starts_on=TODAY().isoformat(),
                        ends_on=days_ago(1).isoformat())
    assert backwards.status_code == 400 and "ends_on" in backwards.json()
    assert _create(api, lead, unassigned_trainer, other_trainee, kind="mentor").status_code == 400
    assert _create(api, lead, unassigned_trainer, unassigned_trainer).status_code == 400


def test_an_overlapping_assignment_of_the_same_kind_is_a_409(api, lead, assigned_trainer, trainee):
    assert _create(api, lead, assigned_trainer, trainee).status_code == 409
    other_kind = _create(api, lead, assigned_trainer, trainee, kind="proctor")
    assert other_kind.status_code == 201


# --- The cap ---------------------------------------------------------------------------------


def test_the_cap_on_trainees_per_trainer(api, lead, london, unassigned_trainer):
    rules = faculty_rules()
    assert rules.max_trainees_per_trainer == 8
    rules.max_trainees_per_trainer = 2
    rules.save()
    trainees = [UserFactory(roles=[Role.TRAINEE], region=london) for _ in range(3)]
    assert _create(api, lead, unassigned_trainer, trainees[0]).status_code == 201
    assert _create(api, lead, unassigned_trainer, trainees[1]).status_code == 201
    # Another kind for a trainee they already have does not add to the load.
    assert _create(api, lead, unassigned_trainer, trainees[1], kind="proctor").status_code == 201
    full = _create(api, lead, unassigned_trainer, trainees[2])
    assert full.status_code == 400
    assert "limit is 2" in full.json()["trainer"][0]

    # Ending one assignment makes room at once.
    first = Assignment.objects.get(trainer=unassigned_trainer, trainee=trainees[0])
    assert api.as_user(lead).post(f"{URL}{first.pk}/end/", {}, format="json").status_code == 200
    assert _create(api, lead, unassigned_trainer, trainees[2]).status_code == 201


def test_the_default_cap_is_eight(api, admin, london, unassigned_trainer):
    for _ in range(8):
        assert _create(api, admin, unassigned_trainer, UserFactory(roles=[Role.TRAINEE], region=london)).status_code == 201
    assert _create(api, admin, unassigned_trainer, UserFactory(roles=[Role.TRAINEE], region=london)).status_code == 400


def test_an_assignment_ending_before_the_new_one_starts_does_not_count(api, lead, london, unassigned_trainer):
    rules = faculty_rules()
    rules.max_trainees_per_trainer = 1
    rules.save()
    first, second = (UserFactory(roles=[Role.TRAINEE], region=london) for _ in range(2))
    assert _create(api, lead, unassigned_trainer, first, starts_on=days_ago(100).isoformat(),
                   ends_on=days_ago(10).isoformat()).status_code == 201
    assert _create(api, lead, unassigned_trainer, second).status_code == 201


# --- Ending -----------------------------------------------------------------------------------


def test_ending_defaults_to_today_and_is_audited(api, lead, assigned_trainer, trainee):
    assignment = Assignment.objects.get(trainer=assigned_trainer, trainee=trainee)
    response = api.as_user(lead).post(f"{URL}{assignment.pk}/end/", {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["ends_on"] == TODAY().isoformat() and body["active"] is False
    assert body["ended_by"] == lead.pk
    entry = AuditEntry.objects.get(action="assignment.end")
    assert entry.before["ends_on"] is None and entry.after["ends_on"] == TODAY().isoformat()
    assert Notification.objects.filter(recipient=assigned_trainer, kind="assignment.ended").exists()
    # A second end is a conflict.
    assert api.as_user(lead).post(f"{URL}{assignment.pk}/end/", {}, format="json").status_code == 409


def test_an_end_date_in_the_future_shortens_the_term(api, admin, assigned_trainer, trainee):
    assignment = Assignment.objects.get(trainer=assigned_trainer, trainee=trainee)
    later = TODAY() + datetime.timedelta(days=30)
    response = api.as_user(admin).post(f"{URL}{assignment.pk}/end/", {"ends_on": later.isoformat()}, format="json")
    assert response.status_code == 200 and response.json()["active"] is True
    assert assigned_trainer.has_perm("accounts.supervise_portfolio", trainee.portfolio)
    too_late = api.as_user(admin).post(f"{URL}{assignment.pk}/end/",
                                       {"ends_on": (later + datetime.timedelta(days=1)).isoformat()}, format="json")
    assert too_late.status_code == 400 and "ends_on" in too_late.json()


def test_an_end_before_the_start_is_a_400(api, admin, assigned_trainer, trainee):
    assignment = Assignment.objects.get(trainer=assigned_trainer, trainee=trainee)
    response = api.as_user(admin).post(f"{URL}{assignment.pk}/end/",
                                       {"ends_on": days_ago(400).isoformat()}, format="json")
    assert response.status_code == 400


def test_a_past_fixed_term_is_already_ended(api, admin, london, unassigned_trainer):
    trainee = UserFactory(roles=[Role.TRAINEE], region=london)
    done = assign(unassigned_trainer, trainee, starts_on=days_ago(100), ends_on=days_ago(1))
    assert api.as_user(admin).post(f"{URL}{done.pk}/end/", {}, format="json").status_code == 409


def test_filters(api, admin, assigned_trainer, trainee, unassigned_trainer, other_trainee):
    old = assign(unassigned_trainer, other_trainee, starts_on=days_ago(100), ends_on=days_ago(1))
    client = api.as_user(admin)
    active = {row["id"] for row in client.get(f"{URL}?active=true").json()["results"]}
    inactive = {row["id"] for row in client.get(f"{URL}?active=false").json()["results"]}
    assert old.pk in inactive and old.pk not in active
    by_trainer = client.get(f"{URL}?trainer={assigned_trainer.pk}").json()["results"]
    assert {row["trainee"] for row in by_trainer} == {trainee.pk}
    assert client.get(f"{URL}?kind=proctor").json()["results"] == []
