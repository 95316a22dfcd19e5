"""Months as the dashboards and reports take them: one parser for every door.

A month is given as "2026-11" (or a day, "2026-11-28", which means its month) and stands for
its first day. Years outside FIRST_YEAR..LAST_YEAR are refused: nothing in RASTrack is that
old, and the far edges of the calendar (year 1, year 9999) would overflow the month
arithmetic that reports do around a range.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from rastrack.core.exceptions import ApplicationError

FIRST_YEAR = 1900
LAST_YEAR = 2999
MONTH_MESSAGE = f"Give a month as YYYY-MM, between {FIRST_YEAR} and {LAST_YEAR}."


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def parse_month(value: str | None) -> datetime.date | None:
    """"2026-11" or "2026-11-28" -> 1 November 2026; None for empty; ValueError otherwise."""
    if not value:
        return None
    value = value.strip()
    day = datetime.date.fromisoformat(value + "-01" if len(value) == 7 else value)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(MONTH_MESSAGE)
    return first_of_month(day)


def month_range(params: Mapping, *, start: str = "from", end: str = "to") -> tuple[datetime.date | None, datetime.date | None]:
    """The months named by the parameters `start` and `end` (either may be missing: None);
    400 per field when one is not a month or the range runs backwards."""
    errors: dict[str, list[str]] = {}
    found: dict[str, datetime.date | None] = {}
    for name in (start, end):
        try:
            found[name] = parse_month(params.get(name))
        except (ValueError, TypeError):
            errors[name] = [MONTH_MESSAGE]
            found[name] = None
    if found[start] and found[end] and found[end] < found[start]:
        errors[end] = ["The last month comes after the first."]
    if errors:
        raise ApplicationError(errors=errors)
    return found[start], found[end]
