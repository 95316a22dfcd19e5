"""Template helpers of the faculty's pages."""

from django import template

register = template.Library()

_TAGS = {
    "accredited": "nhsuk-tag--green",
    "suspended": "nhsuk-tag--orange",
    "lapsed": "nhsuk-tag--grey",
    "revoked": "nhsuk-tag--red",
    "pending": "nhsuk-tag--blue",
    "approved": "nhsuk-tag--green",
    "rejected": "nhsuk-tag--red",
}


@register.filter
def status_tag(status: str) -> str:
    """The NHS.UK tag colour class for an accreditation's or application's status."""
    return _TAGS.get(status, "nhsuk-tag--grey")


@register.filter
def platform_names(values) -> str:
    from accreditation.faculty.models import Platform

    labels = dict(Platform.choices)
    return ", ".join(labels.get(v, v) for v in values or [])
