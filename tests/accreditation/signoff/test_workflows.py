"""Sign-off request -> notification -> reminders -> escalation -> reassignment, with a
controllable clock; and the one-tap decision links (valid, expired, reused, wrong user)."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from accreditation.signoff import video_reviews
from accreditation.signoff.models import DecisionLink, SignoffStatus
from accreditation.signoff.workflows import signoff_reminders
from rastrack.notifications.models import Notification
from tests.builders.faculty import assign
from tests.builders.signoff import (  # noqa: F401 - fixtures
    competency_fixture,
    framework_fixture,
    request_signoff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def signoff_request(trainee, assigned_trainer, competency):
    return request_signoff(trainee, assigned_trainer, competency=competency)


def _notes(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("id"))


def test_the_whole_path_request_reminders_escalation_and_reassignment(
        api, signoff_request, trainee, assigned_trainer, unassigned_trainer, lead, other_lead):
    due = signoff_request.due_on
    assert len(_notes(assigned_trainer, "signoff.new")) == 1              # the request itself
    assert signoff_reminders(today=due - datetime.timedelta(days=10)) == {"reminded": 0, "escalated": 0}
    assert signoff_reminders(today=due - datetime.timedelta(days=3))["reminded"] == 1   # before
    assert signoff_reminders(today=due - datetime.timedelta(days=2))["reminded"] == 0   # not twice
    assert signoff_reminders(today=due)["reminded"] == 1                                  # on the day
    assert signoff_reminders(today=due + datetime.timedelta(days=6))["escalated"] == 0
    assert signoff_reminders(today=due + datetime.timedelta(days=7))["escalated"] == 1
    assert signoff_reminders(today=due + datetime.timedelta(days=8))["escalated"] == 0   # once
    assert len(_notes(assigned_trainer, "signoff.reminder")) == 2
    assert len(_notes(lead, "signoff.escalated")) == 1
    assert _notes(other_lead, "signoff.escalated") == []
    assert _notes(trainee, "signoff.reminder") == []

    # The lead reassigns the overdue request to another trainer who may supervise the trainee.
    url = f"/api/v1/signoff-requests/{signoff_request.pk}/reassign/"
    overdue = timezone.now() + datetime.timedelta(days=(due - timezone.localdate()).days + 9)
    with time_machine.travel(overdue):
        not_eligible = api.as_user(lead).post(url, {"trainer": unassigned_trainer.pk})
    assert not_eligible.status_code == 400 and "trainer" in not_eligible.json()
    assign(unassigned_trainer, trainee)
    with time_machine.travel(overdue):
        assert api.as_user(other_lead).post(url, {"trainer": unassigned_trainer.pk}).status_code == 404
        assert api.as_user(assigned_trainer).post(url, {"trainer": unassigned_trainer.pk}).status_code == 403
        response = api.as_user(lead).post(url, {"trainer": unassigned_trainer.pk})
    assert response.status_code == 200, response.json()
    assert response.json()["trainer"] == unassigned_trainer.pk
    assert len(_notes(unassigned_trainer, "signoff.new")) == 1


def test_a_missed_week_is_caught_up_in_one_run(signoff_request, assigned_trainer, lead):
    # Beat was down from before the due date until well after: one run sends the due-day
    # reminder and the escalation, not the stale "before" reminder.
    counts = signoff_reminders(today=signoff_request.due_on + datetime.timedelta(days=10))
    assert counts == {"reminded": 1, "escalated": 1}
    assert "was due" in _notes(assigned_trainer, "signoff.reminder")[0].subject


def test_reassigning_a_request_that_is_not_overdue_is_409(api, signoff_request, lead, unassigned_trainer, trainee):
    assign(unassigned_trainer, trainee)
    response = api.as_user(lead).post(f"/api/v1/signoff-requests/{signoff_request.pk}/reassign/",
                                      {"trainer": unassigned_trainer.pk})
    assert response.status_code == 409


def _reminder_link(signoff_request, trainer) -> str:
    signoff_reminders(today=signoff_request.due_on)
    link = _notes(trainer, "signoff.reminder")[-1].link
    assert re.match(r"^/signoff/decide/[^/]+/$", link), link
    return link


def test_a_valid_link_decides_once(client, signoff_request, assigned_trainer):
    link = _reminder_link(signoff_request, assigned_trainer)
    assert client.get(link).status_code == 302  # sign in first
    client.force_login(assigned_trainer)
    page = client.get(link)
    assert page.status_code == 200 and "Approve" in page.content.decode()
    response = client.post(link, {"decision": "approve", "feedback": "Well done."})
    assert response.status_code == 302
    signoff_request.refresh_from_db()
    assert signoff_request.status == SignoffStatus.APPROVED
    reused = client.post(link, {"decision": "return", "feedback": "changed my mind"})
    assert reused.status_code == 403 and "used already" in reused.content.decode()
    signoff_request.refresh_from_db()
    assert signoff_request.status == SignoffStatus.APPROVED


def test_a_refused_decision_keeps_the_link_usable(client, signoff_request, assigned_trainer):
    link = _reminder_link(signoff_request, assigned_trainer)
    client.force_login(assigned_trainer)
    response = client.post(link, {"decision": "return", "feedback": ""})  # feedback required
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert DecisionLink.objects.get().used_at is None
    assert client.post(link, {"decision": "return", "feedback": "Needs more cases."}).status_code == 302


def test_an_expired_link_does_nothing(client, signoff_request, assigned_trainer, settings):
    link = _reminder_link(signoff_request, assigned_trainer)
    client.force_login(assigned_trainer)
    # As if DECISION_LINK_VALID_DAYS had passed (the session itself would not last that long).
    DecisionLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(link, {"decision": "approve"})
    assert response.status_code == 403 and "expired" in response.content.decode()
    signoff_request.refresh_from_db()
    assert signoff_request.status == SignoffStatus.PENDING


def test_a_link_opened_by_another_user_does_nothing(client, signoff_request, assigned_trainer, unassigned_trainer,
                                                    trainee):
    link = _reminder_link(signoff_request, assigned_trainer)
    for other in (unassigned_trainer, trainee):
        client.force_login(other)
        response = client.post(link, {"decision": "approve"})
        assert response.status_code == 403 and "another trainer" in response.content.decode()
    signoff_request.refresh_from_db()
    assert signoff_request.status == SignoffStatus.PENDING
    assert DecisionLink.objects.get().used_at is None


def test_a_forged_link_does_nothing(client, assigned_trainer):
    client.force_login(assigned_trainer)
    response = client.get("/signoff/decide/not-a-real-token/")
    assert response.status_code == 403 and "not valid" in response.content.decode()


# --- Blinded video reviews ------------------------------------------------------------------


def test_an_overdue_video_review_reminds_the_waiting_rater_then_escalates_once(
        lead, admin, trainee, assigned_trainer, unassigned_trainer, london):
    from accreditation.signoff.workflows import video_review_reminders
    from tests.builders.faculty import accredit
    from tests.builders.logbook import make_case
    from tests.builders.people import UserFactory
    from tests.builders.signoff import gears

    second = UserFactory(full_name="Rhea Secondrater", roles=["trainer"], region=london)
    accredit(second)
    review = video_reviews.video_review_open(
        actor=admin, trainee=trainee, case=make_case(trainee, assigned_trainer), tool="gears",
        video_reference="vault:late", raters=[unassigned_trainer.pk, second.pk])
    video_reviews.video_review_rate(actor=unassigned_trainer, review=review, scores=gears(18))
    today = timezone.localdate()
    assert video_review_reminders(today=today) == {"reminded": 0, "escalated": 0}  # not due soon
    late = review.due_on + datetime.timedelta(days=7)
    assert video_review_reminders(today=late) == {"reminded": 1, "escalated": 2}
    assert video_review_reminders(today=late) == {"reminded": 0, "escalated": 0}  # idempotent
    reminder = Notification.objects.get(kind="video_review.reminder")
    assert reminder.recipient == second and trainee.full_name not in reminder.body + reminder.subject
    assert set(Notification.objects.filter(kind="video_review.escalated").values_list("recipient", flat=True)) == {
        lead.pk, admin.pk}
    assert not Notification.objects.filter(kind="video_review.reminder", recipient=unassigned_trainer).exists()
