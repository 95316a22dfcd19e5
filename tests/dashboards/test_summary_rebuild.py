"""The nightly rebuild of the summary tables (dashboards/summary_rebuild.py): it corrects
drift, says so (a WARNING and a SummaryRebuild row per summary), and is scheduled at 02:30 on
the reports queue."""

from __future__ import annotations

import logging

import pytest
from celery.schedules import crontab
from django.conf import settings

from accreditation.logbook.models import Case, CaseMonthSummary
from dashboards import summary_rebuild
from dashboards.models import SummaryRebuild
from dashboards.tasks import rebuild_summaries as rebuild_task
from tests.builders.logbook import make_case

pytestmark = pytest.mark.django_db

ALL = ["cases", "calibration", "signoff_pending", "signoff_turnaround", "lab_sessions"]


def nothing_but(**corrected) -> dict[str, int]:
    """What the rebuild returns when only the named summaries needed correcting."""
    return {name: corrected.get(name, 0) for name in ALL}


def test_every_summary_is_rebuilt_and_recorded(trainee, assigned_trainer, caplog):
    make_case(trainee, assigned_trainer, days=2)
    make_case(trainee, status="submitted", days=2)
    with caplog.at_level(logging.WARNING, logger="dashboards.summary_rebuild"):
        assert summary_rebuild.rebuild_summaries() == nothing_but()
    assert not caplog.records
    runs = {run.name: (run.rows, run.corrected) for run in SummaryRebuild.objects.all()}
    assert runs == {"cases": (1, 0), "calibration": (0, 0), "signoff_pending": (0, 0),
                    "signoff_turnaround": (0, 0), "lab_sessions": (0, 0)}


def test_drift_is_corrected_warned_and_recorded(trainee, assigned_trainer, caplog):
    case = make_case(trainee, assigned_trainer, days=2)
    Case.objects.filter(pk=case.pk).unaudited_update("test: a raw fix behind the services", platform="hugo")
    with caplog.at_level(logging.WARNING, logger="dashboards.summary_rebuild"):
        assert summary_rebuild.rebuild_summaries() == nothing_but(cases=2)  # one row written, one deleted
    assert ["Summary cases drifted" in r.getMessage() for r in caplog.records] == [True]
    assert list(CaseMonthSummary.objects.values_list("platform", "validated")) == [("hugo", 1)]
    assert SummaryRebuild.objects.get(name="cases").corrected == 2
    caplog.clear()
    assert rebuild_task() == nothing_but()  # the task, run again: nothing left to correct
    assert not caplog.records
    assert list(SummaryRebuild.objects.filter(name="cases").order_by("ran_at", "id")
                .values_list("corrected", flat=True)) == [2, 0]


def test_after_a_bulk_load_nothing_is_recorded(trainee, assigned_trainer):
    case = make_case(trainee, assigned_trainer, days=2)
    CaseMonthSummary.objects.all().delete()  # as after bulk inserts past the services
    assert summary_rebuild.rebuild_summaries(record=False) == nothing_but(cases=1)
    assert CaseMonthSummary.objects.get().month.month == case.date.month
    assert not SummaryRebuild.objects.exists()


def test_the_rebuild_is_nightly_on_the_reports_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["dashboards-rebuild-summaries"]
    assert entry["task"] == rebuild_task.name == "dashboards.rebuild_summaries"
    assert entry["schedule"] == crontab(hour=2, minute=30)
    assert settings.CELERY_QUEUE_OF_TASK["dashboards.rebuild_summaries"] == "reports"
    assert [name for name, _ in summary_rebuild.REBUILDS] == ALL
    assert set(summary_rebuild.SUMMARY_MODELS) == set(ALL)


def test_the_command_rebuilds_now(trainee, assigned_trainer):
    import io

    from django.core.management import call_command

    make_case(trainee, assigned_trainer, days=2)
    CaseMonthSummary.objects.all().delete()  # as right after the migration that adds the table
    out = io.StringIO()
    call_command("rebuild_summaries", stdout=out)
    assert out.getvalue().splitlines() == [f"{name}: {1 if name == 'cases' else 0} rows corrected" for name in ALL]
    assert CaseMonthSummary.objects.get().validated == 1
