"""Template helpers of the sign-off pages."""

from django import template

register = template.Library()

_TAGS = {
    "pending": "nhsuk-tag--blue",
    "approved": "nhsuk-tag--green",
    "returned": "nhsuk-tag--orange",
    "reversed": "nhsuk-tag--red",
    "withdrawn": "nhsuk-tag--grey",
}


@register.filter
def signoff_tag(status: str) -> str:
    """The NHS.UK tag colour class for a sign-off request's status."""
    return _TAGS.get(status, "nhsuk-tag--grey")


@register.filter
def domain_scores(assessment) -> list[tuple[str, int | None, str]]:
    """(domain name, score, what the score means) in the tool's order, from the scores the
    viewer may see (`visible_scores`: empty while blinded)."""
    scores = getattr(assessment, "visible_scores", None) or {}
    rows = []
    for domain in assessment.tool.domains.all():
        score = scores.get(domain.code)
        rows.append((domain.name, score, (domain.anchors or {}).get(str(score), "")))
    return rows


@register.filter
def signed(number) -> str:
    """+2, 0, -1: a calibration difference."""
    if number is None:
        return ""
    return f"+{number}" if number > 0 else str(number)


@register.filter
def supervision_level(value) -> str:
    """1-5 as its ISCP 2021 wording ("IV: able and trusted to act unsupervised ...")."""
    from accreditation.signoff.models import SupervisionLevel

    try:
        return SupervisionLevel(int(value)).label
    except (TypeError, ValueError):
        return "–"
