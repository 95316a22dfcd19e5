"""Progress summaries (curriculum/progress_summary.py): kept by a task, marked stale by new
evidence, never left fresh over evidence that arrived while they were computed."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from curriculum import progress_summary
from curriculum.models import ProgressSnapshot, RequirementSnapshot
from curriculum.tasks import refresh_progress_summaries
from tests.builders.curriculum import make_framework
from tests.builders.logbook import make_case
from tests.builders.signoff import enrol, small_pathway

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment(admin, trainee):
    return enrol(trainee, small_pathway(admin, make_framework(admin)))


def test_a_new_enrolment_is_due_and_the_refresh_stores_every_requirement(enrolment):
    assert list(progress_summary.due_enrolments()) == [enrolment]
    assert progress_summary.refresh_due() == 1
    snapshot = ProgressSnapshot.objects.get(pk=enrolment.pk)
    assert (snapshot.met_count, snapshot.total, snapshot.band, snapshot.stale) == (0, 3, "band_0_25", False)
    assert RequirementSnapshot.objects.filter(snapshot=snapshot).count() == 3
    assert list(progress_summary.due_enrolments()) == []
    assert progress_summary.refresh_due() == 0


def test_new_evidence_marks_the_trainees_summaries_stale(enrolment, trainee, assigned_trainer, other_trainee):
    progress_summary.refresh_due()
    make_case(trainee, assigned_trainer)
    snapshot = ProgressSnapshot.objects.get(pk=enrolment.pk)
    assert snapshot.stale and snapshot.generation >= 1
    assert list(progress_summary.due_enrolments()) == [enrolment]
    progress_summary.refresh_due()
    assert not ProgressSnapshot.objects.get(pk=enrolment.pk).stale
    # Someone else's evidence leaves this trainee's summary alone.
    make_case(other_trainee, status="draft")
    assert not ProgressSnapshot.objects.get(pk=enrolment.pk).stale


def test_evidence_saved_during_a_refresh_keeps_the_summary_stale(enrolment, trainee):
    progress_summary.refresh_due()
    progress_summary.mark_stale([trainee.pk])
    from curriculum import progress as engine

    original = engine.progress_for

    def evidence_arrives_meanwhile(e):
        result = original(e)
        progress_summary.mark_stale([trainee.pk])  # another request commits new evidence
        return result

    with mock.patch.object(engine, "progress_for", evidence_arrives_meanwhile):
        progress_summary.refresh_enrolment(enrolment)
    snapshot = ProgressSnapshot.objects.get(pk=enrolment.pk)
    assert snapshot.stale, "the refresh must not hide evidence that arrived while it computed"
    progress_summary.refresh_enrolment(enrolment)
    assert not ProgressSnapshot.objects.get(pk=enrolment.pk).stale


def test_old_summaries_are_due_again(enrolment, settings):
    progress_summary.refresh_due()
    later = timezone.now() + datetime.timedelta(seconds=settings.PROGRESS_SUMMARY_MAX_AGE_SECONDS + 60)
    assert list(progress_summary.due_enrolments(now=later)) == [enrolment]


def test_finished_enrolments_are_not_refreshed(enrolment, admin):
    from curriculum import services as curriculum

    curriculum.enrolment_withdraw(actor=admin, enrolment=enrolment, reason="Left the programme")
    assert list(progress_summary.due_enrolments()) == []


def test_the_refresh_is_bounded(admin, trainee, other_trainee, enrolment):
    pathway = enrolment.pathway
    enrol(other_trainee, pathway)
    assert progress_summary.refresh_due(limit=1) == 1
    assert progress_summary.refresh_due(limit=1) == 1
    assert progress_summary.refresh_due(limit=1) == 0


def test_the_task_and_the_beat_schedule(enrolment, settings):
    assert refresh_progress_summaries.apply().get() == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["curriculum-refresh-progress-summaries"]
    assert schedule["task"] == refresh_progress_summaries.name
    assert schedule["schedule"] == settings.PROGRESS_SUMMARY_SECONDS


def test_the_command_refreshes_all(enrolment, capsys):
    call_command("refresh_progress", "--all")
    assert "Refreshed 1 progress summaries." in capsys.readouterr().out
    assert ProgressSnapshot.objects.filter(pk=enrolment.pk, stale=False).exists()


@pytest.mark.parametrize(("share", "complete", "band"), [
    (0.0, False, "band_0_25"), (0.2499, False, "band_0_25"), (0.25, False, "band_25_50"),
    (0.5, False, "band_50_75"), (0.7499, False, "band_50_75"), (0.75, False, "band_75_99"),
    (1.0, True, "complete"),
])
def test_bands(share, complete, band):
    assert progress_summary.band_of(share, complete) == band


def test_stored_progress_is_read_for_many_trainees_in_one_query(admin, trainee, other_trainee, enrolment,
                                                                 django_assert_num_queries):
    """What the trainer's dashboard shows: stored figures, none computed, finished enrolments
    left out, a trainee without a live enrolment still listed (empty)."""
    from curriculum import services as curriculum
    from rastrack.accounts.roles import Role
    from tests.builders.people import UserFactory

    progress_summary.refresh_enrolment(enrolment)
    progress_summary.mark_stale([trainee.pk])
    missing = enrol(other_trainee, small_pathway(admin, enrolment.pathway.framework, code="console-two"))
    finished = UserFactory(roles=[Role.TRAINEE], region=trainee.region)
    curriculum.enrolment_withdraw(actor=admin, enrolment=enrol(finished, enrolment.pathway), reason="Left")
    with mock.patch("curriculum.progress.progress_for", side_effect=AssertionError("computed")), \
            django_assert_num_queries(1):
        found = progress_summary.stored_progress_of([trainee.pk, other_trainee.pk, finished.pk])
        shown = {pk: [(s.enrolment.pathway.code, s.computed, s.stale, s.snapshot and s.snapshot.met_count)
                      for s in rows] for pk, rows in found.items()}
    assert shown == {trainee.pk: [("console-test", True, True, 0)],
                     other_trainee.pk: [("console-two", False, False, None)],
                     finished.pk: []}
    assert missing.pk not in ProgressSnapshot.objects.values_list("pk", flat=True)
    with django_assert_num_queries(0):
        assert progress_summary.stored_progress_of([]) == {}
