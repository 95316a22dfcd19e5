"""The opening-hours page: weekly hours, and bank holidays (from the `holidays` package) as
closed days."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.utils.html import escape

from labs.opening import bank_holidays, opening_calendar

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@time_machine.travel(datetime.datetime(2030, 12, 20, 9, 0, tzinfo=LONDON), tick=False)
def test_christmas_and_boxing_day_are_closed(lab):
    days = {d.day: d for d in opening_calendar(lab, start=datetime.date(2030, 12, 20), days=14)}
    assert days[datetime.date(2030, 12, 25)].closed_because == "Bank holiday: Christmas Day"
    assert days[datetime.date(2030, 12, 26)].closed_because == "Bank holiday: Boxing Day"
    assert days[datetime.date(2030, 12, 20)].is_open and days[datetime.date(2030, 12, 20)].opens.hour == 8
    assert days[datetime.date(2030, 12, 21)].closed_because == "Closed on Saturdays"


def test_the_subdivision_comes_from_the_settings(settings):
    settings.BANK_HOLIDAY_SUBDIVISION = "SCT"
    scotland = bank_holidays(datetime.date(2031, 1, 1), datetime.date(2031, 1, 3))
    settings.BANK_HOLIDAY_SUBDIVISION = "ENG"
    england = bank_holidays(datetime.date(2031, 1, 1), datetime.date(2031, 1, 3))
    assert datetime.date(2031, 1, 2) in scotland and datetime.date(2031, 1, 2) not in england


def test_the_page_lists_eight_weeks_with_the_closed_days(client, lab, trainee, django_assert_max_num_queries):
    client.force_login(trainee)
    with django_assert_max_num_queries(12):
        page = client.get(f"/labs/{lab.pk}/opening-hours/")
    html = page.content.decode()
    assert page.status_code == 200 and html.count("data-day=") == 56
    today = datetime.date.today()
    closed = bank_holidays(today, today + datetime.timedelta(days=55))
    for day, name in closed.items():
        assert re.search(rf'data-day="{day.isoformat()}" data-closed>.*?Bank holiday: {re.escape(escape(name))}', html, re.S)
    assert "Monday" in html and "08:00 to 18:00" in html
    assert f"/labs/{lab.pk}/opening-hours/" in client.get(f"/labs/{lab.pk}/").content.decode()
