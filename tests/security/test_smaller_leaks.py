"""Smaller leaks: the password-reset link comes from SITE_URL, never the Host header; the token
endpoint's throttle counts per account and address, so one address (a hospital's) is not
shared by everyone behind it."""

from __future__ import annotations

import pytest
from django.core import mail
from rest_framework.test import APIClient

from rastrack.accounts.api import AccountAndAddressThrottle
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db


def test_the_reset_link_is_built_from_the_site_url_not_the_host_header(client, settings, trainee):
    settings.SITE_URL = "https://rastrack.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    response = client.post("/accounts/password/reset/", {"email": trainee.email}, HTTP_HOST="evil.example.com")
    assert response.status_code == 302
    deliver_outbox()
    body = mail.outbox[-1].body
    assert "evil.example.com" not in body
    assert "https://rastrack.example.org/accounts/password/reset/" in body


def test_the_token_throttle_counts_per_account_and_address(monkeypatch, trainee, other_trainee):
    monkeypatch.setattr(AccountAndAddressThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    client = APIClient()

    def attempt(email):
        return client.post("/api/v1/auth/token/", {"username": email, "password": "wrong-password!"},
                           format="json", REMOTE_ADDR="10.9.8.7").status_code

    assert [attempt(trainee.email) for _ in range(4)] == [400, 400, 400, 429]
    # A colleague behind the same address is not held back by someone else's attempts.
    assert attempt(other_trainee.email) == 400


# --- The case supervisor field: no probing user ids for names and roles ------------------------


@pytest.fixture
def case_payload(london):
    import datetime

    from django.utils import timezone

    from rastrack.reference.models import Procedure
    from tests.builders.people import SiteFactory

    site = SiteFactory(region=london)
    rarp = Procedure.objects.get(code="rarp")

    def make(**overrides):
        data = {"date": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(), "site": site.pk,
                "platform": "davinci_xi", "procedure": rarp.pk, "role": "console_part", "supervision": "S-TS",
                "console_minutes": 95, "total_minutes": 210, "conversion": "none", "complication_grade": "none"}
        data.update(overrides)
        return data
    return make


def _strangers(other_trainee, unassigned_trainer, lead):
    """Ids a trainee may not name: nobody, a trainee, a trainer not assigned to them, a lead."""
    from rastrack.accounts.models import User

    nobody = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    return {"no such id": nobody, "a trainee": other_trainee.pk, "a trainer not theirs": unassigned_trainer.pk,
            "a lead": lead.pk}


def test_the_api_answers_one_way_for_every_supervisor_the_trainee_may_not_name(
        api, trainee, assigned_trainer, other_trainee, unassigned_trainer, lead, case_payload):
    from accreditation.logbook.models import Case
    from accreditation.logbook.policies import SUPERVISOR_NOT_NAMEABLE

    client = api.as_user(trainee)
    answers = {}
    for who, pk in _strangers(other_trainee, unassigned_trainer, lead).items():
        response = client.post("/api/v1/cases/", case_payload(supervisor=pk), format="json")
        answers[who] = (response.status_code, tuple(response.json().get("supervisor") or ()))
    assert set(answers.values()) == {(400, (SUPERVISOR_NOT_NAMEABLE,))}, answers
    assert not Case.objects.filter(trainee=trainee).exists()
    # Nor by editing a draft: the same answer, and the draft keeps its supervisor.
    draft = client.post("/api/v1/cases/", case_payload(supervisor=assigned_trainer.pk), format="json")
    assert draft.status_code == 201, draft.json()
    edit = client.patch(f"/api/v1/cases/{draft.json()['id']}/", {"supervisor": unassigned_trainer.pk}, format="json")
    assert edit.status_code == 400 and edit.json()["supervisor"] == [SUPERVISOR_NOT_NAMEABLE]
    assert Case.objects.get(trainee=trainee).supervisor == assigned_trainer


def test_the_page_form_answers_the_same_way_and_names_nobody(
        client, trainee, assigned_trainer, other_trainee, unassigned_trainer, lead, case_payload):
    from django.utils.html import escape

    from accreditation.logbook.models import Case
    from accreditation.logbook.policies import SUPERVISOR_NOT_NAMEABLE

    client.force_login(trainee)
    for who, pk in _strangers(other_trainee, unassigned_trainer, lead).items():
        data = {**case_payload(supervisor=pk), "supervisor_name": "", "action": "draft"}
        response = client.post("/logbook/new/", data)
        html = response.content.decode()
        assert response.status_code == 400, who
        assert escape(SUPERVISOR_NOT_NAMEABLE) in html, who
        for person in (other_trainee, unassigned_trainer, lead):
            assert person.full_name not in html, (who, person)
    assert not Case.objects.filter(trainee=trainee).exists()


def test_a_trainee_names_a_trainer_assigned_to_them_and_keeps_one_whose_assignment_ended(
        api, trainee, assigned_trainer, lead, case_payload):
    from accreditation.faculty.models import Assignment

    client = api.as_user(trainee)
    created = client.post("/api/v1/cases/", case_payload(supervisor=assigned_trainer.pk), format="json")
    assert created.status_code == 201, created.json()
    assignment = Assignment.objects.get(trainer=assigned_trainer, trainee=trainee)
    ended = api.as_user(lead).post(f"/api/v1/assignments/{assignment.pk}/end/", {}, format="json")
    assert ended.status_code == 200, ended.json()
    client = api.as_user(trainee)
    kept = client.patch(f"/api/v1/cases/{created.json()['id']}/", {"notes": "Edited."}, format="json")
    assert kept.status_code == 200, kept.json()
    again = client.post("/api/v1/cases/", case_payload(supervisor=assigned_trainer.pk), format="json")
    assert again.status_code == 201, again.json()  # assigned on the case date, two days ago


# --- The resource duplicate check names only what the submitter may see ------------------------


def test_the_duplicate_check_does_not_show_someone_elses_pending_title(api, trainee, other_trainee, admin):
    from curriculum import services
    from tests.builders.curriculum import resource_item, submit

    theirs = submit(other_trainee, resource_item(7301, title="Secret draft of Dr Other")).items.get()
    response = api.as_user(trainee).post("/api/v1/resources/submissions/", {"items": [resource_item(7301)]},
                                         format="json")
    assert response.status_code == 409
    message = response.json()["items"][0]["url"][0]
    assert theirs.title not in message and str(theirs.pk) not in message
    assert "already submitted" in message
    # Once approved it is the catalogue's, and named.
    services.resource_approve(actor=admin, resource=theirs)
    response = api.as_user(trainee).post("/api/v1/resources/submissions/", {"items": [resource_item(7301)]},
                                         format="json")
    assert theirs.title in response.json()["items"][0]["url"][0]
