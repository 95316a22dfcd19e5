"""The calibration and sign-off sections read sign-off's summary tables: the same rows as the
live computation over the assessments and requests (`assessment_gap_by_region_month`,
`signoff_figures`), unfiltered and filtered, in a varied world made through the services, and
still after a case changes procedure or is deleted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation.logbook import services as logbook
from accreditation.signoff.models import Assessment, SignoffRequest, SignoffTurnaroundSummary
from accreditation.signoff.selectors import signoff_figures
from dashboards import selectors as dashboards
from dashboards.calibration import assessment_gap_by_region_month
from rastrack.core.months import add_months, first_of_month
from rastrack.core.stats import percentiles, weighted_percentile_cont
from rastrack.reference.models import Procedure
from tests.builders.dashboards import varied_world_fixture  # noqa: F401 - fixture
from tests.builders.signoff import assess, self_assess

pytestmark = pytest.mark.django_db


def _filters(*, region=None, specialty="", months=None) -> dashboards.Filters:
    today = timezone.localdate()
    end = first_of_month(today)
    start = add_months(end, -(months - 1)) if months else add_months(end, -12)
    return dashboards.Filters(region_id=region.pk if region is not None else None, specialty=specialty,
                              start=start, end=end, today=today)


def _live_calibration(f: dashboards.Filters) -> list[dict]:
    # The section as it was computed before the summary: from the assessments, same filters.
    return assessment_gap_by_region_month(Assessment.objects.filter(
        f.region("trainee__region_id"), f.specialty_of("case__procedure__specialty"),
        date__gte=f.start, date__lt=f.end_exclusive))


def _live_signoffs(f: dashboards.Filters) -> dict:
    return signoff_figures(SignoffRequest.objects.filter(f.region("trainee__region_id")), today=f.today)


def _filter_cases(world, london, north_west):
    return [_filters(), _filters(region=london), _filters(region=north_west), _filters(region=world["midlands"]),
            _filters(specialty="urology"), _filters(specialty="colorectal"), _filters(specialty="general"),
            _filters(specialty="obstetrics_gynaecology"), _filters(months=2), _filters(months=1),
            _filters(region=london, specialty="colorectal", months=3)]


def _assert_sections_match_live(world, london, north_west):
    for f in _filter_cases(world, london, north_west):
        assert dashboards.calibration_section(f) == _live_calibration(f), f
        (summary,) = dashboards.signoffs_section(f)
        live = _live_signoffs(f)
        for column in ("pending", "overdue", "decided"):
            assert summary[column] == live[column], (f, column)
        for column in ("turnaround_median_days", "turnaround_p90_days"):
            # Counted to the hour: within half an hour before rounding to a tenth of a day.
            assert (summary[column] is None) == (live[column] is None), (f, column)
            if summary[column] is not None:
                assert abs(summary[column] - live[column]) <= 0.1 + 1e-9, (f, column, summary, live)


def test_sections_read_from_the_summaries_equal_the_live_figures(varied_world, london, north_west):
    calibration = dashboards.calibration_section(_filters())
    assert len(calibration) >= 6  # several regions, months and both tools: a world worth comparing
    assert {row["tool"] for row in calibration} == {"gears", "entrustment"}
    assert None not in {row["region"] for row in calibration}  # the trainee with no region is left out
    national = dashboards.signoffs_section(_filters())[0]
    assert national["pending"] == 5 and national["overdue"] == 2 and national["decided"] == 8
    _assert_sections_match_live(varied_world, london, north_west)


def test_turnaround_from_the_hour_histogram_is_within_half_an_hour(varied_world, london):
    for region in (None, london.pk):
        live = SignoffRequest.objects.filter(decided_at__isnull=False)
        rows = SignoffTurnaroundSummary.objects.all()
        if region is not None:
            live, rows = live.filter(trainee__region_id=region), rows.filter(region_id=region)
        _, exact = percentiles(live, start="created_at", end="decided_at", fractions=(0.5, 0.9))
        histogram = [(hours / 24, n) for hours, n in rows.values_list("hours", "decided")]
        for fraction, value in zip((0.5, 0.9), exact, strict=True):
            assert abs(weighted_percentile_cont(histogram, fraction) - value) <= 0.5 / 24 + 1e-9


def test_a_case_changing_procedure_or_deleted_moves_its_pairs(varied_world, london, north_west, trainee,
                                                              assigned_trainer):
    from tests.builders.logbook import make_case

    case = make_case(trainee, status="submitted", days=4, procedure="rarp")
    assess(assigned_trainer, trainee, case=case, total=14)
    self_assess(trainee, case, total=21)
    logbook.case_withdraw(case=case, actor=trainee)  # back to draft: the trainee may edit it again
    urology = dashboards.calibration_section(_filters(specialty="urology"))
    _assert_sections_match_live(varied_world, london, north_west)

    data = {"procedure": Procedure.objects.get(code="anterior-resection")}
    logbook.case_update(case=case, actor=trainee, data=data)
    assert dashboards.calibration_section(_filters(specialty="urology")) != urology
    _assert_sections_match_live(varied_world, london, north_west)

    logbook.case_delete(case=case, actor=trainee)
    assert Assessment.objects.filter(case__isnull=True, trainee=trainee).count() == 2
    _assert_sections_match_live(varied_world, london, north_west)


def test_sections_read_the_summaries_in_a_fixed_number_of_queries(varied_world, london):
    for f in (_filters(), _filters(region=london, specialty="colorectal", months=3)):
        with CaptureQueriesContext(connection) as queries:
            dashboards.calibration_section(f)
        assert len(queries) == 1
        assert '"accreditation_assessment"' not in queries[0]["sql"]
        with CaptureQueriesContext(connection) as queries:
            dashboards.signoffs_section(f)
        assert len(queries) == 2
        assert not any('"accreditation_signoffrequest"' in q["sql"] for q in queries.captured_queries)


def test_a_month_range_is_whole_months(varied_world):
    today = timezone.localdate()
    f = _filters(months=2)
    assert f.start == add_months(today, -1) and f.end_exclusive == add_months(today, 1)
    rows = dashboards.calibration_section(f)
    assert rows and {row["month"] for row in rows} <= {f.start.strftime("%Y-%m"), today.strftime("%Y-%m")}
    assert rows == _live_calibration(f)
