"""The lab sessions a person taught, as a teaching figure for their trainer application or
renewal (registered with the faculty in `LabsConfig.ready`)."""

from __future__ import annotations

from django.utils import timezone

from labs.models import LabSession, LabSessionStatus

LABEL = "Lab sessions taught"


def sessions_taught_count(person, *, since) -> int:
    """Sessions with `person` among the faculty that were held (not cancelled, already ended)
    and started on or after the date `since`."""
    return (LabSession.objects.filter(faculty=person, starts_at__date__gte=since, ends_at__lte=timezone.now())
            .exclude(status=LabSessionStatus.CANCELLED).count())
