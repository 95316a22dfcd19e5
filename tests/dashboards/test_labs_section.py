"""The dashboards' labs section reads the lab session summary (labs/summaries.py) and shows
exactly what the live computation from the sessions and bookings shows, whatever the filter."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards import selectors as dashboards
from labs import summaries
from labs.capacity import _bounds
from labs.models import Lab, LabSession, LabSessionSummary
from tests.builders.labs import lab_summary_world

pytestmark = pytest.mark.django_db


def _live_labs_section(f: dashboards.Filters) -> list[dict]:
    """The section as it was computed before the summary: from the sessions and bookings."""
    begin, finish = _bounds(f.start, f.end)
    sessions = LabSession.objects.filter(lab__in=Lab.objects.filter(f.region("region_id")),
                                         starts_at__gte=begin, starts_at__lt=finish)
    rows = [{"month": month.strftime("%Y-%m"), **figures}
            for (month,), figures in sorted(summaries.live_figures(sessions, ()).items())]
    return [{column: row[column] for column in dashboards.SECTIONS["labs"]} for row in rows]


def test_the_labs_section_from_the_summary_equals_the_live_figures(lab, lab_manager, other_lab, other_lab_manager,
                                                                   london, north_west):
    months = lab_summary_world(lab=lab, lab_manager=lab_manager, other_lab=other_lab,
                               other_lab_manager=other_lab_manager)["months"]
    today = timezone.localdate()
    cases = {
        "national": dict(region_id=None, specialty="", start=months[-2], end=months[2]),
        "London": dict(region_id=london.pk, specialty="", start=months[-2], end=months[2]),
        "North West": dict(region_id=north_west.pk, specialty="", start=months[-2], end=months[2]),
        "a legacy specialty code (labs have none)": dict(region_id=None, specialty="colorectal",
                                                         start=months[-2], end=months[2]),
        "a month range": dict(region_id=None, specialty="", start=months[-1], end=months[1]),
        "one month of one region": dict(region_id=london.pk, specialty="", start=months[-1], end=months[-1]),
    }
    seen = set()
    for name, filters in cases.items():
        f = dashboards.Filters(**filters, today=today)
        with CaptureQueriesContext(connection) as queries:
            section = dashboards.labs_section(f)
        assert len(queries) == 1 and LabSessionSummary._meta.db_table in queries[0]["sql"], name
        assert section == _live_labs_section(f), name
        assert section, name
        seen.add(tuple(row["month"] for row in section))
    assert len(seen) >= 3  # the filters do narrow the rows

    whole = dashboards.dashboard(region=london, start=months[-2], end=months[2])["labs"]
    assert whole == _live_labs_section(dashboards.Filters(region_id=london.pk, specialty="", start=months[-2],
                                                          end=months[2], today=today))
