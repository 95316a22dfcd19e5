"""Counts agree with their nouns: "1 case", "2 cases", never "1 cases" or "2 case", in the
templates (a guard over every count followed by a noun) and on the pages themselves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from curriculum import services
from curriculum.models import Pathway
from rastrack.core.wording import counted
from tests.builders.curriculum import make_framework

NOUNS = ("cases|hours|seats|sessions|bookings|trainees|requests|items|minutes|weeks|days|people|places|"
         "requirements|assessments|notifications|rows|modules|trainers|applications|records|certificates|"
         "steps|times|entries|months|years|errors|enrolments|sites|privileges|reviews|competencies|reports")
# A number printed straight before a plural noun ("{{ n }} cases"), with no pluralize after it.
BARE_COUNT = re.compile(r"\{\{\s*([^}|]+?)\s*\}\}\s+(?:[a-z-]+\s+)?(" + NOUNS + r")\b")
# Names before a noun ("Urology procedures") and counts whose noun comes first ("3 with errors").
NOT_COUNTS = ("grouper", ".name", "title")
NOT_NOUN_PHRASES = (" with errors",)


def test_counted_says_one_or_many():
    assert [counted(n, "case") for n in (0, 1, 2)] == ["0 cases", "1 case", "2 cases"]
    assert counted(1, "person,people") == "1 person" and counted(3, "person,people") == "3 people"
    assert counted(1.5, "hour") == "1.5 hours"
    html = Template('{% load human %}{{ one|counted:"seat" }}, {{ two|counted:"seat" }}').render(
        Context({"one": 1, "two": 2}))
    assert html == "1 seat, 2 seats"


def test_no_template_prints_a_count_before_a_plural_noun_without_pluralize():
    found = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in BARE_COUNT.finditer(line):
                if not any(word in match.group(1) for word in NOT_COUNTS) and \
                        not any(phrase in match.group(0) for phrase in NOT_NOUN_PHRASES):
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {match.group(0)}")
    assert not found, "\n".join(found)


def _pathway(admin, framework, code: str, *, weeks: int, requirements: int):
    """A pathway of `weeks` weeks whose requirements are its final sign-off and
    `requirements - 1` e-learning counts, one module each."""
    pathway = services.pathway_create(actor=admin, code=code, title=f"Pathway {code}", audience="trainee",
                                      framework=framework, self_enrol=True, duration_weeks=weeks)
    for n in range(requirements - 1):
        _add_a_module(admin, pathway, n)
    return pathway


def _add_a_module(admin, pathway, n: int):
    module = services.module_create(actor=admin, pathway=pathway, title=f"E-learning {n}")
    component = services.component_create(actor=admin, module=module, title=f"E-module {n}", kind="e_learning")
    services.requirement_create(actor=admin, component=component, type="min_count", params={"count": 1})
    return pathway


def _text(response) -> str:
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


@pytest.mark.django_db
def test_pages_with_one_and_with_two(client, admin, trainee):
    from tests.support.mfa import login_verified

    framework = make_framework(admin)
    # A draft's preview: a pathway of one requirement (only its final sign-off) and of two.
    login_verified(client, admin)
    for code, count, words in (("one", 1, "0 of 1 requirement met"), ("two", 2, "0 of 2 requirements met")):
        draft = _pathway(admin, framework, code, weeks=count, requirements=count)
        preview = _text(client.get(f"/curriculum/versions/pathway/{draft.pk}/preview/"))
        assert words in preview, words
        assert "1 requirements" not in preview and "2 requirement " not in preview
        # Publishing needs a module with a requirement besides the final sign-off.
        services.pathway_publish(actor=admin, pathway=_add_a_module(admin, draft, 9))
    client.logout()
    client.force_login(trainee)
    listing = _text(client.get("/curriculum/"))
    assert "about 1 week" in listing and "about 2 weeks" in listing
    assert "2 modules" in listing and "3 modules" in listing and "1 weeks" not in listing
    for pathway in Pathway.objects.filter(status="published"):
        services.enrolment_create(actor=trainee, trainee=trainee, pathway=pathway)
    enrolments = _text(client.get("/curriculum/enrolments/"))
    assert "0 of 2 requirements met" in enrolments and "0 of 3 requirements met" in enrolments
