"""Trainer applications: evidence against the configurable rules, decisions, renewal."""


import pytest
from django.utils import timezone

from accreditation.faculty.eligibility import can_supervise
from accreditation.faculty.models import (
    Accreditation,
    AccreditationStatus,
    ApplicationStatus,
    TrainerApplication,
)
from accreditation.faculty.selectors import faculty_rules
from accreditation.faculty.services import (
    accreditation_lapse_expired,
    add_years,
    trainer_application_approve,
    trainer_application_create,
)
from rastrack.accounts.models import Profession
from rastrack.accounts.roles import Role
from rastrack.audit.models import AuditEntry
from rastrack.core.exceptions import Conflict
from rastrack.notifications.models import Notification
from tests.builders.faculty import accredit, application_payload, assign, days_ago, document_of
from tests.builders.people import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/trainer-applications/"


@pytest.fixture
def surgeon(london):
    """A London consultant surgeon (a trainee on the conversion pathway) who applies."""
    return UserFactory(full_name="Sara Surgeon", roles=[Role.TRAINEE], region=london)


def _apply(api, user, **overrides):
    return api.as_user(user).post(URL, application_payload(**overrides), format="json")


@pytest.fixture
def pending(api, surgeon):
    response = _apply(api, surgeon)
    assert response.status_code == 201, response.json()
    return response.json()


# --- Applying ------------------------------------------------------------------------------------


def test_a_surgeon_applies_and_is_the_applicant(api, surgeon, pending):
    assert pending["applicant"] == surgeon.pk
    assert pending["status"] == "pending"
    assert pending["platforms"] == ["davinci_xi", "versius"]
    assert AuditEntry.objects.filter(action="trainer_application.submit", object_id=str(pending["id"])).exists()


def test_the_applicant_field_cannot_be_forged(api, surgeon, other_trainee):
    response = _apply(api, surgeon, applicant=other_trainee.pk)
    assert response.status_code == 201
    assert response.json()["applicant"] == surgeon.pk


def test_the_regional_lead_is_told_of_a_new_application(api, surgeon, lead, other_lead, pending):
    assert Notification.objects.filter(recipient=lead, kind="trainer_application.submitted").exists()
    assert not Notification.objects.filter(recipient=other_lead).exists()


def test_surgeons_nurses_odps_and_scps_apply_and_nobody_else(api, lab_manager):
    lab_manager.profession = Profession.OTHER
    lab_manager.save()
    assert _apply(api, lab_manager).status_code == 403
    lab_manager.profession = Profession.NURSE
    lab_manager.save()
    response = _apply(api, lab_manager)
    assert response.status_code == 201 and response.json()["scope"] == "bedside_team"


def test_anonymous_callers_get_401(api, pending):
    api.credentials()  # the fixture signed the client in as the applicant
    assert api.post(URL, application_payload(), format="json").status_code == 401
    assert api.get(URL).status_code == 401
    assert api.get(f"{URL}{pending['id']}/").status_code == 401
    assert api.post(f"{URL}{pending['id']}/approve/").status_code == 401


@pytest.mark.parametrize(("overrides", "field"), [
    ({"independent_console_cases": 49}, "independent_console_cases"),
    ({"train_the_trainer_completed_on": None}, "train_the_trainer_completed_on"),
    ({"train_the_trainer_completed_on": "2999-01-01"}, "train_the_trainer_completed_on"),
    ({"platforms": []}, "platforms"),
    ({"platforms": ["abacus"]}, "platforms"),
    ({"kind": "forever"}, "kind"),
    ({"specialty": "podiatry"}, "specialty"),
    ({"statement": ""}, "statement"),
    ({"statement": "Patient NHS number 943 476 5919 was my first case."}, "statement"),
    ({"independent_console_cases": -1}, "independent_console_cases"),
])
def test_evidence_below_the_rules_is_a_400_on_the_field(api, surgeon, overrides, field):
    response = _apply(api, surgeon, **overrides)
    assert response.status_code == 400
    assert set(response.json()) == {field}, response.json()
    assert not TrainerApplication.objects.exists()


def test_the_minimums_are_data(api, surgeon):
    rules = faculty_rules()
    rules.min_independent_console_cases_initial = 10
    rules.train_the_trainer_required_initial = False
    rules.save()
    response = _apply(api, surgeon, independent_console_cases=10, train_the_trainer_completed_on=None)
    assert response.status_code == 201


def test_the_message_says_what_is_needed(api, surgeon):
    message = _apply(api, surgeon, independent_console_cases=12).json()["independent_console_cases"][0]
    assert "at least 50" in message and "12" in message


def test_documents_must_be_the_applicants_own(api, surgeon, other_trainee):
    mine, theirs = document_of(surgeon), document_of(other_trainee)
    refused = _apply(api, surgeon, documents=[mine.pk, theirs.pk])
    assert refused.status_code == 400 and set(refused.json()) == {"documents"}
    accepted = _apply(api, surgeon, documents=[mine.pk])
    assert accepted.status_code == 201 and accepted.json()["documents"] == [mine.pk]


def test_a_second_pending_application_is_a_409(api, surgeon, pending):
    assert _apply(api, surgeon).status_code == 409


def test_an_initial_application_with_an_accreditation_is_a_409(api, assigned_trainer):
    assert _apply(api, assigned_trainer).status_code == 409


def test_a_renewal_without_an_accreditation_is_a_400(api, surgeon):
    response = _apply(api, surgeon, kind="renewal")
    assert response.status_code == 400 and "kind" in response.json()


def test_a_revoked_accreditation_cannot_be_renewed(api, london):
    trainer = UserFactory(roles=[Role.TRAINER], region=london)
    accredit(trainer, status=AccreditationStatus.REVOKED)
    assert _apply(api, trainer, kind="renewal").status_code == 409


def test_a_renewal_needs_the_renewal_minimum(api, assigned_trainer):
    minimum = faculty_rules().min_independent_console_cases_renewal
    assert minimum == 20
    assert _apply(api, assigned_trainer, kind="renewal", independent_console_cases=minimum - 1).status_code == 400
    response = _apply(api, assigned_trainer, kind="renewal", independent_console_cases=minimum,
                      train_the_trainer_completed_on=None)
    assert response.status_code == 201


# --- Who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "visible"), [
    ("surgeon", True), ("lead", True), ("admin", True),
    ("other_lead", False), ("other_trainee", False), ("assigned_trainer", False), ("lab_manager", False),
])
def test_applicants_see_only_their_own_and_leads_their_region(api, request, pending, persona, visible):
    user = request.getfixturevalue(persona)
    client = api.as_user(user)
    detail = client.get(f"{URL}{pending['id']}/")
    assert detail.status_code == (200 if visible else 404)
    ids = [row["id"] for row in client.get(URL).json()["results"]]
    assert (pending["id"] in ids) is visible


# --- Deciding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("decider", ["lead", "admin"])
def test_approval_grants_the_trainer_role_and_the_accreditation(api, request, surgeon, pending, decider):
    user = request.getfixturevalue(decider)
    response = api.as_user(user).post(f"{URL}{pending['id']}/approve/", {}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "approved" and body["decided_by"] == user.pk

    surgeon.refresh_from_db()
    surgeon.__dict__.pop("role_names", None)
    assert surgeon.has_role(Role.TRAINER)
    accreditation = Accreditation.objects.get(trainer=surgeon)
    today = timezone.localdate()
    assert accreditation.status == "accredited"
    assert accreditation.accredited_on == today
    assert accreditation.expires_on == add_years(today, 3)
    assert accreditation.specialty == "urology" and accreditation.platforms == ["davinci_xi", "versius"]

    actions = set(AuditEntry.objects.filter(actor=user).values_list("action", flat=True))
    assert {"trainer_application.approve", "accreditation.grant", "user.grant_role"} <= actions
    note = Notification.objects.get(recipient=surgeon, kind="trainer_application.approved")
    assert "approved" in note.subject


def test_rejection_needs_a_reason_and_tells_the_applicant(api, surgeon, lead, pending):
    url = f"{URL}{pending['id']}/reject/"
    assert api.as_user(lead).post(url, {}, format="json").status_code == 400
    assert api.as_user(lead).post(url, {"reason": "  "}, format="json").status_code == 400
    response = api.as_user(lead).post(url, {"reason": "Please add your course certificate."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["decision_reason"] == "Please add your course certificate."
    assert not Accreditation.objects.filter(trainer=surgeon).exists()
    assert AuditEntry.objects.filter(action="trainer_application.reject", actor=lead).exists()
    assert Notification.objects.filter(recipient=surgeon, kind="trainer_application.rejected").exists()


def test_a_reason_with_patient_data_is_refused(api, lead, pending):
    response = api.as_user(lead).post(f"{URL}{pending['id']}/reject/",
                                      {"reason": "See MRN A1234567 for the case."}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_a_decided_application_is_final(api, lead, admin, pending, verb):
    assert api.as_user(lead).post(f"{URL}{pending['id']}/approve/", {}, format="json").status_code == 200
    again = api.as_user(admin).post(f"{URL}{pending['id']}/{verb}/", {"reason": "Changed my mind."}, format="json")
    assert again.status_code == 409


def test_nobody_decides_their_own_application(api, london):
    lead_surgeon = UserFactory(roles=[Role.REGIONAL_LEAD], region=london)
    admin_surgeon = UserFactory(roles=[Role.PROGRAMME_ADMIN])
    for person in (lead_surgeon, admin_surgeon):
        created = _apply(api, person)
        assert created.status_code == 201
        response = api.as_user(person).post(f"{URL}{created.json()['id']}/approve/", {}, format="json")
        assert response.status_code == 403
        assert api.as_user(person).post(f"{URL}{created.json()['id']}/reject/",
                                        {"reason": "x"}, format="json").status_code == 403
    assert not Accreditation.objects.exists()


def test_a_lead_of_another_region_gets_404(api, other_lead, pending):
    for verb in ("approve", "reject"):
        response = api.as_user(other_lead).post(f"{URL}{pending['id']}/{verb}/", {"reason": "x"}, format="json")
        assert response.status_code == 404


@pytest.mark.parametrize("persona", ["surgeon", "assigned_trainer", "other_trainee", "lab_manager"])
def test_other_roles_may_never_decide(api, request, pending, persona):
    user = request.getfixturevalue(persona)
    assert api.as_user(user).post(f"{URL}{pending['id']}/approve/", {}, format="json").status_code == 403


def test_the_service_refuses_a_decision_by_the_applicant(london):
    lead_surgeon = UserFactory(roles=[Role.REGIONAL_LEAD], region=london)
    application = trainer_application_create(applicant=lead_surgeon, **_service_payload())
    from rastrack.core.exceptions import NotPermitted

    with pytest.raises(NotPermitted):
        trainer_application_approve(application=application, actor=lead_surgeon)


def _service_payload(**overrides):
    data = {"kind": "initial", "specialty": "urology", "platforms": ["davinci_xi"],
            "independent_console_cases": 80, "statement": "Ready to train others.",
            "train_the_trainer_completed_on": days_ago(10)}
    data.update(overrides)
    return data


# --- Renewal ---------------------------------------------------------------------------------


def _renew(api, trainer, decider, **overrides):
    created = _apply(api, trainer, kind="renewal", **overrides)
    assert created.status_code == 201, created.json()
    response = api.as_user(decider).post(f"{URL}{created.json()['id']}/approve/", {}, format="json")
    assert response.status_code == 200, response.json()
    return Accreditation.objects.get(trainer=trainer)


def test_an_early_renewal_extends_from_the_current_expiry(api, assigned_trainer, lead):
    before = assigned_trainer.accreditation
    after = _renew(api, assigned_trainer, lead, specialty="colorectal", platforms=["hugo"])
    assert after.expires_on == add_years(before.expires_on, 3)
    assert after.accredited_on == before.accredited_on  # one continuous period
    assert after.status == "accredited"
    # The old code `colorectal` is stored as general surgery, colorectal.
    assert (after.specialty, after.subspecialty, after.platforms) == ("general", "colorectal", ["hugo"])
    entry = AuditEntry.objects.get(action="accreditation.renew")
    assert entry.before["expires_on"] == before.expires_on.isoformat()
    assert entry.after["expires_on"] == after.expires_on.isoformat()


def test_a_lapsed_accreditation_comes_back_only_through_a_renewal(api, london, trainee, lead):
    trainer = UserFactory(roles=[Role.TRAINER], region=london)
    accredit(trainer, since=days_ago(1200), expires_on=days_ago(5))
    assign(trainer, trainee, starts_on=days_ago(900))
    assert accreditation_lapse_expired(today=timezone.localdate()) == 1
    assert not can_supervise(trainer, trainee)

    after = _renew(api, trainer, lead)
    today = timezone.localdate()
    assert after.status == "accredited"
    assert after.accredited_on == today  # a new period after the gap
    assert after.expires_on == add_years(today, 3)
    assert can_supervise(trainer, trainee)
    assert trainer.has_perm("accounts.supervise_portfolio", trainee.portfolio)  # rights back


def test_a_suspended_accreditation_is_extended_but_stays_suspended(api, london, lead):
    trainer = UserFactory(roles=[Role.TRAINER], region=london)
    accredit(trainer, status=AccreditationStatus.SUSPENDED)
    after = _renew(api, trainer, lead)
    assert after.status == "suspended"


def test_a_renewal_approved_after_revocation_is_a_409(api, london, lead, admin):
    trainer = UserFactory(roles=[Role.TRAINER], region=london)
    accreditation = accredit(trainer)
    created = _apply(api, trainer, kind="renewal")
    api.as_user(admin).post(f"/api/v1/accreditations/{accreditation.pk}/revoke/", {"reason": "Conduct."},
                            format="json")
    response = api.as_user(lead).post(f"{URL}{created.json()['id']}/approve/", {}, format="json")
    assert response.status_code == 409
    assert TrainerApplication.objects.get(pk=created.json()["id"]).status == ApplicationStatus.PENDING


def test_an_initial_approval_when_an_accreditation_appeared_meanwhile_is_a_409(surgeon, lead):
    application = trainer_application_create(applicant=surgeon, **_service_payload())
    accredit(surgeon)
    with pytest.raises(Conflict):
        trainer_application_approve(application=application, actor=lead)


def test_the_decision_queue_api_order_is_oldest_first(api, lead, london):
    first = UserFactory(roles=[Role.TRAINEE], region=london)
    second = UserFactory(roles=[Role.TRAINEE], region=london)
    a = _apply(api, first).json()["id"]
    b = _apply(api, second).json()["id"]
    ids = [row["id"] for row in api.as_user(lead).get(f"{URL}?status=pending").json()["results"]]
    assert ids == [a, b]
