"""Rights follow the rule at once: the very next request after a suspension, revocation,
lapse or ended assignment is refused, and reinstatement or renewal gives them back."""

import datetime

import pytest
from django.utils import timezone

from accreditation.faculty.eligibility import can_supervise
from accreditation.faculty.models import Accreditation, Assignment
from accreditation.faculty.services import (
    accreditation_lapse_expired,
    supervision_right_refresh,
    supervision_rights_sync,
)
from rastrack.accounts.roles import Role
from tests.builders.dates import days_ago
from tests.builders.faculty import accredit, assign, document_of
from tests.builders.people import UserFactory

pytestmark = pytest.mark.django_db

PERM = "accounts.supervise_portfolio"
DOC = "/api/v1/documents/{}/"


@pytest.fixture
def document(trainee):
    return document_of(trainee)


def _holds_right(trainer, trainee) -> bool:
    # A fresh user object: guardian's checker caches nothing across requests either.
    from rastrack.accounts.models import User

    return User.objects.get(pk=trainer.pk).has_perm(PERM, trainee.portfolio)


def _sees(api, client, trainer, document) -> tuple[int, int]:
    """(API status, web status) of the trainer fetching the trainee's document."""
    api_status = api.as_user(trainer).get(DOC.format(document.pk)).status_code
    client.force_login(trainer)
    web_status = client.get(f"/documents/{document.pk}/").status_code
    return api_status, web_status


def _before(api, client, trainer, trainee, document):
    assert _sees(api, client, trainer, document) == (200, 200)
    assert can_supervise(trainer, trainee)
    assert _holds_right(trainer, trainee)
    ids = [row["id"] for row in api.as_user(trainer).get("/api/v1/documents/").json()["results"]]
    assert document.pk in ids


def _after(api, client, trainer, trainee, document):
    assert _sees(api, client, trainer, document) == (404, 404)
    assert not can_supervise(trainer, trainee)
    assert not _holds_right(trainer, trainee)
    assert api.as_user(trainer).get("/api/v1/documents/").json()["results"] == []


@pytest.mark.parametrize("verb", ["suspend", "revoke"])
def test_suspension_and_revocation_take_effect_on_the_next_request(api, client, admin, assigned_trainer,
                                                                   trainee, document, verb):
    _before(api, client, assigned_trainer, trainee, document)
    accreditation = assigned_trainer.accreditation
    response = api.as_user(admin).post(f"/api/v1/accreditations/{accreditation.pk}/{verb}/",
                                       {"reason": "Under review."}, format="json")
    assert response.status_code == 200
    _after(api, client, assigned_trainer, trainee, document)


def test_reinstatement_gives_the_rights_back(api, client, lead, assigned_trainer, trainee, document):
    url = f"/api/v1/accreditations/{assigned_trainer.accreditation.pk}/"
    api.as_user(lead).post(f"{url}suspend/", {"reason": "Under review."}, format="json")
    _after(api, client, assigned_trainer, trainee, document)
    assert api.as_user(lead).post(f"{url}reinstate/", {"reason": "Cleared."}, format="json").status_code == 200
    _before(api, client, assigned_trainer, trainee, document)


def test_a_lapse_takes_effect_on_the_next_request(api, client, assigned_trainer, trainee, document):
    _before(api, client, assigned_trainer, trainee, document)
    # The last valid day was yesterday: the job lapses it today.
    Accreditation.objects.filter(trainer=assigned_trainer).unaudited_update("test setup", expires_on=days_ago(1))
    assert accreditation_lapse_expired(today=timezone.localdate()) == 1
    _after(api, client, assigned_trainer, trainee, document)


def test_expiry_refuses_even_before_the_lapse_job_runs(api, client, assigned_trainer, trainee, document):
    # The guardian row is still there; the rule re-checked on the request says no.
    Accreditation.objects.filter(trainer=assigned_trainer).unaudited_update("test setup", expires_on=days_ago(1))
    assert _holds_right(assigned_trainer, trainee)
    assert _sees(api, client, assigned_trainer, document) == (404, 404)
    assert not can_supervise(assigned_trainer, trainee)


def test_a_renewal_after_a_lapse_gives_the_rights_back(api, client, lead, assigned_trainer, trainee, document):
    Accreditation.objects.filter(trainer=assigned_trainer).unaudited_update("test setup", expires_on=days_ago(1))
    accreditation_lapse_expired(today=timezone.localdate())
    created = api.as_user(assigned_trainer).post("/api/v1/trainer-applications/", {
        "kind": "renewal", "specialty": "urology", "platforms": ["davinci_xi"],
        "independent_console_cases": 40, "statement": "Still training every week.",
    }, format="json")
    assert created.status_code == 201, created.json()
    approve = api.as_user(lead).post(f"/api/v1/trainer-applications/{created.json()['id']}/approve/", {},
                                     format="json")
    assert approve.status_code == 200
    _before(api, client, assigned_trainer, trainee, document)


def test_ending_the_assignment_takes_effect_on_the_next_request(api, client, lead, assigned_trainer,
                                                               trainee, document):
    _before(api, client, assigned_trainer, trainee, document)
    assignment = Assignment.objects.get(trainer=assigned_trainer, trainee=trainee)
    assert api.as_user(lead).post(f"/api/v1/assignments/{assignment.pk}/end/", {}, format="json").status_code == 200
    # Ended today: ended means ended now, for the rule as for the portfolio.
    _after(api, client, assigned_trainer, trainee, document)
    assert not can_supervise(assigned_trainer, trainee, on=timezone.localdate() + datetime.timedelta(days=1))


def test_ending_it_as_of_yesterday_ends_the_rule_today(api, client, lead, assigned_trainer, trainee, document):
    assignment = Assignment.objects.get(trainer=assigned_trainer, trainee=trainee)
    response = api.as_user(lead).post(f"/api/v1/assignments/{assignment.pk}/end/",
                                      {"ends_on": days_ago(1).isoformat()}, format="json")
    assert response.status_code == 200
    _after(api, client, assigned_trainer, trainee, document)


def test_another_active_assignment_keeps_the_right(api, lead, assigned_trainer, trainee):
    proctor = assign(assigned_trainer, trainee, kind="proctor", starts_on=days_ago(10))
    api.as_user(lead).post(f"/api/v1/assignments/{proctor.pk}/end/", {}, format="json")
    assert _holds_right(assigned_trainer, trainee)
    assert can_supervise(assigned_trainer, trainee)


def test_a_future_assignment_grants_its_right_when_it_starts(london, unassigned_trainer, trainee, lead):
    from accreditation.faculty.services import assignment_create

    today = timezone.localdate()
    start = today + datetime.timedelta(days=3)
    assignment_create(actor=lead, trainer=unassigned_trainer, trainee=trainee, kind="proctor", starts_on=start)
    assert not _holds_right(unassigned_trainer, trainee)
    assert supervision_rights_sync(today=today) == {"granted": 0, "removed": 0}
    assert supervision_rights_sync(today=start) == {"granted": 1, "removed": 0}
    assert _holds_right(unassigned_trainer, trainee)
    assert supervision_rights_sync(today=start) == {"granted": 0, "removed": 0}  # idempotent


def test_a_fixed_term_that_ran_out_loses_its_right_at_the_sync(london, unassigned_trainer, trainee):
    assign(unassigned_trainer, trainee, starts_on=days_ago(10), ends_on=timezone.localdate())
    assert _holds_right(unassigned_trainer, trainee)  # today is its last day
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert not can_supervise(unassigned_trainer, trainee, on=tomorrow)
    assert supervision_rights_sync(today=tomorrow) == {"granted": 0, "removed": 1}
    assert not _holds_right(unassigned_trainer, trainee)


def test_refresh_is_idempotent_and_never_grants_without_the_rule(london, trainee):
    trainer = UserFactory(roles=[Role.TRAINER], region=london)
    assert supervision_right_refresh(trainer=trainer, trainee=trainee) is False
    accredit(trainer)
    assert supervision_right_refresh(trainer=trainer, trainee=trainee) is False  # not assigned
    assign(trainer, trainee)
    assert supervision_right_refresh(trainer=trainer, trainee=trainee) is True
    assert supervision_right_refresh(trainer=trainer, trainee=trainee) is True
    from rastrack.accounts.models import PortfolioUserObjectPermission

    assert PortfolioUserObjectPermission.objects.filter(user=trainer).count() == 1
