"""A lab's opening calendar: its weekly hours, with the bank holidays of its nation as
closed days. The bank holidays come from the `holidays` package (maintained upstream: new
years and one-off holidays arrive with an upgrade), never from a list kept here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import holidays
from django.conf import settings

from labs.models import Lab, LabOpeningHours, Weekday


@dataclass(frozen=True)
class OpeningDay:
    day: datetime.date
    weekday: str
    opens: datetime.time | None
    closes: datetime.time | None
    closed_because: str  # "" when open

    @property
    def is_open(self) -> bool:
        return not self.closed_because


def bank_holidays(start: datetime.date, end: datetime.date) -> dict[datetime.date, str]:
    """The bank holidays from start to end (inclusive) of `BANK_HOLIDAY_SUBDIVISION`
    (ENG: England and Wales' calendar; SCT, WLS, NIR for the other nations)."""
    calendar = holidays.country_holidays("GB", subdiv=settings.BANK_HOLIDAY_SUBDIVISION,
                                         years=range(start.year, end.year + 1))
    return {day: name for day, name in sorted(calendar.items()) if start <= day <= end}


def opening_calendar(lab: Lab, *, start: datetime.date, days: int = 28) -> list[OpeningDay]:
    """Each day from `start`: open with its hours, or closed (no hours that weekday, or a
    bank holiday). One query for the hours."""
    end = start + datetime.timedelta(days=days - 1)
    hours = {h.weekday: h for h in LabOpeningHours.objects.filter(lab=lab)}
    closed = bank_holidays(start, end)
    calendar = []
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        weekly = hours.get(day.weekday())
        if day in closed:
            reason = f"Bank holiday: {closed[day]}"
        elif weekly is None:
            reason = f"Closed on {Weekday(day.weekday()).label}s"
        else:
            reason = ""
        calendar.append(OpeningDay(day=day, weekday=Weekday(day.weekday()).label,
                                   opens=weekly.opens if weekly and not reason else None,
                                   closes=weekly.closes if weekly and not reason else None,
                                   closed_because=reason))
    return calendar
