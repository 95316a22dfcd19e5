"""The hourly sweeps cost the same number of queries whatever the size of the world: their
cost grows with what changed (rights to grant or remove, reminders to send), never with the
tables. Each test builds the same pattern at two sizes and pins one count for both."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.faculty.eligibility import can_supervise
from accreditation.faculty.models import Assignment
from accreditation.faculty.services import supervision_rights_sync
from rastrack.accounts.models import PortfolioUserObjectPermission
from rastrack.accounts.roles import Role
from tests.builders.dates import days_ago
from tests.builders.faculty import accredit, assign
from tests.builders.people import UserFactory
from tests.builders.signoff import competency_fixture, framework_fixture  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _rights_world(london, size: int) -> list[tuple]:
    """`size` times: a trainer with a right that stays, one whose term ends today (removed
    tomorrow), one starting tomorrow on a trainee without a portfolio yet (granted tomorrow)."""
    pairs = []
    for _ in range(size):
        trainer = UserFactory(roles=[Role.TRAINER], region=london)
        accredit(trainer)
        staying, ending, starting = (UserFactory(roles=[Role.TRAINEE], region=london) for _ in range(3))
        assign(trainer, staying)
        assign(trainer, ending, starts_on=days_ago(30), ends_on=timezone.localdate())
        Assignment.objects.create(trainer=trainer, trainee=starting, kind="proctor",
                                  starts_on=timezone.localdate() + datetime.timedelta(days=1))
        pairs += [(trainer, staying), (trainer, ending), (trainer, starting)]
    return pairs


def _held(trainer, trainee) -> bool:
    return PortfolioUserObjectPermission.objects.filter(user=trainer, content_object__trainee=trainee).exists()


@pytest.mark.parametrize("size", [3, 30])
def test_rights_sync_is_one_diff_whatever_the_world_size(london, size, django_assert_num_queries):
    pairs = _rights_world(london, size)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    # Reads of what should exist and what does, one delete, the permission, portfolios and
    # one insert of rights: at most 12 whatever the world size.
    with django_assert_num_queries(8):
        assert supervision_rights_sync(today=tomorrow) == {"granted": size, "removed": size}
    assert all(_held(trainer, trainee) == can_supervise(trainer, trainee, on=tomorrow) for trainer, trainee in pairs)
    with django_assert_num_queries(4):  # nothing changed: the two reads
        assert supervision_rights_sync(today=tomorrow) == {"granted": 0, "removed": 0}


def test_rights_sync_removes_rights_of_a_lapsed_or_deactivated_trainer(london):
    lapsed, gone = (UserFactory(roles=[Role.TRAINER], region=london) for _ in range(2))
    accredit(lapsed, since=days_ago(400), expires_on=timezone.localdate())
    accredit(gone)
    trainee = UserFactory(roles=[Role.TRAINEE], region=london)
    assign(lapsed, trainee)
    assign(gone, trainee)
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    assert supervision_rights_sync(today=timezone.localdate()) == {"granted": 0, "removed": 1}
    assert _held(lapsed, trainee) and not _held(gone, trainee)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert supervision_rights_sync(today=tomorrow) == {"granted": 0, "removed": 1}
    assert not _held(lapsed, trainee)


def test_progress_snapshots_of_a_bulk_refresh_fall_due_at_staggered_times(admin, london, settings):
    from curriculum import progress_summary
    from tests.builders.curriculum import make_framework
    from tests.builders.signoff import enrol, small_pathway

    pathway = small_pathway(admin, make_framework(admin))
    for _ in range(progress_summary.AGE_BUCKETS):
        enrol(UserFactory(roles=[Role.TRAINEE], region=london), pathway)
    assert progress_summary.refresh_all() == progress_summary.AGE_BUCKETS
    max_age = settings.PROGRESS_SUMMARY_MAX_AGE_SECONDS
    now = timezone.now()

    def due_after(fraction: float) -> int:
        return progress_summary.due_enrolments(now=now + datetime.timedelta(seconds=max_age * fraction)).count()

    counts = [due_after(f) for f in (0.5, 0.6, 0.75, 0.9, 1.01)]
    assert counts[0] == 0 and counts[-1] == progress_summary.AGE_BUCKETS  # never older than the max
    assert 0 < counts[1] < counts[2] < counts[3] < counts[4], counts


@pytest.mark.parametrize("size", [2, 12])
def test_signoff_reminders_read_what_is_due_in_constant_queries(
        size, london, assigned_trainer, lead, competency, django_assert_num_queries):
    from accreditation.signoff.workflows import signoff_reminders
    from tests.builders.signoff import request_signoff

    requests = []
    for _ in range(size):
        trainee = UserFactory(roles=[Role.TRAINEE], region=london)
        assign(assigned_trainer, trainee)
        requests.append(request_signoff(trainee, assigned_trainer, competency=competency))
    overdue = requests[0].due_on + datetime.timedelta(days=8)
    assert signoff_reminders(today=overdue) == {"reminded": size, "escalated": size}
    # Everything sent already: the requests due, the leads of their regions, the keys sent.
    with django_assert_num_queries(3):
        assert signoff_reminders(today=overdue) == {"reminded": 0, "escalated": 0}


@pytest.mark.parametrize("size", [2, 12])
def test_signoff_reminders_first_run_costs_the_same_at_any_backlog(
        size, london, assigned_trainer, lead, competency, django_assert_num_queries):
    """A freshly loaded world (or a beat down for a week) has every reminder and escalation
    to send at once: they go in batches, not one transaction per request."""
    from accreditation.signoff.workflows import decision_link_open, signoff_reminders
    from rastrack.notifications.models import Notification
    from tests.builders.signoff import request_signoff

    for _ in range(size):
        trainee = UserFactory(roles=[Role.TRAINEE], region=london)
        assign(assigned_trainer, trainee)
        request = request_signoff(trainee, assigned_trainer, competency=competency)
    overdue = request.due_on + datetime.timedelta(days=8)
    # Reads: the requests due, the leads, the keys sent, the targets' names (one kind here);
    # writes: the links, then reminders and escalations (an insert and a read of the new ids
    # each), each batch in a savepoint here.
    with django_assert_num_queries(4 + 1 + 2 + 2 + 2 * 2):
        assert signoff_reminders(today=overdue) == {"reminded": size, "escalated": size}
    reminders = Notification.objects.filter(kind="signoff.reminder", recipient=assigned_trainer)
    assert reminders.count() == size
    token = reminders.first().link.rstrip("/").rsplit("/", 1)[1]
    assert decision_link_open(token=token, user=assigned_trainer, now=timezone.now()).user_id == assigned_trainer.pk
    assert Notification.objects.filter(kind="signoff.escalated", recipient=lead).count() == size


@pytest.mark.parametrize("size", [2, 12])
def test_enrolment_target_warnings_first_run_costs_the_same_at_any_size(size, admin, london):
    from curriculum import services as curriculum
    from tests.builders.curriculum import make_framework, make_pathway

    pathway = make_pathway(admin, make_framework(admin))
    trainer = UserFactory(roles=[Role.TRAINER], region=london)
    accredit(trainer)
    target = timezone.localdate() + datetime.timedelta(days=30)
    for _ in range(size):
        trainee = UserFactory(roles=[Role.TRAINEE], region=london)
        assign(trainer, trainee)
        curriculum.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway, target_date=target)
    from accreditation.faculty.workflows import enrolment_target_warnings

    with CaptureQueriesContext(connection) as captured:
        assert enrolment_target_warnings(today=timezone.localdate()) == 2 * size  # each trainee and supervisor
    # The enrolments due, the keys sent, the supervisors, the pathway's requirements and each
    # kind of evidence once for the batch, the notices (an insert, a read of the new ids, in
    # a savepoint here): the same at either size.
    assert len(captured) == 12, [q["sql"][:90] for q in captured]
    assert enrolment_target_warnings(today=timezone.localdate()) == 0

