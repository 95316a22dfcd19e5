"""Scheduled workflows: who gets what and when, catching up, and never twice."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from accreditation.faculty import workflows as faculty_workflows
from accreditation.faculty.models import AccreditationStatus
from accreditation.logbook import workflows as logbook_workflows
from accreditation.logbook.models import Case, CaseStatus
from rastrack.celery import app as celery_app
from rastrack.notifications.models import Notification
from tests.builders.faculty import accredit
from tests.builders.people import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


def _kinds(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("id")
                .values_list("idempotency_key", flat=True))


@pytest.fixture
def expiring(london, lead):
    trainer = UserFactory(full_name="Eve Expiring", roles=["trainer"], region=london)
    accreditation = accredit(trainer, since=TODAY - datetime.timedelta(days=1000),
                             expires_on=TODAY + datetime.timedelta(days=40))
    return trainer, accreditation


def test_expiry_notices_go_to_the_trainer_and_the_lead_at_90_30_and_7_days(expiring, lead, other_lead):
    trainer, accreditation = expiring
    assert faculty_workflows.accreditation_expiry_notices(today=TODAY) == 2  # 40 days left: the 90-day notice
    assert faculty_workflows.accreditation_expiry_notices(today=TODAY) == 0  # a second run sends nothing
    assert len(_kinds(trainer, "accreditation.expiring")) == 1
    assert len(_kinds(lead, "accreditation.expiring")) == 1
    assert _kinds(other_lead, "accreditation.expiring") == []      # another region's lead: nothing
    assert faculty_workflows.accreditation_expiry_notices(today=TODAY + datetime.timedelta(days=12)) == 2  # 28 left
    assert faculty_workflows.accreditation_expiry_notices(today=TODAY + datetime.timedelta(days=34)) == 2  # 6 left
    keys = _kinds(trainer, "accreditation.expiring")
    assert [k.split(":")[3] for k in keys] == ["90", "30", "7"]


def test_a_missed_period_sends_only_the_nearest_notice(expiring):
    trainer, _ = expiring
    # Beat was down from 95 days before expiry until 5 days before: one notice, the 7-day one.
    assert faculty_workflows.accreditation_expiry_notices(today=TODAY + datetime.timedelta(days=35)) == 2
    assert [k.split(":")[3] for k in _kinds(trainer, "accreditation.expiring")] == ["7"]


def test_no_notice_far_from_expiry_or_when_not_accredited(london):
    far = UserFactory(roles=["trainer"], region=london)
    accredit(far, since=TODAY - datetime.timedelta(days=100), expires_on=TODAY + datetime.timedelta(days=200))
    suspended = UserFactory(roles=["trainer"], region=london)
    accredit(suspended, expires_on=TODAY + datetime.timedelta(days=10), status=AccreditationStatus.SUSPENDED)
    assert faculty_workflows.accreditation_expiry_notices(today=TODAY) == 0


@pytest.fixture
def waiting_case(trainee, assigned_trainer):
    from accreditation.logbook import services as logbook
    from rastrack.reference.models import Procedure

    case = logbook.case_create(trainee=trainee, actor=trainee, data={
        "date": timezone.localdate() - datetime.timedelta(days=30), "site": SiteFactory(),
        "platform": "davinci_xi", "procedure": Procedure.objects.get(code="rarp"),
        "role": "bedside_assistant", "supervision": "A"})
    logbook.case_submit(case=case, actor=trainee)
    return case


def test_the_weekly_digest_of_unvalidated_cases(waiting_case, assigned_trainer, unassigned_trainer):
    now = timezone.localdate()
    Case.objects.filter(pk=waiting_case.pk).unaudited_update("test setup", submitted_at=timezone.now() - datetime.timedelta(days=20))
    assert logbook_workflows.unvalidated_cases_digest(today=now) == 1
    assert logbook_workflows.unvalidated_cases_digest(today=now) == 0                             # same week
    assert len(_kinds(assigned_trainer, "cases.digest")) == 1
    assert logbook_workflows.unvalidated_cases_digest(today=now + datetime.timedelta(days=7)) == 1  # next week
    assert _kinds(unassigned_trainer, "cases.digest") == []


def test_a_recent_or_validated_case_is_not_in_the_digest(waiting_case, assigned_trainer):
    now = timezone.localdate()
    assert logbook_workflows.unvalidated_cases_digest(today=now) == 0  # submitted just now
    Case.objects.filter(pk=waiting_case.pk).unaudited_update("test setup", submitted_at=timezone.now() - datetime.timedelta(days=20),
                                                   status=CaseStatus.REJECTED, rejection_reason="x")
    assert logbook_workflows.unvalidated_cases_digest(today=now) == 0


def test_enrolment_target_warnings(admin, trainee, assigned_trainer, other_trainee):
    from curriculum import services as curriculum
    from tests.builders.curriculum import make_framework, make_pathway

    pathway = make_pathway(admin, make_framework(admin))
    soon = curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway,
                                       target_date=timezone.localdate() + datetime.timedelta(days=30))
    curriculum.enrolment_create(actor=other_trainee, trainee=other_trainee, pathway=pathway,
                                target_date=timezone.localdate() + datetime.timedelta(days=200))
    today = timezone.localdate()
    assert faculty_workflows.enrolment_target_warnings(today=today) == 2  # the trainee and their supervisor
    assert faculty_workflows.enrolment_target_warnings(today=today) == 0
    assert len(_kinds(trainee, "enrolment.target")) == 1
    assert len(_kinds(assigned_trainer, "enrolment.target")) == 1
    assert _kinds(other_trainee, "enrolment.target") == []
    assert str(soon.pk) in _kinds(trainee, "enrolment.target")[0]


def test_the_beat_schedule_is_in_code_and_every_task_exists():
    celery_app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"accreditation.lapse_expired", "accreditation.expiry_notices",
            "accreditation.unvalidated_cases_digest", "accreditation.enrolment_target_warnings",
            "accreditation.sync_supervision_rights", "rastrack.notifications.relay_outbox",
            "rastrack.core.beat_heartbeat"} <= names
    assert names <= set(celery_app.tasks), names - set(celery_app.tasks)


def test_the_lapse_task_runs_the_faculty_service(london):
    from accreditation.tasks import lapse_expired

    trainer = UserFactory(roles=["trainer"], region=london)
    accreditation = accredit(trainer, since=TODAY - datetime.timedelta(days=1200),
                             expires_on=timezone.localdate() - datetime.timedelta(days=1))
    assert lapse_expired.apply().get() == 1
    assert lapse_expired.apply().get() == 0
    accreditation.refresh_from_db()
    assert accreditation.status == AccreditationStatus.LAPSED
