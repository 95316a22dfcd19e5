"""Dates and months as people read them: "October 2026", "2 December 2026", never the ISO
strings the selectors and the API carry ("2026-10", "2026-12-02")."""

from __future__ import annotations

import datetime

from django import template
from django.utils.formats import date_format

register = template.Library()


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    try:
        return datetime.date.fromisoformat(text + "-01" if len(text) == 7 else text)
    except ValueError:
        return None


@register.filter
def month(value) -> str:
    """"2026-10" (or a date) -> "October 2026"; anything else is shown as it came."""
    day = _as_date(value)
    return date_format(day, "F Y") if day else str(value or "")


@register.filter
def day(value) -> str:
    """"2026-12-02" (or a date) -> "2 December 2026"; anything else is shown as it came."""
    found = _as_date(value)
    return date_format(found, "j F Y") if found else str(value or "")


@register.filter
def counted(value, noun: str) -> str:
    """{{ n|counted:"case" }} -> "1 case" / "2 cases"; {{ n|counted:"person,people" }}."""
    from rastrack.core.wording import counted as count_of

    return count_of(value, noun)
